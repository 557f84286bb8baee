"""Cross-check against an independent ASTERIX decoder: the CROCO decoder (``asterix-decoder``,
Croatia Control Ltd., GPL — imported here only, as a test oracle; its category definitions
are CAT048 edition 1.21 and CAT034 edition 1.27).

The same blocks go through both decoders and every field both decode is compared: the 100
datagrams of the CROCO sample capture, blocks of random records built item by item from the
UAP structure (random presence, random contents, every item kind: fixed, extended,
repetitive, compound, explicit) and blocks written by our encoder. Two known differences
are left out: CROCO has no definition of the CAT048 RE item (so no record here carries one;
the jASTERIX golden vector covers it) and reads I048/020 ERR as a spare bit (edition 1.21).
A third is kept out of the random records: CROCO (and Wireshark) read the I034/120 height as
unsigned, where the specification (asterix-specs CAT034 1.29: "signed quantity") and this
decoder read two's complement — the two agree below 32,768 m, where every radar is.
"""

from __future__ import annotations

import math
import random
from typing import Any

import asterix  # GPL oracle, tests only
import pytest

from dronewall.sensors.asterix import (
    Cat034Record,
    Cat048Record,
    Plot048,
    Service034,
    decode_datagram,
    encode_cat034,
    encode_cat048,
)
from tests.sensors.asterix.corpus_files import croco_datagrams

Record = Cat048Record | Cat034Record


def _ours(data: bytes) -> list[Record]:
    records: list[Record] = []
    for block in decode_datagram(data):
        assert not isinstance(block, Exception), block
        _, decoded, error = block
        assert error is None, error
        records += decoded
    return records


def _val(item: dict[str, Any], *path: str) -> Any:
    node: Any = item
    for key in path:
        node = node[key]
    return node["val"]


def _close(a: float | None, b: float, tol: float = 1e-6) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=tol)


def _check_048(r: Cat048Record, o: dict[str, Any]) -> int:
    """Compare; the number of fields compared."""
    n = 0
    if "I010" in o:
        assert (r.sac, r.sic) == (_val(o, "I010", "SAC"), _val(o, "I010", "SIC"))
        n += 2
    if "I140" in o:
        assert _close(r.time_of_day_s, _val(o, "I140", "ToD"))
        n += 1
    if "I020" in o:
        i = o["I020"]
        assert r.typ == _val(i, "TYP") and r.simulated == bool(_val(i, "SIM"))
        assert r.rdp_chain_2 == bool(_val(i, "RDP")) and r.spi == bool(_val(i, "SPI"))
        assert r.field_monitor == bool(_val(i, "RAB"))
        n += 5
        if "TST" in i:
            assert r.test_target == bool(_val(i, "TST"))
            assert r.military_emergency == bool(_val(i, "ME"))
            assert r.military_identification == bool(_val(i, "MI"))
            assert r.foe_fri == _val(i, "FOEFRI")
            n += 4
    if "I040" in o:
        assert _close(r.rho_nm, _val(o, "I040", "RHO"))
        assert _close(r.theta_deg, _val(o, "I040", "THETA"))
        n += 2
    if "I070" in o:
        i = o["I070"]
        assert r.mode3a == int(_val(i, "Mode3A"), 8)
        flags = (r.mode3a_not_validated, r.mode3a_garbled, r.mode3a_smoothed)
        assert flags == (bool(_val(i, "V")), bool(_val(i, "G")), bool(_val(i, "L")))
        n += 4
    if "I090" in o:
        i = o["I090"]
        assert _close(r.flight_level, _val(i, "FL"))
        flags = (r.flight_level_not_validated, r.flight_level_garbled)
        assert flags == (bool(_val(i, "V")), bool(_val(i, "G")))
        n += 3
    if "I220" in o:
        assert r.address == int(_val(o, "I220", "ACAddr"), 16)
        n += 1
    if "I240" in o and r.callsign is not None and "?" not in r.callsign:
        assert r.callsign == _val(o, "I240", "TId").rstrip()
        n += 1
    if "I250" in o:
        assert r.bds_count == len(o["I250"])
        n += 1
    if "I161" in o:
        assert r.track_number == _val(o, "I161", "Tn")
        n += 1
    if "I042" in o:
        assert _close(r.x_nm, _val(o, "I042", "X")) and _close(r.y_nm, _val(o, "I042", "Y"))
        n += 2
    if "I200" in o:
        speed = r.groundspeed_nm_s * 3600.0 if r.groundspeed_nm_s is not None else None
        assert _close(speed, _val(o, "I200", "CGS"), 1e-4)
        assert _close(r.heading_deg, _val(o, "I200", "CHdg"))
        n += 2
    if "I170" in o:
        i = o["I170"]
        assert (r.track_tentative, r.track_sensor) == (bool(_val(i, "CNF")), _val(i, "RAD"))
        n += 2
        if "TRE" in i:
            assert (r.track_ended, r.track_ghost) == (bool(_val(i, "TRE")), bool(_val(i, "GHO")))
            n += 2
    if "I110" in o:
        assert _close(r.height_3d_ft, _val(o, "I110", "3D_Height"))
        n += 1
    if "I230" in o:
        assert (r.communications, r.flight_status) == (
            _val(o, "I230", "COM"),
            _val(o, "I230", "STAT"),
        )
        n += 2
    return n


def _check_034(r: Cat034Record, o: dict[str, Any]) -> int:
    n = 0
    if "I010" in o:
        assert (r.sac, r.sic) == (_val(o, "I010", "SAC"), _val(o, "I010", "SIC"))
        n += 2
    if "I000" in o:
        assert r.message_type == _val(o, "I000", "MsgTyp")
        n += 1
    if "I030" in o:
        assert _close(r.time_of_day_s, _val(o, "I030", "ToD"))
        n += 1
    if "I020" in o:
        assert _close(r.sector_deg, _val(o, "I020", "Azi"))
        n += 1
    if "I041" in o:
        assert _close(r.rotation_period_s, _val(o, "I041", "RotS"))
        n += 1
    if "I050" in o:
        i = o["I050"]
        if "COM" in i:
            com = (r.nogo, r.rdp_chain_2, r.rdp_reset, r.rdp_overload)
            assert com == tuple(bool(_val(i, "COM", k)) for k in ("NOGO", "RDPC", "RDPR", "OVLRDP"))
            more = (r.transmission_overload, r.monitoring_disconnected, r.time_source_invalid)
            assert more == tuple(bool(_val(i, "COM", k)) for k in ("OVLXMT", "MSC", "TSV"))
            n += 7
        for sub, field, flag in (
            ("PSR", "psr_overload", "PSROVL"),
            ("SSR", "ssr_overload", "SSROVL"),
            ("MDS", "mode_s_overload", "MDSOVLSUR"),
        ):
            if sub in i:
                assert getattr(r, field) == bool(_val(i, sub, flag))
                n += 1
    if "I060" in o:
        i = o["I060"]
        if "COM" in i:
            reductions = (r.reduction_rdp, r.reduction_transmission)
            assert reductions == (_val(i, "COM", "REDRDP"), _val(i, "COM", "REDXMT"))
            n += 2
        for sub, field, key in (
            ("PSR", "reduction_psr", "PSRREDRAD"),
            ("SSR", "reduction_ssr", "SSRREDRAD"),
            ("MDS", "reduction_mode_s", "MDSREDRAD"),
        ):
            if sub in i:
                assert getattr(r, field) == _val(i, sub, key)
                n += 1
    if "I110" in o:
        assert r.data_filter == _val(o, "I110", "TYP")
        n += 1
    if "I120" in o:
        # CROCO's LSB is 180/2^23 rounded to 2.145767e-5: up to 2e-4° apart at ±180°.
        assert _close(r.height_m, _val(o, "I120", "Height"))
        assert _close(r.lat_deg, _val(o, "I120", "LAT"), 2e-4)
        assert _close(r.lon_deg, _val(o, "I120", "Lon"), 2e-4)
        n += 3
    if "I090" in o:
        assert _close(r.collimation_range_nm, _val(o, "I090", "RngErr"))
        assert _close(r.collimation_azimuth_deg, _val(o, "I090", "AziErr"))
        n += 2
    return n


def _compare(data: bytes) -> int:
    ours = _ours(data)
    theirs = asterix.parse(data, verbose=False)
    assert len(ours) == len(theirs), data.hex()
    n = 0
    for r, o in zip(ours, theirs, strict=True):
        assert o["category"] == (48 if isinstance(r, Cat048Record) else 34)
        n += _check_048(r, o) if isinstance(r, Cat048Record) else _check_034(r, o)
    return n


def test_croco_capture_agrees_field_by_field() -> None:
    compared = sum(_compare(payload) for _, payload in croco_datagrams())
    assert compared > 2500


def _extended(rng: random.Random, most: int) -> bytes:
    parts = [rng.randrange(256) & 0xFE for _ in range(rng.randint(1, most))]
    return bytes(p | 1 for p in parts[:-1]) + bytes(parts[-1:])


def _compound(rng: random.Random, sizes: list[int]) -> bytes:
    """A compound item: sizes > 0 fixed, < 0 repetitive of that part size, 0 spare."""
    primary, body = 0, b""
    for bit, size in enumerate(sizes):
        if size and rng.random() < 0.5:
            primary |= 0x80 >> bit
            if size > 0:
                body += rng.randbytes(size)
            else:
                count = rng.randint(0, 2)
                body += bytes((count,)) + rng.randbytes(-size * count)
    return bytes((primary,)) + body


def _random_048(rng: random.Random) -> bytes:
    fixed = {1: 2, 2: 3, 4: 4, 5: 2, 6: 2, 8: 3, 9: 6, 11: 2, 12: 4, 13: 4, 15: 4, 17: 2}
    fixed |= {18: 4, 19: 2, 21: 2, 22: 7, 23: 1, 24: 2, 25: 1, 26: 2}
    items: dict[int, bytes] = {}
    for frn in range(1, 28):
        if rng.random() < 0.5:
            if frn in fixed:
                items[frn] = rng.randbytes(fixed[frn])
            elif frn in (3, 14):  # I048/020, /170: CROCO 1.21 knows two octets
                items[frn] = _extended(rng, 2)
            elif frn == 16:
                items[frn] = _extended(rng, 3)
            elif frn == 7:
                items[frn] = _compound(rng, [1] * 7)
            elif frn == 10:
                count = rng.randint(0, 3)
                items[frn] = bytes((count,)) + rng.randbytes(8 * count)
            elif frn == 20:
                items[frn] = _compound(rng, [2, -6])
            else:  # 27, SP
                items[frn] = (lambda k: bytes((k,)) + rng.randbytes(k - 1))(rng.randint(1, 9))
    return _record(items or {1: b"\x01\x02"})


def _random_034(rng: random.Random) -> bytes:
    fixed = {1: 2, 2: 1, 3: 3, 4: 1, 5: 2, 9: 8, 10: 1, 11: 8, 12: 2}
    items: dict[int, bytes] = {}
    for frn in (*range(1, 13), 14):
        if rng.random() < 0.5:
            if frn in fixed:
                items[frn] = rng.randbytes(fixed[frn])
                if frn == 11:  # I034/120 HGT: CROCO reads it unsigned, see the docstring
                    items[frn] = bytes((items[frn][0] & 0x7F,)) + items[frn][1:]
            elif frn == 6:
                items[frn] = _compound(rng, [1, 0, 0, 1, 1, 2])
            elif frn == 7:
                items[frn] = _compound(rng, [1, 0, 0, 1, 1, 1])
            elif frn == 8:
                count = rng.randint(0, 3)
                items[frn] = bytes((count,)) + rng.randbytes(2 * count)
            else:  # 14, SP
                items[frn] = (lambda k: bytes((k,)) + rng.randbytes(k - 1))(rng.randint(1, 9))
    return _record(items or {1: b"\x01\x02"})


def _record(items: dict[int, bytes]) -> bytes:
    octets = bytearray((max(items) + 6) // 7)
    for frn in items:
        octets[(frn - 1) // 7] |= 0x80 >> ((frn - 1) % 7)
    for i in range(len(octets) - 1):
        octets[i] |= 1
    return bytes(octets) + b"".join(items[k] for k in sorted(items))


def _block(category: int, records: list[bytes]) -> bytes:
    body = b"".join(records)
    return bytes((category,)) + (len(body) + 3).to_bytes(2, "big") + body


@pytest.mark.parametrize("category", [48, 34])
def test_random_records_of_every_item_kind_agree(category: int) -> None:
    rng = random.Random(20251207 + category)
    make = _random_048 if category == 48 else _random_034
    compared = 0
    for _ in range(1500):
        records = [make(rng) for _ in range(rng.randint(1, 4))]
        compared += _compare(_block(category, records))
    assert compared > 20_000


def test_encoded_plots_and_service_messages_agree() -> None:
    rng = random.Random(7)
    plots = [
        Plot048(
            time_of_day_s=rng.uniform(0.0, 86399.0),
            range_m=rng.uniform(0.0, 470_000.0),
            azimuth_deg=rng.uniform(0.0, 360.0),
            mode3a=rng.randrange(4096),
            flight_level=rng.uniform(-10.0, 600.0),
            height_m=rng.uniform(-100.0, 15_000.0),
            address=rng.randrange(1 << 24),
            callsign=rng.choice(["DLH65A", "RYR5XW", "ABCZ 019", "N123"]),
            track_number=rng.randrange(4096),
            groundspeed_mps=rng.uniform(0.0, 300.0),
            heading_deg=rng.uniform(0.0, 360.0),
        )
        for _ in range(300)
    ]
    assert _compare(encode_cat048(plots, 25, 10)) >= 300 * 20
    messages = [
        Service034(
            time_of_day_s=rng.uniform(0.0, 86399.0),
            message_type=rng.randint(1, 7),
            sector_deg=rng.uniform(0.0, 360.0),
            rotation_period_s=rng.uniform(1.0, 12.0),
            nogo=rng.random() < 0.5,
            position=(rng.uniform(-90, 90), rng.uniform(-180, 180), rng.uniform(0, 4000)),
        )
        for _ in range(100)
    ]
    assert _compare(encode_cat034(messages, 25, 10)) >= 100 * 12
