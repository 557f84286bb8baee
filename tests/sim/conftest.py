"""Shared fixtures for simulator tests: small scenarios run once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from dronewall.sim import Simulation, parse_scenario, run_to_directory
from dronewall.world import World, load_world
from dronewall.world.terrain import FlatGround

# A drone leaves Warsaw Chopin for Łódź (~120 km south-west) at 100 m. Beside it: a radar that
# sees everything within its horizon (Pd ≈ 1), a radar with a realistic detection range, and
# an RF direction finder whose declared bearing sigma we check. Flown over a smooth Earth
# (``FlatGround``) so that the horizon is the textbook one; terrain has its own tests.
PHYSICS_SCENARIO = """
[scenario]
name = "physics"
title = "radar horizon and detection probability"
start = 2026-01-01T00:00:00Z
duration_s = 1500
seed = 7

[[drones]]
name = "outbound"
kind = "decoy"
count = 1
launch = { lat = 52.1657, lon = 20.9671, radius_km = 0 }
targets = ["EPLL"]
route_jitter_km = 0
speed_kmh = [170, 170]
altitude_m = [100, 100]
rcs_m2 = [0.1, 0.1]
range_km = [1000, 1000]
emits_rf_fraction = 1.0

[[sensor]]
id = "horizon-radar"
model = "surveillance-radar"
lat = 52.1657
lon = 20.9671
mast_m = 10
params = { range_pd50_m = 1e7, max_range_m = 200000, false_alarms_per_scan = 0, period_s = 2 }

[[sensor]]
id = "pd-radar"
model = "surveillance-radar"
lat = 52.1657
lon = 20.9671
mast_m = 10
params = { range_pd50_m = 15000, reference_rcs_m2 = 0.1, false_alarms_per_scan = 0, period_s = 1 }

[[sensor]]
id = "df"
model = "rf-df"
lat = 52.1657
lon = 20.9671
mast_m = 10
params = { range_scale = 6, false_alarms_per_hour = 0 }
"""


@pytest.fixture(scope="session")
def world() -> World:
    return load_world()


@pytest.fixture(scope="session")
def physics_run(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("physics")
    sim = Simulation(parse_scenario(PHYSICS_SCENARIO, "physics.toml"), world, ground=FlatGround())
    run_to_directory(sim, out)
    return out
