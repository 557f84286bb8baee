"""The encoders never raise and always write well-formed XML and decodable protobuf, whatever
the picture holds: NaN, infinities, huge numbers, empty or hostile text (``sensors/cot``)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import takproto
from hypothesis import given, settings
from hypothesis import strategies as st
from takproto.proto import TakMessage as TheirTakMessage

from dronewall.sensors.cot import (
    EventOptions,
    alarm_event,
    event_mesh,
    event_stream,
    event_xml,
    track_events,
)
from tests.sensors.cot.frames import T0, Row, frame_of

HOSTILE = "<&\"'> ]]> <!-- --> &amp; \x00\x07\x1b\ufffe \ud800 é 漢 🛸"
numbers = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 1e300, -1e300, 5e-324, math.nan, math.inf]
)
texts = st.text(max_size=300) | st.just(HOSTILE) | st.just("")


@st.composite
def rows(draw: st.DrawFn) -> Row:
    return Row(
        track_id=draw(st.integers(0, 2**62)),
        label=draw(st.integers(0, 255)),
        kind=draw(st.integers(0, 255)),
        affiliation=draw(st.sampled_from(list("FHSNUX?"))),
        lat=draw(st.floats(-90, 90) | numbers),
        lon=draw(st.floats(-180, 180) | numbers),
        alt=draw(numbers),
        speed=draw(numbers),
        course=draw(numbers),
        sigma=draw(numbers),
        p=draw(numbers),
        identity=draw(texts),
        alert_id=draw(st.integers(-(2**63), 2**63 - 1)),
        site=draw(texts),
        tts=draw(numbers),
        class_reasons=draw(texts),
        threat_reasons=draw(texts),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(rows(), max_size=6), texts, texts)
def test_any_frame_encodes(frame_rows: list[Row], node: str, prefix: str) -> None:
    options = EventOptions(node=node, callsign_prefix=prefix, birds=True, access=HOSTILE)
    events, bad = track_events(frame_of(frame_rows), T0, options)
    assert len(events) + bad == len(frame_rows)
    for event in events:
        root = ET.fromstring(event_xml(event))  # well-formed, or this raises
        point = root.find("point")
        assert point is not None
        for name in ("lat", "lon", "hae", "ce", "le"):
            value = float(point.get(name, "nan"))
            assert math.isfinite(value) and len(point.get(name, "")) < 20
        assert len(root.findtext("detail/remarks") or "") <= 1000
        for data in (event_mesh(event), event_stream(event)):
            parsed = takproto.parse_proto(bytearray(data))
            assert isinstance(parsed, TheirTakMessage)
            assert parsed.cotEvent.uid == event.uid


def test_hostile_text_survives_escaped() -> None:
    rows_ = [Row(1, class_reasons=HOSTILE, identity="<&\"'>", site="a&b")]
    events, _ = track_events(frame_of(rows_), T0, EventOptions(node="<n>"))
    document = event_xml(events[0])
    root = ET.fromstring(document)
    remarks = root.findtext("detail/remarks") or ""
    assert "<&\"'> ]]> <!-- --> &amp;" in remarks  # the text, not markup
    assert "\x00" not in remarks and "\ufffe" not in remarks
    assert root.get("uid") == "dronewall-<n>-1"
    contact = root.find("detail/contact")
    assert contact is not None and contact.get("callsign") == "DW-1 <&\"'>"
    assert b"<n>" not in document  # escaped in the raw bytes


@settings(max_examples=100, deadline=None)
@given(texts, texts, texts, numbers, st.integers(-(2**63), 2**63 - 1))
def test_any_alarm_encodes(
    site: str, message: str, state: str, priority: float, alert: int
) -> None:
    (track,), _ = track_events(frame_of([Row(1)]), T0, EventOptions(node="n"))
    alarm = alarm_event(
        node=HOSTILE,
        alert_id=alert,
        state=state,
        site_id=site,
        priority=priority,
        message=message,
        track=track,
        now_s=T0,
        stale_s=T0 + 5.0,
    )
    root = ET.fromstring(event_xml(alarm))
    assert root.get("type") == "b-l" and len(root.findtext("detail/remarks") or "") <= 1000
    link = root.find("detail/link")
    assert link is not None and link.get("uid") == "dronewall-n-1"
    parsed = takproto.parse_proto(bytearray(event_mesh(alarm)))
    assert isinstance(parsed, TheirTakMessage) and parsed.cotEvent.type == "b-l"
