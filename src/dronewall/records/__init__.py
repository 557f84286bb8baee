"""Columnar record files: the documented Parquet formats for sensor reports, sensors, truth and
report-to-truth links (``docs/report-format.md``), so that any tracker can read a run.

The Parquet names are loaded on first use (PEP 562), so that a module of this package that
needs no Arrow (``stonesoup_csv``) does not pay pyarrow's import with the package.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dronewall.records.parquet import (
        FORMAT_VERSION,
        RecordWriter,
        read_report_truth,
        read_reports,
        read_sensors,
        read_truth,
        report_format,
        report_table,
    )

__all__ = [
    "FORMAT_VERSION",
    "RecordWriter",
    "read_report_truth",
    "read_reports",
    "read_sensors",
    "read_truth",
    "report_format",
    "report_table",
]


def __getattr__(name: str) -> Any:
    """``dronewall.records.X`` for the Parquet names: imported from ``parquet`` when asked."""
    if name in __all__:
        value = getattr(import_module("dronewall.records.parquet"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
