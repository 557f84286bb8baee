"""Mode S recordings cut into the reads a receiver's TCP port would have given
(``docs/ingest.md``, "Times"): Beast binary frames (``0x1A type timestamp(6) signal payload``,
0x1A doubled inside; ``sensors/modes/beast.py``) and AVR lines (``@``/``%``/``<`` + 12 hex
digits of timestamp; ``sensors/modes/avr.py``) grouped into reads of at most ``GROUP_S`` of
the receiver's 12 MHz counter (``TickClock``), each read at the time of its last frame — the
adapter spaces the frames of a read by the same counter; SBS-1 lines grouped the same way by
their logged date and time (fields 9–10; generated, 7–8, where none is logged) in the
receiver's zone.

The cutting only finds frame ends and counters; the adapters' own framers decode (and count
what is not a frame), whatever the cut.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO, Final

from dronewall.runtime.ingest_clocks import SbsTime, TickClock
from dronewall.runtime.ingest_sources import MAX_LINE, InputStats, lines, read_chunks
from dronewall.sensors.modes.beast import BODY_BYTES, ESCAPE
from dronewall.store import RawMessage

GROUP_S: Final = 0.02  # a read spans at most this much receiver time (20 ms)
GROUP_BYTES: Final = 1 << 16  # … and at most this many bytes, as a socket read would
_STAMPED_BEAST = frozenset(b"123")  # Mode A/C, short and long Mode S frames carry the counter
_AVR_STAMPED = frozenset(b"@%<")

Stamped = tuple[int, int]  # (end offset of a frame or line in the buffer, its counter or 0)


def beast_units(buf: bytes, pos: int) -> tuple[list[Stamped], int]:
    """Complete Beast frames from ``pos``: (end, ticks) each, and where the rest starts."""
    out: list[Stamped] = []
    end = len(buf)
    while (j := buf.find(ESCAPE, pos)) >= 0 and j + 1 < end:
        size = BODY_BYTES.get(buf[j + 1])
        if size is None:
            pos = j + 2
            continue
        body = buf[j + 2 : j + 2 + size]
        if len(body) == size and ESCAPE not in body:
            stop = j + 2 + size
        else:
            stop, body = _escaped_body(buf, j + 2, size)
            if stop < 0:
                return out, j  # incomplete: wait for more bytes
        ticks = int.from_bytes(body[:6], "big") if buf[j + 1] in _STAMPED_BEAST else 0
        out.append((stop, ticks if len(body) == size else 0))
        pos = stop
    j = buf.find(ESCAPE, pos)
    return out, end if j < 0 else j  # bytes before a 0x1A are not a frame: hand them on


def _escaped_body(buf: bytes, i: int, size: int) -> tuple[int, bytes]:
    """(end, body) of a body with doubled 0x1A from ``i``; a lone 0x1A cuts it short (end at
    it, body short); end −1 when the buffer ends first."""
    body = bytearray()
    end = len(buf)
    while len(body) < size:
        if i >= end:
            return -1, b""
        if buf[i] == ESCAPE:
            if i + 1 >= end:
                return -1, b""
            if buf[i + 1] != ESCAPE:
                return i, bytes(body)  # cut: the next frame starts here
            i += 1
        body.append(buf[i])
        i += 1
    return i, bytes(body)


def avr_units(buf: bytes, pos: int) -> tuple[list[Stamped], int]:
    """Complete AVR lines from ``pos``: (end, ticks) each, and where the rest starts."""
    out: list[Stamped] = []
    while (j := buf.find(b"\n", pos)) >= 0 or len(buf) - pos > MAX_LINE:
        stop = j + 1 if 0 <= j < pos + MAX_LINE else pos + MAX_LINE
        ticks = 0
        if buf[pos] in _AVR_STAMPED and stop - pos > 13:
            try:
                ticks = int(buf[pos + 1 : pos + 13], 16)
            except ValueError:
                ticks = 0
        out.append((stop, ticks))
        pos = stop
    return out, pos


Units = Callable[[bytes, int], tuple[list[Stamped], int]]


def tick_span(stream: BinaryIO, units: Units) -> tuple[float, TickClock]:
    """A first pass: the receiver time a Beast/AVR file spans, and the clock that read it."""
    clock = TickClock()
    tail = b""
    for chunk in read_chunks(stream):
        buf = tail + chunk if tail else chunk
        stamped, pos = units(buf, 0)
        for _, ticks in stamped:
            clock.time(ticks)
        tail = buf[pos:]
    return clock.elapsed, clock


def stamped_messages(
    stream: BinaryIO, feed: str, units: Units, start: float, stats: InputStats
) -> Iterator[RawMessage]:
    """Beast or AVR frames in reads of at most ``GROUP_S`` of counter time from ``start``."""
    clock = TickClock()
    tail = b""
    for chunk in read_chunks(stream):
        buf = tail + chunk if tail else chunk
        stamped, pos = units(buf, 0)
        begin, first_t, last_t, last_end = 0, None, clock.elapsed, 0
        for end, ticks in stamped:
            t = clock.time(ticks)
            stats.units += 1
            if first_t is not None and (
                t - first_t >= GROUP_S or t < first_t or end - begin > GROUP_BYTES
            ):
                yield RawMessage(feed, start + last_t, "", buf[begin:last_end])
                begin, first_t = last_end, None
            if first_t is None:
                first_t = t
            last_t, last_end = t, end
        if begin < pos:
            yield RawMessage(feed, start + last_t, "", buf[begin:pos])
        tail = buf[pos:]
    if tail:
        yield RawMessage(feed, start + clock.elapsed, "", tail)
    _tick_notes(clock, stats)


def _tick_notes(clock: TickClock, stats: InputStats) -> None:
    if clock.unstamped:
        stats.notes.append(
            f"{clock.unstamped:,} frames carried no counter and took the time of the frame before"
        )
    if clock.restarts:
        stats.notes.append(f"the receiver's counter restarted {clock.restarts} time(s)")
    if clock.outliers:
        stats.problems["bad_timestamp"] += clock.outliers


def sbs_messages(
    stream: BinaryIO, feed: str, when: SbsTime, start: float, stats: InputStats
) -> Iterator[RawMessage]:
    """SBS lines in reads of at most ``GROUP_S``, each at its last line's logged time (the
    generated time where none is logged); lines with neither take the last time."""
    now = start
    group: list[bytes] = []
    group_t: float | None = None
    for line in lines(stream):
        stats.units += 1
        t = _sbs_time(line, when)
        if t is None:
            t = now
        now = t
        if group and (group_t is None or abs(t - group_t) >= GROUP_S):
            yield RawMessage(feed, group_t if group_t is not None else now, "", b"".join(group))
            group = []
        if not group:
            group_t = t
        group.append(line)
    if group:
        yield RawMessage(feed, now, "", b"".join(group))


def _sbs_time(line: bytes, when: SbsTime) -> float | None:
    fields = line.split(b",", 10)
    if len(fields) < 10:
        return None
    for date, clock in ((fields[8], fields[9]), (fields[6], fields[7])):
        if date and clock:
            t = when(date.decode("ascii", "replace"), clock.decode("ascii", "replace").strip())
            if t is not None:
                return t
    return None
