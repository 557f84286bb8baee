"""Retention: what a store keeps as it ages (issue #13 item 3; ``docs/live-api.md``,
"Retention"). Shared by the SQLite and PostgreSQL stores through ``sql.Backend``.

- Raw feed messages older than ``raw_days`` are deleted.
- Picture frames older than ``frame_days`` are deleted; between ``full_frames_hours`` and
  ``frame_days`` they are thinned to the first frame of every ``thin_to_s`` of data time
  (buckets aligned on multiples of ``thin_to_s``, e.g. whole minutes). Frames expire a whole
  bucket at a time (the limit is rounded down to a bucket's start), so applying the policy
  every few minutes leaves the same frames as applying it once.
- Runs, alert events and operator actions are kept: they are small and they are the record.
  Reports are kept too unless ``report_days`` is set (by default they are: the picture can be
  rebuilt from them with ``serve --replay RUN --reprocess``; but they are not small: in the
  demo they are 43 % of the volume, ``docs/live-api.md``).

Age is wall-clock age, and a run's data time is mapped onto the wall clock from the moment it
was recorded: data time ``t`` of a run is taken to have happened at
``wall_started + (t - t_start)``. A live run (data time is the wall clock) ages as its data;
a replayed or simulated run of old data is as young as its recording, so it is not deleted the
moment it is recorded. A run recorded faster than real time (a simulation at 20x) is treated as
if it had taken its data duration: it is kept that much longer, never less. Raw messages
(``t_receive``) are mapped the same way, so a reprocessed old run keeps its raw messages too.
A run with no finite ``wall_started`` or no data is left alone.

Deletes go in transactions of at most ``batch_rows`` rows (a frame's header counts as one; a
single frame larger than that goes alone), with a ``pause_s`` pause between them, so that a
live pipeline writing to the same store waits at most one short transaction (SQLite has one
writer at a time). A second application at the same ``now`` deletes nothing.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dronewall.core.errors import ConfigError
from dronewall.store.rows import RUN_COLUMNS, run_from_row

if TYPE_CHECKING:
    from dronewall.store.sql import Backend, Session

DAY_S = 86_400.0
HOUR_S = 3_600.0
PAGE_FRAMES = 10_000  # frame headers read per read transaction while planning deletes
RELEASE_PAGES = 2_048  # SQLite pages given back to the file system per transaction (8 MB)


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long a store keeps what; ``math.inf`` keeps for ever. The defaults keep a month of
    frames (the demo's full-rate frames are 3.9 GB a day; thinned, 1.9 GB for the month)."""

    raw_days: float = 30.0  # raw feed messages, then deleted
    frame_days: float = 30.0  # picture frames, then deleted
    report_days: float = math.inf  # reports: the record, kept unless this is set
    full_frames_hours: float = 24.0  # every frame for this long, for the slider and trails
    thin_to_s: float = 60.0  # beyond that, one frame per this many data seconds
    batch_rows: int = 20_000  # rows one delete transaction removes (SQLite: ~0.1 s)
    pause_s: float = 0.05  # between transactions, so a waiting writer gets in

    def __post_init__(self) -> None:
        for name in ("raw_days", "frame_days", "report_days", "thin_to_s"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"must be positive, not {getattr(self, name)}", field=name)
        if not self.full_frames_hours >= 0:
            raise ConfigError(
                f"must be 0 or more, not {self.full_frames_hours}", field="full_frames_hours"
            )
        if not math.isfinite(self.thin_to_s):
            raise ConfigError("must be finite", field="thin_to_s")
        if self.batch_rows < 1:
            raise ConfigError(f"must be at least 1, not {self.batch_rows}", field="batch_rows")
        if not 0 <= self.pause_s < math.inf:
            raise ConfigError(f"must be 0 or more, not {self.pause_s}", field="pause_s")

    @property
    def full_hours_s(self) -> float:
        return self.full_frames_hours * HOUR_S


@dataclass(frozen=True, slots=True)
class RetentionResult:
    """What one application deleted, per table, in how many write transactions; the bytes
    given back to the file system (SQLite with incremental auto-vacuum; else 0: freed space
    is reused); ``complete`` is False when it was stopped part way."""

    frames: int = 0
    frame_rows: int = 0
    raw: int = 0
    reports: int = 0
    transactions: int = 0
    released_bytes: int = 0
    complete: bool = True

    def __add__(self, other: RetentionResult) -> RetentionResult:
        counts = {f: getattr(self, f) + getattr(other, f) for f in COUNTS}
        return dataclasses.replace(self, complete=self.complete and other.complete, **counts)


COUNTS = ("frames", "frame_rows", "raw", "reports", "transactions", "released_bytes")


_TIME_COLUMN = {"raw": "t_receive", "reports": "t_arrival"}  # what each table is aged by


class _StopError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Cuts:
    """A run's limits in its own data time: expire frames before ``frames``, thin frames
    before ``thin``, delete raw messages before ``raw`` and reports before ``reports``."""

    raw: float
    reports: float
    frames: float
    thin: float


def apply_retention(
    backend: Backend,
    policy: RetentionPolicy,
    now: float,
    stop: threading.Event | None = None,
) -> RetentionResult:
    """Apply ``policy`` at wall time ``now`` to every run; ``stop`` set ends it between two
    transactions (the result then says ``complete=False``)."""
    work = _Work(backend, policy, stop)
    try:
        for run_id, cuts in _run_cuts(backend, policy, now):
            work.delete_older(run_id, "raw", cuts.raw)
            work.delete_older(run_id, "reports", cuts.reports)
            work.delete_frames(run_id, cuts)
        work.release_space()
    except _StopError:
        work.total = work.total + RetentionResult(complete=False)
    return work.total


def _run_cuts(backend: Backend, policy: RetentionPolicy, now: float) -> list[tuple[str, _Cuts]]:
    """Each run's limits, for the runs that can be placed on the wall clock."""
    sql = f"SELECT {', '.join(RUN_COLUMNS)} FROM runs ORDER BY wall_started, run_id"
    out = []
    with backend.transaction(write=False) as s:
        for row in s.query(sql):
            run = run_from_row(row)
            anchor = run.t_start if math.isfinite(run.t_start) else _first_time(s, run.run_id)
            offset = anchor - run.wall_started  # data time minus wall time, for this run
            if not math.isfinite(offset):
                continue
            raw, reports, frames = (
                now - days * DAY_S + offset
                for days in (policy.raw_days, policy.report_days, policy.frame_days)
            )
            if math.isfinite(frames):  # whole buckets expire
                frames = math.floor(frames / policy.thin_to_s) * policy.thin_to_s
            thin = now - policy.full_hours_s + offset
            out.append((run.run_id, _Cuts(raw, reports, frames, thin)))
    return out


def _first_time(s: Session, run_id: str) -> float:
    """The earliest data time a run recorded (frame, report arrival or raw message)."""
    firsts = []
    for sql in (
        "SELECT MIN(t) FROM frames WHERE run_id = ?",
        "SELECT MIN(t_arrival) FROM reports WHERE run_id = ?",
        "SELECT MIN(t_receive) FROM raw WHERE run_id = ?",
    ):
        (value,) = s.query(sql, (run_id,))[0]
        if value is not None and math.isfinite(value):
            firsts.append(float(value))
    return min(firsts, default=math.nan)


class _Work:
    """One application: the transactions it runs and what they deleted."""

    def __init__(self, backend: Backend, policy: RetentionPolicy, stop: threading.Event | None):
        self.backend = backend
        self.policy = policy
        self.stop = stop
        self.total = RetentionResult()
        self._segments: list[tuple[float, float]] = []  # whole frames [lo, hi] to delete
        self._open: tuple[float, float] | None = None
        self._rows = 0  # frame rows pending in the segments
        self._run_id = ""

    # ---- raw messages and reports -------------------------------------------------------
    def delete_older(self, run_id: str, table: str, cut: float) -> None:
        """Rows of ``table`` (raw or reports) older than ``cut``, oldest first, ``batch_rows``
        at a time (with any more at the batch's last time)."""
        if not math.isfinite(cut):
            return
        column = _TIME_COLUMN[table]
        older = f"FROM {table} WHERE run_id = ? AND {column} < ?"
        nth = f"SELECT {column} {older} ORDER BY {column} LIMIT 1 OFFSET ?"
        while True:
            with self.backend.transaction(write=False) as s:
                found = s.query(nth, (run_id, cut, self.policy.batch_rows - 1))
                if not found and not s.query(f"SELECT 1 {older} LIMIT 1", (run_id, cut)):
                    return
            upto = float(found[0][0]) if found else math.inf  # the batch's last time
            with self.backend.transaction(write=True) as s:
                n = s.execute(f"DELETE {older} AND {column} <= ?", (run_id, cut, upto))
            raw, reports = (n, 0) if table == "raw" else (0, n)
            self._count(RetentionResult(raw=raw, reports=reports, transactions=1))
            if not found:
                return

    # ---- frames ----------------------------------------------------------------------------
    def delete_frames(self, run_id: str, cuts: _Cuts) -> None:
        """Frames before ``cuts.frames``; between it and ``cuts.thin``, all but the first of
        each ``thin_to_s`` bucket."""
        self._run_id = run_id
        upto = max(cuts.frames, cuts.thin)
        if not math.isfinite(upto):
            return
        bucket = math.nan  # the bucket whose first frame was kept last
        sql = "SELECT t, n FROM frames WHERE run_id = ? AND t > ? AND t < ? ORDER BY t LIMIT ?"
        after = -math.inf
        while True:
            with self.backend.transaction(write=False) as s:
                page = s.query(sql, (run_id, after, upto, PAGE_FRAMES))
            for t, n in page:
                if t < cuts.frames or math.floor(t / self.policy.thin_to_s) == bucket:
                    self._add(float(t), int(n))
                else:
                    bucket = math.floor(t / self.policy.thin_to_s)
                    self._close()  # a kept frame splits the ranges deleted
            if len(page) < PAGE_FRAMES:
                break
            after = float(page[-1][0])
        self._flush()

    def _add(self, t: float, n: int) -> None:
        n += 1  # the frame's header is a row too
        if self._rows and self._rows + n > self.policy.batch_rows:
            self._flush()
        lo = t if self._open is None else self._open[0]
        self._open = (lo, t)
        self._rows += n

    def _close(self) -> None:
        if self._open is not None:
            self._segments.append(self._open)
            self._open = None

    def _flush(self) -> None:
        self._close()
        if not self._segments:
            return
        frames = rows = 0
        where = "WHERE run_id = ? AND t >= ? AND t <= ?"
        with self.backend.transaction(write=True) as s:
            for lo, hi in self._segments:
                rows += s.execute(f"DELETE FROM frame_rows {where}", (self._run_id, lo, hi))
                frames += s.execute(f"DELETE FROM frames {where}", (self._run_id, lo, hi))
        self._segments, self._rows = [], 0
        self._count(RetentionResult(frames=frames, frame_rows=rows, transactions=1))

    # ---- space -----------------------------------------------------------------------------
    def release_space(self) -> None:
        """Give freed pages back to the file system where the database does that (SQLite
        with incremental auto-vacuum), a bounded step per transaction."""
        while released := self.backend.release_space(RELEASE_PAGES):
            self._count(RetentionResult(transactions=1, released_bytes=released))

    def _count(self, done: RetentionResult) -> None:
        self.total = self.total + done
        if self.stop is not None:
            if self.stop.wait(self.policy.pause_s):
                raise _StopError
        elif self.policy.pause_s:
            time.sleep(self.policy.pause_s)
