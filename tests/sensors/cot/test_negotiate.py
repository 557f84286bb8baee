"""A TAK server stream's switch from XML to protobuf (``sensors/cot/negotiate.py``): messages
as the TAK protocol description writes them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from dronewall.core.errors import DecodeError
from dronewall.sensors.cot import XmlEventReader, offered_versions, request_xml, response_status
from dronewall.sensors.cot.negotiate import MAX_EVENT_BYTES

OFFER = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b"<event version='2.0' uid='protouid' type='t-x-takp-v' time='2026-12-08T00:00:00Z'"
    b" start='2026-12-08T00:00:00Z' stale='2026-12-08T00:01:00Z' how='m-g'>"
    b"<point lat='0.0' lon='0.0' hae='0.0' ce='999999' le='999999'/><detail><TakControl>"
    b"<TakProtocolSupport version='1'/><TakProtocolSupport version='2'/>"
    b"</TakControl></detail></event>"
)


def _response(status: str) -> bytes:
    return (
        b"<event version='2.0' uid='protouid' type='t-x-takp-r' how='m-g'><detail><TakControl>"
        b"<TakResponse status='" + status.encode() + b"'/></TakControl></detail></event>"
    )


def test_reader_splits_events_fed_in_pieces() -> None:
    stream = OFFER + b"<event type='a-f-G'/></event>" + _response("true")
    reader = XmlEventReader()
    events: list[bytes] = []
    for i in range(0, len(stream), 7):
        events += reader.feed(stream[i : i + 7])
    assert len(events) == 3
    assert offered_versions(events[0]) == {1, 2}
    assert offered_versions(events[1]) is None  # some other user's event
    assert response_status(events[2]) is True


def test_response_false_and_other_events() -> None:
    assert response_status(_response("false")) is False
    assert response_status(OFFER) is None
    assert response_status(b"not xml</event>") is None


def test_request_is_what_the_server_looks_for() -> None:
    root = ET.fromstring(request_xml("dronewall-site-a-takp", 1, 1_796_688_000.0))
    assert root.get("type") == "t-x-takp-q" and root.get("uid") == "dronewall-site-a-takp"
    request = root.find("detail/TakControl/TakRequest")
    assert request is not None and request.get("version") == "1"


def test_a_server_that_never_ends_an_event_is_cut_off() -> None:
    reader = XmlEventReader()
    with pytest.raises(DecodeError, match="without </event>"):
        reader.feed(b"<event>" + b"x" * MAX_EVENT_BYTES)
