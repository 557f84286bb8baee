"""Injected time: ``ManualClock`` moves only when told and never backwards."""

from __future__ import annotations

import time

import pytest

from dronewall.core import Clock, ManualClock, SystemClock


def test_manual_clock_starts_where_told_and_advances() -> None:
    clock = ManualClock(1_700_000_000.0)
    assert clock.now() == 1_700_000_000.0
    assert clock.now() == 1_700_000_000.0  # reading does not move it
    clock.advance(2.5)
    clock.advance(0.0)
    assert clock.now() == 1_700_000_002.5
    clock.set(1_700_000_010.0)
    assert clock.now() == 1_700_000_010.0
    clock.set(1_700_000_010.0)  # setting the same time is not going backwards
    assert clock.now() == 1_700_000_010.0


def test_manual_clock_defaults_to_epoch() -> None:
    assert ManualClock().now() == 0.0


def test_manual_clock_cannot_advance_backwards() -> None:
    clock = ManualClock(100.0)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-0.001)
    assert clock.now() == 100.0


def test_manual_clock_cannot_be_set_backwards() -> None:
    clock = ManualClock(100.0)
    with pytest.raises(ValueError, match="backwards"):
        clock.set(99.999)
    assert clock.now() == 100.0


def test_system_clock_reads_wall_time() -> None:
    before = time.time()
    now = SystemClock().now()
    after = time.time()
    assert before <= now <= after


def _read(clock: Clock) -> float:
    return clock.now()


def test_both_clocks_satisfy_the_protocol() -> None:
    assert _read(ManualClock(5.0)) == 5.0
    assert _read(SystemClock()) > 1_600_000_000.0  # after September 2020
