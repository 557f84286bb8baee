"""The decoder's policy (``decoder.py``, ``positions.py``, ``reports.py``): which CPR decode is
trusted, the jump and range checks, how σ and height are chosen, identities, state expiry."""

from __future__ import annotations

import math

import pytest

from dronewall.core.geodesy import destination
from dronewall.core.types import ObjectClass
from dronewall.sensors.feed import FeedOutput
from dronewall.sensors.modes import ModeSDecoder, ReceiverSettings
from dronewall.sensors.modes.accuracy import R95_PER_SIGMA
from dronewall.sensors.modes.aircraft import TTL_S
from dronewall.sensors.modes.cpr import distance_m
from tests.sensors.modes.encode import (
    ac12_q,
    extended_squitter,
    me_airborne,
    me_identification,
    me_opstatus,
    me_surface,
    me_velocity_ground,
    put,
    with_parity,
)

RX = (50.0, 10.0)
ICAO = 0x3C6586


def at(distance_km: float, bearing: float = 45.0) -> tuple[float, float]:
    lat, lon = destination(RX[0], RX[1], bearing, distance_km * 1000)
    return float(lat), float(lon)


def pos(
    where: tuple[float, float], odd: bool, alt: int = 30000, tc: int = 11, icao: int = ICAO
) -> bytes:
    return extended_squitter(
        icao, me_airborne(where[0], where[1], odd, ac12_q(alt) if alt else 0, tc=tc)
    )


def run(
    frames: list[tuple[bytes, float]], settings: ReceiverSettings | None = None
) -> tuple[ModeSDecoder, FeedOutput]:
    decoder, out = ModeSDecoder("rx", settings), FeedOutput()
    for msg, t in frames:
        decoder.decode(msg, t, out)
    return decoder, out


def test_pair_only_within_ten_seconds() -> None:
    p = at(100)
    _, out = run([(pos(p, False), 0.0), (pos(p, True), 10.5)])
    assert not out.reports and out.messages == 2
    _, out = run([(pos(p, False), 0.0), (pos(p, True), 9.5)])
    assert len(out.reports) == 1


def test_after_a_pair_single_frames_decode_locally() -> None:
    p, q = at(100), at(103)
    _, out = run([(pos(p, False), 0.0), (pos(p, True), 1.0), (pos(q, False), 30.0)])
    assert len(out.reports) == 2
    assert distance_m(*q, out.reports[1].lat_deg, out.reports[1].lon_deg) < 10


def test_receiver_relative_first_fix_within_the_limit_only() -> None:
    near = ReceiverSettings(lat_deg=RX[0], lon_deg=RX[1], max_range_m=300_000)
    _, out = run([(pos(at(250), False), 0.0)], near)
    assert (
        len(out.reports) == 1
        and distance_m(*at(250), out.reports[0].lat_deg, out.reports[0].lon_deg) < 10
    )
    # A maximum range over half a zone leaves 360 NM - 500 km = 167 km for single frames.
    far = ReceiverSettings(lat_deg=RX[0], lon_deg=RX[1], max_range_m=500_000)
    decoder, out = run([(pos(at(250), False), 0.0)], far)
    assert not out.reports and decoder.unused["cpr_wait"] == 1
    _, out = run([(pos(at(150), False), 0.0)], far)
    assert len(out.reports) == 1
    off = ReceiverSettings(
        lat_deg=RX[0], lon_deg=RX[1], max_range_m=300_000, receiver_relative_cpr=False
    )
    _, out = run([(pos(at(50), False), 0.0)], off)
    assert not out.reports


def test_beyond_range_is_rejected_and_stops_receiver_relative_decoding() -> None:
    settings = ReceiverSettings(lat_deg=RX[0], lon_deg=RX[1], max_range_m=300_000)
    p = at(400, 0.0)  # 3.6° north: beyond half a zone (3°), a single frame aliases 267 km south
    frames = [(pos(p, False), 0.0), (pos(p, True), 1.0), (pos(p, False), 2.0), (pos(p, True), 3.0)]
    decoder, out = run(frames, settings)
    assert len(out.reports) == 1  # the alias of the very first frame cannot be told apart
    assert distance_m(*p, out.reports[0].lat_deg, out.reports[0].lon_deg) > 300_000
    # Each pair after it is rejected; the frame between them waits (no receiver-relative
    # decoding for this aircraft any more).
    assert out.rejects["range"] == 2 and decoder.unused["cpr_wait"] == 1
    assert not decoder.table.aircraft[ICAO].receiver_cpr_ok


def test_an_implausible_jump_is_rejected_then_a_new_pair_is_believed() -> None:
    p, q = at(100), at(300)  # 200 km in 10 s
    frames = [
        (pos(p, False), 0.0),
        (pos(p, True), 1.0),
        (pos(q, False), 10.0),
        (pos(q, True), 11.0),
    ]
    decoder, out = run(frames)
    # q's even frame (decoded locally against p, or paired with p's odd frame) and then the
    # q pair are both too far from p: rejected, and the failed global decode drops the
    # reference and both frames.
    assert len(out.reports) == 1 and out.rejects["cpr"] == 2
    ac = decoder.table.aircraft[ICAO]
    assert ac.even is None and ac.odd is None and ac.pos_is_reference is False
    decoder.decode(pos(q, False), 12.0, out)
    decoder.decode(pos(q, True), 13.0, out)
    assert (
        len(out.reports) == 2
        and distance_m(*q, out.reports[1].lat_deg, out.reports[1].lon_deg) < 10
    )


def test_the_speed_check_uses_the_aircrafts_own_speed() -> None:
    p = at(100)
    q = at(100 + 2.5, 45)  # 2.5 km in 10 s = 250 m/s
    slow = extended_squitter(ICAO, me_velocity_ground(40, 40, 0))  # 57 kt
    fast = extended_squitter(ICAO, me_velocity_ground(400, 400, 0))  # 566 kt
    base = [(pos(p, False), 0.0), (pos(p, True), 1.0)]
    _, out = run([*base, (slow, 2.0), (pos(q, False), 11.0), (pos(q, True), 12.0)])
    assert out.rejects["cpr"] == 1
    _, out = run([*base, (fast, 2.0), (pos(q, False), 11.0), (pos(q, True), 12.0)])
    assert not out.rejects and len(out.reports) == 3


def test_sigma_from_version_nacp_nucp_and_rc() -> None:
    p = at(100)
    pair = [(pos(p, False, tc=9), 1.0), (pos(p, True, tc=9), 2.0)]
    _, out = run(pair)  # version unknown: TC 9 Rc 7.5 m
    assert out.reports[0].sigma_horizontal_m == pytest.approx(math.hypot(7.5 / R95_PER_SIGMA, 1.5))
    status = extended_squitter(ICAO, me_opstatus(2, 8))  # NACp 8: EPU 0.05 NM
    _, out = run([(status, 0.0), *pair])
    assert out.reports[0].sigma_horizontal_m == pytest.approx(math.hypot(92.6 / R95_PER_SIGMA, 1.5))
    v0 = extended_squitter(ICAO, me_opstatus(0, 0))  # version 0: NUCp 9 from TC 9, 3 m
    _, out = run([(v0, 0.0), *pair])
    assert out.reports[0].sigma_horizontal_m == pytest.approx(math.hypot(3 / R95_PER_SIGMA, 1.5))
    unknown = extended_squitter(ICAO, me_opstatus(2, 0))  # NACp 0: ≥ 10 NM
    _, out = run([(unknown, 0.0), *pair])
    assert out.reports[0].sigma_horizontal_m > 7000
    _, out = run([(pos(p, False, tc=18), 1.0), (pos(p, True, tc=18), 2.0)])
    assert out.reports[0].sigma_horizontal_m == 100.0  # nothing known: the default


def test_height_from_gnss_difference_and_gnss_positions() -> None:
    p = at(100)
    velocity = extended_squitter(ICAO, me_velocity_ground(300, 0, -640, geo=-150))
    _, out = run([(velocity, 0.0), (pos(p, False), 1.0), (pos(p, True), 2.0)])
    (report,) = out.reports
    assert report.alt_m == pytest.approx((30000 - 150) * 0.3048) and report.sigma_vertical_m == 30.0
    assert report.speed_mps == pytest.approx(
        300 * 1852 / 3600
    ) and report.course_deg == pytest.approx(90)
    assert report.vertical_rate_mps == pytest.approx(-640 * 0.3048 / 60)
    # Later than 60 s the difference is dropped; later than 5 s the velocity.
    _, out = run([(velocity, 0.0), (pos(p, False), 61.0), (pos(p, True), 62.0)])
    assert (
        out.reports[0].alt_m == pytest.approx(30000 * 0.3048)
        and out.reports[0].sigma_vertical_m == 150.0
    )
    assert math.isnan(out.reports[0].speed_mps)
    # TC 20 (GNSS height), GVA 2 (45 m) from version 2 status.
    gnss = [(pos(p, False, tc=20, alt=1500), 1.0), (pos(p, True, tc=20, alt=1500), 2.0)]
    _, out = run([(extended_squitter(ICAO, me_opstatus(2, 9, gva=2)), 0.0), *gnss])
    assert out.reports[0].alt_m == pytest.approx(1500 * 0.3048)
    assert out.reports[0].sigma_vertical_m == pytest.approx(45 / 1.96)


def test_missing_altitude_uses_a_recent_surveillance_reply() -> None:
    p = at(100)
    df4 = with_parity(bytes([4 << 3, 0, 0x18, 0x38]), ICAO)  # AC 0x1838: 38000 ft
    frames = [(extended_squitter(ICAO, me_identification("A3", "DLH1")), 0.0), (df4, 0.5)]
    decoder, out = run([*frames, (pos(p, False, alt=0), 1.0), (pos(p, True, alt=0), 2.0)])
    assert out.reports[0].alt_m == pytest.approx(38000 * 0.3048)
    decoder, out = run([(pos(p, False, alt=0), 1.0), (pos(p, True, alt=0), 2.0)])
    assert not out.reports and decoder.unused["no_altitude"] == 1


def test_identity_repeats_only_when_changed_or_every_30_s() -> None:
    ident = extended_squitter(ICAO, me_identification("B6", "DRONE1"))
    other = extended_squitter(ICAO, me_identification("B6", "DRONE2"))
    decoder, out = run([(ident, 0.0), (ident, 5.0), (other, 6.0), (other, 40.0)])
    assert [(i.callsign, i.t) for i in out.identities] == [
        ("DRONE1", 0.0),
        ("DRONE2", 6.0),
        ("DRONE2", 40.0),
    ]
    assert decoder.unused["identity_repeat"] == 1
    p = at(10)
    decoder.decode(pos(p, False), 41.0, out)
    decoder.decode(pos(p, True), 42.0, out)
    assert (
        out.reports[0].declared_class is ObjectClass.DRONE
        and out.reports[0].class_confidence == 0.95
    )


def test_illegal_callsign_is_rejected_without_state() -> None:
    bad = extended_squitter(ICAO, put([(1, 5, 4)]))  # eight code-0 characters
    decoder, out = run([(bad, 0.0)])
    assert out.rejects == {"callsign": 1} and not decoder.table.aircraft


def test_df18_addresses_and_tisb() -> None:
    p = at(50)
    anon = [(extended_squitter(0xABCDEF, me_airborne(*p, odd, ac12_q(1000)), df=18, code=1), t)
            for odd, t in ((False, 0.0), (True, 1.0))]  # fmt: skip
    _, out = run(anon)
    assert out.reports[0].identity == "~ABCDEF"
    coarse = extended_squitter(0xABCDEF, me_airborne(*p, False, ac12_q(1000)), df=18, code=3)
    decoder, out = run([(coarse, 0.0)])
    assert decoder.unused["tisb"] == 1 and out.messages == 1 and not decoder.table.aircraft


def test_surface_reports_need_the_receivers_height() -> None:
    airport = at(10)
    surface = [
        (extended_squitter(ICAO, me_surface(*airport, odd, 20, 64)), t)
        for odd, t in ((False, 0), (True, 1))
    ]
    settings = ReceiverSettings(lat_deg=RX[0], lon_deg=RX[1])
    decoder, out = run(surface, settings)
    assert not out.reports and decoder.unused["surface"] == 2
    settings = ReceiverSettings(lat_deg=RX[0], lon_deg=RX[1], alt_m=120.0)
    _, out = run(surface, settings)
    assert len(out.reports) == 2 and out.reports[0].alt_m == 120.0
    assert distance_m(*airport, out.reports[1].lat_deg, out.reports[1].lon_deg) < 3
    assert out.reports[0].course_deg == 180.0 and out.reports[0].speed_mps == pytest.approx(
        5.5 * 1852 / 3600  # movement 20: 2 kt + 7 × 0.5 kt
    )
    decoder, out = run(surface)  # no receiver position: nothing to decode against
    assert decoder.unused["cpr_wait"] == 2


def test_forgotten_after_the_ttl() -> None:
    decoder, out = run([(extended_squitter(ICAO, me_identification("A3", "DLH1")), 0.0)])
    df5 = with_parity(bytes([5 << 3, 0, 0x12, 0x34]), ICAO)
    decoder.decode(df5, TTL_S - 1, out)
    assert out.messages == 2
    decoder.decode(df5, 2 * TTL_S, out)
    assert out.rejects == {"unknown_icao": 1}
    decoder.decode(extended_squitter(0x111111, me_identification("A3", "X")), 3 * TTL_S, out)
    assert ICAO not in decoder.table.aircraft
