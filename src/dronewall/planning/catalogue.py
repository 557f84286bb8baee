"""The planning sensor catalogue: what each sensor type sees of a design threat, and its price.

A catalogue file (TOML, format in ``docs/planning.md``) holds one ``[threat]`` — the object the
wall must see, by default a Shahed/Geran-class one-way attack drone — and ``[[sensor]]`` types
with their range model, unit price, supplier and origin. The packaged catalogue is
``planning/data/sensors.toml``; its figures come from ``shared/reference/threat-cost-planning.md``
and the simulator's defaults, and prices with no public source are flagged ``illustrative``.

Range model — the same physics the simulator uses (``dronewall.models.propagation``):

* **Radar**: the radar equation in ratio form, Swerling I. The SNR needed for detection
  probability p at false-alarm probability P_fa is ``ln P_fa / ln p − 1``; SNR scales as
  σ/R⁴, so the slant range for p is ``R₅₀ · (SNR₅₀/SNR_p · σ/σ_ref)^¼`` (Skolnik §2.8).
* **Passive** (acoustic, EO/IR, RF): P_d = 1/(1+(R/R₅₀)⁴), so ``R_p = R₅₀·((1−p)/p)^¼`` with
  R₅₀ the threat's signature range times the sensor's ``range_scale``.
* **Horizon**: electromagnetic sensors (radar, EO/IR, RF) see only above the 4/3-Earth radio
  horizon (``horizon_distance_m``); acoustic nodes hear around it, as in the simulator.

Slant ranges become ground ranges with the height difference; the elevation limit leaves a
blind cone above a sensor. Every sensor is treated as looking all round (360°).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from dronewall.core.errors import ConfigError
from dronewall.models.propagation import horizon_distance_m, snr_at_pd50
from dronewall.records.tomlfile import Strict, field_error, parse_toml, read_text


class SensorClass(StrEnum):
    """What a sensor measures, which decides its range model and its role in a fix."""

    RADAR = "radar"  # range, azimuth, elevation: one radar gives a position
    ACOUSTIC = "acoustic"  # bearings only: two or more are triangulated
    EOIR = "eoir"
    RF = "rf"

    @property
    def ranging(self) -> bool:
        return self is SensorClass.RADAR

    @property
    def electromagnetic(self) -> bool:
        return self is not SensorClass.ACOUSTIC


Origin = Literal["EU", "UA", "other"]


class _Threat(Strict):
    name: str
    rcs_m2: float = Field(gt=0)
    acoustic_range_m: float = Field(ge=0)
    optical_range_m: float = Field(ge=0)
    rf_range_m: float = Field(ge=0)  # 0: the threat does not emit (pre-programmed flight)
    speed_kmh: float = Field(gt=0, le=3000)
    required_pd: float = Field(default=0.5, gt=0, lt=1)  # per-look P_d that counts as "seen"


class _Sensor(Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    sensor_class: SensorClass = Field(alias="class")
    mast_m: float = Field(ge=0, le=500)
    max_range_m: float = Field(gt=0)
    min_range_m: float = Field(default=0.0, ge=0)
    max_elevation_deg: float = Field(default=90.0, gt=0, le=90)
    range_pd50_m: float = Field(default=0.0, ge=0)  # radar: ½ P_d for reference_rcs_m2
    reference_rcs_m2: float = Field(default=0.1, gt=0)
    pfa: float = Field(default=1e-6, gt=0, lt=0.5)
    range_scale: float = Field(default=1.0, gt=0)  # passive: scales the threat's signature
    unit_price_eur: float = Field(gt=0)
    supplier: str
    origin: Origin
    price_source: str
    illustrative: bool = False  # True when no public price was found
    sim_model: str = ""  # the simulator's sensor model that stands for this type

    @model_validator(mode="after")
    def _radar_needs_range(self) -> _Sensor:
        if self.sensor_class is SensorClass.RADAR and self.range_pd50_m <= 0:
            raise ValueError("a radar needs range_pd50_m > 0")
        return self


class _CatalogueFile(Strict):
    threat: _Threat
    sensor: list[_Sensor] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Threat:
    """The design threat every coverage figure refers to."""

    name: str
    rcs_m2: float
    acoustic_range_m: float
    optical_range_m: float
    rf_range_m: float
    speed_kmh: float
    required_pd: float


@dataclass(frozen=True, slots=True)
class SensorType:
    """One kind of sensor that can be bought and placed."""

    id: str
    name: str
    sensor_class: SensorClass
    mast_m: float
    max_range_m: float
    min_range_m: float
    max_elevation_deg: float
    range_pd50_m: float
    reference_rcs_m2: float
    pfa: float
    range_scale: float
    unit_price_eur: float
    supplier: str
    origin: str
    price_source: str
    illustrative: bool
    sim_model: str

    @property
    def ranging(self) -> bool:
        return self.sensor_class.ranging

    def detection_range_m(self, threat: Threat) -> float:
        """Slant range at which the threat is seen with ``threat.required_pd`` per look."""
        p = threat.required_pd
        if self.sensor_class is SensorClass.RADAR:
            snr_needed = float(np.log(self.pfa) / np.log(p) - 1.0)
            ratio = float(snr_at_pd50(self.pfa)) / snr_needed * threat.rcs_m2
            return float(self.range_pd50_m * (ratio / self.reference_rcs_m2) ** 0.25)
        signature = {
            SensorClass.ACOUSTIC: threat.acoustic_range_m,
            SensorClass.EOIR: threat.optical_range_m,
            SensorClass.RF: threat.rf_range_m,
        }[self.sensor_class]
        return float(signature * self.range_scale * ((1.0 - p) / p) ** 0.25)

    def ground_reach_m(self, threat: Threat, altitude_m: float) -> tuple[float, float]:
        """(inner, outer) ground distance between which the threat at ``altitude_m`` is seen.

        Outer: the detection range and maximum range as slant ranges, cut by the radio
        horizon for electromagnetic sensors. Inner: the minimum range and the blind cone
        above the elevation limit. (0, 0) when the threat cannot be seen at all.
        """
        height = altitude_m - self.mast_m
        slant = min(self.detection_range_m(threat), self.max_range_m)
        outer = float(np.sqrt(max(slant**2 - height**2, 0.0)))
        if self.sensor_class.electromagnetic:
            horizon = horizon_distance_m(self.mast_m) + horizon_distance_m(altitude_m)
            outer = min(outer, float(horizon))
        inner = float(np.sqrt(max(self.min_range_m**2 - height**2, 0.0)))
        if self.max_elevation_deg < 90.0 and height > 0:
            inner = max(inner, height / float(np.tan(np.radians(self.max_elevation_deg))))
        return (inner, outer) if outer > inner else (0.0, 0.0)


@dataclass(frozen=True, slots=True)
class SensorCatalogue:
    """The design threat and the sensor types, by id, in file order."""

    threat: Threat
    types: dict[str, SensorType]

    def get(self, type_id: str) -> SensorType:
        try:
            return self.types[type_id]
        except KeyError:
            known = ", ".join(self.types)
            raise ConfigError(f"unknown sensor type {type_id!r} (known: {known})") from None


def default_catalogue_path() -> Path:
    """The catalogue shipped with the package."""
    return Path(str(resources.files("dronewall.planning") / "data" / "sensors.toml"))


def load_catalogue(path: Path | None = None) -> SensorCatalogue:
    """Read a catalogue file (default: the packaged one); ``ConfigError`` names the field."""
    path = path or default_catalogue_path()
    return parse_catalogue(read_text(path), str(path))


def parse_catalogue(text: str, source: str = "<catalogue>") -> SensorCatalogue:
    """Validate catalogue TOML text."""
    model = parse_toml(_CatalogueFile, text, source)
    types: dict[str, SensorType] = {}
    for row, sensor in enumerate(model.sensor):
        if sensor.id in types:
            raise field_error(text, source, ("sensor", row, "id"), f"duplicate id {sensor.id!r}")
        fields = sensor.model_dump(exclude={"sensor_class"})
        types[sensor.id] = SensorType(sensor_class=sensor.sensor_class, **fields)
    return SensorCatalogue(Threat(**model.threat.model_dump()), types)
