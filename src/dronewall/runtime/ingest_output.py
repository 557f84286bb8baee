"""The run directory ``dronewall ingest`` writes (``docs/report-format.md``): the decoded
reports in ``reports.parquet``, the sensors that made them in ``sensors.parquet`` (rows in
the order of ``sensor_index``) and ``run.json`` with what was read and what was rejected —
the files ``dronewall track`` reads, as for a simulated run (there is no truth).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from dronewall.core.types import ReportBatch, SensorKind
from dronewall.records.labels import label_columns
from dronewall.records.parquet import (
    FORMAT_VERSION,
    REPORT_SCHEMA,
    RecordWriter,
    report_table,
    write_table,
)
from dronewall.sensors.table import SensorTable, sensor_id

ROW_GROUP = 65_536  # reports buffered into one Parquet row group (batches come every 50 ms)


class ReportSink:
    """Report batches into ``reports.parquet`` in row groups of about ``ROW_GROUP`` rows;
    keeps the span of measurement times and the reports per sensor kind."""

    def __init__(self, path: Path):
        self._writer = RecordWriter(path, REPORT_SCHEMA)
        self._pending: list[ReportBatch] = []
        self._rows = 0
        self.t_first = math.inf
        self.t_last = -math.inf
        self.by_kind: dict[str, int] = {}

    @property
    def reports(self) -> int:
        return self._writer.rows + self._rows

    def write(self, batch: ReportBatch) -> None:
        if len(batch):
            self._pending.append(batch)
            self._rows += len(batch)
            if self._rows >= ROW_GROUP:
                self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        batch = ReportBatch.concat(self._pending)
        self._writer.write(report_table(batch))
        self._pending, self._rows = [], 0
        self.t_first = min(self.t_first, float(np.min(batch.t_measured)))
        self.t_last = max(self.t_last, float(np.max(batch.t_measured)))
        counts = np.bincount(batch.sensor_kind, minlength=max(SensorKind) + 1)
        for kind in SensorKind:
            if counts[kind]:
                self.by_kind[kind.name] = self.by_kind.get(kind.name, 0) + int(counts[kind])

    def close(self) -> None:
        self._flush()
        self._writer.close()


def sensor_rows(table: SensorTable, formats: dict[str, str]) -> pa.Table:
    """The sensor table as ``sensors.parquet``: position NaN where it is not known (a
    receiver of position fixes need not say where it stands), ``max_range_m`` infinite where
    no range is known (gating on the measurement alone, as live)."""
    rows = table.rows()
    infos = [r.info for r in rows]
    ranges = [i.max_range_m if math.isfinite(i.max_range_m) else math.inf for i in infos]
    return pa.table(
        {
            "sensor_index": np.array([r.index for r in rows], np.int32),
            "sensor_id": [sensor_id(r.feed, r.info.key) for r in rows],
            "kind": [SensorKind(int(i.kind)).name for i in infos],
            "model": [formats.get(r.feed, "") for r in rows],
            "lat_deg": np.array([i.lat_deg for i in infos], float),
            "lon_deg": np.array([i.lon_deg for i in infos], float),
            "alt_m": np.array([i.alt_m for i in infos], float),
            "max_range_m": np.array(ranges, float),
            "feed": [r.feed for r in rows],
            "key": [i.key for i in infos],
            "name": [i.name for i in infos],
            "nation": [i.nation for i in infos],
            "vendor": [i.vendor for i in infos],
            "reports": np.array([r.reports for r in rows], np.int64),
            "rejects": np.array([r.rejects for r in rows], np.int64),
            **label_columns(table.geometry().labels),  # security labels (core.release)
        }
    )


def write_sensors(path: Path, table: SensorTable, formats: dict[str, str]) -> None:
    write_table(path, sensor_rows(table, formats))


def write_manifest(path: Path, source: dict[str, Any], summary: dict[str, Any]) -> None:
    """``run.json``: format version, what was read, the summary (no wall-clock time: the
    same file gives the same bytes)."""
    manifest = {
        "format_version": FORMAT_VERSION,
        "source": source,
        "files": {"reports": "reports.parquet", "sensors": "sensors.parquet"},
        "summary": summary,
    }
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
