"""The Remote ID JSON-lines adapter: a stream (TCP, serial, file, MQTT payloads) of UTF-8
JSON objects, one a line (``\\n``; ``\\r\\n`` too), as open Remote ID receivers publish them —
raw ASTM F3411-22a messages in hex/base64 with receiver metadata, or fields they decoded
(``jsonschemas`` says which shapes, ``docs/feeds-remoteid.md`` the exact keys).

Raw lines go through ``RemoteIdAdapter``'s framing and decoder; decoded lines become the
same messages and join the same per-aircraft state, so both give identical reports. A line
that is not JSON, or is JSON of no known shape, counts as one reject (``json``, ``schema``,
``hex``, ``range``); blank lines are skipped. A partial line waits for the next ``receive``.
"""

from __future__ import annotations

import math

import orjson

from dronewall.sensors.feed import FeedOutput
from dronewall.sensors.remoteid.adapter import RemoteIdAdapter
from dronewall.sensors.remoteid.decode import RemoteIdError
from dronewall.sensors.remoteid.framing import Frame, unwrap_datagram
from dronewall.sensors.remoteid.jsonschemas import DecodedLine, RawLine, read_object
from dronewall.sensors.remoteid.reports import RemoteIdSettings
from dronewall.sensors.remoteid.transports import (
    unwrap_advertising_data,
    unwrap_beacon_frame,
    unwrap_nan_action_frame,
)

MAX_LINE = 65536  # bytes: far above any receiver's line (a pack in hex is < 500 characters)


class RemoteIdJsonAdapter:
    """JSON lines from one Remote ID receiver (``receiver`` is its sensor key)."""

    def __init__(
        self,
        receiver: str,
        settings: RemoteIdSettings | None = None,
        output: FeedOutput | None = None,
    ):
        self.messages = RemoteIdAdapter(receiver, settings, output)
        self.output = self.messages.output
        self._partial = b""
        self._skipping = False  # inside an over-long line: drop until its end

    def receive(self, data: bytes, t_receive: float, source: str = "") -> None:
        """Whatever one read gave; complete lines are decoded, the rest kept. Never raises."""
        buffer = self._partial + bytes(data)
        lines = buffer.split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            if self._skipping:
                self._skipping = False
                continue
            self.receive_line(line, t_receive, source)
        if len(self._partial) > MAX_LINE:
            self.output.reject("length", f"line over {MAX_LINE} bytes")
            self._partial = b""
            self._skipping = True

    def receive_line(self, line: bytes, t_receive: float, source: str = "") -> None:
        """One line, without its newline."""
        line = line.strip()
        if not line:
            return
        try:
            parsed = read_object(orjson.loads(line))
        except orjson.JSONDecodeError as err:
            self.output.reject("json", str(err))
            return
        except RemoteIdError as err:
            self.output.reject(err.reason, str(err))
            return
        except Exception as err:  # a bug of ours, not the input: counted, never raised
            self.output.reject("internal", repr(err))
            return
        for item in parsed:
            if isinstance(item, RawLine):
                self._raw(item, t_receive, source)
            else:
                self._decoded(item, t_receive, source)

    def _raw(self, line: RawLine, t_receive: float, source: str) -> None:
        t = line.t_receive if math.isfinite(line.t_receive) else t_receive
        try:
            frame = _unwrap(line)
        except RemoteIdError as err:
            self.output.reject(err.reason, str(err))
            return
        except Exception as err:  # a bug of ours, not the input: counted, never raised
            self.output.reject("internal", repr(err))
            return
        self.messages.receive_frame(frame, t, source)

    def _decoded(self, line: DecodedLine, t_receive: float, source: str) -> None:
        t = line.t_reference if math.isfinite(line.t_reference) else t_receive
        self.messages.receive_messages(line.messages, t, line.mac, source)


def _unwrap(line: RawLine) -> Frame:
    if line.fmt == "ble_adv":
        frame = unwrap_advertising_data(line.data, line.mac)
    elif line.fmt == "wifi_beacon":
        frame = unwrap_beacon_frame(line.data)
    elif line.fmt == "wifi_nan":
        frame = unwrap_nan_action_frame(line.data)
    else:
        frame = unwrap_datagram(line.data, line.mac)
    if line.mac and not frame.mac:
        return Frame(frame.messages, frame.counter, line.mac, frame.packed)
    return frame
