"""Interacting multiple model (IMM) prediction over all tracks at once.

Each track carries M model-conditioned estimates (M = 1 for plain NCV; 3 for NCV plus a left
and a right coordinated turn at a fixed rate). One call mixes (Blom and Bar-Shalom, "The
interacting multiple model algorithm for systems with Markovian switching coefficients",
IEEE TAC 1988) and predicts every model of every track to its own time step. The switching
matrix follows from a mean sojourn time τ: stay with probability exp(−dt/τ), switch to each
other model with the rest shared evenly. The turn models reuse the simulator's coordinated
turn (``models.motion``), so tracker and simulator agree on what a turn is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dronewall.models.motion import constant_velocity_noise
from dronewall.tracking.config import TrackerConfig

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ModelSet:
    """The motion models of the IMM: turn rate per model (0 = constant velocity) and noise."""

    omega: FloatArray  # rad/s per model
    q: FloatArray  # m²/s³ per model
    mean_sojourn_s: float

    @property
    def size(self) -> int:
        return int(self.omega.shape[0])

    @classmethod
    def from_config(cls, config: TrackerConfig) -> ModelSet:
        if not config.imm or config.turn_rate_deg_s == 0:
            return cls(np.zeros(1), np.array([config.process_noise]), config.mean_sojourn_s)
        w = np.radians(config.turn_rate_deg_s)
        return cls(
            np.array([0.0, w, -w]),
            np.array([config.process_noise, config.turn_process_noise, config.turn_process_noise]),
            config.mean_sojourn_s,
        )

    def initial_probabilities(self, n: int) -> FloatArray:
        mu = np.full((n, self.size), 0.2 / max(self.size - 1, 1))
        mu[:, 0] = 1.0 if self.size == 1 else 0.8
        return mu


def switching(models: ModelSet, dt: FloatArray) -> FloatArray:
    """Model transition matrices (N, M, M) for per-track steps dt."""
    m = models.size
    if m == 1:
        return np.ones((dt.shape[0], 1, 1))
    stay = np.exp(-np.abs(dt) / models.mean_sojourn_s)
    out = np.repeat(((1.0 - stay) / (m - 1))[:, None, None], m, axis=1).repeat(m, axis=2)
    idx = np.arange(m)
    out[:, idx, idx] = stay[:, None]
    return out


def mix(
    models: ModelSet, x: FloatArray, P: FloatArray, mu: FloatArray, dt: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """IMM mixing: (x0 (N,M,6), P0 (N,M,6,6), predicted model probabilities (N,M))."""
    if models.size == 1:
        return x, P, mu
    weights = switching(models, dt) * mu[:, :, None]  # (N, i, j)
    mu_pred = weights.sum(axis=1)
    w = weights / np.maximum(mu_pred[:, None, :], 1e-300)
    # Batched matmuls rather than einsum: the same sums, 2–4× faster on 10⁴ tracks.
    n, m = w.shape[0], w.shape[1]
    wt = np.swapaxes(w, 1, 2)  # (N, j, i)
    x0 = wt @ x
    d = np.swapaxes(x[:, :, None, :] - x0[:, None, :, :], 1, 2)  # (N, j, i, 6)
    spread = np.swapaxes(wt[..., None] * d, -1, -2) @ d  # Σ_i w_ij d dᵀ
    P0 = (wt @ P.reshape(n, m, 36)).reshape(n, m, 6, 6) + spread
    return x0, P0, mu_pred


def predict(
    models: ModelSet, x: FloatArray, P: FloatArray, mu: FloatArray, dt: FloatArray, up: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Mix, then predict every model of every track by its dt (seconds, may be negative for a
    slightly late report: the state is moved back and the uncertainty still grows)."""
    x0, P0, mu_pred = mix(models, x, P, mu, dt)
    m = x0.shape[1]
    xs = np.empty_like(x0)
    Ps = np.empty_like(P0)
    geometry = _TurnGeometry(up) if np.any(models.omega != 0.0) else None
    for j in range(m):
        omega = float(models.omega[j])
        if omega == 0.0 or geometry is None:
            xs[:, j], Ps[:, j] = constant_velocity_step(x0[:, j], P0[:, j], dt, models.q[j])
        else:
            A, B = geometry.blocks(omega, dt)
            xs[:, j], Ps[:, j] = _linear_step(x0[:, j], P0[:, j], A, B)
            Ps[:, j] += constant_velocity_noise(np.abs(dt), models.q[j])
    return xs, Ps, mu_pred


class _TurnGeometry:
    """The horizontal and vertical projectors at each track, shared by the turn models.

    At a fixed turn rate the coordinated turn of ``models.motion`` is linear in the state:
    F = [[I, A], [0, B]] with A = a·Πh + b·L + dt·Πv and B = cos(ωdt)·Πh + sin(ωdt)·L + Πv,
    where Πh and Πv project on the horizontal plane and the vertical, L = [up]× Πh, a =
    sin(ωdt)/ω and b = (1 − cos ωdt)/ω. So x' = F x exactly and F is also the Jacobian
    (``models.motion.coordinated_turn_jacobian``; a test checks they agree).
    """

    def __init__(self, up: FloatArray):
        n = up.shape[0]
        self.vertical = np.einsum("ni,nj->nij", up, up)
        self.horizontal = np.eye(3)[None] - self.vertical
        cross = np.zeros((n, 3, 3))
        cross[:, 0, 1], cross[:, 0, 2] = -up[:, 2], up[:, 1]
        cross[:, 1, 0], cross[:, 1, 2] = up[:, 2], -up[:, 0]
        cross[:, 2, 0], cross[:, 2, 1] = -up[:, 1], up[:, 0]
        self.left = cross @ self.horizontal

    def blocks(self, omega: float, dt: FloatArray) -> tuple[FloatArray, FloatArray]:
        angle = omega * dt
        a = (np.sin(angle) / omega)[:, None, None]
        b = (2.0 * np.sin(angle / 2.0) ** 2 / omega)[:, None, None]
        A = a * self.horizontal + b * self.left + dt[:, None, None] * self.vertical
        B = (
            np.cos(angle)[:, None, None] * self.horizontal
            + np.sin(angle)[:, None, None] * self.left
            + self.vertical
        )
        return A, B


def _linear_step(
    x: FloatArray, P: FloatArray, A: FloatArray, B: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """x' = F x and F P Fᵀ for F = [[I, A], [0, B]], in 3×3 blocks."""
    p, v = x[:, :3], x[:, 3:]
    x_new = np.concatenate(
        [p + np.einsum("nij,nj->ni", A, v), np.einsum("nij,nj->ni", B, v)], axis=1
    )
    pp, pv, vv = P[:, :3, :3], P[:, :3, 3:], P[:, 3:, 3:]
    At, Bt = np.swapaxes(A, -1, -2), np.swapaxes(B, -1, -2)
    A_vv = A @ vv
    out = np.empty_like(P)
    out[:, :3, :3] = pp + A @ np.swapaxes(pv, -1, -2) + pv @ At + A_vv @ At
    out[:, :3, 3:] = (pv + A_vv) @ Bt
    out[:, 3:, :3] = np.swapaxes(out[:, :3, 3:], -1, -2)
    out[:, 3:, 3:] = B @ vv @ Bt
    return x_new, out


def constant_velocity_step(
    x: FloatArray, P: FloatArray, dt: FloatArray, q: float
) -> tuple[FloatArray, FloatArray]:
    """NCV prediction F x, F P Fᵀ + Q written out in 3×3 blocks (same result as the matrix
    form in ``models.motion``, several times faster on many tracks)."""
    d = dt[:, None, None]
    pp, pv, vp, vv = P[:, :3, :3], P[:, :3, 3:], P[:, 3:, :3], P[:, 3:, 3:]
    out = np.empty_like(P)
    out[:, :3, :3] = pp + d * (pv + vp) + d * d * vv
    out[:, :3, 3:] = pv + d * vv
    out[:, 3:, :3] = vp + d * vv
    out[:, 3:, 3:] = vv
    ad = np.abs(dt)
    q_pp, q_pv, q_vv = q * ad**3 / 3.0, q * ad**2 / 2.0, q * ad
    for i in range(3):  # the white-noise acceleration Q, added on its non-zero diagonals
        out[:, i, i] += q_pp
        out[:, i, i + 3] += q_pv
        out[:, i + 3, i] += q_pv
        out[:, i + 3, i + 3] += q_vv
    x_new = x.copy()
    x_new[:, :3] += x[:, 3:] * dt[:, None]
    return x_new, out


def combine(x: FloatArray, P: FloatArray, mu: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Moment-matched single estimate (N,6), (N,6,6) of the IMM mixture."""
    if x.shape[1] == 1:
        return x[:, 0], P[:, 0]
    n, m = mu.shape
    xc = (mu[:, None, :] @ x)[:, 0]
    d = x - xc[:, None, :]
    Pc = (mu[:, None, :] @ P.reshape(n, m, 36)).reshape(n, 6, 6)
    Pc += np.swapaxes(mu[..., None] * d, 1, 2) @ d
    return xc, Pc
