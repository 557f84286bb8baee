"""ASTERIX Category 062, SDPS system track data: our tracks out to an ally's air picture, and
a decoder of the same records (for round-trip tests and for reading back what we send).

EUROCONTROL-SPEC-0149-9, "EUROCONTROL Specification for Surveillance Data Exchange — ASTERIX
Part 9: Category 062 SDPS Track Messages", edition 1.18 — the edition of the independent
decoder the tests check against (CROCO ``asterix-decoder``); its standard UAP is the same
in editions 1.17 to 1.20, which only add subfields and FX extensions an older decoder skips.
Framing and FSPEC: EUROCONTROL-SPEC-0149 Part 1, edition 2.2 (``fields``, ``encode``).

Written (``encode_cat062_record``; each only when its value is known):

* I062/010 SAC/SIC, I062/015 service identification, I062/070 time of track information
  (LSB 1/128 s), I062/040 track number (16 bits);
* I062/105 WGS-84 position (LSB 180/2^25 °), I062/100 Cartesian position (LSB 0.5 m, in the
  recipient's reference plane), I062/185 velocity (vx east, vy north, LSB 0.25 m/s),
  I062/210 acceleration (LSB 0.25 m/s², saturating), I062/200 mode of movement;
* I062/080 track status: MON, SPI, MRH, SRC, CNF; SIM, TSE, TSB; CST; SDS (extents sent up
  to the last one with a bit set);
* I062/130 geometric altitude (LSB 6.25 ft), I062/135 barometric altitude and I062/136
  measured flight level (LSB 1/4 FL), I062/220 rate of climb/descent (LSB 6.25 ft/min);
* I062/060 Mode 3/A; I062/380 subfields ADR (ICAO 24-bit address), ID (target
  identification, 8 characters) and EMC (emitter category, ECAT: 13 = unmanned aerial
  vehicle); I062/290 subfield TRK (track age, LSB 1/4 s, saturating); I062/500 subfield APC
  (position accuracy, 1σ in x and y, LSB 0.5 m, saturating);
* SP, the Special Purpose field: dronewall's own class, kind, affiliation, priority and full
  identity (``SpecialPurpose``; layout in docs/feeds-asterix.md).

I062/245 is not written: edition 1.20 (note 2) says it "SHALL not be used", the target's
identification going in I062/380 subfield ID instead. Values are rounded to the nearest LSB;
a value an item cannot hold raises ``ValueError``, except where the specification says the
maximum means "maximum or above" (I062/210, I062/290) and I062/500, which saturate.

Decoded (``decode_cat062_record``): every item of the UAP is skipped by its structure, and
the items above are read into a ``Cat062Record``.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from dronewall.sensors.asterix.encode import DATAGRAM_BYTES, block, fspec
from dronewall.sensors.asterix.fields import (
    CATEGORY,
    EMPTY,
    FSPEC,
    LENGTH,
    TRUNCATED,
    AsterixError,
    Subfield,
    compound_end,
    explicit_end,
    extended_end,
    icao_pack,
    icao_string,
    need,
    read_fspec,
    signed,
)

CATEGORY_062: Final = 62
FT_M: Final = 0.3048
LATLON_LSB: Final = 180.0 / (1 << 25)  # I062/105, degrees
ECAT_UAV: Final = 13  # I062/380 EMC (and I021/020 ECAT): "unmanned aerial vehicle"
SP_FORMAT: Final = 1  # first octet of our SP payload: the layout's version
TRACK_NUMBERS: Final = 1 << 16  # I062/040 is 16 bits

# I062/080 SRC, the source of the I062/130 geometric altitude.
SRC_NONE, SRC_GNSS, SRC_3D_RADAR, SRC_TRIANGULATION = 0, 1, 2, 3
# I062/080 SDS: which kinds of surveillance the track is made of.
SDS_COMBINED, SDS_COOPERATIVE, SDS_NON_COOPERATIVE = 0, 1, 2
# I062/200 mode of movement values: index 3 is "undetermined" in each of the three.
UNDETERMINED: Final = 3


@dataclass(frozen=True, slots=True)
class SpecialPurpose:
    """dronewall's classification of a track, carried in the SP field (CAT062 has no item
    for "what kind of object"; I062/380 EMC says only "UAV")."""

    object_class: int  # core.types.ObjectClass: 0 unknown, 1 drone, 2 bird, 3 aircraft
    object_kind: int = 0  # core.types.ObjectKind, 0 when not known
    confidence_pct: int = 0  # probability of object_class, 0–100
    affiliation: str = "U"  # APP-6 standard identity letter: F, H, S, N, U
    priority: int = 0  # threat priority, 0–100
    identity: str = ""  # the full identity (a Remote ID serial does not fit I062/380 ID)


# Not frozen, like Cat048Record: a frozen dataclass sets its 35 fields through
# object.__setattr__, 9 µs a record — a sixth of the time a track takes. Treat it as read-only.
@dataclass(slots=True)
class Track062:
    """One CAT062 track record to encode. Units: SI, except where the item's own unit is the
    natural one (flight level)."""

    time_of_day_s: float  # I062/070, seconds since UTC midnight
    track_number: int  # I062/040, 0–65535
    lat_deg: float  # I062/105
    lon_deg: float
    vx_mps: float | None = None  # I062/185, east
    vy_mps: float | None = None  # north
    x_m: float | None = None  # I062/100, with y_m
    y_m: float | None = None
    ax_mps2: float | None = None  # I062/210, with ay_mps2
    ay_mps2: float | None = None
    geometric_alt_m: float | None = None  # I062/130, above the WGS-84 ellipsoid
    barometric_fl: float | None = None  # I062/135, calculated, in flight levels
    measured_fl: float | None = None  # I062/136, in flight levels
    climb_mps: float | None = None  # I062/220
    mode3a: int | None = None  # I062/060, 12-bit code
    address: int | None = None  # I062/380 ADR
    callsign: str | None = None  # I062/380 ID, up to 8 characters of the ICAO set
    emitter_category: int | None = None  # I062/380 EMC
    monosensor: bool = False  # I062/080 MON
    spi: bool = False  # SPI
    geometric_more_reliable: bool = True  # MRH: dronewall heights are geometric
    altitude_source: int = SRC_NONE  # SRC
    tentative: bool = False  # CNF
    simulated: bool = False  # SIM
    last: bool = False  # TSE: the last record sent for this track
    first: bool = False  # TSB: the first record sent for this track
    coasting: bool = False  # CST
    surveillance: int | None = None  # SDS
    movement: tuple[int, int, int] | None = None  # I062/200 TRANS, LONG, VERT
    track_age_s: float | None = None  # I062/290 TRK
    sigma_x_m: float | None = None  # I062/500 APC, with sigma_y_m
    sigma_y_m: float | None = None
    service_id: int | None = None  # I062/015
    special: SpecialPurpose | None = None  # SP


# Not frozen, like Cat048Record: treat it as read-only.
@dataclass(slots=True)
class Cat062Record:
    """The decoded items of one CAT062 record; None (or the default) where absent. Units as
    in ``Track062``, with values at the wire's resolution."""

    sac: int | None = None  # I062/010
    sic: int | None = None
    service_id: int | None = None  # I062/015
    time_of_day_s: float | None = None  # I062/070
    track_number: int | None = None  # I062/040
    lat_deg: float | None = None  # I062/105
    lon_deg: float | None = None
    x_m: float | None = None  # I062/100
    y_m: float | None = None
    vx_mps: float | None = None  # I062/185
    vy_mps: float | None = None
    ax_mps2: float | None = None  # I062/210
    ay_mps2: float | None = None
    mode3a: int | None = None  # I062/060
    address: int | None = None  # I062/380 ADR
    callsign: str | None = None  # I062/380 ID
    emitter_category: int | None = None  # I062/380 EMC
    status: bytes = b""  # I062/080 as sent; the properties below read it
    movement: tuple[int, int, int] | None = None  # I062/200
    measured_fl: float | None = None  # I062/136
    geometric_alt_m: float | None = None  # I062/130
    barometric_fl: float | None = None  # I062/135
    climb_mps: float | None = None  # I062/220
    track_age_s: float | None = None  # I062/290 TRK
    sigma_x_m: float | None = None  # I062/500 APC
    sigma_y_m: float | None = None
    special: SpecialPurpose | None = None  # SP, when it is in our layout
    special_raw: bytes | None = None  # SP payload as received (its length octet removed)

    def _bit(self, octet: int, mask: int) -> bool:
        return len(self.status) > octet and bool(self.status[octet] & mask)

    @property
    def monosensor(self) -> bool:
        return self._bit(0, 0x80)

    @property
    def spi(self) -> bool:
        return self._bit(0, 0x40)

    @property
    def altitude_source(self) -> int:
        return (self.status[0] >> 2) & 7 if self.status else SRC_NONE

    @property
    def tentative(self) -> bool:
        return self._bit(0, 0x02)

    @property
    def simulated(self) -> bool:
        return self._bit(1, 0x80)

    @property
    def last(self) -> bool:
        return self._bit(1, 0x40)

    @property
    def first(self) -> bool:
        return self._bit(1, 0x20)

    @property
    def coasting(self) -> bool:
        return self._bit(3, 0x80)

    @property
    def surveillance(self) -> int | None:
        return self.status[4] >> 6 if len(self.status) > 4 else None


# ---- encoding -----------------------------------------------------------------------------


_PAIR32: Final = struct.Struct(">ii")
_PAIR16: Final = struct.Struct(">hh")
_PAIR_U16: Final = struct.Struct(">HH")
_ONE16: Final = struct.Struct(">h")


def _raw(value: float, lsb: float, name: str) -> int:
    try:
        return round(value / lsb)
    except (ValueError, OverflowError):  # NaN, infinity
        raise ValueError(f"{name} {value} is not a number") from None


def _signed(value: float, lsb: float, bits: int, name: str) -> int:
    """``value`` in LSBs, checked to fit ``bits`` signed bits."""
    raw = _raw(value, lsb, name)
    limit = 1 << (bits - 1)
    if not -limit <= raw < limit:
        raise ValueError(f"{name} {value} does not fit {bits} bits of LSB {lsb}")
    return raw


def _saturate(value: float, lsb: float, low: int, high: int, name: str) -> int:
    """``value`` in LSBs, held within [low, high] (the maximum means "or above")."""
    return min(max(_raw(value, lsb, name), low), high)


def _status(track: Track062) -> bytes:
    """I062/080, its extents up to the last with a bit set (the first two always: SIM)."""
    octets = [
        (0x80 if track.monosensor else 0)
        | (0x40 if track.spi else 0)
        | (0x20 if track.geometric_more_reliable else 0)
        | (track.altitude_source & 7) << 2
        | (0x02 if track.tentative else 0),
        (0x80 if track.simulated else 0)
        | (0x40 if track.last else 0)
        | (0x20 if track.first else 0),
        0,
        0x80 if track.coasting else 0,
        (track.surveillance & 3) << 6 if track.surveillance is not None else 0,
    ]
    used = max(2, max(i + 1 for i, octet in enumerate(octets) if octet or i == 0))
    if track.surveillance is not None:
        used = 5
    return bytes(octet | (1 if i < used - 1 else 0) for i, octet in enumerate(octets[:used]))


def _aircraft_derived(track: Track062) -> bytes | None:
    """I062/380 with subfields ADR (#1), ID (#2) and EMC (#21)."""
    parts: dict[int, bytes] = {}
    if track.address is not None:
        parts[0] = (track.address & 0xFFFFFF).to_bytes(3, "big")
    if track.callsign:
        parts[1] = icao_pack(track.callsign)
    if track.emitter_category is not None:
        parts[20] = bytes((track.emitter_category & 0xFF,))
    if not parts:
        return None
    primary = bytearray((max(parts) // 7) + 1)
    for index in parts:
        primary[index // 7] |= 0x80 >> (index % 7)
    for i in range(len(primary) - 1):
        primary[i] |= 1
    return bytes(primary) + b"".join(parts[i] for i in sorted(parts))


def special_payload(special: SpecialPurpose) -> bytes:
    """Our SP layout: format, class, kind, confidence %, affiliation (ASCII), priority, then
    the identity as UTF-8 (at most 240 octets, cut at a character boundary)."""
    identity = special.identity.encode()[:240].decode(errors="ignore").encode()
    return (
        bytes(
            (
                SP_FORMAT,
                special.object_class & 0xFF,
                special.object_kind & 0xFF,
                min(max(special.confidence_pct, 0), 100),
                ord(special.affiliation[:1] or "U") & 0x7F,
                min(max(special.priority, 0), 100),
            )
        )
        + identity
    )


def _items(track: Track062, sac: int, sic: int) -> dict[int, bytes]:
    """The items of one record by FRN."""
    items: dict[int, bytes] = {1: bytes((sac, sic))}
    if track.service_id is not None:
        items[3] = bytes((track.service_id & 0xFF,))
    if not 0.0 <= track.time_of_day_s < 86_400.0:
        raise ValueError(f"I062/070 time of day {track.time_of_day_s} s is not within a day")
    items[4] = (round(track.time_of_day_s * 128) % (86_400 * 128)).to_bytes(3, "big")
    lon = track.lon_deg if track.lon_deg < 180.0 else track.lon_deg - 360.0
    items[5] = _PAIR32.pack(
        _signed(track.lat_deg, LATLON_LSB, 32, "latitude"),
        _signed(lon, LATLON_LSB, 32, "longitude"),
    )
    if track.x_m is not None and track.y_m is not None:
        x = _signed(track.x_m, 0.5, 24, "I062/100 x") & 0xFFFFFF
        y = _signed(track.y_m, 0.5, 24, "I062/100 y") & 0xFFFFFF
        items[6] = (x << 24 | y).to_bytes(6, "big")
    if track.vx_mps is not None and track.vy_mps is not None:
        items[7] = _PAIR16.pack(
            _signed(track.vx_mps, 0.25, 16, "vx"), _signed(track.vy_mps, 0.25, 16, "vy")
        )
    if track.ax_mps2 is not None and track.ay_mps2 is not None:
        ax = _saturate(track.ax_mps2, 0.25, -128, 127, "ax")
        ay = _saturate(track.ay_mps2, 0.25, -128, 127, "ay")
        items[8] = bytes((ax & 0xFF, ay & 0xFF))
    if track.mode3a is not None:
        items[9] = (track.mode3a & 0x0FFF).to_bytes(2, "big")
    derived = _aircraft_derived(track)
    if derived is not None:
        items[11] = derived
    if not 0 <= track.track_number < TRACK_NUMBERS:
        raise ValueError(f"track number {track.track_number} does not fit 16 bits")
    items[12] = track.track_number.to_bytes(2, "big")
    items[13] = _status(track)
    if track.track_age_s is not None:
        items[14] = bytes((0x80, _saturate(track.track_age_s, 0.25, 0, 255, "track age")))
    if track.movement is not None:
        trans, longitudinal, vert = track.movement
        items[15] = bytes(((trans & 3) << 6 | (longitudinal & 3) << 4 | (vert & 3) << 2,))
    if track.measured_fl is not None:
        items[17] = _ONE16.pack(_signed(track.measured_fl, 0.25, 16, "I062/136 flight level"))
    if track.geometric_alt_m is not None:
        items[18] = _ONE16.pack(_signed(track.geometric_alt_m / FT_M, 6.25, 16, "I062/130"))
    if track.barometric_fl is not None:  # QNH bit 0: no QNH correction applied
        items[19] = (_signed(track.barometric_fl, 0.25, 15, "I062/135") & 0x7FFF).to_bytes(2, "big")
    if track.climb_mps is not None:
        items[20] = _ONE16.pack(_signed(track.climb_mps * 60.0 / FT_M, 6.25, 16, "I062/220"))
    if track.sigma_x_m is not None and track.sigma_y_m is not None:
        items[27] = b"\x80" + _PAIR_U16.pack(
            _saturate(track.sigma_x_m, 0.5, 0, 0xFFFF, "I062/500 x"),
            _saturate(track.sigma_y_m, 0.5, 0, 0xFFFF, "I062/500 y"),
        )
    if track.special is not None:
        payload = special_payload(track.special)
        items[35] = bytes((len(payload) + 1,)) + payload
    return items


@functools.lru_cache(maxsize=512)
def _fspec(frns: tuple[int, ...]) -> bytes:
    return fspec(frns)


def encode_cat062_record(track: Track062, sac: int, sic: int) -> bytes:
    """One CAT062 record (FSPEC and items, no block header)."""
    items = _items(track, sac, sic)  # filled in FRN order: the items go out as they are
    return _fspec(tuple(items)) + b"".join(items.values())


def pack_datagrams(category: int, records: Iterable[bytes], max_bytes: int) -> list[bytes]:
    """Records in datagrams of one data block each, none over ``max_bytes`` (unless a single
    record is)."""
    datagrams: list[bytes] = []
    batch: list[bytes] = []
    size = 3
    for record in records:
        if batch and size + len(record) > max_bytes:
            datagrams.append(block(category, batch))
            batch, size = [], 3
        batch.append(record)
        size += len(record)
    if batch:
        datagrams.append(block(category, batch))
    return datagrams


def encode_cat062_datagrams(
    tracks: Sequence[Track062], sac: int, sic: int, max_bytes: int = DATAGRAM_BYTES
) -> list[bytes]:
    """The tracks as CAT062 datagrams of one block each, none over ``max_bytes``."""
    return pack_datagrams(
        CATEGORY_062, (encode_cat062_record(t, sac, sic) for t in tracks), max_bytes
    )


class TrackNumbers:
    """I062/040 track numbers for our int64 track ids: stable while a track lives, each live
    track its own. A track takes ``id mod 2^16`` when free, else the next free number after
    it; a number freed by a track that ended is not reused while another is free nearer."""

    def __init__(self) -> None:
        self._number: dict[int, int] = {}
        self._owner: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._number)

    def number(self, track_id: int) -> int:
        """The track's number, assigned on first call."""
        number = self._number.get(track_id)
        if number is not None:
            return number
        if len(self._owner) >= TRACK_NUMBERS:
            raise ValueError(f"more than {TRACK_NUMBERS} live tracks: no I062/040 left")
        number = track_id % TRACK_NUMBERS
        while number in self._owner:
            number = (number + 1) % TRACK_NUMBERS
        self._number[track_id] = number
        self._owner[number] = track_id
        return number

    def release(self, track_id: int) -> None:
        """The track has ended: its number is free again."""
        number = self._number.pop(track_id, None)
        if number is not None:
            del self._owner[number]


# ---- decoding -----------------------------------------------------------------------------

Fields = dict[str, Any]
ItemReader = Callable[[bytes, int, int, Fields], int]

# Compound subfields of edition 1.18 (Subfield: octets, -n repetitive of n, 0 FX-extended).
_I110: Final[tuple[Subfield, ...]] = (1, 4, 6, 2, 2, 1, 1)
_I290: Final[tuple[Subfield, ...]] = (1, 1, 1, 1, 2, 1, 1, 1, 1, 1)
_I295: Final[tuple[Subfield, ...]] = (1,) * 31
_I340: Final[tuple[Subfield, ...]] = (2, 4, 2, 2, 2, 1)
_I380: Final[tuple[Subfield, ...]] = (
    *(3, 6, 2, 2, 2, 2, 2),  # ADR ID MHG IAS TAS SAL FSS
    *(0, -15, 2, 2, 7, 2, 2),  # TIS TID COM SAB ACS BVR GVR
    *(2, 2, 2, 2, 1, 8, 1),  # RAN TAR TAN GSP VUN MET EMC
    *(6, 2, 1, -8, 2, 2, 2),  # POS GAL PUN MB IAR MAC BPS
)
_I390: Final[tuple[Subfield, ...]] = (2, 7, 4, 1, 4, 1, 4, 4, 3, 2, 2, -4, 6, 1, 7, 7, 2, 7)
_I500: Final[tuple[Subfield, ...]] = (4, 2, 4, 1, 1, 2, 2, 1)


def _fixed(size: int, name: str) -> ItemReader:
    def skip(buf: bytes, p: int, end: int, found: Fields) -> int:
        return need(p, size, end, name)

    return skip


def _compound(subfields: tuple[Subfield, ...], name: str) -> ItemReader:
    def skip(buf: bytes, p: int, end: int, found: Fields) -> int:
        return compound_end(buf, p, end, subfields, name)[0]

    return skip


def _extended(name: str) -> ItemReader:
    def skip(buf: bytes, p: int, end: int, found: Fields) -> int:
        return extended_end(buf, p, end, name)

    return skip


def _explicit(name: str) -> ItemReader:
    def skip(buf: bytes, p: int, end: int, found: Fields) -> int:
        return explicit_end(buf, p, end, name)

    return skip


def _i010(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop = need(p, 2, end, "I062/010")
    found["sac"], found["sic"] = buf[p], buf[p + 1]
    return stop


def _i015(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop = need(p, 1, end, "I062/015")
    found["service_id"] = buf[p]
    return stop


def _i070(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop = need(p, 3, end, "I062/070")
    found["time_of_day_s"] = int.from_bytes(buf[p:stop], "big") / 128.0
    return stop


def _i105(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop = need(p, 8, end, "I062/105")
    found["lat_deg"] = signed(int.from_bytes(buf[p : p + 4], "big"), 32) * LATLON_LSB
    found["lon_deg"] = signed(int.from_bytes(buf[p + 4 : stop], "big"), 32) * LATLON_LSB
    return stop


def _i100(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop = need(p, 6, end, "I062/100")
    found["x_m"] = signed(int.from_bytes(buf[p : p + 3], "big"), 24) * 0.5
    found["y_m"] = signed(int.from_bytes(buf[p + 3 : stop], "big"), 24) * 0.5
    return stop


def _i185(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop = need(p, 4, end, "I062/185")
    found["vx_mps"] = signed(int.from_bytes(buf[p : p + 2], "big"), 16) * 0.25
    found["vy_mps"] = signed(int.from_bytes(buf[p + 2 : stop], "big"), 16) * 0.25
    return stop


def _i210(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop = need(p, 2, end, "I062/210")
    found["ax_mps2"] = signed(buf[p], 8) * 0.25
    found["ay_mps2"] = signed(buf[p + 1], 8) * 0.25
    return stop


def _i060(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop = need(p, 2, end, "I062/060")
    found["mode3a"] = int.from_bytes(buf[p:stop], "big") & 0x0FFF
    return stop


def _i380(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop, starts = compound_end(buf, p, end, _I380, "I062/380")
    if starts[0] >= 0:
        found["address"] = int.from_bytes(buf[starts[0] : starts[0] + 3], "big")
    if starts[1] >= 0:
        found["callsign"] = icao_string(buf[starts[1] : starts[1] + 6])
    if starts[20] >= 0:
        found["emitter_category"] = buf[starts[20]]
    return stop


def _i040(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop = need(p, 2, end, "I062/040")
    found["track_number"] = int.from_bytes(buf[p:stop], "big")
    return stop


def _i080(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop = extended_end(buf, p, end, "I062/080")
    found["status"] = bytes(buf[p:stop])
    return stop


def _i290(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop, starts = compound_end(buf, p, end, _I290, "I062/290")
    if starts[0] >= 0:
        found["track_age_s"] = buf[starts[0]] * 0.25
    return stop


def _i200(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop = need(p, 1, end, "I062/200")
    octet = buf[p]
    found["movement"] = (octet >> 6, (octet >> 4) & 3, (octet >> 2) & 3)
    return stop


def _s16_reader(key: str, lsb: float, name: str, bits: int = 16) -> ItemReader:
    def read(buf: bytes, p: int, end: int, found: Fields) -> int:
        stop = need(p, 2, end, name)
        found[key] = signed(int.from_bytes(buf[p:stop], "big"), bits) * lsb
        return stop

    return read


def _i510(buf: bytes, p: int, end: int, found: Fields) -> int:
    """Skip I062/510: three-octet parts, FX in the last bit of each."""
    while True:
        p = need(p, 3, end, "I062/510")
        if not buf[p - 1] & 1:
            return p


def _i500(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop, starts = compound_end(buf, p, end, _I500, "I062/500")
    if starts[0] >= 0:
        s = starts[0]
        found["sigma_x_m"] = int.from_bytes(buf[s : s + 2], "big") * 0.5
        found["sigma_y_m"] = int.from_bytes(buf[s + 2 : s + 4], "big") * 0.5
    return stop


def read_special(payload: bytes) -> SpecialPurpose | None:
    """Our SP layout back into a ``SpecialPurpose``; None when the payload is not in it."""
    if len(payload) < 6 or payload[0] != SP_FORMAT:
        return None
    return SpecialPurpose(
        object_class=payload[1],
        object_kind=payload[2],
        confidence_pct=payload[3],
        affiliation=chr(payload[4]),
        priority=payload[5],
        identity=payload[6:].decode(errors="replace"),
    )


def _sp(buf: bytes, p: int, end: int, found: Fields) -> int:
    stop = explicit_end(buf, p, end, "I062/SP")
    payload = bytes(buf[p + 1 : stop])
    found["special_raw"] = payload
    found["special"] = read_special(payload)
    return stop


def _spare(frn: int) -> ItemReader:
    def reject(buf: bytes, p: int, end: int, found: Fields) -> int:
        raise AsterixError(FSPEC, f"CAT062 FRN {frn} is spare in the UAP")

    return reject


_UAP: Final[dict[int, ItemReader]] = {
    1: _i010,
    2: _spare(2),
    3: _i015,
    4: _i070,
    5: _i105,
    6: _i100,
    7: _i185,
    8: _i210,
    9: _i060,
    10: _fixed(7, "I062/245"),
    11: _i380,
    12: _i040,
    13: _i080,
    14: _i290,
    15: _i200,
    16: _compound(_I295, "I062/295"),
    17: _s16_reader("measured_fl", 0.25, "I062/136"),
    18: _s16_reader("geometric_alt_m", 6.25 * FT_M, "I062/130"),
    19: _s16_reader("barometric_fl", 0.25, "I062/135", bits=15),
    20: _s16_reader("climb_mps", 6.25 * FT_M / 60.0, "I062/220"),
    21: _compound(_I390, "I062/390"),
    22: _extended("I062/270"),
    23: _fixed(1, "I062/300"),
    24: _compound(_I110, "I062/110"),
    25: _fixed(2, "I062/120"),
    26: _i510,
    27: _i500,
    28: _compound(_I340, "I062/340"),
    **{frn: _spare(frn) for frn in range(29, 34)},
    34: _explicit("I062/RE"),
    35: _sp,
}
_LAST_FRN: Final = 35


def decode_cat062_record(buf: bytes, pos: int, end: int) -> tuple[Cat062Record, int]:
    """The record starting at ``pos`` (before ``end``) and the position after it."""
    frns, p = read_fspec(buf, pos, end)
    if frns[-1] > _LAST_FRN:
        raise AsterixError(FSPEC, f"CAT062 FRN {frns[-1]} is not in the UAP")
    found: Fields = {}
    for frn in frns:
        p = _UAP[frn](buf, p, end, found)
    return Cat062Record(**found), p


def decode_cat062_datagram(data: bytes) -> tuple[list[Cat062Record], list[AsterixError]]:
    """The CAT062 records of one datagram and the errors met: a malformed record ends its
    block (its FSPEC can no longer be trusted to find the next), a block that cannot be
    framed ends the datagram, a block of another category is reported and skipped."""
    records: list[Cat062Record] = []
    errors: list[AsterixError] = []
    pos, size = 0, len(data)
    while pos < size:
        if size - pos < 3:
            errors.append(AsterixError(TRUNCATED, f"{size - pos} octets after the last block"))
            break
        length = (data[pos + 1] << 8) | data[pos + 2]
        if length < 3 or pos + length > size:
            errors.append(AsterixError(LENGTH, f"block LEN {length}, {size - pos} octets left"))
            break
        if data[pos] != CATEGORY_062:
            errors.append(AsterixError(CATEGORY, f"CAT{data[pos]:03d} block"))
        elif length == 3:
            errors.append(AsterixError(EMPTY, "CAT062 block with no record"))
        else:
            _block_records(data, pos + 3, pos + length, records, errors)
        pos += length
    return records, errors


def _block_records(
    data: bytes, p: int, end: int, records: list[Cat062Record], errors: list[AsterixError]
) -> None:
    try:
        while p < end:
            record, p = decode_cat062_record(data, p, end)
            records.append(record)
    except AsterixError as error:
        error.detail = f"CAT062: {error.detail}"
        errors.append(error)
