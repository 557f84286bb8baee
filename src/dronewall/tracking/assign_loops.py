"""The compiled loop of ``association.assign``: the gate graph split into clusters (union–find),
then each cluster's optimal assignment by the shortest augmenting path.

The augmenting-path solver is Crouse's (*On implementing 2D rectangular assignment
algorithms*, IEEE T-AES 52(4), 2016) — the algorithm of scipy's ``linear_sum_assignment`` —
on the cluster's dense matrix of gains min(cost − 2·unassigned, 0), zero where a pair is not
gated (``association`` explains why this is the optimal optional assignment). Built with the
other compiled loops (``compiled``).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, error_model="numpy")
def assign_clusters(t_local, r_local, cost, nt, nr, unassigned, max_cells):  # type: ignore[no-untyped-def]
    """Pairs (t_local[k], r_local[k]) with ``cost[k]``; tracks 0..nt−1, reports 0..nr−1.
    Returns (taken, n_clusters, largest_cluster, solved): ``taken[k]`` when pair k is in the
    optimal assignment; ``solved`` is False, and nothing is taken, when a cluster has more
    than ``max_cells`` tracks × reports (the caller then solves the whole problem otherwise)."""
    n_pairs = t_local.shape[0]
    label, n_clusters = _clusters(t_local, r_local, nt, nr)
    # tracks, reports and pairs of each cluster, contiguous (counting sort by label)
    n_tracks = np.zeros(n_clusters, np.int64)
    n_reports = np.zeros(n_clusters, np.int64)
    for t in range(nt):
        n_tracks[label[t]] += 1
    for r in range(nr):
        n_reports[label[nt + r]] += 1
    largest = 0
    too_big = False
    for c in range(n_clusters):
        largest = max(largest, n_tracks[c] + n_reports[c])
        too_big = too_big or n_tracks[c] * n_reports[c] > max_cells
    taken = np.zeros(n_pairs, np.bool_)
    if too_big:
        return taken, n_clusters, largest, False
    pair_start = np.zeros(n_clusters + 1, np.int64)
    for k in range(n_pairs):
        pair_start[label[t_local[k]] + 1] += 1
    for c in range(n_clusters):
        pair_start[c + 1] += pair_start[c]
    fill = pair_start[:-1].copy()
    pairs = np.empty(n_pairs, np.int64)
    for k in range(n_pairs):
        c = label[t_local[k]]
        pairs[fill[c]] = k
        fill[c] += 1
    # each node's index within its cluster
    local = np.empty(nt + nr, np.int64)
    seen_t = np.zeros(n_clusters, np.int64)
    seen_r = np.zeros(n_clusters, np.int64)
    for t in range(nt):
        local[t] = seen_t[label[t]]
        seen_t[label[t]] += 1
    for r in range(nr):
        local[nt + r] = seen_r[label[nt + r]]
        seen_r[label[nt + r]] += 1
    for c in range(n_clusters):
        lo, hi = pair_start[c], pair_start[c + 1]
        if hi - lo == 1:  # a lone pair: worth taking when cheaper than leaving both alone
            k = pairs[lo]
            taken[k] = cost[k] < 2.0 * unassigned
            continue
        _solve_cluster(pairs[lo:hi], t_local, r_local, cost, nt, local, n_tracks[c],
                       n_reports[c], unassigned, taken)  # fmt: skip
    return taken, n_clusters, largest, True


@njit(cache=True, error_model="numpy")
def _clusters(t_local, r_local, nt, nr):  # type: ignore[no-untyped-def]
    """Connected components of the bipartite gate graph (tracks 0..nt−1, then reports):
    a label 0..n−1 per node, and n."""
    parent = np.arange(nt + nr)
    for k in range(t_local.shape[0]):
        a = _root(parent, t_local[k])
        b = _root(parent, nt + r_local[k])
        if a != b:
            parent[max(a, b)] = min(a, b)
    label = np.empty(nt + nr, np.int64)
    n = 0
    for node in range(nt + nr):
        root = _root(parent, node)
        if root == node:
            label[node] = n
            n += 1
        else:
            label[node] = label[root]  # the root is the smallest node: labelled already
    return label, n


@njit(cache=True, inline="always")
def _root(parent, node):  # type: ignore[no-untyped-def]
    while parent[node] != node:
        parent[node] = parent[parent[node]]  # path halving
        node = parent[node]
    return node


@njit(cache=True, error_model="numpy")
def _solve_cluster(pairs, t_local, r_local, cost, nt, local, n_t, n_r, unassigned, taken):  # type: ignore[no-untyped-def]
    """Optimal assignment within one cluster: the dense gain matrix (rows: the smaller side),
    solved by shortest augmenting paths; pairs with a negative gain on the solution are
    taken."""
    transpose = n_t > n_r
    rows, cols = (n_r, n_t) if transpose else (n_t, n_r)
    gain = np.zeros((rows, cols))
    which = np.full((rows, cols), -1, np.int64)
    for k in pairs:
        i, j = local[t_local[k]], local[nt + r_local[k]]
        if transpose:
            i, j = j, i
        g = min(cost[k] - 2.0 * unassigned, 0.0)
        if which[i, j] == -1 or g < gain[i, j]:  # a duplicate pair: the cheaper counts
            gain[i, j] = g
            which[i, j] = k
    col4row = _shortest_augmenting_paths(gain)
    for i in range(rows):
        j = col4row[i]
        if gain[i, j] < 0.0:
            taken[which[i, j]] = True


@njit(cache=True, error_model="numpy")
def _shortest_augmenting_paths(cost):  # type: ignore[no-untyped-def]
    """Minimum-cost assignment of every row of ``cost`` (rows ≤ columns, all finite) to a
    distinct column: the column of each row (Crouse 2016, Algorithm 1 with dual updates)."""
    nr, nc = cost.shape
    u = np.zeros(nr)
    v = np.zeros(nc)
    shortest = np.empty(nc)
    path = np.full(nc, -1, np.int64)
    col4row = np.full(nr, -1, np.int64)
    row4col = np.full(nc, -1, np.int64)
    in_rows = np.zeros(nr, np.bool_)
    in_cols = np.zeros(nc, np.bool_)
    remaining = np.empty(nc, np.int64)
    for row in range(nr):
        sink, low = _augmenting_path(cost, u, v, path, row4col, shortest, row, in_rows,
                                     in_cols, remaining)  # fmt: skip
        u[row] += low
        for i in range(nr):
            if in_rows[i] and i != row:
                u[i] += low - shortest[col4row[i]]
        for j in range(nc):
            if in_cols[j]:
                v[j] -= low - shortest[j]
        j = sink
        while True:
            i = path[j]
            row4col[j] = i
            col4row[i], j = j, col4row[i]
            if i == row:
                break
    return col4row


@njit(cache=True, error_model="numpy", inline="always")
def _augmenting_path(cost, u, v, path, row4col, shortest, i, in_rows, in_cols, remaining):  # type: ignore[no-untyped-def]
    """Dijkstra over reduced costs from row ``i`` to the nearest free column: (sink, cost)."""
    nc = cost.shape[1]
    low = 0.0
    n_remaining = nc
    for it in range(nc):
        remaining[it] = nc - it - 1
    in_rows[:] = False
    in_cols[:] = False
    shortest[:] = np.inf
    sink = -1
    while sink == -1:
        index = -1
        lowest = np.inf
        in_rows[i] = True
        for it in range(n_remaining):
            j = remaining[it]
            r = low + cost[i, j] - u[i] - v[j]
            if r < shortest[j]:
                path[j] = i
                shortest[j] = r
            if shortest[j] < lowest or (shortest[j] == lowest and row4col[j] == -1):
                lowest = shortest[j]
                index = it
        low = lowest
        j = remaining[index]
        if row4col[j] == -1:
            sink = j
        else:
            i = row4col[j]
        in_cols[j] = True
        n_remaining -= 1
        remaining[index] = remaining[n_remaining]
    return sink, low
