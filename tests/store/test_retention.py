"""Retention (``store/retention.py``) against every store: SQLite (file and memory) and the real
PostgreSQL server.

A run of three hours (a frame every 15 s, raw messages every 30 s) is aged with an injected
``now`` under a policy of 2 h for frames and raw messages, full-rate frames for the last 30
minutes, one frame a minute between: what is older than the limits goes, frames are thinned
to the first of each whole minute, the recent part and the record (reports, events, actions,
the run) stay; a second application deletes nothing; a replayed old run is as young as its
recording; a writer keeps writing while retention deletes, transaction by transaction.
"""

from __future__ import annotations

import itertools
import math
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from dronewall.assess import AlertEvent, AlertState, EventKind
from dronewall.core.errors import ConfigError
from dronewall.store import (
    ActionRecord,
    PostgresStore,
    RawMessage,
    RetentionPolicy,
    RetentionResult,
    SQLiteStore,
)
from dronewall.store.retention import RELEASE_PAGES
from dronewall.store.rows import Row
from dronewall.store.sql import Backend, Session, SQLStore
from tests.store.conftest import RUN, T0, Opener, assert_reports_equal, frame, reports, run_info

HOUR = 3_600.0
DAY = 86_400.0
STEP_S = 15.0  # four frames to a minute
SPAN_S = 3 * HOUR
RAW_STEP_S = 30.0
POLICY = RetentionPolicy(
    raw_days=2 / 24,
    frame_days=2 / 24,
    full_frames_hours=0.5,
    thin_to_s=60.0,
    batch_rows=40,
    pause_s=0.0,
)
# Not at a frame's time: FramePlayer announces an event at exactly a frame's time twice.
EVENTS = [
    AlertEvent(EventKind.RAISED, T0 + 10, 7, 1, "EKCH", 78.5, AlertState.NEW, "drone inbound"),
    AlertEvent(EventKind.SITE_CLEAR, T0 + 9001, None, None, "EKCH", 0.0, None, "clear"),
]
ACTION = ActionRecord(T0 + 20, 7, "acknowledge", "ops-1", "", T0 + 20.5)


def frame_times() -> list[float]:
    return [T0 + i * STEP_S for i in range(int(SPAN_S / STEP_S))]


def tracks_in(i: int) -> int:
    return i % 4  # 0 to 3 tracks, so some frames are empty pictures


def record(store: SQLStore, run_id: str = RUN, *, wall: float = T0) -> None:
    """Three hours of one run from data time T0, recorded from wall time ``wall`` on."""
    store.start_run(run_info(run_id, wall=wall))
    for i, t in enumerate(frame_times()):
        store.add_frame(run_id, frame(t, tracks_in(i), seed=i))
    n_raw = int(SPAN_S / RAW_STEP_S)
    store.add_raw(run_id, [raw_message(k) for k in range(n_raw)])
    store.add_reports(run_id, reports(60, t=T0))
    store.add_events(run_id, EVENTS)
    store.add_action(run_id, ACTION)


def raw_message(k: int) -> RawMessage:
    return RawMessage("adsb", T0 + k * RAW_STEP_S, "10.0.0.1:30005", bytes([k % 256]) * 20)


def expected_frames(now_data: float) -> list[float]:
    """What the policy keeps at data time ``now_data``, worked out from the times alone."""
    expire = math.floor((now_data - 2 * HOUR) / 60.0) * 60.0  # whole minutes expire
    thin = now_data - 0.5 * HOUR
    kept, minutes = [], set()
    for t in frame_times():
        if t >= thin:
            kept.append(t)
        elif t >= expire and math.floor(t / 60.0) not in minutes:
            minutes.add(math.floor(t / 60.0))
            kept.append(t)
    return kept


class CountingBackend:
    """A backend that notes the rows each write transaction changed."""

    def __init__(self, inner: Backend):
        self.inner = inner
        self.writes: list[int] = []

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Session]:
        with self.inner.transaction(write=write) as s:
            counting = _CountingSession(s)
            yield counting
        if write:
            self.writes.append(counting.changed)

    def release_space(self, max_pages: int) -> int:
        released = self.inner.release_space(max_pages)
        if released:  # a transaction that deleted no rows
            self.writes.append(0)
        return released

    def close(self) -> None:
        self.inner.close()


class _CountingSession:
    def __init__(self, inner: Session):
        self.inner = inner
        self.changed = 0

    def query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return self.inner.query(sql, params)

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        n = self.inner.execute(sql, params)
        self.changed += n
        return n

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        self.inner.insert(table, columns, rows)


def counting(store: SQLStore) -> CountingBackend:
    backend = CountingBackend(store._backend)
    store._backend = backend
    return backend


# ---- what is kept ------------------------------------------------------------------------
@pytest.mark.parametrize("recorded_later_s", [0.0, 400 * DAY], ids=["live", "replayed-old-data"])
def test_old_frames_are_thinned_and_expired_raw_deleted_the_record_kept(
    store: SQLStore, recorded_later_s: float
) -> None:
    """Data time T0 recorded at wall time T0 (live) or 400 days later (a replay of old data):
    three hours after the recording started, the same things go."""
    wall = T0 + recorded_later_s
    record(store, wall=wall)
    before_reports = store.reports(RUN)
    backend = counting(store)

    result = store.apply_retention(POLICY, now=wall + SPAN_S)

    kept = expected_frames(T0 + SPAN_S)
    all_times = frame_times()
    assert store.frame_times(RUN) == kept
    assert len(kept) < len(all_times) and kept[-1] == all_times[-1]
    thinned = [t for t in kept if t < T0 + SPAN_S - 0.5 * HOUR]
    assert thinned[0] >= T0 + 1 * HOUR - 60.0  # nothing older than two hours (whole minutes)
    assert all(b - a >= 60.0 for a, b in itertools.pairwise(thinned))
    assert {math.floor(t / 60) for t in thinned} == set(
        range(math.floor(thinned[0] / 60), math.floor(thinned[-1] / 60) + 1)
    )  # one each minute
    gone = sorted(set(all_times) - set(kept))
    n_of = {t: tracks_in(i) for i, t in enumerate(all_times)}
    assert (result.frames, result.frame_rows) == (len(gone), sum(n_of[t] for t in gone))
    # the rows of every kept frame, and no other, are still there
    track_1 = [t for t in kept if n_of[t] >= 1]
    np.testing.assert_array_equal(store.track_history(RUN, 1).times, track_1)
    assert all(len(f) == n_of[f.t] for f in store.frames(RUN))

    raw_cut = T0 + 1 * HOUR
    n_raw = int(SPAN_S / RAW_STEP_S)
    assert store.raw(RUN) == [raw_message(k) for k in range(n_raw) if raw_message(k).t_receive
                              >= raw_cut]  # fmt: skip
    assert result.raw == sum(1 for k in range(n_raw) if raw_message(k).t_receive < raw_cut)

    assert_reports_equal(store.reports(RUN), before_reports)
    assert store.events(RUN) == EVENTS
    assert store.actions(RUN) == [ACTION]
    assert store.run(RUN).t_start == T0
    # bounded transactions: none changed more than a batch of rows (headers included)
    assert result.complete and len(backend.writes) == result.transactions
    assert max(backend.writes) <= POLICY.batch_rows
    changed = result.frames + result.frame_rows + result.raw
    assert sum(backend.writes) == changed
    assert result.transactions >= changed / POLICY.batch_rows


def test_a_second_application_deletes_nothing_more(store: SQLStore) -> None:
    record(store)
    now = T0 + SPAN_S
    first = store.apply_retention(POLICY, now)
    assert first.frames > 0 and first.raw > 0
    times, raw = store.frame_times(RUN), store.raw(RUN)
    assert store.apply_retention(POLICY, now) == RetentionResult()
    assert store.frame_times(RUN) == times and store.raw(RUN) == raw


def test_later_applications_keep_thinning_as_the_run_ages(store: SQLStore) -> None:
    """Applied every 10 minutes, then once at the end: the same picture as applied once."""
    record(store)
    for minutes in range(0, 181, 10):
        store.apply_retention(POLICY, T0 + minutes * 60.0)
    assert store.frame_times(RUN) == expected_frames(T0 + SPAN_S)


def test_recent_data_is_untouched(store: SQLStore) -> None:
    record(store)
    now = T0 + 0.5 * HOUR - 1.0  # less than half an hour after the first frame
    assert store.apply_retention(POLICY, now) == RetentionResult()
    assert store.frame_times(RUN) == frame_times()
    assert len(store.raw(RUN)) == int(SPAN_S / RAW_STEP_S)


def test_a_replay_of_old_data_is_as_young_as_its_recording(store: SQLStore) -> None:
    """Data a year old, recorded ten minutes ago: nothing goes; each run is aged on its own."""
    record(store, "live", wall=T0)
    record(store, "replayed", wall=T0 + 365 * DAY)
    result = store.apply_retention(POLICY, now=T0 + 365 * DAY + 600.0)
    assert store.frame_times("replayed") == frame_times()
    assert len(store.raw("replayed")) == int(SPAN_S / RAW_STEP_S)
    assert store.frame_times("live") == [] and store.raw("live") == []  # a year old
    assert result.frames == len(frame_times())
    assert store.run("live").source and len(store.reports("live")) == 60  # the record stays


def test_runs_with_no_data_or_no_wall_time_are_left_alone(store: SQLStore) -> None:
    store.start_run(run_info("empty", t_start=math.nan))
    store.start_run(run_info("no-wall", wall=math.nan))
    store.add_frame("no-wall", frame(T0, 2))
    assert store.apply_retention(POLICY, now=T0 + 100 * DAY) == RetentionResult()
    assert store.frame_times("no-wall") == [T0]


def test_a_run_without_t_start_is_placed_by_its_first_data(store: SQLStore) -> None:
    store.start_run(run_info(RUN, t_start=math.nan, wall=T0))
    for i, t in enumerate(frame_times()):
        store.add_frame(RUN, frame(t, tracks_in(i), seed=i))
    store.apply_retention(POLICY, now=T0 + SPAN_S)
    assert store.frame_times(RUN) == expected_frames(T0 + SPAN_S)


def test_keeping_frames_for_ever_still_deletes_raw(store: SQLStore) -> None:
    record(store)
    policy = RetentionPolicy(raw_days=2 / 24, frame_days=math.inf, full_frames_hours=math.inf)
    result = store.apply_retention(policy, now=T0 + SPAN_S)
    assert store.frame_times(RUN) == frame_times()
    assert result.frames == 0 and result.raw == int(HOUR / RAW_STEP_S)


def test_reports_are_kept_unless_report_days_is_set(store: SQLStore) -> None:
    record(store)
    store.add_reports(RUN, reports(40, first_id=60, t=T0 + 2 * HOUR))
    assert store.apply_retention(POLICY, now=T0 + SPAN_S).reports == 0
    assert len(store.reports(RUN)) == 100
    policy = RetentionPolicy(report_days=2 / 24, batch_rows=7, pause_s=0.0)
    result = store.apply_retention(policy, now=T0 + SPAN_S)
    assert result.reports == 60 and result.transactions >= 60 / 7
    assert_reports_equal(store.reports(RUN), reports(40, first_id=60, t=T0 + 2 * HOUR))


def test_a_frame_listing_skips_frames_deleted_after_it_was_made(store: SQLStore) -> None:
    """A replay lists the frame times first and reads each frame as it gets to it."""
    record(store)
    listing = store.frames(RUN)
    store.apply_retention(POLICY, now=T0 + SPAN_S)
    played = list(listing)
    assert [f.t for f in played] == expected_frames(T0 + SPAN_S)


def test_stopping_ends_between_transactions(store: SQLStore) -> None:
    record(store)
    stop = threading.Event()
    stop.set()
    result = store.apply_retention(POLICY, now=T0 + SPAN_S, stop=stop)
    assert not result.complete and result.transactions == 1
    assert store.apply_retention(POLICY, now=T0 + SPAN_S).complete


# ---- under a writer ----------------------------------------------------------------------
def test_a_writer_keeps_writing_while_retention_deletes(opener: Opener) -> None:
    """A live run keeps recording frames and reports through its own store (a connection of
    its own, as the pipeline's store stage) while retention thins an old run."""
    store = opener()
    record(store, "old", wall=T0)
    store.start_run(run_info("live", t_start=T0 + SPAN_S, wall=T0 + SPAN_S))
    writer_store = store if isinstance(store, SQLiteStore) and _memory(store) else opener()
    policy = RetentionPolicy(
        raw_days=2 / 24, frame_days=2 / 24, full_frames_hours=0.5, batch_rows=10, pause_s=0.002
    )
    done, errors, written = threading.Event(), [], []
    during = 0

    def write() -> None:
        nonlocal during
        i = 0
        try:
            while not done.is_set() or i < 20:
                t = T0 + SPAN_S + i
                writer_store.add_frame("live", frame(t, 3, seed=i))
                writer_store.add_reports("live", reports(5, first_id=5 * i, t=t))
                written.append(t)
                during += not done.is_set()
                i += 1
        except Exception as exc:  # the test reports any failure
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        result = store.apply_retention(policy, now=T0 + SPAN_S)
    finally:
        done.set()
        thread.join(60.0)
    assert not errors and not thread.is_alive()
    assert result.complete and result.transactions > 20  # many short transactions
    assert during > 0  # the writer wrote while retention was deleting
    assert store.frame_times("live") == written
    assert len(store.reports("live")) == 5 * len(written)
    assert store.frame_times("old") == expected_frames(T0 + SPAN_S)


def _memory(store: SQLiteStore) -> bool:
    return bool(getattr(store._backend, "_memory", False))


# ---- space -------------------------------------------------------------------------------
def test_sqlite_gives_freed_pages_back(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "dw.db")
    try:
        record(store)
        before = _pragma(tmp_path / "dw.db", "page_count")
        backend = counting(store)
        result = store.apply_retention(POLICY, now=T0 + SPAN_S)
        assert result.released_bytes > 0
        assert _pragma(tmp_path / "dw.db", "freelist_count") == 0
        pages_gone = before - _pragma(tmp_path / "dw.db", "page_count")
        assert pages_gone * _pragma(tmp_path / "dw.db", "page_size") == result.released_bytes
        # in steps of RELEASE_PAGES, not a page per transaction
        assert backend.writes.count(0) == math.ceil(pages_gone / RELEASE_PAGES)
    finally:
        store.close()


def test_an_older_sqlite_file_reuses_freed_pages(tmp_path: Path) -> None:
    """A file created without auto-vacuum keeps its size: nothing is given back, no error."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE older (x)")  # a table first: auto_vacuum stays NONE
    conn.close()
    store = SQLiteStore(path)
    try:
        record(store)
        result = store.apply_retention(POLICY, now=T0 + SPAN_S)
        assert result.frames > 0 and result.released_bytes == 0
        assert _pragma(path, "auto_vacuum") == 0 and _pragma(path, "freelist_count") > 0
    finally:
        store.close()


def test_postgres_reuses_space(postgres_dsn: str) -> None:
    store = PostgresStore(postgres_dsn)
    try:
        record(store)
        result = store.apply_retention(POLICY, now=T0 + SPAN_S)
        assert result.frames > 0 and result.released_bytes == 0
    finally:
        store.close()


def _pragma(path: Path, name: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"PRAGMA {name}").fetchone()[0])
    finally:
        conn.close()


# ---- the policy --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "field, value",
    [
        ("raw_days", 0.0),
        ("report_days", -math.inf),
        ("frame_days", -1.0),
        ("frame_days", math.nan),
        ("full_frames_hours", -0.5),
        ("thin_to_s", 0.0),
        ("thin_to_s", math.inf),
        ("batch_rows", 0),
        ("pause_s", -1.0),
    ],
)
def test_a_bad_policy_is_refused(field: str, value: float) -> None:
    with pytest.raises(ConfigError, match=field):
        RetentionPolicy(**{field: value})  # type: ignore[arg-type]


def test_default_policy_is_documented_values() -> None:
    p = RetentionPolicy()
    assert (p.raw_days, p.frame_days, p.full_frames_hours, p.thin_to_s) == (30, 30, 24, 60)
