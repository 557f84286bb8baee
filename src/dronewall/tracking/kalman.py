"""The (extended) Kalman update, vectorised over many (track, measurement) pairs.

Covariance update in the symmetric form P − K S Kᵀ, re-symmetrised (Bar-Shalom et al.
§5.2.3). Angular components of the innovation are wrapped to (−180°, 180°]. Returns the
log-likelihood of each innovation for the IMM's model probabilities.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dronewall.tracking import kernels

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def innovation(z: FloatArray, z_pred: FloatArray, angular: BoolArray) -> FloatArray:
    nu = z - z_pred
    wrapped = np.mod(nu + 180.0, 360.0) - 180.0
    return np.where(angular, wrapped, nu)


def innovation_covariance(P: FloatArray, H: FloatArray, R: FloatArray) -> FloatArray:
    return H @ P @ np.swapaxes(H, -1, -2) + R


def mahalanobis2(nu: FloatArray, S: FloatArray) -> FloatArray:
    S_inv, _ = inverse_and_determinant(S)
    return np.asarray(np.einsum("ki,kij,kj->k", nu, S_inv, nu), float)


def inverse_and_determinant(S: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Inverses and determinants of many small symmetric matrices (K, m, m).

    For m ≤ 3 the closed forms (cofactors) are several times faster than batched LAPACK on
    the few-thousand matrices of a time slice; larger m falls back to numpy.linalg.
    """
    m = S.shape[-1]
    if m == 1:
        det = S[:, 0, 0].copy()
        return 1.0 / S, det
    if m == 2:
        a, b, d = S[:, 0, 0], S[:, 0, 1], S[:, 1, 1]
        det = a * d - b * b
        inv = np.empty_like(S)
        inv[:, 0, 0], inv[:, 1, 1] = d / det, a / det
        inv[:, 0, 1] = inv[:, 1, 0] = -b / det
        return inv, det
    if m == 3:
        a, b, c = S[:, 0, 0], S[:, 0, 1], S[:, 0, 2]
        d, e, f = S[:, 1, 1], S[:, 1, 2], S[:, 2, 2]
        A = d * f - e * e
        B = c * e - b * f
        C = b * e - c * d
        det = a * A + b * B + c * C
        inv = np.empty_like(S)
        inv[:, 0, 0] = A / det
        inv[:, 0, 1] = inv[:, 1, 0] = B / det
        inv[:, 0, 2] = inv[:, 2, 0] = C / det
        inv[:, 1, 1] = (a * f - c * c) / det
        inv[:, 1, 2] = inv[:, 2, 1] = (b * c - a * e) / det
        inv[:, 2, 2] = (a * d - b * b) / det
        return inv, det
    return np.asarray(np.linalg.inv(S), float), np.asarray(np.linalg.det(S), float)


def update(
    x: FloatArray, P: FloatArray, nu: FloatArray, H: FloatArray, R: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Updated state (K,6), covariance (K,6,6) and innovation log-likelihood (K,) of K
    (state, measurement) pairs: ``update_rows`` on copies, one model per pair.

    Every measurement model here depends on position only (H is zero on velocity), so the
    products use the position columns alone: P Hᵀ = P[:, :, :3] Hpᵀ. Runs as a compiled loop
    over the pairs (``kernels.update_rows``), S factorised by Cholesky.
    """
    k = x.shape[0]
    x_new = np.array(x, float, order="C").reshape(k, 1, 6)
    P_new = np.array(P, float, order="C").reshape(k, 1, 6, 6)
    loglik = update_rows(x_new, P_new, np.arange(k), nu, H, R)
    return x_new.reshape(k, 6), P_new.reshape(k, 6, 6), loglik.reshape(k)


def update_rows(
    x: FloatArray, P: FloatArray, rows: IntArray, nu: FloatArray, H: FloatArray, R: FloatArray
) -> FloatArray:
    """``update`` of every model of the tracks at ``rows`` (distinct), in place in the
    store's arrays x (N, M, 6) and P (N, M, 6, 6); measurement ``r·M + j`` belongs to row
    ``rows[r]``, model ``j``. Returns the log-likelihoods (len(rows), M). Updating in place
    saves gathering and scattering 10,000 × 3 covariances a scan (with the compiled loop:
    23 → 7–8.5 ms, measured)."""
    return kernels.update_rows(
        x,
        P,
        np.ascontiguousarray(rows, np.int64),
        np.ascontiguousarray(nu, float),
        np.ascontiguousarray(H, float),
        np.ascontiguousarray(R, float),
    )
