"""ASTERIX time of day to POSIX time.

I048/140 and I034/030 (EUROCONTROL-SPEC-0149-4 CAT048, -2B CAT034, "Time of Day") carry the
seconds since the last UTC midnight, LSB 1/128 s, "reset to zero each day at midnight"; the
date is not sent. It is taken from the arrival time: of the candidate instants on the day
before, the day of and the day after ``t_receive``, the one within ±12 h of it. That is right
for any transport delay or clock difference under 12 h, across midnight both ways (a plot
stamped 23:59:59.9 arriving at 00:00:00.2 belongs to the previous day).
"""

from __future__ import annotations

from typing import Final

DAY_S: Final = 86_400.0
HALF_DAY_S: Final = DAY_S / 2.0


def resolve_time_of_day(time_of_day_s: float, t_receive: float) -> float:
    """The POSIX time (UTC) of ``time_of_day_s`` on the day that puts it within ±12 h of
    ``t_receive``. POSIX days are exactly 86,400 s (leap seconds are not counted)."""
    midnight = t_receive - (t_receive % DAY_S)
    t = midnight + time_of_day_s
    if t - t_receive > HALF_DAY_S:
        t -= DAY_S
    elif t_receive - t >= HALF_DAY_S:
        t += DAY_S
    return t
