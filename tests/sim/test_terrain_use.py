"""The simulator on terrain: low flyers hold their height above the ground, sensors stand on it,
hills hide what is behind them, and airliners take off and land at their airports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pytest

from dronewall.core.geodesy import surface_distance_m
from dronewall.core.types import ObjectKind, ReportBatch, SensorKind
from dronewall.sim import Simulation, parse_scenario
from dronewall.world import World, load_terrain
from dronewall.world.terrain import FlatGround, GroundModel

FloatArray = npt.NDArray[np.float64]

# A drone flies west towards Warsaw Chopin, where a radar stands on a 10 m mast.
TOWARDS_THE_RADAR = """
[scenario]
name = "ridge"
title = "a ridge between radar and drone"
start = 2026-01-01T00:00:00Z
duration_s = 700
seed = 3

[[drones]]
name = "inbound"
kind = "decoy"
count = 1
launch = { lat = 52.1657, lon = 21.6 }
targets = ["EPWA"]
route_jitter_km = 0
speed_kmh = [170, 170]
altitude_m = [100, 100]
rcs_m2 = [1, 1]

[[sensor]]
id = "radar"
model = "cuas-radar"
lat = 52.1657
lon = 20.9671
params = { range_pd50_m = 1e6, max_range_m = 60000, false_alarms_per_scan = 0 }
"""


@dataclass(frozen=True)
class Ridge:
    """Flat ground with a 1,000 m high north–south ridge ~19 km east of the radar."""

    def ground_height_m(self, lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
        _, lon = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
        return np.where((lon > 21.25) & (lon < 21.3), 1000.0, 0.0)


def _radar_ranges(world: World, ground: GroundModel) -> FloatArray:
    sim = Simulation(parse_scenario(TOWARDS_THE_RADAR), world, ground=ground)
    reports = ReportBatch.concat([c.reports for c in sim.run()])
    return np.asarray(reports.range_m[reports.sensor_kind == SensorKind.RADAR], float)


def test_a_ridge_hides_the_drone_behind_it(world: World) -> None:
    flat = _radar_ranges(world, FlatGround())
    ridge = _radar_ranges(world, Ridge())
    beyond = 23_000.0  # the ridge's far side is ~22 km from the radar
    assert np.sum(flat > beyond) > 100  # over flat ground it is seen all the way in
    assert np.sum(ridge > beyond) == 0  # behind the ridge, never
    assert np.sum(ridge < 19_000.0) > 100  # once past the ridge, seen again


HOVERING = """
[scenario]
name = "hover"
title = "quadcopters hovering over Lechfeld (ground ~575 m)"
start = 2026-05-14T15:00:00Z
duration_s = 900
seed = 4

[[drones]]
name = "hovering"
kind = "quadcopter"
count = 3
launch = { lat = 48.19, lon = 10.87, radius_km = 1 }
targets = ["ETSL"]
behaviour = "hover"
loiter_radius_km = 1
loiter_time_s = [1800, 1800]
route_jitter_km = 0
altitude_m = [50, 200]

[[sensor_ring]]
id_prefix = "etsl-cuas"
model = "cuas-radar"
around = "ETSL"
"""


@pytest.fixture(scope="module")
def hovering(world: World) -> tuple[Simulation, FloatArray, FloatArray, FloatArray]:
    sim = Simulation(parse_scenario(HOVERING), world)
    truth = [c.truth for c in sim.run()]
    lat, lon, alt = (np.concatenate([getattr(t, f) for t in truth]) for f in ("lat", "lon", "alt"))
    vel = np.concatenate([t.vel_enu for t in truth])
    return sim, alt, alt - load_terrain().ground_height_m(lat, lon), np.hypot(vel[:, 0], vel[:, 1])


def test_quadcopters_hold_their_height_above_high_ground(
    hovering: tuple[Simulation, FloatArray, FloatArray, FloatArray],
) -> None:
    _, alt, above_ground, speed = hovering
    assert np.all((above_ground > -0.5) & (above_ground < 205.0))
    up = above_ground > 45.0  # climbed to their working heights
    assert np.mean(up) > 0.7
    assert np.all(alt[up] > 650.0)  # 50–200 m above ~600 m of ground (above the ellipsoid)
    assert np.mean(speed < 1.6) > 0.3  # hovering, drifting under 1.5 m/s


def test_sensors_stand_on_the_ground(
    hovering: tuple[Simulation, FloatArray, FloatArray, FloatArray],
) -> None:
    sensors = hovering[0].sensors
    ground = load_terrain().ground_height_m(sensors.lat, sensors.lon)
    np.testing.assert_allclose(sensors.alt - sensors.param("mast_m"), ground)
    assert np.all(ground > 600.0)


HUB = """
[scenario]
name = "hub"
title = "departures and arrivals at Munich"
start = 2026-06-20T11:00:00Z
duration_s = 1800
seed = 9

[[traffic]]
region = { lat_min = 46.5, lat_max = 50.5, lon_min = 8.5, lon_max = 14.5 }
airborne = 0
airports = ["EDDM", "EDDF", "LSZH", "LKPR", "LOWW", "EDDS"]
hub = "EDDM"
movements_per_hour = 60
"""


def test_airliners_take_off_and_land_at_the_hub(world: World) -> None:
    sim = Simulation(parse_scenario(HUB), world)
    truth = [c.truth for c in sim.run()]
    lat, lon, alt = (np.concatenate([getattr(t, f) for t in truth]) for f in ("lat", "lon", "alt"))
    vel = np.concatenate([t.vel_enu for t in truth])
    assert np.all(sim.population.kind == ObjectKind.CIVIL_AIRCRAFT)
    near = surface_distance_m(lat, lon, *world.place("EDDM")) < 15_000.0
    above_ground = alt - load_terrain().ground_height_m(lat, lon)
    low = near & (above_ground < 600.0)
    speed = np.hypot(vel[:, 0], vel[:, 1])
    assert low.sum() > 100
    assert np.all(above_ground[near] > -30.0)  # from and to the airport's ground, not sea level
    assert np.all((speed[low] > 70.0) & (speed[low] < 100.0))
    assert np.sum(low & (vel[:, 2] > 2.0)) > 20 and np.sum(low & (vel[:, 2] < -2.0)) > 20
