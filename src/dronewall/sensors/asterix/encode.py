"""ASTERIX encoder for a simulated radar: CAT048 plot records and CAT034 service messages
(north marker, sector crossing, with status and radar position), in data blocks ready for a
UDP datagram — for tests, benchmarks and end-to-end runs replaying a scenario as ASTERIX.

Same documents as the decoder: EUROCONTROL-SPEC-0149 Part 1 (blocks, FSPEC), Part 4 CAT048
edition 1.32 (items I048/010, /140, /020, /040, /070, /090, /130 PAM, /220, /240, /161, /200,
/110, /120 CAL) and
Part 2b CAT034 edition 1.29 (I034/010, /000, /030, /020, /041, /050, /120). Values are rounded
to the nearest LSB; a value the item cannot hold raises ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from dronewall.sensors.asterix.fields import icao_pack
from dronewall.sensors.asterix.plots import FT_M, NM_M

MAX_BLOCK: Final = 0xFFFF  # LEN is two octets
# A datagram that crosses no common network without fragmentation (Ethernet MTU 1500 less
# IPv4 and UDP headers, with room for tunnels).
DATAGRAM_BYTES: Final = 1400


@dataclass(frozen=True, slots=True)
class Plot048:
    """One CAT048 target report to encode. Only the measured items a simulated radar makes."""

    time_of_day_s: float  # seconds since UTC midnight
    range_m: float  # slant range, < 256 NM
    azimuth_deg: float  # clockwise from north
    typ: int | None = None  # I048/020 TYP; default 5 with an address, 2 with a code, else 1
    mode3a: int | None = None  # 12-bit code, e.g. 0o7000
    flight_level: float | None = None  # I048/090, in FL (hundreds of feet)
    height_m: float | None = None  # I048/110, 3-D radar height above MSL
    address: int | None = None  # I048/220 Mode S address
    callsign: str | None = None  # I048/240, up to 8 characters
    track_number: int | None = None  # I048/161
    groundspeed_mps: float | None = None  # I048/200 with heading_deg
    heading_deg: float | None = None
    simulated: bool = False  # I048/020 SIM
    doppler_mps: float | None = None  # I048/120 CAL, m/s
    doppler_doubtful: bool = False
    psr_amplitude_dbm: float | None = None  # I048/130 PAM, dBm


@dataclass(frozen=True, slots=True)
class Service034:
    """One CAT034 service message to encode."""

    time_of_day_s: float
    message_type: int = 1  # 1 north marker, 2 sector crossing, 4 jamming strobe, …
    sector_deg: float | None = None  # I034/020
    rotation_period_s: float | None = None  # I034/041
    nogo: bool | None = None  # I034/050 common part sent when not None
    position: tuple[float, float, float] | None = None  # I034/120 lat°, lon°, height m


def north_marker(
    time_of_day_s: float,
    rotation_period_s: float | None = None,
    position: tuple[float, float, float] | None = None,
) -> Service034:
    """A CAT034 north marker message, the radar's once-a-scan heartbeat."""
    return Service034(
        time_of_day_s, 1, rotation_period_s=rotation_period_s, nogo=False, position=position
    )


def _unsigned(value: float, lsb: float, bits: int, name: str) -> int:
    raw = round(value / lsb)
    if not 0 <= raw < 1 << bits:
        raise ValueError(f"{name} {value} does not fit {bits} bits of LSB {lsb}")
    return raw


def _signed(value: float, lsb: float, bits: int, name: str) -> int:
    raw = round(value / lsb)
    if not -(1 << (bits - 1)) <= raw < 1 << (bits - 1):
        raise ValueError(f"{name} {value} does not fit {bits} signed bits of LSB {lsb}")
    return raw & ((1 << bits) - 1)


def fspec(frns: Iterable[int]) -> bytes:
    """The FSPEC announcing the given field reference numbers (1-based)."""
    present = sorted(set(frns))
    octets = bytearray((present[-1] + 6) // 7 if present else 1)
    for frn in present:
        octets[(frn - 1) // 7] |= 0x80 >> ((frn - 1) % 7)
    for i in range(len(octets) - 1):
        octets[i] |= 1
    return bytes(octets)


def _time(seconds: float, name: str) -> bytes:
    if not 0.0 <= seconds < 86_400.0:
        raise ValueError(f"{name} time of day {seconds} s is not within a day")
    return (round(seconds * 128) % (86_400 * 128)).to_bytes(3, "big")


def _typ(plot: Plot048) -> int:
    if plot.typ is not None:
        return plot.typ
    if plot.address is not None:
        return 5  # single Mode S roll-call
    return 2 if plot.mode3a is not None or plot.flight_level is not None else 1


def encode_cat048_record(plot: Plot048, sac: int, sic: int) -> bytes:
    """One CAT048 record (FSPEC and items, no block header)."""
    items: dict[int, bytes] = {1: bytes((sac, sic)), 2: _time(plot.time_of_day_s, "I048/140")}
    items[3] = bytes(((_typ(plot) & 7) << 5 | (0x10 if plot.simulated else 0),))
    rho = _unsigned(plot.range_m / NM_M, 1 / 256, 16, "range")
    theta = round(plot.azimuth_deg % 360.0 / (360.0 / 65536)) % 65536
    items[4] = rho.to_bytes(2, "big") + theta.to_bytes(2, "big")
    if plot.mode3a is not None:
        items[5] = (plot.mode3a & 0x0FFF).to_bytes(2, "big")
    if plot.psr_amplitude_dbm is not None:  # primary subfield: PAM only (5th bit)
        items[7] = bytes((0x08, _signed(plot.psr_amplitude_dbm, 1.0, 8, "PSR amplitude")))
    if plot.flight_level is not None:
        items[6] = _signed(plot.flight_level, 0.25, 14, "flight level").to_bytes(2, "big")
    if plot.address is not None:
        items[8] = (plot.address & 0xFFFFFF).to_bytes(3, "big")
    if plot.callsign is not None:
        items[9] = icao_pack(plot.callsign)
    if plot.track_number is not None:
        items[11] = (plot.track_number & 0x0FFF).to_bytes(2, "big")
    if plot.groundspeed_mps is not None and plot.heading_deg is not None:
        speed = _unsigned(plot.groundspeed_mps / NM_M, 2.0**-14, 16, "groundspeed")
        heading = round(plot.heading_deg % 360.0 / (360.0 / 65536)) % 65536
        items[13] = speed.to_bytes(2, "big") + heading.to_bytes(2, "big")
    if plot.height_m is not None:
        items[19] = _signed(plot.height_m / FT_M, 25.0, 14, "3-D height").to_bytes(2, "big")
    if plot.doppler_mps is not None:  # primary subfield: CAL only
        cal = _signed(plot.doppler_mps, 1.0, 10, "Doppler speed") | (
            0x8000 if plot.doppler_doubtful else 0
        )
        items[20] = bytes((0x80,)) + cal.to_bytes(2, "big")
    return fspec(items) + b"".join(items[frn] for frn in sorted(items))


def block(category: int, records: Iterable[bytes]) -> bytes:
    """A data block: CAT, LEN, the records."""
    body = b"".join(records)
    length = 3 + len(body)
    if length > MAX_BLOCK:
        raise ValueError(f"data block of {length} octets exceeds LEN's 65535")
    return bytes((category,)) + length.to_bytes(2, "big") + body


def encode_cat048(plots: Sequence[Plot048], sac: int, sic: int) -> bytes:
    """One CAT048 data block holding the plots in order."""
    return block(48, (encode_cat048_record(p, sac, sic) for p in plots))


def encode_cat048_datagrams(
    plots: Sequence[Plot048], sac: int, sic: int, max_bytes: int = DATAGRAM_BYTES
) -> list[bytes]:
    """The plots as datagrams of one block each, none over ``max_bytes`` (unless a single
    record is)."""
    datagrams: list[bytes] = []
    records: list[bytes] = []
    size = 3
    for plot in plots:
        record = encode_cat048_record(plot, sac, sic)
        if records and size + len(record) > max_bytes:
            datagrams.append(block(48, records))
            records, size = [], 3
        records.append(record)
        size += len(record)
    if records:
        datagrams.append(block(48, records))
    return datagrams


def encode_cat034_record(message: Service034, sac: int, sic: int) -> bytes:
    """One CAT034 record (FSPEC and items, no block header)."""
    items: dict[int, bytes] = {1: bytes((sac, sic)), 2: bytes((message.message_type,))}
    items[3] = _time(message.time_of_day_s, "I034/030")
    if message.sector_deg is not None:
        items[4] = bytes((round(message.sector_deg % 360.0 / (360.0 / 256)) % 256,))
    if message.rotation_period_s is not None:
        period = _unsigned(message.rotation_period_s, 1 / 128, 16, "rotation period")
        items[5] = period.to_bytes(2, "big")
    if message.nogo is not None:
        items[6] = bytes((0x80, 0x80 if message.nogo else 0x00))  # COM subfield only
    if message.position is not None:
        lat, lon, height = message.position
        lsb = 180.0 / (1 << 23)
        items[11] = (
            _signed(height, 1.0, 16, "height").to_bytes(2, "big")
            + _signed(lat, lsb, 24, "latitude").to_bytes(3, "big")
            + _signed(lon if lon < 180.0 else lon - 360.0, lsb, 24, "longitude").to_bytes(3, "big")
        )
    return fspec(items) + b"".join(items[frn] for frn in sorted(items))


def encode_cat034(messages: Sequence[Service034], sac: int, sic: int) -> bytes:
    """One CAT034 data block holding the messages in order."""
    return block(34, (encode_cat034_record(m, sac, sic) for m in messages))
