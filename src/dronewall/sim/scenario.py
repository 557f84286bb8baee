"""Scenario files: a documented TOML format (``docs/scenario-format.md``) describing what flies
and which sensors watch, validated on load. Errors name the bad field and its line.

Bundled scenarios live beside this module in ``scenarios/``; a scenario argument is either a
bundled name or a path to a file.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dronewall.core.errors import ConfigError
from dronewall.core.release import LabelError, SecurityLabel
from dronewall.core.tomlpos import line_of

Range = Annotated[tuple[float, float], Field(description="[low, high] for a uniform draw")]
DroneKind = Literal["one_way_attack", "decoy", "quadcopter", "recon_fixed_wing"]
AircraftKind = Literal["glider", "helicopter", "light_aircraft", "ultralight"]
Activity = Literal["soaring", "patrol", "circuits", "cross_country"]
SensorModel = Literal[
    "cuas-radar",
    "surveillance-radar",
    "rf-df",
    "acoustic-node",
    "eoir-camera",
    "remote-id-receiver",
    "adsb-receiver",
    "adsb-network",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _ordered(value: tuple[float, float] | None, name: str) -> None:
    if value is not None and value[0] > value[1]:
        raise ValueError(f"{name}: low {value[0]} is above high {value[1]}")


class Header(_Strict):
    name: str
    title: str
    description: str = ""
    start: dt.datetime
    duration_s: float = Field(gt=0, le=7 * 86400)
    seed: int = Field(ge=0)
    truth_interval_s: int = Field(default=1, ge=1, le=60)
    # Whom the scenario's sensors are releasable to when a sensor group names no
    # ``releasable_to`` of its own (core.release): nations (alpha-3) and/or NATO, EU.
    releasable_to: list[str] = Field(default_factory=list)

    @field_validator("releasable_to")
    @classmethod
    def _releasable(cls, value: list[str]) -> list[str]:
        try:
            return sorted(SecurityLabel.make("DNK", releasable_to=value).releasable_to)
        except LabelError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _aware(self) -> Header:
        if self.start.tzinfo is None:
            raise ValueError("start must carry a time zone, e.g. 2025-09-09T23:30:00Z")
        return self


class Area(_Strict):
    """A circle on the ground, optionally restricted to one country or to the sea."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_km: float = Field(default=0.0, ge=0, le=2000)
    country: str | None = None  # ADM0_A3 code the points must fall in
    at_sea: bool = False


class Box(_Strict):
    lat_min: float = Field(ge=-90, le=90)
    lat_max: float = Field(ge=-90, le=90)
    lon_min: float = Field(ge=-180, le=180)
    lon_max: float = Field(ge=-180, le=180)

    @model_validator(mode="after")
    def _order(self) -> Box:
        if self.lat_min >= self.lat_max or self.lon_min >= self.lon_max:
            raise ValueError("box minimum must be below its maximum")
        return self


class DroneGroup(_Strict):
    """Drones of one kind launched from one area towards a list of targets."""

    name: str
    kind: DroneKind
    count: int = Field(ge=1, le=10_000)
    launch: Area
    launch_window_s: Range = (0.0, 0.0)
    targets: list[str] = Field(min_length=1)
    behaviour: Literal["strike", "loiter", "hover", "manoeuvre"] = "strike"
    loiter_radius_km: float = Field(default=3.0, gt=0, le=100)
    loiter_time_s: Range = (600.0, 1800.0)
    route_jitter_km: float = Field(default=10.0, ge=0, le=500)
    speed_kmh: Range | None = None
    altitude_m: Range | None = None
    rcs_m2: Range | None = None
    range_km: Range | None = None
    emits_rf_fraction: float = Field(default=0.0, ge=0, le=1)
    remote_id_fraction: float = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _ranges(self) -> DroneGroup:
        for name in (
            "launch_window_s",
            "loiter_time_s",
            "speed_kmh",
            "altitude_m",
            "rcs_m2",
            "range_km",
        ):
            _ordered(getattr(self, name), name)
        return self


class Aircraft(_Strict):
    """Manned aircraft of one kind flying locally: gliders, helicopters, light aircraft,
    ultralights (``docs/scenario-format.md``)."""

    name: str
    kind: AircraftKind
    count: int = Field(ge=1, le=10_000)
    area: Area  # where they fly
    bases: list[str] = Field(default_factory=list)  # airfields or sites they start from
    activity: Activity | None = None  # default by kind
    spawn_window_s: Range = (0.0, 1800.0)
    flight_time_s: Range = (1800.0, 5400.0)
    speed_kmh: Range | None = None
    altitude_m: Range | None = None  # above ground
    rcs_m2: Range | None = None
    adsb_fraction: float | None = Field(default=None, ge=0, le=1)
    flarm_fraction: float | None = Field(default=None, ge=0, le=1)
    hover_fraction: float = Field(default=0.3, ge=0, le=1)  # share of patrol stops hovering

    @model_validator(mode="after")
    def _ranges(self) -> Aircraft:
        for name in ("spawn_window_s", "flight_time_s", "speed_kmh", "altitude_m", "rcs_m2"):
            _ordered(getattr(self, name), name)
        if self.activity == "circuits" and not self.bases:
            raise ValueError("circuits need bases (airfields to fly them at)")
        return self


class CivilTraffic(_Strict):
    """Airliners on great-circle routes between real airports."""

    region: Box
    airborne: int = Field(ge=0, le=20_000)  # mean number airborne in the region
    airports: list[str] = Field(default_factory=list)  # ICAO codes; empty = IATA airports in region
    cruise_altitude_m: Range = (9500.0, 11500.0)
    cruise_speed_kmh: Range = (780.0, 880.0)
    adsb_fraction: float = Field(default=1.0, ge=0, le=1)
    hub: str | None = None  # an airport with departures and arrivals of its own
    movements_per_hour: float = Field(default=0.0, ge=0, le=200)  # at the hub, half each way

    @model_validator(mode="after")
    def _hub(self) -> CivilTraffic:
        if self.movements_per_hour > 0 and not self.hub:
            raise ValueError("movements_per_hour needs a hub airport")
        return self


class Birds(_Strict):
    region: Box
    flocks: int = Field(ge=0, le=50_000)  # mean number aloft
    lifetime_s: Range = (900.0, 3600.0)


class SensorBase(_Strict):
    model: SensorModel
    mast_m: float | None = Field(default=None, ge=0, le=500)
    params: dict[str, float] = Field(default_factory=dict)
    # The sensors' security label (core.release): owner nation (ISO alpha-3; default the
    # country the sensor stands in), classification, the nations/communities it is releasable
    # to (default the scenario's ``releasable_to``, else none) and the policy.
    nation: str | None = None
    classification: str = "UNCLASSIFIED"
    releasable_to: list[str] | None = None
    policy: str = "NATO"

    @field_validator("nation", "classification", "releasable_to", "policy")
    @classmethod
    def _label_value(cls, value: str | list[str] | None, info: object) -> str | list[str] | None:
        """Each label key checked alone, so the error names its key and line."""
        name = getattr(info, "field_name", "")
        try:
            if name == "nation" and value is not None:
                return SecurityLabel.make(str(value)).owner
            if name == "classification":
                return SecurityLabel.make("DNK", str(value)).classification
            if name == "releasable_to":
                return sorted(
                    SecurityLabel.make("DNK", releasable_to=list(value or [])).releasable_to
                )
        except LabelError as exc:
            raise ValueError(str(exc)) from None
        return value

    def label(self, default_owner: str, default_releasable: list[str]) -> SecurityLabel:
        """This group's label, owned by ``nation`` or else ``default_owner``."""
        rel = default_releasable if self.releasable_to is None else self.releasable_to
        return SecurityLabel.make(
            self.nation or default_owner, self.classification, rel, self.policy
        )


class Sensor(SensorBase):
    id: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class SensorLine(SensorBase):
    """Sensors spaced along a land border, set back inside the first country."""

    id_prefix: str
    border: tuple[str, str]
    spacing_km: float = Field(gt=0, le=1000)
    inset_km: float = Field(default=2.0, ge=0, le=200)


class SensorRing(SensorBase):
    """Sensors evenly spaced on a circle around a site or airport (count 1 = at the centre)."""

    id_prefix: str
    around: str
    radius_km: float = Field(default=0.0, ge=0, le=200)
    count: int = Field(default=1, ge=1, le=1000)


class Scenario(_Strict):
    scenario: Header
    drones: list[DroneGroup] = Field(default_factory=list)
    traffic: list[CivilTraffic] = Field(default_factory=list)
    aircraft: list[Aircraft] = Field(default_factory=list)
    birds: list[Birds] = Field(default_factory=list)
    sensor: list[Sensor] = Field(default_factory=list)
    sensor_line: list[SensorLine] = Field(default_factory=list)
    sensor_ring: list[SensorRing] = Field(default_factory=list)

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def start_posix(self) -> float:
        return self.scenario.start.timestamp()


def bundled_names() -> list[str]:
    """Names of the scenarios shipped with the package."""
    folder = resources.files("dronewall.sim") / "scenarios"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def scenario_text(name_or_path: str) -> tuple[str, str]:
    """(source label, TOML text) of a bundled scenario name or a file path."""
    if name_or_path in bundled_names():
        ref = resources.files("dronewall.sim") / "scenarios" / f"{name_or_path}.toml"
        return f"{name_or_path}.toml", ref.read_text(encoding="utf-8")
    path = Path(name_or_path)
    if not path.is_file():
        known = ", ".join(bundled_names())
        raise ConfigError(f"no scenario named {name_or_path!r} and no such file (bundled: {known})")
    return str(path), path.read_text(encoding="utf-8")


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Parse and validate scenario TOML; raise ConfigError naming the field and line."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        raise ConfigError(f"not valid TOML: {exc}", source=source, line=line) from exc
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        field = _dotted(loc)
        raise ConfigError(
            first["msg"], source=source, field=field, line=line_of(text, loc)
        ) from exc


def load_scenario(name_or_path: str) -> Scenario:
    source, text = scenario_text(name_or_path)
    return parse_scenario(text, source)


def _dotted(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
