"""IdentityScreen: cooperative fixes an identity cannot have flown to are flagged, counted and
kept out; noise and honest flight pass; a steady new stream re-anchors while a spoof
interleaved with the real stream never does."""

from __future__ import annotations

import numpy as np

from dronewall.core.geodesy import destination
from dronewall.core.types import MeasurementKind, ReportBatch, SensorKind
from dronewall.tracking.plausibility import (
    IMPLAUSIBLE,
    REANCHORED,
    IdentityScreen,
    PlausibilityLimits,
)

T0 = 1_757_780_000.0
HOME = (55.6, 12.6)  # Copenhagen
ICAO = "4CA7B1"


def fixes(
    points: list[tuple[float, float]],
    times: list[float],
    identity: str | list[str] = ICAO,
    kind: SensorKind = SensorKind.ADSB,
    sigma_m: float = 10.0,
) -> ReportBatch:
    n = len(points)
    b = ReportBatch.allocate(n)
    b.report_id[:] = np.arange(n)
    b.sensor_kind[:] = kind
    b.measurement[:] = MeasurementKind.POSITION
    b.t_measured[:] = T0 + np.asarray(times)
    b.t_arrival[:] = b.t_measured + 0.2
    b.lat_deg[:] = [p[0] for p in points]
    b.lon_deg[:] = [p[1] for p in points]
    b.alt_m[:] = 10_000.0
    b.sigma_horizontal_m[:] = sigma_m
    b.sigma_vertical_m[:] = sigma_m
    b.identity[:] = identity if isinstance(identity, list) else [identity] * n
    return b


def flight(
    speed_mps: float, seconds: list[float], start: tuple[float, float] = HOME
) -> list[tuple[float, float]]:
    """Points along a straight eastbound flight at ``speed_mps``."""
    out = []
    for s in seconds:
        lat, lon = destination(start[0], start[1], 90.0, speed_mps * s)
        out.append((float(lat), float(lon)))
    return out


def test_an_airliner_in_flight_and_its_noise_pass() -> None:
    seconds = [float(s) for s in range(0, 60, 2)]
    rng = np.random.default_rng(3)
    points = [(la + d, lo + e) for (la, lo), d, e in zip(flight(250.0, seconds),
              rng.normal(0, 3e-4, 30), rng.normal(0, 5e-4, 30), strict=True)]  # fmt: skip
    screen = IdentityScreen()
    result = screen.screen(fixes(points, seconds, sigma_m=50.0))
    assert result.ok.all() and screen.counts[IMPLAUSIBLE] == 0


def test_the_552_km_jump_is_flagged_and_counted_and_the_flight_goes_on() -> None:
    seconds = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    points = flight(230.0, seconds)
    far = destination(HOME[0], HOME[1], 135.0, 552_000.0)
    points[3] = (float(far[0]), float(far[1]))  # one spoofed fix
    screen = IdentityScreen()
    result = screen.screen(fixes(points, seconds))
    assert result.ok.tolist() == [True, True, True, False, True, True]
    assert result.reason[3] == IMPLAUSIBLE and result.reason[0] == ""
    assert screen.counts[IMPLAUSIBLE] == 1 and screen.counts[REANCHORED] == 0


def test_the_same_screen_across_batches_and_out_of_order_rows() -> None:
    seconds = [0.0, 1.0, 2.0, 3.0]
    points = flight(230.0, seconds)
    screen = IdentityScreen()
    screen.screen(fixes(points[:2], seconds[:2]))
    later = fixes([points[3], points[2]], [seconds[3], seconds[2]])  # arrives out of order
    assert screen.screen(later).ok.all()
    jump = fixes(flight(230.0, [4.0], start=(HOME[0] + 3.0, HOME[1])), [4.0])
    assert not screen.screen(jump).ok.any()


def test_a_drone_is_held_to_a_drone_speed() -> None:
    seconds = [0.0, 10.0]
    serial = "1581F5FJD23190000K7Z"
    at_200 = flight(200.0, seconds)  # 2 km in 10 s: fine for an aircraft, not for a drone
    drone = IdentityScreen().screen(fixes(at_200, seconds, serial, SensorKind.REMOTE_ID))
    assert drone.ok.tolist() == [True, False]
    plane = IdentityScreen().screen(fixes(at_200, seconds, ICAO, SensorKind.ADSB))
    assert plane.ok.all()
    uav = fixes(at_200, seconds, ICAO, SensorKind.ADSB)
    uav.emitter_category[:] = 0xB6  # an ADS-B UAV is held to the drone limit too
    assert IdentityScreen().screen(uav).ok.tolist() == [True, False]


def test_a_steady_new_stream_re_anchors_once_the_old_one_is_silent() -> None:
    before = flight(230.0, [0.0, 1.0, 2.0])
    jumped_start = destination(HOME[0], HOME[1], 0.0, 300_000.0)
    after_s = [3.0, 5.0, 7.0, 9.0, 11.0, 13.0]
    after = flight(230.0, after_s, start=(float(jumped_start[0]), float(jumped_start[1])))
    screen = IdentityScreen(PlausibilityLimits(reanchor_reports=4, reanchor_s=5.0))
    result = screen.screen(fixes(before + after, [0.0, 1.0, 2.0, *after_s]))
    # three flagged (3, 5, 7 s), the fourth (9 s, 6 s after the first) re-anchors, then ok
    assert result.ok.tolist() == [True, True, True, False, False, False, True, True, True]
    assert screen.counts[IMPLAUSIBLE] == 3 and screen.counts[REANCHORED] == 1


def test_a_spoof_interleaved_with_the_real_stream_never_takes_over() -> None:
    seconds = [float(s) for s in range(40)]
    real = flight(230.0, seconds)
    ghost = flight(230.0, seconds, start=(HOME[0] - 4.0, HOME[1]))
    points = [real[i] if i % 2 == 0 else ghost[i] for i in range(40)]
    screen = IdentityScreen()
    result = screen.screen(fixes(points, seconds))
    assert result.ok[::2].all() and not result.ok[1::2].any()
    assert screen.counts[REANCHORED] == 0 and screen.counts[IMPLAUSIBLE] == 20


def test_identities_are_screened_apart_and_others_pass_untouched() -> None:
    seconds = [0.0, 0.0, 1.0, 1.0]
    a, b = flight(230.0, [0.0, 1.0]), flight(230.0, [0.0, 1.0], start=(HOME[0] + 5.0, HOME[1]))
    ids = [ICAO, "40621D", ICAO, "40621D"]
    batch = fixes([a[0], b[0], a[1], b[1]], seconds, ids)
    assert IdentityScreen().screen(batch).ok.all()
    radar = ReportBatch.allocate(2)  # no identity, no position fix: not the screen's business
    radar.measurement[:] = MeasurementKind.RADAR
    assert IdentityScreen().screen(radar).ok.all()
    assert len(IdentityScreen().screen(ReportBatch.empty()).ok) == 0


def test_identities_long_unheard_are_forgotten_and_start_afresh() -> None:
    screen = IdentityScreen(PlausibilityLimits(forget_s=600.0))
    screen.screen(fixes([HOME], [0.0]))
    screen.screen(fixes([HOME], [700.0], "40621D"))  # another aircraft, 700 s later
    assert ICAO not in screen._slots
    far = destination(HOME[0], HOME[1], 90.0, 2_000_000.0)  # beyond 400 m/s × 701 s
    assert screen.screen(fixes([(float(far[0]), float(far[1]))], [701.0])).ok.all()


def _spoofed_flight(spoof_from: float, spoof_to: float, end: float) -> ReportBatch:
    """One fix a second at 230 m/s; those in [spoof_from, spoof_to) moved 552 km south-east."""
    seconds = [float(s) for s in range(int(end))]
    points = flight(230.0, seconds)
    for i, s in enumerate(seconds):
        if spoof_from <= s < spoof_to:
            lat, lon = destination(points[i][0], points[i][1], 135.0, 552_000.0)
            points[i] = (float(lat), float(lon))
    return fixes(points, seconds)


def test_a_spoof_of_the_whole_stream_is_kept_out_while_the_anchor_has_the_longer_story() -> None:
    screen = IdentityScreen()  # 200 s of honest flight, 60 s spoofed, 40 s honest again
    result = screen.screen(_spoofed_flight(200.0, 260.0, 300.0))
    assert result.ok[:200].all() and not result.ok[200:260].any() and result.ok[260:].all()
    assert screen.counts[REANCHORED] == 0 and screen.counts[IMPLAUSIBLE] == 60


def test_a_spoof_outlasting_the_cap_takes_over_and_is_counted() -> None:
    limits = PlausibilityLimits(reanchor_max_s=120.0)
    screen = IdentityScreen(limits)  # 200 s honest, then spoofed to the end (200 s)
    result = screen.screen(_spoofed_flight(200.0, 1e9, 400.0))
    assert not result.ok[200:320].any() and result.ok[321:].all()
    assert screen.counts[REANCHORED] == 1
