"""The pure codec: one encode/decode pair per message type, the envelope and its time."""

from __future__ import annotations

import pytest
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from dronewall.sensors.sapient import Reason, SapientError, codec, decode, encode
from dronewall.sensors.sapient.binding import Content, SapientMessage
from tests.sensors.sapient import independent

NODE = "a8654cdf-4328-47de-81fa-c495589e30c8"
FUSION = "5b9a2c4e-0b7d-4c1e-9f0a-2d6f1e8b7c31"
SAMPLES = {
    Content.REGISTRATION: "registration_full",
    Content.REGISTRATION_ACK: "registration_ack_refused",
    Content.STATUS_REPORT: "status_report_full",
    Content.DETECTION_REPORT: "detection_location_full",
    Content.TASK: "task_lookAt_location",
    Content.TASK_ACK: "task_ack_rejected",
    Content.ALERT: "alert_full",
    Content.ALERT_ACK: "alert_ack_accepted",
    Content.ERROR: "error_full",
}


def _body(content: Content) -> Message:
    message = SapientMessage.FromString(independent.corpus(SAMPLES[content]).SerializeToString())
    body = getattr(message, content.value)
    assert isinstance(body, Message)
    return body


@pytest.mark.parametrize("content", list(Content))
def test_each_message_type_survives_encode_then_decode(content: Content) -> None:
    header = codec.Header(NODE, 1_759_429_800.123456, FUSION)
    body = _body(content)
    payload = getattr(codec, f"encode_{content.value}")(header, body)
    decoded = getattr(codec, f"decode_{content.value}")(payload)
    assert not isinstance(decoded, SapientError), str(decoded)
    assert decoded == (header, body)


@pytest.mark.parametrize("content", list(Content))
def test_a_typed_decoder_refuses_another_message_type(content: Content) -> None:
    other = Content.ERROR if content is not Content.ERROR else Content.ALERT
    payload = getattr(codec, f"encode_{other.value}")(codec.Header(NODE, 0.0), _body(other))
    error = getattr(codec, f"decode_{content.value}")(payload)
    assert isinstance(error, SapientError)
    assert error.reason is Reason.UNEXPECTED


def test_encode_refuses_to_send_what_would_be_rejected() -> None:
    message = codec.envelope(codec.Header(NODE, 0.0))
    message.detection_report.report_id = "01GGYFBAXGDG7AGAHRZ6XSNY12"  # no object_id, no location
    with pytest.raises(SapientError) as caught:
        encode(message)
    assert caught.value.reason is Reason.MISSING_FIELD
    assert len(encode(message, validate=False)) > 0


def test_decode_returns_errors_and_keeps_the_bad_input() -> None:
    error = decode(b"\xff\xff\xff")
    assert isinstance(error, SapientError)
    assert error.reason is Reason.NOT_PROTOBUF
    assert error.value == b"\xff\xff\xff"
    missing = decode(codec.envelope(codec.Header(NODE, 0.0)).SerializeToString())
    assert isinstance(missing, SapientError)
    assert (missing.reason, missing.field) == (Reason.MISSING_FIELD, "content")


@pytest.mark.parametrize(
    "seconds", [0.0, 1_759_429_800.0, 1_759_429_800.000001, 1_759_429_800.999999, 4_102_444_800.5]
)
def test_whole_microsecond_times_survive_exactly(seconds: float) -> None:
    stamp = Timestamp()
    codec.set_time(stamp, seconds)
    assert codec.time_of(stamp) == seconds
    assert 0 <= stamp.nanos < 1_000_000_000 and stamp.nanos % 1000 == 0


def test_times_before_1970_keep_positive_nanoseconds() -> None:
    stamp = Timestamp()
    codec.set_time(stamp, -1.25)
    assert (stamp.seconds, stamp.nanos) == (-2, 750_000_000)
    assert codec.time_of(stamp) == -1.25


def test_nanoseconds_from_other_senders_are_read_to_float_precision() -> None:
    stamp = Timestamp(seconds=1_759_429_800, nanos=27_638_700)
    assert codec.time_of(stamp) == pytest.approx(1_759_429_800.0276387, abs=3e-7)


def test_header_and_content_of_a_decoded_message() -> None:
    message = decode(independent.corpus("alert_full").SerializeToString())
    assert not isinstance(message, SapientError)
    assert codec.content_of(message) is Content.ALERT
    assert codec.header_of(message) == codec.Header(
        "a8654cdf-4328-47de-81fa-c495589e30c9", 1_759_429_830.0, ""
    )
