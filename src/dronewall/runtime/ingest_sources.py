"""Recordings and captures as the ``RawMessage``s a live feed would have received
(``docs/ingest.md``): each reader cuts a file into the pieces a transport hands an adapter —
one UDP datagram, one read of a stream — and stamps each with a receive time.

* ``capture_messages`` — a pcap/pcapng capture: each UDP payload is one datagram, received at
  its capture time, from ``host:port`` (``records.pcap``, ``records.packets``).
* ``asterix_messages`` — ASTERIX data blocks back to back (EUROCONTROL-SPEC-0149 Part 1 §5:
  CAT, LEN, records): one block a read, at the time of day of its first record on a running
  date (``DayClock``).
* Beast, AVR and SBS recordings: ``ingest_modes``.
* ``remoteid_messages`` — 25-byte Remote ID messages and message packs (ASTM F3411-22a
  §5.4.5.2, §5.4.5.21) back to back: one a datagram, on a running hour (``HourClock``).
* ``json_line_messages`` — JSON lines (MQTT recordings, Remote ID receivers' JSON): one line a
  read, at the time the line states, else the last line's.

The readers only cut and stamp; decoding, and counting what cannot be decoded, stays with
the adapters. What a reader cannot hand on it counts in ``InputStats.problems``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Final

import orjson

from dronewall.records.packets import udp_datagram
from dronewall.records.pcap import CaptureReader
from dronewall.runtime.ingest_clocks import DayClock, HourClock
from dronewall.sensors.remoteid import RemoteIdError, decode_message
from dronewall.sensors.remoteid.jsonschemas import TIME_KEYS
from dronewall.sensors.remoteid.jsonvalues import posix_time
from dronewall.sensors.remoteid.messages import Location
from dronewall.store import RawMessage

CHUNK: Final = 1 << 20  # bytes read from the file at a time
MAX_LINE: Final = 1 << 16  # a longer text line is cut into pieces (the adapter rejects it)
_PACK = 0xF
_MESSAGE = 25


@dataclass(slots=True)
class InputStats:
    """What a reader did: pieces handed on, problems by reason, notes for the summary."""

    units: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


def read_chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


# ---- captures ----------------------------------------------------------------------------
def capture_messages(
    reader: CaptureReader,
    feed: str,
    stats: InputStats,
    *,
    port: int | None = None,
    host: str | None = None,
) -> Iterator[RawMessage]:
    """The UDP datagrams of a capture, to or from ``port`` and ``host`` when given."""
    for frame in reader:
        datagram = udp_datagram(frame.link, frame.data, frame.t)
        if isinstance(datagram, str):
            stats.problems[datagram] += 1
            continue
        if port is not None and port not in (datagram.sport, datagram.dport):
            stats.problems["other_port"] += 1
            continue
        if host is not None and host not in (datagram.src, datagram.dst):
            stats.problems["other_host"] += 1
            continue
        stats.units += 1
        yield RawMessage(feed, datagram.t, datagram.peer, datagram.payload)
    stats.problems.update(reader.problems)


# ---- ASTERIX -----------------------------------------------------------------------------
_ASTERIX_TIME_AT = {48: (0x40, 0x80, ()), 34: (0x20, 0x80, (0x40,))}  # see _time_of_day


def asterix_messages(
    stream: BinaryIO, feed: str, clock: DayClock, stats: InputStats
) -> Iterator[RawMessage]:
    """One data block a read, at the running time of its first record's time of day."""
    tail = b""
    for chunk in read_chunks(stream):
        buf = tail + chunk if tail else chunk
        pos = 0
        while n := _asterix_unit(buf, pos):
            unit = buf[pos : pos + n]
            stats.units += 1
            yield RawMessage(feed, clock.time(_time_of_day(unit)), "", unit)
            pos += n
        tail = buf[pos:]
    if tail:
        stats.units += 1
        yield RawMessage(feed, clock.time(None), "", tail)


def _asterix_unit(buf: bytes, pos: int) -> int:
    """Octets of the block at ``pos`` (0: wait for more). Out of step, everything up to the
    next CAT048/CAT034 header with a LEN that fits (the adapter finds its own step)."""
    size = len(buf) - pos
    if size < 3:
        return 0
    length = (buf[pos + 1] << 8) | buf[pos + 2]
    if length >= 3:
        return length if length <= size else 0
    for p in range(pos + 1, len(buf) - 2):
        if buf[p] in _ASTERIX_TIME_AT and (buf[p + 1] << 8 | buf[p + 2]) >= 3:
            return p - pos
    return size if size > CHUNK else 0


def _time_of_day(block: bytes) -> float | None:
    """I048/140 or I034/030 of a block's first record, seconds since midnight, if present:
    after the FSPEC, the items before it (I048/010: 2 octets; I034/010 and I034/000: 2 + 1)."""
    spec = _ASTERIX_TIME_AT.get(block[0]) if block else None
    if spec is None or len(block) < 4:
        return None
    bit, source_bit, extra_bits = spec
    first = block[3]
    if not first & bit:
        return None
    at = 3
    while at < len(block) and block[at] & 1:  # FX: another FSPEC octet follows
        at += 1
    at += 1 + (2 if first & source_bit else 0) + sum(1 for b in extra_bits if first & b)
    if at + 3 > len(block):
        return None
    return int.from_bytes(block[at : at + 3], "big") / 128.0


def lines(stream: BinaryIO) -> Iterator[bytes]:
    """Lines with their ``\\n``; one over ``MAX_LINE`` comes in pieces."""
    tail = b""
    for chunk in read_chunks(stream):
        buf = tail + chunk if tail else chunk
        pos = 0
        while (j := buf.find(b"\n", pos)) >= 0:
            while j + 1 - pos > MAX_LINE:
                yield buf[pos : pos + MAX_LINE]
                pos += MAX_LINE
            yield buf[pos : j + 1]
            pos = j + 1
        tail = buf[pos:]
        while len(tail) > MAX_LINE:
            yield tail[:MAX_LINE]
            tail = tail[MAX_LINE:]
    if tail:
        yield tail


# ---- Remote ID -----------------------------------------------------------------------------
def remoteid_messages(
    stream: BinaryIO, feed: str, clock: HourClock, stats: InputStats
) -> Iterator[RawMessage]:
    """25-byte messages and packs back to back, one a datagram; the time follows the
    Location messages' timestamps."""
    tail = b""
    for chunk in read_chunks(stream):
        buf = tail + chunk if tail else chunk
        pos = 0
        while len(buf) - pos >= _MESSAGE:
            n = _remoteid_unit(buf, pos)
            if n > len(buf) - pos:
                break
            unit = buf[pos : pos + n]
            stats.units += 1
            yield RawMessage(feed, clock.time(_stamp(unit)), "", unit)
            pos += n
        tail = buf[pos:]
    if tail:
        stats.units += 1
        yield RawMessage(feed, clock.now, "", tail)


def _remoteid_unit(buf: bytes, pos: int) -> int:
    """A pack is 3 + 25 × n octets (header, message size 25, n ≤ 9), a message 25."""
    if buf[pos] >> 4 == _PACK and buf[pos + 1] == _MESSAGE and 1 <= buf[pos + 2] <= 9:
        return 3 + _MESSAGE * buf[pos + 2]
    return _MESSAGE


def _stamp(unit: bytes) -> float:
    """Seconds after the hour of the (first) Location in a unit, NaN when none."""
    messages = [unit] if len(unit) == _MESSAGE else [
        unit[i : i + _MESSAGE] for i in range(3, len(unit) - _MESSAGE + 1, _MESSAGE)
    ]  # fmt: skip
    for raw in messages:
        if raw[0] >> 4 != 1:  # Location/Vector is message type 1
            continue
        try:
            message = decode_message(raw)
        except RemoteIdError:
            continue
        if isinstance(message, Location):
            return message.timestamp_s
    return float("nan")


# ---- JSON lines ------------------------------------------------------------------------------
def json_line_messages(
    stream: BinaryIO, feed: str, start: float, stats: InputStats, keys: tuple[str, ...]
) -> Iterator[RawMessage]:
    """One line a read, at the time under the first of ``keys`` the line has (POSIX s, ms,
    µs or ISO 8601), else the last line's time (``start`` before the first)."""
    now, timed = start, 0
    for line in lines(stream):
        stats.units += 1
        t = _line_time(line, keys)
        if t is not None:
            now, timed = t, timed + 1
        yield RawMessage(feed, now, "", line)
    if stats.units and timed < stats.units:
        stats.notes.append(
            f"{stats.units - timed:,} of {stats.units:,} lines stated no time and took the "
            "time of the line before" + ("" if timed else " (all: the --start time)")
        )


def _line_time(line: bytes, keys: tuple[str, ...]) -> float | None:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(obj, dict):
        return None
    for key in keys:
        if key in obj and not isinstance(obj[key], dict | list | bool):
            t = posix_time(obj[key])
            return t if t > 0 else None
    return None


MQTT_TIME_KEYS: Final = ("t",)  # sensors/mqtt/recording.py: the recorded receive time
REMOTEID_TIME_KEYS: Final = TIME_KEYS
