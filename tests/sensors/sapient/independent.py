"""Two SAPIENT bindings independent of dronewall's encoder, for conformance tests.

1. ``schema()``: the BSI Flex 335 v2.0 ``.proto`` files (as shipped by sapient-msg and Dstl)
   compiled here and now by ``protoc`` (grpcio-tools) into a fresh descriptor pool, with
   message classes made from it dynamically — not the generated ``*_pb2`` modules
   dronewall imports, and not dronewall's ``encode``. Messages are written in the protobuf
   text format (``corpus/*.txtpb``) or JSON, as Dstl's test harness writes its samples.
2. ``Wire``: a twenty-line protobuf wire-format writer that uses no protobuf library at all,
   with field numbers read off the ``.proto`` files by hand.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import grpc_tools
import sapient_msg
from google.protobuf import (
    descriptor_pb2,
    descriptor_pool,
    json_format,
    message_factory,
    text_format,
)
from google.protobuf.message import Message

PROTO_ROOT = Path(sapient_msg.__file__).resolve().parent.parent  # holds sapient_msg/…/*.proto
WELL_KNOWN = Path(grpc_tools.__file__).resolve().parent / "_proto"
V2 = "sapient_msg/bsi_flex_335_v2_0"
PACKAGE = "sapient_msg.bsi_flex_335_v2_0"
CORPUS = Path(__file__).parent / "corpus"


@cache
def schema() -> descriptor_pool.DescriptorPool:
    """The v2.0 schema compiled from the .proto sources into a new pool."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sapient.desc"
        command = [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{PROTO_ROOT}",
            f"-I{WELL_KNOWN}",
            "--include_imports",
            f"--descriptor_set_out={out}",
            f"{V2}/sapient_message.proto",
        ]
        subprocess.run(command, check=True, capture_output=True)
        files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    return pool


def message(name: str = "SapientMessage") -> Message:
    """An empty dynamic message of the v2.0 type ``name`` (e.g. "DetectionReport")."""
    descriptor = schema().FindMessageTypeByName(f"{PACKAGE}.{name}")
    return message_factory.GetMessageClass(descriptor)()


def from_text(text: str) -> Message:
    msg = message()
    text_format.Parse(text, msg)
    return msg


def from_json(text: str) -> Message:
    msg = message()
    json_format.Parse(text, msg)
    return msg


def corpus(name: str) -> Message:
    """``corpus/<name>.txtpb`` as a dynamic SapientMessage."""
    return from_text((CORPUS / f"{name}.txtpb").read_text())


def corpus_names() -> list[str]:
    return sorted(p.stem for p in CORPUS.glob("*.txtpb"))


def proto_sources() -> list[Path]:
    return sorted((PROTO_ROOT / V2).glob("*.proto"))


class Wire:
    """Protobuf wire format by hand: https://protobuf.dev/programming-guides/encoding/."""

    def __init__(self) -> None:
        self.data = bytearray()

    @staticmethod
    def varint(value: int) -> bytes:
        out = bytearray()
        value &= (1 << 64) - 1  # negative int32/int64 are ten-byte two's complement
        while True:
            byte, value = value & 0x7F, value >> 7
            out.append(byte | (0x80 if value else 0))
            if not value:
                return bytes(out)

    def key(self, number: int, wire_type: int) -> Wire:
        self.data += self.varint(number << 3 | wire_type)
        return self

    def int(self, number: int, value: int) -> Wire:  # varint: int32, enum, bool
        self.key(number, 0).data += self.varint(value)
        return self

    def double(self, number: int, value: float) -> Wire:
        self.key(number, 1).data += struct.pack("<d", value)
        return self

    def float(self, number: int, value: float) -> Wire:
        self.key(number, 5).data += struct.pack("<f", value)
        return self

    def bytes(self, number: int, value: bytes | str | Wire) -> Wire:
        raw = value.data if isinstance(value, Wire) else value
        raw = raw.encode() if isinstance(raw, str) else bytes(raw)
        self.key(number, 2).data += self.varint(len(raw)) + raw
        return self

    def frame(self) -> bytes:
        return struct.pack("<I", len(self.data)) + bytes(self.data)
