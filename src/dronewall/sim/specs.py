"""One simulated object before it is packed into arrays: its route, its legs, its equipment.

A route is a list of waypoints (latitude, longitude). Leg ``k`` is the flight towards waypoint
``k`` and what the object does on reaching it: an optional dwell — circling (a glider
thermalling) or hovering (a helicopter's slow phase) — for some seconds, with its own speed,
turn rate, climb rate and height. Objects without legs fly their whole route at one speed and
height (drones, birds, airliners).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import NamedTuple

import numpy as np

from dronewall.core.errors import ConfigError
from dronewall.core.geodesy import destination
from dronewall.core.types import ObjectKind
from dronewall.sim.scenario import Area
from dronewall.world import World

MAX_WAYPOINTS = 64


class Behaviour(IntEnum):
    STRIKE = 1  # fly the route, end at the last waypoint (impact)
    LOITER = 2  # fly to the target area, circle there for a while, then leave
    FLIGHT = 3  # airliner: climb, cruise, descend, land at the last waypoint
    WANDER = 4  # bird flock: wander until its lifetime ends
    ROUTE = 5  # manned aircraft: fly the legs with their dwells, land or leave at the end


class Dwell(IntEnum):
    NONE = 0
    CIRCLE = 1  # constant-rate turn (thermalling, orbiting)
    HOVER = 2  # near-zero speed (hover, slow search)


class Leg(NamedTuple):
    """Flight towards one waypoint and the dwell on reaching it. Heights above ground."""

    speed_mps: float
    height_m: float
    dwell_s: float = 0.0
    dwell: Dwell = Dwell.NONE
    dwell_speed_mps: float = 0.0
    dwell_height_m: float = 0.0
    dwell_climb_mps: float = 0.0  # most it climbs or sinks while dwelling
    dwell_turn_deg_s: float = 0.0  # signed: positive turns left


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
    flarm: bool = False
    loiter_from: int = -1  # index of the first loiter waypoint
    loiter_time_s: float = 0.0
    lifetime_s: float = np.inf
    start_progress_m: float = 0.0  # airliners already airborne at the start
    legs: list[Leg] = field(default_factory=list)  # one per waypoint, or none


def uniform(rng: np.random.Generator, span: tuple[float, float]) -> float:
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


def resolve(world: World, name: str, where: str) -> tuple[float, float]:
    """(lat, lon) of a site or airport; ``ConfigError`` naming the field if unknown."""
    try:
        lat, lon = world.place(name)
    except Exception as exc:
        raise ConfigError(str(exc), field=where) from exc
    return float(lat), float(lon)


def arrival_times(rate: float, duration: float, rng: np.random.Generator) -> np.ndarray:
    """Arrival times (s) of a Poisson process of ``rate`` per second that cover ``duration``;
    none when the rate is not positive."""
    if rate <= 0:
        return np.zeros(0)
    times = np.cumsum(rng.exponential(1.0 / rate, int(rate * duration * 1.5) + 1))
    while times[-1] < duration:
        more = np.cumsum(rng.exponential(1.0 / rate, int(rate * duration * 0.5) + 1))
        times = np.concatenate([times, times[-1] + more])
    return times
