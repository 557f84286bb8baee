"""Filters against closed-form results."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.models.motion import constant_velocity_noise, constant_velocity_transition
from dronewall.tracking import kalman, motion
from dronewall.tracking.config import TrackerConfig
from dronewall.tracking.motion import ModelSet


def test_kalman_update_equals_information_form() -> None:
    rng = np.random.default_rng(1)
    A = rng.normal(size=(6, 6))
    P = A @ A.T + 6 * np.eye(6)
    x = rng.normal(size=6)
    H = np.zeros((3, 6))
    H[:, :3] = np.eye(3)
    R = np.diag([4.0, 9.0, 1.0])
    z = rng.normal(size=3)
    x_new, P_new, _ = kalman.update(x[None], P[None], (z - H @ x)[None], H[None], R[None])
    info = np.linalg.inv(P) + H.T @ np.linalg.inv(R) @ H  # closed form: information filter
    P_ref = np.linalg.inv(info)
    x_ref = P_ref @ (np.linalg.inv(P) @ x + H.T @ np.linalg.inv(R) @ z)
    np.testing.assert_allclose(P_new[0], P_ref, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(x_new[0], x_ref, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_compiled_update_equals_information_form_in_every_dimension(dim: int) -> None:
    """Bearings (1–2 dimensions) and fixes (3): the compiled update against the closed form,
    for a batch whose pairs all differ, with the innovation log-likelihood."""
    rng = np.random.default_rng(10 + dim)
    k = 20
    A = rng.normal(size=(k, 6, 6))
    P = A @ np.swapaxes(A, -1, -2) + 2 * np.eye(6)
    x = rng.normal(size=(k, 6))
    H = np.zeros((k, dim, 6))
    H[:, :, :3] = rng.normal(size=(k, dim, 3))
    B = rng.normal(size=(k, dim, dim))
    R = B @ np.swapaxes(B, -1, -2) + np.eye(dim)
    nu = rng.normal(size=(k, dim))
    x_new, P_new, loglik = kalman.update(x, P, nu, H, R)
    for i in range(k):
        S = H[i] @ P[i] @ H[i].T + R[i]
        gain = P[i] @ H[i].T @ np.linalg.inv(S)
        np.testing.assert_allclose(x_new[i], x[i] + gain @ nu[i], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(P_new[i], P[i] - gain @ S @ gain.T, rtol=1e-9, atol=1e-9)
        ref = -0.5 * (nu[i] @ np.linalg.solve(S, nu[i]) + np.log(np.linalg.det(2 * np.pi * S)))
        assert loglik[i] == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("dim", [1, 3])
def test_update_in_place_on_store_rows_equals_pairwise_update(dim: int) -> None:
    """The in-place update of chosen rows (every model of each) gives what the pairwise
    update gives, and leaves the other rows exactly as they were."""
    rng = np.random.default_rng(20 + dim)
    n, m, rows = 7, 3, np.array([5, 0, 3])
    A = rng.normal(size=(n, m, 6, 6))
    P = A @ np.swapaxes(A, -1, -2) + 2 * np.eye(6)
    x = rng.normal(size=(n, m, 6))
    k = rows.size * m
    H = np.zeros((k, dim, 6))
    H[:, :, :3] = rng.normal(size=(k, dim, 3))
    R = np.tile(np.eye(dim), (k, 1, 1))
    nu = rng.normal(size=(k, dim))
    x_ref, P_ref, ll_ref = kalman.update(x[rows].reshape(k, 6), P[rows].reshape(k, 6, 6), nu, H, R)
    x_in, P_in = x.copy(), P.copy()
    ll = kalman.update_rows(x_in, P_in, rows, nu, H, R)
    np.testing.assert_allclose(x_in[rows].reshape(k, 6), x_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(P_in[rows].reshape(k, 6, 6), P_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ll.reshape(k), ll_ref, rtol=1e-12)
    others = np.setdiff1d(np.arange(n), rows)
    assert np.array_equal(x_in[others], x[others]) and np.array_equal(P_in[others], P[others])


def test_static_target_estimate_is_the_weighted_mean() -> None:
    """n position fixes of a still target from a diffuse prior give the sample mean with
    covariance σ²/n — the textbook closed form."""
    rng = np.random.default_rng(2)
    sigma, n = 10.0, 50
    truth = np.array([1000.0, -500.0, 200.0])
    x = np.zeros((1, 6))
    P = np.eye(6)[None] * 1e12
    P[0, 3:, 3:] = np.eye(3) * 1e-12  # known to be still
    H = np.zeros((1, 3, 6))
    H[0, :, :3] = np.eye(3)
    R = np.eye(3)[None] * sigma**2
    zs = truth + rng.normal(0, sigma, (n, 3))
    for z in zs:
        nu = z[None] - x[:, :3]
        x, P, _ = kalman.update(x, P, nu, H, R)
    np.testing.assert_allclose(x[0, :3], zs.mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(np.diag(P[0])[:3], sigma**2 / n, rtol=1e-6)


def test_blockwise_cv_step_equals_matrix_form() -> None:
    rng = np.random.default_rng(3)
    A = rng.normal(size=(4, 6, 6))
    P = A @ np.swapaxes(A, -1, -2)
    x = rng.normal(size=(4, 6))
    dt = np.array([0.5, 1.0, -0.3, 4.0])
    x1, P1 = motion.constant_velocity_step(x, P, dt, 2.0)
    F = constant_velocity_transition(dt)
    Q = constant_velocity_noise(np.abs(dt), 2.0)
    np.testing.assert_allclose(x1, np.einsum("nij,nj->ni", F, x), atol=1e-12)
    np.testing.assert_allclose(P1, F @ P @ np.swapaxes(F, -1, -2) + Q, atol=1e-9)


def test_imm_with_one_model_is_a_kalman_filter() -> None:
    models = ModelSet.from_config(TrackerConfig(imm=False, process_noise=3.0))
    assert models.size == 1
    x = np.array([[[1.0, 2.0, 3.0, 10.0, 0.0, -1.0]]])
    P = np.eye(6)[None, None] * 5.0
    mu = np.ones((1, 1))
    up = np.array([[0.0, 0.0, 1.0]])
    xs, Ps, mu2 = motion.predict(models, x, P, mu, np.array([2.0]), up)
    F = constant_velocity_transition(2.0)
    np.testing.assert_allclose(xs[0, 0], F @ x[0, 0])
    np.testing.assert_allclose(Ps[0, 0], F @ P[0, 0] @ F.T + constant_velocity_noise(2.0, 3.0))
    np.testing.assert_allclose(mu2, 1.0)


def test_imm_mixing_keeps_probabilities_and_mean() -> None:
    models = ModelSet.from_config(TrackerConfig())
    m = models.size
    rng = np.random.default_rng(4)
    x = rng.normal(size=(5, m, 6))
    P = np.repeat(np.eye(6)[None, None], 5, axis=0).repeat(m, axis=1)
    mu = rng.dirichlet(np.ones(m), size=5)
    x0, P0, mu_pred = motion.mix(models, x, P, mu, np.full(5, 1.0))
    np.testing.assert_allclose(mu_pred.sum(axis=1), 1.0)
    # the mixture mean is unchanged by mixing
    np.testing.assert_allclose(
        np.einsum("nm,nmk->nk", mu_pred, x0), np.einsum("nm,nmk->nk", mu, x), atol=1e-12
    )
    assert np.all(np.linalg.eigvalsh(P0) > 0)
    # and it is the textbook sum, written out one track at a time
    pi = motion.switching(models, np.full(5, 1.0))
    for n in range(5):
        for j in range(m):
            w = pi[n, :, j] * mu[n] / mu_pred[n, j]
            x_ref = w @ x[n]
            d = x[n] - x_ref
            P_ref = sum(w[i] * (P[n, i] + np.outer(d[i], d[i])) for i in range(m))
            np.testing.assert_allclose(x0[n, j], x_ref, atol=1e-12)
            np.testing.assert_allclose(P0[n, j], P_ref, atol=1e-12)


def test_store_predict_moves_only_its_rows_in_place() -> None:
    """The store's in-place IMM step equals ``motion.predict`` of the gathered rows and
    leaves every other row as it was."""
    from dronewall.tracking.store import TrackStore, up_vectors

    rng = np.random.default_rng(6)
    store = TrackStore(ModelSet.from_config(TrackerConfig()))
    n = 9
    state = np.concatenate([np.array([3.6e6, 1.5e6, 5.0e6]) + rng.normal(0, 1e4, (n, 3)),
                            rng.normal(0, 40, (n, 3))], axis=1)  # fmt: skip
    A = rng.normal(size=(n, 6, 6))
    store.add(state, A @ np.swapaxes(A, -1, -2) + np.eye(6), np.zeros(n))
    store.mu[:] = rng.dirichlet(np.ones(store.models.size), size=n)
    before = (store.x.copy(), store.P.copy(), store.mu.copy(), store.t.copy())
    rows = np.array([7, 2, 4])
    t_new = np.array([1.5, 0.5, 2.0])
    ref = motion.predict(
        store.models, before[0][rows], before[1][rows], before[2][rows], t_new,
        up_vectors(before[0][rows, 0, :3]),
    )  # fmt: skip
    store.predict(rows, t_new)
    np.testing.assert_allclose(store.x[rows], ref[0], rtol=1e-12)
    np.testing.assert_allclose(store.P[rows], ref[1], rtol=1e-12)
    np.testing.assert_allclose(store.mu[rows], ref[2], rtol=1e-12)
    np.testing.assert_array_equal(store.t[rows], t_new)
    others = np.setdiff1d(np.arange(n), rows)
    for now, was in zip((store.x, store.P, store.mu, store.t), before, strict=True):
        np.testing.assert_array_equal(now[others], was[others])
    assert not np.allclose(store.x[rows], before[0][rows])


def test_turn_models_equal_the_shared_coordinated_turn() -> None:
    """The tracker's block form of the turn models is the simulator's coordinated turn."""
    from dronewall.models.motion import coordinated_turn_jacobian, coordinated_turn_propagate
    from dronewall.tracking.store import up_vectors

    rng = np.random.default_rng(5)
    models = ModelSet.from_config(TrackerConfig(turn_rate_deg_s=6.0, fast_turn_rate_deg_s=18.0))
    n, m = 7, models.size
    assert m == 5
    pos = np.array([3.6e6, 1.5e6, 5.0e6]) + rng.normal(0, 1e4, (n, 3))
    vel = rng.normal(0, 50, (n, 3))
    x = np.repeat(np.concatenate([pos, vel], axis=1)[:, None], m, axis=1)
    A = rng.normal(size=(n, m, 6, 6))
    P = A @ np.swapaxes(A, -1, -2)
    mu = np.full((n, m), 1 / m)
    P[:, :] = P[:, :1]  # identical model estimates: mixing leaves them as they are
    dt = rng.uniform(0.2, 3.0, n)
    up = up_vectors(pos)
    xs, Ps, _ = motion.predict(models, x, P, mu, dt, up)
    for j, omega in enumerate(models.omega):
        if omega == 0:
            continue
        w = np.full(n, omega)
        p_ref, v_ref = coordinated_turn_propagate(pos, vel, w, dt, up)
        F = coordinated_turn_jacobian(vel, w, dt, up)
        np.testing.assert_allclose(xs[:, j, :3], p_ref, rtol=0, atol=1e-6)
        np.testing.assert_allclose(xs[:, j, 3:], v_ref, rtol=0, atol=1e-9)
        Q = constant_velocity_noise(dt, models.q[j])
        np.testing.assert_allclose(
            Ps[:, j], F @ P[:, 0] @ np.swapaxes(F, -1, -2) + Q, rtol=1e-9, atol=1e-6
        )


@pytest.mark.parametrize("m", [1, 2, 3, 4])
def test_small_inverse_matches_linalg(m: int) -> None:
    rng = np.random.default_rng(m)
    A = rng.normal(size=(50, m, m))
    S = A @ np.swapaxes(A, -1, -2) + np.eye(m)
    inv, det = kalman.inverse_and_determinant(S)
    np.testing.assert_allclose(inv, np.linalg.inv(S), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(det, np.linalg.det(S), rtol=1e-9)
