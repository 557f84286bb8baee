"""Truth dynamics: fly every live object one step along its route, vectorised.

Each step steers each object towards its next waypoint with a coordinated turn limited by the
kind's maximum turn rate (``models.motion.coordinated_turn_propagate``, the same model the
tracker uses), changes speed towards the leg's speed within the kind's acceleration, and climbs
or descends towards the leg's height within its climb rate. Heights are held above the terrain
(``world.terrain``) for every kind but airliners, which fly a climb–cruise–descent profile from
the ground height of one airport to that of the other, and nothing flies below the ground. On
reaching a waypoint with a dwell, an object circles at a fixed turn rate (a glider thermalling)
or hovers (a helicopter's slow phase) for the dwell's time, climbing to the dwell's height.
Drones that run out of fuel glide down and crash; strike drones end at their target;
loiterers circle their target area, then leave; manned aircraft land at the end of their route.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import (
    destination,
    ecef_to_enu_rotation,
    ecef_to_geodetic,
    geodetic_to_ecef,
    initial_bearing_deg,
)
from dronewall.models.motion import coordinated_turn_propagate
from dronewall.sim.population import Behaviour, Population
from dronewall.sim.specs import Dwell
from dronewall.world.terrain import GroundModel

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

STEERING_GAIN = 0.6  # 1/s: turn-rate command per radian of heading error (time constant ~2 s)
HEIGHT_TIME_CONSTANT_S = 8.0  # how quickly objects close a height error
CLIMB_GRADIENT = 0.066  # airliner climb, about 3.8°
DESCENT_GRADIENT = 0.0524  # airliner descent, the standard 3° glide path
APPROACH_SPEED_FRACTION = 0.35  # airliner speed at the ground as a share of cruise speed
GLIDE_SINK_MPS = 8.0  # a drone out of fuel sinks at this rate
TAKE_OFF_SPEED_MPS = 1.0  # manned aircraft starting on the ground start nearly still, headed out


class Fate(IntEnum):
    """How an object's flight ended."""

    AIRBORNE = 0  # still flying when the run ended
    REACHED_TARGET = 1  # strike drone arrived at its target
    FUEL_EXHAUSTED = 2  # fell out of the sky
    LANDED = 3  # airliner landed, loiterer left or landed
    DISPERSED = 4  # bird flock's lifetime ended


@dataclass(slots=True)
class FlightState:
    """Mutable state of every object (M rows); rows not yet spawned or ended are ignored."""

    position: FloatArray  # (M, 3) ECEF
    velocity: FloatArray  # (M, 3) ECEF
    waypoint: npt.NDArray[np.int64]
    flown_m: FloatArray
    loiter_start: FloatArray  # time the object reached its loiter area (NaN before)
    falling: npt.NDArray[np.bool_]
    alive: npt.NDArray[np.bool_]
    spawned: npt.NDArray[np.bool_]
    fate: npt.NDArray[np.uint8]
    t_end: FloatArray
    dwell_end: FloatArray  # time the current dwell ends (NaN: none)
    dwell_wp: IntArray  # waypoint whose dwell is flown

    @classmethod
    def empty(cls, m: int) -> FlightState:
        return cls(
            position=np.zeros((m, 3)),
            velocity=np.zeros((m, 3)),
            waypoint=np.ones(m, np.int64),
            flown_m=np.zeros(m),
            loiter_start=np.full(m, np.nan),
            falling=np.zeros(m, bool),
            alive=np.zeros(m, bool),
            spawned=np.zeros(m, bool),
            fate=np.zeros(m, np.uint8),
            t_end=np.full(m, np.nan),
            dwell_end=np.full(m, np.nan),
            dwell_wp=np.zeros(m, np.int64),
        )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Live objects at one instant: what sensors sample and what truth records."""

    t: float
    index: npt.NDArray[np.int64]  # object rows
    position: FloatArray
    velocity: FloatArray
    lat: FloatArray
    lon: FloatArray
    alt: FloatArray
    rotation: FloatArray  # (A, 3, 3) ECEF → ENU at each object
    ground: FloatArray  # ground height above the ellipsoid under each object


def spawn(pop: Population, state: FlightState, t: float, ground: GroundModel) -> None:
    """Bring to life every object whose spawn time has come."""
    new = np.flatnonzero(~state.spawned & (pop.t_spawn <= t))
    if new.size == 0:
        return
    state.spawned[new] = True
    state.alive[new] = True
    o_lat, o_lon = pop.waypoints[new, 0, 0], pop.waypoints[new, 0, 1]
    n_lat, n_lon = pop.waypoints[new, 1, 0], pop.waypoints[new, 1, 1]
    bearing = initial_bearing_deg(o_lat, o_lon, n_lat, n_lon)
    progress = pop.start_progress_m[new]
    lat, lon = destination(o_lat, o_lon, bearing, progress)
    reference = _reference(pop, new, progress, ground.ground_height_m(lat, lon))
    height = np.where(progress > 0, _airliner_height(pop, new, progress), pop.start_alt_m[new])
    bearing = initial_bearing_deg(lat, lon, n_lat, n_lon)  # the geodesic's azimuth where we are
    state.position[new] = geodetic_to_ecef(lat, lon, reference + height)
    speed = _commanded_speed(pop, state, new, height, np.zeros(new.size, bool))
    on_ground = (pop.behaviour[new] == Behaviour.ROUTE) & (height <= 0.0)
    speed = np.where(on_ground, TAKE_OFF_SPEED_MPS, speed)  # then accelerates
    rad = np.radians(bearing)
    enu = np.stack([speed * np.sin(rad), speed * np.cos(rad), np.zeros_like(speed)], axis=-1)
    rotation = ecef_to_enu_rotation(lat, lon)
    state.velocity[new] = np.einsum("nji,nj->ni", rotation, enu)
    state.flown_m[new] = progress


def snapshot(state: FlightState, t: float, ground: GroundModel) -> Snapshot:
    index = np.flatnonzero(state.alive)
    position = state.position[index]
    lat, lon, alt = ecef_to_geodetic(position)
    return Snapshot(
        t,
        index,
        position,
        state.velocity[index],
        lat,
        lon,
        alt,
        ecef_to_enu_rotation(lat, lon),
        ground.ground_height_m(lat, lon),
    )


def step(pop: Population, state: FlightState, snap: Snapshot, dt: float) -> None:
    """Advance every live object by ``dt`` seconds from the snapshot taken at ``snap.t``."""
    idx = snap.index
    if idx.size == 0:
        return
    _advance_waypoints(pop, state, snap)
    _end_flights(pop, state, snap)
    live = state.alive[idx]
    idx, alt, rotation, ground = idx[live], snap.alt[live], snap.rotation[live], snap.ground[live]
    if idx.size == 0:
        return
    dwelling = state.dwell_end[idx] > snap.t  # NaN → False
    v_enu = np.einsum("nij,nj->ni", rotation, state.velocity[idx])
    heading = np.degrees(np.arctan2(v_enu[:, 0], v_enu[:, 1]))
    omega = _turn_rate(pop, state, idx, rotation, heading, dwelling)
    height = alt - _reference(pop, idx, state.flown_m[idx], ground)
    speed = _accelerate(
        pop, idx, np.hypot(v_enu[:, 0], v_enu[:, 1]),
        _commanded_speed(pop, state, idx, height, dwelling), dt,
    )  # fmt: skip
    climb = _commanded_climb(pop, state, idx, height, dwelling)
    climb = np.where(state.falling[idx], climb, np.maximum(climb, (ground - alt) / dt))
    rad = np.radians(heading)
    new_enu = np.stack([speed * np.sin(rad), speed * np.cos(rad), climb], axis=-1)
    velocity = np.einsum("nji,nj->ni", rotation, new_enu)
    up = rotation[:, 2, :]
    state.position[idx], state.velocity[idx] = coordinated_turn_propagate(
        state.position[idx], velocity, omega, dt, up
    )
    state.flown_m[idx] += speed * dt
    out_of_fuel = state.flown_m[idx] > pop.range_m[idx]
    state.falling[idx] |= out_of_fuel


def _turn_rate(
    pop: Population,
    state: FlightState,
    idx: IntArray,
    rotation: FloatArray,
    heading: FloatArray,
    dwelling: npt.NDArray[np.bool_],
) -> FloatArray:
    """Steering towards the waypoint (positive: left), or the dwell's turn while circling."""
    desired, _ = _to_waypoint(pop, state, idx, state.position[idx], rotation)
    error = np.radians(np.mod(desired - heading + 180.0, 360.0) - 180.0)
    limit = pop.max_turn_rad_s[idx]
    omega = -np.clip(STEERING_GAIN * error, -limit, limit)
    wp = state.dwell_wp[idx]
    circling = dwelling & (pop.legs.dwell[idx, wp] == Dwell.CIRCLE)
    return np.where(circling, pop.legs.dwell_turn_rad_s[idx, wp], omega)


def _accelerate(
    pop: Population, idx: IntArray, current: FloatArray, commanded: FloatArray, dt: float
) -> FloatArray:
    step = pop.accel_mps2[idx] * dt
    return current + np.clip(commanded - current, -step, step)


def _advance_waypoints(pop: Population, state: FlightState, snap: Snapshot) -> None:
    idx = snap.index
    wp = np.minimum(state.waypoint[idx], pop.n_waypoints[idx] - 1)
    _, dist = _to_waypoint(pop, state, idx, snap.position, snap.rotation)
    capture = np.maximum(150.0, 3.0 * pop.speed_mps[idx])
    arrived = dist < capture
    state.waypoint[idx[arrived]] += 1
    reached_loiter = arrived & (pop.loiter_from[idx] >= 0) & (wp == pop.loiter_from[idx])
    state.loiter_start[idx[reached_loiter]] = snap.t
    dwell_s = pop.legs.dwell_s[idx, wp]
    starts = arrived & (dwell_s > 0)
    state.dwell_end[idx[starts]] = snap.t + dwell_s[starts]
    state.dwell_wp[idx[starts]] = wp[starts]


def _to_waypoint(
    pop: Population,
    state: FlightState,
    idx: npt.NDArray[np.int64],
    position: FloatArray,
    rotation: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Azimuth (°) and horizontal distance (m) to each object's current waypoint.

    The chord to the waypoint projected on the local horizontal plane points along the great
    circle (exactly on a sphere, to a small fraction of a degree on the ellipsoid), so steering
    needs no geodesic solve.
    """
    wp = np.minimum(state.waypoint[idx], pop.n_waypoints[idx] - 1)
    chord = pop.waypoints_ecef[idx, wp] - position
    enu = np.einsum("nij,nj->ni", rotation, chord)
    azimuth = np.degrees(np.arctan2(enu[:, 0], enu[:, 1]))
    return azimuth, np.hypot(enu[:, 0], enu[:, 1])


def _end_flights(pop: Population, state: FlightState, snap: Snapshot) -> None:
    idx, t = snap.index, snap.t
    behaviour = pop.behaviour[idx]
    past_route = state.waypoint[idx] >= pop.n_waypoints[idx]
    loiter_over = (snap.t - state.loiter_start[idx]) > pop.loiter_time_s[idx]  # NaN → False
    ends = [
        (state.falling[idx] & (snap.alt <= snap.ground), Fate.FUEL_EXHAUSTED),
        (past_route & (behaviour == Behaviour.STRIKE), Fate.REACHED_TARGET),
        ((past_route | loiter_over) & (behaviour == Behaviour.LOITER), Fate.LANDED),
        (past_route & (behaviour == Behaviour.FLIGHT), Fate.LANDED),
        (past_route & (behaviour == Behaviour.ROUTE), Fate.LANDED),
        (
            (past_route | (t - pop.t_spawn[idx] > pop.lifetime_s[idx]))
            & (behaviour == Behaviour.WANDER),
            Fate.DISPERSED,
        ),
    ]
    for mask, fate in ends:
        hit = idx[mask & state.alive[idx]]
        state.alive[hit] = False
        state.fate[hit] = fate
        state.t_end[hit] = t


def _remaining_m(pop: Population, idx: npt.NDArray[np.int64], flown: FloatArray) -> FloatArray:
    return np.maximum(pop.route_length_m[idx] - flown, 0.0)


def _airliner_height(pop: Population, idx: npt.NDArray[np.int64], flown: FloatArray) -> FloatArray:
    remaining = _remaining_m(pop, idx, flown)
    return np.minimum(
        pop.cruise_alt_m[idx], np.minimum(CLIMB_GRADIENT * flown, DESCENT_GRADIENT * remaining)
    )


def _reference(pop: Population, idx: IntArray, flown: FloatArray, ground: FloatArray) -> FloatArray:
    """What heights are measured from: the ground for low flyers, the ellipsoid for the rest,
    and for airliners the ground height of their airports, blended along the route."""
    share = np.clip(flown / np.maximum(pop.route_length_m[idx], 1.0), 0.0, 1.0)
    ends = pop.airport_ground_m[idx]
    airports = ends[:, 0] + (ends[:, 1] - ends[:, 0]) * share
    is_flight = pop.behaviour[idx] == Behaviour.FLIGHT
    return np.where(is_flight, airports, np.where(pop.above_ground[idx], ground, 0.0))


def _leg(values: FloatArray, pop: Population, state: FlightState, idx: IntArray) -> FloatArray:
    """Each object's value of a leg array for the leg it flies now."""
    return values[idx, np.minimum(state.waypoint[idx], pop.n_waypoints[idx] - 1)]


def _commanded_speed(
    pop: Population,
    state: FlightState,
    idx: IntArray,
    height: FloatArray,
    dwelling: npt.NDArray[np.bool_],
) -> FloatArray:
    cruise = pop.speed_mps[idx]
    is_flight = pop.behaviour[idx] == Behaviour.FLIGHT
    share = np.clip(height / np.maximum(pop.cruise_alt_m[idx], 1.0), 0.0, 1.0)
    airliner = cruise * (APPROACH_SPEED_FRACTION + (1.0 - APPROACH_SPEED_FRACTION) * share)
    leg = _leg(pop.legs.speed_mps, pop, state, idx)
    dwell = pop.legs.dwell_speed_mps[idx, state.dwell_wp[idx]]
    return np.where(is_flight, airliner, np.where(dwelling, dwell, leg))


def _commanded_climb(
    pop: Population,
    state: FlightState,
    idx: IntArray,
    height: FloatArray,
    dwelling: npt.NDArray[np.bool_],
) -> FloatArray:
    """Vertical speed closing on the leg's (or dwell's) height within the climb limit."""
    is_flight = pop.behaviour[idx] == Behaviour.FLIGHT
    wp = state.dwell_wp[idx]
    leg = _leg(pop.legs.height_m, pop, state, idx)
    target = np.where(dwelling, pop.legs.dwell_height_m[idx, wp], leg)
    target = np.where(is_flight, _airliner_height(pop, idx, state.flown_m[idx]), target)
    limit = np.where(dwelling, pop.legs.dwell_climb_mps[idx, wp], pop.climb_mps[idx])
    climb = np.clip((target - height) / HEIGHT_TIME_CONSTANT_S, -limit, limit)
    return np.where(state.falling[idx], -GLIDE_SINK_MPS, climb)
