"""Field tables of the Remote ID broadcast messages: ASTM F3411-22a §5.4.5 (Tables 4–13) and
ASD-STAN EN 4709-002:2021 §6 (the same 25-byte messages). Cross-read with the enumerations of
opendroneid-core-c ``libopendroneid/opendroneid.h`` (Apache-2.0), protocol version 2.

Everything here is a constant: message types, the enumerations as names, the accuracy
classes as their 95 % bounds in SI units, and the scale factors of the encoded numbers.
"""

from __future__ import annotations

import math
from enum import IntEnum

MESSAGE_SIZE = 25  # every message is 25 bytes (F3411-22a §5.4.5.2)
PACK_HEADER_SIZE = 3  # message pack: header byte, message size, message count (Table 12)
PACK_MAX_MESSAGES = 9  # F3411-22a §5.4.5.21: a pack carries 1..9 messages (Bluetooth 5 / Wi-Fi)
MAX_PROTOCOL_VERSION = (
    2  # 0 = F3411-19, 1 = F3411-20/EN 4709-002 P1, 2 = F3411-22(a); 3..15 reserved
)
BLE_APP_CODE = 0x0D  # "Open Drone ID" application code after the 0xFFFA service UUID (§5.4.6)
BLE_SERVICE_UUID = 0xFFFA  # ASTM Remote ID 16-bit service UUID (Bluetooth SIG assigned)
WIFI_BEACON_OUI = bytes((0xFA, 0x0B, 0xBC))  # ASD-STAN OUI of the beacon vendor element (§5.4.9)
WIFI_BEACON_OUI_TYPE = 0x0D  # vendor type "Open Drone ID" in that element
NAN_SERVICE_ID = bytes((0x88, 0x69, 0x19, 0x9D, 0x92, 0x09))  # hash of "org.opendroneid.remoteid"

LATLON_UNITS = 1e7  # units of the int32 latitude/longitude per degree
ALT_SCALE = 0.5  # metres per unit of the uint16 altitudes
ALT_OFFSET = -1000.0  # metres: encoded 0 is -1000 m, the "unknown" altitude
SPEED_SCALE_LOW = 0.25  # m/s per unit when the speed multiplier bit is 0
SPEED_SCALE_HIGH = 0.75  # m/s per unit above 63.75 m/s (multiplier bit 1)
SPEED_HIGH_BASE = 255 * SPEED_SCALE_LOW  # 63.75 m/s: where the high range starts
SPEED_UNKNOWN_RAW = 255  # with the multiplier bit set: "unknown" (255 m/s)
VSPEED_SCALE = 0.5  # m/s per unit of the int8 vertical speed
VSPEED_UNKNOWN_RAW = 126  # 63 m/s: "unknown"
VSPEED_MAX_RAW = 124  # ±62 m/s: the largest valid magnitude
DIRECTION_UNKNOWN = 361  # degrees: "unknown" track direction
TIMESTAMP_UNKNOWN_RAW = 0xFFFF  # Location timestamp "unknown"
TIMESTAMP_MAX_RAW = 36000  # tenths of a second in one hour
AREA_RADIUS_SCALE = 10.0  # metres per unit of the System area radius
SYSTEM_EPOCH_POSIX = 1546300800.0  # 2019-01-01T00:00:00Z: origin of System/Auth timestamps
AUTH_PAGE0_DATA = 17  # bytes of authentication data on page 0
AUTH_PAGE_DATA = 23  # bytes of authentication data on pages 1..15
AUTH_MAX_PAGES = 16  # 4-bit page number: pages 0..15 (F3411-22a Table 9)

# A 95 % bound turned into one standard deviation. Horizontal: the radius holding 95 % of a
# circular 2-D Gaussian is sigma * sqrt(-2 ln 0.05) = 2.4477 sigma. Vertical/speed: a 1-D
# Gaussian, 95 % two-sided at 1.96 sigma.
HORIZONTAL_95_PER_SIGMA = math.sqrt(-2.0 * math.log(0.05))
VERTICAL_95_PER_SIGMA = 1.959964


class MessageType(IntEnum):
    """Message type: the high nibble of the header byte (F3411-22a Table 4)."""

    BASIC_ID = 0x0
    LOCATION = 0x1
    AUTH = 0x2
    SELF_ID = 0x3
    SYSTEM = 0x4
    OPERATOR_ID = 0x5
    PACK = 0xF


class IdType(IntEnum):
    """Basic ID "ID type" (Table 5)."""

    NONE = 0
    SERIAL_NUMBER = 1  # ANSI/CTA-2063-A physical serial number, ASCII
    CAA_REGISTRATION = 2  # civil aviation authority registration, ASCII
    UTM_ASSIGNED_UUID = 3  # 128-bit UUID, binary
    SPECIFIC_SESSION_ID = 4  # first byte: session ID type, then the ID, binary


UA_TYPES = (
    "none",
    "aeroplane",
    "helicopter_or_multirotor",
    "gyroplane",
    "hybrid_lift",
    "ornithopter",
    "glider",
    "kite",
    "free_balloon",
    "captive_balloon",
    "airship",
    "free_fall_parachute",
    "rocket",
    "tethered_powered_aircraft",
    "ground_obstacle",
    "other",
)  # Table 5, index = the 4-bit UA type

STATUS_NAMES = ("undeclared", "ground", "airborne", "emergency", "remote_id_system_failure")

# 95 % bounds of the accuracy classes; index = the 4-bit code, None = unknown or reserved.
HORIZONTAL_BOUND_M: tuple[float | None, ...] = (
    None,
    18520.0,  # < 10 NM
    7408.0,  # < 4 NM
    3704.0,  # < 2 NM
    1852.0,  # < 1 NM
    926.0,  # < 0.5 NM
    555.6,  # < 0.3 NM
    185.2,  # < 0.1 NM
    92.6,  # < 0.05 NM
    30.0,
    10.0,
    3.0,
    1.0,
    None,
    None,
    None,
)  # Table 7 "Horizontal Accuracy"
VERTICAL_BOUND_M: tuple[float | None, ...] = (
    None,
    150.0,
    45.0,
    25.0,
    10.0,
    3.0,
    1.0,
    *(None,) * 9,
)  # Table 7 "Vertical Accuracy", also the barometric altitude accuracy
SPEED_BOUND_MPS: tuple[float | None, ...] = (None, 10.0, 3.0, 1.0, 0.3, *(None,) * 11)


def horizontal_code(bound_m: float) -> int:
    """The finest horizontal accuracy class whose bound covers ``bound_m`` (0 = unknown)."""
    return _code_for(HORIZONTAL_BOUND_M, bound_m)


def vertical_code(bound_m: float) -> int:
    """The finest vertical accuracy class whose bound covers ``bound_m`` (0 = unknown)."""
    return _code_for(VERTICAL_BOUND_M, bound_m)


def speed_code(bound_mps: float) -> int:
    """The finest speed accuracy class whose bound covers ``bound_mps`` (0 = unknown)."""
    return _code_for(SPEED_BOUND_MPS, bound_mps)


def _code_for(table: tuple[float | None, ...], bound: float) -> int:
    if not math.isfinite(bound) or bound <= 0.0:
        return 0
    best = 0
    for code, value in enumerate(table):
        if value is not None and value >= bound:
            best = code  # the tables run from coarse to fine
    return best


def ua_type_name(code: int) -> str:
    """The name of a 4-bit UA type."""
    return UA_TYPES[code & 0xF]


def status_name(code: int) -> str:
    """The name of an operational status (codes 5..15 are reserved)."""
    return STATUS_NAMES[code] if 0 <= code < len(STATUS_NAMES) else f"reserved_{code}"
