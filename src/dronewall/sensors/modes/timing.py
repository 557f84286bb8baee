"""When a frame was received, from the 48-bit timestamp Beast and AVR ("@", "%", "<") frames
carry (Mode-S Beast binary format; dump1090-fa ``net_io.c``).

The timestamp is not a clock time. In dump1090, readsb and the Mode-S Beast it is a free-running
12 MHz counter started at power-up (MLAT servers align receivers' counters among themselves);
a Radarcape in GPS mode instead puts seconds of the day (upper 18 bits) and nanoseconds
(lower 30 bits). So a frame's measurement time is ``t_receive`` — the wall clock when the bytes
arrived — and the counter is used only to space the frames of one read relative to each other:
the last frame of the read gets ``t_receive`` and every earlier one ``t_receive`` minus its
counter distance to it, when that distance is a plausible flush interval (non-negative and at
most ``max_chunk_spread_s``; else ``t_receive``). A zero timestamp (dump1090-fa without MLAT
data) means none. In "gps" mode the seconds of day are placed in the UTC day nearest
``t_receive`` and used when within ``max_chunk_spread_s`` of it (a receiver that stamps GPS
time, 18 s ahead of UTC, fails that check and falls back to ``t_receive``).
"""

from __future__ import annotations

from collections.abc import Sequence

from dronewall.sensors.modes.settings import TimestampMode

CLOCK_HZ = 12_000_000.0  # the Beast / dump1090 / readsb MLAT counter
WRAP = 1 << 48  # the counter is 48 bits wide (wraps after 271 days at 12 MHz)
DAY_S = 86_400.0


def frame_times(
    ticks: Sequence[int], t_receive: float, mode: TimestampMode, max_spread_s: float
) -> list[float]:
    """Measurement times for the frames of one read, in order."""
    if mode == "none" or not ticks:
        return [t_receive] * len(ticks)
    if mode == "gps":
        return [_gps_time(tick, t_receive, max_spread_s) for tick in ticks]
    anchor = next((tick for tick in reversed(ticks) if tick), 0)
    if not anchor:
        return [t_receive] * len(ticks)
    limit = max_spread_s * CLOCK_HZ
    times = []
    for tick in ticks:
        behind = (anchor - tick) % WRAP
        times.append(t_receive - behind / CLOCK_HZ if tick and behind <= limit else t_receive)
    return times


def _gps_time(tick: int, t_receive: float, max_spread_s: float) -> float:
    seconds, nanos = tick >> 30, tick & 0x3FFFFFFF
    if not tick or seconds >= DAY_S or nanos >= 1_000_000_000:
        return t_receive
    day = (t_receive // DAY_S) * DAY_S
    t = day + seconds + nanos * 1e-9
    t += DAY_S * round((t_receive - t) / DAY_S)  # the day nearest t_receive (around midnight)
    return t if abs(t - t_receive) <= max_spread_s else t_receive
