"""The Parquet run format: reports round-trip exactly (to the microsecond); bad files are
rejected with a clear error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dronewall.core.errors import DataError
from dronewall.core.types import MeasurementKind, ReportBatch, SensorKind
from dronewall.records import RecordWriter, read_reports, report_table
from dronewall.records.parquet import REPORT_SCHEMA


def _batch(n: int) -> ReportBatch:
    rng = np.random.default_rng(0)
    b = ReportBatch.allocate(n)
    b.report_id[:] = np.arange(n)
    b.sensor_index[:] = rng.integers(0, 9, n)
    b.sensor_kind[:] = int(SensorKind.RADAR)
    b.measurement[:] = int(MeasurementKind.RADAR)
    b.t_measured[:] = 1.7e9 + np.round(rng.uniform(0, 100, n), 6)
    b.t_arrival[:] = b.t_measured + 0.5
    b.range_m[:] = rng.uniform(0, 1e5, n)
    b.azimuth_deg[:] = rng.uniform(0, 360, n)
    b.identity[: n // 2] = "4B1812"
    return b


def test_reports_round_trip(tmp_path: Path) -> None:
    batch = _batch(1000)
    path = tmp_path / "reports.parquet"
    with RecordWriter(path, REPORT_SCHEMA) as writer:
        writer.write(report_table(batch.take(np.arange(500))))
        writer.write(report_table(batch.take(np.arange(500, 1000))))
    back = read_reports(path)
    for name in ReportBatch.column_names():
        a, b = getattr(batch, name), getattr(back, name)
        if a.dtype.kind == "f":
            np.testing.assert_allclose(b, a, rtol=0, atol=1e-6, equal_nan=True, err_msg=name)
        else:
            np.testing.assert_array_equal(b, a, err_msg=name)


def test_not_a_parquet_file_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "reports.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(DataError, match="cannot read"):
        read_reports(path)


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "reports.parquet"
    pq.write_table(pa.table({"report_id": [1, 2]}), path)
    with pytest.raises(DataError, match="sensor_index"):
        read_reports(path)


def test_tracks_round_trip_per_instant(tmp_path: Path) -> None:
    from dronewall.core.tracks import TrackBatch
    from dronewall.records.tracks import TRACK_SCHEMA, read_tracks, track_batches, track_table

    rng = np.random.default_rng(1)
    n = 6
    A = rng.normal(size=(n, 6, 6))
    batch = TrackBatch(
        track_id=np.arange(n, dtype=np.int64),
        t=np.array([10.0, 10.0, 11.0, 11.0, 11.0, 12.0]) + 1.7e9,
        status=np.ones(n, np.uint8),
        state=np.column_stack([rng.normal(3.6e6, 1e3, (n, 3)), rng.normal(0, 50, (n, 3))]),
        covariance=A @ np.swapaxes(A, -1, -2),
        t_last_update=np.full(n, 1.7e9),
        n_updates=np.arange(n, dtype=np.int64),
        sensor_kinds=np.full(n, 6, np.uint16),
        identity=np.array(["", "4B1812", "", "", "1596F" + "A" * 31, ""]),  # any length
        t_first=np.full(n, 1.7e9 - 5),
        kind_updates=rng.integers(0, 9, (n, 7)).astype(np.int32),
        class_evidence=rng.normal(size=(n, 4)),
        rf_stations=np.array([0, 1, 2, 3, 0, 1], np.uint8),
        existence=rng.uniform(0, 1, n),
        emitter_category=np.array([0, 0xA3, 0, 0, 0xB6, 0xB1], np.uint8),
        rcs_dbsm=np.array([np.nan, 15.0, -7.5, np.nan, -20.0, 3.0]),
    )
    path = tmp_path / "tracks.parquet"
    with RecordWriter(path, TRACK_SCHEMA) as writer:
        writer.write(track_table(batch))
    back = list(track_batches(read_tracks(path)))
    assert [len(b) for b in back] == [2, 3, 1]
    joined = TrackBatch.concat(back)
    for name in TrackBatch.column_names():
        a, b = getattr(batch, name), getattr(joined, name)
        if name == "kind_updates":
            a, b = a[:, 1:], b[:, 1:]  # column 0 is unused and not stored
        if a.dtype.kind == "f":
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-6, err_msg=name)
        else:
            np.testing.assert_array_equal(b, a, err_msg=name)


def test_tracks_written_before_the_existence_score_read_as_not_known(tmp_path: Path) -> None:
    from dronewall.core.tracks import TrackBatch
    from dronewall.records.tracks import track_batches, track_table

    batch = TrackBatch.empty()
    table = track_table(batch)
    assert "existence" in table.column_names
    old = table.drop_columns(["existence"])
    assert list(track_batches(old)) == []  # no rows, no instants
    n = 2
    full = TrackBatch(
        track_id=np.arange(n, dtype=np.int64),
        t=np.full(n, 1.7e9),
        status=np.ones(n, np.uint8),
        state=np.tile([3.6e6, 1e6, 5e6, 0, 0, 0], (n, 1)).astype(float),
        covariance=np.tile(np.eye(6), (n, 1, 1)),
        t_last_update=np.full(n, 1.7e9),
        n_updates=np.ones(n, np.int64),
        sensor_kinds=np.zeros(n, np.uint16),
        identity=np.array(["", ""]),
        t_first=np.full(n, 1.7e9),
        kind_updates=np.zeros((n, 7), np.int32),
        class_evidence=np.zeros((n, 4)),
        rf_stations=np.zeros(n, np.uint8),
        existence=np.array([0.2, 0.9]),
    )
    (back,) = track_batches(track_table(full).drop_columns(["existence"]))
    assert np.isnan(back.existence).all()
