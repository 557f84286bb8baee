"""Rows ⇄ values: how reports, picture frames, alert events, operator actions and runs are laid
out as SQL rows, shared by the SQLite and PostgreSQL stores.

Columnar values (``ReportBatch``, ``PictureFrame``) become one row per report or track through
``ndarray.tolist`` and ``zip`` (no Python loop per cell) and come back through one
``np.array`` per column. Floats are stored as 8-byte floats; NaN round-trips both as
PostgreSQL's ``NaN`` and as SQLite's NULL (SQLite turns NaN into NULL; ``np.array`` turns
``None`` back into NaN in a float column).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dronewall.assess import AlertEvent, AlertState, EventKind
from dronewall.core.types import IDENTITY_DTYPE, ReportBatch
from dronewall.store.base import ActionRecord, RunInfo
from dronewall.store.errors import StoreError
from dronewall.store.frame import PictureFrame

Row = tuple[Any, ...]

REAL = "DOUBLE PRECISION"  # 8-byte float in both databases (PostgreSQL's REAL is 4 bytes)
PROBABILITY_COLUMNS = ("p_unknown", "p_drone", "p_bird", "p_aircraft")  # ObjectClass order


@dataclass(frozen=True, slots=True)
class Column:
    """A stored column: its SQL name and type and the numpy dtype it is read back as."""

    name: str
    sql_type: str
    dtype: npt.DTypeLike


def _columns(spec: Sequence[tuple[str, str, npt.DTypeLike]]) -> tuple[Column, ...]:
    return tuple(Column(name, sql_type, dtype) for name, sql_type, dtype in spec)


_F = (REAL, np.float64)
# One per ReportBatch field, with the field's name and dtype.
REPORT_COLUMNS = _columns(
    [
        ("report_id", "BIGINT NOT NULL", np.int64),
        ("sensor_index", "INTEGER NOT NULL", np.int32),
        ("sensor_kind", "SMALLINT NOT NULL", np.uint8),
        ("measurement", "SMALLINT NOT NULL", np.uint8),
        *((name, *_F) for name in ReportBatch.column_names()[4:19]),
        ("identity", "TEXT NOT NULL", IDENTITY_DTYPE),
        ("declared_class", "SMALLINT NOT NULL", np.uint8),
        ("class_confidence", REAL, np.float32),
        # Report format 1.1: added to an older database's table, "not given" in its rows.
        ("emitter_category", "SMALLINT NOT NULL DEFAULT 0", np.uint8),
        ("nic", "SMALLINT NOT NULL DEFAULT 0", np.uint8),
        ("nacp", "SMALLINT NOT NULL DEFAULT 0", np.uint8),
        *((name, *_F) for name in ("vertical_rate_mps", "rcs_dbsm", "radial_velocity_mps")),
    ]
)
# PictureFrame's columns; ``probabilities`` is split into four and the reasons are TEXT.
FRAME_COLUMNS = _columns(
    [
        ("track_id", "BIGINT NOT NULL", np.int64),
        *((name, *_F) for name in ("lat_deg", "lon_deg", "alt_m", "speed_mps", "course_deg")),
        *((name, *_F) for name in ("climb_mps", "sigma_m")),
        ("label", "SMALLINT NOT NULL", np.uint8),
        *((name, *_F) for name in PROBABILITY_COLUMNS),
        ("drone_kind", "SMALLINT NOT NULL", np.uint8),
        ("affiliation", "TEXT NOT NULL", np.str_),
        ("priority", *_F),
        ("site_id", "TEXT NOT NULL", np.str_),
        ("time_to_site_s", *_F),
        ("identity", "TEXT NOT NULL", np.str_),
        ("sensor_kinds", "INTEGER NOT NULL", np.uint16),
        ("alert_id", "BIGINT NOT NULL", np.int64),
        ("class_reasons", "TEXT NOT NULL", np.object_),
        ("threat_reasons", "TEXT NOT NULL", np.object_),
        ("label_mask", "BIGINT NOT NULL DEFAULT -1", np.int64),  # core.release bits
    ]
)
RUN_COLUMNS = ("run_id", "source", "t_start", "t_end", "wall_started", "settings")
EVENT_COLUMNS = ("kind", "t", "alert_id", "track_id", "site_id", "priority", "state", "message")
ACTION_COLUMNS = ("t", "alert_id", "action", "operator", "note", "wall_time")


def names(columns: Sequence[Column]) -> tuple[str, ...]:
    return tuple(c.name for c in columns)


# ---- columnar values ---------------------------------------------------------------------
def report_rows(run_id: str, reports: ReportBatch) -> list[Row]:
    """``(run_id, *REPORT_COLUMNS)`` per report, in batch order."""
    arrays = [getattr(reports, c.name) for c in REPORT_COLUMNS]
    return _rows(run_id, arrays, len(reports))


def reports_from_rows(rows: Sequence[Row]) -> ReportBatch:
    """A batch from rows holding ``REPORT_COLUMNS``."""
    return ReportBatch(**_arrays(REPORT_COLUMNS, rows))


def frame_rows(run_id: str, frame: PictureFrame) -> list[Row]:
    """``(run_id, t, row_index, *FRAME_COLUMNS)`` per track, in frame order."""
    n = len(frame)
    _check_frame(frame, n)
    arrays: list[Any] = [np.full(n, frame.t), np.arange(n)]
    for c in FRAME_COLUMNS:
        if c.name in PROBABILITY_COLUMNS:
            arrays.append(frame.probabilities[:, PROBABILITY_COLUMNS.index(c.name)])
        else:
            arrays.append(getattr(frame, c.name))
    return _rows(run_id, arrays, n)


def frame_from_rows(t: float, rows: Sequence[Row]) -> PictureFrame:
    """A frame at ``t`` from rows holding ``FRAME_COLUMNS``."""
    columns = _arrays(FRAME_COLUMNS, rows)
    probabilities = np.stack([columns.pop(name) for name in PROBABILITY_COLUMNS], axis=-1)
    class_reasons = list(columns.pop("class_reasons"))
    threat_reasons = list(columns.pop("threat_reasons"))
    return PictureFrame(
        t=float(t),
        probabilities=probabilities.reshape(len(rows), len(PROBABILITY_COLUMNS)),
        class_reasons=class_reasons,
        threat_reasons=threat_reasons,
        **columns,
    )


def _check_frame(frame: PictureFrame, n: int) -> None:
    if not math.isfinite(frame.t):
        raise StoreError(f"frame time must be finite, not {frame.t}")
    for name in PictureFrame.__slots__:
        value = getattr(frame, name)
        if name != "t" and len(value) != n:
            raise StoreError(f"frame column {name} has {len(value)} rows, track_id has {n}")
    if frame.probabilities.shape != (n, len(PROBABILITY_COLUMNS)):
        raise StoreError(f"frame probabilities have shape {frame.probabilities.shape}")


def _rows(run_id: str, arrays: Sequence[Any], n: int) -> list[Row]:
    lists = [a.tolist() if isinstance(a, np.ndarray) else list(a) for a in arrays]
    if any(len(values) != n for values in lists):
        raise StoreError("columns have different lengths", run_id=run_id)
    return list(zip([run_id] * n, *lists, strict=True))


def _arrays(columns: Sequence[Column], rows: Sequence[Row]) -> dict[str, Any]:
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    return {c.name: np.array(v, dtype=c.dtype) for c, v in zip(columns, values, strict=True)}


# ---- single values -----------------------------------------------------------------------
def run_row(run: RunInfo) -> Row:
    try:
        settings = json.dumps(run.settings)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"settings are not JSON: {exc}", run_id=run.run_id) from exc
    times = (float(run.t_start), float(run.t_end), float(run.wall_started))
    return (run.run_id, run.source, *times, settings)


def run_from_row(row: Row) -> RunInfo:
    run_id, source, t_start, t_end, wall_started, settings = row
    return RunInfo(
        run_id, source, _float(t_start), _float(t_end), _float(wall_started), json.loads(settings)
    )


def event_row(run_id: str, e: AlertEvent) -> Row:
    state = None if e.state is None else e.state.value
    alert_id = None if e.alert_id is None else int(e.alert_id)
    track_id = None if e.track_id is None else int(e.track_id)
    values = (float(e.t), alert_id, track_id, e.site_id, float(e.priority), state, e.message)
    return (run_id, e.kind.value, *values)


def event_from_row(row: Row) -> AlertEvent:
    kind, t, alert_id, track_id, site_id, priority, state, message = row
    return AlertEvent(
        kind=EventKind(kind),
        t=_float(t),
        alert_id=alert_id,
        track_id=track_id,
        site_id=site_id,
        priority=_float(priority),
        state=None if state is None else AlertState(state),
        message=message,
    )


def action_row(run_id: str, a: ActionRecord) -> Row:
    values = (int(a.alert_id), a.action, a.operator, a.note, float(a.wall_time))
    return (run_id, float(a.t), *values)


def action_from_row(row: Row) -> ActionRecord:
    t, alert_id, action, operator, note, wall_time = row
    return ActionRecord(_float(t), alert_id, action, operator, note, _float(wall_time))


def _float(value: float | None) -> float:
    return math.nan if value is None else float(value)
