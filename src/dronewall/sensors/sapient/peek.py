"""The envelope of a SAPIENT frame read without decoding its content: the sender's ``node_id``
and which message the ``content`` oneof carries (BSI Flex 335 v2.0 ``sapient_message.proto``).

A receiver uses it to refuse what it would refuse whatever the content holds — a message from
a node that has not registered, a message type it never takes — before the full decode and
validation, which for a 1 MB StatusReport costs 0.1–0.3 s of the event loop. The frame is
parsed by protobuf's C parser against a *shallow* copy of ``SapientMessage`` whose content
fields are opaque bytes (same field numbers, same oneof), so the cost does not grow with what
the content holds. ``peek`` returns ``None`` when the bytes do not parse; the full decoder then
says what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import cast

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import DecodeError as ProtobufDecodeError
from google.protobuf.message import Message

from dronewall.sensors.sapient.binding import Content, SapientMessage

_PACKAGE = "dronewall.sapient_peek"
_FieldType = descriptor_pb2.FieldDescriptorProto


@dataclass(frozen=True, slots=True)
class Peek:
    """What the top level of a frame says."""

    node_id: str  # as sent: not checked to be a UUID
    content: Content | None  # None: no content field (the decoder rejects such a message)


def peek(payload: bytes) -> Peek | None:
    """The sender and content type of a frame payload, or ``None`` if it does not parse."""
    shallow = _shallow_class()()
    try:
        shallow.ParseFromString(payload)
    except ProtobufDecodeError:
        return None
    content = shallow.WhichOneof("content")
    node_id = cast(str, getattr(shallow, "node_id"))  # noqa: B009 — a dynamic message class
    return Peek(node_id, Content(content) if content is not None else None)


@cache
def _shallow_class() -> type[Message]:
    """``SapientMessage`` with every field but ``node_id`` as bytes (built once, on first use)."""
    source = cast(Descriptor, SapientMessage.DESCRIPTOR)
    file = descriptor_pb2.FileDescriptorProto(
        name="dronewall/sapient_peek.proto", package=_PACKAGE, syntax="proto3"
    )
    shallow = file.message_type.add(name="Shallow")
    shallow.oneof_decl.add(name="content")
    content = {f.name for f in source.oneofs_by_name["content"].fields}
    for fd in source.fields:
        field = shallow.field.add(name=fd.name, number=fd.number)
        field.label = _FieldType.LABEL_OPTIONAL
        field.type = _FieldType.TYPE_STRING if fd.name == "node_id" else _FieldType.TYPE_BYTES
        if fd.name in content:
            field.oneof_index = 0
    # A pool of its own: the shallow type never meets the real one in the default pool.
    classes = message_factory.GetMessages([file], pool=descriptor_pool.DescriptorPool())
    return classes[f"{_PACKAGE}.Shallow"]
