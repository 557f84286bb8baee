"""Truth dynamics: fly every live object one step along its route, vectorised.

Each step steers each object towards its next waypoint with a coordinated turn limited by the
kind's maximum turn rate (``models.motion.coordinated_turn_propagate``, the same model the
tracker uses), holds its commanded speed, and climbs or descends towards its commanded height.
Airliners follow a climb–cruise–descent profile; drones that run out of fuel glide down and
crash; strike drones end at their target; loiterers circle their target area, then leave.
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

FloatArray = npt.NDArray[np.float64]

STEERING_GAIN = 0.6  # 1/s: turn-rate command per radian of heading error (time constant ~2 s)
HEIGHT_TIME_CONSTANT_S = 8.0  # how quickly objects close a height error
CLIMB_GRADIENT = 0.066  # airliner climb, about 3.8°
DESCENT_GRADIENT = 0.0524  # airliner descent, the standard 3° glide path
APPROACH_SPEED_FRACTION = 0.35  # airliner speed at the ground as a share of cruise speed
GLIDE_SINK_MPS = 8.0  # a drone out of fuel sinks at this rate


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


def spawn(pop: Population, state: FlightState, t: float) -> None:
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
    alt = np.where(progress > 0, _airliner_height(pop, new, progress), pop.start_alt_m[new])
    bearing = initial_bearing_deg(lat, lon, n_lat, n_lon)  # the geodesic's azimuth where we are
    state.position[new] = geodetic_to_ecef(lat, lon, alt)
    speed = _commanded_speed(pop, new, alt)
    rad = np.radians(bearing)
    enu = np.stack([speed * np.sin(rad), speed * np.cos(rad), np.zeros_like(speed)], axis=-1)
    rotation = ecef_to_enu_rotation(lat, lon)
    state.velocity[new] = np.einsum("nji,nj->ni", rotation, enu)
    state.flown_m[new] = progress


def snapshot(state: FlightState, t: float) -> Snapshot:
    index = np.flatnonzero(state.alive)
    position = state.position[index]
    lat, lon, alt = ecef_to_geodetic(position)
    return Snapshot(
        t, index, position, state.velocity[index], lat, lon, alt, ecef_to_enu_rotation(lat, lon)
    )


def step(pop: Population, state: FlightState, snap: Snapshot, dt: float) -> None:
    """Advance every live object by ``dt`` seconds from the snapshot taken at ``snap.t``."""
    idx = snap.index
    if idx.size == 0:
        return
    _advance_waypoints(pop, state, snap)
    _end_flights(pop, state, snap)
    live = state.alive[idx]
    idx, alt, rotation = idx[live], snap.alt[live], snap.rotation[live]
    if idx.size == 0:
        return
    desired, _ = _to_waypoint(pop, state, idx, state.position[idx], rotation)
    v_enu = np.einsum("nij,nj->ni", rotation, state.velocity[idx])
    heading = np.degrees(np.arctan2(v_enu[:, 0], v_enu[:, 1]))
    error = np.radians(np.mod(desired - heading + 180.0, 360.0) - 180.0)
    omega = -np.clip(STEERING_GAIN * error, -pop.max_turn_rad_s[idx], pop.max_turn_rad_s[idx])
    speed = _commanded_speed(pop, idx, alt)
    climb = _commanded_climb(pop, state, idx, alt)
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


def _advance_waypoints(pop: Population, state: FlightState, snap: Snapshot) -> None:
    idx = snap.index
    wp = np.minimum(state.waypoint[idx], pop.n_waypoints[idx] - 1)
    _, dist = _to_waypoint(pop, state, idx, snap.position, snap.rotation)
    capture = np.maximum(150.0, 3.0 * pop.speed_mps[idx])
    arrived = dist < capture
    state.waypoint[idx[arrived]] += 1
    reached_loiter = arrived & (pop.loiter_from[idx] >= 0) & (wp == pop.loiter_from[idx])
    state.loiter_start[idx[reached_loiter]] = snap.t


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
        (state.falling[idx] & (snap.alt <= 0.0), Fate.FUEL_EXHAUSTED),
        (past_route & (behaviour == Behaviour.STRIKE), Fate.REACHED_TARGET),
        ((past_route | loiter_over) & (behaviour == Behaviour.LOITER), Fate.LANDED),
        (past_route & (behaviour == Behaviour.FLIGHT), Fate.LANDED),
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


def _commanded_speed(pop: Population, idx: npt.NDArray[np.int64], alt: FloatArray) -> FloatArray:
    cruise = pop.speed_mps[idx]
    is_flight = pop.behaviour[idx] == Behaviour.FLIGHT
    share = np.clip(alt / np.maximum(pop.cruise_alt_m[idx], 1.0), 0.0, 1.0)
    airliner = cruise * (APPROACH_SPEED_FRACTION + (1.0 - APPROACH_SPEED_FRACTION) * share)
    return np.where(is_flight, airliner, cruise)


def _commanded_climb(
    pop: Population, state: FlightState, idx: npt.NDArray[np.int64], alt: FloatArray
) -> FloatArray:
    is_flight = pop.behaviour[idx] == Behaviour.FLIGHT
    target = np.where(
        is_flight, _airliner_height(pop, idx, state.flown_m[idx]), pop.cruise_alt_m[idx]
    )
    limit = pop.climb_mps[idx]
    climb = np.clip((target - alt) / HEIGHT_TIME_CONSTANT_S, -limit, limit)
    return np.where(state.falling[idx], -GLIDE_SINK_MPS, climb)
