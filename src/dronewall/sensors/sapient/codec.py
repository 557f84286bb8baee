"""Pure SAPIENT codec: bytes ⇄ validated ``SapientMessage`` (BSI Flex 335 v2.0).

``decode(payload)`` parses one frame payload (no length prefix) and checks it against the ICD
(``validation.check``); it returns the message or the ``SapientError`` that says why not —
it never raises on bad input. ``encode(message)`` checks and serialises; an invalid message
here is a bug in the caller, so it raises. Per message type there is a pair
``encode_<type>(header, body) -> bytes`` and ``decode_<type>(payload) -> (header, body) |
SapientError``.

Times: ``SapientMessage.timestamp`` is a ``google.protobuf.Timestamp`` (seconds, nanoseconds);
dronewall carries POSIX seconds as float64, whose resolution near 2026 is ~0.24 µs, so times
are written rounded to the microsecond and read back exactly (integer division, correctly
rounded): a time that is a whole number of microseconds survives the round trip unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from google.protobuf.message import DecodeError as ProtobufDecodeError
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from dronewall.sensors.sapient.binding import (
    Alert,
    AlertAck,
    Content,
    DetectionReport,
    Error,
    Registration,
    RegistrationAck,
    SapientMessage,
    StatusReport,
    Task,
    TaskAck,
)
from dronewall.sensors.sapient.framing import frame
from dronewall.sensors.sapient.rejects import Reason, SapientError
from dronewall.sensors.sapient.validation import check

Body = TypeVar("Body", bound=Message)


@dataclass(frozen=True, slots=True)
class Header:
    """The envelope around every SAPIENT message: sender, time of the content, addressee."""

    node_id: str  # UUID of the sending node
    time_s: float  # POSIX seconds (UTC) of the message content
    destination_id: str = ""  # UUID of the addressed node, "" for none


def decode(payload: bytes) -> SapientMessage | SapientError:
    """One frame payload → a message that conforms to the ICD, or the reason it does not."""
    message = SapientMessage()
    try:
        message.ParseFromString(payload)
    except ProtobufDecodeError as exc:
        return SapientError(Reason.NOT_PROTOBUF, f"not a SapientMessage ({exc})", payload)
    try:
        check(message)
    except SapientError as exc:
        exc.value = payload if exc.value is None else exc.value
        return exc
    return message


def encode(message: SapientMessage, *, validate: bool = True) -> bytes:
    """A conformant message → its protobuf bytes (no length prefix). Raises ``SapientError``
    if the message breaks the ICD: dronewall never sends what it would itself reject.
    ``validate=False`` skips the check, for senders whose output is proven by tests."""
    if validate:
        check(message)
    return message.SerializeToString()


def encode_frame(message: SapientMessage, *, validate: bool = True) -> bytes:
    """``encode`` with the 4-byte little-endian length prefix: ready for the socket."""
    return frame(encode(message, validate=validate))


def envelope(header: Header) -> SapientMessage:
    """An empty ``SapientMessage`` with the header filled in."""
    message = SapientMessage(node_id=header.node_id)
    set_time(message.timestamp, header.time_s)
    if header.destination_id:
        message.destination_id = header.destination_id
    return message


def header_of(message: SapientMessage) -> Header:
    return Header(message.node_id, time_of(message.timestamp), message.destination_id)


def content_of(message: SapientMessage) -> Content:
    return Content(message.WhichOneof("content"))


def set_time(stamp: Timestamp, time_s: float) -> None:
    """Write POSIX seconds into a Timestamp, rounded to the microsecond."""
    micros = round(time_s * 1_000_000)
    stamp.seconds, micro_part = divmod(micros, 1_000_000)
    stamp.nanos = micro_part * 1000


def time_of(stamp: Timestamp) -> float:
    """A Timestamp as POSIX seconds (correctly rounded from the exact nanosecond count)."""
    return (stamp.seconds * 1_000_000_000 + stamp.nanos) / 1_000_000_000


# --- one encode/decode pair per message type ----------------------------------------------


def _wrap(header: Header, content: Content, body: Message) -> bytes:
    message = envelope(header)
    getattr(message, content.value).CopyFrom(body)
    return encode(message)


def _unwrap(
    payload: bytes, content: Content, kind: type[Body]
) -> tuple[Header, Body] | SapientError:
    message = decode(payload)
    if isinstance(message, SapientError):
        return message
    if message.WhichOneof("content") != content.value:
        found = message.WhichOneof("content")
        return SapientError(Reason.UNEXPECTED, f"expected {content.value}, got {found}", payload)
    body = getattr(message, content.value)
    assert isinstance(body, kind)
    return header_of(message), body


def encode_registration(header: Header, body: Registration) -> bytes:
    return _wrap(header, Content.REGISTRATION, body)


def decode_registration(payload: bytes) -> tuple[Header, Registration] | SapientError:
    return _unwrap(payload, Content.REGISTRATION, Registration)


def encode_registration_ack(header: Header, body: RegistrationAck) -> bytes:
    return _wrap(header, Content.REGISTRATION_ACK, body)


def decode_registration_ack(payload: bytes) -> tuple[Header, RegistrationAck] | SapientError:
    return _unwrap(payload, Content.REGISTRATION_ACK, RegistrationAck)


def encode_status_report(header: Header, body: StatusReport) -> bytes:
    return _wrap(header, Content.STATUS_REPORT, body)


def decode_status_report(payload: bytes) -> tuple[Header, StatusReport] | SapientError:
    return _unwrap(payload, Content.STATUS_REPORT, StatusReport)


def encode_detection_report(header: Header, body: DetectionReport) -> bytes:
    return _wrap(header, Content.DETECTION_REPORT, body)


def decode_detection_report(payload: bytes) -> tuple[Header, DetectionReport] | SapientError:
    return _unwrap(payload, Content.DETECTION_REPORT, DetectionReport)


def encode_task(header: Header, body: Task) -> bytes:
    return _wrap(header, Content.TASK, body)


def decode_task(payload: bytes) -> tuple[Header, Task] | SapientError:
    return _unwrap(payload, Content.TASK, Task)


def encode_task_ack(header: Header, body: TaskAck) -> bytes:
    return _wrap(header, Content.TASK_ACK, body)


def decode_task_ack(payload: bytes) -> tuple[Header, TaskAck] | SapientError:
    return _unwrap(payload, Content.TASK_ACK, TaskAck)


def encode_alert(header: Header, body: Alert) -> bytes:
    return _wrap(header, Content.ALERT, body)


def decode_alert(payload: bytes) -> tuple[Header, Alert] | SapientError:
    return _unwrap(payload, Content.ALERT, Alert)


def encode_alert_ack(header: Header, body: AlertAck) -> bytes:
    return _wrap(header, Content.ALERT_ACK, body)


def decode_alert_ack(payload: bytes) -> tuple[Header, AlertAck] | SapientError:
    return _unwrap(payload, Content.ALERT_ACK, AlertAck)


def encode_error(header: Header, body: Error) -> bytes:
    return _wrap(header, Content.ERROR, body)


def decode_error(payload: bytes) -> tuple[Header, Error] | SapientError:
    return _unwrap(payload, Content.ERROR, Error)
