"""Compiled per-track loops for the filter's hot paths: IMM mixing and prediction, moment
matching, and the Kalman update — the names the filter calls, taken from ``compiled.loops()``
(the ahead-of-time built extension, or Numba's JIT), so that importing the tracker imports
no Numba. The loops and their measurements are in ``filter_loops``.

Conventions: state (x, y, z, vx, vy, vz) in ECEF metres; per-model arrays are laid out as in
``TrackStore`` — x (N, M, 6), P (N, M, 6, 6), mu (N, M); float64 (arrays updated in place
must be float64 already), rows int64.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from dronewall.tracking import compiled

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def mix_tracks(
    x: FloatArray, P: FloatArray, mu: FloatArray, dt: FloatArray, sojourn: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """IMM mixing of N tracks: (x0, P0, mu_pred)."""
    return _loops().mix_tracks(_f(x), _f(P), _f(mu), _f(dt), float(sojourn))  # type: ignore[no-any-return]


def predict_rows(
    x: FloatArray,
    P: FloatArray,
    mu: FloatArray,
    t: FloatArray,
    rows: IntArray,
    t_new: FloatArray,
    up: FloatArray,
    omega: FloatArray,
    q: FloatArray,
    sojourn: float,
) -> None:
    """Mix and predict the tracks at ``rows`` to times ``t_new``, in place in the store's
    arrays. ``up`` (len(rows), 3) is the local vertical of each; rows must be distinct."""
    _loops().predict_rows(
        x, P, mu, t, _i(rows), _f(t_new), _f(up), _f(omega), _f(q), float(sojourn)
    )


def cv_step(x: FloatArray, P: FloatArray, dt: FloatArray, q: float) -> None:
    """Nearly-constant-velocity prediction of x (n, 6) and P (n, 6, 6) by ``dt``, in place."""
    _loops().cv_step(x, P, _f(dt), float(q))


def combine_rows(
    x: FloatArray, P: FloatArray, mu: FloatArray, rows: IntArray
) -> tuple[FloatArray, FloatArray]:
    """One moment-matched estimate per track at ``rows``: (n, 6), (n, 6, 6)."""
    return _loops().combine_rows(_f(x), _f(P), _f(mu), _i(rows))  # type: ignore[no-any-return]


def update_rows(
    x: FloatArray, P: FloatArray, rows: IntArray, nu: FloatArray, H: FloatArray, R: FloatArray
) -> FloatArray:
    """Kalman update, in place, of every model of the tracks at ``rows``; pair ``r·M + j`` of
    ``nu``, ``H``, ``R`` is row ``rows[r]``, model ``j``. The log-likelihoods (len(rows), M)."""
    return _loops().update_rows(x, P, _i(rows), _f(nu), _f(H), _f(R))  # type: ignore[no-any-return]


def _loops() -> Any:
    return compiled.loops()


# Arguments only read are converted to the built entry points' types (free when they are
# already); arrays updated in place must be float64 already, or the update would be lost.
def _f(a: npt.ArrayLike) -> FloatArray:
    return np.asarray(a, np.float64)


def _i(a: npt.ArrayLike) -> IntArray:
    return np.asarray(a, np.int64)
