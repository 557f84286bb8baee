"""Golden corpus: published example frames with their published decoded values, through the
decoder and the three adapters. Sources are named per case:

* [Riddle] J. Sun, "The 1090 Megahertz Riddle" (2nd ed., mode-s.org/decode), chapters on
  identification, airborne and surface position, velocity, Mode S surveillance replies.
* [pyModeS] junzis/pyModeS tests (tests/test_bds05.py, test_bds06.py, test_bds09.py,
  test_bds62.py, test_cpr.py, test_surv.py): frames with values checked there.
* [bbb] denzen84/beastblackbox README.md: a dump1090 decode of a real Beast log, and the SBS
  lines dump1090 printed from it.
* [adsbee] CoolNamesAllTaken/adsbee firmware/common/comms/beast/beast.md: a Beast frame with
  escaped bytes.
* [fa] flightaware/dump1090 net_io.c: the AVR prefixes *, :, @, %, < and their field layout.
* [sbsdump] vascocosta/sbsdump README.md and [druid] the "Druid Data Lab: Ingestion
  Transforms" blog post: SBS lines captured from dump1090 on port 30003 (``corpus/``).
"""

from __future__ import annotations

import calendar
import math
from pathlib import Path

import pytest

from dronewall.core.types import MeasurementKind, ObjectClass, SensorKind
from dronewall.sensors.feed import FeedOutput
from dronewall.sensors.modes import (
    AvrAdapter,
    BeastAdapter,
    BeastFramer,
    ModeSDecoder,
    ReceiverSettings,
    SbsAdapter,
)
from dronewall.sensors.modes import me as es
from dronewall.sensors.modes.accuracy import CPR_SIGMA_AIRBORNE_M, R95_PER_SIGMA

FT = 0.3048
T0 = 1457996400.0  # the Riddle's position example times (2016-03-14)
CORPUS = Path(__file__).parent / "corpus"


def me_of(hexmsg: str) -> int:
    return int.from_bytes(bytes.fromhex(hexmsg)[4:11], "big")


def decode_all(
    frames: list[tuple[str, float]], settings: ReceiverSettings | None = None
) -> tuple[ModeSDecoder, FeedOutput]:
    decoder, out = ModeSDecoder("rx", settings), FeedOutput()
    for hexmsg, t in frames:
        decoder.decode(bytes.fromhex(hexmsg), t, out)
    return decoder, out


def test_riddle_identification() -> None:
    record = es.decode_me(me_of("8D4840D6202CC371C32CE0576098"))
    assert record == es.Identification(4, "A0", "KLM1023")
    _, out = decode_all([("8D4840D6202CC371C32CE0576098", T0)])
    assert [(i.identity, i.callsign, i.category) for i in out.identities] == [
        ("4840D6", "KLM1023", "A0")
    ]
    assert out.messages == 1 and not out.rejects


def test_pymodes_identification_with_trailing_space() -> None:
    # [pyModeS] test_bds08: EZY85MH, category 0 of set A.
    assert es.decode_me(me_of("8D406B902015A678D4D220AA4BDA")) == es.Identification(
        4, "A0", "EZY85MH"
    )


def test_riddle_airborne_position_pair() -> None:
    # [Riddle] odd frame at t0, even at t0 + 2 s: 52.25720, 3.91937, 38000 ft.
    decoder, out = decode_all(
        [("8D40621D58C386435CC412692AD6", T0), ("8D40621D58C382D690C8AC2863A7", T0 + 2)]
    )
    assert decoder.unused["cpr_wait"] == 1 and out.messages == 2
    (report,) = out.reports
    assert report.sensor == "rx" and report.identity == "40621D"
    assert report.sensor_kind is SensorKind.ADSB and report.measurement is MeasurementKind.POSITION
    assert report.t_measured == T0 + 2
    assert (report.lat_deg, report.lon_deg) == pytest.approx((52.25720, 3.91937), abs=1e-5)
    assert report.alt_m == pytest.approx(38000 * FT)
    assert report.sigma_vertical_m == 150.0  # pressure altitude, no GNSS difference known
    # TC 11, version unknown: Rc 0.1 NM taken as a 95 % bound.
    assert report.sigma_horizontal_m == pytest.approx(
        math.hypot(185.2 / R95_PER_SIGMA, CPR_SIGMA_AIRBORNE_M)
    )
    assert math.isnan(report.speed_mps)


def test_riddle_local_decoding_against_the_receiver() -> None:
    # [Riddle] the even frame alone with reference 52.258, 3.918 gives the same position.
    settings = ReceiverSettings(lat_deg=52.258, lon_deg=3.918, max_range_m=300_000)
    _, out = decode_all([("8D40621D58C382D690C8AC2863A7", T0)], settings)
    (report,) = out.reports
    assert (report.lat_deg, report.lon_deg) == pytest.approx((52.25720, 3.91937), abs=1e-5)


def test_riddle_velocity_over_ground_then_position() -> None:
    # [Riddle] 8D485020994409940838175B284F: 159 kt, 182.88°, -832 ft/min (GNSS), GNSS 550 ft
    # above baro ([pyModeS] test_bds09).
    vel = es.decode_me(me_of("8D485020994409940838175B284F"))
    assert isinstance(vel, es.Velocity) and vel.subtype == 1
    assert vel.gs_kt == pytest.approx(159.20, abs=0.01) and vel.track_deg == pytest.approx(
        182.88, abs=0.01
    )
    assert vel.vr_fpm == -832 and not vel.vr_baro and vel.geo_minus_baro_ft == 550


def test_riddle_airspeed_and_heading() -> None:
    vel = es.decode_me(me_of("8DA05F219B06B6AF189400CBC33F"))
    assert isinstance(vel, es.Velocity) and vel.subtype == 3
    assert vel.airspeed_kt == 375 and vel.true_airspeed
    assert vel.heading_deg == pytest.approx(243.98, abs=0.01)
    assert vel.vr_fpm == -2304 and vel.vr_baro and vel.gs_kt is None


def test_dump1090_velocity_from_a_real_beast_log() -> None:
    # [bbb] *8f4001599909ba0e3804c5ad7195; dump1090: 455 kt, track 76, GNSS delta -1700 ft,
    # vertical rate 0 (its label said GNSS; ME bit 36 is 1: barometric, DO-260B §2.2.3.2.6.1.12).
    vel = es.decode_me(me_of("8f4001599909ba0e3804c5ad7195"))
    assert isinstance(vel, es.Velocity)
    assert round(vel.gs_kt or 0) == 455 and round(vel.track_deg or 0) == 76
    assert vel.geo_minus_baro_ft == -1700 and vel.vr_fpm == 0 and vel.vr_baro


@pytest.mark.parametrize(
    ("msg", "rate"),
    [  # [pyModeS] test_bds09 vertical rates
        ("8d3461cf9908388930080f948ea1", 64),
        ("8d3461cf9908558e100c1071eb67", 128),
        ("8d3461cf99085a8f10400f80e6ac", 960),
        ("8d394c0f990c4932780838866883", -64),
    ],
)
def test_vertical_rates(msg: str, rate: int) -> None:
    vel = es.decode_me(me_of(msg))
    assert isinstance(vel, es.Velocity) and vel.vr_fpm == rate


@pytest.mark.parametrize(
    ("msg", "speed"),
    [  # [pyModeS] test_bds06 surface movement codes 0, 1, 9, 24, 25, 39, 94, 109, 124
        ("8c3944f8400002acb23cda192b95", None),
        ("903a33ff40100858d34ff3cce976", 0.0),
        ("8c394c0f389b1667e947db7bb8bc", 1.0),
        ("8c3461cf398d60597b4ea434c4d7", 7.5),
        ("8c3461cf399d6059814ea81483a9", 8.0),
        ("8c3461cf3a7f3059c94e5bf4e169", 15.0),
        ("8c3950cf3dede47bac304d3b5122", 70.0),
        ("8c3933203edde47b9e2ffa5e77b8", 100.0),
        ("8d3933203fcde2a84e39e1c6c5bc", 175.0),
    ],
)
def test_surface_movement(msg: str, speed: float | None) -> None:
    pos = es.decode_me(me_of(msg))
    assert isinstance(pos, es.SurfacePosition) and pos.speed_kt == speed


def test_riddle_surface_position_at_the_receivers_height() -> None:
    # [Riddle] 8C4841753A9A153237AEF0F275BE, receiver at 51.990, 4.375: 17 kt, track 92.8°,
    # 52.3206, 4.7347 (the book's pair decode; one frame decoded locally agrees to 0.001°).
    settings = ReceiverSettings(lat_deg=51.990, lon_deg=4.375, alt_m=45.0)
    _, out = decode_all([("8C4841753A9A153237AEF0F275BE", T0)], settings)
    (report,) = out.reports
    assert (report.lat_deg, report.lon_deg) == pytest.approx((52.32061, 4.73473), abs=1.1e-3)
    assert report.speed_mps == pytest.approx(17 * 1852 / 3600) and report.course_deg == 92.8125
    assert report.alt_m == 45.0 and report.vertical_rate_mps == 0.0


def test_pymodes_surface_position_at_toulouse() -> None:
    # [pyModeS] test_bds06 / test_cpr: DF18 TC 8 at LFBO, reference 43.63, 1.37.
    settings = ReceiverSettings(lat_deg=43.63, lon_deg=1.37, alt_m=150.0)
    _, out = decode_all([("903a23ff426a4e65f7487a775d17", T0)], settings)
    (report,) = out.reports
    assert (report.lat_deg, report.lon_deg) == pytest.approx((43.62646, 1.37476), abs=1e-5)
    assert report.speed_mps == pytest.approx(14.5 * 1852 / 3600) and report.course_deg == 101.25
    assert report.identity == "3A23FF"


def test_target_state_nacp_sets_sigma() -> None:
    # [pyModeS] test_bds62: 8DA05629EA21485CBF3F8CADAEEB has NACp 9 (EPU < 30 m), SIL 3.
    assert es.decode_me(me_of("8DA05629EA21485CBF3F8CADAEEB")) == es.TargetState(9, 3, 1)


def test_surveillance_replies_need_a_proved_address() -> None:
    # [Riddle] DF4 20001838CA3804: 38000 ft from address DBBB5F; [pyModeS] test_surv DF5
    # 2A00516D492B80: squawk 0356 from 510AF9; DF11 5D484FDEA248F5 proves 484FDE.
    decoder, out = decode_all([("20001838CA3804", T0), ("2A00516D492B80", T0)])
    assert out.rejects["unknown_icao"] == 2 and out.messages == 0
    decoder.table.touch(0xDBBB5F, True, T0).verified_seen = T0
    decoder.table.touch(0x510AF9, True, T0).verified_seen = T0
    for msg in ("20001838CA3804", "2A00516D492B80", "5D484FDEA248F5"):
        decoder.decode(bytes.fromhex(msg), T0 + 1, out)
    assert out.messages == 3
    assert decoder.table.aircraft[0xDBBB5F].baro_ft == 38000
    assert decoder.table.aircraft[0x510AF9].squawk == "0356"
    assert decoder.table.known_address(0x484FDE, T0 + 1) is not None


def test_beast_frame_with_escapes() -> None:
    # [adsbee] 1a 32 08 3e 27 b6 cb 6a 1a 1a 00 a1 84 1a 1a c3 b3 1d: short frame, MLAT
    # counter 9063047285610, signal 0x1a (escaped), payload 00 a1 84 1a c3 b3 1d.
    raw = bytes.fromhex("1a32083e27b6cb6a1a1a00a1841a1ac3b31d")
    (frame,) = BeastFramer().feed(raw)
    assert not isinstance(frame, str)
    assert frame.kind == 0x32 and frame.ticks == 9063047285610 and frame.signal == 26
    assert frame.payload == bytes.fromhex("00a1841ac3b31d")


def test_beast_stream_of_riddle_frames() -> None:
    # The Riddle's pair and identification as dump1090 would send them on port 30005.
    frames = [("8D40621D58C386435CC412692AD6", 1_000), ("8D40621D58C382D690C8AC2863A7", 24_001_000),
              ("8D4840D6202CC371C32CE0576098", 24_002_000)]  # fmt: skip
    stream = b"".join(
        b"\x1a3"
        + (ticks.to_bytes(6, "big") + b"\x80" + bytes.fromhex(m)).replace(b"\x1a", b"\x1a\x1a")
        for m, ticks in frames
    )
    adapter = BeastAdapter("rx")
    adapter.receive(stream, T0 + 10.0)
    out = adapter.output
    assert out.messages == 3 and not out.rejects
    (report,) = out.reports
    # The even frame was 2 ms before the last frame of the read (12 MHz counter).
    assert report.t_measured == pytest.approx(T0 + 10.0 - 1000 / 12e6)
    assert (report.lat_deg, report.lon_deg) == pytest.approx((52.25720, 3.91937), abs=1e-5)
    assert out.identities[0].callsign == "KLM1023"


def test_avr_lines_in_every_prefix() -> None:
    # [fa] decodeHexMessage: '*' and ':' raw, '@' / '%' with a 48-bit timestamp, '<' with
    # timestamp and signal; CR LF endings. The AVR example of its comment,
    # *8D4B969699155600E87406F5B69F; is an airborne velocity: 341 kt, 271°, -1792 ft/min.
    lines = (
        b"*8D4B969699155600E87406F5B69F;\r\n"
        b":8D4840D6202CC371C32CE0576098;\r\n"
        b"@0000000003E88D40621D58C386435CC412692AD6;\r\n"
        b"%00000016E7E88D40621D58C382D690C8AC2863A7;\r\n"
        b"<00000016EBD0FF8D485020994409940838175B284F;\r\n"
    )
    adapter = AvrAdapter("rx")
    adapter.receive(lines, T0)
    out = adapter.output
    assert out.messages == 5 and not out.rejects
    assert out.identities[0].callsign == "KLM1023"
    (report,) = out.reports
    assert (report.lat_deg, report.lon_deg) == pytest.approx((52.25720, 3.91937), abs=1e-5)
    velocity = adapter.decoder.table.aircraft[0x4B9696]
    assert round(velocity.gs_kt) == 341 and round(velocity.track_deg) == 271
    assert velocity.vr_fpm == -1792


def test_sbs_lines_from_a_dump1090_capture() -> None:
    # [sbsdump] dump1090 on 30003 near Lisbon (2017-01-09, the receiver's clock on UTC).
    t_receive = calendar.timegm((2017, 1, 9, 20, 57, 6)) + 0.1
    adapter = SbsAdapter("rx")
    adapter.receive((CORPUS / "sbs_sbsdump.txt").read_bytes(), t_receive)
    out = adapter.output
    assert out.messages == 5 and not out.rejects
    assert [r.lat_deg for r in out.reports] == [38.80811, 38.80753, 38.80692]
    first, second, third = out.reports
    assert first.t_measured == pytest.approx(t_receive - 1.157)  # its generated time
    assert math.isnan(first.speed_mps)  # no velocity yet
    assert second.speed_mps == pytest.approx(272 * 1852 / 3600) and second.course_deg == 207
    assert second.vertical_rate_mps == pytest.approx(-704 * 0.3048 / 60)
    assert third.alt_m == pytest.approx(6050 * FT) and third.identity == "4951CD"
    assert third.sigma_horizontal_m == 100.0  # SBS carries no NACp: the receiver's default
    assert out.identities[0].callsign == "TAP377"
    assert third.declared_class is ObjectClass.AIRCRAFT


def test_sbs_lines_of_a_receiver_on_local_time() -> None:
    # [druid] the receiver wrote 04:51 local time; received at 03:51:23.5 UTC, its zone
    # (UTC+1) is inferred and the generated times used.
    t_receive = calendar.timegm((2016, 2, 5, 3, 51, 23)) + 0.5
    adapter = SbsAdapter("rx")
    adapter.receive((CORPUS / "sbs_druid.txt").read_bytes(), t_receive)
    out = adapter.output
    assert out.messages == 11 and not out.rejects and len(out.reports) == 2
    assert out.reports[0].t_measured == pytest.approx(t_receive - 0.597)
    assert (out.reports[1].lat_deg, out.reports[1].lon_deg) == (51.32419, 6.70715)
    assert adapter.decoder.table.aircraft[0x3C70A8].squawk == "4131"
    assert adapter.decoder.table.aircraft[0x44D1CF].baro_ft == 27025


def test_sbs_lines_without_real_time_fall_back_to_t_receive() -> None:
    # [bbb] generated times 1970/01/01: t_receive is used; MSG,3 without a position gives no
    # report; MSG,4 velocity is kept.
    adapter = SbsAdapter("rx")
    adapter.receive((CORPUS / "sbs_beastblackbox.txt").read_bytes(), T0)
    out = adapter.output
    assert out.messages == 7 and not out.rejects and not out.reports
    assert adapter.decoder.unused["sbs_no_position"] == 1
    assert [(i.callsign, i.t) for i in out.identities] == [("UTA469", T0)]
    ac = adapter.decoder.table.aircraft[0x4249C6]
    assert (ac.gs_kt, ac.track_deg, ac.vr_fpm, ac.baro_ft) == (307, 259, -1600, 17025)
