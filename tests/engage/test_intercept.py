"""Intercept geometry against hand-worked cases and a brute-force time-stepping search."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewall.core.geodesy import ecef_to_enu_rotation, geodetic_to_ecef
from dronewall.core.types import ObjectKind
from dronewall.engage.effectors import load_effectors
from dronewall.engage.intercept import EffectorGeometry, Threats, intercept
from dronewall.engage.laydown import load_laydown, sample_laydown_path


def geometry(speed: float = 80.0, reaction: float = 120.0, min_range: float = 0.0,
             max_range: float = 25_000.0, min_alt: float = 0.0, max_alt: float = 3000.0,
             position: tuple[float, float, float] = (0.0, 0.0, 0.0),
             pk: float = 0.6) -> EffectorGeometry:  # fmt: skip
    def one(value: float) -> np.ndarray:
        return np.array([value], dtype=float)

    return EffectorGeometry(
        np.array([position], dtype=float), one(speed), one(reaction), one(min_range),
        one(max_range), one(min_alt), one(max_alt), np.array([[pk * 0.5, pk, pk, pk, pk]]),
    )  # fmt: skip


def threat(position: tuple[float, float, float], velocity: tuple[float, float, float],
           time_to_site: float = math.inf, kind: int = 1) -> Threats:  # fmt: skip
    return Threats(
        np.array([position], float),
        np.array([velocity], float),
        np.array([time_to_site]),
        np.array([kind]),
    )


def test_head_on_interceptor_meets_the_target_where_the_algebra_says() -> None:
    # 10 km east at 0 height, flying west at 50 m/s; interceptor 80 m/s after 120 s:
    # 10000 − 50 t = 80 (t − 120)  →  t = 19600 / 130
    result = intercept(geometry(), threat((10_000, 0, 0), (-50, 0, 0), time_to_site=200.0))
    assert result.feasible[0, 0]
    assert result.time_s[0, 0] == pytest.approx(19_600 / 130, rel=1e-12)
    # it can be met until it reaches its site, here the effector's own (range 0 at t = 200 s)
    assert result.last_time_s[0, 0] == pytest.approx(200.0, rel=1e-12)
    assert result.point[0, 0] == pytest.approx([10_000 - 50 * 19_600 / 130, 0, 0])
    assert result.pk[0, 0] == 0.6


def test_crossing_target_matches_the_closed_form_quadratic() -> None:
    # Target at (0, 8000, 500) flying east at 50 m/s; interceptor 80 m/s, reaction 0:
    # (50t)² + 8000² + 500² = (80t)²  →  t = sqrt((8000² + 500²) / (80² − 50²))
    result = intercept(geometry(reaction=0.0), threat((0, 8000, 500), (50, 0, 0)))
    expected = math.sqrt((8000**2 + 500**2) / (80**2 - 50**2))
    assert result.time_s[0, 0] == pytest.approx(expected, rel=1e-12)


def test_a_faster_receding_target_cannot_be_caught_but_a_faster_approaching_one_can() -> None:
    # slower than the interceptor: caught when 2000 + 30 t = 80 (t − 120), t = 232 s
    receding = intercept(geometry(), threat((2000, 0, 0), (30, 0, 0)))
    assert receding.time_s[0, 0] == pytest.approx(232.0, rel=1e-12)
    # at 60 m/s it is caught only 36.8 km out, beyond the 25 km the interceptor can fly
    assert not intercept(geometry(), threat((2000, 0, 0), (60, 0, 0))).feasible[0, 0]
    fast_away = intercept(geometry(), threat((2000, 0, 100), (100, 0, 0)))
    assert not fast_away.feasible[0, 0]
    assert fast_away.time_s[0, 0] == math.inf and fast_away.pk[0, 0] == 0
    assert np.isnan(fast_away.point[0, 0]).all()
    fast_towards = intercept(geometry(), threat((20_000, 0, 100), (-100, 0, 0)))
    assert fast_towards.time_s[0, 0] == pytest.approx(
        _solve_1d(20_000, 100, -100, 80, 120), rel=1e-9
    )
    assert fast_towards.time_s[0, 0] == pytest.approx(29_600 / 180, rel=1e-4)  # ignoring z


def _solve_1d(x0: float, z: float, v: float, s: float, r: float) -> float:
    """|(x0 + v t, 0, z)| = s (t − r), smallest root ≥ r, for a hand check."""
    a, b, c = v * v - s * s, 2 * (x0 * v + s * s * r), x0 * x0 + z * z - s * s * r * r
    roots = sorted(x for x in np.roots([a, b, c]).real if x >= r)
    return float(roots[0])


def test_already_inside_the_minimum_range_waits_until_the_target_leaves_it() -> None:
    # Gun: min range 100 m, 900 m/s, reaction 10 s. Target 50 m away receding at 10 m/s:
    # at t = 10 it is 150 m out (past min range); the round needs |50 + 10 t| = 900 (t − 10).
    gun = geometry(speed=900, reaction=10, min_range=100, max_range=4000)
    result = intercept(gun, threat((50, 0, 0), (10, 0, 0)))
    assert result.time_s[0, 0] == pytest.approx(9050 / 890, rel=1e-12)
    # Hovering inside the minimum range: never engageable.
    assert not intercept(gun, threat((50, 0, 0), (0, 0, 0))).feasible[0, 0]
    # Passing overhead inside the minimum range and out the other side: engaged on the way out.
    passing = intercept(gun, threat((-80, 0, 0), (40, 0, 0)))
    t = passing.time_s[0, 0]
    assert passing.feasible[0, 0] and np.linalg.norm(passing.point[0, 0]) >= 100 - 1e-6
    assert np.linalg.norm(passing.point[0, 0]) == pytest.approx(900 * (t - 10), rel=1e-9)


def test_site_reached_first_height_out_of_envelope_and_out_of_range_are_infeasible() -> None:
    head_on = threat((10_000, 0, 0), (-50, 0, 0), time_to_site=100.0)  # intercept ≈ 150.8 s
    assert not intercept(geometry(), head_on).feasible[0, 0]
    too_high = threat((10_000, 0, 3500), (-50, 0, 0))
    assert not intercept(geometry(), too_high).feasible[0, 0]
    too_far = threat((30_000, 0, 100), (50, 0, 0))
    assert not intercept(geometry(), too_far).feasible[0, 0]


def test_rf_effect_is_immediate_after_reaction_inside_range() -> None:
    jammer = geometry(speed=math.inf, reaction=15, max_range=2000, max_alt=1500)
    inside = intercept(jammer, threat((1000, 500, 100), (20, 0, 0)))
    assert inside.time_s[0, 0] == 15.0
    arriving = intercept(jammer, threat((5000, 0, 100), (-50, 0, 0)))
    # enters 2 km range when |(5000 − 50 t, 0, 100)| = 2000
    assert arriving.time_s[0, 0] == pytest.approx((5000 - math.sqrt(2000**2 - 100**2)) / 50)


def test_equal_speeds_target_on_the_site_and_missing_values() -> None:
    # Equal speeds make the quadratic linear: 10000 − 50 t = 50 (t − 20)  →  t = 110 s.
    same = intercept(geometry(speed=50, reaction=20), threat((10_000, 0, 0), (-50, 0, 0)))
    assert same.time_s[0, 0] == pytest.approx(110.0, rel=1e-12)
    # ... and a tail chase at equal speed never closes.
    assert not intercept(geometry(speed=50, reaction=0), threat((1000, 0, 0), (50, 0, 0))).feasible[
        0, 0
    ]
    # A target on the site itself, no reaction time: engaged at once.
    on_site = intercept(geometry(reaction=0.0), threat((0, 0, 0), (10, 0, 0)))
    assert on_site.time_s[0, 0] == 0.0
    # A track with a missing position or velocity is never feasible, and does not warn.
    blank = intercept(geometry(), threat((math.nan, 0, 0), (-50, 0, 0)))
    assert not blank.feasible[0, 0] and blank.pk[0, 0] == 0.0


def test_kill_probability_follows_the_track_kind() -> None:
    catalogue = load_effectors()
    jammer, gun = catalogue.get("rf-jammer-vehicle"), catalogue.get("skynex-35-ahead")
    eff = EffectorGeometry.of([jammer, gun], [[0, 0, 0], [0, 0, 0]])
    tracks = Threats(
        np.array([[1000.0, 0, 100], [1200.0, 0, 100]]),
        np.zeros((2, 3)),
        np.full(2, math.inf),
        np.array([ObjectKind.ONE_WAY_ATTACK, ObjectKind.QUADCOPTER]),
    )
    result = intercept(eff, tracks)
    assert result.feasible.all()
    assert result.pk.tolist() == [[0.0, 0.8], [0.7, 0.6]]


def test_geometry_from_the_demo_laydown() -> None:
    catalogue = load_effectors()
    laydown = load_laydown(sample_laydown_path(), catalogue)
    eff = EffectorGeometry.from_laydown(laydown, catalogue, 52.0, 23.0)
    assert eff.position.shape == (len(laydown), 3) and len(eff) == len(laydown)
    row = int(np.flatnonzero(laydown.name == "Biała Podlaska fire groups")[0])
    # 52.03 N 23.13 E is ~3.3 km north and ~8.9 km east of 52 N 23 E
    assert eff.position[row, 0] == pytest.approx(8_900, abs=100)
    assert eff.position[row, 1] == pytest.approx(3_340, abs=50)


def test_threats_from_tracker_states_in_ecef() -> None:
    # A drone 3 km north of the reference at 500 m, flying east at 50 m/s.
    ecef = geodetic_to_ecef(52.0 + 3000 / 111_250, 23.0, 500.0)
    east = ecef_to_enu_rotation(52.0 + 3000 / 111_250, 23.0)[0]  # ECEF direction of east there
    state = np.concatenate([np.asarray(ecef).reshape(3), 50.0 * east]).reshape(1, 6)
    threats = Threats.from_ecef(state, 300.0, ObjectKind.DECOY, 52.0, 23.0)
    assert threats.position[0] == pytest.approx([0.0, 3000.0, 499.3], abs=2)  # curvature: −0.7 m
    assert threats.velocity[0] == pytest.approx([50.0, 0.0, 0.0], abs=1e-6)
    assert threats.time_to_site_s.tolist() == [300.0] and threats.drone_kind.tolist() == [2]


# --- brute force: step time finely and take the first instant where every condition holds ---


def _brute(eff: EffectorGeometry, thr: Threats, step: float, horizon: float) -> float:
    return _brute_span(eff, thr, step, horizon)[0]


def _brute_span(
    eff: EffectorGeometry, thr: Threats, step: float, horizon: float
) -> tuple[float, float]:
    """First and last sampled instants where every condition holds (inf, -inf if none)."""
    t = np.arange(0.0, horizon, step)
    pos = thr.position[0] + thr.velocity[0] * t[:, None] - eff.position[0]
    dist = np.linalg.norm(pos, axis=1)
    fly = np.maximum(t - eff.reaction_s[0], 0.0)
    reach = np.where(t >= eff.reaction_s[0], eff.speed_mps[0] * fly, -1.0)
    ok = (
        (t >= eff.reaction_s[0]) & (dist <= reach) & (t <= thr.time_to_site_s[0])
        & (dist >= eff.min_range_m[0]) & (dist <= eff.max_range_m[0])
        & (pos[:, 2] >= eff.min_altitude_m[0]) & (pos[:, 2] <= eff.max_altitude_m[0])
    )  # fmt: skip
    return (float(t[ok][0]), float(t[ok][-1])) if ok.any() else (math.inf, -math.inf)


def _holds_at(eff: EffectorGeometry, thr: Threats, t: float, slack: float = 1e-3) -> bool:
    pos = thr.position[0] + thr.velocity[0] * t - eff.position[0]
    dist = float(np.linalg.norm(pos))
    r = float(eff.reaction_s[0])
    return bool(
        t >= r - 1e-6 and dist <= eff.speed_mps[0] * (t - r) + slack
        and t <= thr.time_to_site_s[0] + 1e-6
        and eff.min_range_m[0] - slack <= dist <= eff.max_range_m[0] + slack
        and eff.min_altitude_m[0] - slack <= pos[2] <= eff.max_altitude_m[0] + slack
    )  # fmt: skip


_coord = st.floats(-8000, 8000)


@settings(max_examples=300, deadline=None)
@given(
    x=_coord, y=_coord, z=st.floats(0, 2500), vx=st.floats(-120, 120), vy=st.floats(-120, 120),
    vz=st.floats(-10, 10), speed=st.floats(20, 400), reaction=st.floats(0, 60),
    min_range=st.floats(0, 1500), span=st.floats(500, 9000), min_alt=st.floats(0, 300),
    max_alt=st.floats(500, 3000), site=st.floats(20, 400),
)  # fmt: skip
def test_closed_form_agrees_with_brute_force(
    x: float, y: float, z: float, vx: float, vy: float, vz: float, speed: float,
    reaction: float, min_range: float, span: float, min_alt: float, max_alt: float, site: float,
) -> None:  # fmt: skip
    eff = geometry(speed, reaction, min_range, min_range + span, min_alt, max_alt)
    thr = threat((x, y, z), (vx, vy, vz), time_to_site=site)
    solution = intercept(eff, thr)
    closed, last = float(solution.time_s[0, 0]), float(solution.last_time_s[0, 0])
    brute, brute_last = _brute_span(eff, thr, step=0.01, horizon=site + 0.02)
    if math.isfinite(brute):  # a sampled feasible instant: closed form finds one no later
        assert closed <= brute + 1e-6 and last >= brute_last - 1e-6
    if math.isfinite(closed):  # closed form's instants are truly feasible, none outside them
        assert _holds_at(eff, thr, closed) and _holds_at(eff, thr, last)
        assert closed <= last
        if math.isfinite(brute):
            assert brute >= closed - 1e-6 and brute_last <= last + 1e-6
