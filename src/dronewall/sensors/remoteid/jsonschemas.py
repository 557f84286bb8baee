"""The JSON objects open Remote ID receivers publish, read into Remote ID messages (ASTM
F3411-22a field meanings). Three shapes are understood (``docs/feeds-remoteid.md`` has the
exact keys):

* **raw** — an object with the message bytes in hex (``hex``, ``raw``, ``payload``, ``data``,
  ``msg``, ``message``) or base64 (``base64``, ``b64``), plus receiver metadata (``mac``,
  ``rssi``, a receive time ``t``/``time``/``timestamp``) and an optional ``format``
  (``datagram`` by default, ``ble_adv``, ``wifi_beacon``, ``wifi_nan``);
* **flat decoded** — one object per aircraft (dronewall's schema, whose keys also take the
  names of the ESP32 scanners' serial JSON: ``drone_lat``, ``drone_long``, ``basic_id``…);
* **message list** — the DroneID / WarDragon decoders' output: a list (or an object) of
  sections "Basic ID", "Location/Vector Message", "Self-ID Message", "System Message",
  "Operator ID Message" (also "Location Vector", "Self ID", "System", "Operator ID"), or
  DroneID's ``wifi_receiver`` object ``{"DroneID": {<mac>: [sections]}}``.

``read_object`` returns ``RawLine``s and ``DecodedLine``s; it raises ``RemoteIdError``
("schema", "range", "hex") for objects it cannot use.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from dronewall.sensors.remoteid import jsonvalues as v
from dronewall.sensors.remoteid.decode import RemoteIdError
from dronewall.sensors.remoteid.jsonsections import (
    SECTION_NAMES,
    flat_messages,
    section_messages,
)
from dronewall.sensors.remoteid.messages import Message

NAN = math.nan
HEX_KEYS = ("hex", "raw", "payload", "data", "msg", "message", "frame")
BASE64_KEYS = ("base64", "b64", "data_b64", "payload_b64")
MAC_KEYS = ("mac", "MAC", "addr", "address", "bssid", "src_mac", "transmitter")
TIME_KEYS = ("t", "time", "timestamp", "ts", "t_receive", "received")
FORMATS = ("datagram", "ble_adv", "wifi_beacon", "wifi_nan")
_HEX_SEPARATORS = re.compile(r"[\s:\-]")


@dataclass(frozen=True, slots=True)
class RawLine:
    """Message bytes with their receiver metadata."""

    data: bytes
    fmt: str
    mac: str
    t_receive: float


@dataclass(frozen=True, slots=True)
class DecodedLine:
    """Messages decoded by the receiver, the transmitter's MAC and the time that resolves
    their "seconds after the hour" stamps (the position's time or the line's receive time)."""

    messages: tuple[Message, ...]
    mac: str
    t_reference: float


def read_object(obj: object) -> list[RawLine | DecodedLine]:
    """One parsed JSON line in any of the shapes (a DroneID object may hold several
    transmitters: one ``DecodedLine`` each)."""
    if isinstance(obj, list):
        return [_sections(obj, {})]
    if not isinstance(obj, dict):
        raise RemoteIdError("schema", f"a JSON {type(obj).__name__}, not an object", obj)
    try:
        raw = _raw(obj)
        if raw is not None:
            return [raw]
        by_mac = obj.get("DroneID")
        if isinstance(by_mac, dict) and by_mac:
            return [_sections(list(items), {"mac": mac}) for mac, items in by_mac.items()]
        if any(name in obj for name in SECTION_NAMES):
            return [_sections([{k: val} for k, val in obj.items()], obj)]
        messages = flat_messages(obj)
        return [DecodedLine(tuple(messages), _mac(obj), _time(obj))]
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as err:
        raise RemoteIdError("schema", str(err), obj) from err


def _raw(obj: dict[str, object]) -> RawLine | None:
    fmt = v.text(obj.get("format")) or "datagram"
    for key in HEX_KEYS:
        value = obj.get(key)
        if isinstance(value, str):
            try:
                data = bytes.fromhex(_HEX_SEPARATORS.sub("", value))
            except ValueError as err:
                raise RemoteIdError("hex", f"{key} is not hex", obj) from err
            return _raw_line(data, fmt, obj)
    for key in BASE64_KEYS:
        value = obj.get(key)
        if isinstance(value, str):
            try:
                data = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError) as err:
                raise RemoteIdError("hex", f"{key} is not base64", obj) from err
            return _raw_line(data, fmt, obj)
    return None


def _raw_line(data: bytes, fmt: str, obj: dict[str, object]) -> RawLine:
    if fmt not in FORMATS:
        raise RemoteIdError("schema", f"unknown format {fmt!r}", obj)
    return RawLine(data, fmt, _mac(obj), _time(obj))


def _mac(obj: Mapping[str, object]) -> str:
    for key in MAC_KEYS:
        value = obj.get(key)
        if isinstance(value, str) and value:
            return value.strip().lower().replace("-", ":")
    return ""


def _time(obj: Mapping[str, object]) -> float:
    for key in TIME_KEYS:
        if key in obj and not isinstance(obj[key], dict | list):
            t = v.posix_time(obj[key])
            return t if t > 0 else NAN
    return NAN


def _sections(items: list[object], top: Mapping[str, object]) -> DecodedLine:
    try:
        messages, mac = section_messages(items)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as err:
        raise RemoteIdError("schema", str(err), items) from err
    return DecodedLine(tuple(messages), mac or _mac(top), _time(top) if top else NAN)
