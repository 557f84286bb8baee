"""Columnar record files: the documented Parquet formats for sensor reports, sensors, truth and
report-to-truth links (``docs/report-format.md``), so that any tracker can read a run."""

from dronewall.records.parquet import (
    FORMAT_VERSION,
    RecordWriter,
    read_report_truth,
    read_reports,
    read_sensors,
    read_truth,
    report_table,
)

__all__ = [
    "FORMAT_VERSION",
    "RecordWriter",
    "read_report_truth",
    "read_reports",
    "read_sensors",
    "read_truth",
    "report_table",
]
