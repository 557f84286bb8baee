"""The retention task (``runtime/retention.py``): a pass at start and every interval on a thread
of its own, what it deletes counted in Prometheus terms, failures counted and survived, a
prompt stop; and a thinned run still replays (``FramePlayer`` plays the frames that are left).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
from prometheus_client import CollectorRegistry, generate_latest

from dronewall.assess import AlertEvent
from dronewall.core.tracks import SensorGeometry
from dronewall.runtime.player import FramePlayer
from dronewall.runtime.retention import RetentionTask
from dronewall.store import PictureFrame, RetentionPolicy
from dronewall.store.sqlite import SQLiteStore
from tests.store.conftest import RUN, T0
from tests.store.test_retention import EVENTS, POLICY, SPAN_S, expected_frames, frame_times, record

EMPTY = np.zeros(0)
NO_SENSORS = SensorGeometry([], np.zeros(0, np.uint8), EMPTY, EMPTY, EMPTY, np.zeros((0, 3)), EMPTY)


class Clock:
    """A wall clock the test moves."""

    def __init__(self, t: float):
        self.t = t

    def __call__(self) -> float:
        return self.t


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    value = registry.get_sample_value(name, labels)
    return math.nan if value is None else value


def wait_for(condition: object, what: str) -> None:
    """Liveness only: the task's thread gets there (generous bound, nothing timed)."""
    deadline = time.monotonic() + 60.0
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def test_a_pass_deletes_and_counts(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "dw.db")
    record(store)
    registry = CollectorRegistry()
    clock = Clock(T0 + 600.0)
    task = RetentionTask(store, POLICY, registry=registry, clock=clock)

    first = task.run_once()  # ten minutes in: nothing is old yet
    assert first is not None and first.frames == 0
    clock.t = T0 + SPAN_S
    second = task.run_once()
    assert second is not None and second.frames > 0
    assert store.frame_times(RUN) == expected_frames(T0 + SPAN_S)

    assert sample(registry, "dronewall_retention_passes_total") == 2
    deleted = "dronewall_retention_deleted_total"
    assert sample(registry, deleted, table="frames") == second.frames
    assert sample(registry, deleted, table="frame_rows") == second.frame_rows
    assert sample(registry, deleted, table="raw") == second.raw
    assert sample(registry, deleted, table="reports") == 0
    released = sample(registry, "dronewall_retention_released_bytes_total")
    assert released == second.released_bytes > 0
    assert sample(registry, "dronewall_retention_pass_seconds") >= 0
    assert b"dronewall_retention_errors_total 0.0" in generate_latest(registry)
    store.close()


def test_the_thread_runs_at_start_and_stops_promptly(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "dw.db")
    record(store)
    task = RetentionTask(store, POLICY, interval_s=3600.0, clock=Clock(T0 + SPAN_S))
    task.start()
    wait_for(lambda: task.passes >= 1, "the first pass at start")
    assert task.last is not None and task.last.frames > 0
    task.stop()
    assert task.join(30.0)  # not an hour: the wait between passes ends at once
    assert task.passes == 1
    store.close()


def test_a_failed_pass_is_counted_and_the_next_one_runs(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "dw.db")
    registry = CollectorRegistry()
    task = RetentionTask(store, POLICY, interval_s=0.01, registry=registry)
    store.close()  # every pass now fails: the store is closed
    task.start()
    wait_for(lambda: sample(registry, "dronewall_retention_errors_total") >= 2, "two failures")
    task.stop()
    assert task.join(30.0)
    assert task.passes == 0 and task.last is None


def test_a_thinned_run_replays_what_is_left_with_every_event(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "dw.db")
    record(store)
    store.apply_retention(POLICY, now=T0 + SPAN_S)
    player = FramePlayer(store, RUN, NO_SENSORS, speed=1e6)
    frames: list[PictureFrame] = []
    events: list[AlertEvent] = []
    player.on_frame(lambda f, _w, _s: frames.append(f))
    player.on_events(events.extend)
    player.start()
    assert player.join(60.0)
    assert [f.t for f in frames] == expected_frames(T0 + SPAN_S) == store.frame_times(RUN)
    assert len(frames) < len(frame_times())
    assert events == EVENTS  # the alert record is whole, from before the first frame left
    assert player.summary.state == "finished"
    store.close()


def test_bad_interval_is_refused(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "dw.db")
    try:
        RetentionTask(store, RetentionPolicy(), interval_s=0.0)
    except ValueError as exc:
        assert "interval_s" in str(exc)
    else:
        raise AssertionError("interval_s=0 accepted")
    finally:
        store.close()
