"""Global nearest neighbour: the compiled cluster solver and the sparse fallback agree with
brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from dronewall.tracking import association


def _brute_force(pairs: list[tuple[int, int, float]], unassigned: float) -> float:
    best = np.inf
    tracks = sorted({p[0] for p in pairs})
    reports = sorted({p[1] for p in pairs})
    cost = {(t, r): c for t, r, c in pairs}
    options = [None, *reports]
    for choice in itertools.product(options, repeat=len(tracks)):
        taken = [c for c in choice if c is not None]
        if len(taken) != len(set(taken)) or any(
            (t, c) not in cost for t, c in zip(tracks, choice, strict=False) if c is not None
        ):
            continue
        total = sum(cost[(t, c)] for t, c in zip(tracks, choice, strict=False) if c is not None)
        total += unassigned * (len(tracks) - len(taken)) + unassigned * (len(reports) - len(taken))
        best = min(best, total)
    return best


@pytest.mark.parametrize("dense_cells", [0, 10_000])  # scipy's sparse path and the compiled one
@pytest.mark.parametrize("seed", range(12))
def test_assignment_is_optimal(
    seed: int, dense_cells: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(association, "DENSE_CLUSTER_CELLS", dense_cells)
    rng = np.random.default_rng(seed)
    pairs = []
    for ti in range(5):
        for ri in range(5):
            if rng.uniform() < 0.45:
                pairs.append((ti + 10, ri + 100, float(rng.uniform(0, 1))))
    if not pairs:
        return
    t, r, c = (np.array(v) for v in zip(*pairs, strict=False))
    result = association.assign(t.astype(np.int64), r.astype(np.int64), c, 0.5)
    lookup = {(a, b): w for a, b, w in pairs}
    total = sum(lookup[(int(a), int(b))] for a, b in zip(result.track, result.report, strict=False))
    n_t, n_r = len(set(t)), len(set(r))
    total += 0.5 * (n_t - result.track.size) + 0.5 * (n_r - result.report.size)
    assert len(set(result.track.tolist())) == result.track.size  # one report per track
    assert len(set(result.report.tolist())) == result.report.size
    assert total == pytest.approx(_brute_force(pairs, 0.5))


def test_clusters_are_counted() -> None:
    t = np.array([0, 0, 1, 5, 6], np.int64)
    r = np.array([0, 1, 1, 7, 8], np.int64)
    result = association.assign(t, r, np.full(5, 0.1), 0.5)
    assert result.clusters == 3  # {0,1 | 0,1}, {5 | 7}, {6 | 8}
    assert result.largest_cluster == 4
    assert result.track.size == 4


@pytest.mark.parametrize("seed", range(6))
def test_many_clusters_at_once_equal_scipy_per_cluster(seed: int) -> None:
    """A scan-sized problem (hundreds of clusters of many shapes, rectangular both ways,
    duplicate-free): the compiled solver's total cost equals scipy's optimum."""
    from scipy.optimize import linear_sum_assignment
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    rng = np.random.default_rng(100 + seed)
    tracks, reports, costs = [], [], []
    for block in range(300):
        nt, nr = rng.integers(1, 6, size=2)
        for ti in range(nt):
            for ri in range(nr):
                if rng.uniform() < 0.6:
                    tracks.append(10 * block + ti)
                    reports.append(10 * block + ri)
                    costs.append(rng.uniform(0.0, 1.5))
    t, r, c = np.array(tracks), np.array(reports), np.array(costs)
    result = association.assign(t, r, c, 0.5)
    lookup = {(a, b): w for a, b, w in zip(tracks, reports, costs, strict=True)}
    got = sum(
        lookup[(int(a), int(b))] - 1.0 for a, b in zip(result.track, result.report, strict=True)
    )
    ut, tl = np.unique(t, return_inverse=True)
    ur, rl = np.unique(r, return_inverse=True)
    gain = np.zeros((ut.size, ur.size))
    gain[tl, rl] = np.minimum(c - 1.0, 0.0)
    row, col = linear_sum_assignment(gain)
    assert got == pytest.approx(gain[row, col].sum())
    assert len(set(result.track.tolist())) == result.track.size
    assert len(set(result.report.tolist())) == result.report.size
    graph = coo_array((np.ones(t.size), (tl, ut.size + rl)), shape=(ut.size + ur.size,) * 2)
    n, labels = connected_components(graph, directed=False)
    assert result.clusters == n
    assert result.largest_cluster == np.bincount(labels).max()


def test_a_cluster_too_large_goes_to_the_sparse_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(association, "DENSE_CLUSTER_CELLS", 3)
    t = np.array([0, 0, 1, 1, 7], np.int64)
    r = np.array([0, 1, 0, 1, 9], np.int64)
    result = association.assign(t, r, np.array([0.1, 0.9, 0.9, 0.1, 0.2]), 0.5)
    assert sorted(zip(result.track.tolist(), result.report.tolist(), strict=True)) == [
        (0, 0),
        (1, 1),
        (7, 9),
    ]
