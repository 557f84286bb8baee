"""ASTERIX Category 034, monoradar service messages: one record into a ``Cat034Record``.

EUROCONTROL-SPEC-0149-2B, "EUROCONTROL Specification for Surveillance Data Exchange — ASTERIX
Part 2b: Category 034 Transmission of Monoradar Service Messages", editions 1.27 to 1.29
(standard UAP; message types 5–7, added in 1.28/1.29, decode like the others).

Decoded: I034/010 SAC/SIC, /000 message type, /030 time of day, /020 sector
number, /041 antenna rotation period, /050 system configuration and status, /060 system
processing mode, /110 data filter, /120 3-D position of the data source, /090 collimation
error. I034/070 message counts, /100 polar window, RE and SP are skipped by their structure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from dronewall.sensors.asterix.fields import (
    FSPEC,
    AsterixError,
    compound_end,
    explicit_end,
    need,
    read_fspec,
    repetitive_end,
    signed,
)

CATEGORY_034: Final = 34

# I034/000 message types; the status and the adapter name them so.
MESSAGE_TYPES: Final = {
    1: "north marker",
    2: "sector crossing",
    3: "geographical filtering",
    4: "jamming strobe",
    5: "solar storm",
    6: "SSR jamming strobe",
    7: "Mode S jamming strobe",
}
NORTH_MARKER: Final = 1
SECTOR_CROSSING: Final = 2


@dataclass(frozen=True, slots=True)
class Cat034Record:
    """The decoded items of one CAT034 record; None (or the default) where absent."""

    sac: int | None = None  # I034/010
    sic: int | None = None
    message_type: int | None = None  # I034/000, see MESSAGE_TYPES
    time_of_day_s: float | None = None  # I034/030, seconds since UTC midnight, LSB 1/128 s
    sector_deg: float | None = None  # I034/020 antenna azimuth sector, LSB 360/2^8 °
    rotation_period_s: float | None = None  # I034/041, LSB 1/128 s
    has_status: bool = False  # I034/050 present with its common part
    nogo: bool = False  # I034/050 COM NOGO: operational use of the system inhibited
    rdp_chain_2: bool = False  # COM RDPC
    rdp_reset: bool = False  # COM RDPR: expect new track numbers
    rdp_overload: bool = False  # COM OVL RDP
    transmission_overload: bool = False  # COM OVL XMT
    monitoring_disconnected: bool = False  # COM MSC
    time_source_invalid: bool = False  # COM TSV
    psr_overload: bool = False  # I034/050 PSR OVL
    ssr_overload: bool = False  # I034/050 SSR OVL
    mode_s_overload: bool = False  # I034/050 MDS OVL SUR
    reduction_rdp: int = 0  # I034/060 COM RED-RDP: data reduction step in use, 0 none
    reduction_transmission: int = 0  # I034/060 COM RED-XMT
    reduction_psr: int = 0  # I034/060 PSR RED-RAD
    reduction_ssr: int = 0  # I034/060 SSR RED-RAD
    reduction_mode_s: int = 0  # I034/060 MDS RED-RAD
    data_filter: int | None = None  # I034/110
    height_m: float | None = None  # I034/120 height of the data source, LSB 1 m
    lat_deg: float | None = None  # I034/120 WGS-84 latitude, LSB 180/2^23 °
    lon_deg: float | None = None  # I034/120 WGS-84 longitude
    collimation_range_nm: float | None = None  # I034/090 range error, LSB 1/128 NM
    collimation_azimuth_deg: float | None = None  # I034/090 azimuth error, LSB 360/2^14 °


Fields = dict[str, Any]

_DEG23: Final = 180.0 / (1 << 23)  # I034/120 latitude and longitude LSB, degrees
# I034/050 subfields in presence-bit order: COM, two spares, PSR, SSR, MDS (2 octets), spare.
_I050: Final = (1, None, None, 1, 1, 2, None)
# I034/060 subfields: COM, two spares, PSR, SSR, MDS, spare — one octet each.
_I060: Final = (1, None, None, 1, 1, 1, None)


def _status(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop, (com, _, _, psr, ssr, mds, _) = compound_end(buf, p, end, _I050, "I034/050")
    if com >= 0:
        bits = buf[com]
        f["has_status"] = True
        f["nogo"] = bool(bits & 0x80)
        f["rdp_chain_2"] = bool(bits & 0x40)
        f["rdp_reset"] = bool(bits & 0x20)
        f["rdp_overload"] = bool(bits & 0x10)
        f["transmission_overload"] = bool(bits & 0x08)
        f["monitoring_disconnected"] = bool(bits & 0x04)
        f["time_source_invalid"] = bool(bits & 0x02)
    if psr >= 0:
        f["psr_overload"] = bool(buf[psr] & 0x10)
    if ssr >= 0:
        f["ssr_overload"] = bool(buf[ssr] & 0x10)
    if mds >= 0:
        f["mode_s_overload"] = bool(buf[mds] & 0x10)
    return stop


def _processing(buf: bytes, p: int, end: int, f: Fields) -> int:
    stop, (com, _, _, psr, ssr, mds, _) = compound_end(buf, p, end, _I060, "I034/060")
    if com >= 0:
        f["reduction_rdp"] = (buf[com] >> 4) & 0x07
        f["reduction_transmission"] = (buf[com] >> 1) & 0x07
    if psr >= 0:
        f["reduction_psr"] = (buf[psr] >> 4) & 0x07
    if ssr >= 0:
        f["reduction_ssr"] = buf[ssr] >> 5
    if mds >= 0:
        f["reduction_mode_s"] = buf[mds] >> 5
    return stop


def _position(buf: bytes, p: int, f: Fields) -> None:
    f["height_m"] = float(signed((buf[p] << 8) | buf[p + 1], 16))
    f["lat_deg"] = signed(int.from_bytes(buf[p + 2 : p + 5], "big"), 24) * _DEG23
    f["lon_deg"] = signed(int.from_bytes(buf[p + 5 : p + 8], "big"), 24) * _DEG23


def _item(frn: int, buf: bytes, p: int, end: int, f: Fields) -> int:
    """Decode or skip the item of ``frn`` at ``p``; the position after it."""
    if frn == 1:
        stop = need(p, 2, end, "I034/010")
        f["sac"], f["sic"] = buf[p], buf[p + 1]
    elif frn == 2:
        stop = need(p, 1, end, "I034/000")
        f["message_type"] = buf[p]
    elif frn == 3:
        stop = need(p, 3, end, "I034/030")
        f["time_of_day_s"] = int.from_bytes(buf[p:stop], "big") / 128.0
    elif frn == 4:
        stop = need(p, 1, end, "I034/020")
        f["sector_deg"] = buf[p] * (360.0 / 256.0)
    elif frn == 5:
        stop = need(p, 2, end, "I034/041")
        f["rotation_period_s"] = ((buf[p] << 8) | buf[p + 1]) / 128.0
    elif frn == 6:
        stop = _status(buf, p, end, f)
    elif frn == 7:
        stop = _processing(buf, p, end, f)
    elif frn == 8:
        stop = repetitive_end(buf, p, end, 2, "I034/070")
    elif frn == 9:
        stop = need(p, 8, end, "I034/100")
    elif frn == 10:
        stop = need(p, 1, end, "I034/110")
        f["data_filter"] = buf[p]
    elif frn == 11:
        stop = need(p, 8, end, "I034/120")
        _position(buf, p, f)
    elif frn == 12:
        stop = need(p, 2, end, "I034/090")
        f["collimation_range_nm"] = signed(buf[p], 8) / 128.0
        f["collimation_azimuth_deg"] = signed(buf[p + 1], 8) * (360.0 / 16384.0)
    elif frn in (13, 14):
        stop = explicit_end(buf, p, end, "I034/RE" if frn == 13 else "I034/SP")
    else:
        raise AsterixError(FSPEC, f"CAT034 FRN {frn} is not in the UAP")
    return stop


def decode_cat034_record(buf: bytes, pos: int, end: int) -> tuple[Cat034Record, int]:
    """The record starting at ``pos`` (before ``end``) and the position after it."""
    frns, p = read_fspec(buf, pos, end)
    found: Fields = {}
    for frn in frns:
        p = _item(frn, buf, p, end, found)
    return Cat034Record(**found), p
