"""Compiled loops of ``gating.candidates``: each track's reach for the spatial pre-gate, and,
for position fixes (H = [I 0]), each candidate pair's constant-velocity extrapolation,
innovation, innovation covariance S = Ppp + R, and Mahalanobis distance and log-likelihood, in
one pass without gathering the tracks' arrays. The same arithmetic as the vectorised path
(``extrapolate_position``, ``kalman``'s closed-form 3×3 inverse); built with the other
compiled loops (``compiled``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_LOG_2PI = math.log(2.0 * math.pi)


@njit(cache=True, nogil=True, error_model="numpy")
def score_fixes(member, local, x, P, dt, q, z, R, gate):  # type: ignore[no-untyped-def]
    """Pairs (report ``member[k]``, track ``local[k]``): tracks' x (n, 6), P (n, 6, 6), the
    pair's time step ``dt[k]``, NCV noise ``q``; reports' z (m, 3) and R (m, 3, 3). Returns
    (inside the gate with S positive definite, d², ½(d² + ln det 2πS))."""
    n = member.shape[0]
    inside = np.zeros(n, np.bool_)
    d2 = np.empty(n)
    nll = np.empty(n)
    S = np.empty((3, 3))
    nu = np.empty(3)
    for k in range(n):
        i, j, d = member[k], local[k], dt[k]
        noise = q * abs(d) ** 3 / 3.0
        for a in range(3):
            nu[a] = z[i, a] - (x[j, a] + x[j, 3 + a] * d)
            for b in range(3):
                pv = P[j, a, 3 + b] + P[j, 3 + b, a]  # Ppv + Ppvᵀ
                S[a, b] = P[j, a, b] + d * pv + d * d * P[j, 3 + a, 3 + b] + R[i, a, b]
            S[a, a] += noise
        for a in range(3):
            for b in range(a):
                S[a, b] = S[b, a] = 0.5 * (S[a, b] + S[b, a])
        sa, sb, sc = S[0, 0], S[0, 1], S[0, 2]
        sd, se, sf = S[1, 1], S[1, 2], S[2, 2]
        ca, cb, cc = sd * sf - se * se, sc * se - sb * sf, sb * se - sc * sd
        det = sa * ca + sb * cb + sc * cc
        i00, i01, i02 = ca / det, cb / det, cc / det
        i11, i12, i22 = (
            (sa * sf - sc * sc) / det,
            (sb * sc - sa * se) / det,
            (sa * sd - sb * sb) / det,
        )
        u, v, w = nu[0], nu[1], nu[2]
        m2 = (
            u * (i00 * u + i01 * v + i02 * w)
            + v * (i01 * u + i11 * v + i12 * w)
            + w * (i02 * u + i12 * v + i22 * w)
        )
        d2[k] = m2
        inside[k] = m2 <= gate and det > 0.0
        nll[k] = 0.5 * (m2 + math.log(det) + 3.0 * _LOG_2PI) if det > 0.0 else math.inf
    return inside, d2, nll


@njit(cache=True, nogil=True, error_model="numpy")
def track_reach(x, P, t, t_ref, q, gate, spread):  # type: ignore[no-untyped-def]
    """Tracks' positions at ``t_ref`` (n, 3) and their gate reach (n,): √gate × the largest
    extrapolated position σ (a bound: the diagonal of P_pp + 2 dt P_pv + dt² P_vv + q|dt|³/3)
    plus speed × ``spread`` (how far the reports' times stray from ``t_ref``)."""
    n = x.shape[0]
    pos = np.empty((n, 3))
    reach = np.empty(n)
    for r in range(n):
        d = t_ref - t[r]
        bound = 0.0
        speed2 = 0.0
        for a in range(3):
            pos[r, a] = x[r, a] + x[r, 3 + a] * d
            v = P[r, a, a] + 2 * d * P[r, a, 3 + a] + d * d * P[r, 3 + a, 3 + a]
            if a == 0 or v > bound or v != v:  # the largest; NaN propagates as in NumPy
                bound = v
            speed2 += x[r, 3 + a] * x[r, 3 + a]
        bound += q * abs(d) ** 3 / 3.0
        reach[r] = math.sqrt(gate * bound) + math.sqrt(speed2) * spread
    return pos, reach
