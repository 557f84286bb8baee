"""The grid pre-gate finds exactly the pairs a brute-force distance check finds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewall.tracking import grid


def _brute(a: np.ndarray, ra: np.ndarray, b: np.ndarray, rb: np.ndarray) -> list[tuple[int, int]]:
    d = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    i, j = np.nonzero(d <= ra[:, None] + rb[None, :])
    return list(zip(i.tolist(), j.tolist(), strict=True))


@pytest.mark.parametrize("spread_m", [50.0, 5_000.0, 400_000.0])
def test_same_pairs_as_brute_force_around_the_earth(spread_m: float) -> None:
    rng = np.random.default_rng(int(spread_m))
    for centre in ([3.6e6, 1.5e6, 5.0e6], [-4.0e6, -2.0e6, -4.3e6], [0.0, 0.0, 6.4e6]):
        a = np.array(centre) + rng.uniform(-spread_m, spread_m, (300, 3))
        near = a[:150] + rng.normal(0, 100, (150, 3))
        b = np.concatenate([near, np.array(centre) + rng.uniform(-spread_m, spread_m, (250, 3))])
        ra, rb = rng.uniform(0, 300, 300), rng.uniform(0, 900, 400)
        i, j, d = grid.near_pairs(a, ra, b, rb)
        assert list(zip(i.tolist(), j.tolist(), strict=True)) == _brute(a, ra, b, rb)
        np.testing.assert_allclose(d, np.linalg.norm(a[i] - b[j], axis=1))


def test_duplicates_boundaries_and_empty_inputs() -> None:
    a = np.array([[0.0, 0.0, 0.0], [8.0, 8.0, 8.0], [8.0, 8.0, 8.0], [-8.0, 0.0, 0.0]])
    b = np.array([[8.0, 8.0, 8.0], [0.0, 0.0, 16.0], [-16.0, 0.0, 0.0]])
    ra, rb = np.full(4, 4.0), np.full(3, 4.0)
    i, j, _ = grid.near_pairs(a, ra, b, rb)
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == _brute(a, ra, b, rb)
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == [(1, 0), (2, 0), (3, 2)]
    empty = np.zeros((0, 3))
    assert grid.near_pairs(empty, np.zeros(0), b, rb)[0].size == 0
    assert grid.near_pairs(a, ra, empty, np.zeros(0))[0].size == 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(*[st.floats(-2000, 2000)] * 3, st.floats(0, 500)), max_size=30),
    st.lists(st.tuples(*[st.floats(-2000, 2000)] * 3, st.floats(0, 500)), max_size=30),
)
def test_fuzzed_points(pa: list[tuple[float, ...]], pb: list[tuple[float, ...]]) -> None:
    a = np.array([p[:3] for p in pa]).reshape(-1, 3) + 4.0e6
    b = np.array([p[:3] for p in pb]).reshape(-1, 3) + 4.0e6
    ra, rb = np.array([p[3] for p in pa]), np.array([p[3] for p in pb])
    i, j, _ = grid.near_pairs(a, ra, b, rb)
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == (
        _brute(a, ra, b, rb) if len(a) and len(b) else []
    )
