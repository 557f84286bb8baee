"""Decoded Remote ID broadcast messages in SI units: ASTM F3411-22a §5.4.5 / ASD-STAN
EN 4709-002 §6 — Basic ID (Table 5), Location/Vector (Table 6), Authentication (Table 9),
Self-ID (Table 10), System (Table 11) and Operator ID (Table 13).

Unknown values ("no value" codes of the standard) are NaN; enumerations stay as their codes
(names in ``fields``). ``encode.py`` turns these records back into bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dronewall.sensors.remoteid.fields import IdType

NAN = math.nan


@dataclass(frozen=True, slots=True)
class BasicId:
    """Basic ID: who the aircraft is. ``uas_id`` is the text of a serial number or
    registration; a UUID (ID type 3) or a session ID (type 4) is given in hex."""

    id_type: int
    ua_type: int
    uas_id: str
    version: int = 2

    @property
    def is_text(self) -> bool:
        return self.id_type in (IdType.SERIAL_NUMBER, IdType.CAA_REGISTRATION)


@dataclass(frozen=True, slots=True)
class Location:
    """Location/Vector: where the aircraft is and how it moves.

    ``direction_deg`` is the track over ground from true north; ``timestamp_s`` the seconds
    after the full hour (UTC) of the position; accuracies are the 4-bit class codes.
    """

    status: int = 0
    height_type: int = 0  # 0 = height above takeoff, 1 = above ground
    direction_deg: float = NAN
    speed_mps: float = NAN
    vertical_speed_mps: float = NAN
    lat_deg: float = NAN
    lon_deg: float = NAN
    pressure_alt_m: float = NAN  # pressure altitude (1013.25 hPa reference)
    geodetic_alt_m: float = NAN  # WGS-84 height above the ellipsoid
    height_m: float = NAN
    horizontal_accuracy: int = 0
    vertical_accuracy: int = 0
    baro_accuracy: int = 0
    speed_accuracy: int = 0
    timestamp_s: float = NAN
    timestamp_accuracy_s: float = NAN
    version: int = 2


@dataclass(frozen=True, slots=True)
class AuthPage:
    """One page of an Authentication message. ``last_page``, ``length`` and ``timestamp``
    are carried by page 0 only (0 / NaN on the other pages)."""

    auth_type: int
    page: int
    data: bytes
    last_page: int = 0
    length: int = 0
    timestamp: float = NAN  # POSIX seconds
    version: int = 2


@dataclass(frozen=True, slots=True)
class SelfId:
    """Self-ID: a free text (``description_type`` 0), an emergency or extended status text."""

    description_type: int
    description: str
    version: int = 2


@dataclass(frozen=True, slots=True)
class System:
    """System: where the operator is, the area of a group, the EU classification."""

    operator_location_type: int = 0  # 0 takeoff, 1 live GNSS, 2 fixed
    classification_type: int = 0  # 0 undeclared, 1 EU
    operator_lat_deg: float = NAN
    operator_lon_deg: float = NAN
    area_count: int = 1
    area_radius_m: float = 0.0
    area_ceiling_m: float = NAN
    area_floor_m: float = NAN
    category_eu: int = 0  # 1 open, 2 specific, 3 certified
    class_eu: int = 0  # 1..7 = class C0..C6
    operator_alt_m: float = NAN  # WGS-84 height above the ellipsoid
    timestamp: float = NAN  # POSIX seconds
    version: int = 2


@dataclass(frozen=True, slots=True)
class OperatorId:
    """Operator ID: the registration of the operator (e.g. an EU operator number)."""

    operator_id_type: int
    operator_id: str
    version: int = 2


Message = BasicId | Location | AuthPage | SelfId | System | OperatorId
