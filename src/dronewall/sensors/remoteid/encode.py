"""Encoder of the Remote ID broadcast messages, the message pack and their transport
wrappings: ASTM F3411-22a §5.4.5 (Tables 4–13), §5.4.6 (Bluetooth service data), §5.4.8–9
(Wi-Fi NAN and Beacon); ASD-STAN EN 4709-002 §6. The inverse of ``decode``: NaN values are
written as the standard's "unknown" codes; values past a field's range are clamped to it.

Used by the tests, the benchmark and simulated drones broadcasting Remote ID over UDP.
"""

from __future__ import annotations

import math
import struct
import uuid

from dronewall.sensors.remoteid import fields as f
from dronewall.sensors.remoteid.messages import (
    AuthPage,
    BasicId,
    Location,
    Message,
    OperatorId,
    SelfId,
    System,
)

_LOCATION = struct.Struct("<BBBBbiiHHHBBHBx")
_SYSTEM = struct.Struct("<BBiiHBHHBHIx")


def _round(value: float) -> int:
    return math.floor(value + 0.5)


def _clamp(value: int, low: int, high: int) -> int:
    return low if value < low else high if value > high else value


def _header(kind: f.MessageType, version: int) -> int:
    return (kind << 4) | (version & 0x0F)


def _ascii(text: str, size: int) -> bytes:
    return text.encode("ascii", "replace")[:size].ljust(size, b"\0")


def _latlon(value: float) -> int:
    return 0 if math.isnan(value) else _clamp(_round(value * 1e7), -1_800_000_000, 1_800_000_000)


def _altitude(value: float) -> int:
    if math.isnan(value):
        return 0
    return _clamp(_round((value - f.ALT_OFFSET) / f.ALT_SCALE), 0, 0xFFFF)


def _stamp(value: float) -> int:
    return 0 if math.isnan(value) else _clamp(_round(value - f.SYSTEM_EPOCH_POSIX), 0, 2**32 - 1)


def encode_basic_id(msg: BasicId) -> bytes:
    if msg.id_type == f.IdType.UTM_ASSIGNED_UUID:
        raw = uuid.UUID(msg.uas_id).bytes.ljust(20, b"\0")
    elif msg.id_type == f.IdType.SPECIFIC_SESSION_ID:
        raw = bytes.fromhex(msg.uas_id)[:20].ljust(20, b"\0")
    else:
        raw = _ascii(msg.uas_id, 20)
    head = bytes((_header(f.MessageType.BASIC_ID, msg.version), (msg.id_type << 4) | msg.ua_type))
    return head + raw + b"\0\0\0"


def _speed(speed: float) -> tuple[int, int]:
    """(raw, multiplier bit) of a horizontal speed."""
    if math.isnan(speed):
        return f.SPEED_UNKNOWN_RAW, 1
    if speed <= f.SPEED_HIGH_BASE:
        return _clamp(_round(speed / f.SPEED_SCALE_LOW), 0, 255), 0
    return _clamp(_round((speed - f.SPEED_HIGH_BASE) / f.SPEED_SCALE_HIGH), 0, 254), 1


def _direction(direction: float) -> tuple[int, int]:
    """(raw, east/west bit) of a track direction."""
    degrees = f.DIRECTION_UNKNOWN if math.isnan(direction) else _round(direction) % 360
    return (degrees - 180, 1) if degrees >= 180 else (degrees, 0)


def encode_location(msg: Location) -> bytes:
    speed, high = _speed(msg.speed_mps)
    direction, west = _direction(msg.direction_deg)
    vspeed = msg.vertical_speed_mps
    if math.isnan(vspeed):
        vraw = f.VSPEED_UNKNOWN_RAW
    else:
        vraw = _clamp(_round(vspeed / f.VSPEED_SCALE), -f.VSPEED_MAX_RAW, f.VSPEED_MAX_RAW)
    flags = ((msg.status & 0x0F) << 4) | ((msg.height_type & 1) << 2) | (west << 1) | high
    if math.isnan(msg.timestamp_s):
        stamp = f.TIMESTAMP_UNKNOWN_RAW
    else:
        stamp = _clamp(_round(msg.timestamp_s * 10), 0, f.TIMESTAMP_MAX_RAW)
    ts_acc = 0 if math.isnan(msg.timestamp_accuracy_s) else _round(msg.timestamp_accuracy_s * 10)
    return _LOCATION.pack(
        _header(f.MessageType.LOCATION, msg.version),
        flags,
        direction,
        speed,
        vraw,
        _latlon(msg.lat_deg),
        _latlon(msg.lon_deg),
        _altitude(msg.pressure_alt_m),
        _altitude(msg.geodetic_alt_m),
        _altitude(msg.height_m),
        (msg.vertical_accuracy << 4) | msg.horizontal_accuracy,
        (msg.baro_accuracy << 4) | msg.speed_accuracy,
        stamp,
        _clamp(ts_acc, 0, 15),
    )


def encode_auth(msg: AuthPage) -> bytes:
    head = bytes((_header(f.MessageType.AUTH, msg.version), (msg.auth_type << 4) | msg.page))
    if msg.page != 0:
        return head + msg.data[: f.AUTH_PAGE_DATA].ljust(f.AUTH_PAGE_DATA, b"\0")
    stamp = _stamp(msg.timestamp)
    fixed = struct.pack("<BBI", msg.last_page & 0xFF, _clamp(msg.length, 0, 255), stamp)
    return head + fixed + msg.data[: f.AUTH_PAGE0_DATA].ljust(f.AUTH_PAGE0_DATA, b"\0")


def encode_self_id(msg: SelfId) -> bytes:
    head = bytes((_header(f.MessageType.SELF_ID, msg.version), msg.description_type))
    return head + _ascii(msg.description, 23)


def encode_system(msg: System) -> bytes:
    flags = (msg.operator_location_type & 0x03) | ((msg.classification_type & 0x07) << 2)
    return _SYSTEM.pack(
        _header(f.MessageType.SYSTEM, msg.version),
        flags,
        _latlon(msg.operator_lat_deg),
        _latlon(msg.operator_lon_deg),
        _clamp(msg.area_count, 0, 0xFFFF),
        _clamp(int(msg.area_radius_m / f.AREA_RADIUS_SCALE), 0, 255),
        _altitude(msg.area_ceiling_m),
        _altitude(msg.area_floor_m),
        (msg.category_eu << 4) | msg.class_eu,
        _altitude(msg.operator_alt_m),
        _stamp(msg.timestamp),
    )


def encode_operator_id(msg: OperatorId) -> bytes:
    head = bytes((_header(f.MessageType.OPERATOR_ID, msg.version), msg.operator_id_type))
    return head + _ascii(msg.operator_id, 20) + b"\0\0\0"


def encode_message(msg: Message) -> bytes:
    """Any message record as its 25 bytes."""
    if isinstance(msg, BasicId):
        return encode_basic_id(msg)
    if isinstance(msg, Location):
        return encode_location(msg)
    if isinstance(msg, AuthPage):
        return encode_auth(msg)
    if isinstance(msg, SelfId):
        return encode_self_id(msg)
    if isinstance(msg, System):
        return encode_system(msg)
    return encode_operator_id(msg)


def encode_pack(messages: list[bytes], version: int = 2) -> bytes:
    """A message pack of 1..9 encoded messages."""
    if not 1 <= len(messages) <= f.PACK_MAX_MESSAGES:
        raise ValueError(f"a pack holds 1..9 messages, not {len(messages)}")
    head = bytes((_header(f.MessageType.PACK, version), f.MESSAGE_SIZE, len(messages)))
    return head + b"".join(messages)


def ble_service_data(payload: bytes, counter: int) -> bytes:
    """Service data after the 0xFFFA UUID: app code 0x0D, counter, a message or a pack."""
    return bytes((f.BLE_APP_CODE, counter & 0xFF)) + payload


def ble_advertising_data(payload: bytes, counter: int) -> bytes:
    """A whole "Service Data – 16-bit UUID" AD structure for UUID 0xFFFA."""
    body = b"\x16" + struct.pack("<H", f.BLE_SERVICE_UUID) + ble_service_data(payload, counter)
    return bytes((len(body),)) + body


def beacon_vendor_element(pack: bytes, counter: int) -> bytes:
    """The Wi-Fi Beacon vendor specific element (0xDD) carrying a counter and a pack."""
    body = f.WIFI_BEACON_OUI + bytes((f.WIFI_BEACON_OUI_TYPE, counter & 0xFF)) + pack
    return bytes((0xDD, len(body))) + body
