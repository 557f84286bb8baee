"""GOSPA, the generalised optimal sub-pattern assignment metric, with α = 2.

Follows A. S. Rahmathullah, Á. F. García-Fernández and L. Svensson, "Generalized optimal
sub-pattern assignment metric", 20th International Conference on Information Fusion (FUSION
2017), arXiv:1601.05585. For truth positions X = {x_1 … x_m}, track positions Y = {y_1 … y_n},
a cut-off c > 0 and an order 1 ≤ p < ∞, the α = 2 form of the metric is

    d(X, Y) = ( min_γ Σ_{(i,j) ∈ γ} ‖x_i − y_j‖^p + c^p / 2 · (m + n − 2 |γ|) )^(1/p),

the minimum running over partial one-to-one assignments γ whose pairs are closer than c. It
splits into *localisation* (Σ ‖x_i − y_j‖^p over γ), *missed* (c^p/2 per unassigned truth) and
*false* (c^p/2 per unassigned track). These three are p-th-power contributions, so that
distance = (localisation + missed + false)^(1/p), exactly as Stone Soup's ``GOSPAMetric``
reports them (without its switching term, i.e. ``switching_penalty = 0``).

Computation. A pair at distance ≥ c costs c^p, the same as leaving both unassigned, so the
optimal assignment splits into the connected components of the graph that joins truth and track
closer than c. A k-d tree finds those pairs; a component of one truth and one track is assigned
directly, larger ones by ``scipy.optimize.linear_sum_assignment`` on min(d, c)^p. The frames of a
run are the distinct time stamps of truth and tracks (``trajectories.group_frames``): a time
where neither has a row is not a frame, as in Stone Soup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from dronewall.core.errors import DataError
from dronewall.core.types import FloatArray, IntArray
from dronewall.metrics.trajectories import Trajectories, group_frames

# The k-d tree search radius is widened by this relative margin so that rounding in the tree's
# own distance arithmetic cannot lose a pair just inside c; the strict test d < c is then made
# on distances computed here.
SEARCH_MARGIN = 1e-9


@dataclass(frozen=True, slots=True)
class GospaFrame:
    """GOSPA at one instant; ``localisation + missed + false == distance ** p``."""

    distance: float
    localisation: float
    missed: float
    false: float
    n_assigned: int
    n_missed: int
    n_false: int


@dataclass(frozen=True, slots=True)
class GospaRun:
    """GOSPA at every frame of a run (arrays of one length, ordered by time) and its mean."""

    times: FloatArray
    distance: FloatArray
    localisation: FloatArray
    missed: FloatArray
    false: FloatArray
    n_assigned: IntArray
    n_missed: IntArray
    n_false: IntArray
    mean: float  # mean of ``distance`` over the frames; 0 for a run without frames


def gospa_frame(
    truth_positions: FloatArray, track_positions: FloatArray, *, c: float, p: float = 1.0
) -> GospaFrame:
    """GOSPA (α = 2) between truth positions (m, d) and track positions (n, d), in metres."""
    _check_parameters(c, p)
    _check_positions(truth_positions, track_positions)
    localisation, n_assigned = _optimal_assignment(truth_positions, track_positions, c, p)
    n_missed = truth_positions.shape[0] - n_assigned
    n_false = track_positions.shape[0] - n_assigned
    half_penalty = c**p / 2.0
    missed, false = half_penalty * n_missed, half_penalty * n_false
    return GospaFrame(
        distance=float((localisation + missed + false) ** (1.0 / p)),
        localisation=localisation,
        missed=missed,
        false=false,
        n_assigned=n_assigned,
        n_missed=n_missed,
        n_false=n_false,
    )


def gospa_run(
    truth: Trajectories,
    tracks: Trajectories,
    *,
    c: float,
    p: float = 1.0,
    time_tolerance: float = 0.0,
) -> GospaRun:
    """GOSPA (α = 2) at every frame of a run; frames group times equal within ``time_tolerance``.

    Ids only serve to refuse an id that appears twice in one frame.
    """
    _check_parameters(c, p)
    frames = group_frames(truth, tracks, time_tolerance)
    n_frames = frames.times.shape[0]
    truth_rows = _rows_of_each_frame(frames.truth_frame, n_frames)
    track_rows = _rows_of_each_frame(frames.track_frame, n_frames)
    localisation = np.zeros(n_frames)
    n_assigned = np.zeros(n_frames, dtype=np.int64)
    for frame in range(n_frames):
        localisation[frame], n_assigned[frame] = _optimal_assignment(
            truth.positions[truth_rows[frame]], tracks.positions[track_rows[frame]], c, p
        )
    n_missed = np.bincount(frames.truth_frame, minlength=n_frames) - n_assigned
    n_false = np.bincount(frames.track_frame, minlength=n_frames) - n_assigned
    half_penalty = c**p / 2.0
    missed, false = half_penalty * n_missed, half_penalty * n_false
    distance = (localisation + missed + false) ** (1.0 / p)
    return GospaRun(
        times=frames.times,
        distance=distance,
        localisation=localisation,
        missed=missed,
        false=false,
        n_assigned=n_assigned,
        n_missed=n_missed.astype(np.int64),
        n_false=n_false.astype(np.int64),
        mean=float(distance.mean()) if n_frames else 0.0,
    )


def _check_parameters(c: float, p: float) -> None:
    if not (math.isfinite(c) and c > 0.0):
        raise DataError(f"GOSPA cut-off c must be finite and > 0, got {c}")
    if not (math.isfinite(p) and p >= 1.0):
        raise DataError(f"GOSPA order p must be finite and >= 1, got {p}")


def _check_positions(truth_positions: FloatArray, track_positions: FloatArray) -> None:
    for name, positions in (("truth", truth_positions), ("track", track_positions)):
        if positions.ndim != 2 or positions.shape[1] not in (2, 3):
            raise DataError(f"{name} positions must be (count, 2 or 3), got {positions.shape}")
        if not np.all(np.isfinite(positions)):
            raise DataError(f"{name} positions must be finite")
    if truth_positions.shape[1] != track_positions.shape[1]:
        raise DataError(
            f"truth positions are {truth_positions.shape[1]}-D, tracks {track_positions.shape[1]}-D"
        )


def _rows_of_each_frame(frame_of_row: IntArray, n_frames: int) -> list[IntArray]:
    """Row indices of each frame, in frame order."""
    order = np.argsort(frame_of_row, kind="stable")
    bounds = np.searchsorted(frame_of_row[order], np.arange(n_frames + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(n_frames)]


def _optimal_assignment(
    truth_positions: FloatArray, track_positions: FloatArray, c: float, p: float
) -> tuple[float, int]:
    """Σ d^p over an optimal GOSPA assignment, and the number of pairs in it."""
    truth_index, track_index, distance = _pairs_closer_than(truth_positions, track_positions, c)
    if distance.size == 0:
        return 0.0, 0
    truth_label, track_label = _components(truth_index, track_index, truth_positions.shape[0])
    n_labels = int(max(truth_label.max(), track_label.max())) + 1
    truth_nodes, track_nodes = np.unique(truth_index), np.unique(track_index)
    truths_in = np.bincount(truth_label[truth_nodes], minlength=n_labels)
    tracks_in = np.bincount(track_label[track_nodes], minlength=n_labels)
    edge_label = truth_label[truth_index]
    lone_pair = (truths_in[edge_label] == 1) & (tracks_in[edge_label] == 1)
    localisation = float(np.sum(distance[lone_pair] ** p))
    n_assigned = int(np.count_nonzero(lone_pair))
    clustered = np.flatnonzero(truths_in + tracks_in > 2)
    truth_groups = _group_by_label(truth_nodes, truth_label[truth_nodes], clustered)
    track_groups = _group_by_label(track_nodes, track_label[track_nodes], clustered)
    for rows, cols in zip(truth_groups, track_groups, strict=True):
        block_cost, block_assigned = _assign_block(
            truth_positions[rows], track_positions[cols], c, p
        )
        localisation += block_cost
        n_assigned += block_assigned
    return localisation, n_assigned


def _components(
    truth_index: IntArray, track_index: IntArray, n_truths: int
) -> tuple[IntArray, IntArray]:
    """Connected-component label of every truth and every track in the graph of close pairs.

    Truths are nodes 0 … m−1 and tracks m …; only nodes up to the largest index seen exist,
    which is all the labels are read for.
    """
    n_nodes = n_truths + int(track_index.max()) + 1
    graph = coo_matrix(
        (np.ones(truth_index.size), (truth_index, n_truths + track_index)),
        shape=(n_nodes, n_nodes),
    )
    _, label = connected_components(graph, directed=False)
    return label[:n_truths], label[n_truths:]


def _pairs_closer_than(
    truth_positions: FloatArray, track_positions: FloatArray, c: float
) -> tuple[IntArray, IntArray, FloatArray]:
    """(truth index, track index, distance) of every pair with distance < c."""
    if truth_positions.shape[0] == 0 or track_positions.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    pairs = cKDTree(truth_positions).sparse_distance_matrix(
        cKDTree(track_positions), c * (1.0 + SEARCH_MARGIN), output_type="ndarray"
    )
    truth_index = pairs["i"].astype(np.int64)
    track_index = pairs["j"].astype(np.int64)
    difference = truth_positions[truth_index] - track_positions[track_index]
    distance = np.sqrt((difference**2).sum(axis=-1))
    close = distance < c
    return truth_index[close], track_index[close], distance[close]


def _group_by_label(nodes: IntArray, node_label: IntArray, labels: IntArray) -> list[IntArray]:
    """For each of ``labels`` (ascending), the nodes carrying it."""
    order = np.argsort(node_label, kind="stable")
    sorted_label = node_label[order]
    lower = np.searchsorted(sorted_label, labels, side="left")
    upper = np.searchsorted(sorted_label, labels, side="right")
    return [nodes[order[a:b]] for a, b in zip(lower, upper, strict=True)]


def _assign_block(
    truth_positions: FloatArray, track_positions: FloatArray, c: float, p: float
) -> tuple[float, int]:
    """Dense optimal assignment on min(d, c)^p; pairs at d ≥ c count as unassigned."""
    difference = truth_positions[:, None, :] - track_positions[None, :, :]
    distance = np.sqrt((difference**2).sum(axis=-1))
    cost = np.minimum(distance, c) ** p
    rows, cols = linear_sum_assignment(cost)
    assigned = distance[rows, cols] < c
    return float(cost[rows, cols][assigned].sum()), int(np.count_nonzero(assigned))
