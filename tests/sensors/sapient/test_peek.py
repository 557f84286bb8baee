"""Reading a frame's sender and content type without decoding it (``peek.py``), against the
full parse of the same bytes and against wire bytes written by hand."""

from __future__ import annotations

import random

import pytest
from google.protobuf.message import DecodeError

from dronewall.sensors.sapient.binding import Content, SapientMessage
from dronewall.sensors.sapient.peek import peek
from tests.sensors.sapient import independent
from tests.sensors.sapient.independent import Wire

NODE = "a8654cdf-4328-47de-81fa-c495589e30c8"


@pytest.mark.parametrize("name", independent.corpus_names())
def test_peek_agrees_with_the_full_parse_of_every_corpus_message(name: str) -> None:
    payload = independent.corpus(name).SerializeToString()
    full = SapientMessage.FromString(payload)
    seen = peek(payload)
    assert seen is not None
    assert seen.node_id == full.node_id
    assert seen.content is Content(full.WhichOneof("content"))


def test_of_two_content_fields_the_last_one_counts_as_in_the_full_parse() -> None:
    # SapientMessage: node_id = 2, status_report = 6, detection_report = 7 (the .proto numbers)
    data = bytes(Wire().bytes(2, NODE).bytes(7, b"").bytes(6, b"").bytes(2, "late").data)
    full = SapientMessage.FromString(data)
    seen = peek(data)
    assert (full.node_id, full.WhichOneof("content")) == ("late", "status_report")
    assert seen is not None and (seen.node_id, seen.content) == ("late", Content.STATUS_REPORT)


def test_a_frame_without_content_or_that_does_not_parse() -> None:
    no_content = peek(bytes(Wire().bytes(2, NODE).data))
    assert no_content is not None and no_content.content is None
    for bad in (b"\x12\x02\xff\xfe", b"\x0f", b"\x0a\x80", b"\x0a\x05\x08\x01"):
        with pytest.raises(DecodeError):
            SapientMessage.FromString(bad)
        assert peek(bad) is None


def test_peek_never_raises_and_agrees_with_the_parser_on_mutated_frames() -> None:
    rng = random.Random(335)
    seeds = [independent.corpus(n).SerializeToString() for n in independent.corpus_names()]
    agreed = 0
    for _ in range(3000):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        try:
            full = SapientMessage.FromString(bytes(data))
        except DecodeError:
            continue  # the peek may still parse what the deep parser refuses: that is allowed
        seen = peek(bytes(data))
        assert seen is not None
        content = full.WhichOneof("content")
        assert seen.content == (Content(content) if content else None)
        assert seen.node_id == full.node_id
        agreed += 1
    assert agreed > 500
