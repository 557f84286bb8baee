"""Prove a plan: a drone crossing a watched border is detected only where sensors are."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.core.types import SensorKind
from dronewall.evaluate import prove, sim_params, with_laydown
from dronewall.planning import border_area, load_catalogue, resolve
from dronewall.planning.laydown import Laydown
from dronewall.sim import parse_scenario
from dronewall.sim.catalogue import SENSOR_MODELS
from dronewall.world import load_world

RAID = """
[scenario]
name = "one-decoy"
title = "one decoy from Belarus to Lublin"
start = 2026-01-01T00:00:00Z
duration_s = 3300
seed = 1

[[drones]]
name = "decoy"
kind = "decoy"
count = 2
launch = { lat = 52.1, lon = 24.2, radius_km = 0 }
targets = ["EPLB"]
route_jitter_km = 0
altitude_m = [150, 150]
rcs_m2 = [0.1, 0.1]

[[birds]]
region = { lat_min = 51.0, lat_max = 52.0, lon_min = 22.0, lon_max = 23.0 }
flocks = 5
"""

KIND = {
    "radar": SensorKind.RADAR,
    "acoustic": SensorKind.ACOUSTIC,
    "eoir": SensorKind.EOIR,
    "rf": SensorKind.RF,
}


def test_every_planning_type_maps_to_a_simulator_model_of_its_kind() -> None:
    for sensor_type in load_catalogue().types.values():
        model = SENSOR_MODELS[sensor_type.sim_model]
        assert model.kind is KIND[sensor_type.sensor_class.value]
        assert set(sim_params(sensor_type)) <= {f for f in model.__dataclass_fields__}


def test_laydown_replaces_the_raid_sensors_and_background() -> None:
    raid = parse_scenario(RAID)
    lay = Laydown("l", ("r",), ("cuas-radar",), np.array([51.8]), np.array([23.3]))
    scenario = with_laydown(raid, lay, load_catalogue())
    assert [s.model for s in scenario.sensor] == ["cuas-radar"]
    assert scenario.sensor[0].params["range_pd50_m"] == 9000
    assert scenario.birds == [] and scenario.drones == raid.drones


@pytest.mark.parametrize(("where", "expected"), [((51.85, 23.5), 1.0), ((50.0, 23.0), 0.0)])
def test_detected_share_follows_the_laydown(where: tuple[float, float], expected: float) -> None:
    world = load_world()
    geometry = resolve(border_area(["POL-BLR"]), world)
    lay = Laydown("l", ("r",), ("surveillance-radar",), np.array([where[0]]), np.array([where[1]]))
    result = prove(
        parse_scenario(RAID), world, lay, load_catalogue(), geometry, seeds=[1], depth_km=10.0
    )
    assert sum(r.penetrated for r in result.runs) == 2  # both decoys cross
    assert result.share("detected") == expected
    assert result.share("tracked") == expected
    arrivals = [w for r in result.runs for w in r.warnings["EPLB"]]
    assert arrivals and all((w[0] > 10.0) == (expected == 1.0) for w in arrivals)
