"""Cross-check against pyModeS 3 (junzis/pyModeS, GPL-3.0: imported here only, as an
independent oracle). The same frames are decoded both ways and compared field by field:

* random ME fields of every type code used (not built by our encoder: random bits, so the
  comparison does not share our reading of the layouts), with a valid CRC;
* CPR global and local positions of synthetic traffic, and of a real flight (pyModeS's own
  sample of 406B90, ``corpus/adsb_406B90.csv``) through the AVR adapter against
  ``PipeDecoder``;
* DF4/5/20/21 replies (altitude, squawk, the recovered address) and DF11;
* the NACp and NUCp tables.

Known, deliberate differences (excluded below): TC 20–22 height, which pyModeS 3 reads as an
integer of metres and we read as the 12-bit altitude code (as dump1090 and readsb do); callsigns
with an illegal character, which pyModeS returns with '#' and we reject.
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

import pytest
from pyModeS import PipeDecoder
from pyModeS import _uncertainty as pms_uncertainty
from pyModeS import decode as pms_decode
from pyModeS.position import airborne_position_pair, airborne_position_with_ref

from dronewall.sensors.feed import FeedOutput
from dronewall.sensors.modes import AvrAdapter, ModeSDecoder, ReceiverSettings, accuracy
from dronewall.sensors.modes import me as es
from dronewall.sensors.modes.frame import parse
from tests.sensors.modes.encode import (
    ac12_q,
    extended_squitter,
    me_airborne,
    me_opstatus,
    with_parity,
)

CORPUS = Path(__file__).parent / "corpus"
N_RANDOM = 4000  # random ME fields per type code group


def _frame(rng: random.Random, tc: int, subtype: int | None = None) -> bytes:
    me = rng.getrandbits(51) | tc << 51
    if subtype is not None:
        me = (me & ~(7 << 48)) | subtype << 48
    return extended_squitter(
        rng.getrandbits(24), me, df=rng.choice((17, 18)), code=rng.choice((0, 5))
    )


def _both(msg: bytes) -> tuple[object, dict[str, object]]:
    frame = parse(msg)
    assert not isinstance(frame, str)
    return es.decode_me(frame.me), dict(pms_decode(msg.hex()))


def test_frame_header_fields_agree() -> None:
    rng = random.Random(1)
    for _ in range(N_RANDOM):
        msg = _frame(rng, rng.randrange(32))
        ours, theirs = parse(msg), pms_decode(msg.hex())
        assert not isinstance(ours, str)
        assert theirs["crc_valid"] is True and theirs["df"] == ours.df
        assert theirs["icao"] == f"{ours.address:06X}"
        assert theirs.get("typecode") == ours.me >> 51


def test_identification_agrees() -> None:
    rng = random.Random(2)
    checked = 0
    for _ in range(N_RANDOM):
        ours, theirs = _both(_frame(rng, rng.randint(1, 4)))
        if ours == "callsign":
            assert "#" in str(theirs["callsign"])
            continue
        assert isinstance(ours, es.Identification)
        assert ours.callsign.strip() == theirs["callsign"]
        assert ours.category == "DCBA"[ours.type_code - 1] + str(theirs["category"])
        checked += 1
    # Random 6-bit codes are mostly illegal: also check legal ones built from the charset.
    for _ in range(N_RANDOM):
        chars = 0
        for _ in range(8):
            chars = chars << 6 | rng.choice([*range(1, 27), 32, *range(48, 58)])
        msg = extended_squitter(rng.getrandbits(24), 4 << 51 | rng.randrange(8) << 48 | chars)
        ours, theirs = _both(msg)
        assert isinstance(ours, es.Identification) and ours.callsign.strip() == theirs["callsign"]
        checked += 1
    assert checked > N_RANDOM


def test_airborne_position_fields_agree() -> None:
    rng = random.Random(3)
    for _ in range(N_RANDOM):
        tc = rng.choice([*range(9, 19), 20, 21, 22])
        ours, theirs = _both(_frame(rng, tc))
        assert isinstance(ours, es.AirbornePosition)
        assert (int(ours.odd), ours.lat_cpr, ours.lon_cpr) == (
            theirs["cpr_format"], theirs["cpr_lat"], theirs["cpr_lon"]
        )  # fmt: skip
        if tc <= 18:
            assert ours.alt_ft == theirs["altitude"] and ours.nic_b == theirs["nic_b"]


def test_surface_position_fields_agree() -> None:
    rng = random.Random(4)
    for _ in range(N_RANDOM):
        ours, theirs = _both(_frame(rng, rng.randint(5, 8)))
        assert isinstance(ours, es.SurfacePosition)
        assert ours.speed_kt == theirs["groundspeed"]
        assert ours.track_deg == theirs["track"]
        assert (int(ours.odd), ours.lat_cpr, ours.lon_cpr) == (
            theirs["cpr_format"], theirs["cpr_lat"], theirs["cpr_lon"]
        )  # fmt: skip


def test_velocity_fields_agree() -> None:
    rng = random.Random(5)
    for _ in range(N_RANDOM):
        ours, theirs = _both(_frame(rng, 19, subtype=rng.randint(1, 4)))
        assert isinstance(ours, es.Velocity) and ours.subtype == theirs["subtype"]
        assert ours.vr_fpm == theirs["vertical_rate"]
        assert ("BARO" if ours.vr_baro else "GNSS") == theirs["vr_source"]
        assert ours.geo_minus_baro_ft == theirs["geo_minus_baro"]
        assert ours.nac_v == theirs["nac_v"]
        if ours.subtype <= 2:
            gs = theirs["groundspeed"]
            assert (ours.gs_kt is None) == (gs is None)
            if ours.gs_kt is not None:
                assert int(ours.gs_kt) == gs
                assert ours.track_deg == pytest.approx(theirs["track"], abs=1e-9)
        else:
            assert ours.airspeed_kt == theirs["airspeed"]
            assert ours.heading_deg == theirs["heading"]
            assert ("TAS" if ours.true_airspeed else "IAS") == theirs["airspeed_type"]


def test_status_fields_agree() -> None:
    rng = random.Random(6)
    for _ in range(N_RANDOM):
        ours, theirs = _both(_frame(rng, 31, subtype=rng.randint(0, 1)))
        assert isinstance(ours, es.OperationalStatus) and ours.version == theirs["version"]
        if ours.nacp is not None:
            assert ours.nacp == theirs["nac_p"] and ours.sil == theirs["sil"]
            assert ours.nic_a == theirs["nic_supplement_a"]
            assert ours.nic_baro == theirs.get("nic_baro")
        ours, theirs = _both(_frame(rng, 29, subtype=2))  # ME bits 6–7 = 01: subtype 1
        assert isinstance(ours, es.TargetState) and theirs["subtype"] == 1
        assert (ours.nacp, ours.sil, ours.nic_baro) == (
            theirs["nac_p"],
            theirs["sil"],
            theirs["nic_baro"],
        )
        ours, theirs = _both(_frame(rng, 28, subtype=1))
        assert isinstance(ours, es.AircraftStatus)
        assert (ours.squawk, ours.emergency) == (theirs["squawk"], theirs["emergency_state"])


def test_surveillance_replies_agree() -> None:
    rng = random.Random(7)
    for _ in range(N_RANDOM):
        df = rng.choice((0, 4, 5, 16, 20, 21))
        size = 14 if df >= 16 else 7
        address = rng.getrandbits(24)
        body = bytes([df << 3 | rng.randrange(8)]) + bytes(
            rng.getrandbits(8) for _ in range(size - 4)
        )
        msg = with_parity(body, address)
        ours, theirs = parse(msg), pms_decode(msg.hex())
        assert not isinstance(ours, str) and ours.address == address
        assert theirs["icao"] == f"{address:06X}"
        decoder, out = ModeSDecoder("rx"), FeedOutput()
        decoder.table.touch(address, True, 0.0).verified_seen = 0.0
        decoder.decode(msg, 1.0, out)
        ac = decoder.table.aircraft[address]
        if df in (5, 21):
            assert ac.squawk == theirs["squawk"]
        else:
            expected = theirs.get("altitude")
            assert (ac.baro_ft if math.isfinite(ac.baro_ft) else None) == expected


def test_all_call_agrees() -> None:
    rng = random.Random(8)
    for _ in range(1000):
        address, code = rng.getrandbits(24), rng.randrange(128)
        body = bytes([11 << 3 | 5]) + address.to_bytes(3, "big")
        msg = with_parity(body, code)  # II/SI code in the low bits of the parity
        ours = parse(msg)
        assert not isinstance(ours, str) and pms_decode(msg.hex())["icao"] == f"{ours.address:06X}"


def test_global_and_local_positions_agree_on_synthetic_traffic() -> None:
    rng = random.Random(9)
    for _ in range(1500):
        lat, lon = rng.uniform(-80, 80), rng.uniform(-180, 180)
        address, alt = rng.getrandbits(24), rng.randrange(-1000, 45000, 25)
        even = extended_squitter(address, me_airborne(lat, lon, False, ac12_q(alt)))
        odd = extended_squitter(address, me_airborne(lat, lon, True, ac12_q(alt)))
        decoder, out = ModeSDecoder("rx"), FeedOutput()
        decoder.decode(even, 100.0, out)
        decoder.decode(odd, 101.0, out)
        theirs = pms_decode([even.hex(), odd.hex()], timestamps=[100.0, 101.0])
        pair = airborne_position_pair(
            theirs[0]["cpr_lat"], theirs[0]["cpr_lon"], theirs[1]["cpr_lat"], theirs[1]["cpr_lon"],
            even_is_newer=False,
        )  # fmt: skip
        if pair is None:
            assert not out.reports
            continue
        (report,) = out.reports
        assert (report.lat_deg, report.lon_deg) == pytest.approx(pair, abs=1e-9)
        assert report.alt_m == pytest.approx(alt * 0.3048)
        # Local decoding of a single frame against a receiver 100 km away.
        ref_lat, ref_lon = lat + rng.uniform(-0.6, 0.6), lon + rng.uniform(-0.6, 0.6)
        settings = ReceiverSettings(lat_deg=ref_lat, lon_deg=ref_lon, max_range_m=300_000)
        decoder, out = ModeSDecoder("rx", settings), FeedOutput()
        decoder.decode(even, 100.0, out)
        (report,) = out.reports
        local = pms_decode(even.hex(), reference=(ref_lat, ref_lon))
        assert (report.lat_deg, report.lon_deg) == pytest.approx(
            (local["latitude"], local["longitude"]), abs=1e-9
        )


def test_real_flight_through_avr_agrees_with_pipedecoder() -> None:
    rows = list(csv.reader((CORPUS / "adsb_406B90.csv").read_text().splitlines()))
    adapter = AvrAdapter("rx", ReceiverSettings(timestamp="none"))
    pipe = PipeDecoder()
    compared = 0
    for when, msg, _icao, _tc in rows:
        t = float(when)
        before = len(adapter.output.reports)
        adapter.receive(f"*{msg};\n".encode(), t)
        theirs = pipe.decode(msg, timestamp=t)
        if len(adapter.output.reports) > before and theirs.get("latitude") is not None:
            report = adapter.output.reports[-1]
            assert (report.lat_deg, report.lon_deg) == pytest.approx(
                (theirs["latitude"], theirs["longitude"]), abs=1e-6
            )
            # Pressure altitude agrees; the report adds the aircraft's GNSS-minus-baro.
            ac = adapter.decoder.table.aircraft[0x406B90]
            assert ac.baro_ft == theirs["altitude"]
            assert report.alt_m == pytest.approx((ac.baro_ft + ac.geo_minus_baro_ft) * 0.3048)
            compared += 1
    out = adapter.output
    assert out.messages == len(rows) and not out.rejects
    assert compared > 100
    assert out.identities[0].callsign == "EZY85MH"
    # Every position report carries the aircraft's latest velocity.
    assert all(not math.isnan(r.speed_mps) for r in out.reports[5:])


def test_local_positions_of_the_real_flight_agree() -> None:
    rows = list(csv.reader((CORPUS / "adsb_406B90.csv").read_text().splitlines()))
    decoder, out = ModeSDecoder("rx"), FeedOutput()
    last: tuple[float, float] | None = None
    for when, msg, _icao, tc in rows:
        if tc != "11":
            continue
        count = len(out.reports)
        decoder.decode(bytes.fromhex(msg), float(when), out)
        if last is not None and len(out.reports) > count:
            fields = pms_decode(msg)
            local = airborne_position_with_ref(
                fields["cpr_format"], fields["cpr_lat"], fields["cpr_lon"], *last
            )
            assert (out.reports[-1].lat_deg, out.reports[-1].lon_deg) == pytest.approx(
                local, abs=1e-6
            )
        if len(out.reports) > count:
            last = (out.reports[-1].lat_deg, out.reports[-1].lon_deg)
    assert len(out.reports) > 100


def test_accuracy_tables_agree() -> None:
    for nacp, entry in pms_uncertainty.NACp.items():
        epu = entry["EPU"]
        if epu is not None:
            assert accuracy.EPU_M[nacp] == pytest.approx(epu, rel=0.01)
    for nucp, row in pms_uncertainty.NUCp.items():
        if row["RCu"] is not None:
            assert accuracy.NUCP_95_M[nucp] == pytest.approx(row["RCu"], rel=0.01)
    theirs = {k: v for k, v in pms_uncertainty.TC_NUCp_lookup.items() if k}
    assert theirs == accuracy.NUCP_OF_TYPE


def test_nacp_from_status_gives_the_reports_sigma() -> None:
    # TC 31 version 2 with NACp 10 (EPU < 10 m) then a position pair: σ = 10 / 2.448 ⊕ 1.5 m.
    address = 0x3C6586
    decoder, out = ModeSDecoder("rx"), FeedOutput()
    decoder.decode(extended_squitter(address, me_opstatus(2, 10)), 99.0, out)
    decoder.decode(
        extended_squitter(address, me_airborne(48.1, 11.5, False, ac12_q(3000))), 100.0, out
    )
    decoder.decode(
        extended_squitter(address, me_airborne(48.1, 11.5, True, ac12_q(3000))), 100.5, out
    )
    (report,) = out.reports
    assert report.sigma_horizontal_m == pytest.approx(math.hypot(10 / 2.4477, 1.5), abs=1e-3)
    assert pms_decode(extended_squitter(address, me_opstatus(2, 10)).hex())["nac_p"] == 10
