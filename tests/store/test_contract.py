"""The ``Store`` contract, run against every store: SQLite (file and memory) and PostgreSQL.

What goes in comes back: reports (every column, NaN and strings, in arrival order), picture
frames (every column), alert events, operator actions and runs; frame look-up by time, one
track's history; whole frames under a concurrent writer; clear errors for bad input.
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import pytest

from dronewall.assess import AlertEvent, AlertState, EventKind
from dronewall.core.errors import DronewallError, NotFoundError
from dronewall.core.types import ReportBatch
from dronewall.store import ActionRecord, PictureFrame, RawMessage, Store, StoreError
from dronewall.store.sql import SQLStore
from tests.store.conftest import (
    RUN,
    T0,
    Opener,
    assert_frames_equal,
    assert_reports_equal,
    assert_runs_equal,
    frame,
    reports,
    run_info,
)


def test_every_store_is_a_store(store: SQLStore) -> None:
    typed: Store = store  # mypy checks the protocol in open_store; this checks the methods
    for name in Store.__dict__:
        if not name.startswith("_"):
            assert callable(getattr(typed, name)), name


# ---- reports -------------------------------------------------------------------------------
def test_reports_come_back_equal_in_arrival_order(run_store: SQLStore) -> None:
    first, second = reports(700), reports(300, first_id=700)
    run_store.add_reports(RUN, first)
    run_store.add_reports(RUN, second)
    got = run_store.reports(RUN)
    assert_reports_equal(got, ReportBatch.concat([first, second]))
    assert np.isnan(got.range_m).any() and np.isinf(got.speed_mps).any()
    assert {"", "Ærø-ø✈", "tab\there", "new\nline", "back\\slash"} <= set(got.identity)


def test_reports_keep_the_order_they_were_added_in_not_time_order(run_store: SQLStore) -> None:
    late, early = reports(10, first_id=50), reports(10, first_id=0)
    run_store.add_reports(RUN, late)
    run_store.add_reports(RUN, early)
    assert_reports_equal(run_store.reports(RUN), ReportBatch.concat([late, early]))


def test_reports_window_is_half_open_on_arrival_time(run_store: SQLStore) -> None:
    batch = reports(100)  # t_arrival = T0 + 0.01 * id
    run_store.add_reports(RUN, batch)
    t0, t1 = float(batch.t_arrival[20]), float(batch.t_arrival[30])
    assert_reports_equal(run_store.reports(RUN, t0, t1), batch.take(np.arange(20, 30)))
    assert_reports_equal(run_store.reports(RUN, t0=t1), batch.take(np.arange(30, 100)))
    assert_reports_equal(run_store.reports(RUN, t1=t0), batch.take(np.arange(0, 20)))


def test_no_reports_is_an_empty_batch_of_the_right_types(run_store: SQLStore) -> None:
    run_store.add_reports(RUN, ReportBatch.empty())
    assert_reports_equal(run_store.reports(RUN), ReportBatch.empty())


def test_reports_of_one_run_stay_out_of_another(run_store: SQLStore) -> None:
    run_store.start_run(run_info("other", wall=2e9))
    run_store.add_reports("other", reports(5))
    assert len(run_store.reports(RUN)) == 0
    assert len(run_store.reports("other")) == 5


# ---- frames --------------------------------------------------------------------------------
def test_frame_comes_back_with_every_column(run_store: SQLStore) -> None:
    written = frame(T0, 500, seed=1)
    run_store.add_frame(RUN, written)
    read = run_store.frame_at(RUN, T0)
    assert_frames_equal(read, written)
    assert read is not None and read.probabilities.shape == (500, 4)
    assert np.isnan(read.time_to_site_s).sum() == np.isnan(written.time_to_site_s).sum() > 0


def test_an_empty_picture_is_recorded(run_store: SQLStore) -> None:
    run_store.add_frame(RUN, PictureFrame.empty(T0))
    assert run_store.frame_times(RUN) == [T0]
    assert_frames_equal(run_store.frame_at(RUN, T0 + 5.0), PictureFrame.empty(T0))


def test_frame_at_is_the_latest_frame_at_or_before_t(run_store: SQLStore) -> None:
    frames = {t: frame(t, 3 + i, seed=i) for i, t in enumerate([T0, T0 + 1.0, T0 + 2.5])}
    for f in frames.values():
        run_store.add_frame(RUN, f)
    assert run_store.frame_at(RUN, T0 - 0.001) is None
    assert run_store.frame_at(RUN, math.nan) is None
    assert_frames_equal(run_store.frame_at(RUN, T0), frames[T0])
    assert_frames_equal(run_store.frame_at(RUN, T0 + 0.999), frames[T0])
    assert_frames_equal(run_store.frame_at(RUN, T0 + 1.0), frames[T0 + 1.0])
    assert_frames_equal(run_store.frame_at(RUN, T0 + 2.4), frames[T0 + 1.0])
    assert_frames_equal(run_store.frame_at(RUN, math.inf), frames[T0 + 2.5])


def test_frames_iterate_in_time_order_within_a_closed_window(run_store: SQLStore) -> None:
    times = [T0 + 3.0, T0, T0 + 1.0, T0 + 2.0]  # written out of order
    written = {t: frame(t, 4, seed=int(t - T0)) for t in times}
    for t in times:
        run_store.add_frame(RUN, written[t])
    assert run_store.frame_times(RUN) == sorted(times)
    read = list(run_store.frames(RUN))
    assert [f.t for f in read] == sorted(times)
    for f in read:
        assert_frames_equal(f, written[f.t])
    assert [f.t for f in run_store.frames(RUN, T0 + 1.0, T0 + 2.0)] == [T0 + 1.0, T0 + 2.0]
    assert [f.t for f in run_store.frames(RUN, t0=T0 + 2.5)] == [T0 + 3.0]
    assert [f.t for f in run_store.frames(RUN, t1=T0 - 1.0)] == []


def test_track_history_gives_one_tracks_rows_over_time(run_store: SQLStore) -> None:
    written = [frame(T0 + i, 6, seed=i, first_track=1 + i) for i in range(5)]  # ids slide by 1
    for f in reversed(written):
        run_store.add_frame(RUN, f)
    history = run_store.track_history(RUN, 4)  # ids 1..6, 2..7, 3..8, 4..9, 5..10
    np.testing.assert_array_equal(history.times, [T0, T0 + 1, T0 + 2, T0 + 3])
    assert history.track_id == 4 and history.rows.t == T0 + 3
    for i, t in enumerate(history.times):
        row = written[i].take(np.flatnonzero(written[i].track_id == 4))
        got = history.rows.take([i])
        assert_frames_equal(PictureFrame(**{**_fields(got), "t": t}), row)
    window = run_store.track_history(RUN, 4, T0 + 1, T0 + 2)
    np.testing.assert_array_equal(window.times, [T0 + 1, T0 + 2])
    assert len(window.rows) == 2


def test_history_of_an_unrecorded_track_is_empty(run_store: SQLStore) -> None:
    run_store.add_frame(RUN, frame(T0, 3))
    history = run_store.track_history(RUN, 999)
    assert len(history.times) == 0 and len(history.rows) == 0 and math.isnan(history.rows.t)


def test_a_large_frame_round_trips(run_store: SQLStore) -> None:
    written = frame(T0, 10_000, seed=7)
    run_store.add_frame(RUN, written)
    assert_frames_equal(run_store.frame_at(RUN, T0), written)


# ---- events, actions, runs -----------------------------------------------------------------
EVENTS = [
    AlertEvent(EventKind.RAISED, T0, 7, 12, "EKCH", 78.5, AlertState.NEW, "drone inbound"),
    AlertEvent(EventKind.ESCALATED, T0 + 5, 7, 12, "EKCH", 88.0, AlertState.NEW, "closer"),
    AlertEvent(EventKind.ACKNOWLEDGED, T0 + 5, 7, 12, "EKCH", 88.0, AlertState.ACKNOWLEDGED, ""),
    AlertEvent(EventKind.SITE_CLEAR, T0 + 400, None, None, "EKCH", 0.0, None, "airspace clear"),
]


def test_events_come_back_equal_in_order(run_store: SQLStore) -> None:
    run_store.add_events(RUN, EVENTS[:2])
    run_store.add_events(RUN, [])
    run_store.add_events(RUN, EVENTS[2:])
    assert run_store.events(RUN) == EVENTS
    assert run_store.events(RUN, T0 + 5, T0 + 5) == EVENTS[1:3]
    assert run_store.events(RUN, t0=T0 + 6) == EVENTS[3:]


def test_an_event_priority_of_nan_round_trips(run_store: SQLStore) -> None:
    event = AlertEvent(EventKind.AUTO_CLEARED, T0, 1, 2, "", math.nan, AlertState.CLEARED, "")
    run_store.add_events(RUN, [event])
    (got,) = run_store.events(RUN)
    assert math.isnan(got.priority) and got.kind is EventKind.AUTO_CLEARED


def test_actions_come_back_equal_in_order(run_store: SQLStore) -> None:
    actions = [
        ActionRecord(T0 + 5, 7, "acknowledge", "ops-1", "", 1_764_250_005.25),
        ActionRecord(T0 + 9, 7, "engage", "ops-2", "team «B» sent\nat gate 3", 1_764_250_009.5),
        ActionRecord(T0 + 2, 3, "clear", "ops-1", "bird", 1_764_250_010.0),
    ]
    for action in actions:
        run_store.add_action(RUN, action)
    assert run_store.actions(RUN) == actions


def test_runs_are_listed_in_start_order_with_their_settings(store: SQLStore) -> None:
    second = run_info("r-2", wall=2_000.0, settings={"nested": {"a": [1, 2]}, "x": None})
    first = run_info("r-1", wall=1_000.0)
    store.start_run(second)
    store.start_run(first)
    assert_runs_equal(store.runs(), [first, second])
    assert store.run("r-2").settings == {"nested": {"a": [1, 2]}, "x": None}


def test_end_run_sets_t_end(run_store: SQLStore) -> None:
    assert math.isnan(run_store.run(RUN).t_end)
    run_store.end_run(RUN, T0 + 3600.0)
    assert run_store.run(RUN).t_end == T0 + 3600.0


def test_a_run_started_without_t_start_gets_its_first_data_time(store: SQLStore) -> None:
    store.start_run(run_info("live", t_start=math.nan))
    assert math.isnan(store.run("live").t_start)
    store.add_frame("live", frame(T0 + 10.0, 2))
    assert store.run("live").t_start == T0 + 10.0
    store.add_reports("live", reports(3, t=T0 + 2.0))
    assert store.run("live").t_start == T0 + 2.0
    assert store.runs()[0].t_start == T0 + 2.0


def test_what_was_recorded_is_there_when_the_store_is_opened_again(opener: Opener) -> None:
    first = opener()
    first.start_run(run_info())
    first.add_frame(RUN, frame(T0, 20))
    first.add_reports(RUN, reports(20))
    first.close()
    again = opener()
    assert_runs_equal(again.runs(), [run_info()])
    assert_frames_equal(again.frame_at(RUN, T0), frame(T0, 20))
    assert_reports_equal(again.reports(RUN), reports(20))


# ---- concurrency ---------------------------------------------------------------------------
def test_readers_never_see_a_partial_frame(run_store: SQLStore) -> None:
    """Two reader threads read while the writer writes frames of very different sizes; every
    frame read has exactly the rows written for its time."""
    sizes = {T0 + i: (0, 2_000, 17, 900, 1, 3_000)[i % 6] for i in range(24)}
    stop = threading.Event()
    reads = [0, 0]
    seen: set[float] = set()
    errors: list[BaseException] = []

    def check(got: PictureFrame) -> None:
        assert len(got) == sizes[got.t]
        np.testing.assert_array_equal(got.track_id, np.arange(sizes[got.t]) + 1)
        seen.add(got.t)

    def read(k: int) -> None:
        try:
            while not stop.is_set():
                latest = run_store.frame_at(RUN, math.inf)
                if latest is not None:
                    check(latest)
                times = run_store.frame_times(RUN)
                for got in run_store.frames(RUN, t0=times[-2] if len(times) > 1 else None):
                    check(got)
                reads[k] += 1
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=read, args=(k,)) for k in range(2)]
    for reader in readers:
        reader.start()
    try:
        for i, (t, n) in enumerate(sizes.items()):
            run_store.add_frame(RUN, frame(t, n, seed=i))
            _wait_for_reads(reads, errors)
    finally:
        stop.set()
        for reader in readers:
            reader.join(30.0)
    assert not errors, errors
    assert len(seen) >= len(sizes) // 2  # the readers really read while frames were written


def _wait_for_reads(reads: list[int], errors: list[BaseException]) -> None:
    """Let each reader finish one more pass (so reads overlap the next write)."""
    before = list(reads)
    deadline = time.monotonic() + 10.0
    while not errors and any(a <= b for a, b in zip(reads, before, strict=True)):
        if time.monotonic() > deadline:
            raise AssertionError("the readers stopped reading")
        time.sleep(0.001)


# ---- bad input -----------------------------------------------------------------------------
WRITES = {
    "add_frame": lambda s: s.add_frame("nope", frame(T0, 2)),
    "add_reports": lambda s: s.add_reports("nope", reports(2)),
    "add_events": lambda s: s.add_events("nope", EVENTS),
    "add_action": lambda s: s.add_action("nope", ActionRecord(T0, 1, "clear", "o", "", 0.0)),
    "end_run": lambda s: s.end_run("nope", T0),
}
READS = {
    "run": lambda s: s.run("nope"),
    "frame_times": lambda s: s.frame_times("nope"),
    "frame_at": lambda s: s.frame_at("nope", T0),
    "frames": lambda s: s.frames("nope"),
    "track_history": lambda s: s.track_history("nope", 1),
    "reports": lambda s: s.reports("nope"),
    "events": lambda s: s.events("nope"),
    "actions": lambda s: s.actions("nope"),
}


@pytest.mark.parametrize("call", WRITES.values(), ids=WRITES.keys())
def test_writing_to_an_unknown_run_is_not_found(run_store: SQLStore, call: object) -> None:
    with pytest.raises(NotFoundError, match="nope") as raised:
        call(run_store)  # type: ignore[operator]
    assert raised.value.kind == "run" and raised.value.key == "nope"
    assert [r.run_id for r in run_store.runs()] == [RUN]  # no run was made on the way


@pytest.mark.parametrize("call", READS.values(), ids=READS.keys())
def test_reading_an_unknown_run_is_not_found(run_store: SQLStore, call: object) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        call(run_store)  # type: ignore[operator]


def test_a_run_cannot_be_started_twice(run_store: SQLStore) -> None:
    with pytest.raises(StoreError, match="already recorded"):
        run_store.start_run(run_info(wall=5.0))
    assert_runs_equal(run_store.runs(), [run_info()])


def test_a_second_frame_at_the_same_time_is_refused(run_store: SQLStore) -> None:
    run_store.add_frame(RUN, frame(T0, 5, seed=1))
    with pytest.raises(StoreError, match="already recorded"):
        run_store.add_frame(RUN, frame(T0, 8, seed=2))
    assert_frames_equal(run_store.frame_at(RUN, T0), frame(T0, 5, seed=1))


def test_a_frame_at_no_time_is_refused(run_store: SQLStore) -> None:
    with pytest.raises(StoreError, match="finite"):
        run_store.add_frame(RUN, frame(math.nan, 3))
    assert run_store.frame_times(RUN) == []


def test_a_frame_with_ragged_columns_is_refused_and_nothing_is_written(
    run_store: SQLStore,
) -> None:
    good = frame(T0, 4)
    ragged = PictureFrame(**{**_fields(good), "lat_deg": good.lat_deg[:3]})
    with pytest.raises(StoreError, match="lat_deg"):
        run_store.add_frame(RUN, ragged)
    short_reasons = PictureFrame(**{**_fields(good), "threat_reasons": ["x"]})
    with pytest.raises(StoreError, match="threat_reasons"):
        run_store.add_frame(RUN, short_reasons)
    assert run_store.frame_times(RUN) == []
    assert len(run_store.track_history(RUN, 1).times) == 0


def test_ragged_reports_are_refused(run_store: SQLStore) -> None:
    good = reports(4)
    ragged = ReportBatch(**{**_fields(good), "identity": good.identity[:2]})
    with pytest.raises(StoreError, match="different lengths"):
        run_store.add_reports(RUN, ragged)
    assert len(run_store.reports(RUN)) == 0


def test_settings_that_are_not_json_are_refused(store: SQLStore) -> None:
    with pytest.raises(StoreError, match="JSON"):
        store.start_run(run_info(settings={"when": object()}))
    assert store.runs() == []


def test_a_closed_store_says_so(opener: Opener) -> None:
    store = opener()
    store.start_run(run_info())
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.runs()
    store.close()  # closing twice is harmless


def test_every_error_is_a_dronewall_error() -> None:
    assert issubclass(StoreError, DronewallError) and issubclass(NotFoundError, DronewallError)


def _fields(value: object) -> dict[str, object]:
    return {name: getattr(value, name) for name in type(value).__slots__}


def test_raw_feed_messages_come_back_byte_for_byte_in_receive_order(run_store: SQLStore) -> None:
    messages = [
        RawMessage("radar", 10.0, "10.0.0.1:8600", bytes(range(256))),
        RawMessage("mqtt", 10.5, "dronewall/v1/n1/detections", b'{"az": 1}'),
        RawMessage("radar", 11.0, "10.0.0.1:8600", b""),
    ]
    run_store.add_raw(RUN, messages[:2])
    run_store.add_raw(RUN, messages[2:])
    assert run_store.raw(RUN) == messages
    assert run_store.raw(RUN, 10.5, 11.0) == [messages[1]]  # half-open on receive time
    with pytest.raises(NotFoundError):
        run_store.raw("no-such-run")
