"""Global nearest neighbour: the sparse solver agrees with brute force."""

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


@pytest.mark.parametrize("dense_limit", [0, 10_000])  # the sparse and the dense path
@pytest.mark.parametrize("seed", range(12))
def test_assignment_is_optimal(
    seed: int, dense_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(association, "DENSE_LIMIT", dense_limit)
    rng = np.random.default_rng(seed)
    pairs = []
    for t in range(5):
        for r in range(5):
            if rng.uniform() < 0.45:
                pairs.append((t + 10, r + 100, float(rng.uniform(0, 1))))
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


def test_clusters_are_counted_on_the_sparse_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(association, "DENSE_LIMIT", 0)
    t = np.array([0, 0, 1, 5, 6], np.int64)
    r = np.array([0, 1, 1, 7, 8], np.int64)
    result = association.assign(t, r, np.full(5, 0.1), 0.5)
    assert result.clusters == 3  # {0,1 | 0,1}, {5 | 7}, {6 | 8}
    assert result.largest_cluster == 4
    assert result.track.size == 4
