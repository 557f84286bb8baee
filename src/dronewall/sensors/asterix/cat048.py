"""ASTERIX Category 048, monoradar target reports: one record into a ``Cat048Record``.

EUROCONTROL-SPEC-0149-4, "EUROCONTROL Specification for Surveillance Data Exchange — ASTERIX
Part 4: Category 048 Monoradar Target Reports", editions 1.21 to 1.32 (the standard UAP is
the same in all of them; later editions only add extensions to I048/020 and
codes to I048/030, both of which the FX structure lets an older decoder skip). Reserved
Expansion Field: CAT048 REF edition 1.11, of which only item ERR (extended range) is read.

Every data item of the UAP is skipped by its structure; these are decoded:
I048/010, /140, /020, /040, /070, /090, /220, /240, /161, /042, /200, /170, /110, /230,
/120 (subfield CAL, the calculated Doppler speed) and /130 (subfield PAM, the primary plot's
amplitude).
Units are the wire's: nautical miles, degrees, flight levels, feet; the adapter converts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from dronewall.sensors.asterix.fields import (
    FSPEC,
    AsterixError,
    compound_end,
    explicit_end,
    extended_end,
    icao_string,
    need,
    read_fspec,
    repetitive_end,
    signed,
)

CATEGORY_048: Final = 48


# Not frozen, like feed.Report: a frozen dataclass sets its 40 fields through
# object.__setattr__, 4.5 µs a record — a fifth of the decoding time. Treat it as read-only.
@dataclass(slots=True)
class Cat048Record:
    """The decoded items of one CAT048 record; None (or the default) where absent."""

    sac: int | None = None  # I048/010
    sic: int | None = None
    time_of_day_s: float | None = None  # I048/140, seconds since UTC midnight, LSB 1/128 s
    typ: int | None = None  # I048/020 TYP: 0 no detection, 1 PSR, 2 SSR, 3 SSR+PSR, 4–7 Mode S
    simulated: bool = False  # I048/020 SIM
    rdp_chain_2: bool = False  # I048/020 RDP
    spi: bool = False  # I048/020 SPI (special position identification)
    field_monitor: bool = False  # I048/020 RAB: reply from a fixed field monitor
    test_target: bool = False  # I048/020 TST (first extension)
    extended_range: bool = False  # I048/020 ERR: range ≥ 256 NM, given in the REF
    military_emergency: bool = False  # I048/020 ME
    military_identification: bool = False  # I048/020 MI
    foe_fri: int = 0  # I048/020 FOE/FRI: 0 no Mode 4, 1 friendly, 2 unknown, 3 no reply
    rho_nm: float | None = None  # I048/040 slant range, LSB 1/256 NM
    theta_deg: float | None = None  # I048/040 azimuth, LSB 360/2^16 °
    mode3a: int | None = None  # I048/070 code as a 12-bit number: f"{mode3a:04o}" is the squawk
    mode3a_not_validated: bool = False  # I048/070 V
    mode3a_garbled: bool = False  # I048/070 G
    mode3a_smoothed: bool = False  # I048/070 L: not extracted this scan
    flight_level: float | None = None  # I048/090, LSB 1/4 FL (25 ft), two's complement
    flight_level_not_validated: bool = False  # I048/090 V
    flight_level_garbled: bool = False  # I048/090 G
    address: int | None = None  # I048/220 Mode S 24-bit aircraft address
    callsign: str | None = None  # I048/240, trailing spaces removed
    bds_count: int = 0  # I048/250 number of BDS registers carried
    track_number: int | None = None  # I048/161
    x_nm: float | None = None  # I048/042, LSB 1/128 NM
    y_nm: float | None = None
    groundspeed_nm_s: float | None = None  # I048/200, LSB 2^-14 NM/s
    heading_deg: float | None = None  # I048/200, LSB 360/2^16 °
    track_tentative: bool = False  # I048/170 CNF
    track_sensor: int | None = None  # I048/170 RAD: 0 combined, 1 PSR, 2 SSR/Mode S, 3 invalid
    track_ended: bool = False  # I048/170 TRE (first extension)
    track_ghost: bool = False  # I048/170 GHO
    height_3d_ft: float | None = None  # I048/110 height above MSL from a 3-D radar, LSB 25 ft
    communications: int | None = None  # I048/230 COM
    flight_status: int | None = None  # I048/230 STAT
    extended_rho_nm: float | None = None  # REF ERR: range when I048/020 ERR is set
    doppler_mps: float | None = None  # I048/120 CAL, two's complement, LSB 1 m/s
    doppler_doubtful: bool = False  # I048/120 CAL D
    psr_amplitude_dbm: float | None = None  # I048/130 PAM, two's complement, LSB 1 dBm


Fields = dict[str, Any]
Handler = Callable[[bytes, int, int, Fields], int]

_NM_RHO: Final = 1.0 / 256.0  # I048/040 RHO LSB, NM
_DEG16: Final = 360.0 / 65536.0  # I048/040 THETA and I048/200 heading LSB, degrees
_NM_XY: Final = 1.0 / 128.0  # I048/042 X and Y LSB, NM
_NM_S_GS: Final = 1.0 / 16384.0  # I048/200 groundspeed LSB, NM/s


def _i010(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = need(p, 2, end, "I048/010")
    f["sac"], f["sic"] = buf[p], buf[p + 1]
    return stop


def _i140(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = need(p, 3, end, "I048/140")
    f["time_of_day_s"] = ((buf[p] << 16) | (buf[p + 1] << 8) | buf[p + 2]) / 128.0
    return stop


def _i020(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = extended_end(buf, p, end, "I048/020")
    first = buf[p]
    f["typ"] = first >> 5
    f["simulated"] = bool(first & 0x10)
    f["rdp_chain_2"] = bool(first & 0x08)
    f["spi"] = bool(first & 0x04)
    f["field_monitor"] = bool(first & 0x02)
    if stop - p > 1:
        ext = buf[p + 1]
        f["test_target"] = bool(ext & 0x80)
        f["extended_range"] = bool(ext & 0x40)
        f["military_emergency"] = bool(ext & 0x10)
        f["military_identification"] = bool(ext & 0x08)
        f["foe_fri"] = (ext >> 1) & 0x03
    return stop


def _i040(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = need(p, 4, end, "I048/040")
    f["rho_nm"] = ((buf[p] << 8) | buf[p + 1]) * _NM_RHO
    f["theta_deg"] = ((buf[p + 2] << 8) | buf[p + 3]) * _DEG16
    return stop


def _i070(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = need(p, 2, end, "I048/070")
    first = buf[p]
    f["mode3a_not_validated"] = bool(first & 0x80)
    f["mode3a_garbled"] = bool(first & 0x40)
    f["mode3a_smoothed"] = bool(first & 0x20)
    f["mode3a"] = ((first & 0x0F) << 8) | buf[p + 1]
    return stop


def _i090(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = need(p, 2, end, "I048/090")
    first = buf[p]
    f["flight_level_not_validated"] = bool(first & 0x80)
    f["flight_level_garbled"] = bool(first & 0x40)
    f["flight_level"] = signed((first << 8) | buf[p + 1], 14) / 4.0
    return stop


def _i220(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = need(p, 3, end, "I048/220")
    f["address"] = (buf[p] << 16) | (buf[p + 1] << 8) | buf[p + 2]
    return stop


def _i240(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = need(p, 6, end, "I048/240")
    f["callsign"] = icao_string(buf[p:stop])
    return stop


def _i250(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = repetitive_end(buf, p, end, 8, "I048/250")
    f["bds_count"] = buf[p]
    return stop


def _i161(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = need(p, 2, end, "I048/161")
    f["track_number"] = ((buf[p] & 0x0F) << 8) | buf[p + 1]
    return stop


def _i042(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = need(p, 4, end, "I048/042")
    f["x_nm"] = signed((buf[p] << 8) | buf[p + 1], 16) * _NM_XY
    f["y_nm"] = signed((buf[p + 2] << 8) | buf[p + 3], 16) * _NM_XY
    return stop


def _i200(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = need(p, 4, end, "I048/200")
    f["groundspeed_nm_s"] = ((buf[p] << 8) | buf[p + 1]) * _NM_S_GS
    f["heading_deg"] = ((buf[p + 2] << 8) | buf[p + 3]) * _DEG16
    return stop


def _i170(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = extended_end(buf, p, end, "I048/170")
    first = buf[p]
    f["track_tentative"] = bool(first & 0x80)
    f["track_sensor"] = (first >> 5) & 0x03
    if stop - p > 1:
        f["track_ended"] = bool(buf[p + 1] & 0x80)
        f["track_ghost"] = bool(buf[p + 1] & 0x40)
    return stop


def _i110(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = need(p, 2, end, "I048/110")
    f["height_3d_ft"] = signed((buf[p] << 8) | buf[p + 1], 14) * 25.0
    return stop


def _i230(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = need(p, 2, end, "I048/230")
    f["communications"] = buf[p] >> 5
    f["flight_status"] = (buf[p] >> 2) & 0x07
    return stop


def _fixed(size: int, name: str) -> Handler:
    def skip(buf: bytes, p: int, end: int, f: Fields) -> int:
        return need(p, size, end, name)

    return skip


def _i130(buf: bytes, p: int, end: int, f: Fields) -> int:
    # Seven one-octet subfields: SRL, SRR, SAM, PRL, PAM, RPD, APD.
    stop, starts = compound_end(buf, p, end, (1, 1, 1, 1, 1, 1, 1), "I048/130")
    if starts[4] >= 0:
        f["psr_amplitude_dbm"] = float(signed(buf[starts[4]], 8))
    return stop


def _i120(buf: bytes, p: int, end: int, f: Fields) -> int:
    # CAL (2 octets) and RDS (repetitive, 6-octet parts); the other five bits are spare.
    stop, starts = compound_end(buf, p, end, (2, -6), "I048/120")
    if (q := starts[0]) >= 0:
        f["doppler_doubtful"] = bool(buf[q] & 0x80)
        f["doppler_mps"] = float(signed(((buf[q] & 0x03) << 8) | buf[q + 1], 10))
    return stop


def _i030(buf: bytes, p: int, end: int, f: Fields) -> int:
    return extended_end(buf, p, end, "I048/030")


def _sp(buf: bytes, p: int, end: int, f: Fields) -> int:
    return explicit_end(buf, p, end, "I048/SP")


# REF edition 1.11: the first octet of the REF's own FSPEC; ERR is the fifth item and the four
# before it (MD5, M5N, M4E, RPC) have variable lengths, so ERR is read when it comes first.
_REF_ERR: Final = 0x08
_REF_BEFORE_ERR: Final = 0xF0


def _re(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop = explicit_end(buf, p, end, "I048/RE")
    if stop - p >= 5 and buf[p + 1] & _REF_ERR and not buf[p + 1] & _REF_BEFORE_ERR:
        q = p + 2
        while buf[q - 1] & 1 and q < stop:  # further REF FSPEC octets
            q += 1
        if q + 3 <= stop:
            f["extended_rho_nm"] = ((buf[q] << 16) | (buf[q + 1] << 8) | buf[q + 2]) * _NM_RHO
    return stop


def _no_frn(buf: bytes, p: int, end: int, f: Fields) -> int:
    raise AsterixError(FSPEC, "FRN 0")  # read_fspec numbers items from 1: never called


# The standard UAP, FRN 1–28 (index 0 is not an FRN).
_UAP: Final[tuple[Handler, ...]] = (
    _no_frn,
    _i010,
    _i140,
    _i020,
    _i040,
    _i070,
    _i090,
    _i130,
    _i220,
    _i240,
    _i250,
    _i161,
    _i042,
    _i200,
    _i170,
    _fixed(4, "I048/210"),
    _i030,
    _fixed(2, "I048/080"),
    _fixed(4, "I048/100"),
    _i110,
    _i120,
    _i230,
    _fixed(7, "I048/260"),
    _fixed(1, "I048/055"),
    _fixed(2, "I048/050"),
    _fixed(1, "I048/065"),
    _fixed(2, "I048/060"),
    _sp,
    _re,
)
_LAST_FRN: Final = len(_UAP) - 1


def decode_cat048_record(buf: bytes, pos: int, end: int) -> tuple[Cat048Record, int]:
    """The record starting at ``pos`` (before ``end``) and the position after it."""
    frns, p = read_fspec(buf, pos, end)
    if frns[-1] > _LAST_FRN:
        raise AsterixError(FSPEC, f"CAT048 FRN {frns[-1]} is not in the UAP")
    found: Fields = {}
    for frn in frns:
        p = _UAP[frn](buf, p, end, found)
    return Cat048Record(**found), p
