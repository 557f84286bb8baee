"""Which sensors see which points: the sparse sensor × point incidence behind every figure.

Sensors are grouped by their outer reach; each group is paired with the points through two
k-d trees (``scipy.spatial.cKDTree.sparse_distance_matrix``) on the sphere of
``planning.geometry``, then the inner (blind) radius is applied to the great-circle distance.
No Python loop over sensors or points.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.spatial import cKDTree

from dronewall.planning.geometry import arc_for_chord, chord_for_arc

FloatArray = npt.NDArray[np.float64]


def incidence(
    sensor_xyz: FloatArray, inner_m: FloatArray, outer_m: FloatArray, point_xyz: FloatArray
) -> sp.csr_matrix:
    """A boolean CSR matrix, sensors × points, true where the point is within the sensor's
    ring ``inner_m ≤ distance ≤ outer_m`` (great-circle metres)."""
    n_sensors, n_points = sensor_xyz.shape[0], point_xyz.shape[0]
    rows, cols = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    if n_sensors and n_points:
        point_tree = cKDTree(point_xyz)
        for reach in np.unique(outer_m[outer_m > 0]):
            group = np.flatnonzero(outer_m == reach)
            found = cKDTree(sensor_xyz[group]).sparse_distance_matrix(
                point_tree, float(chord_for_arc(reach)), output_type="ndarray"
            )
            sensor = group[found["i"]]
            keep = arc_for_chord(found["v"]) >= inner_m[sensor]
            rows.append(sensor[keep])
            cols.append(found["j"][keep].astype(np.int64))
    row, col = np.concatenate(rows), np.concatenate(cols)
    data = np.ones(row.size, bool)
    return sp.csr_matrix((data, (row, col)), shape=(n_sensors, n_points))
