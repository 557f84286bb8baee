"""The moving-average features: precision weighting, the uncertainty of an average, and the
recent share of RF updates."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.core.tracks import TrackBatch
from dronewall.identify.features import (
    ERROR_CORRELATION_S,
    RF_TIME_CONSTANT_S,
    SPEED_SIGMA_FLOOR_MPS,
    FeatureHistory,
)
from tests.identify.tracks import one_track

T0 = 1_000.0


def snapshot(
    t: float,
    speed: float,
    *,
    sigma_v: float = 2.0,
    updates: int = 1,
    rf: int = 0,
    stations: int = 0,
    track_id: int = 1,
) -> TrackBatch:
    """One track heading north at ``speed``, 200 m up, started at T0."""
    return one_track(t=t, t_first=T0, velocity_enu=(0.0, speed, 0.0), height=200.0,
                     sigma_v=sigma_v, updates=updates, rf=rf, rf_stations=stations,
                     track_id=track_id)  # fmt: skip


def test_a_poor_first_estimate_does_not_hold_the_average() -> None:
    """A two-point start 35 m/s off with σ 25 m/s, then 5 s of good 13 m/s estimates: the
    precision-weighted average is close to 13 (an unweighted one would still be above 40)."""
    history = FeatureHistory(tau_s=20.0)
    history.update(snapshot(T0, 48.0, sigma_v=25.0))
    for k in range(1, 6):
        f = history.update(snapshot(T0 + k, 13.0, sigma_v=2.0, updates=k + 1))
    assert f.speed[0] == pytest.approx(13.0, abs=1.0)


def test_an_average_is_surer_than_one_estimate_but_not_by_root_n() -> None:
    history = FeatureHistory(tau_s=20.0)
    one = np.hypot(2.0, SPEED_SIGMA_FLOOR_MPS)
    first = history.update(snapshot(T0, 13.0, sigma_v=2.0))
    assert first.speed_sigma[0] == pytest.approx(one, rel=0.01)  # one estimate: its own σ
    for k in range(1, 61):
        f = history.update(snapshot(T0 + k, 13.0, sigma_v=2.0, updates=k + 1))
    expected = one * np.sqrt(ERROR_CORRELATION_S / (20.0 + ERROR_CORRELATION_S))
    assert f.speed_sigma[0] == pytest.approx(expected, rel=0.01)
    assert f.speed_sigma[0] > 2.0 / np.sqrt(60.0)  # correlated errors: far from σ/√N


def test_rf_share_follows_recent_updates_not_the_whole_life() -> None:
    """Two tracks took RF bearings on half their updates for 2 minutes; one stays heard, the
    other (a bird that left a drone's ray) takes no RF for three time constants."""
    history = FeatureHistory(tau_s=20.0)
    heard, left = [], []
    for k in range(120 + 3 * int(RF_TIME_CONSTANT_S)):
        rf_heard = (k + 1) // 2
        rf_left = min(rf_heard, 60)
        out = history.update(
            TrackBatch.concat(
                [
                    snapshot(T0 + k, 13.0, updates=k + 1, rf=rf_heard, track_id=1),
                    snapshot(T0 + k, 13.0, updates=k + 1, rf=rf_left, track_id=2),
                ]
            )
        )
        heard.append(out.rf_share[0])
        left.append(out.rf_share[1])
    assert heard[-1] == pytest.approx(0.5, abs=0.02)
    assert left[119] == pytest.approx(0.5, abs=0.02)  # every update weighs the same at first
    assert left[-1] < 0.5 * 60 / len(left)  # half the lifetime share


def test_rf_crossed_is_the_share_of_recent_rf_heard_by_two_stations() -> None:
    """Both tracks take an RF bearing every second. Track 1 is heard by two stations for
    2 minutes, then by one (it flew out of the second's range); track 2, a bird on one
    station's ray, by one throughout. Only RF updates count, at the RF time constant."""
    history = FeatureHistory(tau_s=20.0)
    crossed, single = [], []
    for k in range(120 + 3 * int(RF_TIME_CONSTANT_S)):
        out = history.update(
            TrackBatch.concat(
                [
                    snapshot(T0 + k, 13.0, updates=k + 1, rf=k + 1, stations=2 if k < 120 else 1),
                    snapshot(T0 + k, 13.0, updates=k + 1, rf=k + 1, stations=1, track_id=2),
                ]
            )
        )
        crossed.append(out.rf_crossed[0])
        single.append(out.rf_crossed[1])
    assert crossed[119] == pytest.approx(1.0)
    tau = RF_TIME_CONSTANT_S  # decayed sums: 120 s crossed, 3 τ since, of all the RF updates
    decayed = (1 - np.exp(-120 / tau)) * np.exp(-3.0) / (1 - np.exp(-(120 + 3 * tau) / tau))
    assert crossed[-1] == pytest.approx(decayed, rel=0.02)
    assert max(single) == 0.0


def test_rf_duty_is_rf_updates_per_period_per_station_heard() -> None:
    """Two stations heard: track 1 takes a bearing from each every second, track 2 one
    bearing every five seconds (near where rays towards two emitters cross)."""
    history = FeatureHistory(tau_s=20.0)
    for k in range(1, 121):
        out = history.update(
            TrackBatch.concat(
                [
                    snapshot(T0 + k, 13.0, updates=3 * k, rf=2 * k, stations=2),
                    snapshot(T0 + k, 13.0, updates=k, rf=k // 5, stations=2, track_id=2),
                ]
            )
        )
    assert out.rf_duty[0] == pytest.approx(1.0)
    assert out.rf_duty[1] == pytest.approx(0.1, abs=0.02)


def test_forget_keeps_the_other_tracks_history() -> None:
    history = FeatureHistory(tau_s=20.0)
    for k in range(30):
        history.update(
            TrackBatch.concat(
                [
                    snapshot(T0 + k, 40.0, updates=k + 1, track_id=1),
                    snapshot(T0 + k, 10.0, updates=k + 1, track_id=2),
                ]
            )
        )
    history.forget(np.array([2]))
    f = history.update(snapshot(T0 + 30, 10.0, updates=31, track_id=2))
    assert f.speed[0] == pytest.approx(10.0, abs=0.1) and f.age[0] == pytest.approx(30.0)
