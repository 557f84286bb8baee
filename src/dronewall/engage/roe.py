"""Rules of engagement as data: where an effector may act, on what, and who approves.

A rules file (TOML, format in ``docs/effectors.md``) holds:

* ``weapons_control``: the state outside any zone — ``free`` (engage any track that is not
  friendly and meets the weapons-free identification threshold), ``tight`` (engage only
  tracks positively identified as drones: the class-probability threshold of the effector's
  kind) or ``hold`` (do not engage). These are NATO's air-defence weapons control orders;
  dronewall applies "hold" strictly (no self-defence case).
* ``[pid]``: the probability of the class "drone" (identify's ``ClassBatch`` column 1) needed
  under weapons tight, by default and per effector kind, and the lower ``weapons_free`` bar.
* ``[approval]``: the role that must approve an engagement (``operator`` or ``commander``),
  by default and per effector kind.
* ``[airports]``: no RF effect (or whatever ``forbid`` names) within ``no_rf_radius_m`` of
  any airport (``world.airports``, from airportsdata; by default only those with an IATA code,
  i.e. with scheduled or charter traffic).
* ``[[zone]]``: a circle, a polygon or a GeoJSON file of polygons that forbids effects
  (``kinetic``, ``rf``) or effector kinds (``jammer``, ``fighter``…), and/or sets its own
  weapons control. Where zones with a
  weapons control overlap, the most restrictive applies (hold > tight > free).

What is tested where: a zone that forbids an effector applies if the effector's **site** or
the **engagement point** (the intercept point from ``engage.intercept``; by default the
track's position) lies inside it — debris falls near the intercept point and a jammer
radiates from its site. Weapons control is that of the engagement point. A jammer's own
radius is not added to an airport's: choose ``no_rf_radius_m`` to cover it.

``RulesOfEngagement.check`` answers one pair with plain-language reasons;
``RulesOfEngagement.allowed`` answers effectors × tracks as one boolean array, with the same
rules (a property test holds them equal).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field, model_validator

from dronewall.engage.effectors import Effect, Effector, EffectorKind
from dronewall.engage.roe_zones import Area, CircleSet
from dronewall.records.tomlfile import Strict, field_error, parse_toml, read_text
from dronewall.world.airports import AirportTable, load_airports

BoolArray = npt.NDArray[np.bool_]
Role = Literal["operator", "commander"]
_ROLE_RANK = {"operator": 0, "commander": 1}
_FORBIDDABLE = frozenset({e.value for e in Effect} | {k.value for k in EffectorKind})


class WeaponsControl(StrEnum):
    FREE = "free"
    TIGHT = "tight"
    HOLD = "hold"

    @property
    def rank(self) -> int:
        """Restrictiveness: free 0, tight 1, hold 2."""
        return ("free", "tight", "hold").index(self.value)


_BY_RANK = (WeaponsControl.FREE, WeaponsControl.TIGHT, WeaponsControl.HOLD)


class _Circle(Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: float = Field(gt=0)


class _Zone(Strict):
    name: str
    forbid: tuple[str, ...] = ()
    weapons_control: WeaponsControl | None = None
    circle: _Circle | None = None
    polygon: list[tuple[float, float]] | None = Field(default=None, min_length=3)
    geojson: str | None = None  # a file of polygons, relative to the rules file

    @model_validator(mode="after")
    def _check(self) -> _Zone:
        shapes = [self.circle, self.polygon, self.geojson]
        if sum(shape is not None for shape in shapes) != 1:
            raise ValueError("a zone needs exactly one of circle, polygon or geojson")
        unknown = [name for name in self.forbid if name not in _FORBIDDABLE]
        if unknown:
            known = ", ".join(sorted(_FORBIDDABLE))
            raise ValueError(f"cannot forbid {unknown[0]!r} (known: {known})")
        if not self.forbid and self.weapons_control is None:
            raise ValueError("a zone needs forbid or weapons_control")
        for lat, lon in self.polygon or []:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"polygon vertex ({lat}, {lon}) is not a latitude, longitude")
        return self


class _Pid(Strict):
    default: float = Field(ge=0, le=1)
    weapons_free: float = Field(default=0.5, ge=0, le=1)
    kind: dict[EffectorKind, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> _Pid:
        for kind, value in self.kind.items():
            if not 0 <= value <= 1:
                raise ValueError(f"pid for {kind.value} must lie in [0, 1], not {value}")
        return self


class _Approval(Strict):
    default: Role = "commander"
    kind: dict[EffectorKind, Role] = Field(default_factory=dict)


class _Airports(Strict):
    no_rf_radius_m: float = Field(default=5000.0, ge=0)
    scheduled_only: bool = True
    forbid: tuple[str, ...] = ("rf",)

    @model_validator(mode="after")
    def _check(self) -> _Airports:
        unknown = [name for name in self.forbid if name not in _FORBIDDABLE]
        if unknown:
            known = ", ".join(sorted(_FORBIDDABLE))
            raise ValueError(f"cannot forbid {unknown[0]!r} (known: {known})")
        return self


class _RoeFile(Strict):
    weapons_control: WeaponsControl = WeaponsControl.TIGHT
    pid: _Pid
    approval: _Approval = _Approval()
    airports: _Airports | None = None
    zone: tuple[_Zone, ...] = ()


@dataclass(frozen=True, slots=True)
class Zone:
    """A named area that forbids effects or effector kinds, or sets its weapons control."""

    name: str
    area: Area
    forbid: frozenset[str] = frozenset()
    weapons_control: WeaponsControl | None = None

    def forbids(self, effector: Effector) -> bool:
        return effector.effect.value in self.forbid or effector.kind.value in self.forbid


@dataclass(frozen=True, slots=True)
class TrackState:
    """Where a track is now and what is known of it, for one ROE check."""

    lat: float
    lon: float
    alt_m: float = 0.0
    friendly: bool = False
    track_id: int = 0


@dataclass(frozen=True, slots=True)
class Decision:
    """May this effector engage this track? ``reasons`` say why, in plain words."""

    allowed: bool
    reasons: list[str]
    approver: str  # the role that must approve if allowed


@dataclass(frozen=True, slots=True)
class RulesOfEngagement:
    """The rules of one file, with the airports' no-RF circles already built."""

    weapons_control: WeaponsControl
    pid_default: float
    pid_weapons_free: float
    pid_by_kind: dict[EffectorKind, float]
    approval_default: str
    approval_by_kind: dict[EffectorKind, str]
    zones: tuple[Zone, ...]
    airports: CircleSet = field(default_factory=lambda: CircleSet.build([], [], [], 0.0))
    airport_forbid: frozenset[str] = frozenset()

    def pid_threshold(self, effector: Effector, control: WeaponsControl) -> float:
        """P(drone) needed for this effector under a weapons control state."""
        tight = self.pid_by_kind.get(effector.kind, self.pid_default)
        return min(tight, self.pid_weapons_free) if control is WeaponsControl.FREE else tight

    def approver(self, effector: Effector) -> str:
        """The role that must approve an engagement by this effector."""
        return self.approval_by_kind.get(effector.kind, self.approval_default)

    def may_approve(self, effector: Effector, roles: Iterable[str]) -> bool:
        """Whether a user with these roles may approve: a commander may approve whatever an
        operator may (the role order of docs/auth.md)."""
        needed = _ROLE_RANK[self.approver(effector)]
        return any(_ROLE_RANK.get(role, -1) >= needed for role in roles)

    def control_at(self, lat: float, lon: float) -> tuple[WeaponsControl, str]:
        """Weapons control at a point and the zone that sets it ("" for the default)."""
        best, where = -1, ""
        for zone in self.zones:
            if zone.weapons_control is None or zone.weapons_control.rank <= best:
                continue
            if bool(zone.area.contains(lat, lon)):
                best, where = zone.weapons_control.rank, zone.name
        return (_BY_RANK[best], where) if best >= 0 else (self.weapons_control, "")

    def check(self, effector: Effector, site: tuple[float, float], track: TrackState,
              class_probabilities: npt.ArrayLike,
              point: tuple[float, float] | None = None) -> Decision:  # fmt: skip
        """May ``effector`` at ``site`` (lat, lon) engage ``track`` at ``point`` (default the
        track's position), given its class probabilities (unknown, drone, bird, aircraft)?"""
        p_lat, p_lon = point if point is not None else (track.lat, track.lon)
        denied: list[str] = []
        if track.friendly:
            denied.append("the track is a registered friendly drone")
        control, zone_name = self.control_at(p_lat, p_lon)
        where = f"in zone {zone_name!r}" if zone_name else "by default"
        p_drone = float(np.asarray(class_probabilities, float).reshape(-1)[1])
        needed = self.pid_threshold(effector, control)
        if control is WeaponsControl.HOLD:
            denied.append(f"weapons hold {where}")
        elif p_drone < needed:
            denied.append(
                f"not positively identified: P(drone) {p_drone:.2f} is below the "
                f"{needed:.2f} a {effector.kind.value} needs under weapons {control.value}"
            )
        denied += self._zone_reasons(effector, site, (p_lat, p_lon))
        if denied:
            return Decision(False, denied, self.approver(effector))
        ok = (
            f"P(drone) {p_drone:.2f} meets {needed:.2f} under weapons {control.value} {where}; "
            f"no zone forbids a {effector.kind.value} here"
        )
        return Decision(True, [ok], self.approver(effector))

    def _zone_reasons(self, effector: Effector, site: tuple[float, float],
                      point: tuple[float, float]) -> list[str]:  # fmt: skip
        reasons: list[str] = []
        for zone in self.zones:
            if not zone.forbids(effector):
                continue
            for label, (lat, lon) in (("its site", site), ("the engagement point", point)):
                if bool(zone.area.contains(lat, lon)):
                    what = _forbidden_name(effector, zone.forbid)
                    reasons.append(f"{what} is forbidden in zone {zone.name!r} ({label})")
        if _forbidden_here(effector, self.airport_forbid):
            what = _forbidden_name(effector, self.airport_forbid)
            for label, (lat, lon) in (("its site", site), ("the engagement point", point)):
                row = int(self.airports.inside(lat, lon)[0])
                if row >= 0:
                    radius_km = self.airports.radius_m / 1000
                    reasons.append(
                        f"{what} is forbidden within {radius_km:g} km of airport "
                        f"{self.airports.names[row]} ({label})"
                    )
        return reasons

    def allowed(self, effectors: Sequence[Effector], site_lat: npt.ArrayLike,
                site_lon: npt.ArrayLike, track_lat: npt.ArrayLike, track_lon: npt.ArrayLike,
                p_drone: npt.ArrayLike, friendly: npt.ArrayLike | None = None,
                point_lat: npt.ArrayLike | None = None,
                point_lon: npt.ArrayLike | None = None) -> BoolArray:  # fmt: skip
        """(E, T) mask of the engagements these rules allow: effector units (one Effector and
        one site each) against tracks. ``point_lat``/``point_lon``: (E, T) engagement points
        (default: the tracks' positions)."""
        n_e = len(effectors)
        s_lat = np.asarray(site_lat, float).reshape(n_e)
        s_lon = np.asarray(site_lon, float).reshape(n_e)
        t_lat = np.asarray(track_lat, float).reshape(1, -1)
        t_lon = np.asarray(track_lon, float).reshape(1, -1)
        shape = (n_e, t_lat.shape[1])
        # Engagement points: the tracks' positions (1, T), unless given per pair (E, T).
        pt_lat = t_lat if point_lat is None else np.broadcast_to(np.asarray(point_lat), shape)
        pt_lon = t_lon if point_lon is None else np.broadcast_to(np.asarray(point_lon), shape)
        control = self._control_rank(pt_lat, pt_lon)
        tight = np.array([self.pid_by_kind.get(e.kind, self.pid_default) for e in effectors])
        free = np.minimum(tight, self.pid_weapons_free)[:, None]
        need = np.where(control == 0, free, tight[:, None])
        ok = (np.asarray(p_drone, float).reshape(1, -1) >= need) & (control < 2)
        if friendly is not None:
            ok &= ~np.asarray(friendly, bool).reshape(1, -1)
        for zone in self.zones:
            barred = np.array([zone.forbids(e) for e in effectors], dtype=bool)
            if barred.any():
                hit = zone.area.contains(s_lat, s_lon)[:, None] | zone.area.contains(pt_lat, pt_lon)
                ok &= ~(barred[:, None] & hit)
        barred = np.array([_forbidden_here(e, self.airport_forbid) for e in effectors], dtype=bool)
        if barred.any() and len(self.airports):
            site_in = self.airports.inside(s_lat, s_lon) >= 0
            point_in = (self.airports.inside(pt_lat, pt_lon) >= 0).reshape(pt_lat.shape)
            ok &= ~(barred[:, None] & (site_in[:, None] | point_in))
        return np.asarray(np.broadcast_to(ok, shape), dtype=bool)

    def _control_rank(self, lat: npt.NDArray[np.float64],
                      lon: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:  # fmt: skip
        zone_rank = np.full(lat.shape, -1, dtype=np.int64)
        for zone in self.zones:
            if zone.weapons_control is not None:
                inside = zone.area.contains(lat, lon)
                zone_rank = np.where(inside, np.maximum(zone_rank, zone.weapons_control.rank),
                                     zone_rank)  # fmt: skip
        return np.where(zone_rank >= 0, zone_rank, self.weapons_control.rank)


def _forbidden_here(effector: Effector, forbid: frozenset[str]) -> bool:
    return effector.effect.value in forbid or effector.kind.value in forbid


def _forbidden_name(effector: Effector, forbid: frozenset[str]) -> str:
    if effector.kind.value in forbid:
        return f"a {effector.kind.value.replace('_', ' ')}"
    return "kinetic fire" if effector.effect is Effect.KINETIC else "RF effect (jamming, spoofing)"


def load_roe(path: Path, airports: AirportTable | None = None) -> RulesOfEngagement:
    """Read a rules file; an ``[airports]`` table is drawn around ``airports`` (default:
    ``world.airports.load_airports()``). ``ConfigError`` names file, field and line."""
    return parse_roe(read_text(path), str(path), airports, base=path.parent)


def parse_roe(text: str, source: str = "<roe>", airports: AirportTable | None = None,
              base: Path | None = None) -> RulesOfEngagement:  # fmt: skip
    """Validate rules TOML text; ``geojson`` zone files are found relative to ``base``
    (default: the working directory)."""
    model = parse_toml(_RoeFile, text, source)
    zones = tuple(_zone(z, row, text, source, base or Path()) for row, z in enumerate(model.zone))
    circles, forbid = CircleSet.build([], [], [], 0.0), frozenset[str]()
    if model.airports is not None:
        rule = model.airports
        airports = airports if airports is not None else load_airports()
        table = airports.select(airports.with_iata()) if rule.scheduled_only else airports
        names = [str(code) for code in table.icao]
        circles = CircleSet.build(names, table.lat, table.lon, rule.no_rf_radius_m)
        forbid = frozenset(rule.forbid)
    return RulesOfEngagement(
        weapons_control=model.weapons_control,
        pid_default=model.pid.default,
        pid_weapons_free=model.pid.weapons_free,
        pid_by_kind=dict(model.pid.kind),
        approval_default=model.approval.default,
        approval_by_kind=dict(model.approval.kind),
        zones=zones,
        airports=circles,
        airport_forbid=forbid,
    )


def _zone(model: _Zone, row: int, text: str, source: str, base: Path) -> Zone:
    if model.circle is not None:
        area = Area((model.circle.lat, model.circle.lon, model.circle.radius_m), None)
    elif model.geojson is not None:
        try:
            area = Area.from_geojson(base / model.geojson)
        except ValueError as error:
            raise field_error(text, source, ("zone", row, "geojson"), str(error)) from None
    else:
        area = Area.from_polygon(list(model.polygon or []))
    return Zone(model.name, area, frozenset(model.forbid), model.weapons_control)
