"""Test-side encoders: Mode S frames from fields (DO-260B layouts, CPR encoding of DO-260B
§A.1.7.3), and the Beast, AVR and SBS framings around them. Used to build synthetic traffic for
the cross-check against pyModeS and the fuzz corpus."""

from __future__ import annotations

import math

from dronewall.sensors.modes.cpr import CPR_MAX, nl
from dronewall.sensors.modes.crc import parity

CHARSET = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######"
_SET_TC = {"A": 4, "B": 3, "C": 2, "D": 1}


def with_parity(body: bytes, address: int = 0) -> bytes:
    """The frame: body + parity (XORed with ``address`` for AP formats)."""
    return body + (parity(body) ^ address).to_bytes(3, "big")


def extended_squitter(address: int, me: int, df: int = 17, code: int = 5) -> bytes:
    """A DF17 (CA = ``code``) or DF18 (CF = ``code``) frame."""
    body = bytes([(df << 3) | code]) + address.to_bytes(3, "big") + me.to_bytes(7, "big")
    return with_parity(body)


def put(fields: list[tuple[int, int, int]]) -> int:
    """An ME value from (first bit, last bit, value) triples, bits numbered 1–56 from the top."""
    me = 0
    for first, last, value in fields:
        width = last - first + 1
        assert 0 <= value < (1 << width), (first, last, value)
        me |= value << (56 - last)
    return me


def me_identification(category: str, callsign: str) -> int:
    chars = 0
    for ch in callsign.ljust(8)[:8]:
        chars = chars << 6 | CHARSET.index(ch)
    return put([(1, 5, _SET_TC[category[0]]), (6, 8, int(category[1]))]) | chars


def ac12_q(alt_ft: int) -> int:
    """The 12-bit ALT code with Q = 1 (25 ft steps) for −1000 … 50175 ft."""
    n = (alt_ft + 1000) // 25
    return ((n & 0x7F0) << 1) | 0x10 | (n & 0xF)


def cpr_encode(lat: float, lon: float, odd: bool, surface: bool = False) -> tuple[int, int]:
    """17-bit CPR of a position (DO-260B §A.1.7.3)."""
    span = 90.0 if surface else 360.0
    i = 1 if odd else 0
    dlat = span / (60 - i)
    yz = math.floor(CPR_MAX * (lat % dlat) / dlat + 0.5)
    rlat = dlat * (yz / CPR_MAX + math.floor(lat / dlat))
    dlon = span / max(nl(rlat) - i, 1)
    xz = math.floor(CPR_MAX * (lon % dlon) / dlon + 0.5)
    return yz % CPR_MAX, xz % CPR_MAX


def me_airborne(
    lat: float, lon: float, odd: bool, alt_code: int, tc: int = 11, nic_b: int = 0, ss: int = 0
) -> int:
    yz, xz = cpr_encode(lat, lon, odd)
    return put([
        (1, 5, tc), (6, 7, ss), (8, 8, nic_b), (9, 20, alt_code), (22, 22, int(odd)),
        (23, 39, yz), (40, 56, xz),
    ])  # fmt: skip


def me_surface(
    lat: float, lon: float, odd: bool, movement: int, track: int | None, tc: int = 7
) -> int:
    yz, xz = cpr_encode(lat, lon, odd, surface=True)
    status, value = (0, 0) if track is None else (1, track)
    return put([
        (1, 5, tc), (6, 12, movement), (13, 13, status), (14, 20, value), (22, 22, int(odd)),
        (23, 39, yz), (40, 56, xz),
    ])  # fmt: skip


def me_velocity_ground(
    v_ew: int, v_ns: int, vr: int, vr_baro: bool = True, geo: int = 0, supersonic: bool = False
) -> int:
    """Subtype 1/2: signed east and north speed in kt units, vertical rate in 64 fpm units."""
    scale = 4 if supersonic else 1
    return put([
        (1, 5, 19), (6, 8, 2 if supersonic else 1), (11, 13, 1),
        (14, 14, int(v_ew < 0)), (15, 24, abs(v_ew) // scale + 1),
        (25, 25, int(v_ns < 0)), (26, 35, abs(v_ns) // scale + 1),
        (36, 36, int(vr_baro)), (37, 37, int(vr < 0)), (38, 46, abs(vr) // 64 + 1),
        (49, 49, int(geo < 0)), (50, 56, abs(geo) // 25 + 1),
    ])  # fmt: skip


def me_opstatus(
    version: int, nacp: int, nic_a: int = 0, sil: int = 3, gva: int = 2, surface: bool = False
) -> int:
    return put([
        (1, 5, 31), (6, 8, int(surface)), (41, 43, version), (44, 44, nic_a), (45, 48, nacp),
        (49, 50, gva if not surface else 0), (51, 52, sil), (53, 53, 1),
    ])  # fmt: skip


def beast(kind: str, payload: bytes, ticks: int = 0, signal: int = 0) -> bytes:
    """One Beast frame with 0x1A doubled inside."""
    body = ticks.to_bytes(6, "big") + bytes([signal]) + payload
    return b"\x1a" + kind.encode() + body.replace(b"\x1a", b"\x1a\x1a")


def avr(
    payload: bytes, ticks: int | None = None, signal: int | None = None, end: bytes = b"\n"
) -> bytes:
    if ticks is None:
        return b"*" + payload.hex().upper().encode() + b";" + end
    if signal is None:
        return b"@" + f"{ticks:012X}".encode() + payload.hex().upper().encode() + b";" + end
    return b"<" + f"{ticks:012X}{signal:02X}".encode() + payload.hex().upper().encode() + b";" + end


def sbs(kind: int, icao: str, when: str = "2017/01/09,20:57:04.943", **fields: str) -> bytes:
    """A dump1090-style MSG line; ``fields`` by name: callsign, alt, gs, track, lat, lon, vr,
    squawk, ground."""
    names = [
        "callsign",
        "alt",
        "gs",
        "track",
        "lat",
        "lon",
        "vr",
        "squawk",
        "alert",
        "emergency",
        "spi",
        "ground",
    ]
    values = [fields.get(name, "") for name in names]
    return f"MSG,{kind},1,1,{icao},1,{when},{when},{','.join(values)}\r\n".encode()
