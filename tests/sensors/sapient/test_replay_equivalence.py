"""The same scenario fed in-process and over SAPIENT gives the same reports.

A 200 s simulated run (every kind of sensor) is replayed by the SAPIENT sensor-node simulator
over real TCP sockets on localhost, one connection per sensor node, into a dronewall fusion
node. What the fusion node hands its sink must equal the run's ``reports.parquet``:

* exactly, for every column the wire carries in dronewall's units — sensor index and kind,
  measurement kind, ``t_measured`` (whole microseconds, as the run directory stores them),
  positions, ranges, angles, every sigma, identity, declared class and its confidence, and
  format 1.1's category, NIC, NACp, vertical rate, RCS and Doppler (``object_info``);
* to 1e-9 for ``speed_mps`` and ``course_deg``, which travel as east/north rates
  (``ENUVelocity``) and come back through sin/cos and atan2;
* not at all for ``report_id`` and ``t_arrival``: the receiving node numbers reports in the
  order it accepts them and stamps their arrival on its own clock.

Rows are compared sensor by sensor in arrival order (each sensor's connection keeps its
order; between connections the fusion node takes them as they come).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dronewall.core.types import ReportBatch, SensorKind
from dronewall.records import read_reports, read_sensors
from dronewall.runtime.sapient_replay import SapientReplayResult, replay_over_sapient

EXACT = [
    "sensor_index",
    "sensor_kind",
    "measurement",
    "t_measured",
    "lat_deg",
    "lon_deg",
    "alt_m",
    "sigma_horizontal_m",
    "sigma_vertical_m",
    "range_m",
    "azimuth_deg",
    "elevation_deg",
    "sigma_range_m",
    "sigma_azimuth_deg",
    "sigma_elevation_deg",
    "identity",
    "declared_class",
    "class_confidence",
    "emitter_category",
    "nic",
    "nacp",
    "vertical_rate_mps",
    "rcs_dbsm",
    "radial_velocity_mps",
]
ROUNDED = {"speed_mps": 1e-9, "course_deg": 1e-9}
NOT_CARRIED = {"report_id", "t_arrival"}


@pytest.fixture(scope="module")
def replayed(run_dir: Path) -> SapientReplayResult:
    return replay_over_sapient(run_dir)


def _by_sensor(batch: ReportBatch) -> ReportBatch:
    return batch.take(np.argsort(batch.sensor_index, kind="stable"))


def test_every_column_is_accounted_for() -> None:
    assert set(EXACT) | set(ROUNDED) | NOT_CARRIED == set(ReportBatch.column_names())


def test_a_run_replayed_over_sapient_gives_the_same_reports(
    run_dir: Path, replayed: SapientReplayResult
) -> None:
    expected = read_reports(run_dir / "reports.parquet")
    kinds = set(expected.sensor_kind.tolist())
    assert kinds == {int(k) for k in SensorKind}  # the run exercises every sensor kind

    result = replayed
    got = result.reports
    assert len(got) == len(expected) == result.stats.detections > 1000
    assert result.stats.nodes == read_sensors(run_dir / "sensors.parquet").num_rows
    rejected = {k: v for k, v in result.counters.items() if k.startswith("rejected_") and v}
    assert rejected == {}
    assert result.counters["accepted_detection_report"] == len(expected)
    assert result.counters["accepted_registration"] == result.stats.nodes

    a, b = _by_sensor(expected), _by_sensor(got)
    for name in EXACT:
        x, y = getattr(a, name), getattr(b, name)
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
    for name, tolerance in ROUNDED.items():
        x, y = getattr(a, name), getattr(b, name)
        assert np.array_equal(np.isnan(x), np.isnan(y)), name
        difference = np.abs(x - y)
        if name == "course_deg":
            difference = np.abs((x - y + 180.0) % 360.0 - 180.0)
        assert np.nanmax(difference, initial=0.0) <= tolerance, name

    assert np.array_equal(got.report_id, np.arange(len(got)))
    assert result.keys is not None and len(result.keys) == len(got)


def test_the_fusion_node_knows_every_sensor_and_where_it_stands(
    run_dir: Path, replayed: SapientReplayResult
) -> None:
    result = replayed
    sensors = read_sensors(run_dir / "sensors.parquet").to_pylist()
    table = result.registry.sensor_table()
    assert table["sensor_index"].tolist() == [s["sensor_index"] for s in sensors]
    assert table["name"].tolist() == [s["sensor_id"] for s in sensors]
    assert table["lat_deg"].tolist() == [s["lat_deg"] for s in sensors]
    assert table["kind"].tolist() == [int(SensorKind[s["kind"]]) for s in sensors]
    assert all(
        entry.status is not None and entry.status.coverage for entry in result.registry.entries()
    )
