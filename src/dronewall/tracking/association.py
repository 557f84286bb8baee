"""Global nearest neighbour association by linear assignment.

The gate graph (tracks and reports joined where a report falls in a track's gate) splits into
independent clusters; GNN solves the minimum-cost assignment of each. We solve all clusters in
one call of the sparse Jonker–Volgenant algorithm (LAPJVsp, scipy's
``min_weight_full_bipartite_matching``): on a block-diagonal cost graph this is exactly the
per-cluster solution, without a Python loop over clusters. The graph is augmented with a
"missed" node per track and a "new" node per report (Blackman and Popoli, *Design and Analysis
of Modern Tracking Systems*, §6.5), so every track and report may stay unassigned at a cost.
Cluster sizes are reported from ``connected_components`` for monitoring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_SHIFT = 1.0  # every edge cost is shifted so that none is zero (zero means "no edge" in sparse)
DENSE_LIMIT = 4096  # tracks × reports up to which a dense solve beats building a sparse graph


@dataclass(frozen=True, slots=True)
class Assignment:
    track: IntArray  # assigned pairs
    report: IntArray
    clusters: int
    largest_cluster: int


def assign(
    track: IntArray,
    report: IntArray,
    cost: FloatArray,
    unassigned_cost: float,
    *,
    clusters: bool = True,
) -> Assignment:
    """Minimum-cost one-to-one assignment of gated (track, report) pairs; a pair is worth
    taking when its cost is below twice ``unassigned_cost`` (one for the track, one for the
    report). ``clusters=False`` skips counting the clusters (a monitoring figure only)."""
    if track.size == 0:
        return Assignment(track, report, 0, 0)
    tracks, t_local = np.unique(track, return_inverse=True)
    reports, r_local = np.unique(report, return_inverse=True)
    nt, nr = tracks.size, reports.size
    if nt * nr <= DENSE_LIMIT:
        return _assign_dense(tracks, reports, t_local, r_local, cost, unassigned_cost)
    # Rows: tracks, then a "new" node per report. Columns: reports, then a "missed" node per
    # track. Edges: gated pairs; track→its missed node; new node→its report; and, for every
    # gated pair, new node of the report → missed node of the track (so that when the pair is
    # taken, both dummies can still be matched).
    weights = np.concatenate(
        [
            cost + _SHIFT,
            np.full(nt, unassigned_cost + _SHIFT),
            np.full(nr, unassigned_cost + _SHIFT),
            np.full(t_local.size, _SHIFT),
        ]
    )
    rows = np.concatenate([t_local, np.arange(nt), nt + np.arange(nr), nt + r_local])
    cols = np.concatenate([r_local, nr + np.arange(nt), np.arange(nr), nr + t_local])
    graph = csr_array(coo_array((weights, (rows, cols)), shape=(nt + nr, nr + nt)))
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    real = (row_ind < nt) & (col_ind < nr)
    if not clusters:
        return Assignment(tracks[row_ind[real]], reports[col_ind[real]], 0, 0)
    n_clusters, labels = connected_components(
        csr_array(
            coo_array((np.ones(t_local.size), (t_local, nt + r_local)), shape=(nt + nr,) * 2)
        ),
        directed=False,
    )
    sizes = np.bincount(labels)
    return Assignment(
        tracks[row_ind[real]], reports[col_ind[real]], int(n_clusters), int(sizes.max())
    )


def _assign_dense(
    tracks: IntArray,
    reports: IntArray,
    t_local: IntArray,
    r_local: IntArray,
    cost: FloatArray,
    unassigned_cost: float,
) -> Assignment:
    """Small problems: a dense matrix of gains min(cost − 2·unassigned, 0), zero where not
    gated; any optimal full matching of it, stripped of its zero pairs, is an optimal optional
    assignment. Cluster statistics are not computed here (the cluster is at most nt + nr)."""
    gain = np.zeros((tracks.size, reports.size))
    gain[t_local, r_local] = np.minimum(cost - 2.0 * unassigned_cost, 0.0)
    row, col = linear_sum_assignment(gain)
    real = gain[row, col] < 0.0
    size = tracks.size + reports.size
    return Assignment(tracks[row[real]], reports[col[real]], 1, int(size))
