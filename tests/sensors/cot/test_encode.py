"""CoT XML and TAK protobuf of a picture's tracks (``sensors/cot``), read back by independent
parsers: the standard library's XML parser, and takproto (MIT) for the TAK Protocol framing,
the protobuf messages and its own XML → protobuf conversion, which must agree with ours."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import takproto
from takproto.functions import xml2message
from takproto.proto import TakMessage as TheirTakMessage

from dronewall.sensors.cot import (
    MESH_HEADER,
    UNKNOWN_ERROR,
    CotEvent,
    EventOptions,
    StreamReader,
    alarm_event,
    event_mesh,
    event_stream,
    event_xml,
    stream_frame,
    tak_message,
    track_events,
)
from dronewall.sensors.cot.proto import varint
from tests.sensors.cot.frames import T0, Row, frame_of, mixed_frame

NOW = T0 + 0.25
OPTIONS = EventOptions(node="site-a", callsign_prefix="DW", stale_s=6.0)


def _events(**options: Any) -> list[CotEvent]:
    events, bad = track_events(mixed_frame(), NOW, EventOptions(**{"node": "site-a", **options}))
    assert bad == 0
    return events


def test_one_event_per_track_birds_left_out() -> None:
    events = _events()
    assert [e.uid for e in events] == [f"dronewall-site-a-{i}" for i in (7, 8, 9, 10)]
    assert [e.type for e in events] == ["a-h-A-M-H-Q", "a-s-A-M-F-Q", "a-n-A-C", "a-u-A"]
    with_birds = _events(birds=True)
    assert with_birds[-1].type == "a-n-A" and "bird" in with_birds[-1].remarks


def test_xml_event_carries_the_track() -> None:
    quad = _events(stale_s=6.0)[0]
    document = event_xml(quad)
    assert document.startswith(b'<?xml version="1.0"') and document.endswith(b"</event>")
    root = ET.fromstring(document)
    assert root.tag == "event" and root.get("version") == "2.0"
    assert root.get("uid") == "dronewall-site-a-7" and root.get("type") == "a-h-A-M-H-Q"
    assert root.get("how") == "m-f"
    assert root.get("time") == root.get("start") == "2026-12-08T00:00:00.250Z"
    assert root.get("stale") == "2026-12-08T00:00:06.250Z"
    point = root.find("point")
    assert point is not None
    assert float(point.get("lat", "")) == pytest.approx(52.2297, abs=1e-7)
    assert float(point.get("lon", "")) == pytest.approx(21.0122, abs=1e-7)
    assert float(point.get("hae", "")) == 180.0  # height above the ellipsoid, as the frame's
    assert float(point.get("ce", "")) == 15.0 and float(point.get("le", "")) == UNKNOWN_ERROR
    track = root.find("detail/track")
    assert track is not None
    assert float(track.get("course", "")) == 270.0 and float(track.get("speed", "")) == 12.5
    contact = root.find("detail/contact")
    assert contact is not None and contact.get("callsign") == "DW-7"
    remarks = root.findtext("detail/remarks") or ""
    assert remarks.startswith("drone (quadcopter) p=0.93; hostile; ALERT 3")
    assert "site Airport EPWA in 95 s" in remarks and "small, slow, hovering" in remarks


def test_callsign_carries_the_identity() -> None:
    airliner = _events()[2]
    assert airliner.callsign == "DW-9 48AE21" and "id 48AE21" in airliner.remarks


def _their_mesh(data: bytes) -> TheirTakMessage:
    parsed = takproto.parse_proto(bytearray(data))
    assert isinstance(parsed, TheirTakMessage)
    return parsed


def test_mesh_and_stream_framing_read_by_takproto() -> None:
    quad = _events()[0]
    mesh = event_mesh(quad)
    assert mesh[:3] == MESH_HEADER == b"\xbf\x01\xbf"
    stream = event_stream(quad)
    payload = tak_message(quad).SerializeToString()
    assert stream == b"\xbf" + varint(len(payload)) + payload
    for data in (mesh, stream):
        cot = _their_mesh(data).cotEvent
        assert cot.uid == quad.uid and cot.type == "a-h-A-M-H-Q" and cot.how == "m-f"
        assert cot.sendTime == cot.startTime == round(NOW * 1000)
        assert cot.staleTime == round((NOW + 10.0) * 1000)  # EventOptions' default stale_s
        assert (cot.lat, cot.lon, cot.hae, cot.ce) == (52.2297, 21.0122, 180.0, 15.0)
        assert cot.detail.track.speed == 12.5 and cot.detail.track.course == 270.0
        assert cot.detail.contact.callsign == "DW-7"
        assert cot.detail.xmlDetail.startswith("<remarks>drone (quadcopter)")


def _fragment(xml_detail: str) -> list[tuple[str, dict[str, str], str]]:
    root = ET.fromstring(f"<detail>{xml_detail}</detail>")
    return [(e.tag, dict(e.attrib), e.text or "") for e in root]


@pytest.mark.parametrize("group", ["", "Cyan"])
def test_protobuf_agrees_with_takproto_converting_our_xml(group: str) -> None:
    """takproto turns our XML into a TakMessage on its own: the same as ours, field by field."""
    events = _events(group_name=group, group_role="Team Member" if group else "")
    track = events[0]
    alarm = alarm_event(
        node="site-a",
        alert_id=3,
        state="new",
        site_id="Airport EPWA",
        priority=80.0,
        message="raised",
        track=track,
        now_s=NOW,
        stale_s=NOW + 6.0,
    )
    for event in [*events, alarm]:
        theirs = xml2message(event_xml(event))
        ours = TheirTakMessage.FromString(tak_message(event).SerializeToString())
        t, o = theirs.cotEvent, ours.cotEvent
        assert _fragment(t.detail.xmlDetail) == _fragment(o.detail.xmlDetail)
        t.detail.xmlDetail = o.detail.xmlDetail = ""
        # XML carries 7 decimals of a degree and 0.1 m; protobuf full doubles
        for name, places in (("lat", 7), ("lon", 7), ("hae", 1), ("ce", 1), ("le", 1)):
            assert getattr(t, name) == pytest.approx(getattr(o, name), abs=10.0**-places)
            setattr(t, name, 0.0)
            setattr(o, name, 0.0)
        assert t.detail.HasField("track") == o.detail.HasField("track")
        if o.detail.HasField("track"):
            assert t.detail.track.speed == pytest.approx(o.detail.track.speed, abs=0.05)
            assert t.detail.track.course == pytest.approx(o.detail.track.course, abs=0.05)
            t.detail.track.CopyFrom(o.detail.track)
        assert theirs == ours


def test_alarm_links_to_its_track() -> None:
    track = _events()[0]
    alarm = alarm_event(
        node="site-a",
        alert_id=3,
        state="acknowledged",
        site_id="Airport EPWA",
        priority=80.4,
        message="by op1",
        track=track,
        now_s=NOW,
        stale_s=NOW + 6.0,
    )
    root = ET.fromstring(event_xml(alarm))
    assert root.get("type") == "b-l" and root.get("uid") == "dronewall-site-a-alert-3"
    link = root.find("detail/link")
    assert link is not None
    assert link.attrib == {"uid": track.uid, "type": "a-h-A-M-H-Q", "relation": "p-p"}
    assert root.findtext("detail/remarks") == (
        "ALERT 3 acknowledged: Airport EPWA, priority 80; by op1"
    )


def test_stream_reader_splits_frames_fed_byte_by_byte() -> None:
    payloads = [tak_message(e).SerializeToString() for e in _events()] + [b"x" * 300]
    data = b"".join(stream_frame(p) for p in payloads)
    reader = StreamReader()
    got: list[bytes] = []
    for i in range(len(data)):
        got += reader.feed(data[i : i + 1])
    assert got == payloads


def test_varint_matches_protobuf() -> None:
    from google.protobuf.internal.encoder import _VarintBytes

    for value in (0, 1, 127, 128, 300, 16_383, 16_384, 2**32, 2**63):
        assert varint(value) == _VarintBytes(value)


def test_no_position_no_event() -> None:
    rows = [Row(1, lat=math.nan), Row(2, lon=181.0), Row(3, lat=91.0), Row(4)]
    events, bad = track_events(frame_of(rows), NOW, OPTIONS)
    assert [e.uid for e in events] == ["dronewall-site-a-4"] and bad == 3
