"""Motion models shared by the simulator and the tracker.

State is position and velocity in ECEF metres and metres per second, six numbers per object.

* **Nearly constant velocity** (NCV, also "white-noise acceleration"; Bar-Shalom, Li and
  Kirubarajan, *Estimation with Applications to Tracking and Navigation*, §6.3.2): the
  transition ``[[I, dt I], [0, I]]`` and the discrete process noise with spectral density q
  (m²/s³) per axis.
* **Coordinated turn** (ibid. §11.7.1): constant speed, constant turn rate ω (rad/s, positive
  counter-clockwise seen from above) in the local horizontal plane, the vertical velocity kept.
  The plane is the tangent plane whose normal is the ellipsoid's up-vector at the object.

All functions are vectorised over N objects; each may have its own ω and dt.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_SMALL_TURN = 1e-9  # rad/s below which the turn formulae are replaced by their limits


def constant_velocity_transition(dt: npt.ArrayLike) -> FloatArray:
    """Transition matrices (N, 6, 6) (or (6, 6) for a scalar dt) of the NCV model."""
    d = np.asarray(dt, float)
    eye = np.eye(3)
    out = np.zeros((*d.shape, 6, 6))
    out[..., :3, :3] = eye
    out[..., 3:, 3:] = eye
    out[..., :3, 3:] = d[..., None, None] * eye
    return out


def constant_velocity_noise(dt: npt.ArrayLike, q: npt.ArrayLike) -> FloatArray:
    """Discrete process noise (N, 6, 6) of the NCV model, spectral density q per axis."""
    d = np.asarray(dt, float)
    qq = np.broadcast_to(np.asarray(q, float), d.shape)
    eye = np.eye(3)
    out = np.zeros((*d.shape, 6, 6))
    out[..., :3, :3] = (qq * d**3 / 3.0)[..., None, None] * eye
    out[..., :3, 3:] = (qq * d**2 / 2.0)[..., None, None] * eye
    out[..., 3:, :3] = out[..., :3, 3:]
    out[..., 3:, 3:] = (qq * d)[..., None, None] * eye
    return out


def constant_velocity_propagate(
    position: FloatArray, velocity: FloatArray, dt: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Noise-free NCV step."""
    d = np.asarray(dt, float)[..., None]
    return position + velocity * d, velocity.copy()


def coordinated_turn_propagate(
    position: FloatArray,
    velocity: FloatArray,
    omega: npt.ArrayLike,
    dt: npt.ArrayLike,
    up: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Noise-free coordinated-turn step in the horizontal plane normal to ``up`` (unit vectors).

    With horizontal velocity v_h, its left-hand perpendicular w = up × v_h, turn rate ω and
    step dt: p' = p + sin(ωdt)/ω v_h + (1 − cos(ωdt))/ω w + v_z dt and
    v' = cos(ωdt) v_h + sin(ωdt) w + v_z, the closed form of a constant-rate turn.
    """
    w_rate, d = np.broadcast_arrays(np.asarray(omega, float), np.asarray(dt, float))
    vertical = np.sum(velocity * up, axis=-1, keepdims=True) * up
    horizontal = velocity - vertical
    left = np.cross(up, horizontal)
    angle = w_rate * d
    small = np.abs(w_rate) < _SMALL_TURN
    safe = np.where(small, 1.0, w_rate)
    a = np.where(small, d, np.sin(angle) / safe)[..., None]
    # (1 − cos θ)/ω written as 2 sin²(θ/2)/ω, which does not cancel to 0 for small θ.
    b = np.where(small, 0.5 * w_rate * d * d, 2.0 * np.sin(0.5 * angle) ** 2 / safe)[..., None]
    new_position = position + a * horizontal + b * left + vertical * d[..., None]
    new_velocity = (
        np.cos(angle)[..., None] * horizontal + np.sin(angle)[..., None] * left + vertical
    )
    return new_position, new_velocity


def coordinated_turn_jacobian(
    velocity: FloatArray, omega: npt.ArrayLike, dt: npt.ArrayLike, up: FloatArray
) -> FloatArray:
    """Jacobian (N, 6, 6) of :func:`coordinated_turn_propagate` with respect to the state at
    fixed ω — the transition an extended filter uses for the turn model of an IMM."""
    n = up.shape[0]
    w_rate = np.broadcast_to(np.asarray(omega, float), (n,))
    d = np.broadcast_to(np.asarray(dt, float), (n,))
    angle = w_rate * d
    small = np.abs(w_rate) < _SMALL_TURN
    safe = np.where(small, 1.0, w_rate)
    a = np.where(small, d, np.sin(angle) / safe)
    b = np.where(small, 0.5 * w_rate * d * d, 2.0 * np.sin(0.5 * angle) ** 2 / safe)
    eye = np.broadcast_to(np.eye(3), (n, 3, 3))
    projector = np.einsum("ni,nj->nij", up, up)
    horizontal = eye - projector
    cross = np.zeros((n, 3, 3))  # matrix of v ↦ up × v
    cross[:, 0, 1], cross[:, 0, 2] = -up[:, 2], up[:, 1]
    cross[:, 1, 0], cross[:, 1, 2] = up[:, 2], -up[:, 0]
    cross[:, 2, 0], cross[:, 2, 1] = -up[:, 1], up[:, 0]
    left = np.einsum("nij,njk->nik", cross, horizontal)
    out = np.zeros((n, 6, 6))
    out[:, :3, :3] = eye
    out[:, :3, 3:] = (
        a[:, None, None] * horizontal + b[:, None, None] * left + d[:, None, None] * projector
    )
    out[:, 3:, 3:] = (
        np.cos(angle)[:, None, None] * horizontal + np.sin(angle)[:, None, None] * left + projector
    )
    return out
