"""Cursor-on-Target events as XML (CoT schema 2.0, "TAK Protocol version 0").

Each event is one document: the XML declaration, a newline, then ``<event>`` with no newline
after ``</event>`` — what TAK servers expect on a stream, where the next document follows at
once, and what a UDP datagram carries alone (the TAK protocol description, "Traditional
Protocol"). Text and attribute values are escaped (``& < > " '``), and ``CotEvent`` values were
cleaned of characters XML cannot carry when they were built (``event.clean_text``).
"""

from __future__ import annotations

import functools
import re
import time

from dronewall.sensors.cot.event import CotEvent, clean_text

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})
# What escape has to touch: markup characters, and those XML cannot carry (clean_text's)
_TOUCH = re.compile("[&<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape(text: str) -> str:
    """``text`` escaped for an XML attribute value or element text (most text needs nothing:
    one search, then it is returned as it is)."""
    if _TOUCH.search(text) is None:
        return text
    return clean_text(text, len(text)).translate(_ESCAPE)


@functools.lru_cache(maxsize=64)  # the events of one frame share their times
def cot_time(t: float) -> str:
    """POSIX seconds as CoT's ``xs:dateTime`` in UTC with milliseconds: 2026-12-08T00:00:00.000Z."""
    ms = round(t * 1000.0)
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def event_xml(event: CotEvent) -> bytes:
    """The event as one XML document (declaration included), UTF-8."""
    stamp = cot_time(event.time_s)
    access = f' access="{escape(event.access)}"' if event.access else ""
    head = (
        f'<event version="2.0" uid="{escape(event.uid)}" type="{escape(event.type)}"'
        f' how="{escape(event.how)}" time="{stamp}" start="{cot_time(event.start_s)}"'
        f' stale="{cot_time(event.stale_s)}"{access}>'
        f'<point lat="{event.lat:.7f}" lon="{event.lon:.7f}" hae="{event.hae:.1f}"'
        f' ce="{event.ce:.1f}" le="{event.le:.1f}"/>'
    )
    return XML_DECLARATION + (head + detail_xml(event) + "</event>").encode("utf-8", "replace")


def detail_xml(event: CotEvent) -> str:
    """The ``<detail>`` element."""
    parts = ["<detail>"]
    if event.course_deg is not None and event.speed_mps is not None:
        parts.append(f'<track course="{event.course_deg:.1f}" speed="{event.speed_mps:.1f}"/>')
    if event.callsign:
        parts.append(f'<contact callsign="{escape(event.callsign)}"/>')
    if event.group_name:
        parts.append(
            f'<__group name="{escape(event.group_name)}" role="{escape(event.group_role)}"/>'
        )
    parts.append(extra_detail_xml(event))
    parts.append("</detail>")
    return "".join(parts)


def extra_detail_xml(event: CotEvent) -> str:
    """The detail elements TAK Protocol v1 has no typed field for (its ``xmlDetail``):
    links and remarks."""
    parts = [
        f'<link uid="{escape(link.uid)}" type="{escape(link.type)}"'
        f' relation="{escape(link.relation)}"/>'
        for link in event.links
    ]
    if event.remarks:
        parts.append(f"<remarks>{escape(event.remarks)}</remarks>")
    return "".join(parts)
