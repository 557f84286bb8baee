"""Golden corpus: published ASTERIX examples decoded to the values their publishers list.

Sources (the blocks are in ``corpus/published.hex`` and ``corpus/croco_cat_034_048.hex``):

* CROCO ASTERIX decoder (Croatia Control Ltd., github.com/CroatiaControlLtd/asterix): sample
  files ``cat048.raw``, ``cat034.raw`` and ``cat_034_048.pcap``; the expected values of
  ``cat048.raw`` are those of its ``asterix/test/test_parse.py`` (``test_ParseCAT048``).
* jASTERIX (github.com/hpuhr/jASTERIX): ``src/test/test_cat048_1.15.cpp``,
  ``test_cat048_1.23.cpp`` (with the REF extended range item) and ``test_cat034_1.26.cpp``.
* Wireshark's ASTERIX dissector tests (``test/suite_dissectors/group_asterix.py``,
  ``TestCategory048`` and ``TestCategory034``): one item per record at its limits.
"""

from __future__ import annotations

import math

import pytest

from dronewall.sensors.asterix import (
    AsterixAdapter,
    Cat034Record,
    Cat048Record,
    RadarSettings,
    decode_cat034_record,
    decode_cat048_record,
)
from tests.sensors.asterix.corpus_files import croco_datagrams, published

BLOCKS = published()


def _cat048(name: str) -> Cat048Record:
    data = BLOCKS[name]
    assert data[0] == 48
    record, end = decode_cat048_record(data, 3, len(data))
    assert end == len(data), f"{name}: record ends at {end} of {len(data)}"
    return record


def _cat034(name: str) -> Cat034Record:
    data = BLOCKS[name]
    assert data[0] == 34
    record, end = decode_cat034_record(data, 3, len(data))
    assert end == len(data), f"{name}: record ends at {end} of {len(data)}"
    return record


def test_croco_cat048_sample_matches_test_parse() -> None:
    r = _cat048("croco_cat048")
    assert (r.sac, r.sic) == (25, 201)
    assert r.time_of_day_s == 27354.6015625
    assert (r.typ, r.simulated, r.rdp_chain_2, r.spi, r.field_monitor) == (
        5,
        False,
        False,
        False,
        False,
    )
    assert r.rho_nm == 197.68359375
    assert r.theta_deg == 340.13671875
    assert f"{r.mode3a:04o}" == "1000"
    assert not (r.mode3a_not_validated or r.mode3a_garbled or r.mode3a_smoothed)
    assert r.flight_level == 330.0
    assert f"{r.address:06X}" == "3C660C"
    assert r.callsign == "DLH65A"  # "DLH65A  " with the padding removed
    assert r.bds_count == 1
    assert r.track_number == 3563
    assert r.groundspeed_nm_s is not None
    assert r.groundspeed_nm_s * 3600.0 == pytest.approx(434.3994140625)  # CGS, knots
    assert r.heading_deg == 124.002685546875
    assert (r.track_tentative, r.track_sensor, r.track_ended, r.track_ghost) == (
        False,
        2,
        False,
        False,
    )
    assert (r.communications, r.flight_status) == (1, 0)


def test_croco_cat034_sample() -> None:
    r = _cat034("croco_cat034")
    assert (r.sac, r.sic, r.message_type) == (25, 14, 2)
    assert r.time_of_day_s == 29906.3359375
    assert r.sector_deg == 90.0
    assert r.has_status and r.rdp_chain_2 and not r.nogo
    assert (r.reduction_rdp, r.reduction_transmission) == (0, 0)


@pytest.mark.parametrize("name", ["jasterix_cat048_ed115", "jasterix_cat048_ed123"])
def test_jasterix_cat048(name: str) -> None:
    r = _cat048(name)
    assert (r.sac, r.sic) == (0, 1)
    assert r.time_of_day_s == pytest.approx(33499.835938, abs=1e-6)  # 09:18:19.836 UTC
    assert (r.typ, r.simulated, r.rdp_chain_2, r.spi, r.field_monitor) == (
        5,
        False,
        True,
        False,
        False,
    )
    assert r.theta_deg == pytest.approx(89.670, abs=1e-3)
    assert f"{r.mode3a:04o}" == "0470" and r.mode3a_smoothed and not r.mode3a_not_validated
    assert r.flight_level == 370.0
    assert r.address == 11226301
    assert r.callsign == "RYR5XW"
    assert r.bds_count == 3
    assert r.track_number == 919
    assert r.groundspeed_nm_s is not None
    assert r.groundspeed_nm_s * 3600.0 == pytest.approx(463.184, abs=1e-3)
    assert r.heading_deg == pytest.approx(32.607, abs=1e-3)
    assert (r.track_tentative, r.track_sensor) == (False, 2)
    assert (r.communications, r.flight_status) == (1, 0)
    if name.endswith("115"):
        assert r.rho_nm == pytest.approx(73.922, abs=1e-3)
        assert not r.extended_range and r.extended_rho_nm is None
    else:
        assert r.rho_nm == 255.99609375
        assert r.extended_range and r.military_identification and not r.test_target
        assert r.extended_rho_nm == 257.0  # REF ERR


def test_jasterix_cat034() -> None:
    r = _cat034("jasterix_cat034_ed126")
    assert (r.sac, r.sic, r.message_type) == (0, 2, 2)
    assert r.time_of_day_s == pytest.approx(33499.84375)
    assert r.sector_deg == 90.0
    assert r.has_status and r.rdp_chain_2 and not r.nogo and not r.rdp_reset
    assert not (r.psr_overload or r.mode_s_overload)
    assert r.reduction_rdp == r.reduction_psr == r.reduction_mode_s == 0


WIRESHARK_048: dict[str, dict[str, object]] = {
    "ws048_010_sac": {"sac": 255, "sic": 0},
    "ws048_010_sic": {"sac": 0, "sic": 255},
    "ws048_140_max": {"time_of_day_s": 86399.9921875},
    "ws048_020_typ7": {"typ": 7, "rdp_chain_2": False},
    "ws048_020_rdp": {"typ": 0, "rdp_chain_2": True},
    "ws048_020_spi": {"spi": True},
    "ws048_020_rab": {"field_monitor": True},
    "ws048_020_tst": {"test_target": True, "extended_range": False},
    "ws048_020_err": {"extended_range": True, "test_target": False},
    "ws048_020_me": {"military_emergency": True},
    "ws048_020_mi": {"military_identification": True},
    "ws048_020_foefri3": {"foe_fri": 3},
    "ws048_040_rho_max": {"rho_nm": 255.99609375, "theta_deg": 0.0},
    "ws048_040_theta_max": {"rho_nm": 0.0, "theta_deg": 359.994506835938},
    "ws048_070_v": {"mode3a_not_validated": True, "mode3a": 0},
    "ws048_070_g": {"mode3a_garbled": True},
    "ws048_070_l": {"mode3a_smoothed": True},
    "ws048_070_7000": {"mode3a": 0o7000},
    "ws048_070_0700": {"mode3a": 0o700},
    "ws048_070_0070": {"mode3a": 0o70},
    "ws048_070_0007": {"mode3a": 0o7},
    "ws048_090_v": {"flight_level_not_validated": True, "flight_level": 0.0},
    "ws048_090_g": {"flight_level_garbled": True},
    "ws048_090_fl_max": {"flight_level": 2047.75},
    "ws048_130_srl": {},
    "ws048_130_sam_min": {},
    "ws048_130_apd_min": {},
    "ws048_220_max": {"address": 0xFFFFFF},
    "ws048_240_abcz019": {"callsign": "ABCZ 019"},
    "ws048_250_one": {"bds_count": 1},
    "ws048_161_max": {"track_number": 4095},
    "ws048_042_x_max": {"x_nm": 255.9921875, "y_nm": 0.0},
    "ws048_042_x_min": {"x_nm": -256.0},
    "ws048_042_y_max": {"y_nm": 255.9921875},
    "ws048_042_y_min": {"y_nm": -256.0},
    "ws048_200_gsp_max": {"groundspeed_nm_s": 3.99993896484375, "heading_deg": 0.0},
    "ws048_200_hdg_max": {"heading_deg": 359.994506835938},
    "ws048_170_cnf": {"track_tentative": True, "track_sensor": 0},
    "ws048_170_rad3": {"track_sensor": 3},
    "ws048_170_tre": {"track_ended": True, "track_ghost": False},
    "ws048_170_gho": {"track_ghost": True, "track_ended": False},
    "ws048_210_sigh": {},
    "ws048_030_23": {},
    "ws048_080_qd1": {},
    "ws048_110_max": {"height_3d_ft": 204775.0},
    "ws048_110_min": {"height_3d_ft": -204800.0},
    "ws048_120_cal": {},
    "ws048_120_rds3": {},
    "ws048_230_com7": {"communications": 7, "flight_status": 0},
    "ws048_230_stat7": {"communications": 0, "flight_status": 7},
    "ws048_260": {},
    "ws048_055_mode1": {},
    "ws048_050_mode2": {},
    "ws048_065_qb1": {},
    "ws048_060_qd1": {},
    "ws048_sp_1": {},
    "ws048_sp_16": {},
}

WIRESHARK_034: dict[str, dict[str, object]] = {
    "ws034_010_sac": {"sac": 255, "sic": 0},
    "ws034_000_4": {"message_type": 4},
    "ws034_030_max": {"time_of_day_s": 86399.9921875},
    "ws034_020_max": {"sector_deg": 358.59375},
    "ws034_041_max": {"rotation_period_s": 511.9921875},
    "ws034_050_nogo": {"has_status": True, "nogo": True, "time_source_invalid": False},
    "ws034_050_tsv": {"has_status": True, "nogo": False, "time_source_invalid": True},
    "ws034_050_psr_ovl": {"psr_overload": True, "has_status": False},
    "ws034_050_ssr_ovl": {"ssr_overload": True, "psr_overload": False},
    "ws034_050_mds_ovlsur": {"mode_s_overload": True},
    "ws034_050_mds_ovldlf": {"mode_s_overload": False},
    "ws034_060_redrdp7": {"reduction_rdp": 7, "reduction_transmission": 0},
    "ws034_060_redxmt7": {"reduction_rdp": 0, "reduction_transmission": 7},
    "ws034_060_psr_redrad7": {"reduction_psr": 7},
    "ws034_060_ssr_redrad7": {"reduction_ssr": 7},
    "ws034_060_mds_redrad7": {"reduction_mode_s": 7},
    "ws034_070_three": {},
    "ws034_100_rhost": {},
    "ws034_110_9": {"data_filter": 9},
    "ws034_120_hgt_max": {"height_m": 32767.0, "lat_deg": 0.0, "lon_deg": 0.0},
    "ws034_120_lat_90": {"lat_deg": 90.0},
    "ws034_120_lat_m90": {"lat_deg": -90.0},
    "ws034_120_lon_max": {"lon_deg": 179.999978542328},
    "ws034_120_lon_m180": {"lon_deg": -180.0},
}


def _check(record: object, expected: dict[str, object]) -> None:
    for field, value in expected.items():
        got = getattr(record, field)
        if isinstance(value, float):
            assert isinstance(got, float) and math.isclose(got, value, abs_tol=1e-9), field
        else:
            assert got == value, field


@pytest.mark.parametrize("name", sorted(WIRESHARK_048))
def test_wireshark_cat048_items(name: str) -> None:
    _check(_cat048(name), WIRESHARK_048[name])


@pytest.mark.parametrize("name", sorted(WIRESHARK_034))
def test_wireshark_cat034_items(name: str) -> None:
    _check(_cat034(name), WIRESHARK_034[name])


def test_every_published_block_is_named_in_a_test() -> None:
    named = set(WIRESHARK_048) | set(WIRESHARK_034)
    others = {n for n in BLOCKS if not n.startswith("ws")}
    assert set(BLOCKS) == named | others
    assert len(others) == 5


def test_croco_capture_through_the_adapter() -> None:
    adapter = AsterixAdapter({}, default=RadarSettings(45.0, 16.0, 100.0))
    datagrams = croco_datagrams()
    assert len(datagrams) == 100
    for t, payload in datagrams:
        adapter.receive(payload, t)
    out = adapter.output
    assert not out.rejects
    assert out.messages == 162  # 128 CAT048 records (two with no detection) + 34 CAT034
    assert len(out.reports) == 126 and adapter.skipped == {"no_detection": 2}
    assert {r.sensor for r in out.reports} >= {"25/201", "25/13"}
    first = out.reports[0]
    assert (first.sensor, first.identity) == ("25/201", "3C660C")
    # 07:35:54.6 UTC on 2016-05-05, the capture's day (its clock says 07:35:56.5).
    assert first.t_measured == pytest.approx(1462433754.6015625)
    assert first.range_m == pytest.approx(197.68359375 * 1852.0)
    assert first.azimuth_deg == 340.13671875
    assert first.speed_mps == pytest.approx(434.3994140625 * 1852.0 / 3600.0)
    assert any(i.callsign == "DLH65A" and i.identity == "3C660C" for i in out.identities)
    assert any(s.detail.startswith("north marker") for s in out.statuses)
    assert all(0.0 <= t_ - 1462433754.0 < 5.0 for t_ in (r.t_measured for r in out.reports))
