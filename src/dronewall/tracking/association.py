"""Global nearest neighbour association by linear assignment.

The gate graph (tracks and reports joined where a report falls in a track's gate) splits into
independent clusters; GNN solves the minimum-cost assignment of each. Every track and report
may stay unassigned at a cost (Blackman and Popoli, *Design and Analysis of Modern Tracking
Systems*, §6.5): with gains min(cost − 2·unassigned, 0), zero where a pair is not gated, any
optimal full matching of a cluster's dense gain matrix, stripped of its zero pairs, is an
optimal optional assignment. One compiled loop (``assign_loops``) finds the clusters by
union–find and solves each by shortest augmenting paths — the algorithm of scipy's
``linear_sum_assignment`` — so that tracking imports no scipy (0.3–0.4 s of every short run)
and builds no sparse graph per scan. A cluster too large for a dense matrix
(``DENSE_CLUSTER_CELLS``) sends the whole problem to scipy's sparse Jonker–Volgenant
(LAPJVsp, ``min_weight_full_bipartite_matching``) on the graph augmented with a "missed" node
per track and a "new" node per report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dronewall.tracking import compiled

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_SHIFT = 1.0  # every edge cost is shifted so that none is zero (zero means "no edge" in sparse)
# Tracks × reports of one cluster up to which it is solved densely: 4M cells = 32 MB of gains
# and O(n³) ≈ 8·10⁹ steps at worst; clusters that large are a pathological scene.
DENSE_CLUSTER_CELLS = 4_000_000


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
    report). Clusters are always counted (they cost nothing here); ``clusters`` is kept for
    callers that asked not to."""
    if track.size == 0:
        return Assignment(track, report, 0, 0)
    tracks, t_local = np.unique(track, return_inverse=True)
    reports, r_local = np.unique(report, return_inverse=True)
    t_local = np.asarray(t_local, np.int64).ravel()
    r_local = np.asarray(r_local, np.int64).ravel()
    taken, n_clusters, largest, solved = compiled.loops().assign_clusters(
        t_local,
        r_local,
        np.asarray(cost, np.float64),
        tracks.size,
        reports.size,
        float(unassigned_cost),
        DENSE_CLUSTER_CELLS,
    )
    if not solved:
        return _assign_sparse(tracks, reports, t_local, r_local, cost, unassigned_cost)
    return Assignment(tracks[t_local[taken]], reports[r_local[taken]], n_clusters, largest)


def _assign_sparse(
    tracks: IntArray,
    reports: IntArray,
    t_local: IntArray,
    r_local: IntArray,
    cost: FloatArray,
    unassigned_cost: float,
) -> Assignment:
    """The whole problem by scipy's sparse LAPJVsp. Rows: tracks, then a "new" node per
    report. Columns: reports, then a "missed" node per track. Edges: gated pairs; track → its
    missed node; new node → its report; and, for every gated pair, new node of the report →
    missed node of the track (so that when the pair is taken, both dummies can still be
    matched). Cluster statistics are not computed on this path."""
    from scipy.sparse import coo_array, csr_array
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    nt, nr = tracks.size, reports.size
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
    return Assignment(tracks[row_ind[real]], reports[col_ind[real]], 0, nt + nr)
