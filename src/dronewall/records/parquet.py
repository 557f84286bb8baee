"""Parquet files of a simulated or recorded run (format described in docs/report-format.md).

A run directory holds:

* ``reports.parquet`` — every sensor report in arrival order (the only tracker input);
* ``sensors.parquet`` — one row per sensor: id, kind, model, position, parameters;
* ``truth.parquet`` — every object's true state at a fixed interval (scoring only);
* ``objects.parquet`` — one row per true object: kind, identity, fate (scoring only);
* ``report_truth.parquet`` — which object caused each report, −1 for false alarms (scoring only);
* ``run.json`` — scenario, seed, times, counts and the format version.

Times are ``timestamp[us, UTC]``. Writes are deterministic: the same data gives the same bytes.
``reports.parquet`` carries the format version in its schema metadata (``dronewall.format``);
a file of format 1.0 (without the 1.1 columns) reads with those columns "not given".
Identities are read as written, of any length; an ICAO address of an ADS-B report is read in
upper case whatever case the file wrote it in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from dronewall.core.errors import DataError
from dronewall.core.types import IDENTITY_DTYPE, ReportBatch, SensorKind, icao_identity

FORMAT_VERSION = "1.1"
FORMAT_KEY = b"dronewall.format"
# Columns format 1.1 added: a 1.0 file lacks them and they read as "not given".
COLUMNS_1_1 = (
    "emitter_category",
    "nic",
    "nacp",
    "vertical_rate_mps",
    "rcs_dbsm",
    "radial_velocity_mps",
)
_TIME = pa.timestamp("us", tz="UTC")
_TIME_COLUMNS = ("t_measured", "t_arrival")
_COMPRESSION = "zstd"


def _to_time(seconds: npt.NDArray[np.float64]) -> pa.Array:
    return pa.array(np.round(seconds * 1e6).astype(np.int64), type=pa.int64()).cast(_TIME)


def time_seconds(column: pa.ChunkedArray) -> npt.NDArray[np.float64]:
    """A ``timestamp[us, UTC]`` column as POSIX seconds."""
    micros = column.cast(pa.int64()).to_numpy(zero_copy_only=False)
    return np.asarray(micros, np.float64) / 1e6


def report_table(batch: ReportBatch) -> pa.Table:
    """A ReportBatch as an Arrow table in the documented column order and types."""
    columns: dict[str, pa.Array] = {}
    for name in ReportBatch.column_names():
        values = getattr(batch, name)
        if name in _TIME_COLUMNS:
            columns[name] = _to_time(values)
        elif name == "identity":
            columns[name] = pa.array(values.tolist(), type=pa.string())
        else:
            columns[name] = pa.array(values)
    return pa.table(columns).replace_schema_metadata({FORMAT_KEY: FORMAT_VERSION.encode()})


def read_reports(path: str | Path) -> ReportBatch:
    """Read ``reports.parquet`` (format 1.0 or 1.1) back into a ReportBatch; raises DataError
    on a bad file."""
    required = tuple(c for c in ReportBatch.column_names() if c not in COLUMNS_1_1)
    table = _read(path, required)
    batch = ReportBatch.allocate(table.num_rows)  # "not given" where a 1.0 file has nothing
    values: dict[str, Any] = {}
    for name in ReportBatch.column_names():
        if name not in table.column_names:
            values[name] = getattr(batch, name)
            continue
        column = table.column(name)
        if name in _TIME_COLUMNS:
            values[name] = time_seconds(column)
        elif name == "identity":
            values[name] = np.array(column.to_pylist(), dtype=IDENTITY_DTYPE)
        else:
            values[name] = column.to_numpy(zero_copy_only=False).astype(getattr(batch, name).dtype)
    _icao_upper(values["identity"], values["sensor_kind"])
    return ReportBatch(**values)


def _icao_upper(identity: npt.NDArray[Any], sensor_kind: npt.NDArray[np.uint8]) -> None:
    """ICAO addresses of ADS-B reports in upper case, in place (open data often writes them
    in lower case: without this one aircraft would be two identities)."""
    rows = np.flatnonzero((sensor_kind == SensorKind.ADSB) & (identity != ""))
    if rows.size:
        identity[rows] = [icao_identity(str(i)) for i in identity[rows].tolist()]


def _read(path: str | Path, required: tuple[str, ...]) -> pa.Table:
    """Read a Parquet file and check it has the required columns (DataError otherwise)."""
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc
    missing = [c for c in required if c not in table.column_names]
    if missing:
        raise DataError(f"{path} lacks column(s) {', '.join(missing)}")
    return table


def report_format(path: str | Path) -> str:
    """The format version a ``reports.parquet`` was written with ("1.0" before it was kept)."""
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc
    return str(metadata.get(FORMAT_KEY, b"1.0").decode())


def read_sensors(path: str | Path) -> pa.Table:
    return _read(path, ("sensor_index", "sensor_id", "kind", "lat_deg", "lon_deg", "alt_m"))


def read_truth(path: str | Path) -> pa.Table:
    return _read(path, ("t", "object_id", "lat_deg", "lon_deg", "alt_m"))


def read_report_truth(path: str | Path) -> pa.Table:
    return _read(path, ("report_id", "object_id"))


class RecordWriter:
    """Streams row groups into one Parquet file; close() finishes it (also a context manager)."""

    def __init__(self, path: str | Path, schema: pa.Schema):
        self._writer = pq.ParquetWriter(str(path), schema, compression=_COMPRESSION)
        self.schema = schema
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table.cast(self.schema))
            self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


REPORT_SCHEMA = report_table(ReportBatch.empty()).schema
REPORT_TRUTH_SCHEMA = pa.schema([("report_id", pa.int64()), ("object_id", pa.int32())])
TRUTH_SCHEMA = pa.schema(
    [
        ("t", _TIME),
        ("object_id", pa.int32()),
        ("lat_deg", pa.float64()),
        ("lon_deg", pa.float64()),
        ("alt_m", pa.float32()),
        ("vel_east_mps", pa.float32()),
        ("vel_north_mps", pa.float32()),
        ("vel_up_mps", pa.float32()),
    ]
)


def time_array(seconds: npt.NDArray[np.float64]) -> pa.Array:
    """POSIX seconds as a ``timestamp[us, UTC]`` Arrow array."""
    return _to_time(seconds)


def write_table(path: str | Path, table: pa.Table) -> None:
    """Write a small table (sensors, objects) in one go."""
    pq.write_table(table, str(path), compression=_COMPRESSION)
