"""Joining columnar batches on track id: the latest row of each track, and lookups."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def latest_rows(track_id: npt.NDArray[np.int64], t: npt.NDArray[np.float64]) -> IntArray:
    """Row index of the latest row of each track (the last of equal times), sorted by id."""
    if track_id.size == 0:
        return np.zeros(0, np.int64)
    order = np.lexsort((np.arange(track_id.size), t, track_id))
    ids = track_id[order]
    last = np.append(ids[1:] != ids[:-1], True)
    return np.asarray(order[last], np.int64)


def lookup(
    sorted_ids: npt.NDArray[np.int64], wanted: npt.NDArray[np.int64]
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Position of each wanted id in ``sorted_ids`` and whether it is there at all."""
    if sorted_ids.size == 0:
        return np.zeros(wanted.size, np.int64), np.zeros(wanted.size, bool)
    position = np.minimum(np.searchsorted(sorted_ids, wanted), sorted_ids.size - 1)
    return position.astype(np.int64), np.asarray(sorted_ids[position] == wanted)
