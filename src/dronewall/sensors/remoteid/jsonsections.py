"""Decoded Remote ID fields in JSON, as receivers name them, turned into messages (ASTM
F3411-22a Tables 5–13 meanings): dronewall's flat schema with the ESP32 scanners' aliases,
and the DroneID / WarDragon decoders' sections ("Basic ID", "Location/Vector Message"…).

Unknown values: absent keys, ``null``, "Unknown"/"Undefined" texts, latitude and longitude
both 0, altitudes at or below -1000 m. Latitude beyond ±90° or longitude beyond ±180° raise
``RemoteIdError("range")``; speeds, tracks and vertical speeds outside their ranges are
taken as unknown. Accuracies are 95 % bounds in metres (or m/s), text or numbers.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Mapping

from dronewall.sensors.remoteid import fields as f
from dronewall.sensors.remoteid import jsonvalues as v
from dronewall.sensors.remoteid.decode import RemoteIdError, decode_message
from dronewall.sensors.remoteid.messages import (
    BasicId,
    Location,
    Message,
    OperatorId,
    SelfId,
    System,
)

NAN = math.nan
Fields = Mapping[str, object]

SECTION_NAMES = {
    "Basic ID": "basic",
    "Location/Vector Message": "location",
    "Location Vector": "location",
    "Self-ID Message": "self_id",
    "Self ID": "self_id",
    "System Message": "system",
    "System": "system",
    "Operator ID Message": "operator",
    "Operator ID": "operator",
    "Authentication Message": "auth",
    "Authentication": "auth",
    "Auth Message": "auth",
}
FLAT_KEYS: dict[str, tuple[str, ...]] = {
    "id": ("id", "uas_id", "serial", "basic_id", "drone_id"),
    "id_type": ("id_type",),
    "ua_type": ("ua_type",),
    "lat": ("lat", "latitude", "drone_lat"),
    "lon": ("lon", "lng", "longitude", "drone_lon", "drone_long"),
    "alt_geo": ("alt", "alt_geo", "altitude", "geodetic_altitude", "drone_altitude"),
    "alt_baro": ("alt_baro", "pressure_altitude"),
    "height": ("height", "height_agl"),
    "height_type": ("height_type",),
    "speed": ("speed", "drone_speed", "ground_speed"),
    "direction": ("direction", "course", "track", "heading", "drone_heading"),
    "vspeed": ("vspeed", "vert_speed", "vertical_speed", "climb_rate"),
    "h_acc": ("h_acc", "horizontal_accuracy"),
    "v_acc": ("v_acc", "vertical_accuracy"),
    "baro_acc": ("baro_acc", "baro_accuracy"),
    "speed_acc": ("speed_acc", "speed_accuracy"),
    "status": ("status", "op_status"),
    "operator_id": ("operator_id", "op_id"),
    "operator_lat": ("operator_lat", "pilot_lat", "op_lat"),
    "operator_lon": ("operator_lon", "pilot_lon", "pilot_long", "op_lon"),
    "operator_alt": ("operator_alt", "pilot_alt"),
    "description": ("description", "self_id", "text"),
}
_ID_TYPE_WORDS = (("serial", 1), ("caa", 2), ("registration", 2), ("utm", 3), ("session", 4))
_UA_TYPE_WORDS = (
    ("helicopter", 2), ("multirotor", 2), ("aeroplane", 1), ("airplane", 1), ("fixed", 1),
    ("gyroplane", 3), ("hybrid", 4), ("vtol", 4), ("ornithopter", 5), ("glider", 6),
    ("kite", 7), ("free balloon", 8), ("captive balloon", 9), ("airship", 10),
    ("parachute", 11), ("rocket", 12), ("tethered", 13), ("obstacle", 14), ("other", 15),
)  # fmt: skip
_STATUS_WORDS = (("undeclared", 0), ("ground", 1), ("airborne", 2), ("emergency", 3),
                 ("failure", 4))  # fmt: skip


def _canon(obj: Fields, keys: Mapping[str, tuple[str, ...]] = FLAT_KEYS) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, aliases in keys.items():
        for alias in aliases:
            if alias in obj and obj[alias] is not None:
                out[name] = obj[alias]
                break
    return out


def _code(value: object, words: tuple[tuple[str, int], ...], default: int) -> int:
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value & 0x0F
    label = v.text(value).lower()
    return next((code for word, code in words if word in label), default)


def _position(lat: float, lon: float) -> tuple[float, float]:
    if math.isnan(lat) or math.isnan(lon) or (lat == 0.0 and lon == 0.0):
        return NAN, NAN
    if abs(lat) > 90.0 or abs(lon) > 180.0:
        raise RemoteIdError("range", f"position {lat}, {lon}", (lat, lon))
    return lat, lon


def _alt(value: object) -> float:
    x = v.number(value)
    return x if x > f.ALT_OFFSET else NAN


def _within(x: float, low: float, high: float) -> float:
    return x if low <= x <= high else NAN


def _basic(c: Fields) -> BasicId | None:
    uas_id = v.text(c.get("id"))
    if not uas_id:
        return None
    id_type = _code(c.get("id_type"), _ID_TYPE_WORDS, f.IdType.SERIAL_NUMBER)
    return BasicId(id_type, _code(c.get("ua_type"), _UA_TYPE_WORDS, 0), uas_id)


def _location(c: Fields, seconds_after_hour: float = NAN) -> Location | None:
    lat, lon = _position(v.number(c.get("lat")), v.number(c.get("lon")))
    if math.isnan(lat):
        return None
    height_label = v.text(c.get("height_type")).lower()
    return Location(
        status=_code(c.get("status"), _STATUS_WORDS, 0),
        height_type=1 if "ground" in height_label or "agl" in height_label else 0,
        direction_deg=_within(v.number(c.get("direction")), 0.0, 360.0) % 360.0,
        speed_mps=_within(v.number(c.get("speed")), 0.0, 254.25),
        vertical_speed_mps=_within(v.number(c.get("vspeed")), -62.0, 62.0),
        lat_deg=lat,
        lon_deg=lon,
        pressure_alt_m=_alt(c.get("alt_baro")),
        geodetic_alt_m=_alt(c.get("alt_geo")),
        height_m=_alt(c.get("height")),
        horizontal_accuracy=f.horizontal_code(v.bound(c.get("h_acc"))),
        vertical_accuracy=f.vertical_code(v.bound(c.get("v_acc"))),
        baro_accuracy=f.vertical_code(v.bound(c.get("baro_acc"))),
        speed_accuracy=f.speed_code(v.bound(c.get("speed_acc"))),
        timestamp_s=seconds_after_hour,
    )


def _system(c: Fields) -> System | None:
    lat, lon = _position(_degrees(c.get("operator_lat")), _degrees(c.get("operator_lon")))
    if math.isnan(lat):
        return None
    return System(
        operator_lat_deg=lat, operator_lon_deg=lon, operator_alt_m=_alt(c.get("operator_alt"))
    )


def _degrees(value: object) -> float:
    """Degrees, or the 1e-7 degree integers some decoders print."""
    x = v.number(value)
    return x / f.LATLON_UNITS if isinstance(value, int) and abs(x) > 180.0 else x


def flat_messages(obj: Fields) -> list[Message]:
    """The messages of one flat decoded object (dronewall's schema, ESP32 scanners)."""
    c = _canon(obj)
    found: list[Message | None] = [_basic(c), _location(c), _system(c)]
    if v.text(c.get("operator_id")):
        found.append(OperatorId(0, v.text(c.get("operator_id"))))
    if v.text(c.get("description")):
        found.append(SelfId(0, v.text(c.get("description"))))
    messages = [m for m in found if m is not None]
    if not messages:
        raise ValueError("no Remote ID field (id, lat/lon, operator…) in the object")
    return messages


def section_messages(items: list[object]) -> tuple[list[Message], str]:
    """The messages of a DroneID-style list of sections, and the MAC address it gives."""
    messages: list[Message] = []
    mac = ""
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("a section list holds objects")
        for name, body in item.items():
            if name.lower() == "mac" and isinstance(body, str):
                mac = body.strip().lower()
            kind = SECTION_NAMES.get(name)
            if kind is None or not isinstance(body, dict):
                continue
            mac = mac or v.text(body.get("MAC") or body.get("mac")).lower()
            message = _section(kind, body)
            if message is not None:
                messages.append(message)
    if not messages:
        raise ValueError("no Remote ID section in the list")
    return messages, mac


def _section(kind: str, body: Fields) -> Message | None:
    if kind == "basic":
        return _basic(body)
    if kind == "location":
        coord = body.get("coord")
        if isinstance(coord, dict):
            return _raw_location(body, coord)
        c = _canon(body)
        return _location(c, v.seconds_after_hour(body.get("timestamp")))
    if kind == "self_id":
        text = v.text(body.get("text") or body.get("description"))
        return SelfId(0, text) if text else None
    if kind == "system":
        c = {
            "operator_lat": body.get("operator_lat", body.get("latitude")),
            "operator_lon": body.get("operator_lon", body.get("longitude")),
            "operator_alt": body.get("operator_alt", body.get("geodetic_altitude")),
        }
        return _system(c)
    if kind == "operator":
        text = v.text(body.get("operator_id") or body.get("id"))
        return OperatorId(0, text) if text else None
    return None  # authentication: nothing to take from a decoded text


def _raw_location(body: Fields, coord: Fields) -> Message:
    """A "Location Vector" whose "coord" holds the wire integers: re-encoded and decoded."""
    west = "west" in v.text(body.get("ew_dir_segment")).lower()
    high = v.text(body.get("speed_multiplier")) == "0.75"
    flags = (_code(body.get("op_status"), _STATUS_WORDS, 0) << 4) | (west << 1) | high
    acc = [
        _acc_code(coord.get(k), table)
        for k, table in (
            ("horizontal_accuracy", f.horizontal_code),
            ("vertical_accuracy", f.vertical_code),
            ("baro_accuracy", f.vertical_code),
            ("speed_accuracy", f.speed_code),
        )
    ]
    try:
        raw = _pack_location(flags, coord, acc)
    except struct.error as err:
        raise ValueError(f"coord: {err}") from err
    return decode_message(raw)


def _pack_location(flags: int, coord: Fields, acc: list[int]) -> bytes:
    return struct.pack(
        "<BBBBbiiHHHBBHBx",
        0x12,
        flags,
        _int(coord, "direction") & 0xFF,
        _int(coord, "speed") & 0xFF,
        struct.unpack("b", bytes((_int(coord, "vert_speed") & 0xFF,)))[0],
        _int(coord, "latitude"),
        _int(coord, "longitude"),
        _int(coord, "pressure_altitude") & 0xFFFF,
        _int(coord, "geodetic_altitude") & 0xFFFF,
        _int(coord, "height_agl") & 0xFFFF,
        (acc[1] << 4) | acc[0],
        (acc[2] << 4) | acc[3],
        _int(coord, "timestamp", f.TIMESTAMP_UNKNOWN_RAW) & 0xFFFF,
        _int(coord, "timestamp_accuracy") & 0x0F,
    )


def _int(coord: Fields, key: str, absent: int = 0) -> int:
    """A wire integer of a "coord" section (absent: 0, the "unknown" of most fields)."""
    x = v.number(coord.get(key))
    return absent if math.isnan(x) else int(x)


def _acc_code(value: object, table: Callable[[float], int]) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value & 0x0F
    return table(v.bound(value))
