"""What flies in a scenario: every object's kind, identity, physical attributes, spawn time and
route, drawn once, up front, from the scenario and its seed.

Routes are waypoint lists in latitude/longitude; the dynamics (``dynamics.py``) fly them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from dronewall.core.errors import ConfigError
from dronewall.core.geodesy import (
    destination,
    geodetic_to_ecef,
    initial_bearing_deg,
    surface_distance_m,
)
from dronewall.core.types import ObjectKind
from dronewall.sim.catalogue import OBJECT_DEFAULTS
from dronewall.sim.scenario import Area, Birds, CivilTraffic, DroneGroup, Scenario
from dronewall.world import World

FloatArray = npt.NDArray[np.float64]
MAX_WAYPOINTS = 64
_MIN_FLIGHT_KM = 150.0  # shorter airline routes are rare and would never reach cruise


class Behaviour(IntEnum):
    STRIKE = 1  # fly the route, end at the last waypoint (impact)
    LOITER = 2  # fly to the target area, circle there for a while, then leave
    FLIGHT = 3  # airliner: climb, cruise, descend, land at the last waypoint
    WANDER = 4  # bird flock: wander until its lifetime ends


@dataclass(slots=True)
class ObjectSpec:
    """One object, before it is packed into arrays."""

    kind: ObjectKind
    group: str
    behaviour: Behaviour
    t_spawn: float
    waypoints: list[tuple[float, float]]
    start_alt_m: float
    speed_mps: float
    cruise_alt_m: float
    rcs_m2: float
    range_m: float
    identity: str = ""
    emits_rf: bool = False
    remote_id: bool = False
    adsb: bool = False
    loiter_from: int = -1  # index of the first loiter waypoint
    loiter_time_s: float = 0.0
    lifetime_s: float = np.inf
    start_progress_m: float = 0.0  # airliners already airborne at the start


@dataclass(slots=True)
class Population:
    """All objects of a run as parallel arrays (M objects, W waypoints at most)."""

    kind: npt.NDArray[np.uint8]
    group: list[str]
    behaviour: npt.NDArray[np.uint8]
    identity: npt.NDArray[np.str_]
    t_spawn: FloatArray
    waypoints: FloatArray  # (M, W, 2) lat, lon; NaN padded
    n_waypoints: npt.NDArray[np.int64]
    start_alt_m: FloatArray
    speed_mps: FloatArray
    cruise_alt_m: FloatArray
    climb_mps: FloatArray
    max_turn_rad_s: FloatArray
    rcs_m2: FloatArray
    range_m: FloatArray
    emits_rf: npt.NDArray[np.bool_]
    remote_id: npt.NDArray[np.bool_]
    adsb: npt.NDArray[np.bool_]
    acoustic_range_m: FloatArray
    optical_range_m: FloatArray
    rf_range_m: FloatArray
    loiter_from: npt.NDArray[np.int64]
    loiter_time_s: FloatArray
    lifetime_s: FloatArray
    start_progress_m: FloatArray
    route_length_m: FloatArray = field(default_factory=lambda: np.zeros(0))
    waypoints_ecef: FloatArray = field(default_factory=lambda: np.zeros((0, 0, 3)))  # at h = 0

    def __len__(self) -> int:
        return int(self.kind.shape[0])


def build_population(scenario: Scenario, world: World, rng: np.random.Generator) -> Population:
    specs: list[ObjectSpec] = []
    for index, group in enumerate(scenario.drones):
        specs += _drone_group(group, index, world, rng)
    duration = scenario.scenario.duration_s
    for traffic in scenario.traffic:
        specs += _civil_traffic(traffic, duration, world, rng)
    for birds in scenario.birds:
        specs += _birds(birds, duration, rng)
    specs.sort(key=lambda s: s.t_spawn)
    return _pack(specs)


def _uniform(rng: np.random.Generator, span: tuple[float, float]) -> float:
    return float(rng.uniform(span[0], span[1]))


def sample_area(
    area: Area, world: World, rng: np.random.Generator, where: str
) -> tuple[float, float]:
    """A random point in a circle that satisfies the area's country or sea condition."""
    for _ in range(500):
        azimuth = rng.uniform(0.0, 360.0)
        distance = area.radius_km * 1000.0 * np.sqrt(rng.uniform())
        lat, lon = destination(area.lat, area.lon, azimuth, distance)
        plat, plon = float(lat), float(lon)
        if area.at_sea and not bool(world.is_at_sea(np.array([plat]), np.array([plon]))[0]):
            continue
        if (
            area.country
            and str(world.countries_at(np.array([plat]), np.array([plon]))[0]) != area.country
        ):
            continue
        return plat, plon
    cond = f"country {area.country}" if area.country else "the sea"
    raise ConfigError(f"no point of the area lies in {cond}", field=where)


def _drone_group(
    group: DroneGroup, index: int, world: World, rng: np.random.Generator
) -> list[ObjectSpec]:
    kind = ObjectKind[group.kind.upper()]
    defaults = OBJECT_DEFAULTS[kind]
    where = f"drones[{index}]"
    targets = [_resolve(world, name, f"{where}.targets") for name in group.targets]
    specs = []
    for k in range(group.count):
        launch = sample_area(group.launch, world, rng, f"{where}.launch")
        target = targets[int(rng.integers(len(targets)))]
        route = [*_dogleg(launch, target, group.route_jitter_km, rng)]
        loiter_from = -1
        speed = _uniform(rng, group.speed_kmh or defaults.speed_kmh) / 3.6
        loiter_time = _uniform(rng, group.loiter_time_s)
        if group.behaviour == "loiter":
            loiter_from = len(route)
            route += _loiter_points(target, group.loiter_radius_km, loiter_time * speed, rng)
        else:
            route.append(target)
        serial = (
            f"1596D{kind.value}{index:02d}{k:06d}"
            if rng.uniform() < group.remote_id_fraction
            else ""
        )
        specs.append(
            ObjectSpec(
                kind=kind,
                group=group.name,
                behaviour=Behaviour.LOITER if group.behaviour == "loiter" else Behaviour.STRIKE,
                t_spawn=_uniform(rng, group.launch_window_s),
                waypoints=route[:MAX_WAYPOINTS],
                start_alt_m=0.0,
                speed_mps=speed,
                cruise_alt_m=_uniform(rng, group.altitude_m or defaults.altitude_m),
                rcs_m2=_uniform(rng, group.rcs_m2 or defaults.rcs_m2),
                range_m=_uniform(rng, group.range_km or defaults.range_km) * 1000.0,
                identity=serial,
                emits_rf=bool(rng.uniform() < group.emits_rf_fraction),
                remote_id=bool(serial),
                loiter_from=loiter_from,
                loiter_time_s=loiter_time,
            )
        )
    return specs


def _resolve(world: World, name: str, where: str) -> tuple[float, float]:
    try:
        lat, lon = world.place(name)
    except Exception as exc:
        raise ConfigError(str(exc), field=where) from exc
    return float(lat), float(lon)


def _dogleg(
    start: tuple[float, float], end: tuple[float, float], jitter_km: float, rng: np.random.Generator
) -> list[tuple[float, float]]:
    """Launch point, then one or two offset turning points on the way to the target — attack
    drones fly indirect routes to confuse defences."""
    points = [start]
    bearing = float(initial_bearing_deg(start[0], start[1], end[0], end[1]))
    length = float(surface_distance_m(start[0], start[1], end[0], end[1]))
    for fraction in (0.35, 0.7) if length > 60_000 else ():
        along_lat, along_lon = destination(start[0], start[1], bearing, fraction * length)
        offset = rng.normal(0.0, jitter_km * 1000.0)
        lat, lon = destination(float(along_lat), float(along_lon), bearing + 90.0, offset)
        points.append((float(lat), float(lon)))
    return points


def _loiter_points(
    centre: tuple[float, float], radius_km: float, path_m: float, rng: np.random.Generator
) -> list[tuple[float, float]]:
    legs = int(np.clip(path_m / max(radius_km * 1000.0, 1.0), 3, MAX_WAYPOINTS - 4))
    azimuths = rng.uniform(0.0, 360.0, legs)
    distances = radius_km * 1000.0 * np.sqrt(rng.uniform(0.05, 1.0, legs))
    lat, lon = destination(np.full(legs, centre[0]), np.full(legs, centre[1]), azimuths, distances)
    return list(zip(lat.tolist(), lon.tolist(), strict=True))


def _civil_traffic(
    traffic: CivilTraffic, duration: float, world: World, rng: np.random.Generator
) -> list[ObjectSpec]:
    lat, lon = _airports_in(traffic, world)
    if lat.size < 2:
        raise ConfigError("fewer than two airports in the traffic region", field="traffic.airports")
    pairs = _route_pairs(lat, lon, rng, max(4 * traffic.airborne, 64))
    if not pairs:
        return []
    speed = float(np.mean(traffic.cruise_speed_kmh)) / 3.6
    mean_duration = float(np.mean([length for *_, length in pairs])) / speed + 1200.0
    rate = traffic.airborne / mean_duration  # departures per second keeping `airborne` aloft
    initial = [(0.0, float(rng.uniform(0.05, 0.95))) for _ in range(traffic.airborne)]
    departures = _arrival_times(rate, duration, rng)
    flights = initial + [(float(t), 0.0) for t in departures if t < duration]
    specs = []
    for t_spawn, progress in flights:
        o, d, length = pairs[int(rng.integers(len(pairs)))]
        icao24 = f"{int(rng.integers(0x400000, 0x500000)):06X}"  # European ICAO address block
        specs.append(
            ObjectSpec(
                kind=ObjectKind.CIVIL_AIRCRAFT,
                group="civil",
                behaviour=Behaviour.FLIGHT,
                t_spawn=t_spawn,
                waypoints=[(float(lat[o]), float(lon[o])), (float(lat[d]), float(lon[d]))],
                start_alt_m=0.0,
                speed_mps=_uniform(rng, traffic.cruise_speed_kmh) / 3.6,
                cruise_alt_m=_uniform(rng, traffic.cruise_altitude_m),
                rcs_m2=_uniform(rng, OBJECT_DEFAULTS[ObjectKind.CIVIL_AIRCRAFT].rcs_m2),
                range_m=1e9,
                identity=icao24,
                adsb=bool(rng.uniform() < traffic.adsb_fraction),
                start_progress_m=progress * length,
            )
        )
    return specs


def _arrival_times(rate: float, duration: float, rng: np.random.Generator) -> FloatArray:
    """Arrival times (s) of a Poisson process of ``rate`` per second that cover ``duration``;
    none when the rate is not positive."""
    if rate <= 0:
        return np.zeros(0)
    times = np.cumsum(rng.exponential(1.0 / rate, int(rate * duration * 1.5) + 1))
    while times[-1] < duration:
        more = np.cumsum(rng.exponential(1.0 / rate, int(rate * duration * 0.5) + 1))
        times = np.concatenate([times, times[-1] + more])
    return times


def _airports_in(traffic: CivilTraffic, world: World) -> tuple[FloatArray, FloatArray]:
    if traffic.airports:
        points = [_resolve(world, code, "traffic.airports") for code in traffic.airports]
        return np.array([p[0] for p in points]), np.array([p[1] for p in points])
    table = world.airports
    box = traffic.region
    mask = (
        (np.asarray(table.iata) != "")
        & (table.lat >= box.lat_min)
        & (table.lat <= box.lat_max)
        & (table.lon >= box.lon_min)
        & (table.lon <= box.lon_max)
    )
    return np.asarray(table.lat[mask], float), np.asarray(table.lon[mask], float)


def _route_pairs(
    lat: FloatArray, lon: FloatArray, rng: np.random.Generator, count: int
) -> list[tuple[int, int, float]]:
    o = rng.integers(0, lat.size, count * 3)
    d = rng.integers(0, lat.size, count * 3)
    length = surface_distance_m(lat[o], lon[o], lat[d], lon[d])
    keep = length > _MIN_FLIGHT_KM * 1000.0
    return [
        (int(a), int(b), float(c)) for a, b, c in zip(o[keep], d[keep], length[keep], strict=True)
    ][:count]


def _birds(birds: Birds, duration: float, rng: np.random.Generator) -> list[ObjectSpec]:
    mean_life = float(np.mean(birds.lifetime_s))
    rate = birds.flocks / mean_life
    later = _arrival_times(rate, duration, rng)
    spawns = [0.0] * birds.flocks + [float(t) for t in later if t < duration]
    defaults = OBJECT_DEFAULTS[ObjectKind.BIRD_FLOCK]
    box = birds.region
    specs = []
    for t_spawn in spawns:
        start = (
            float(rng.uniform(box.lat_min, box.lat_max)),
            float(rng.uniform(box.lon_min, box.lon_max)),
        )
        route = [start]
        heading = rng.uniform(0.0, 360.0)
        for _ in range(24):
            heading += rng.normal(0.0, 40.0)
            lat, lon = destination(route[-1][0], route[-1][1], heading, rng.uniform(1500.0, 6000.0))
            route.append((float(lat), float(lon)))
        specs.append(
            ObjectSpec(
                kind=ObjectKind.BIRD_FLOCK,
                group="birds",
                behaviour=Behaviour.WANDER,
                t_spawn=t_spawn,
                waypoints=route,
                start_alt_m=_uniform(rng, defaults.altitude_m),
                speed_mps=_uniform(rng, defaults.speed_kmh) / 3.6,
                cruise_alt_m=_uniform(rng, defaults.altitude_m),
                rcs_m2=float(np.exp(rng.uniform(*np.log(defaults.rcs_m2)))),
                range_m=1e9,
                lifetime_s=_uniform(rng, birds.lifetime_s),
            )
        )
    return specs


def _pack(specs: list[ObjectSpec]) -> Population:
    m = len(specs)
    width = max((len(s.waypoints) for s in specs), default=1)
    waypoints = np.full((m, width, 2), np.nan)
    for i, s in enumerate(specs):
        waypoints[i, : len(s.waypoints)] = s.waypoints
    kinds = [s.kind for s in specs]

    def attr(name: str) -> FloatArray:
        return np.array([getattr(OBJECT_DEFAULTS[k], name) for k in kinds], float)

    def col(name: str) -> FloatArray:
        return np.array([getattr(s, name) for s in specs], float)

    def flag(name: str) -> npt.NDArray[np.bool_]:
        return np.array([getattr(s, name) for s in specs], bool)

    emits = flag("emits_rf")
    quad = np.array(
        [k is ObjectKind.QUADCOPTER or k is ObjectKind.RECON_FIXED_WING for k in kinds], bool
    )
    return Population(
        kind=np.array([int(k) for k in kinds], np.uint8),
        group=[s.group for s in specs],
        behaviour=np.array([int(s.behaviour) for s in specs], np.uint8),
        identity=np.array([s.identity for s in specs], dtype="<U20"),
        t_spawn=col("t_spawn"),
        waypoints=waypoints,
        n_waypoints=np.array([len(s.waypoints) for s in specs], np.int64),
        start_alt_m=col("start_alt_m"),
        speed_mps=col("speed_mps"),
        cruise_alt_m=col("cruise_alt_m"),
        climb_mps=attr("climb_rate_mps"),
        max_turn_rad_s=np.radians(attr("max_turn_rate_deg_s")),
        rcs_m2=col("rcs_m2"),
        range_m=col("range_m"),
        emits_rf=emits | quad,  # quadcopters and reconnaissance drones always emit their links
        remote_id=flag("remote_id"),
        adsb=flag("adsb"),
        acoustic_range_m=attr("acoustic_range_m"),
        optical_range_m=attr("optical_range_m"),
        rf_range_m=attr("rf_range_m"),
        loiter_from=np.array([s.loiter_from for s in specs], np.int64),
        loiter_time_s=col("loiter_time_s"),
        lifetime_s=col("lifetime_s"),
        start_progress_m=col("start_progress_m"),
        route_length_m=np.array([_route_length(s.waypoints) for s in specs], float),
        waypoints_ecef=geodetic_to_ecef(
            np.nan_to_num(waypoints[..., 0]), np.nan_to_num(waypoints[..., 1]), 0.0
        ),
    )


def _route_length(points: list[tuple[float, float]]) -> float:
    if len(points) < 2:
        return 0.0
    arr = np.array(points)
    return float(np.sum(surface_distance_m(arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1])))
