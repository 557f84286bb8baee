"""The input of every metric: truth or track trajectories as columns, and their frames.

``Trajectories`` holds one row per (object, instant): a time in seconds, an integer id (truth
object or track number), a position in metres in any Cartesian frame of dimension 2 or 3 and,
optionally, a velocity in m/s in the same frame. The metrics compare truth and tracks at common
instants, the *frames*: the distinct times present in either input (Stone Soup's
``MetricManager.list_timestamps``), or, with a tolerance, clusters of nearly equal times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np

from dronewall.core.errors import DataError
from dronewall.core.types import FloatArray, IntArray

ALLOWED_DIMENSIONS = (2, 3)  # planar or spatial Cartesian frames


@dataclass(frozen=True, slots=True)
class Trajectories:
    """Rows of (time, id, position[, velocity]); rows need not be sorted.

    ``times`` is (n,) seconds, ``ids`` (n,) integers, ``positions`` (n, d) metres with d = 2 or
    3, ``velocities`` (n, d) m/s or ``None``. An id may appear at most once per frame.
    """

    times: FloatArray
    ids: IntArray
    positions: FloatArray
    velocities: FloatArray | None = None

    def __post_init__(self) -> None:
        n = self.times.shape[0]
        if self.times.ndim != 1 or self.ids.shape != (n,):
            raise DataError(f"times and ids must be 1-D of one length, got {self.ids.shape}")
        if not np.issubdtype(self.ids.dtype, np.integer):
            raise DataError(f"ids must be integers, got dtype {self.ids.dtype}")
        if self.positions.ndim != 2 or self.positions.shape[0] != n:
            raise DataError(f"positions must be ({n}, d), got {self.positions.shape}")
        if self.positions.shape[1] not in ALLOWED_DIMENSIONS:
            raise DataError(f"positions must have 2 or 3 columns, got {self.positions.shape[1]}")
        if self.velocities is not None and self.velocities.shape != self.positions.shape:
            raise DataError(
                f"velocities must be {self.positions.shape}, got {self.velocities.shape}"
            )
        for name in ("times", "positions", "velocities"):
            column = getattr(self, name)
            if column is not None and not np.all(np.isfinite(column)):
                raise DataError(f"{name} must be finite")

    def __len__(self) -> int:
        return int(self.times.shape[0])

    @property
    def dimension(self) -> int:
        """d, the number of position coordinates."""
        return int(self.positions.shape[1])

    @classmethod
    def from_columns(
        cls,
        times: object,
        ids: object,
        positions: object,
        velocities: object | None = None,
    ) -> Self:
        """Build from array-likes, converting to float64 / int64 (then validated)."""
        return cls(
            times=np.asarray(times, dtype=np.float64).reshape(-1),
            ids=np.asarray(ids, dtype=np.int64).reshape(-1),
            positions=np.asarray(positions, dtype=np.float64),
            velocities=None if velocities is None else np.asarray(velocities, dtype=np.float64),
        )

    @classmethod
    def empty(cls, dimension: int = 2, *, with_velocities: bool = False) -> Self:
        """No rows, positions of ``dimension`` columns."""
        shape = (0, dimension)
        velocities = np.zeros(shape) if with_velocities else None
        return cls(np.zeros(0), np.zeros(0, np.int64), np.zeros(shape), velocities)


@dataclass(frozen=True, slots=True)
class Frames:
    """Frames shared by truth and tracks.

    ``times`` (k,) is ascending: the earliest time of each frame. ``truth_frame`` and
    ``track_frame`` give the frame index of every truth and track row.
    """

    times: FloatArray
    truth_frame: IntArray
    track_frame: IntArray


def group_frames(truth: Trajectories, tracks: Trajectories, tolerance: float = 0.0) -> Frames:
    """Group the times of both inputs into frames and check each id occurs once per frame.

    With ``tolerance`` 0 a frame is one exact time. Otherwise the distinct times are sorted and a
    new frame starts wherever the gap to the previous time exceeds ``tolerance`` (so a frame can
    span more than ``tolerance`` if times keep arriving closer than it).
    """
    if truth.dimension != tracks.dimension:
        raise DataError(f"truth is {truth.dimension}-D but tracks are {tracks.dimension}-D")
    if not tolerance >= 0.0:
        raise DataError(f"time tolerance must be >= 0, got {tolerance}")
    distinct = np.unique(np.concatenate([truth.times, tracks.times]))
    starts_frame = np.ones(distinct.shape[0], dtype=bool)
    starts_frame[1:] = np.diff(distinct) > tolerance
    frame_of_distinct = np.cumsum(starts_frame) - 1
    frames = Frames(
        times=distinct[starts_frame],
        truth_frame=frame_of_distinct[np.searchsorted(distinct, truth.times)].astype(np.int64),
        track_frame=frame_of_distinct[np.searchsorted(distinct, tracks.times)].astype(np.int64),
    )
    _check_once_per_frame(truth.ids, frames.truth_frame, frames.times, "truth")
    _check_once_per_frame(tracks.ids, frames.track_frame, frames.times, "track")
    return frames


def _check_once_per_frame(ids: IntArray, frame: IntArray, times: FloatArray, what: str) -> None:
    """Raise ``DataError`` naming the first id that has two rows in one frame.

    Stone Soup silently keeps the last state of a path at a repeated time stamp; a repeated row
    here is almost always a bug upstream, so it is refused.
    """
    order = np.lexsort((frame, ids))
    repeated = (np.diff(ids[order]) == 0) & (np.diff(frame[order]) == 0)
    if np.any(repeated):
        row = order[int(np.argmax(repeated))]
        raise DataError(
            f"{what} id {int(ids[row])} has more than one row at time {times[frame[row]]:.6g} s"
        )
