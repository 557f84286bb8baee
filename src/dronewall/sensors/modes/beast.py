"""Mode-S Beast binary format, as dump1090, dump1090-fa and readsb serve it on TCP port 30005
(and a Mode-S Beast / Radarcape on its own port). Each frame is

    0x1A  type  timestamp(6, big-endian)  signal(1)  payload

with type '1' Mode A/C (2 bytes), '2' Mode S short (7), '3' Mode S long (14), '4' receiver
status (14, as dump1090-fa sizes it) and '5' Radarcape receiver position (14: float32 latitude,
longitude, altitude little-endian at bytes 4, 8 and 12 after the type). Every 0x1A inside a frame
is sent twice. readsb adds 0x1A 0xE3 + 8-byte receiver id before a frame, and 'P' pings (3 bytes).

Resynchronisation: anything before a 0x1A is garbage (one "sync" reject per run); an unknown type
skips the 0x1A and its next byte ("beast_type"; a 0x1A 0x1A pair there is an escaped data byte
seen out of step); a single 0x1A inside a frame means the frame was cut short — it is rejected
("beast_cut") and decoding restarts at that 0x1A, so a truncated frame never swallows the next
good one. A partial frame at the end of a read waits for the next.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from dronewall.core.types import SensorKind
from dronewall.sensors.feed import FeedOutput, SensorInfo
from dronewall.sensors.modes.decoder import ModeSDecoder
from dronewall.sensors.modes.settings import ReceiverSettings
from dronewall.sensors.modes.timing import frame_times

ESCAPE = 0x1A
# Unescaped bytes after the type byte: timestamp 6 + signal 1 + payload.
BODY_BYTES = {0x31: 9, 0x32: 14, 0x33: 21, 0x34: 21, 0x35: 21, 0xE3: 8, 0x50: 3}
MODE_AC, SHORT, LONG, STATUS, POSITION, RECEIVER_ID, PING = 0x31, 0x32, 0x33, 0x34, 0x35, 0xE3, 0x50
_LE_FLOATS = struct.Struct("<3f")
MAX_PARTIAL = 64  # a frame is at most 2 + 2 × 21 bytes escaped; more than this is not a frame


@dataclass(frozen=True, slots=True)
class BeastFrame:
    kind: int  # the type byte
    ticks: int  # the 48-bit timestamp (0 for receiver id and ping)
    signal: int  # 0–255 (RSSI; not calibrated)
    payload: bytes


class BeastFramer:
    """Splits a Beast byte stream into frames; keeps a partial frame between reads."""

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, data: bytes) -> list[BeastFrame | str]:
        """Frames completed by ``data``, with reject reasons where bytes were not frames."""
        buf = self._buf + data if self._buf else bytes(data)
        out: list[BeastFrame | str] = []
        i, end = 0, len(buf)
        while i < end:
            j = buf.find(ESCAPE, i)
            if j < 0:
                out.append("sync")
                i = end
                break
            if j > i:
                out.append("sync")
            i = j
            if j + 1 >= end:
                break
            size = BODY_BYTES.get(buf[j + 1])
            if size is None:
                out.append("beast_type")
                i = j + 2
                continue
            body, after = _body(buf, j + 2, size)
            if body is None:
                if after < 0:
                    break  # incomplete: wait for more bytes
                out.append("beast_cut")
                i = after
                continue
            out.append(_frame(buf[j + 1], body))
            i = after
        rest = buf[i:]
        if len(rest) > MAX_PARTIAL:
            out.append("sync")
            rest = b""
        self._buf = rest
        return out


def _body(buf: bytes, start: int, size: int) -> tuple[bytes | None, int]:
    """(unescaped body, index after it); (None, -1) if incomplete; (None, k) if a lone 0x1A at
    ``k`` cut the frame short."""
    plain = buf[start : start + size]
    if len(plain) == size and ESCAPE not in plain:
        return plain, start + size
    body = bytearray()
    k, end = start, len(buf)
    while len(body) < size:
        if k >= end:
            return None, -1
        byte = buf[k]
        if byte == ESCAPE:
            if k + 1 >= end:
                return None, -1
            if buf[k + 1] != ESCAPE:
                return None, k
            k += 1
        body.append(byte)
        k += 1
    return bytes(body), k


def _frame(kind: int, body: bytes) -> BeastFrame:
    if kind in (RECEIVER_ID, PING):
        return BeastFrame(kind, 0, 0, body)
    return BeastFrame(kind, int.from_bytes(body[:6], "big"), body[6], body[7:])


class BeastAdapter:
    """Beast binary stream of one receiver → ``output`` (the feed contract).

    With ``decoder`` given (shared with another framing of the same receiver) its settings are
    used, not ``settings``.
    """

    def __init__(
        self,
        key: str,
        settings: ReceiverSettings | None = None,
        *,
        decoder: ModeSDecoder | None = None,
    ):
        self.decoder = decoder if decoder is not None else ModeSDecoder(key, settings)
        if self.decoder.key != key:
            raise ValueError(f"decoder is for receiver {self.decoder.key!r}, not {key!r}")
        self.key = key
        self.settings = self.decoder.settings
        self.output = FeedOutput()
        self.framer = BeastFramer()
        self._position: tuple[float, float] | None = None

    def receive(self, data: bytes, t_receive: float) -> None:
        """Decode the frames completed by ``data`` (bytes read at wall time ``t_receive``)."""
        out, decoder = self.output, self.decoder
        items = self.framer.feed(data)
        frames = [item for item in items if not isinstance(item, str)]
        ticks = [f.ticks for f in frames]
        settings = self.settings
        times = iter(frame_times(ticks, t_receive, settings.timestamp, settings.max_chunk_spread_s))
        for item in items:
            if isinstance(item, str):
                out.reject(item)
            elif item.kind in (SHORT, LONG):
                decoder.decode(item.payload, next(times), out)
            else:
                next(times)
                self._other(item)

    def _other(self, frame: BeastFrame) -> None:
        self.output.messages += 1
        unused = self.decoder.unused
        if frame.kind == MODE_AC:
            unused["heartbeat" if frame.ticks == 0 and not any(frame.payload) else "mode_ac"] += 1
        elif frame.kind == POSITION:
            self._receiver_position(frame)
        else:
            unused[{STATUS: "status", RECEIVER_ID: "receiver_id"}.get(frame.kind, "ping")] += 1

    def _receiver_position(self, frame: BeastFrame) -> None:
        """A Radarcape's GPS position: a ``SensorInfo`` when it first comes or moves."""
        raw = bytes(frame.ticks.to_bytes(6, "big") + bytes([frame.signal]) + frame.payload)
        lat, lon, _alt = _LE_FLOATS.unpack_from(raw, 4)
        if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
            self.decoder.unused["status"] += 1
            return
        last = self._position
        if last is None or abs(last[0] - lat) > 1e-4 or abs(last[1] - lon) > 1e-4:
            self._position = (lat, lon)
            info = SensorInfo(
                self.key,
                SensorKind.ADSB,
                lat,
                lon,
                max_range_m=self.settings.max_range_m,
                name=self.settings.name,
                nation=self.settings.nation,
            )
            self.output.sensors.append(info)
        self.decoder.unused["receiver_position"] += 1
