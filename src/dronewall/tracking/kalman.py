"""The (extended) Kalman update, vectorised over many (track, measurement) pairs.

Covariance update in the symmetric form P − K S Kᵀ, re-symmetrised (Bar-Shalom et al.
§5.2.3). Angular components of the innovation are wrapped to (−180°, 180°]. Returns the
log-likelihood of each innovation for the IMM's model probabilities.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def innovation(z: FloatArray, z_pred: FloatArray, angular: BoolArray) -> FloatArray:
    nu = z - z_pred
    wrapped = np.mod(nu + 180.0, 360.0) - 180.0
    return np.where(angular, wrapped, nu)


def innovation_covariance(P: FloatArray, H: FloatArray, R: FloatArray) -> FloatArray:
    return H @ P @ np.swapaxes(H, -1, -2) + R


def mahalanobis2(nu: FloatArray, S: FloatArray) -> FloatArray:
    solved = np.linalg.solve(S, nu[..., None])[..., 0]
    return np.asarray(np.einsum("...i,...i->...", nu, solved), float)


def update(
    x: FloatArray, P: FloatArray, nu: FloatArray, H: FloatArray, R: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Updated state (K,6), covariance (K,6,6) and innovation log-likelihood (K,).

    Every measurement model here depends on position only (H is zero on velocity), so the
    products use the position columns alone: P Hᵀ = P[:, :, :3] Hpᵀ.
    """
    Hp = H[:, :, :3]
    PHt = P[:, :, :3] @ np.swapaxes(Hp, -1, -2)  # (K, 6, m)
    S = Hp @ PHt[:, :3, :] + R
    S_inv = np.linalg.inv(S)
    gain = PHt @ S_inv
    x_new = x + np.einsum("kij,kj->ki", gain, nu)
    P_new = P - gain @ np.swapaxes(PHt, -1, -2)
    P_new = 0.5 * (P_new + np.swapaxes(P_new, -1, -2))
    d2 = np.einsum("ki,kij,kj->k", nu, S_inv, nu)
    _, logdet = np.linalg.slogdet(2.0 * np.pi * S)
    return x_new, P_new, -0.5 * (d2 + logdet)
