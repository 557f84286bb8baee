"""SIAP metrics on cases small enough to compute by hand (association threshold 50 m)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dronewall.metrics import SiapResult, Trajectories, siap_metrics


def _path(
    object_id: int,
    frames: range,
    x0: float,
    offset: tuple[float, float] = (0.0, 0.0),
    velocity_error: float = 0.0,
) -> np.ndarray:
    """Rows (t, id, x, y, vx, vy) of an object moving north at 20 m/s from (x0, 0)."""
    t = np.array(frames, dtype=float)
    return np.column_stack(
        [
            t,
            np.full(t.size, object_id),
            np.full(t.size, x0 + offset[0]),
            20.0 * t + offset[1],
            np.full(t.size, velocity_error),
            np.full(t.size, 20.0),
        ]
    )


def _traj(*paths: np.ndarray, velocities: bool = True) -> Trajectories:
    rows = np.concatenate(paths) if paths else np.zeros((0, 6))
    return Trajectories.from_columns(
        rows[:, 0], rows[:, 1], rows[:, 2:4], rows[:, 4:6] if velocities else None
    )


THREE_TRUTHS = _traj(*(_path(j, range(10), 1000.0 * j) for j in range(3)))


def _values(result: SiapResult) -> tuple[float, ...]:
    return (
        result.completeness,
        result.ambiguity,
        result.spuriousness,
        result.position_accuracy,
        result.velocity_accuracy,
        result.rate_of_track_number_change,
        result.longest_track_segment,
    )


def test_perfect_tracking() -> None:
    tracks = _traj(*(_path(100 + j, range(10), 1000.0 * j) for j in range(3)))
    result = siap_metrics(THREE_TRUTHS, tracks)
    assert _values(result) == (1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    assert (result.n_tracks, result.n_truths) == (3, 3)


def test_constant_errors_give_position_and_velocity_accuracy() -> None:
    tracks = _traj(
        *(_path(100 + j, range(10), 1000.0 * j, (3.0, 4.0), velocity_error=2.0) for j in range(3))
    )
    result = siap_metrics(THREE_TRUTHS, tracks)
    assert result.position_accuracy == pytest.approx(5.0)
    assert result.velocity_accuracy == pytest.approx(2.0)


def test_false_track_only() -> None:
    result = siap_metrics(THREE_TRUTHS, _traj(_path(100, range(10), 50_000.0)))
    assert _values(result) == (0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0)


def test_no_tracks_at_all() -> None:
    result = siap_metrics(THREE_TRUTHS, _traj())
    assert _values(result) == (0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert result.n_tracks == 0


def test_broken_track() -> None:
    """Truth 0..19 s; track 100 on it 0..9 s, track 101 from 12 s: JT = 10 + 8 of 20 frames,
    two track numbers over 9 + 7 s tracked, longest segment 9 of 19 s."""
    truth = _traj(_path(0, range(20), 0.0))
    tracks = _traj(_path(100, range(10), 0.0, (5.0, 0.0)), _path(101, range(12, 20), 0.0))
    result = siap_metrics(truth, tracks)
    assert result.completeness == pytest.approx(18 / 20)
    assert result.ambiguity == 1.0
    assert result.spuriousness == 0.0
    assert result.position_accuracy == pytest.approx(5.0 * 10 / 18)
    assert result.rate_of_track_number_change == pytest.approx(1 / 16)
    assert result.longest_track_segment == pytest.approx(9 / 19)


def test_two_tracks_on_one_truth_double_the_ambiguity() -> None:
    truth = _traj(_path(0, range(10), 0.0))
    tracks = _traj(_path(100, range(10), 0.0, (10.0, 0.0)), _path(101, range(10), 0.0, (-20.0, 0)))
    result = siap_metrics(truth, tracks)
    assert (result.completeness, result.ambiguity, result.spuriousness) == (1.0, 2.0, 0.0)
    assert result.position_accuracy == pytest.approx(15.0)
    assert result.rate_of_track_number_change == 0.0  # one track covers the truth


def test_velocity_accuracy_is_nan_without_velocities() -> None:
    tracks = _traj(*(_path(100 + j, range(10), 1000.0 * j) for j in range(3)), velocities=False)
    assert math.isnan(siap_metrics(THREE_TRUTHS, tracks).velocity_accuracy)


def test_reporting_gap_keeps_the_association_but_counts_only_reported_frames() -> None:
    """Stone Soup raises here (no track state inside its association); we keep C, S in [0, 1]."""
    truth = _traj(_path(0, range(10), 0.0))
    tracks = _traj(_path(100, range(0, 5), 0.0), _path(100, range(6, 10), 0.0))
    result = siap_metrics(truth, tracks)
    assert result.completeness == pytest.approx(9 / 10)
    assert result.spuriousness == 0.0
    assert result.longest_track_segment == 1.0  # one association over the whole 9 s


def test_synthetic_scenario_terms(synthetic_run: tuple[Trajectories, Trajectories]) -> None:
    truth, tracks = synthetic_run
    result = siap_metrics(truth, tracks)
    assert (result.n_truths, result.n_tracks) == (10, 12)
    assert 0.8 < result.completeness < 1.0
    assert 0.0 < result.spuriousness < 0.1  # the false track
    assert result.rate_of_track_number_change > 0.0  # swap and broken track
    assert 0.5 < result.longest_track_segment < 1.0
    assert 5.0 < result.position_accuracy < 12.0  # 6 m per axis noise
