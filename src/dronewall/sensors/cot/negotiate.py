"""Switching a TAK server stream from XML to TAK Protocol Version 1 (the TAK protocol
description, "Streaming Connection Protocol Negotiation").

A connection starts in XML. A server that speaks the TAK Protocol offers it once with an event
of type ``t-x-takp-v`` (``<TakControl><TakProtocolSupport version="1"/>``); the client asks
with ``t-x-takp-q`` (``<TakRequest version="1"/>``), sends nothing more, and waits for
``t-x-takp-r`` (``<TakResponse status="true"/>``): then both sides speak protobuf; on
``false`` both stay with XML. ``XmlEventReader`` splits the server's XML stream into events
(each ends at ``</event>``), ``offered_versions`` and ``response_status`` read the two server
messages, ``request_xml`` writes the client's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dronewall.core.errors import DecodeError
from dronewall.sensors.cot.xml import XML_DECLARATION, cot_time, escape

OFFER = "t-x-takp-v"
REQUEST = "t-x-takp-q"
RESPONSE = "t-x-takp-r"
MAX_EVENT_BYTES = 1 << 20  # a server's CoT event is a few kilobytes; a megabyte is not one
_END = b"</event>"


class XmlEventReader:
    """Splits a stream of CoT XML documents at each ``</event>`` (sans-I/O)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        out: list[bytes] = []
        while (end := self._buffer.find(_END)) >= 0:
            cut = end + len(_END)
            out.append(bytes(self._buffer[:cut]).strip())
            del self._buffer[:cut]
        if len(self._buffer) > MAX_EVENT_BYTES:
            raise DecodeError("TAK server stream: over 1 MiB without </event>")
        return out


def _event(document: bytes) -> ET.Element | None:
    try:
        root = ET.fromstring(document)
    except ET.ParseError:
        return None
    return root if root.tag == "event" else None


def offered_versions(document: bytes) -> set[int] | None:
    """The TAK Protocol versions a ``t-x-takp-v`` event offers; None for any other event."""
    root = _event(document)
    if root is None or root.get("type") != OFFER:
        return None
    versions = set()
    for support in root.iter("TakProtocolSupport"):
        text = support.get("version", "")
        if text.isdigit():
            versions.add(int(text))
    return versions


def response_status(document: bytes) -> bool | None:
    """True/False from a ``t-x-takp-r`` event; None for any other event."""
    root = _event(document)
    if root is None or root.get("type") != RESPONSE:
        return None
    response = root.find("detail/TakControl/TakResponse")
    return response is not None and response.get("status", "").lower() == "true"


def request_xml(uid: str, version: int, now_s: float) -> bytes:
    """The client's ``t-x-takp-q`` asking for ``version``."""
    stamp = cot_time(now_s)
    stale = cot_time(now_s + 60.0)
    body = (
        f'<event version="2.0" uid="{escape(uid)}" type="{REQUEST}" time="{stamp}"'
        f' start="{stamp}" stale="{stale}" how="m-g">'
        '<point lat="0.0" lon="0.0" hae="0.0" ce="9999999.0" le="9999999.0"/>'
        f'<detail><TakControl><TakRequest version="{int(version)}"/></TakControl></detail>'
        "</event>"
    )
    return XML_DECLARATION + body.encode()
