"""The committed ``tak_pb2.py`` is ``tak.proto`` compiled (regenerate as its header says), and
its field numbers and types are those TAK products put on the wire — the same as takproto's
(MIT) classes, compared field by field."""

from __future__ import annotations

from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import Descriptor
from grpc_tools import protoc
from takproto.proto import TakMessage as TheirTakMessage

from dronewall.sensors.cot import tak_pb2

SRC = Path(__file__).resolve().parents[3] / "src"


def test_generated_code_matches_the_proto_file(tmp_path: Path) -> None:
    out = tmp_path / "tak.desc"
    args = ["protoc", f"-I{SRC}", f"--descriptor_set_out={out}", "dronewall/sensors/cot/tak.proto"]
    assert protoc.main(args) == 0
    compiled = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file[0]
    for message in compiled.message_type:
        for f in message.field:
            f.ClearField("json_name")  # the descriptor set has them, generated code does not
    committed = descriptor_pb2.FileDescriptorProto()
    tak_pb2.DESCRIPTOR.CopyToProto(committed)
    assert compiled == committed


def _shape(message: Descriptor) -> dict[str, object]:
    return {
        f.name: (f.number, f.type, _shape(f.message_type) if f.message_type else None)
        for f in message.fields
    }


def test_same_wire_shape_as_takproto() -> None:
    assert _shape(tak_pb2.TakMessage.DESCRIPTOR) == _shape(TheirTakMessage.DESCRIPTOR)
    assert tak_pb2.TakMessage.DESCRIPTOR.full_name != TheirTakMessage.DESCRIPTOR.full_name
