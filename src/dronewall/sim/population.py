"""What flies in a scenario: every object's kind, identity, physical attributes, spawn time and
route, drawn once, up front, from the scenario and its seed.

Routes are waypoint lists in latitude/longitude with per-waypoint legs (speed, height above
ground, dwell); the dynamics (``dynamics.py``) fly them. Drones and birds are drawn here,
airliners in ``airlines.py``, gliders, helicopters, light aircraft and ultralights in
``aviation.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import (
    destination,
    geodetic_to_ecef,
    initial_bearing_deg,
    surface_distance_m,
)
from dronewall.core.types import IDENTITY_DTYPE, ObjectKind
from dronewall.sim.airlines import civil_traffic
from dronewall.sim.aviation import aircraft_group
from dronewall.sim.catalogue import ABOVE_GROUND_KINDS, OBJECT_DEFAULTS
from dronewall.sim.scenario import Birds, DroneGroup, Scenario
from dronewall.sim.specs import (
    MAX_WAYPOINTS,
    Behaviour,
    Dwell,
    Leg,
    ObjectSpec,
    arrival_times,
    resolve,
    sample_area,
    uniform,
)
from dronewall.world import World
from dronewall.world.terrain import GroundModel

FloatArray = npt.NDArray[np.float64]
HOVER_DWELL_S = (10.0, 90.0)  # a hovering drone's stop at each point
HOVER_DRIFT_MPS = (0.0, 1.5)  # GNSS-held hover drifts a little in the wind
MANOEUVRE_SPEED_FACTOR = (0.6, 1.4)  # a manoeuvring drone's speed per leg, × its cruise speed
__all__ = ["Behaviour", "Population", "build_population", "sample_area"]


@dataclass(frozen=True, slots=True)
class Legs:
    """``specs.Leg`` fields as (M, W) arrays: leg ``k`` flies towards waypoint ``k``."""

    speed_mps: FloatArray
    height_m: FloatArray  # above ground
    dwell_s: FloatArray
    dwell: npt.NDArray[np.uint8]  # specs.Dwell
    dwell_speed_mps: FloatArray
    dwell_height_m: FloatArray
    dwell_climb_mps: FloatArray
    dwell_turn_rad_s: FloatArray


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
    legs: Legs
    flarm: npt.NDArray[np.bool_]
    above_ground: npt.NDArray[np.bool_]  # height held above the terrain (all but airliners)
    accel_mps2: FloatArray
    airport_ground_m: FloatArray  # (M, 2) ground at the first and last waypoint (airliners)
    route_length_m: FloatArray = field(default_factory=lambda: np.zeros(0))
    waypoints_ecef: FloatArray = field(default_factory=lambda: np.zeros((0, 0, 3)))  # at h = 0

    def __len__(self) -> int:
        return int(self.kind.shape[0])


def build_population(
    scenario: Scenario, world: World, rng: np.random.Generator, ground: GroundModel
) -> Population:
    """Every object of the scenario, in spawn order; ``ground`` gives airports' heights."""
    specs: list[ObjectSpec] = []
    for index, group in enumerate(scenario.drones):
        specs += _drone_group(group, index, world, rng)
    duration = scenario.scenario.duration_s
    for traffic in scenario.traffic:
        specs += civil_traffic(traffic, duration, world, rng)
    for birds in scenario.birds:
        specs += _birds(birds, duration, rng)
    for index, aircraft in enumerate(scenario.aircraft):
        specs += aircraft_group(aircraft, index, duration, world, rng)
    specs.sort(key=lambda s: s.t_spawn)
    return _pack(specs, ground)


def _drone_group(
    group: DroneGroup, index: int, world: World, rng: np.random.Generator
) -> list[ObjectSpec]:
    kind = ObjectKind[group.kind.upper()]
    defaults = OBJECT_DEFAULTS[kind]
    where = f"drones[{index}]"
    targets = [resolve(world, name, f"{where}.targets") for name in group.targets]
    specs = []
    for k in range(group.count):
        launch = sample_area(group.launch, world, rng, f"{where}.launch")
        target = targets[int(rng.integers(len(targets)))]
        route = [*_dogleg(launch, target, group.route_jitter_km, rng)]
        loiter_from = -1
        speed = uniform(rng, group.speed_kmh or defaults.speed_kmh) / 3.6
        loiter_time = uniform(rng, group.loiter_time_s)
        if group.behaviour != "strike":
            loiter_from = len(route)
            route += _loiter_points(target, group.loiter_radius_km, loiter_time * speed, rng)
        else:
            route.append(target)
        serial = (
            f"1596D{kind.value}{index:02d}{k:06d}"
            if rng.uniform() < group.remote_id_fraction
            else ""
        )
        spec = ObjectSpec(
            kind=kind,
            group=group.name,
            behaviour=Behaviour.STRIKE if group.behaviour == "strike" else Behaviour.LOITER,
            t_spawn=uniform(rng, group.launch_window_s),
            waypoints=route[:MAX_WAYPOINTS],
            start_alt_m=0.0,
            speed_mps=speed,
            cruise_alt_m=uniform(rng, group.altitude_m or defaults.altitude_m),
            rcs_m2=uniform(rng, group.rcs_m2 or defaults.rcs_m2),
            range_m=uniform(rng, group.range_km or defaults.range_km) * 1000.0,
            identity=serial,
            emits_rf=bool(rng.uniform() < group.emits_rf_fraction),
            remote_id=bool(serial),
            loiter_from=loiter_from,
            loiter_time_s=loiter_time,
        )
        if group.behaviour in ("hover", "manoeuvre"):
            spec.legs = _loiter_legs(
                spec, group.behaviour, group.altitude_m or defaults.altitude_m, rng
            )
        specs.append(spec)
    return specs


def _loiter_legs(
    spec: ObjectSpec, behaviour: str, heights: tuple[float, float], rng: np.random.Generator
) -> list[Leg]:
    """Legs over the loiter points: hover at each (10–90 s, drifting under 1.5 m/s, at its own
    height), or manoeuvre between them (speed ×0.6–1.4 and a new height every leg)."""
    climb = OBJECT_DEFAULTS[spec.kind].climb_rate_mps
    legs = [Leg(spec.speed_mps, spec.cruise_alt_m)] * len(spec.waypoints)
    for i in range(max(spec.loiter_from, 0), len(spec.waypoints)):
        height = uniform(rng, heights)
        if behaviour == "hover":
            dwell = uniform(rng, HOVER_DWELL_S)
            drift = uniform(rng, HOVER_DRIFT_MPS)
            legs[i] = Leg(spec.speed_mps, height, dwell, Dwell.HOVER, drift, height, climb)
        else:
            legs[i] = Leg(spec.speed_mps * uniform(rng, MANOEUVRE_SPEED_FACTOR), height)
    return legs


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


def _birds(birds: Birds, duration: float, rng: np.random.Generator) -> list[ObjectSpec]:
    mean_life = float(np.mean(birds.lifetime_s))
    rate = birds.flocks / mean_life
    later = arrival_times(rate, duration, rng)
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
                start_alt_m=uniform(rng, defaults.altitude_m),
                speed_mps=uniform(rng, defaults.speed_kmh) / 3.6,
                cruise_alt_m=uniform(rng, defaults.altitude_m),
                rcs_m2=float(np.exp(rng.uniform(*np.log(defaults.rcs_m2)))),
                range_m=1e9,
                lifetime_s=uniform(rng, birds.lifetime_s),
            )
        )
    return specs


def _pack(specs: list[ObjectSpec], ground: GroundModel) -> Population:
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
    n_waypoints = np.array([len(s.waypoints) for s in specs], np.int64)
    return Population(
        kind=np.array([int(k) for k in kinds], np.uint8),
        group=[s.group for s in specs],
        behaviour=np.array([int(s.behaviour) for s in specs], np.uint8),
        identity=np.array([s.identity for s in specs], dtype=IDENTITY_DTYPE),
        t_spawn=col("t_spawn"),
        waypoints=waypoints,
        n_waypoints=n_waypoints,
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
        legs=_pack_legs(specs, width),
        flarm=flag("flarm"),
        above_ground=np.array([k in ABOVE_GROUND_KINDS for k in kinds], bool),
        accel_mps2=attr("accel_mps2"),
        airport_ground_m=_end_ground(waypoints, n_waypoints, ground),
        route_length_m=np.array([_route_length(s.waypoints) for s in specs], float),
        waypoints_ecef=geodetic_to_ecef(
            np.nan_to_num(waypoints[..., 0]), np.nan_to_num(waypoints[..., 1]), 0.0
        ),
    )


def _pack_legs(specs: list[ObjectSpec], width: int) -> Legs:
    """Leg arrays; objects without legs fly every leg at their one speed and height."""
    m = len(specs)
    table = np.zeros((len(Leg._fields), m, width))
    for i, s in enumerate(specs):
        legs = s.legs or [Leg(s.speed_mps, s.cruise_alt_m)] * len(s.waypoints)
        table[:, i, : len(legs)] = np.array(legs, float).T
    f = dict(zip(Leg._fields, table, strict=True))
    return Legs(
        speed_mps=f["speed_mps"],
        height_m=f["height_m"],
        dwell_s=f["dwell_s"],
        dwell=f["dwell"].astype(np.uint8),
        dwell_speed_mps=f["dwell_speed_mps"],
        dwell_height_m=f["dwell_height_m"],
        dwell_climb_mps=f["dwell_climb_mps"],
        dwell_turn_rad_s=np.radians(f["dwell_turn_deg_s"]),
    )


def _end_ground(
    waypoints: FloatArray, n_waypoints: npt.NDArray[np.int64], ground: GroundModel
) -> FloatArray:
    if waypoints.shape[0] == 0:
        return np.zeros((0, 2))
    rows = np.arange(waypoints.shape[0])
    first = waypoints[:, 0]
    last = waypoints[rows, np.maximum(n_waypoints - 1, 0)]
    ends = np.stack([first, last], axis=1)  # (M, 2, 2)
    return ground.ground_height_m(ends[..., 0], ends[..., 1])


def _route_length(points: list[tuple[float, float]]) -> float:
    if len(points) < 2:
        return 0.0
    arr = np.array(points)
    return float(np.sum(surface_distance_m(arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1])))
