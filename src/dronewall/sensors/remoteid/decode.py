"""Decoder of the 25-byte Remote ID broadcast messages and of the message pack: ASTM
F3411-22a §5.4.5 (Tables 4–13) / ASD-STAN EN 4709-002 §6. Encodings as in opendroneid-core-c
``libopendroneid/opendroneid.c`` (Apache-2.0), written here from the tables; no code copied.

``decode_message`` turns one 25-byte message into a record of ``messages``; ``split_pack``
returns the messages of a pack. Both raise ``RemoteIdError`` with a short reason token:

* ``length`` — not 25 bytes; ``type`` — message type 6..14; ``version`` — protocol 3..15;
* ``range`` — a value outside its range (latitude beyond ±90°, track 362..435°, vertical
  speed beyond ±62 m/s, timestamp past one hour, an authentication length too long for its
  pages);
* ``text`` — a serial number or registration with bytes that are not printable ASCII;
* ``pack`` — a pack whose message size is not 25, count not 1..9, too short for its count,
  or a pack inside a pack.

Unknown values map to NaN: speed 255 (with the 0.75 multiplier), track 361, altitudes
-1000 m (encoded 0), latitude and longitude both 0, timestamp 0xFFFF.
"""

from __future__ import annotations

import math
import struct
import uuid
from collections.abc import Callable

from dronewall.core.errors import DecodeError
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

NAN = math.nan
_LOCATION = struct.Struct("<2xBBbiiHHHBBHB1x")
_SYSTEM = struct.Struct("<BiiHBHHBHI1x")
_AUTH0 = struct.Struct("<BBI")


class RemoteIdError(DecodeError):
    """A Remote ID input rejected for ``reason`` (a short token counted by the adapter)."""

    def __init__(self, reason: str, message: str, value: object = None):
        self.reason = reason
        super().__init__(f"{reason}: {message}", value)


def decode_message(msg: bytes) -> Message:
    """One 25-byte message as its record; raises ``RemoteIdError``."""
    if len(msg) != f.MESSAGE_SIZE:
        raise RemoteIdError("length", f"{len(msg)} bytes, a message has 25", msg)
    kind, version = msg[0] >> 4, msg[0] & 0x0F
    if version > f.MAX_PROTOCOL_VERSION:
        raise RemoteIdError("version", f"protocol version {version}", msg)
    decoder = _DECODERS.get(kind)
    if decoder is None:
        reason = "pack" if kind == f.MessageType.PACK else "type"
        raise RemoteIdError(reason, f"message type {kind:#x} where a message is expected", msg)
    return decoder(msg, version)


def split_pack(pack: bytes) -> list[bytes]:
    """The messages of a message pack: 3 + 25 × count bytes, or more (Bluetooth 5 transmitters
    send the 9-message buffer whatever the count: the padding is ignored); raises
    ``RemoteIdError`` ("pack", "version")."""
    if len(pack) < f.PACK_HEADER_SIZE or pack[0] >> 4 != f.MessageType.PACK:
        raise RemoteIdError("pack", "not a message pack", pack)
    if pack[0] & 0x0F > f.MAX_PROTOCOL_VERSION:
        raise RemoteIdError("version", f"protocol version {pack[0] & 0x0F}", pack)
    size, count = pack[1], pack[2]
    if size != f.MESSAGE_SIZE:
        raise RemoteIdError("pack", f"message size {size}, must be 25", pack)
    if not 1 <= count <= f.PACK_MAX_MESSAGES:
        raise RemoteIdError("pack", f"{count} messages, must be 1..9", pack)
    end = f.PACK_HEADER_SIZE + count * size
    if len(pack) < end:
        raise RemoteIdError("pack", f"{len(pack)} bytes for {count} messages", pack)
    return [pack[i : i + size] for i in range(f.PACK_HEADER_SIZE, end, size)]


def _text(raw: bytes) -> str:
    """NUL-padded ASCII; non-printable characters replaced by '?' (descriptions)."""
    text = raw.split(b"\0", 1)[0].decode("ascii", "replace")
    return "".join(c if " " <= c <= "~" else "?" for c in text).rstrip()


def _strict_text(raw: bytes, msg: bytes) -> str:
    body = raw.rstrip(b"\0")
    text = body.decode("ascii") if body.isascii() else "\0"
    if not text.isprintable():  # for ASCII: only 0x20..0x7E are printable
        raise RemoteIdError("text", "identifier is not printable ASCII", msg)
    return text.strip()


def _decode_basic_id(msg: bytes, version: int) -> BasicId:
    id_type, ua_type = msg[1] >> 4, msg[1] & 0x0F
    raw = msg[2:22]
    if id_type in (f.IdType.SERIAL_NUMBER, f.IdType.CAA_REGISTRATION):
        uas_id = _strict_text(raw, msg)
    elif id_type == f.IdType.UTM_ASSIGNED_UUID:
        uas_id = str(uuid.UUID(bytes=raw[:16]))
    elif id_type == f.IdType.SPECIFIC_SESSION_ID:
        uas_id = raw.rstrip(b"\0").hex().upper()
    else:  # none or reserved: text when it is text
        body = raw.rstrip(b"\0")
        printable = all(0x20 <= b <= 0x7E for b in body)
        uas_id = body.decode("ascii").strip() if printable else body.hex().upper()
    return BasicId(id_type, ua_type, uas_id, version)


def _altitude(raw: int) -> float:
    return NAN if raw == 0 else raw * f.ALT_SCALE + f.ALT_OFFSET


def _speed(raw: int, high: bool) -> float:
    if not high:
        return raw * f.SPEED_SCALE_LOW
    if raw == f.SPEED_UNKNOWN_RAW:
        return NAN
    return raw * f.SPEED_SCALE_HIGH + f.SPEED_HIGH_BASE


def _direction(raw: int, west: bool, msg: bytes) -> float:
    degrees = raw + (180 if west else 0)
    if degrees == f.DIRECTION_UNKNOWN:
        return NAN
    if degrees > f.DIRECTION_UNKNOWN:
        raise RemoteIdError("range", f"track direction {degrees}°", msg)
    return float(degrees % 360)  # 360 read as 0 (a rounding encoder's north)


def _decode_location(msg: bytes, version: int) -> Location:
    flags = msg[1]
    (direction, speed, vspeed, lat, lon, baro, geo, height, hv_acc, bs_acc, ts, ts_acc) = (
        _LOCATION.unpack(msg)
    )
    if lat == 0 and lon == 0:
        lat_deg = lon_deg = NAN
    else:
        lat_deg, lon_deg = lat / f.LATLON_UNITS, lon / f.LATLON_UNITS
        if abs(lat_deg) > 90.0 or abs(lon_deg) > 180.0:
            raise RemoteIdError("range", f"position {lat_deg:.7f}, {lon_deg:.7f}", msg)
    if vspeed == f.VSPEED_UNKNOWN_RAW:
        vertical = NAN
    elif abs(vspeed) > f.VSPEED_MAX_RAW:
        raise RemoteIdError("range", f"vertical speed {vspeed * f.VSPEED_SCALE} m/s", msg)
    else:
        vertical = vspeed * f.VSPEED_SCALE
    if ts == f.TIMESTAMP_UNKNOWN_RAW:
        timestamp = NAN
    elif ts > f.TIMESTAMP_MAX_RAW:
        raise RemoteIdError("range", f"timestamp {ts / 10} s after the hour", msg)
    else:
        timestamp = ts / 10.0
    ts_code = ts_acc & 0x0F
    return Location(
        status=flags >> 4,
        height_type=(flags >> 2) & 1,
        direction_deg=_direction(direction, bool(flags & 2), msg),
        speed_mps=_speed(speed, bool(flags & 1)),
        vertical_speed_mps=vertical,
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        pressure_alt_m=_altitude(baro),
        geodetic_alt_m=_altitude(geo),
        height_m=_altitude(height),
        horizontal_accuracy=hv_acc & 0x0F,
        vertical_accuracy=hv_acc >> 4,
        baro_accuracy=bs_acc >> 4,
        speed_accuracy=bs_acc & 0x0F,
        timestamp_s=timestamp,
        timestamp_accuracy_s=ts_code / 10.0 if ts_code else NAN,
        version=version,
    )


def _decode_auth(msg: bytes, version: int) -> AuthPage:
    auth_type, page = msg[1] >> 4, msg[1] & 0x0F
    if page != 0:
        return AuthPage(auth_type, page, msg[2:], version=version)
    last_page, length, stamp = _AUTH0.unpack_from(msg, 2)
    if last_page >= f.AUTH_MAX_PAGES:
        raise RemoteIdError("range", f"authentication last page {last_page}", msg)
    if length > f.AUTH_PAGE0_DATA + last_page * f.AUTH_PAGE_DATA:
        raise RemoteIdError("range", f"authentication length {length} over {last_page} pages", msg)
    return AuthPage(
        auth_type,
        0,
        msg[8:],
        last_page=last_page,
        length=length,
        timestamp=f.SYSTEM_EPOCH_POSIX + stamp if stamp else NAN,
        version=version,
    )


def _decode_self_id(msg: bytes, version: int) -> SelfId:
    return SelfId(msg[1], _text(msg[2:]), version)


def _decode_system(msg: bytes, version: int) -> System:
    flags, lat, lon, count, radius, ceiling, floor, cat_class, op_alt, stamp = _SYSTEM.unpack_from(
        msg, 1
    )
    if lat == 0 and lon == 0:
        lat_deg = lon_deg = NAN
    else:
        lat_deg, lon_deg = lat / f.LATLON_UNITS, lon / f.LATLON_UNITS
        if abs(lat_deg) > 90.0 or abs(lon_deg) > 180.0:
            raise RemoteIdError("range", f"operator at {lat_deg:.7f}, {lon_deg:.7f}", msg)
    return System(
        operator_location_type=flags & 0x03,
        classification_type=(flags >> 2) & 0x07,
        operator_lat_deg=lat_deg,
        operator_lon_deg=lon_deg,
        area_count=count,
        area_radius_m=radius * f.AREA_RADIUS_SCALE,
        area_ceiling_m=_altitude(ceiling),
        area_floor_m=_altitude(floor),
        category_eu=cat_class >> 4,
        class_eu=cat_class & 0x0F,
        operator_alt_m=_altitude(op_alt),
        timestamp=f.SYSTEM_EPOCH_POSIX + stamp if stamp else NAN,
        version=version,
    )


def _decode_operator_id(msg: bytes, version: int) -> OperatorId:
    return OperatorId(msg[1], _strict_text(msg[2:22], msg), version)


_DECODERS: dict[int, Callable[[bytes, int], Message]] = {
    f.MessageType.BASIC_ID: _decode_basic_id,
    f.MessageType.LOCATION: _decode_location,
    f.MessageType.AUTH: _decode_auth,
    f.MessageType.SELF_ID: _decode_self_id,
    f.MessageType.SYSTEM: _decode_system,
    f.MessageType.OPERATOR_ID: _decode_operator_id,
}
