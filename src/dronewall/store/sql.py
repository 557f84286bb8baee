"""The ``Store`` over SQL, shared by the SQLite and PostgreSQL stores: every query and write,
on top of a ``Backend`` that opens transactions and bulk-inserts rows (the schema is in
``schema.py``, the row layout in ``rows.py``).

Semantics both stores keep:

- Writes to a run that was never started, and reads of one, raise ``NotFoundError``; a run
  started twice, a second frame at the same time or malformed input raise ``StoreError``.
- A frame is written in one transaction, so a reader sees all of its rows or none.
- Windows: ``reports`` is ``t0 <= t_arrival < t1``; frames, track rows and events are
  ``t0 <= t <= t1``. Reports, events and actions come back in the order they were added.
- A run started with ``t_start`` NaN (the pipeline does not know it yet) reads back with the
  earliest recorded report arrival or frame time.
- ``apply_retention`` thins and deletes old frames and raw messages in short transactions
  (``retention.py``); ``frames`` skips a frame deleted after it listed the frame times.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Protocol, Self

import numpy as np

from dronewall.assess import AlertEvent
from dronewall.core.errors import NotFoundError
from dronewall.core.types import ReportBatch
from dronewall.store.audit import AuditLog
from dronewall.store.base import ActionRecord, RawMessage, RunInfo, TrackHistory
from dronewall.store.errors import StoreError
from dronewall.store.frame import PictureFrame
from dronewall.store.retention import RetentionPolicy, RetentionResult, apply_retention
from dronewall.store.rows import (
    ACTION_COLUMNS,
    EVENT_COLUMNS,
    FRAME_COLUMNS,
    REPORT_COLUMNS,
    RUN_COLUMNS,
    Row,
    action_from_row,
    action_row,
    event_from_row,
    event_row,
    frame_from_rows,
    frame_rows,
    names,
    report_rows,
    reports_from_rows,
    run_from_row,
    run_row,
)

_FRAME_SELECT = ", ".join(names(FRAME_COLUMNS))
_REPORT_SELECT = ", ".join(names(REPORT_COLUMNS))
_RAW_COLUMNS = ("feed", "t_receive", "peer", "data")


class Session(Protocol):
    """One transaction on one connection. Statements use ``?`` placeholders."""

    def query(self, sql: str, params: Sequence[object] = ()) -> list[Row]: ...

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run a statement; the number of rows it changed."""
        ...

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None: ...


class Backend(Protocol):
    """Transactions on the calling thread's connection. Database errors leave a transaction
    as ``StoreError`` (rolled back); other exceptions pass through, also rolled back."""

    def transaction(self, *, write: bool) -> AbstractContextManager[Session]: ...

    def release_space(self, max_pages: int) -> int:
        """Give back to the file system up to ``max_pages`` pages that deletes freed, in one
        transaction; the bytes given back (0 where freed space is only reused)."""
        ...

    def close(self) -> None: ...


class SQLStore:
    """A ``Store`` on any ``Backend`` in SQL ``dialect`` (``audit.SQLITE``, ``POSTGRESQL``)."""

    def __init__(self, backend: Backend, dialect: str):
        self._backend = backend
        self._audit = AuditLog(backend, dialect)

    def audit_log(self) -> AuditLog:
        """The store's append-only, hash-chained audit log (``audit.py``)."""
        return self._audit

    # ---- writes ----------------------------------------------------------------------------
    def start_run(self, run: RunInfo) -> None:
        row = run_row(run)
        with self._backend.transaction(write=True) as s:
            if s.query("SELECT 1 FROM runs WHERE run_id = ?", (run.run_id,)):
                raise StoreError("already recorded", run_id=run.run_id)
            s.insert("runs", RUN_COLUMNS, [row])

    def end_run(self, run_id: str, t_end: float) -> None:
        with self._backend.transaction(write=True) as s:
            _require_run(s, run_id)
            s.execute("UPDATE runs SET t_end = ? WHERE run_id = ?", (float(t_end), run_id))

    def add_reports(self, run_id: str, reports: ReportBatch) -> None:
        self._add(
            run_id, "reports", ("run_id", *names(REPORT_COLUMNS)), report_rows(run_id, reports)
        )

    def add_raw(self, run_id: str, messages: Sequence[RawMessage]) -> None:
        rows: list[Row] = [(run_id, m.feed, m.t_receive, m.peer, m.data) for m in messages]
        self._add(run_id, "raw", ("run_id", *_RAW_COLUMNS), rows)

    def add_frame(self, run_id: str, frame: PictureFrame) -> None:
        rows = frame_rows(run_id, frame)
        columns = ("run_id", "t", "row_index", *names(FRAME_COLUMNS))
        with self._backend.transaction(write=True) as s:
            _require_run(s, run_id)
            if s.query("SELECT 1 FROM frames WHERE run_id = ? AND t = ?", (run_id, frame.t)):
                raise StoreError(f"a frame at t={frame.t!r} is already recorded", run_id=run_id)
            if rows:
                s.insert("frame_rows", columns, rows)
            s.insert("frames", ("run_id", "t", "n"), [(run_id, frame.t, len(rows))])

    def add_events(self, run_id: str, events: Sequence[AlertEvent]) -> None:
        rows = [event_row(run_id, e) for e in events]
        self._add(run_id, "events", ("run_id", *EVENT_COLUMNS), rows)

    def add_action(self, run_id: str, action: ActionRecord) -> None:
        self._add(run_id, "actions", ("run_id", *ACTION_COLUMNS), [action_row(run_id, action)])

    def _add(self, run_id: str, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        with self._backend.transaction(write=True) as s:
            _require_run(s, run_id)
            if rows:
                s.insert(table, columns, rows)

    # ---- runs ------------------------------------------------------------------------------
    def runs(self) -> list[RunInfo]:
        sql = f"SELECT {', '.join(RUN_COLUMNS)} FROM runs ORDER BY wall_started, run_id"
        with self._backend.transaction(write=False) as s:
            return [_with_start(s, run_from_row(row)) for row in s.query(sql)]

    def run(self, run_id: str) -> RunInfo:
        with self._backend.transaction(write=False) as s:
            return _with_start(s, _require_run(s, run_id))

    # ---- frames ----------------------------------------------------------------------------
    def frame_times(self, run_id: str) -> list[float]:
        return self._frame_times(run_id, None, None)

    def frame_at(self, run_id: str, t: float) -> PictureFrame | None:
        sql = "SELECT t FROM frames WHERE run_id = ? AND t <= ? ORDER BY t DESC LIMIT 1"
        with self._backend.transaction(write=False) as s:
            _require_run(s, run_id)
            found = [] if math.isnan(t) else s.query(sql, (run_id, float(t)))
            return _read_frame(s, run_id, found[0][0]) if found else None

    def frames(
        self, run_id: str, t0: float | None = None, t1: float | None = None
    ) -> Iterator[PictureFrame]:
        """The frames in the window, in time order, each read when the iterator gets to it."""
        times = self._frame_times(run_id, t0, t1)  # raises NotFoundError at once
        return self._read_frames(run_id, times)

    def _read_frames(self, run_id: str, times: list[float]) -> Iterator[PictureFrame]:
        exists = "SELECT 1 FROM frames WHERE run_id = ? AND t = ?"
        for t in times:
            with self._backend.transaction(write=False) as s:
                if not s.query(exists, (run_id, t)):
                    continue  # thinned away by retention since the times were listed
                frame = _read_frame(s, run_id, t)
            yield frame

    def _frame_times(self, run_id: str, t0: float | None, t1: float | None) -> list[float]:
        where, params = _window("t", t0, t1)
        sql = f"SELECT t FROM frames WHERE run_id = ?{where} ORDER BY t"
        with self._backend.transaction(write=False) as s:
            _require_run(s, run_id)
            return [float(t) for (t,) in s.query(sql, (run_id, *params))]

    def track_history(
        self, run_id: str, track_id: int, t0: float | None = None, t1: float | None = None
    ) -> TrackHistory:
        """Every recorded row of one track with ``t0 <= t <= t1``, in time order (none for a
        track that was never recorded; then ``rows.t`` is NaN)."""
        where, params = _window("t", t0, t1)
        sql = (
            f"SELECT t, {_FRAME_SELECT} FROM frame_rows"
            f" WHERE run_id = ? AND track_id = ?{where} ORDER BY t"
        )
        with self._backend.transaction(write=False) as s:
            _require_run(s, run_id)
            rows = s.query(sql, (run_id, int(track_id), *params))
        times = np.array([row[0] for row in rows], np.float64)
        last = float(times[-1]) if len(times) else math.nan
        return TrackHistory(int(track_id), times, frame_from_rows(last, [r[1:] for r in rows]))

    # ---- reports, events, actions ----------------------------------------------------------
    def reports(self, run_id: str, t0: float | None = None, t1: float | None = None) -> ReportBatch:
        """Recorded reports with ``t0 <= t_arrival < t1``, in the order they were added."""
        where, params = _window("t_arrival", t0, t1, open_end=True)
        sql = f"SELECT {_REPORT_SELECT} FROM reports WHERE run_id = ?{where} ORDER BY seq"
        with self._backend.transaction(write=False) as s:
            _require_run(s, run_id)
            return reports_from_rows(s.query(sql, (run_id, *params)))

    def raw(
        self, run_id: str, t0: float | None = None, t1: float | None = None
    ) -> list[RawMessage]:
        """Raw feed messages with ``t0 <= t_receive < t1``, in the order they were received."""
        where, params = _window("t_receive", t0, t1, open_end=True)
        sql = f"SELECT {', '.join(_RAW_COLUMNS)} FROM raw WHERE run_id = ?{where} ORDER BY seq"
        with self._backend.transaction(write=False) as s:
            _require_run(s, run_id)
            return [
                RawMessage(str(f), float(t), str(p), bytes(d))
                for f, t, p, d in s.query(sql, (run_id, *params))
            ]

    def events(
        self, run_id: str, t0: float | None = None, t1: float | None = None
    ) -> list[AlertEvent]:
        """Alert events with ``t0 <= t <= t1``, in the order they were added."""
        where, params = _window("t", t0, t1)
        sql = f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE run_id = ?{where} ORDER BY seq"
        with self._backend.transaction(write=False) as s:
            _require_run(s, run_id)
            return [event_from_row(row) for row in s.query(sql, (run_id, *params))]

    def actions(self, run_id: str) -> list[ActionRecord]:
        sql = f"SELECT {', '.join(ACTION_COLUMNS)} FROM actions WHERE run_id = ? ORDER BY seq"
        with self._backend.transaction(write=False) as s:
            _require_run(s, run_id)
            return [action_from_row(row) for row in s.query(sql, (run_id,))]

    # ---- retention -------------------------------------------------------------------------
    def apply_retention(
        self, policy: RetentionPolicy, now: float, *, stop: threading.Event | None = None
    ) -> RetentionResult:
        """Thin and delete what ``policy`` no longer keeps at wall time ``now``."""
        return apply_retention(self._backend, policy, now, stop)

    # ---- life ------------------------------------------------------------------------------
    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _require_run(s: Session, run_id: str) -> RunInfo:
    rows = s.query(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE run_id = ?", (run_id,))
    if not rows:
        raise NotFoundError("run", run_id)
    return run_from_row(rows[0])


def _with_start(s: Session, run: RunInfo) -> RunInfo:
    """``run`` with a NaN ``t_start`` replaced by its earliest recorded data time."""
    if math.isfinite(run.t_start):
        return run
    firsts = [
        *s.query("SELECT MIN(t_arrival) FROM reports WHERE run_id = ?", (run.run_id,))[0],
        *s.query("SELECT MIN(t) FROM frames WHERE run_id = ?", (run.run_id,))[0],
    ]
    known = [float(t) for t in firsts if t is not None and math.isfinite(t)]
    return dataclasses.replace(run, t_start=min(known)) if known else run


def _read_frame(s: Session, run_id: str, t: float) -> PictureFrame:
    sql = f"SELECT {_FRAME_SELECT} FROM frame_rows WHERE run_id = ? AND t = ? ORDER BY row_index"
    return frame_from_rows(t, s.query(sql, (run_id, t)))


def _window(
    column: str, t0: float | None, t1: float | None, *, open_end: bool = False
) -> tuple[str, list[float]]:
    """A ``WHERE`` continuation ``column >= t0 AND column <= t1`` (``<`` with ``open_end``)
    with its parameters; a bound that is None is left out."""
    where, params = "", []
    if t0 is not None:
        where += f" AND {column} >= ?"
        params.append(float(t0))
    if t1 is not None:
        where += f" AND {column} {'<' if open_end else '<='} ?"
        params.append(float(t1))
    return where, params
