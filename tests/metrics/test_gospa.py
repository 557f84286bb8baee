"""GOSPA: hand-computed frames, brute force, metric axioms, the sparse path and run grouping."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from dronewall.core.errors import DataError
from dronewall.metrics import Trajectories, gospa_frame, gospa_run

C = 100.0


def _points(*xy: tuple[float, float]) -> np.ndarray:
    return np.array(xy, dtype=float).reshape(-1, 2)


NONE = _points()


@pytest.mark.parametrize(
    ("truth", "tracks", "distance", "localisation", "missed", "false"),
    [
        (NONE, NONE, 0.0, 0.0, 0.0, 0.0),
        (_points((0, 0)), _points((3, 4)), 5.0, 5.0, 0.0, 0.0),
        (_points((0, 0)), NONE, 50.0, 0.0, 50.0, 0.0),  # one missed: c / 2
        (NONE, _points((0, 0)), 50.0, 0.0, 0.0, 50.0),  # one false: c / 2
        (_points((0, 0)), _points((200, 0)), 100.0, 0.0, 50.0, 50.0),  # beyond c
        (_points((0, 0)), _points((100, 0)), 100.0, 0.0, 50.0, 50.0),  # at c: not assigned
        (_points((0, 0), (1000, 0)), _points((0, 6)), 56.0, 6.0, 50.0, 0.0),
        (_points((0, 0), (10, 0)), _points((9, 0), (1, 0)), 2.0, 2.0, 0.0, 0.0),  # swap wins
    ],
)
def test_hand_computed_frames_p1(
    truth: np.ndarray,
    tracks: np.ndarray,
    distance: float,
    localisation: float,
    missed: float,
    false: float,
) -> None:
    frame = gospa_frame(truth, tracks, c=C, p=1.0)
    assert (frame.distance, frame.localisation, frame.missed, frame.false) == pytest.approx(
        (distance, localisation, missed, false), abs=1e-12
    )


@pytest.mark.parametrize("p", [1.0, 2.0, 3.5])
def test_only_misses_and_only_false_cost_c_to_the_p_over_alpha_each(p: float) -> None:
    four = _points((0, 0), (500, 0), (0, 500), (500, 500))
    missed = gospa_frame(four, NONE, c=C, p=p)
    assert missed.missed == pytest.approx(C**p / 2 * 4)
    assert missed.distance == pytest.approx((C**p / 2 * 4) ** (1 / p))
    assert (missed.n_missed, missed.n_false, missed.n_assigned) == (4, 0, 0)
    false = gospa_frame(NONE, four[:3], c=C, p=p)
    assert false.false == pytest.approx(C**p / 2 * 3)
    assert (false.n_missed, false.n_false) == (0, 3)


def test_p2_mixes_localisation_and_cardinality() -> None:
    frame = gospa_frame(_points((0, 0), (1000, 0)), _points((3, 4)), c=10.0, p=2.0)
    assert frame.localisation == pytest.approx(25.0)
    assert frame.missed == pytest.approx(50.0)  # c² / 2
    assert frame.distance == pytest.approx(np.sqrt(75.0))


def _brute_force(truth: np.ndarray, tracks: np.ndarray, c: float, p: float) -> float:
    best = np.inf
    m, n = len(truth), len(tracks)
    for k in range(min(m, n) + 1):
        for rows in itertools.combinations(range(m), k):
            for cols in itertools.permutations(range(n), k):
                d = [
                    float(np.linalg.norm(truth[i] - tracks[j]))
                    for i, j in zip(rows, cols, strict=True)
                ]
                if all(v < c for v in d):
                    cost = sum(v**p for v in d) + c**p / 2 * (m + n - 2 * k)
                    best = min(best, cost)
    return float(best ** (1 / p))


@pytest.mark.parametrize("dimension", [2, 3])
def test_matches_brute_force_over_all_partial_assignments(dimension: int) -> None:
    rng = np.random.default_rng(7)
    for _ in range(60):
        m, n = rng.integers(0, 5, size=2)
        truth = rng.uniform(0, 250, (m, dimension))
        tracks = rng.uniform(0, 250, (n, dimension))
        for p in (1.0, 2.0):
            frame = gospa_frame(truth, tracks, c=C, p=p)
            assert frame.distance == pytest.approx(_brute_force(truth, tracks, C, p), abs=1e-9)
            assert frame.localisation + frame.missed + frame.false == pytest.approx(
                frame.distance**p
            )


def test_is_a_metric_symmetric_and_triangle() -> None:
    rng = np.random.default_rng(11)
    for _ in range(40):
        a, b, d = (rng.uniform(0, 300, (rng.integers(0, 7), 2)) for _ in range(3))
        ab = gospa_frame(a, b, c=C, p=2.0)
        ba = gospa_frame(b, a, c=C, p=2.0)
        assert ab.distance == pytest.approx(ba.distance)
        assert (ab.missed, ab.false) == pytest.approx((ba.false, ba.missed))
        ad = gospa_frame(a, d, c=C, p=2.0).distance
        db = gospa_frame(d, b, c=C, p=2.0).distance
        assert ab.distance <= ad + db + 1e-9
        assert gospa_frame(a, a, c=C, p=2.0).distance == 0.0


def _dense_reference(truth: np.ndarray, tracks: np.ndarray, c: float, p: float) -> float:
    """One assignment over the whole cost matrix, no k-d tree, no components."""
    distance = np.linalg.norm(truth[:, None, :] - tracks[None, :, :], axis=-1)
    cost = np.minimum(distance, c) ** p
    rows, cols = linear_sum_assignment(cost)
    good = distance[rows, cols] < c
    total = cost[rows, cols][good].sum() + c**p / 2 * (len(truth) + len(tracks) - 2 * good.sum())
    return float(total ** (1 / p))


@pytest.mark.parametrize("p", [1.0, 2.0])
def test_component_split_equals_one_dense_assignment(p: float) -> None:
    """Clusters of many points within c of each other force the block assignment path."""
    rng = np.random.default_rng(3)
    centres = rng.uniform(0, 5000, (25, 2))
    truth = (centres[rng.integers(0, 25, 300)] + rng.normal(0, 60, (300, 2)))[:300]
    tracks = np.concatenate(
        [truth[:260] + rng.normal(0, 30, (260, 2)), rng.uniform(0, 5000, (40, 2))]
    )
    frame = gospa_frame(truth, tracks, c=C, p=p)
    assert frame.distance == pytest.approx(_dense_reference(truth, tracks, C, p), rel=1e-12)
    assert frame.n_assigned + frame.n_missed == 300
    assert frame.n_assigned + frame.n_false == 300


def _run_input(rows: list[tuple[float, int, float, float]]) -> Trajectories:
    table = np.array(rows, dtype=float).reshape(-1, 4)
    return Trajectories.from_columns(table[:, 0], table[:, 1], table[:, 2:4])


def test_run_groups_rows_by_exact_time_and_matches_frames() -> None:
    truth = _run_input([(0, 1, 0, 0), (0, 2, 500, 0), (1, 1, 10, 0), (1, 2, 510, 0)])
    tracks = _run_input([(1, 7, 13, 4), (0, 7, 3, 4), (2, 8, 0, 0)])  # unsorted; t = 2: false
    run = gospa_run(truth, tracks, c=C, p=1.0)
    np.testing.assert_array_equal(run.times, [0.0, 1.0, 2.0])
    np.testing.assert_allclose(run.distance, [55.0, 55.0, 50.0])
    np.testing.assert_array_equal(run.n_missed, [1, 1, 0])
    np.testing.assert_array_equal(run.n_false, [0, 0, 1])
    assert run.mean == pytest.approx(160.0 / 3)
    second = gospa_frame(truth.positions[2:], tracks.positions[:1], c=C, p=1.0)
    assert run.distance[1] == second.distance


def test_run_time_tolerance_merges_nearly_equal_times() -> None:
    truth = _run_input([(0.0, 1, 0, 0), (1.0, 1, 10, 0)])
    tracks = _run_input([(0.004, 7, 3, 4), (0.996, 7, 13, 4)])
    exact = gospa_run(truth, tracks, c=C)
    assert exact.times.size == 4 and exact.mean == pytest.approx(50.0)
    merged = gospa_run(truth, tracks, c=C, time_tolerance=0.01)
    np.testing.assert_array_equal(merged.times, [0.0, 0.996])
    np.testing.assert_allclose(merged.distance, [5.0, 5.0])


def test_empty_run_has_no_frames_and_zero_mean() -> None:
    run = gospa_run(Trajectories.empty(), Trajectories.empty(), c=C)
    assert run.times.size == 0 and run.mean == 0.0


def test_refuses_an_id_twice_in_one_frame() -> None:
    truth = _run_input([(0, 1, 0, 0)])
    tracks = _run_input([(0, 7, 3, 4), (0.001, 7, 4, 4)])
    gospa_run(truth, tracks, c=C)  # two frames: fine
    with pytest.raises(DataError, match="track id 7"):
        gospa_run(truth, tracks, c=C, time_tolerance=0.01)


@pytest.mark.parametrize(("c", "p"), [(0.0, 1.0), (-1.0, 1.0), (np.inf, 1.0), (C, 0.5)])
def test_refuses_bad_parameters(c: float, p: float) -> None:
    with pytest.raises(DataError):
        gospa_frame(_points((0, 0)), _points((1, 1)), c=c, p=p)


def test_refuses_mixed_dimensions() -> None:
    with pytest.raises(DataError, match="2-D"):
        gospa_frame(_points((0, 0)), np.zeros((1, 3)), c=C)
    with pytest.raises(DataError):
        gospa_run(Trajectories.empty(2), Trajectories.empty(3), c=C)


@pytest.mark.slow
def test_run_of_120_frames_of_1000_truths_and_1000_tracks_takes_seconds() -> None:
    """The scale of the shared n1000 benchmark (1 target per km², c = 100 m); ~0.4 s here."""
    rng = np.random.default_rng(1)
    frames, count = 120, 1000
    start, velocity = rng.uniform(0, 31_623, (count, 2)), rng.uniform(-40, 40, (count, 2))
    positions = (start + velocity * np.arange(frames)[:, None, None]).reshape(-1, 2)
    times = np.repeat(np.arange(frames, dtype=float), count)
    ids = np.tile(np.arange(count), frames)
    truth = Trajectories.from_columns(times, ids, positions)
    kept = rng.random(times.size) < 0.95
    noisy = positions + rng.normal(0, 10, positions.shape)
    tracks = Trajectories.from_columns(times[kept], ids[kept], noisy[kept])
    began = time.perf_counter()
    run = gospa_run(truth, tracks, c=C, p=1.0)
    assert time.perf_counter() - began < 20.0  # generous: the test machine is shared
    assert run.times.size == frames
    np.testing.assert_array_equal(run.n_assigned + run.n_missed, count)
    assert run.n_false.sum() < 0.001 * kept.sum()  # 10 m noise, 1 km spacing: all assigned
