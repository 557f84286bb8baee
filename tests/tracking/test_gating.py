"""Gating: the compiled reach of each track is the vectorised bound, and the compiled pass over
position-fix candidates gives the vectorised path's Mahalanobis distances, log-likelihoods and
gate decisions."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.tracking import compiled, kalman
from dronewall.tracking.gating import extrapolate_position


def _spd(rng: np.random.Generator, n: int, size: int, scale: float) -> np.ndarray:
    a = rng.normal(0.0, scale, (n, size, size))
    return np.asarray(a @ np.swapaxes(a, 1, 2) + scale**2 * np.eye(size), float)


@pytest.mark.parametrize("seed", range(4))
def test_compiled_fix_scores_equal_the_vectorised_path(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_tracks, n_reports, n_pairs = 40, 30, 200
    x = rng.normal(0.0, 1e4, (n_tracks, 6))
    x[:, 3:] = rng.normal(0.0, 30.0, (n_tracks, 3))
    P = _spd(rng, n_tracks, 6, 20.0)
    z = x[rng.integers(0, n_tracks, n_reports), :3] + rng.normal(0.0, 50.0, (n_reports, 3))
    R = _spd(rng, n_reports, 3, 10.0)
    member = rng.integers(0, n_reports, n_pairs)
    local = rng.integers(0, n_tracks, n_pairs)
    dt = rng.uniform(-0.5, 2.0, n_pairs)
    q, gate = 1.0, 16.0
    inside, d2, nll = compiled.loops().score_fixes(member, local, x, P, dt, q, z, R, gate)
    pos, Ppp = extrapolate_position(x[local], P[local], dt, q)
    S = Ppp + R[member]
    S_inv, det = kalman.inverse_and_determinant(0.5 * (S + np.swapaxes(S, -1, -2)))
    nu = z[member] - pos
    ref_d2 = np.einsum("ki,kij,kj->k", nu, S_inv, nu)
    np.testing.assert_allclose(d2, ref_d2, rtol=1e-9)
    np.testing.assert_allclose(nll, 0.5 * (ref_d2 + np.log(det) + 3 * np.log(2 * np.pi)), rtol=1e-9)
    assert inside.tolist() == ((ref_d2 <= gate) & (det > 0)).tolist()
    assert 0 < inside.sum() < n_pairs  # the test sees both sides of the gate


def test_compiled_track_reach_equals_the_vectorised_bound() -> None:
    rng = np.random.default_rng(9)
    n = 300
    x = rng.normal(0.0, 1e4, (n, 6))
    P = _spd(rng, n, 6, 15.0)
    t = rng.uniform(0.0, 3.0, n)
    t_ref, q, gate, spread = 2.5, 1.0, 16.0, 0.4
    pos, reach = compiled.loops().track_reach(x, P, t, t_ref, q, gate, spread)
    d = (t_ref - t)[:, None]
    pp, pv, vv = (np.diagonal(P[:, a:b, c:e], axis1=1, axis2=2) for a, b, c, e in
                  ((0, 3, 0, 3), (0, 3, 3, 6), (3, 6, 3, 6)))  # fmt: skip
    bound = (pp + 2 * d * pv + d * d * vv).max(axis=1) + q * np.abs(d[:, 0]) ** 3 / 3.0
    speed = np.linalg.norm(x[:, 3:], axis=1)
    np.testing.assert_allclose(pos, x[:, :3] + x[:, 3:] * d, rtol=1e-12)
    np.testing.assert_allclose(reach, np.sqrt(gate * bound) + speed * spread, rtol=1e-12)
