"""Scenarios on real geography: launches where the scenario says, sensors where they belong."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.core.errors import ConfigError
from dronewall.core.types import ObjectKind, SensorKind
from dronewall.sim import Simulation, load_scenario, parse_scenario
from dronewall.world import World


def _launches(sim: Simulation, kinds: set[ObjectKind]) -> tuple[np.ndarray, np.ndarray]:
    p = sim.population
    mask = np.isin(p.kind, [int(k) for k in kinds])
    return p.waypoints[mask, 0, 0], p.waypoints[mask, 0, 1]


def test_poland_decoys_launch_in_belarus_and_sensors_stand_in_poland(world: World) -> None:
    sim = Simulation(load_scenario("poland-2025-09"), world)
    lat, lon = _launches(sim, {ObjectKind.DECOY})
    assert lat.size == 20
    assert set(world.countries_at(lat, lon).tolist()) == {"BLR"}
    acoustic = sim.sensors.kind == SensorKind.ACOUSTIC
    where = world.countries_at(sim.sensors.lat[acoustic], sim.sensors.lon[acoustic])
    assert acoustic.sum() > 30  # ~340 km of border at 8 km spacing
    assert np.mean(where == "POL") > 0.95


def test_copenhagen_drones_launch_at_sea(world: World) -> None:
    sim = Simulation(load_scenario("copenhagen-2025-09"), world)
    lat, lon = _launches(sim, {ObjectKind.RECON_FIXED_WING})
    assert 2 <= lat.size <= 4
    assert np.all(world.is_at_sea(lat, lon))


def test_eastern_flank_raid_has_800_drones_in_two_hours(world: World) -> None:
    sim = Simulation(load_scenario("eastern-flank-raid"), world)
    p = sim.population
    drones = np.isin(p.kind, [int(ObjectKind.ONE_WAY_ATTACK), int(ObjectKind.DECOY)])
    assert drones.sum() == 800
    assert p.t_spawn[drones].max() <= 7200
    kinds = set(ObjectKind(k) for k in p.kind)
    assert {ObjectKind.CIVIL_AIRCRAFT, ObjectKind.BIRD_FLOCK} <= kinds


def test_unknown_target_is_a_config_error(world: World) -> None:
    text = """
[scenario]
name = "x"
title = "x"
start = 2026-01-01T00:00:00Z
duration_s = 10
seed = 1
[[drones]]
name = "a"
kind = "decoy"
count = 1
launch = { lat = 52.0, lon = 24.0 }
targets = ["NOWHERE"]
"""
    with pytest.raises(ConfigError, match="NOWHERE"):
        Simulation(parse_scenario(text), world)
