"""Raw MQTT recordings (``docs/feeds-mqtt.md``, "Recording and replay"): one JSON line per
message received, ``{"t": <receive time, POSIX s>, "topic": "…", "payload": "<UTF-8 text>"}``
— or ``"payload_b64"`` (RFC 4648 §4 base64) when the payload is not UTF-8 — with
``"retained": true`` for a message the broker delivered from its retained store. Lines end
with ``\\n`` (JSON Lines).

``record_line`` writes one (``RecordingSink`` for every message a transport delivers);
``LineSplitter`` cuts a byte stream into lines (keeping a partial line across reads);
``parse_line`` reads one back, raising ``Invalid("line")``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import orjson

from dronewall.sensors.mqtt.values import MAX_POSIX_S, Invalid

MAX_TOPIC = 65_535  # MQTT's UTF-8 string length limit (3.1.1 §1.5.3, 5.0 §1.5.4)


@dataclass(frozen=True, slots=True)
class Recorded:
    t: float
    topic: str
    payload: bytes
    retained: bool = False


def record_line(topic: str, payload: bytes, t: float, retained: bool = False) -> bytes:
    """One recording line (with its ``\\n``) for a message received at ``t``."""
    line: dict[str, object] = {"t": t, "topic": topic}
    try:
        line["payload"] = payload.decode("utf-8")
    except UnicodeDecodeError:
        line["payload_b64"] = base64.b64encode(payload).decode("ascii")
    if retained:
        line["retained"] = True
    return orjson.dumps(line) + b"\n"


def parse_line(line: bytes) -> Recorded:
    """A recording line (without its ``\\n``) → ``Recorded``; raises ``Invalid("line")``."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise Invalid("line", "recording line is not JSON") from None
    if type(obj) is not dict:
        raise Invalid("line", "recording line is not a JSON object")
    t, topic, retained = obj.get("t"), obj.get("topic"), obj.get("retained", False)
    if isinstance(t, bool) or not isinstance(t, int | float) or not 0 <= t <= MAX_POSIX_S:
        raise Invalid("line", "recording line has no valid t")
    if type(topic) is not str or len(topic) > MAX_TOPIC:
        raise Invalid("line", "recording line has no valid topic")
    if type(retained) is not bool:
        raise Invalid("line", "recording line's retained is not a boolean")
    return Recorded(float(t), topic, _payload(obj), retained)


def _payload(obj: dict[str, object]) -> bytes:
    text, b64 = obj.get("payload"), obj.get("payload_b64")
    if (text is None) == (b64 is None):
        raise Invalid("line", "recording line needs one of payload, payload_b64")
    if type(text) is str:
        return text.encode("utf-8")
    if type(b64) is str:
        try:
            return base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid("line", "payload_b64 is not base64") from None
    raise Invalid("line", "recording line's payload is not a string")


class LineSplitter:
    """Bytes in, complete lines out; a line longer than ``max_line`` is dropped whole (its
    end is skipped) and reported once as ``None``."""

    def __init__(self, max_line: int):
        self.max_line = max_line
        self._partial = bytearray()
        self._skipping = False

    def feed(self, data: bytes) -> list[bytes | None]:
        out: list[bytes | None] = []
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            piece = data[start:end]
            start = end + 1
            if self._skipping:
                self._skipping = False
            elif len(self._partial) + len(piece) > self.max_line:
                out.append(None)
            else:
                out.append(bytes(self._partial + piece) if self._partial else piece)
            self._partial.clear()
        rest = data[start:]
        if self._skipping:
            return out
        if len(self._partial) + len(rest) > self.max_line:
            self._partial.clear()
            self._skipping = True
            out.append(None)
        else:
            self._partial += rest
        return out


class MessageSink(Protocol):
    """What takes MQTT messages: ``MqttAdapter``, a ``RecordingSink``, a test double."""

    def receive_message(
        self, topic: str, payload: bytes, t_receive: float, retained: bool = False
    ) -> None: ...


class RecordingSink:
    """Writes each message as a recording line, then hands it on: put it between
    ``run_mqtt`` and the adapter to keep the retained flag too (``on_raw`` has no place
    for it)."""

    def __init__(self, sink: MessageSink, write: Callable[[bytes], object]):
        self.sink, self.write = sink, write

    def receive_message(
        self, topic: str, payload: bytes, t_receive: float, retained: bool = False
    ) -> None:
        self.write(record_line(topic, payload, t_receive, retained))
        self.sink.receive_message(topic, payload, t_receive, retained)
