"""The encoder: what it writes decodes to what it was given (to the items' LSBs), its blocks
are framed right, and values an item cannot hold are refused."""

from __future__ import annotations

import random

import pytest

from dronewall.sensors.asterix import (
    Plot048,
    Service034,
    decode_datagram,
    encode_cat034,
    encode_cat048,
    encode_cat048_datagrams,
    north_marker,
)
from dronewall.sensors.asterix.cat048 import Cat048Record
from dronewall.sensors.asterix.encode import fspec
from dronewall.sensors.asterix.fields import icao_pack, icao_string
from dronewall.sensors.asterix.plots import FT_M, NM_M


def _records(data: bytes) -> list[object]:
    out: list[object] = []
    for block in decode_datagram(data):
        assert not isinstance(block, Exception)
        assert block[2] is None
        out += block[1]
    return out


def test_plots_round_trip_to_their_lsb() -> None:
    rng = random.Random(2)
    plots = [
        Plot048(
            time_of_day_s=rng.uniform(0.0, 86_399.99),
            range_m=rng.uniform(0.0, 255.99 * NM_M),
            azimuth_deg=rng.uniform(0.0, 360.0),
            mode3a=rng.randrange(4096),
            flight_level=rng.uniform(-12.0, 1500.0),
            height_m=rng.uniform(-500.0, 20_000.0),
            address=rng.randrange(1 << 24),
            callsign=rng.choice(["KLM1023", "A", "", "ZZ99ZZ99"]),
            track_number=rng.randrange(4096),
            groundspeed_mps=rng.uniform(0.0, 900.0),
            heading_deg=rng.uniform(0.0, 360.0),
        )
        for _ in range(1500)  # 34 octets each: one block holds them
    ]
    records = _records(encode_cat048(plots, 7, 200))
    assert len(records) == len(plots)
    for p, r in zip(plots, records, strict=True):
        assert isinstance(r, Cat048Record)
        assert (r.sac, r.sic, r.typ) == (7, 200, 5)
        assert r.time_of_day_s == pytest.approx(p.time_of_day_s, abs=1 / 256)
        assert r.rho_nm is not None and r.theta_deg is not None
        assert r.rho_nm * NM_M == pytest.approx(p.range_m, abs=NM_M / 512)
        assert abs((r.theta_deg - p.azimuth_deg + 180.0) % 360.0 - 180.0) <= 360.0 / 2**17
        assert r.mode3a == p.mode3a and r.address == p.address and r.track_number == p.track_number
        assert r.flight_level == pytest.approx(p.flight_level, abs=0.125)
        assert r.height_3d_ft is not None and p.height_m is not None
        assert r.height_3d_ft * FT_M == pytest.approx(p.height_m, abs=12.5 * FT_M)
        assert r.callsign == p.callsign
        assert r.groundspeed_nm_s is not None and p.groundspeed_mps is not None
        assert r.groundspeed_nm_s * NM_M == pytest.approx(p.groundspeed_mps, abs=NM_M / 2**15)


def test_minimal_plot_has_the_mandatory_items_only() -> None:
    data = encode_cat048([Plot048(100.0, 1852.0, 90.0)], 1, 2)
    assert data.hex() == "30000ef0" + "0102" + "003200" + "20" + "01004000"
    [r] = _records(data)
    assert isinstance(r, Cat048Record) and r.typ == 1 and r.rho_nm == 1.0 and r.theta_deg == 90.0


def test_typ_follows_what_the_plot_carries() -> None:
    records = _records(
        encode_cat048(
            [
                Plot048(1.0, 1000.0, 0.0),
                Plot048(1.0, 1000.0, 0.0, mode3a=0o7000),
                Plot048(1.0, 1000.0, 0.0, address=1),
                Plot048(1.0, 1000.0, 0.0, typ=0, simulated=True),
            ],
            1,
            1,
        )
    )
    typs = [(r.typ, r.simulated) for r in records if isinstance(r, Cat048Record)]
    assert typs == [(1, False), (2, False), (5, False), (0, True)]


def test_service_messages_round_trip() -> None:
    messages = [
        north_marker(86_000.0, rotation_period_s=4.8, position=(45.5, -73.25, 120.0)),
        Service034(86_000.5, 2, sector_deg=180.0, nogo=True),
    ]
    first, second = _records(encode_cat034(messages, 25, 10))
    assert first.message_type == 1 and first.rotation_period_s == pytest.approx(4.8, abs=1 / 256)  # type: ignore[attr-defined]
    assert (first.lat_deg, first.lon_deg, first.height_m) == pytest.approx(
        (45.5, -73.25, 120.0), abs=1e-5
    )  # type: ignore[attr-defined]
    assert first.has_status and not first.nogo  # type: ignore[attr-defined]
    assert second.sector_deg == 180.0 and second.nogo  # type: ignore[attr-defined]


def test_datagrams_stay_under_the_size_limit() -> None:
    plots = [Plot048(1.0, 1000.0 + i, 0.0, address=i, callsign="TEST") for i in range(500)]
    datagrams = encode_cat048_datagrams(plots, 25, 10, max_bytes=600)
    assert all(len(d) <= 600 for d in datagrams) and len(datagrams) > 10
    assert sum(len(_records(d)) for d in datagrams) == 500


@pytest.mark.parametrize(
    "plot",
    [
        Plot048(86_400.0, 1000.0, 0.0),
        Plot048(1.0, 256.0 * NM_M, 0.0),
        Plot048(1.0, -5.0, 0.0),
        Plot048(1.0, 1000.0, 0.0, flight_level=2048.0),
        Plot048(1.0, 1000.0, 0.0, callsign="lower-case-bad#"),
    ],
)
def test_values_the_items_cannot_hold_are_refused(plot: Plot048) -> None:
    with pytest.raises(ValueError):
        encode_cat048([plot], 1, 1)


def test_fspec_and_icao_characters() -> None:
    assert fspec([1]) == b"\x80"
    assert fspec([7, 8]) == b"\x03\x80"
    assert fspec([28]) == b"\x01\x01\x01\x02"
    assert icao_string(icao_pack("ABCZ 019")) == "ABCZ 019"
    assert icao_pack("abc") == icao_pack("ABC")
    assert icao_string(bytes(6)) == "????????"  # code 0 is not a character
