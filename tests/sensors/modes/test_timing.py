"""Frame times from the 48-bit Beast/AVR timestamp (``timing.py``)."""

from __future__ import annotations

import pytest

from dronewall.sensors.modes.timing import CLOCK_HZ, WRAP, frame_times

T = 1_700_000_000.25


def test_12mhz_spacing_back_from_the_last_frame() -> None:
    ticks = [0, 1_000, 1_000 + int(0.3 * CLOCK_HZ), 1_000 + int(0.5 * CLOCK_HZ)]
    times = frame_times(ticks, T, "12mhz", 2.0)
    assert times[0] == T  # no timestamp
    assert times[1:] == pytest.approx([T - 0.5, T - 0.2, T])


def test_12mhz_across_the_counter_wrap() -> None:
    times = frame_times([WRAP - 12_000, 12_000], T, "12mhz", 2.0)
    assert times == pytest.approx([T - 0.002, T])


def test_12mhz_implausible_spacing_falls_back() -> None:
    times = frame_times([int(10 * CLOCK_HZ), 5, int(3 * CLOCK_HZ)], T, "12mhz", 2.0)
    assert times == [T, T, T]  # 7 s behind, ahead of the anchor, the anchor


def test_gps_seconds_of_day() -> None:
    seconds_of_day = T % 86_400
    whole, frac = int(seconds_of_day - 0.1), (seconds_of_day - 0.1) % 1
    tick = whole << 30 | round(frac * 1e9)
    assert frame_times([tick], T, "gps", 2.0) == pytest.approx([T - 0.1], abs=1e-6)
    # 18 s ahead (GPS time, not UTC): beyond the window.
    ahead = (whole + 18) << 30
    assert frame_times([ahead], T, "gps", 2.0) == [T]
    assert frame_times([0, 86_401 << 30], T, "gps", 2.0) == [T, T]


def test_gps_just_after_midnight() -> None:
    midnight = 1_700_006_400.0  # a multiple of 86400
    tick = (86_399 << 30) | 900_000_000  # 23:59:59.9 of the day before
    assert frame_times([tick], midnight + 0.05, "gps", 2.0) == pytest.approx([midnight - 0.1])


def test_none_mode() -> None:
    assert frame_times([1, 2, 3], T, "none", 2.0) == [T, T, T]
    assert frame_times([], T, "12mhz", 2.0) == []
