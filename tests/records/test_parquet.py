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
