"""Gating: which (track, report) pairs are worth scoring, then their Mahalanobis distance.

Spatial pre-gating first, so the work grows with the number of nearby pairs rather than
tracks × reports: reports with a point estimate (position fixes, radar plots) are paired with
tracks within a radius set by both uncertainties, through a uniform grid (``grid.py``);
bearings with tracks within their sensor's range, through k-d trees. Then each candidate's
innovation is scored against its own covariance and kept inside the χ² gate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dronewall.tracking import compiled, grid, kalman
from dronewall.tracking.measurements import Geometry, MeasurementGroup
from dronewall.tracking.store import TrackStore

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Candidates:
    track: IntArray  # store rows
    member: IntArray  # rows within the measurement group
    d2: FloatArray  # Mahalanobis distance squared
    nll: FloatArray  # negative log-likelihood ½(d² + ln det 2πS): the assignment cost


def track_radius(P: FloatArray, gate: float) -> FloatArray:
    """Gate radius (m) of each track's position uncertainty: √gate × largest position σ."""
    variances = np.diagonal(P[:, :3, :3], axis1=1, axis2=2)
    return np.asarray(np.sqrt(gate * variances.max(axis=1)), float)


def candidates(
    group: MeasurementGroup,
    times: FloatArray,
    max_range: FloatArray,
    store: TrackStore,
    track_rows: IntArray,
    combined: tuple[FloatArray, FloatArray],
    gate: float,
) -> Candidates:
    """Gated pairs between the group's reports (times and sensor ranges per member) and the
    given tracks, whose combined estimates ``combined`` are passed in (computed once per
    round)."""
    empty = Candidates(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    if track_rows.size == 0 or group.rows.size == 0:
        return empty
    t_ref = float(np.median(times))
    x_all, P_all = combined
    t_all = store.t[track_rows]
    q = float(store.models.q.max())
    spread = float(np.max(np.abs(times - t_ref)))
    pos_ref, reach_t = compiled.loops().track_reach(x_all, P_all, t_all, t_ref, q, gate, spread)
    point_geometry = group.geometry in (Geometry.POSITION, Geometry.RADAR)
    reach_r = _report_radius(group, gate) if point_geometry else max_range
    if point_geometry and np.isfinite(reach_r).all() and np.isfinite(reach_t).all():
        member, local, _ = grid.near_pairs(group.point, reach_r, pos_ref, reach_t)
    else:  # bearings (from each sensor's position, out to its range), or unbounded reach
        from scipy.spatial import cKDTree  # here: 0.25 s to import, and only bearings need it

        found = cKDTree(
            group.point if point_geometry else group.sensor_ecef
        ).sparse_distance_matrix(
            cKDTree(pos_ref), float(reach_r.max() + reach_t.max()), output_type="ndarray"
        )
        member, local = found["i"].astype(np.int64), found["j"].astype(np.int64)
        keep = found["v"] <= reach_r[member] + reach_t[local]
        member, local = member[keep], local[keep]
    if member.size == 0:
        return empty
    rows = track_rows[local]
    if group.geometry is Geometry.POSITION:  # fixes: one compiled pass over the pairs
        inside, d2, nll = compiled.loops().score_fixes(
            member, local, x_all, P_all, times[member] - t_all[local], q, group.z, group.R, gate
        )
        return Candidates(rows[inside], member[inside], d2[inside], nll[inside])
    pos, Ppp = extrapolate_position(x_all[local], P_all[local], times[member] - t_all[local], q)
    z_pred, H = group.predict(pos, member)
    nu = kalman.innovation(group.z[member], z_pred, group.angular)
    S = kalman.innovation_covariance(Ppp, H[:, :, :3], group.R[member])  # H is 0 on velocity
    S_inv, det = kalman.inverse_and_determinant(0.5 * (S + np.swapaxes(S, -1, -2)))
    d2 = np.einsum("ki,kij,kj->k", nu, S_inv, nu)
    inside = (d2 <= gate) & (det > 0)
    logdet = np.log(det[inside]) + S.shape[-1] * np.log(2.0 * np.pi)
    return Candidates(rows[inside], member[inside], d2[inside], 0.5 * (d2[inside] + logdet))


def extrapolate_position(
    x: FloatArray, P: FloatArray, dt: FloatArray, q: float
) -> tuple[FloatArray, FloatArray]:
    """Position (n, 3) and its covariance block (n, 3, 3) after a constant-velocity step —
    all that gating needs, since every measurement model depends on position only."""
    d = dt[:, None, None]
    Ppv = P[:, :3, 3:]
    Ppp = P[:, :3, :3] + d * (Ppv + np.swapaxes(Ppv, -1, -2)) + d * d * P[:, 3:, 3:]
    Ppp = Ppp + (q * np.abs(dt) ** 3 / 3.0)[:, None, None] * np.eye(3)
    return x[:, :3] + x[:, 3:] * dt[:, None], Ppp


def _report_radius(group: MeasurementGroup, gate: float) -> FloatArray:
    """Gate radius (m) of each report's own position uncertainty."""
    if group.geometry is Geometry.POSITION:
        variances = np.diagonal(group.R, axis1=1, axis2=2).max(axis=1)
        return np.asarray(np.sqrt(gate * variances), float)
    rng = group.z[:, 0]
    sigmas = np.sqrt(np.diagonal(group.R, axis1=1, axis2=2))
    cross = rng * np.radians(np.maximum(sigmas[:, 1], sigmas[:, 2]))
    return np.asarray(np.sqrt(gate) * np.maximum(sigmas[:, 0], cross), float)
