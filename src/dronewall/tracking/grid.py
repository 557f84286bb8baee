"""Pairs of nearby points through a uniform grid: the spatial pre-gate of reports with a point
estimate against tracks.

Each point carries its own reach; a pair is near when the points are no further apart than
their two reaches together. The grid's cell is twice the largest possible sum, so every near
pair lies in the report's cell or its neighbour on the nearer side along each axis: 8 cells
(with the cell as large as the sum, 27 cells around the report; the lookups, not the distance
checks, were the cost: 1.7 → 0.x ms a scan of 1,000 × 1,300 on the Stone Soup scenario);
occupied cells are found through a hash table.
Compiled with Numba: on a 10,000-report scan against 10,000 tracks it replaces two k-d trees
and a sparse distance matrix (12–17 ms on the loaded benchmark machine) with one sort and 27
hash lookups per report (4.5–6 ms). The loop itself is in ``grid_loops``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dronewall.tracking import compiled

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_MIN_CELL_M = 8.0  # |ECEF| / cell stays below 2^20 cells: no key (21 bits an axis) overflows


def near_pairs(
    a: FloatArray, reach_a: FloatArray, b: FloatArray, reach_b: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Rows (i of ``a``, j of ``b``) with ‖a_i − b_j‖ ≤ reach_a_i + reach_b_j, and that
    distance, in order of i then j. Points are (n, 3) in metres (ECEF); reaches finite."""
    if a.shape[0] == 0 or b.shape[0] == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    cell = max(2.0 * float(reach_a.max() + reach_b.max()), _MIN_CELL_M)
    i, j, d = compiled.loops().near_pairs(
        np.ascontiguousarray(a, float),
        np.ascontiguousarray(reach_a, float),
        np.ascontiguousarray(b, float),
        np.ascontiguousarray(reach_b, float),
        cell,
    )
    order = np.lexsort((j, i))
    return i[order], j[order], d[order]
