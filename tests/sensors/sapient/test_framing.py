"""Framing: 4-byte little-endian length + payload (Dstl Apex ``message_io.py``)."""

from __future__ import annotations

import struct

import pytest

from dronewall.sensors.sapient import FrameReader, Reason, frame


def test_a_frame_is_the_little_endian_length_then_the_payload() -> None:
    assert frame(b"abc") == b"\x03\x00\x00\x00abc"
    assert frame(b"x" * 300)[:4] == struct.pack("<I", 300)


def test_frames_are_recovered_whatever_the_chunking() -> None:
    payloads = [b"a", b"bb" * 100, b"ccc", bytes(range(256))]
    stream = b"".join(frame(p) for p in payloads)
    for size in (1, 2, 3, 5, 7, 64, len(stream)):
        reader = FrameReader()
        got = []
        for start in range(0, len(stream), size):
            got += reader.feed(stream[start : start + size])
        assert got == payloads
        assert reader.buffered == 0
        assert reader.finish() is None


def test_an_empty_frame_is_reported_and_the_stream_stays_in_step() -> None:
    reader = FrameReader()
    out = reader.feed(frame(b"") + frame(b"next"))
    assert getattr(out[0], "reason", None) is Reason.EMPTY_FRAME
    assert out[1] == b"next"
    assert not reader.broken


def test_a_length_over_the_limit_breaks_the_stream_and_keeps_the_header() -> None:
    reader = FrameReader(max_frame_bytes=100)
    out = reader.feed(frame(b"ok") + struct.pack("<I", 101) + b"x" * 200)
    assert out[0] == b"ok"
    error = out[1]
    assert getattr(error, "reason", None) is Reason.FRAME_TOO_LONG
    assert getattr(error, "value", None) == struct.pack("<I", 101)
    assert reader.broken
    assert reader.feed(frame(b"ignored")) == []
    assert reader.finish() is None


def test_a_frame_exactly_at_the_limit_is_accepted() -> None:
    assert FrameReader(max_frame_bytes=100).feed(frame(b"y" * 100)) == [b"y" * 100]


def test_a_stream_ending_inside_a_frame_is_truncated() -> None:
    reader = FrameReader()
    assert reader.feed(frame(b"whole") + frame(b"partial")[:6]) == [b"whole"]
    error = reader.finish()
    assert error is not None and error.reason is Reason.TRUNCATED
    assert error.value == frame(b"partial")[:6]


def test_a_stream_ending_inside_a_header_is_truncated() -> None:
    reader = FrameReader()
    reader.feed(b"\x05\x00")
    error = reader.finish()
    assert error is not None and error.reason is Reason.TRUNCATED


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        FrameReader(max_frame_bytes=0)
