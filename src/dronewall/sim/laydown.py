"""The sensor laydown of a scenario: explicit sensors, lines along borders, rings around sites,
resolved against the real world into one ``SensorArray`` (one row per sensor)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer

from dronewall.core.errors import ConfigError
from dronewall.core.geodesy import destination, geodetic_to_ecef
from dronewall.core.release import DEFAULT_OWNER, SecurityLabel
from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import SensorKind
from dronewall.sim.catalogue import SENSOR_MODELS, SensorDefaults
from dronewall.sim.scenario import Scenario, SensorBase
from dronewall.world import World
from dronewall.world.terrain import GroundModel

FloatArray = npt.NDArray[np.float64]
_PARAM_NAMES = {f.name for f in dataclasses.fields(SensorDefaults)} - {"kind"}
_LAEA_EUROPE = "EPSG:3035"  # equal-area metres for spacing sensors along borders
_BEARING_KINDS = [int(SensorKind.RF), int(SensorKind.ACOUSTIC), int(SensorKind.EOIR)]
# A sensor declaring no false alarms still has some: a floor keeps its clutter density from
# being zero, which would make any report on it certain evidence of a target.
_MIN_FALSE_PER_LOOK = 1e-3


@dataclass(frozen=True, slots=True)
class SensorArray:
    """Every sensor of a run. ``params[name]`` holds one value per sensor for each field of
    ``SensorDefaults``; ``phase_s`` staggers sensors so they do not all report at once."""

    ids: list[str]
    models: list[str]
    kind: npt.NDArray[np.uint8]
    lat: FloatArray
    lon: FloatArray
    alt: FloatArray  # top of the mast above the ellipsoid: ground height plus mast
    ecef: FloatArray
    phase_s: FloatArray
    params: dict[str, FloatArray]
    labels: tuple[SecurityLabel, ...] = ()  # each sensor's security label (core.release)

    def __len__(self) -> int:
        return len(self.ids)

    def param(self, name: str) -> FloatArray:
        return self.params[name]

    def geometry(self) -> SensorGeometry:
        """The tracker's view of these sensors: where they stand, how far they see, how often
        they look (``revisit_s``: their period) and how much clutter they report — a radar's
        false plots per scan spread over its coverage (per m²), a bearing sensor's false
        bearings per look spread over 360° (per degree), as its catalogue entry declares
        (``tracking.existence`` scores tracks against it). Cooperative sensors keep their
        kind's default: they report no clutter, only what flies."""
        reach = self.param("max_range_m")
        period = self.param("period_s")
        radar = self.kind == int(SensorKind.RADAR)
        bearings = np.isin(self.kind, _BEARING_KINDS)
        per_scan = np.maximum(self.param("false_alarms_per_scan"), _MIN_FALSE_PER_LOOK)
        per_look = np.maximum(
            self.param("false_alarms_per_hour") * period / 3600.0, _MIN_FALSE_PER_LOOK
        )
        geometry = SensorGeometry(
            self.ids, self.kind, self.lat, self.lon, self.alt, self.ecef, reach, labels=self.labels
        )
        clutter = np.where(radar, per_scan / (np.pi * reach**2), geometry.clutter_density)
        clutter = np.where(bearings, per_look / 360.0, clutter)
        return dataclasses.replace(geometry, clutter_density=clutter, revisit_s=period.copy())


@dataclass(frozen=True, slots=True)
class _Placed:
    id: str
    model: str
    lat: float
    lon: float
    mast_m: float
    params: dict[str, float]
    spec: SensorBase  # the group it came from: its security label


def build_laydown(
    scenario: Scenario, world: World, rng: np.random.Generator, ground: GroundModel
) -> SensorArray:
    """Every sensor of the scenario, standing on the ground (``ground``) on its mast."""
    placed: list[_Placed] = []
    for i, s in enumerate(scenario.sensor):
        placed.append(_place(s, s.id, s.lat, s.lon, f"sensor[{i}]"))
    for i, line in enumerate(scenario.sensor_line):
        where = f"sensor_line[{i}]"
        for k, (lat, lon) in enumerate(
            _border_points(world, line.border, line.spacing_km, line.inset_km, where)
        ):
            placed.append(_place(line, f"{line.id_prefix}-{k:03d}", lat, lon, where))
    for i, ring in enumerate(scenario.sensor_ring):
        where = f"sensor_ring[{i}]"
        for k, (lat, lon) in enumerate(
            _ring_points(world, ring.around, ring.radius_km, ring.count, where)
        ):
            placed.append(_place(ring, f"{ring.id_prefix}-{k:03d}", lat, lon, where))
    ids = [p.id for p in placed]
    duplicates = sorted({x for x in ids if ids.count(x) > 1})
    if duplicates:
        raise ConfigError(f"duplicate sensor ids: {', '.join(duplicates[:5])}", field="sensor")
    rel = scenario.scenario.releasable_to
    return dataclasses.replace(_pack(placed, rng, ground), labels=_labels(placed, world, rel))


def _labels(
    placed: list[_Placed], world: World, releasable_to: list[str]
) -> tuple[SecurityLabel, ...]:
    """Each sensor's label; a group that names no nation is owned by the country its sensor
    stands in (``DEFAULT_OWNER`` at sea), one that names no ``releasable_to`` is releasable
    to the scenario's."""
    unnamed = [i for i, p in enumerate(placed) if p.spec.nation is None]
    owners = [""] * len(placed)
    if unnamed:
        lat = np.array([placed[i].lat for i in unnamed])
        lon = np.array([placed[i].lon for i in unnamed])
        for i, a3 in zip(unnamed, world.countries_at(lat, lon).tolist(), strict=True):
            owners[i] = str(a3) or DEFAULT_OWNER
    return tuple(
        p.spec.label(owners[i] or DEFAULT_OWNER, releasable_to) for i, p in enumerate(placed)
    )


def _place(spec: SensorBase, sensor_id: str, lat: float, lon: float, where: str) -> _Placed:
    unknown = sorted(set(spec.params) - _PARAM_NAMES)
    if unknown:
        raise ConfigError(
            f"unknown sensor parameter(s) {', '.join(unknown)}", field=f"{where}.params"
        )
    defaults = SENSOR_MODELS[spec.model]
    mast = spec.mast_m if spec.mast_m is not None else defaults.mast_m
    return _Placed(sensor_id, spec.model, lat, lon, mast, dict(spec.params), spec)


def _border_points(
    world: World, border: tuple[str, str], spacing_km: float, inset_km: float, where: str
) -> list[tuple[float, float]]:
    """Points every ``spacing_km`` along the border of two countries, moved ``inset_km`` into
    the first one (the defended side)."""
    try:
        line = world.border(border[0], border[1])
        home = world.country(border[0]).geometry
    except Exception as exc:
        raise ConfigError(str(exc), field=f"{where}.border") from exc
    if line.is_empty:
        raise ConfigError(
            f"{border[0]} and {border[1]} share no land border", field=f"{where}.border"
        )
    to_m = Transformer.from_crs("EPSG:4326", _LAEA_EUROPE, always_xy=True)
    to_deg = Transformer.from_crs(_LAEA_EUROPE, "EPSG:4326", always_xy=True)
    line_m = _reproject(shapely.line_merge(line), to_m)
    home_m = _reproject(home, to_m)
    inner = home_m.buffer(-inset_km * 1000.0) if inset_km > 0 else home_m
    parts = list(getattr(line_m, "geoms", [line_m]))
    points: list[tuple[float, float]] = []
    for part in parts:
        count = max(int(part.length // (spacing_km * 1000.0)), 0) + 1
        for k in range(count):
            p = part.interpolate(min((k + 0.5) * spacing_km * 1000.0, part.length))
            if inset_km > 0 and not inner.is_empty:
                p = inner.boundary.interpolate(inner.boundary.project(p))
            lon, lat = to_deg.transform(p.x, p.y)
            points.append((float(lat), float(lon)))
    return points


def _reproject(geometry: shapely.Geometry, transformer: Transformer) -> shapely.Geometry:
    def apply(xy: FloatArray) -> FloatArray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, apply)


def _ring_points(
    world: World, around: str, radius_km: float, count: int, where: str
) -> list[tuple[float, float]]:
    try:
        lat, lon = world.place(around)
    except Exception as exc:
        raise ConfigError(str(exc), field=f"{where}.around") from exc
    if count == 1 or radius_km == 0:
        return [(float(lat), float(lon))] * count
    az = np.arange(count) * 360.0 / count
    rlat, rlon = destination(np.full(count, lat), np.full(count, lon), az, radius_km * 1000.0)
    return list(zip(rlat.tolist(), rlon.tolist(), strict=True))


def _pack(placed: list[_Placed], rng: np.random.Generator, ground: GroundModel) -> SensorArray:
    n = len(placed)
    lat = np.array([p.lat for p in placed], float)
    lon = np.array([p.lon for p in placed], float)
    mast = np.array([p.mast_m for p in placed], float)
    alt = (ground.ground_height_m(lat, lon) if n else np.zeros(0)) + mast
    params: dict[str, FloatArray] = {}
    for name in sorted(_PARAM_NAMES):
        values = [p.params.get(name, getattr(SENSOR_MODELS[p.model], name)) for p in placed]
        params[name] = np.array(values, float)
    params["mast_m"] = mast  # the mast it stands on, whether from the model or the scenario
    kinds = np.array([int(SENSOR_MODELS[p.model].kind) for p in placed], np.uint8)
    period = params["period_s"]
    if np.any(period < 1.0):
        raise ConfigError("a sensor's period_s must be at least 1 s", field="params.period_s")
    jitter = params["look_jitter_s"]
    if np.any((jitter < 0) | (period < 1.0 + 2.0 * jitter)):
        raise ConfigError(
            "look_jitter_s must be ≥ 0 and period_s at least 1 s + 2 × look_jitter_s",
            field="params.look_jitter_s",
        )
    return SensorArray(
        ids=[p.id for p in placed],
        models=[p.model for p in placed],
        kind=kinds,
        lat=lat,
        lon=lon,
        alt=alt,
        ecef=geodetic_to_ecef(lat, lon, alt) if n else np.zeros((0, 3)),
        phase_s=rng.uniform(0.0, 1.0, n) * period,
        params=params,
    )
