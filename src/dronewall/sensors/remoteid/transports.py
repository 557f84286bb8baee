"""Remote ID inside whole radio frames: ASTM F3411-22a §5.4.6 (Bluetooth advertising data:
an AD structure "Service Data – 16-bit UUID", type 0x16, UUID 0xFFFA), §5.4.8 (Wi-Fi NAN:
an IEEE 802.11 Public Action frame, vendor specific, Wi-Fi Alliance OUI 50:6F:9A type 0x13,
whose Service Descriptor attribute for service ID 88:69:19:9D:92:09 carries the message
counter and a pack as its service info) and §5.4.9 (Wi-Fi Beacon: a beacon whose vendor
specific element 0xDD with OUI FA:0B:BC type 0x0D carries the counter and a pack). Frame
layouts per IEEE 802.11-2016 §9.3.3 and the Wi-Fi Aware (NAN) specification v3 §9.5.

Each helper returns a ``framing.Frame`` with the transmitter's MAC address (the 802.11
source address; for Bluetooth the caller gives the advertiser address) or raises
``RemoteIdError`` ("framing", "pack", "length").
"""

from __future__ import annotations

import struct

from dronewall.sensors.remoteid import fields as f
from dronewall.sensors.remoteid.decode import RemoteIdError
from dronewall.sensors.remoteid.framing import (
    Frame,
    unwrap_counted_pack,
    unwrap_service_data,
    unwrap_vendor_body,
)

_MGMT_HEADER = 24  # frame control, duration, three addresses, sequence control
_BEACON_FIXED = 12  # timestamp, beacon interval, capability information
_FC_BEACON = 0x80  # frame control low byte: management, subtype 8 (flags ignored)
_FC_ACTION = 0xD0  # management, subtype 13
_NAN_HEAD = bytes((0x04, 0x09, 0x50, 0x6F, 0x9A, 0x13))  # public action, vendor, WFA NAN
_NAN_SDA = 0x03  # Service Descriptor attribute
_AD_SERVICE_DATA_16 = 0x16
_ODID_UUID_LE = struct.pack("<H", f.BLE_SERVICE_UUID)


def mac_text(raw: bytes) -> str:
    """Six address bytes as ``aa:bb:cc:dd:ee:ff``."""
    return ":".join(f"{b:02x}" for b in raw)


def strip_radiotap(packet: bytes) -> bytes:
    """The 802.11 frame inside a radiotap capture record (version 0, little-endian length)."""
    if len(packet) < 4 or packet[0] != 0:
        raise RemoteIdError("framing", "not a radiotap header", packet)
    (length,) = struct.unpack_from("<H", packet, 2)
    if length < 8 or length > len(packet):
        raise RemoteIdError("framing", f"radiotap length {length}", packet)
    return packet[length:]


def unwrap_beacon_frame(frame: bytes) -> Frame:
    """An 802.11 beacon carrying the ASD-STAN Open Drone ID vendor element."""
    if len(frame) < _MGMT_HEADER + _BEACON_FIXED or frame[0] != _FC_BEACON:
        raise RemoteIdError("framing", "not an 802.11 beacon", frame)
    mac = mac_text(frame[10:16])
    pos = _MGMT_HEADER + _BEACON_FIXED
    while pos + 2 <= len(frame):
        element, length = frame[pos], frame[pos + 1]
        body = frame[pos + 2 : pos + 2 + length]
        if len(body) < length:
            break
        if element == 0xDD and body[:3] == f.WIFI_BEACON_OUI and body[3:4] == b"\x0d":
            return unwrap_vendor_body(body, mac)
        pos += 2 + length
    raise RemoteIdError("framing", "beacon without an Open Drone ID element", frame)


def unwrap_nan_action_frame(frame: bytes) -> Frame:
    """An 802.11 NAN service discovery frame publishing the Open Drone ID service."""
    head = _MGMT_HEADER + len(_NAN_HEAD)
    if len(frame) < head or frame[0] != _FC_ACTION or frame[_MGMT_HEADER:head] != _NAN_HEAD:
        raise RemoteIdError("framing", "not a NAN service discovery frame", frame)
    mac = mac_text(frame[10:16])
    pos = head
    while pos + 3 <= len(frame):
        attribute = frame[pos]
        (length,) = struct.unpack_from("<H", frame, pos + 1)
        body = frame[pos + 3 : pos + 3 + length]
        if len(body) < length:
            break
        if attribute == _NAN_SDA and body[:6] == f.NAN_SERVICE_ID:
            return _service_info(body, frame, mac)
        pos += 3 + length
    raise RemoteIdError("framing", "NAN frame without the Open Drone ID service", frame)


def _service_info(sda: bytes, frame: bytes, mac: str) -> Frame:
    """The service info of a Service Descriptor attribute: service ID (6), instance ID,
    requestor instance ID, service control, then the optional fields that control names."""
    if len(sda) < 9:
        raise RemoteIdError("framing", "short service descriptor attribute", frame)
    control, pos = sda[8], 9
    if control & 0x40:  # binding bitmap present (2 bytes)
        pos += 2
    for bit in (0x04, 0x08):  # matching filter, service response filter: length + body
        if control & bit:
            pos += 1 + (sda[pos] if pos < len(sda) else 0)
    if not control & 0x10 or pos >= len(sda):
        raise RemoteIdError("framing", "service descriptor without service info", frame)
    length = sda[pos]
    info = sda[pos + 1 : pos + 1 + length]
    if len(info) != length or length < 1 + f.PACK_HEADER_SIZE:
        raise RemoteIdError("framing", "truncated service info", frame)
    return unwrap_counted_pack(info, mac)


def unwrap_advertising_data(data: bytes, mac: str = "") -> Frame:
    """Bluetooth advertising data (a sequence of length, type, data structures) holding
    the 0xFFFA service data; ``mac`` is the advertiser address the radio reported."""
    pos = 0
    while pos < len(data):
        length = data[pos]
        if length == 0:
            break
        structure = data[pos + 1 : pos + 1 + length]
        if len(structure) < length:
            break
        if structure[0] == _AD_SERVICE_DATA_16 and structure[1:3] == _ODID_UUID_LE:
            return unwrap_service_data(structure[3:], mac)
        pos += 1 + length
    raise RemoteIdError("framing", "no 0xFFFA service data in the advertisement", data)
