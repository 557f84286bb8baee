"""General aviation: gliders, helicopters, light aircraft and ultralights flying locally.

Each ``[[aircraft]]`` group becomes objects with legs (``specs.Leg``) made by one activity:

* ``soaring`` (gliders): thermals and glides. In a thermal the glider circles at 12–20°/s
  (22–28 m/s banked 40–50°) for minutes, climbing 1–3 m/s to the top of the thermal; then
  glides straight at 30–42 m/s to the next thermal 3–12 km on, sinking ~1 m/s (glide ratio
  ~35; Reichmann, *Cross-Country Soaring*).
* ``patrol`` (helicopters): transit legs of 5–30 km at cruise speed, with hover or slow
  search phases (0.5–8 m/s for 30–300 s) at some stops; from and back to a base.
* ``circuits`` (light aircraft, ultralights): rectangular traffic circuits at an airfield,
  ~300 m above it, touch-and-goes, then a full-stop landing (ICAO Doc 8168 circuit shape,
  sized by speed).
* ``cross_country``: straight legs of 10–40 km between points of the area.

All heights are above the ground (the dynamics add the terrain).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dronewall.core.geodesy import destination, initial_bearing_deg, surface_distance_m
from dronewall.core.types import ObjectKind
from dronewall.sim.catalogue import EQUIPAGE, OBJECT_DEFAULTS, ObjectDefaults
from dronewall.sim.scenario import Aircraft
from dronewall.sim.specs import (
    MAX_WAYPOINTS,
    Behaviour,
    Dwell,
    Leg,
    ObjectSpec,
    resolve,
    sample_area,
    uniform,
)
from dronewall.world import World

Point = tuple[float, float]
Plan = tuple[list[Point], list[Leg], float]  # waypoints, legs, start height above ground

THERMAL_TURN_DEG_S = (12.0, 20.0)  # 40–50° bank at 22–28 m/s
THERMAL_SPEED_MPS = (22.0, 28.0)
THERMAL_CLIMB_MPS = (1.0, 3.0)
GLIDE_SPEED_MPS = (30.0, 42.0)
GLIDE_RATIO = 35.0
GLIDE_KM = (3.0, 12.0)
RELEASE_HEIGHT_M = (500.0, 900.0)  # gliders appear after an aerotow or winch launch
HOVER_S = (30.0, 300.0)
HOVER_SPEED_MPS = (0.5, 8.0)
CIRCUIT_HEIGHT_M = 300.0  # ~1,000 ft above the airfield
CIRCUIT_SPEED_REF_MPS = 45.0  # circuit legs below are for this speed, scaled by speed
TOUCHDOWN_HEIGHT_M = 15.0  # a touch-and-go's lowest point
APPROACH_M = 2_000.0  # returning to base: an approach point this far out …
APPROACH_HEIGHT_M = 150.0  # … at this height, then straight down to land


def aircraft_group(
    group: Aircraft, index: int, duration: float, world: World, rng: np.random.Generator
) -> list[ObjectSpec]:
    """The objects of one ``[[aircraft]]`` group."""
    kind = ObjectKind[group.kind.upper()]
    defaults = OBJECT_DEFAULTS[kind]
    where = f"aircraft[{index}]"
    bases = [resolve(world, name, f"{where}.bases") for name in group.bases]
    activity = group.activity or _default_activity(kind, bool(bases))
    adsb_share, flarm_share = EQUIPAGE[kind]
    adsb_share = adsb_share if group.adsb_fraction is None else group.adsb_fraction
    flarm_share = flarm_share if group.flarm_fraction is None else group.flarm_fraction
    specs = []
    for _ in range(group.count):
        base = bases[int(rng.integers(len(bases)))] if bases else None
        start = base or sample_area(group.area, world, rng, f"{where}.area")
        speed = uniform(rng, group.speed_kmh or defaults.speed_kmh) / 3.6
        heights = group.altitude_m or defaults.altitude_m
        flight_time = uniform(rng, group.flight_time_s)
        plan = _PLANNERS[activity](group, start, base, speed, heights, flight_time, rng)
        specs.append(_spec(group, kind, defaults, plan, speed, adsb_share, flarm_share, rng))
    return specs


def _default_activity(kind: ObjectKind, has_bases: bool) -> str:
    if kind is ObjectKind.GLIDER:
        return "soaring"
    if kind is ObjectKind.HELICOPTER:
        return "patrol"
    return "circuits" if has_bases else "cross_country"


def _spec(
    group: Aircraft,
    kind: ObjectKind,
    defaults: ObjectDefaults,
    plan: Plan,
    speed: float,
    adsb_share: float,
    flarm_share: float,
    rng: np.random.Generator,
) -> ObjectSpec:
    waypoints, legs, start_height = plan
    t_spawn = uniform(rng, group.spawn_window_s)
    adsb = bool(rng.uniform() < adsb_share)
    flarm = bool(rng.uniform() < flarm_share)
    address = int(rng.integers(0x3C0000, 0x400000))  # German ICAO block
    flarm_id = int(rng.integers(0xDD0000, 0xE00000))  # FLARM's own id range
    identity = f"{address:06X}" if adsb else (f"{flarm_id:06X}" if flarm else "")
    return ObjectSpec(
        kind=kind,
        group=group.name,
        behaviour=Behaviour.ROUTE,
        t_spawn=t_spawn,
        waypoints=waypoints[:MAX_WAYPOINTS],
        start_alt_m=start_height,
        speed_mps=speed,
        cruise_alt_m=legs[0].height_m,
        rcs_m2=uniform(rng, group.rcs_m2 or defaults.rcs_m2),
        range_m=1e9,
        identity=identity,
        adsb=adsb,
        flarm=flarm,
        legs=legs[:MAX_WAYPOINTS],
    )


def _soaring(
    group: Aircraft,
    start: Point,
    base: Point | None,
    speed: float,
    heights: tuple[float, float],
    flight_time: float,
    rng: np.random.Generator,
) -> Plan:
    """Glide to a thermal, climb in it, glide on, … until the flight time is used; then one
    last glide out. The first glide, from the release point, is short."""
    low, high = heights
    height = uniform(rng, RELEASE_HEIGHT_M)
    points, legs, t = [start], [Leg(speed, height)], 0.0
    heading = float(rng.uniform(0.0, 360.0))
    while len(points) < MAX_WAYPOINTS - 2:
        glide = uniform(rng, GLIDE_SPEED_MPS)
        span = GLIDE_KM if len(points) > 1 else (1.0, 3.0)
        reach_m = max((height - low - 50.0) * GLIDE_RATIO, 500.0)  # arrive above the floor
        distance = min(uniform(rng, span) * 1000.0, reach_m)
        heading = _heading_within(group, points[-1], heading + rng.normal(0.0, 45.0))
        points.append(_step(points[-1], heading, distance))
        height -= distance / GLIDE_RATIO
        t += distance / glide
        if t >= flight_time:
            legs.append(Leg(glide, height))
            break
        top = float(rng.uniform(max(height, 0.5 * (low + high)), high))
        climb = uniform(rng, THERMAL_CLIMB_MPS)
        dwell_s = float(np.clip((top - height) / climb, 60.0, 900.0))
        turn = uniform(rng, THERMAL_TURN_DEG_S) * (1.0 if rng.uniform() < 0.5 else -1.0)
        legs.append(
            Leg(glide, height, dwell_s, Dwell.CIRCLE, uniform(rng, THERMAL_SPEED_MPS), top,
                climb, turn)
        )  # fmt: skip
        height, t = top, t + dwell_s
    return points, legs, legs[0].height_m


def _patrol(
    group: Aircraft,
    start: Point,
    base: Point | None,
    speed: float,
    heights: tuple[float, float],
    flight_time: float,
    rng: np.random.Generator,
) -> Plan:
    """Transit legs with hovering or slow stops; from a base (on the ground) and back."""
    points, legs, t = [start], [Leg(speed, 0.0)], 0.0
    while t < flight_time and len(points) < MAX_WAYPOINTS - 3:
        heading = _heading_within(group, points[-1], float(rng.uniform(0.0, 360.0)))
        distance = float(rng.uniform(5_000.0, 30_000.0))
        points.append(_step(points[-1], heading, distance))
        leg = Leg(speed, uniform(rng, heights))
        if rng.uniform() < group.hover_fraction:
            dwell_s = uniform(rng, HOVER_S)
            leg = leg._replace(
                dwell_s=dwell_s,
                dwell=Dwell.HOVER,
                dwell_speed_mps=uniform(rng, HOVER_SPEED_MPS),
                dwell_height_m=float(rng.uniform(heights[0], min(heights[1], 300.0))),
                dwell_climb_mps=OBJECT_DEFAULTS[ObjectKind.HELICOPTER].climb_rate_mps,
            )
            t += dwell_s
        legs.append(leg)
        t += distance / speed
    return _home(points, legs, base, speed)


def _circuits(
    group: Aircraft,
    start: Point,
    base: Point | None,
    speed: float,
    heights: tuple[float, float],
    flight_time: float,
    rng: np.random.Generator,
) -> Plan:
    """Touch-and-go circuits at the base on a random runway heading, left or right hand,
    ending with a full stop."""
    runway = float(rng.uniform(0.0, 360.0))
    side = 90.0 if rng.uniform() < 0.5 else -90.0
    scale = speed / CIRCUIT_SPEED_REF_MPS
    threshold = start
    upwind = _step(threshold, runway, 2_000.0 * scale)
    crosswind = _step(upwind, runway + side, 1_200.0 * scale)
    base_turn = _step(threshold, runway + 180.0, 1_500.0 * scale)
    late_downwind = _step(base_turn, runway + side, 1_200.0 * scale)
    circuit = [upwind, crosswind, late_downwind, base_turn, threshold]
    circuit_heights = [0.5, 1.0, 1.0, 0.5, 0.0]
    lap_s = 9_400.0 * scale / speed
    laps = int(np.clip(flight_time // lap_s, 1, (MAX_WAYPOINTS - 1) // len(circuit)))
    points, legs = [threshold], [Leg(speed, 0.0)]
    for _ in range(laps):
        points += circuit
        legs += [Leg(speed, f * CIRCUIT_HEIGHT_M) for f in circuit_heights]
        legs[-1] = Leg(speed * 0.8, TOUCHDOWN_HEIGHT_M)
    legs[-1] = Leg(speed * 0.8, 0.0)  # full stop
    return points, legs, 0.0


def _cross_country(
    group: Aircraft,
    start: Point,
    base: Point | None,
    speed: float,
    heights: tuple[float, float],
    flight_time: float,
    rng: np.random.Generator,
) -> Plan:
    """Straight legs between points of the area at one cruise height."""
    cruise = uniform(rng, heights)
    points, legs, t = [start], [Leg(speed, cruise)], 0.0
    heading = float(rng.uniform(0.0, 360.0))
    while t < flight_time and len(points) < MAX_WAYPOINTS - 3:
        heading = _heading_within(group, points[-1], heading + rng.normal(0.0, 60.0))
        distance = float(rng.uniform(10_000.0, 40_000.0))
        points.append(_step(points[-1], heading, distance))
        legs.append(Leg(speed, cruise))
        t += distance / speed
    if base is None:
        return points, legs, cruise
    points, legs, _ = _home(points, legs, base, speed)
    return points, legs, 0.0


def _home(points: list[Point], legs: list[Leg], base: Point | None, speed: float) -> Plan:
    """Back to the base — an approach point 2 km out at 150 m, then down to land — or, without
    a base, start and end in the air."""
    if base is None:
        legs[0] = legs[0]._replace(height_m=legs[1].height_m if len(legs) > 1 else 300.0)
        return points, legs, legs[0].height_m
    inbound = float(initial_bearing_deg(base[0], base[1], points[-1][0], points[-1][1]))
    points += [_step(base, inbound, APPROACH_M), base]
    legs += [Leg(speed * 0.6, APPROACH_HEIGHT_M), Leg(speed * 0.3, 0.0)]
    return points, legs, 0.0


def _heading_within(group: Aircraft, here: Point, heading: float) -> float:
    """The heading, or towards the area's centre once outside ~80 % of its radius."""
    centre = (group.area.lat, group.area.lon)
    away = float(surface_distance_m(here[0], here[1], centre[0], centre[1]))
    if away > 0.8 * group.area.radius_km * 1000.0:
        return float(initial_bearing_deg(here[0], here[1], centre[0], centre[1]))
    return heading


def _step(point: Point, heading: float, distance: float) -> Point:
    lat, lon = destination(point[0], point[1], heading, distance)
    return float(lat), float(lon)


_PLANNERS: dict[str, Callable[..., Plan]] = {
    "soaring": _soaring,
    "patrol": _patrol,
    "circuits": _circuits,
    "cross_country": _cross_country,
}
