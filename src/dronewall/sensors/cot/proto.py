"""Cursor-on-Target events as TAK Protocol Version 1 (Google protocol buffers, ``tak.proto``).

Framing, from the TAK protocol description that ships with TAK products (``protocol.txt``):

* mesh (UDP, one message a datagram): the header ``0xbf 0x01 0xbf`` — magic byte, protocol
  version 1 as a varint, magic byte — then the serialized ``TakMessage``;
* stream (TCP to a TAK server): ``0xbf``, the payload's length as a varint, then the payload.

The typed detail fields carry ``<track>``, ``<contact>`` and ``<__group>``; the rest of the
detail (links, remarks) goes as XML in ``xmlDetail``, as the protocol requires. Times are
milliseconds since 1970 UTC.
"""

from __future__ import annotations

from dronewall.core.errors import DecodeError
from dronewall.sensors.cot import tak_pb2
from dronewall.sensors.cot.event import CotEvent
from dronewall.sensors.cot.xml import extra_detail_xml

MAGIC = 0xBF
MESH_HEADER = bytes((MAGIC, 1, MAGIC))
PROTOCOL_VERSION = 1
MAX_STREAM_PAYLOAD = 1 << 20  # a CoT event is under a kilobyte; a megabyte is not one


def _ms(t: float) -> int:
    return max(round(t * 1000.0), 0)


def tak_message(event: CotEvent) -> tak_pb2.TakMessage:
    """The event as a ``TakMessage`` (its ``cotEvent``; no ``takControl``)."""
    message = tak_pb2.TakMessage()
    cot = message.cotEvent
    cot.type = event.type
    cot.uid = event.uid
    cot.how = event.how
    if event.access:
        cot.access = event.access
    cot.sendTime = _ms(event.time_s)
    cot.startTime = _ms(event.start_s)
    cot.staleTime = _ms(event.stale_s)
    cot.lat, cot.lon, cot.hae, cot.ce, cot.le = event.lat, event.lon, event.hae, event.ce, event.le
    detail = cot.detail
    if event.course_deg is not None and event.speed_mps is not None:
        detail.track.course = event.course_deg
        detail.track.speed = event.speed_mps
    if event.callsign:
        detail.contact.callsign = event.callsign
    if event.group_name:
        detail.group.name = event.group_name
        detail.group.role = event.group_role
    extra = extra_detail_xml(event)
    if extra:
        detail.xmlDetail = extra
    return message


def varint(value: int) -> bytes:
    """``value`` (≥ 0) as a protocol-buffers base-128 varint."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def mesh_frame(payload: bytes) -> bytes:
    """A serialized TakMessage framed for a mesh (UDP) datagram."""
    return MESH_HEADER + payload


def stream_frame(payload: bytes) -> bytes:
    """A serialized TakMessage framed for a TAK server stream."""
    return bytes((MAGIC,)) + varint(len(payload)) + payload


def event_mesh(event: CotEvent) -> bytes:
    return mesh_frame(tak_message(event).SerializeToString())


def event_stream(event: CotEvent) -> bytes:
    return stream_frame(tak_message(event).SerializeToString())


class StreamReader:
    """Splits a TAK Protocol stream into payloads (sans-I/O: feed bytes, take payloads).
    A frame that does not start with the magic byte or claims more than a megabyte cannot be
    trusted to find the next one: ``DecodeError``, fatal to the stream."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        out: list[bytes] = []
        while self._buffer:
            if self._buffer[0] != MAGIC:
                raise DecodeError(f"TAK stream: byte {self._buffer[0]:#04x} where 0xbf belongs")
            length, start = _read_varint(self._buffer, 1)
            if length is None:
                break
            if length > MAX_STREAM_PAYLOAD:
                raise DecodeError(f"TAK stream: frame of {length} bytes (limit 1 MiB)")
            if len(self._buffer) < start + length:
                break
            out.append(bytes(self._buffer[start : start + length]))
            del self._buffer[: start + length]
        return out


def _read_varint(buffer: bytearray, at: int) -> tuple[int | None, int]:
    """The varint at ``at`` and the offset after it; None when the buffer ends first."""
    value = shift = 0
    for i in range(at, min(len(buffer), at + 10)):
        value |= (buffer[i] & 0x7F) << shift
        if not buffer[i] & 0x80:
            return value, i + 1
        shift += 7
    if len(buffer) >= at + 10:
        raise DecodeError("TAK stream: varint longer than 10 bytes")
    return None, at
