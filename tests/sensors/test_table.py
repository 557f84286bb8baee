"""The live sensor table: stable indices, merged knowledge, health states."""

from __future__ import annotations

import math

from dronewall.core.types import SensorKind
from dronewall.sensors.feed import SensorInfo, SensorStatus
from dronewall.sensors.table import SensorTable


def test_indices_are_stable_and_knowledge_merges() -> None:
    table = SensorTable()
    a = table.index("mqtt", "node-1", SensorKind.ACOUSTIC)
    b = table.declare("radar", SensorInfo("25/10", SensorKind.RADAR, 54.0, 18.0, 30.0, 60e3))
    assert (a, b) == (0, 1)
    assert not table.located(a) and table.located(b)
    first = table.geometry()
    assert table.geometry() is first  # unchanged table: the same object for the tracker
    table.declare("mqtt", SensorInfo("node-1", SensorKind.ACOUSTIC, 50.0, 20.0, nation="PL"))
    assert table.index("mqtt", "node-1", SensorKind.ACOUSTIC) == 0
    geometry = table.geometry()
    assert geometry is not first and geometry.lat_deg[0] == 50.0
    assert geometry.sensor_id == ["mqtt:node-1", "radar:25/10"]
    assert math.isinf(geometry.max_range_m[0]) and geometry.max_range_m[1] == 60e3
    table.declare("mqtt", SensorInfo("node-1", SensorKind.ACOUSTIC))  # NaN: keeps what it knew
    assert table.rows()[0].info.lat_deg == 50.0 and table.rows()[0].info.nation == "PL"


def test_health_states_follow_what_the_sensors_do() -> None:
    table = SensorTable(stale_after_s=10.0)
    i = table.declare("f", SensorInfo("s", SensorKind.RF, 50.0, 20.0))
    assert table.snapshot(100.0)[0]["state"] == "waiting"
    for t in range(100, 110):
        table.heard(i, float(t), reports=2)
    row = table.snapshot(110.0)[0]
    assert row["state"] == "ok" and row["reports"] == 20
    assert 1.5 < row["rate_hz"] <= 2.0
    assert table.snapshot(121.0)[0]["state"] == "stale"
    table.status("f", SensorStatus("s", 122.0, False, "offline (last will)"), SensorKind.RF)
    assert table.snapshot(122.0)[0]["state"] == "offline"
    table.status("f", SensorStatus("s", 123.0, True, "online"), SensorKind.RF)
    assert table.snapshot(123.0)[0]["state"] == "ok"
    table.status("f", SensorStatus("s", 124.0, False, "antenna fault"), SensorKind.RF)
    assert table.snapshot(124.0)[0]["state"] == "fault"


def test_what_a_sensor_declares_reaches_the_tracker_and_defaults_fill_the_rest() -> None:
    table = SensorTable()
    table.declare("radar", SensorInfo("25/10", SensorKind.RADAR, 54.0, 18.0, 30.0, 60e3))
    table.declare("mqtt", SensorInfo("node-1", SensorKind.ACOUSTIC, 50.0, 20.0, pd=0.5))
    defaults = table.geometry()
    table.declare("radar", SensorInfo("25/10", SensorKind.RADAR, revisit_s=4.0))
    geometry = table.geometry()
    assert geometry.revisit_s[0] == 4.0 and geometry.pd[1] == 0.5
    assert geometry.revisit_s[1] == defaults.revisit_s[1]  # the acoustic node's kind's
    assert geometry.clutter_density.tolist() == defaults.clutter_density.tolist()
    assert table.rows()[0].info.lat_deg == 54.0  # declaring the revisit kept the position
