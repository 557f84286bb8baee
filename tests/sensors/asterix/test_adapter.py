"""The ASTERIX adapter: what a plot, a service message and each kind of bad input become."""

from __future__ import annotations

import dataclasses
import math
import random

import pytest

from dronewall.core.types import MeasurementKind, SensorKind
from dronewall.sensors.asterix import (
    AsterixAdapter,
    Plot048,
    RadarSettings,
    Service034,
    encode_cat034,
    encode_cat048,
    north_marker,
    parse_sensor_key,
)
from dronewall.sensors.asterix.encode import block, encode_cat048_record
from dronewall.sensors.asterix.geometry import elevation_deg
from dronewall.sensors.asterix.plots import FL_M, FT_M, NM_M
from tests.sensors.asterix.corpus_files import croco_datagrams, published

NOON = 1_765_065_600.0 + 43_200.0  # 2025-12-07 12:00:00 UTC
RADAR = RadarSettings(
    52.0,
    21.0,
    150.0,
    name="Warsaw PSR",
    nation="PL",
    max_range_m=250_000.0,
    sigma_range_m=40.0,
    sigma_azimuth_deg=0.08,
    geoid_undulation_m=33.0,
)


def _adapter(**kwargs: object) -> AsterixAdapter:
    return AsterixAdapter({"25/10": RADAR}, **kwargs)  # type: ignore[arg-type]


def _one(plot: Plot048, sac: int = 25, sic: int = 10) -> AsterixAdapter:
    adapter = _adapter()
    adapter.receive(encode_cat048([plot], sac, sic), NOON + 1.0)
    return adapter


def test_plot_with_flight_level_becomes_a_radar_report() -> None:
    plot = Plot048(
        43_200.5,
        range_m=40_000.0,
        azimuth_deg=123.4,
        flight_level=100.0,
        address=0x48AC01,
        callsign="LOT3PL",
        groundspeed_mps=120.0,
        heading_deg=270.0,
    )
    out = _one(plot).output
    assert out.messages == 1 and not out.rejects
    [r] = out.reports
    assert (r.sensor, r.sensor_kind, r.measurement) == (
        "25/10",
        SensorKind.RADAR,
        MeasurementKind.RADAR,
    )
    assert r.t_measured == NOON + 0.5
    assert r.range_m == pytest.approx(40_000.0, abs=NM_M / 512)
    assert r.azimuth_deg == pytest.approx(123.4, abs=0.003)
    expected = elevation_deg(r.range_m, 150.0, 100 * 100 * FT_M + 33.0)
    assert r.elevation_deg == pytest.approx(expected)
    assert 3.5 < r.elevation_deg < 4.5  # 2.9 km above the antenna at 40 km
    assert r.sigma_elevation_deg == pytest.approx(math.degrees(150.0 / 40_000.0), rel=0.01)
    assert (r.sigma_range_m, r.sigma_azimuth_deg) == (40.0, 0.08)
    assert r.speed_mps == pytest.approx(120.0, abs=0.2) and r.course_deg == pytest.approx(270.0)
    assert r.identity == "48AC01"
    assert [(i.identity, i.callsign) for i in out.identities] == [("48AC01", "LOT3PL")]
    assert out.sensors[0].key == "25/10" and out.sensors[0].name == "Warsaw PSR"
    assert math.isnan(r.lat_deg)


def test_plot_without_height_uses_the_assumed_height_and_its_wide_sigma() -> None:
    [r] = _one(Plot048(43_200.0, 8_000.0, 10.0)).output.reports
    assert r.elevation_deg == pytest.approx(elevation_deg(r.range_m, 150.0, 450.0))
    assert r.sigma_elevation_deg == RADAR.sigma_elevation_assumed_deg
    assert r.identity == "" and math.isnan(r.speed_mps)


def test_3d_height_wins_over_flight_level_and_garbled_levels_are_ignored() -> None:
    [r] = _one(Plot048(43_200.0, 30_000.0, 0.0, flight_level=50.0, height_m=2000.0)).output.reports
    height = round(2000.0 / FT_M / 25.0) * 25.0 * FT_M  # I048/110 LSB: 25 ft
    assert r.elevation_deg == pytest.approx(elevation_deg(r.range_m, 150.0, height + 33.0))
    record = bytearray(
        encode_cat048_record(Plot048(43_200.0, 30_000.0, 0.0, flight_level=50.0), 25, 10)
    )
    record[-2] |= 0x40  # I048/090 G: garbled (the last item of this record)
    adapter = _adapter()
    adapter.receive(block(48, [bytes(record)]), NOON)
    assert adapter.output.reports[0].sigma_elevation_deg == RADAR.sigma_elevation_assumed_deg


def test_flight_level_can_be_switched_off() -> None:
    radar = RadarSettings(52.0, 21.0, 150.0, use_flight_level=False)
    adapter = AsterixAdapter({"25/10": radar})
    adapter.receive(
        encode_cat048([Plot048(43_200.0, 30_000.0, 0.0, flight_level=50.0)], 25, 10), NOON
    )
    assert adapter.output.reports[0].sigma_elevation_deg == radar.sigma_elevation_assumed_deg


def test_callsign_is_repeated_only_when_it_changes_or_a_minute_passed() -> None:
    adapter = _adapter()
    for i, callsign in enumerate(["AFR1", "AFR1", "AFR1", "AFR2"]):
        plot = Plot048(43_200.0 + 30.0 * i, 9_000.0, 0.0, address=0x39AB00, callsign=callsign)
        adapter.receive(encode_cat048([plot], 25, 10), NOON + 30.0 * i)
    seen = [(i.callsign, i.t - NOON) for i in adapter.output.identities]
    assert seen == [("AFR1", 0.0), ("AFR1", 60.0), ("AFR2", 90.0)]


@pytest.mark.parametrize(
    ("plot", "reason"),
    [
        (Plot048(43_200.0, 9_000.0, 0.0, typ=0), "no_detection"),
        (Plot048(43_200.0, 9_000.0, 0.0, simulated=True), "test_target"),
    ],
)
def test_records_that_are_not_plots_are_accepted_and_skipped(plot: Plot048, reason: str) -> None:
    adapter = _one(plot)
    assert adapter.output.messages == 1 and not adapter.output.reports
    assert adapter.skipped == {reason: 1}


def test_test_targets_field_monitors_and_records_without_position_are_skipped() -> None:
    adapter = _adapter()
    tst = b"\xf0\x19\x0a" + (43_200 * 128).to_bytes(3, "big") + b"\x21\x80" + b"\x10\x00\x10\x00"
    rab = b"\xf0\x19\x0a" + (43_200 * 128).to_bytes(3, "big") + b"\x22" + b"\x10\x00\x10\x00"
    no_position = b"\xc0\x19\x0a" + (43_200 * 128).to_bytes(3, "big")
    adapter.receive(block(48, [tst, rab, no_position]), NOON)
    assert adapter.output.messages == 3 and not adapter.output.reports
    assert adapter.skipped == {"test_target": 2, "no_position": 1}


def test_extended_range_from_the_ref_and_without_it() -> None:
    ed123 = published()["jasterix_cat048_ed123"]
    adapter = AsterixAdapter({"0/1": RADAR})
    adapter.receive(ed123, NOON - 43_200.0 + 33_500.0)
    [r] = adapter.output.reports
    assert r.range_m == 257.0 * NM_M
    without_re = bytearray(ed123[:-5])
    without_re[1:3] = len(without_re).to_bytes(2, "big")
    without_re[6] &= 0xFD  # clear the RE presence bit of the fourth FSPEC octet
    adapter.receive(bytes(without_re), NOON)
    assert adapter.skipped == {"extended_range": 1}


def test_unknown_sensor_rejected_unless_a_default_is_configured() -> None:
    plot = Plot048(43_200.0, 9_000.0, 0.0)
    strict = _one(plot, sac=25, sic=11)
    assert strict.output.rejects == {"unknown_sensor": 1} and strict.output.messages == 0
    lenient = AsterixAdapter({}, default=RADAR)
    lenient.receive(encode_cat048([plot], 25, 11), NOON)
    assert lenient.output.reports[0].sensor == "25/11"


def test_a_defaulted_radar_has_no_position_until_cat034_gives_one() -> None:
    adapter = AsterixAdapter({}, default=RADAR)
    plot = Plot048(43_200.0, 30_000.0, 0.0, flight_level=100.0)
    adapter.receive(encode_cat048([plot], 25, 77), NOON)
    [announced] = adapter.output.sensors
    assert announced.key == "25/77" and math.isnan(announced.lat_deg)
    first = adapter.output.reports[0].elevation_deg
    marker = north_marker(43_201.0, 4.0, position=(50.0, 19.0, 1150.0))
    adapter.receive(encode_cat034([marker], 25, 77), NOON + 1.0)
    adapter.receive(encode_cat048([plot], 25, 77), NOON + 2.0)
    assert adapter.output.sensors[1].lat_deg == pytest.approx(50.0, abs=1e-4)
    second = adapter.output.reports[1].elevation_deg
    height = 100 * FL_M + RADAR.geoid_undulation_m
    assert second == pytest.approx(elevation_deg(30_000.0, 1150.0, height), abs=1e-3)
    assert first - second == pytest.approx(math.degrees(1000.0 / 30_000.0), rel=0.05)


def test_a_callsign_with_undefined_characters_gives_no_identity() -> None:
    record = bytearray(
        encode_cat048_record(Plot048(43_200.0, 9_000.0, 0.0, address=1, callsign="AB"), 25, 10)
    )
    record[-6:] = bytes(6)  # I048/240, the last item: code 0 is no character
    adapter = _adapter()
    adapter.receive(block(48, [bytes(record)]), NOON)
    assert adapter.output.reports[0].identity == "000001"
    assert not adapter.output.identities


def test_record_without_source_and_time_beyond_a_day_are_rejected() -> None:
    adapter = _adapter()
    no_source = b"\x30" + b"\x20\x10\x00\x10\x00"  # I048/020 and /040 only
    late = b"\xc0\x19\x0a" + (86_400 * 128 + 5).to_bytes(3, "big")
    adapter.receive(block(48, [no_source, late]), NOON)
    assert adapter.output.rejects == {"no_source": 1, "time": 1}
    assert adapter.output.messages == 0


def test_bad_blocks_cost_only_themselves() -> None:
    good = encode_cat048([Plot048(43_200.0, 9_000.0, float(i)) for i in range(3)], 25, 10)
    cat062 = bytes((62, 0, 8, 0x80, 1, 2, 3, 4))
    truncated_record = block(
        48, [encode_cat048_record(Plot048(43_200.0, 9_000.0, 0.0), 25, 10)[:-2]]
    )
    empty = bytes((48, 0, 3))
    adapter = _adapter()
    adapter.receive(good + cat062 + truncated_record + empty + good + b"\x30\x00", NOON)
    out = adapter.output
    assert len(out.reports) == 6
    assert out.rejects == {"category": 1, "truncated": 2, "empty": 1}


def test_a_bad_len_ends_the_datagram() -> None:
    good = encode_cat048([Plot048(43_200.0, 9_000.0, 0.0)], 25, 10)
    adapter = _adapter()
    adapter.receive(good + b"\x30\x00\x02" + good, NOON)
    adapter.receive(good[:-1], NOON)  # LEN one longer than the datagram
    assert len(adapter.output.reports) == 1 and adapter.output.rejects == {"length": 2}


def test_service_messages_give_statuses_and_the_radar_position() -> None:
    adapter = _adapter()
    position = (52.25, 21.0, 180.0)
    messages = [
        north_marker(43_200.0, rotation_period_s=4.0, position=position),
        Service034(43_201.0, 2, sector_deg=90.0, nogo=False),
        Service034(43_202.0, 2, sector_deg=180.0, nogo=False),
        Service034(43_203.0, 2, sector_deg=270.0, nogo=True),
        north_marker(43_204.0, rotation_period_s=4.0, position=position),
        Service034(43_205.0, 4, sector_deg=45.0),
    ]
    adapter.receive(encode_cat034(messages, 25, 10), NOON)
    out = adapter.output
    assert out.messages == 6
    details = [(s.ok, s.detail, s.t - NOON) for s in out.statuses]
    assert details == [
        (True, "north marker; rotation period 4.00 s", 0.0),
        (True, "sector crossing", 1.0),
        (False, "sector crossing; NOGO: operational use inhibited", 3.0),
        (True, "north marker; rotation period 4.00 s", 4.0),
        (True, "jamming strobe; sector 45.0°", 5.0),
    ]
    configured, reported = out.sensors
    assert (configured.lat_deg, configured.alt_m) == (52.0, 150.0)
    assert reported.key == "25/10" and reported.nation == "PL"
    assert (reported.lat_deg, reported.lon_deg, reported.alt_m) == pytest.approx(position, abs=1e-4)
    assert reported.revisit_s == 4.0  # I034/041: the tracker expects a look every rotation
    assert math.isnan(configured.revisit_s)


def test_processing_mode_and_overloads_are_named() -> None:
    data = published()["jasterix_cat034_ed126"]
    adapter = AsterixAdapter({"0/2": RADAR})
    adapter.receive(data, NOON - 43_200.0 + 33_500.0)
    [status] = adapter.output.statuses
    assert status.ok and status.detail == "sector crossing"
    nogo_overload = bytes.fromhex("22000884190a8090")  # I034/050 COM: NOGO, OVL RDP
    adapter = _adapter()
    adapter.receive(nogo_overload, NOON)
    [status] = adapter.output.statuses
    assert (
        not status.ok and status.detail == "service; NOGO: operational use inhibited; RDP overload"
    )


def test_stream_mode_gives_the_datagram_results_whatever_the_cuts() -> None:
    datagrams = [payload for _, payload in croco_datagrams()]
    recording = b"".join(datagrams)
    reference = AsterixAdapter({}, default=RADAR)
    for payload in datagrams:
        reference.receive(payload, NOON)
    rng = random.Random(1)
    for chunk_max in (1, 7, 64, 1500, len(recording)):
        stream = AsterixAdapter({}, default=RADAR, stream=True)
        pos = 0
        while pos < len(recording):
            step = rng.randint(1, chunk_max)
            stream.receive(recording[pos : pos + step], NOON)
            pos += step
        assert stream.pending == 0
        assert stream.output.reports == reference.output.reports
        assert stream.output.statuses == reference.output.statuses
        assert stream.output.messages == reference.output.messages == 162


def test_stream_mode_steps_over_other_categories() -> None:
    plots = encode_cat048([Plot048(43_200.0, 9_000.0, 0.0)] * 2, 25, 10)
    cat062 = bytes((62, 0, 12)) + bytes(range(9))
    stream = _adapter(stream=True)
    stream.receive(plots + cat062 + cat062 + plots, NOON)
    assert len(stream.output.reports) == 4
    assert stream.output.rejects == {"category": 1}


def test_settings_are_validated() -> None:
    assert parse_sensor_key(" 25/10 ") == (25, 10)
    for key in ("25-10", "256/1", "a/b", "25/"):
        with pytest.raises(ValueError):
            parse_sensor_key(key)
    with pytest.raises(ValueError):
        RadarSettings(52.0, 21.0, 150.0, sigma_range_m=0.0)
    with pytest.raises(ValueError):
        RadarSettings(math.nan, 21.0, 150.0)
    with pytest.raises(ValueError):
        AsterixAdapter({"radar-1": RADAR})


def test_reports_carry_fl_conversion_constant() -> None:
    assert pytest.approx(30.48) == FL_M


def test_doppler_and_amplitude_give_radial_velocity_and_rcs() -> None:
    radar = dataclasses.replace(RADAR, amplitude_1m2_1km_dbm=-50.0, doppler_sign=-1.0)
    adapter = AsterixAdapter({"25/10": radar})
    plots = [
        Plot048(43_201.0, 10_000.0, 30.0, doppler_mps=-120.0, psr_amplitude_dbm=-78.0),
        Plot048(43_201.0, 12_000.0, 40.0, doppler_mps=35.0, doppler_doubtful=True),
        Plot048(43_201.0, 14_000.0, 50.0),
    ]
    adapter.receive(encode_cat048(plots, 25, 10), NOON + 1.0)
    first, doubtful, plain = adapter.output.reports
    assert first.radial_velocity_mps == 120.0  # the radar's positive Doppler is closing
    range_m = first.range_m
    assert first.rcs_dbsm == pytest.approx(-78.0 + 50.0 + 40.0 * math.log10(range_m / 1000.0))
    assert math.isnan(doubtful.radial_velocity_mps) and math.isnan(doubtful.rcs_dbsm)
    assert math.isnan(plain.radial_velocity_mps) and math.isnan(plain.rcs_dbsm)
    uncalibrated = _one(plots[0]).output.reports[0]
    assert uncalibrated.radial_velocity_mps == -120.0 and math.isnan(uncalibrated.rcs_dbsm)


def test_a_doppler_sign_other_than_one_is_refused() -> None:
    with pytest.raises(ValueError, match="doppler_sign"):
        dataclasses.replace(RADAR, doppler_sign=0.5)
