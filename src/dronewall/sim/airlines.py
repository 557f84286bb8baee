"""Airliners: great-circle flights between real airports, climbing out of and descending into
them, plus the departures and arrivals of one hub airport.

Background traffic keeps ``airborne`` flights aloft in the region (that many start mid-flight,
Poisson departures keep the number steady). A hub adds ``movements_per_hour`` take-offs and
landings at one airport, half each way, spread over the run and the half hour before it, so
low, slow (70–100 m/s) climbing and descending airliners are near its runways from the start.
"""

from __future__ import annotations

import numpy as np

from dronewall.core.errors import ConfigError
from dronewall.core.geodesy import surface_distance_m
from dronewall.core.types import ObjectKind
from dronewall.sim.catalogue import OBJECT_DEFAULTS
from dronewall.sim.scenario import CivilTraffic
from dronewall.sim.specs import Behaviour, ObjectSpec, arrival_times, resolve, uniform
from dronewall.world import World

FloatArray = np.ndarray
_MIN_FLIGHT_KM = 150.0  # shorter airline routes are rare and would never reach cruise
ARRIVAL_START_M = 250_000.0  # arrivals appear this far out: before top of descent (~200 km)
HUB_LEAD_S = 1800.0  # hub movements also drawn over the half hour before the start
MEAN_SPEED_NEAR_AIRPORT_MPS = 150.0  # converts time since take-off to distance flown, roughly


def civil_traffic(
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
    departures = arrival_times(rate, duration, rng)
    flights = initial + [(float(t), 0.0) for t in departures if t < duration]
    specs = []
    for t_spawn, progress in flights:
        o, d, length = pairs[int(rng.integers(len(pairs)))]
        route = [(float(lat[o]), float(lon[o])), (float(lat[d]), float(lon[d]))]
        specs.append(_flight(traffic, route, t_spawn, progress * length, rng))
    return specs + _hub_movements(traffic, duration, world, lat, lon, rng)


def _flight(
    traffic: CivilTraffic,
    route: list[tuple[float, float]],
    t_spawn: float,
    progress_m: float,
    rng: np.random.Generator,
) -> ObjectSpec:
    icao24 = f"{int(rng.integers(0x400000, 0x500000)):06X}"  # European ICAO address block
    return ObjectSpec(
        kind=ObjectKind.CIVIL_AIRCRAFT,
        group="civil",
        behaviour=Behaviour.FLIGHT,
        t_spawn=t_spawn,
        waypoints=route,
        start_alt_m=0.0,
        speed_mps=uniform(rng, traffic.cruise_speed_kmh) / 3.6,
        cruise_alt_m=uniform(rng, traffic.cruise_altitude_m),
        rcs_m2=uniform(rng, OBJECT_DEFAULTS[ObjectKind.CIVIL_AIRCRAFT].rcs_m2),
        range_m=1e9,
        identity=icao24,
        adsb=bool(rng.uniform() < traffic.adsb_fraction),
        start_progress_m=progress_m,
    )


def _hub_movements(
    traffic: CivilTraffic,
    duration: float,
    world: World,
    lat: FloatArray,
    lon: FloatArray,
    rng: np.random.Generator,
) -> list[ObjectSpec]:
    if not traffic.hub or traffic.movements_per_hour <= 0:
        return []
    hub = resolve(world, traffic.hub, "traffic.hub")
    far = surface_distance_m(hub[0], hub[1], lat, lon) > _MIN_FLIGHT_KM * 1000.0
    if not far.any():
        raise ConfigError("no airport of the traffic 150 km from the hub", field="traffic.hub")
    others = np.flatnonzero(far)
    times = arrival_times(traffic.movements_per_hour / 3600.0, duration + HUB_LEAD_S, rng)
    specs = []
    for t in times[times < duration + HUB_LEAD_S] - HUB_LEAD_S:
        k = int(others[int(rng.integers(others.size))])
        other = (float(lat[k]), float(lon[k]))
        length = float(surface_distance_m(hub[0], hub[1], other[0], other[1]))
        early = max(-float(t), 0.0) * MEAN_SPEED_NEAR_AIRPORT_MPS  # flown before the start
        if rng.uniform() < 0.5:
            route, progress = [hub, other], min(early, 0.5 * length)
        else:
            start = max(length - ARRIVAL_START_M, 0.0)
            route, progress = [other, hub], min(start + early, length - 5_000.0)
        specs.append(_flight(traffic, route, max(float(t), 0.0), progress, rng))
    return specs


def _airports_in(traffic: CivilTraffic, world: World) -> tuple[FloatArray, FloatArray]:
    if traffic.airports:
        points = [resolve(world, code, "traffic.airports") for code in traffic.airports]
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
