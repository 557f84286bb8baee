"""The public API of ``dronewall.sensors.sapient``: what other layers may rely on."""

from __future__ import annotations

import dronewall.sensors.sapient as sapient

EXPECTED = {
    "AlertEvent",
    "Content",
    "Counters",
    "Fix",
    "FrameReader",
    "FusionNode",
    "FusionNodeConfig",
    "Header",
    "Health",
    "ICD_VERSION",
    "NodeStatus",
    "ParentConfig",
    "ParentLink",
    "Reason",
    "RegistrationRefusedError",
    "ReportKeys",
    "SapientError",
    "SapientLink",
    "SapientMessage",
    "SensorDescription",
    "SensorEntry",
    "SensorNode",
    "SensorRegistry",
    "TaskOutcome",
    "TaskStatus",
    "UpwardTracks",
    "alert",
    "decode",
    "encode",
    "encode_frame",
    "frame",
    "look_at",
    "node_uuid",
}


def test_exported_members() -> None:
    assert set(sapient.__all__) == EXPECTED
    assert all(hasattr(sapient, name) for name in EXPECTED)


def test_sapient_errors_are_decode_errors_that_keep_the_value() -> None:
    from dronewall.core.errors import DecodeError

    error = sapient.SapientError(sapient.Reason.BAD_ID, "not a ULID", "xyz", "task.task_id")
    assert isinstance(error, DecodeError)
    assert (error.value, error.field, error.reason) == (
        "xyz",
        "task.task_id",
        sapient.Reason.BAD_ID,
    )
    assert str(error) == "bad_id at task.task_id: not a ULID"
