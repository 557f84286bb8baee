"""Report format 1.1 in ``reports.parquet``: the version is in the file's metadata, the new
columns round-trip, a format 1.0 file (without them) still reads with them "not given",
identities are never cut, and ADS-B ICAO addresses read in upper case."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from dronewall.core.types import MeasurementKind, ReportBatch, SensorKind
from dronewall.records import FORMAT_VERSION, RecordWriter, read_reports, report_format
from dronewall.records.parquet import COLUMNS_1_1, REPORT_SCHEMA, report_table

SERIAL_20 = "1581F5FJD23190000K7Z"
UUID_32 = "0f8e2b7c5d4a49f6b1e3a2c4d5e6f708"


def _batch() -> ReportBatch:
    b = ReportBatch.allocate(4)
    b.report_id[:] = np.arange(4)
    b.sensor_kind[:] = [SensorKind.ADSB, SensorKind.REMOTE_ID, SensorKind.REMOTE_ID, 1]
    b.measurement[:] = [1, 1, 1, MeasurementKind.RADAR]
    b.t_measured[:] = 1.75e9 + np.arange(4)
    b.t_arrival[:] = b.t_measured + 0.25
    b.identity[:3] = ["4ca7b1", SERIAL_20, UUID_32]
    b.emitter_category[0], b.nic[0], b.nacp[0] = 0xA3, 8, 9
    b.emitter_category[1:3] = 0xB6
    b.vertical_rate_mps[:3] = [-3.25, 1.5, 0.0]
    b.rcs_dbsm[3], b.radial_velocity_mps[3] = -12.0, 33.0
    return b


def _write(path: Path, batch: ReportBatch) -> None:
    with RecordWriter(path, REPORT_SCHEMA) as writer:
        writer.write(report_table(batch))


def test_format_1_1_round_trips_with_its_version(tmp_path: Path) -> None:
    path = tmp_path / "reports.parquet"
    batch = _batch()
    _write(path, batch)
    assert FORMAT_VERSION == "1.1" and report_format(path) == "1.1"
    back = read_reports(path)
    for name in COLUMNS_1_1:
        np.testing.assert_array_equal(getattr(back, name), getattr(batch, name), err_msg=name)
    assert back.identity.tolist() == ["4CA7B1", SERIAL_20, UUID_32, ""]  # ADS-B: upper case


def test_a_format_1_0_file_reads_with_the_new_columns_not_given(tmp_path: Path) -> None:
    path = tmp_path / "reports.parquet"
    old = report_table(_batch()).drop_columns(list(COLUMNS_1_1)).replace_schema_metadata(None)
    pq.write_table(old, path)
    assert report_format(path) == "1.0"
    back = read_reports(path)
    assert len(back) == 4 and back.identity.tolist()[1:3] == [SERIAL_20, UUID_32]
    not_given = ReportBatch.allocate(4)
    for name in COLUMNS_1_1:
        np.testing.assert_array_equal(getattr(back, name), getattr(not_given, name), err_msg=name)
    np.testing.assert_array_equal(back.t_measured, _batch().t_measured)


def test_remote_id_serials_are_not_upper_cased(tmp_path: Path) -> None:
    path = tmp_path / "reports.parquet"
    batch = _batch()
    batch.sensor_kind[0] = SensorKind.REMOTE_ID  # a 6-hex-digit text of a Remote ID sender
    _write(path, batch)
    assert read_reports(path).identity[0] == "4ca7b1"
