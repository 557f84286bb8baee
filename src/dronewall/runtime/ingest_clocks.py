"""Receive times for recordings that do not carry them (``docs/ingest.md``, "Times"): the
clocks ``dronewall ingest`` runs beside a file to give each message the ``t_receive`` the
live transport would have given it.

* ``TickClock`` — the 48-bit 12 MHz counter of Beast and AVR frames (dump1090, readsb, the
  Mode-S Beast: a free-running counter, not a clock; ``sensors/modes/timing.py``): elapsed
  time is the counter's progression, unwrapped modulo 2^48. A jump the next frame does not
  confirm is one corrupt timestamp and is ignored; a confirmed backward jump is the receiver
  restarting its counter (counted; time goes on from where it was).
* ``DayClock`` — ASTERIX time of day (seconds since UTC midnight, EUROCONTROL-SPEC-0149 I048/140,
  I034/030) on a running date: a fall of more than 12 h is the next day.
* ``HourClock`` — Remote ID timestamps (tenths of a second after the full hour, ASTM F3411-22a
  Table 6) on a running hour, by ``sensors.remoteid.reports.resolve_time``.
* ``SbsTime`` — the date/time fields of an SBS line in the receiver's zone.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dronewall.core.errors import ConfigError
from dronewall.sensors.remoteid.reports import resolve_time

CLOCK_HZ: Final = 12_000_000.0  # the Beast / dump1090 / readsb counter (sensors/modes/timing)
WRAP: Final = 1 << 48
# Frames a little out of counter order (a receiver merging two demodulators) are placed back
# in time, up to this; a fall further back is the counter restarting (or a corrupt stamp).
REORDER_S: Final = 1.0
# A jump forward further than this is believed only when the next frame's stamp agrees: one
# bit flip in a stamp must not move the whole rest of a recording by hours.
JUMP_S: Final = 60.0
DAY_S: Final = 86_400.0
HALF_DAY_S: Final = DAY_S / 2


class TickClock:
    """Seconds elapsed since the first stamped frame, from the frames' 12 MHz stamps."""

    def __init__(self, hz: float = CLOCK_HZ):
        self.hz = hz
        self.elapsed = 0.0  # at the latest trusted stamp
        self.stamped = 0  # frames with a stamp
        self.unstamped = 0  # frames without (zero), given the latest time
        self.restarts = 0  # confirmed backward jumps: the counter restarted
        self.outliers = 0  # stamps no later frame confirmed
        self._last: int | None = None
        self._candidate: int | None = None

    def time(self, ticks: int) -> float:
        """The elapsed time of a frame stamped ``ticks`` (0: no stamp)."""
        if not ticks:
            self.unstamped += 1
            return self.elapsed
        self.stamped += 1
        if self._last is None:
            self._last = ticks
            return self.elapsed
        delta = self._delta(ticks, self._last)
        if -REORDER_S <= delta <= JUMP_S:
            if self._candidate is not None:
                self.outliers += 1  # the jump before was not confirmed: a corrupt stamp
                self._candidate = None
            if delta < 0:
                return self.elapsed + delta  # a little out of order: not the clock's new time
            self._last, self.elapsed = ticks, self.elapsed + delta
            return self.elapsed
        return self._jump(ticks, delta)

    def _jump(self, ticks: int, delta: float) -> float:
        candidate, self._candidate = self._candidate, ticks
        if candidate is None:
            return self.elapsed  # wait for the next frame to confirm it
        step = self._delta(ticks, candidate)
        if not 0 <= step <= JUMP_S:
            self.outliers += 1  # the previous candidate was not confirmed
            return self.elapsed
        self._candidate = None
        jump = self._delta(candidate, self._last) if self._last is not None else 0.0
        if jump < 0:
            self.restarts += 1
            jump = 0.0  # a restarted counter: the time between is unknown
        self._last, self.elapsed = ticks, self.elapsed + jump + step
        return self.elapsed

    def _delta(self, ticks: int, reference: int) -> float:
        """Counter difference in seconds, in [−2^47, 2^47) ticks."""
        d = (ticks - reference) % WRAP
        if d >= WRAP // 2:
            d -= WRAP
        return d / self.hz


class DayClock:
    """POSIX times of ASTERIX times of day on a running date starting on ``day`` (UTC)."""

    def __init__(self, day: dt.date):
        self.midnight = (day.toordinal() - dt.date(1970, 1, 1).toordinal()) * DAY_S
        self._last_tod: float | None = None
        self._next_day: float | None = None  # a time of day that fell past midnight
        self.days = 0
        self.outliers = 0

    def time(self, time_of_day_s: float | None) -> float:
        """The time of a block whose first record is stamped ``time_of_day_s`` (None: not
        stamped: the last time). A fall of more than 12 h is the next day once the next
        stamped block agrees (within ``JUMP_S``): one corrupt stamp does not move the date."""
        last = self._last_tod
        if time_of_day_s is None or not 0 <= time_of_day_s < DAY_S:
            return self.midnight + (last or 0.0)
        if last is None:
            self._last_tod = time_of_day_s
            return self.midnight + time_of_day_s
        candidate, self._next_day = self._next_day, None
        if last - time_of_day_s > HALF_DAY_S:
            if candidate is not None and 0 <= time_of_day_s - candidate <= JUMP_S:
                self.midnight += DAY_S
                self.days += 1
                self._last_tod = time_of_day_s
            else:
                self._next_day = time_of_day_s
            return self.midnight + time_of_day_s + (DAY_S if self._next_day is not None else 0)
        if candidate is not None:
            self.outliers += 1
        if time_of_day_s - last > HALF_DAY_S:
            return self.midnight + time_of_day_s - DAY_S  # late block from before midnight
        self._last_tod = time_of_day_s
        return self.midnight + time_of_day_s


class HourClock:
    """A running time that follows Remote ID timestamps from ``start``."""

    def __init__(self, start: float):
        self.now = start
        self._started = False

    def time(self, seconds_after_hour: float) -> float:
        """The time now, moved on by a message stamped ``seconds_after_hour`` (NaN: none).
        The first stamp sets it (``start`` only chose its hour); later ones only move it on."""
        if math.isfinite(seconds_after_hour) and 0 <= seconds_after_hour < 3600.0:
            t = resolve_time(seconds_after_hour, self.now)
            self.now = t if not self._started else max(self.now, t)
            self._started = True
        return self.now


class SbsTime:
    """POSIX time of an SBS line's date (``YYYY/MM/DD``) and time (``HH:MM:SS.fff``) fields,
    written on the receiver's clock in ``zone`` (UTC, ``+02:00`` or an IANA name)."""

    def __init__(self, zone: str = "UTC"):
        self.zone = _zone(zone)

    def __call__(self, date: str, clock: str) -> float | None:
        try:
            hours, minutes, seconds = clock.split(":")
            hour = int(hours)
            day, offset = self._day(date.strip(), hour)
            t = day + hour * 3600 + int(minutes) * 60 + float(seconds) - offset
        except (ValueError, OverflowError):
            return None
        return t if math.isfinite(t) else None

    @lru_cache(maxsize=64)  # noqa: B019  (a few dates and hours per file; instances are few)
    def _day(self, date: str, hour: int) -> tuple[float, float]:
        """(the date's midnight as if UTC, the zone's UTC offset at that hour)."""
        year, month, day = (int(part) for part in date.split("/"))
        local = dt.datetime(year, month, day, min(max(hour, 0), 23), tzinfo=self.zone)
        offset = local.utcoffset() or dt.timedelta(0)
        midnight = (dt.date(year, month, day).toordinal() - 719_163) * DAY_S  # 1970-01-01
        return midnight, offset.total_seconds()


def _zone(text: str) -> dt.tzinfo:
    """``UTC``, ``Z``, ``+HH:MM`` / ``-HH:MM`` or an IANA zone name; ConfigError otherwise."""
    text = text.strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return dt.UTC
    if text[:1] in "+-" and len(text) in (3, 5, 6):
        try:
            hours, minutes = int(text[1:3]), int(text[-2:]) if len(text) > 3 else 0
        except ValueError:
            hours, minutes = 99, 0
        if hours <= 14 and minutes < 60:
            sign = -1 if text[0] == "-" else 1
            return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {text!r}: UTC, +HH:MM or a name such as "
                          "Europe/Paris", field="tz") from exc  # fmt: skip
