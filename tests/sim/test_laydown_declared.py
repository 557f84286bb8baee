"""What the simulator's sensors declare to the tracker: their revisit is their period, a
radar's clutter is its false plots per scan over its coverage, a bearing sensor's its false
bearings per look over 360°, and cooperative receivers keep their kind's (tiny) default."""

from __future__ import annotations

import numpy as np

from dronewall.core.types import SensorKind
from dronewall.sim import Simulation, load_scenario
from dronewall.world import load_world


def test_the_laydown_declares_revisit_and_clutter_from_the_catalogue() -> None:
    sim = Simulation(load_scenario("copenhagen-2025-09"), load_world(), seed=1, duration_s=1.0)
    sensors, geometry = sim.sensors, sim.sensors.geometry()
    np.testing.assert_array_equal(geometry.revisit_s, sensors.param("period_s"))
    radar = geometry.kind == int(SensorKind.RADAR)
    assert radar.any()
    per_scan = sensors.param("false_alarms_per_scan")[radar]
    area = np.pi * geometry.max_range_m[radar] ** 2
    np.testing.assert_allclose(geometry.clutter_density[radar], per_scan / area)
    bearing = np.isin(geometry.kind, [int(SensorKind.RF), int(SensorKind.ACOUSTIC)])
    assert bearing.any()
    per_look = np.maximum(
        sensors.param("false_alarms_per_hour")[bearing] * sensors.param("period_s")[bearing] / 3600,
        1e-3,
    )
    np.testing.assert_allclose(geometry.clutter_density[bearing], per_look / 360.0)
    cooperative = np.isin(geometry.kind, [int(SensorKind.ADSB), int(SensorKind.REMOTE_ID)])
    assert np.all(geometry.clutter_density[cooperative] < geometry.clutter_density[radar].min())


def test_a_run_directory_keeps_what_its_sensors_declare() -> None:
    from dronewall.records.tracks import sensor_geometry
    from dronewall.sim.output import sensor_table

    sim = Simulation(load_scenario("copenhagen-2025-09"), load_world(), seed=1, duration_s=1.0)
    declared = sim.sensors.geometry()
    table = sensor_table(sim)
    back = sensor_geometry(table)
    for name in ("pd", "clutter_density", "revisit_s"):
        np.testing.assert_array_equal(getattr(back, name), getattr(declared, name), name)
    older = sensor_geometry(table.drop_columns(["pd", "clutter_density", "revisit_s"]))
    assert np.all(older.revisit_s == 1.0)  # a run recorded before: the kinds' defaults
