"""The ME field (56 bits) of an ADS-B extended squitter, DF17 / DF18 (DO-260B §2.2.3.2,
ED-102A; formats as in ICAO Doc 9871 Appendix C). One record per message type used here:

========  =====================================================  =========================
TC        content                                                record
========  =====================================================  =========================
1–4       identification and emitter category (BDS 0,8)           ``Identification``
5–8       surface position: movement, ground track, CPR (0,6)    ``SurfacePosition``
9–18      airborne position, barometric altitude (BDS 0,5)        ``AirbornePosition``
19        airborne velocity, subtypes 1–4 (BDS 0,9)               ``Velocity``
20–22     airborne position, GNSS height (HAE) (BDS 0,5)          ``AirbornePosition``
28 / 1    emergency status and Mode A code (BDS 6,1)              ``AircraftStatus``
29 / 1    target state: NACp, SIL, NICbaro (BDS 6,2, version 2)   ``TargetState``
31        operational status: version, NIC-A/C, NACp, GVA (6,5)   ``OperationalStatus``
others    TC 0, 23–27, 30, TC 28/2 (RA), TC 29/0 (DO-260A)         ``None`` (nothing used)
========  =====================================================  =========================

Bits are numbered as in the standard: ME bit 1 is the most significant. Speeds are knots,
angles degrees, vertical rates feet/minute, altitudes feet (as transmitted; converted to SI
when reports are made).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dronewall.sensors.modes.altitude import ac12_ft, squawk
from dronewall.sensors.modes.ident import callsign, category


def bits(me: int, first: int, last: int) -> int:
    """ME bits ``first``…``last`` (1-based, inclusive, bit 1 the most significant)."""
    return (me >> (56 - last)) & ((1 << (last - first + 1)) - 1)


@dataclass(frozen=True, slots=True)
class Identification:
    type_code: int
    category: str  # "A3", "B6", … ("A0": no category information)
    callsign: str


@dataclass(frozen=True, slots=True)
class AirbornePosition:
    type_code: int
    nic_b: int  # NIC supplement B (version 2; the single antenna flag before)
    alt_ft: int | None  # barometric (TC 9–18) or GNSS height above the ellipsoid (TC 20–22)
    gnss: bool  # True for TC 20–22
    odd: bool
    lat_cpr: int
    lon_cpr: int


@dataclass(frozen=True, slots=True)
class SurfacePosition:
    type_code: int
    speed_kt: float | None  # from the movement code; None when not available
    track_deg: float | None  # ground track (or heading, per TC 31's TAH) when valid
    odd: bool
    lat_cpr: int
    lon_cpr: int


@dataclass(frozen=True, slots=True)
class Velocity:
    subtype: int  # 1, 2: over ground; 3, 4: airspeed and heading (2 and 4 supersonic)
    gs_kt: float | None
    track_deg: float | None
    airspeed_kt: float | None
    true_airspeed: bool
    heading_deg: float | None
    vr_fpm: int | None
    vr_baro: bool  # vertical rate source: barometric (True) or GNSS
    geo_minus_baro_ft: int | None
    nac_v: int


@dataclass(frozen=True, slots=True)
class AircraftStatus:
    emergency: int  # 0 none, 1 general, 2 medical, 3 fuel, 4 comms, 5 interference, 6 downed
    squawk: str


@dataclass(frozen=True, slots=True)
class TargetState:
    nacp: int
    sil: int
    nic_baro: int


@dataclass(frozen=True, slots=True)
class OperationalStatus:
    surface: bool  # subtype 1
    version: int  # 0 DO-260, 1 DO-260A, 2 DO-260B
    nic_a: int
    nacp: int | None  # None for version 0 (no such field)
    gva: int | None  # version 2 airborne
    sil: int | None
    nic_baro: int | None  # airborne, versions 1–2
    nic_c: int | None  # version 2 surface


Decoded = (
    Identification
    | AirbornePosition
    | SurfacePosition
    | Velocity
    | AircraftStatus
    | TargetState
    | OperationalStatus
)


def decode_me(me: int) -> Decoded | str | None:
    """The record for one ME field; None for a type with nothing used here; a reject reason
    ("callsign": an illegal identification character) for a field the standard forbids."""
    tc = me >> 51
    if 9 <= tc <= 18 or 20 <= tc <= 22:
        return _airborne_position(me, tc)
    if tc == 19:
        return _velocity(me)
    if 1 <= tc <= 4:
        return _identification(me, tc)
    if 5 <= tc <= 8:
        return _surface_position(me, tc)
    if tc == 31:
        return _operational_status(me)
    if tc == 29 and bits(me, 6, 7) == 1:
        return TargetState(bits(me, 40, 43), bits(me, 45, 46), bits(me, 44, 44))
    if tc == 28 and bits(me, 6, 8) == 1:
        return AircraftStatus(bits(me, 9, 11), squawk(bits(me, 12, 24)))
    return None


def _identification(me: int, tc: int) -> Identification | str:
    text = callsign(me & 0xFFFFFFFFFFFF)
    if text is None:
        return "callsign"
    return Identification(tc, category(tc, bits(me, 6, 8)), text)


def _airborne_position(me: int, tc: int) -> AirbornePosition:
    # TC 20–22 carry GNSS height in the same 12-bit code as the barometric altitude (as
    # dump1090 and readsb read it; pyModeS 3 reads an integer of metres instead).
    return AirbornePosition(
        tc,
        bits(me, 8, 8),
        ac12_ft(bits(me, 9, 20)),
        tc >= 20,
        bool(bits(me, 22, 22)),
        bits(me, 23, 39),
        bits(me, 40, 56),
    )


def movement_kt(code: int) -> float | None:
    """Ground speed (kt) of the 7-bit surface movement code (DO-260B Table 2-13)."""
    if code == 0 or code > 124:
        return None  # 0: not available; 125–127: reserved
    if code == 1:
        return 0.0  # stopped
    if code <= 8:
        return 0.125 * (code - 1)
    if code <= 12:
        return 1.0 + 0.25 * (code - 9)
    if code <= 38:
        return 2.0 + 0.5 * (code - 13)
    if code <= 93:
        return 15.0 + (code - 39)
    if code <= 108:
        return 70.0 + 2.0 * (code - 94)
    if code <= 123:
        return 100.0 + 5.0 * (code - 109)
    return 175.0  # 124: 175 kt or more


def _surface_position(me: int, tc: int) -> SurfacePosition:
    track = bits(me, 14, 20) * 360.0 / 128 if bits(me, 13, 13) else None
    return SurfacePosition(
        tc,
        movement_kt(bits(me, 6, 12)),
        track,
        bool(bits(me, 22, 22)),
        bits(me, 23, 39),
        bits(me, 40, 56),
    )


def _velocity(me: int) -> Velocity | None:
    subtype = bits(me, 6, 8)
    if not 1 <= subtype <= 4:
        return None  # 0, 5–7: reserved
    scale = 4 if subtype in (2, 4) else 1  # supersonic: 4 kt units
    gs = track = airspeed = heading = None
    if subtype <= 2:
        v_ew, v_ns = bits(me, 15, 24), bits(me, 26, 35)
        if v_ew and v_ns:  # 0: no velocity information
            east = (v_ew - 1) * scale * (-1 if bits(me, 14, 14) else 1)
            north = (v_ns - 1) * scale * (-1 if bits(me, 25, 25) else 1)
            gs = math.hypot(east, north)
            track = math.degrees(math.atan2(east, north)) % 360.0
    else:
        if bits(me, 14, 14):
            heading = bits(me, 15, 24) * 360.0 / 1024
        raw = bits(me, 26, 35)
        airspeed = (raw - 1) * scale if raw else None
    vr_raw, diff = bits(me, 38, 46), bits(me, 50, 56)
    vr = (vr_raw - 1) * 64 * (-1 if bits(me, 37, 37) else 1) if vr_raw else None
    # 0: no information; 127: more than 3137.5 ft (the value itself is unknown)
    geo = (diff - 1) * 25 * (-1 if bits(me, 49, 49) else 1) if 0 < diff < 127 else None
    return Velocity(
        subtype,
        gs,
        track,
        float(airspeed) if airspeed is not None else None,
        subtype >= 3 and bool(bits(me, 25, 25)),
        heading,
        vr,
        bool(bits(me, 36, 36)),
        geo,
        bits(me, 11, 13),
    )


def _operational_status(me: int) -> OperationalStatus | None:
    subtype = bits(me, 6, 8)
    if subtype > 1:
        return None  # reserved
    version = bits(me, 41, 43)
    surface = subtype == 1
    if version == 0 or version > 2:
        # Version 0 has no accuracy fields; 3–7 are reserved: only the version is kept.
        return OperationalStatus(surface, version, 0, None, None, None, None, None)
    airborne_v2 = version == 2 and not surface
    return OperationalStatus(
        surface,
        version,
        bits(me, 44, 44),
        bits(me, 45, 48),
        bits(me, 49, 50) if airborne_v2 else None,
        bits(me, 51, 52),
        None if surface else bits(me, 53, 53),
        bits(me, 20, 20) if version == 2 and surface else None,
    )
