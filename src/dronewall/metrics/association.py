"""Track-to-truth association over time, the rules of Stone Soup 1.9's ``TrackToTruth``.

Stone Soup (``stonesoup/dataassociator/tracktotrack.py``, class ``TrackToTruth``) walks each
track through its time stamps. At each one the *nearest* truth that has a state at exactly that
time and lies closer than ``association_threshold`` (strictly) is the candidate. A candidate
that is nearest ``consec_pairs_confirm`` times in a row becomes the track's truth, from the first
of those times; the association then ends when another truth (or none) is nearest
``consec_misses_end`` times in a row, its last time being the last time the truth was nearest.
If the truth nearest during those misses has itself been nearest ``consec_pairs_confirm`` times
in a row, the track switches to it at once. A track is associated with at most one truth at a
time; a truth may hold several tracks.

Stone Soup's counters are reproduced exactly, quirks included, so that every SIAP figure built
on them agrees with Stone Soup's:

* the miss counter is not reset when an association ends or switches, so after a switch, or
  after a new association is confirmed, a single miss ends it unless a hit comes first;
* the run of hits counted towards a switch survives hits on the current truth in between;
* after a switch the new association starts at the first of its run of hits, which may lie
  before the end of the previous one: the track is briefly associated with two truths.

The associations of one (track, truth) pair are merged into disjoint closed time intervals (as
Stone Soup's ``AssociationSet`` fuses them into a ``CompoundTimeRange``). Stone Soup cannot
represent a zero-length interval (``consec_pairs_confirm = 1``) and raises; here it is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from dronewall.core.errors import DataError
from dronewall.core.types import FloatArray, IntArray
from dronewall.metrics.trajectories import Frames, Trajectories, group_frames

# The association gate of the shared Stone Soup baseline scorer (stonesoup_baseline.py score
# --siap-threshold): 5 σ of its 10 m measurement noise. Stone Soup itself has no default.
DEFAULT_ASSOCIATION_THRESHOLD_M = 50.0
DEFAULT_CONSEC_PAIRS_CONFIRM = 3  # Stone Soup's TrackToTruth default
DEFAULT_CONSEC_MISSES_END = 2  # Stone Soup's TrackToTruth default
NO_TRUTH = -1
SEARCH_MARGIN = 1e-9  # widens the k-d tree radius; the strict test is made afterwards


@dataclass(frozen=True, slots=True)
class TrackTruthAssociations:
    """Closed time intervals [start, end] in which a track is associated with a truth.

    One row per disjoint interval of a (track, truth) pair, sorted by track id, truth id, start.
    """

    track_id: IntArray
    truth_id: IntArray
    start: FloatArray
    end: FloatArray

    def __len__(self) -> int:
        return int(self.track_id.shape[0])


@dataclass(frozen=True, slots=True)
class AssociationIntervals:
    """The same intervals on dense codes: rows of ``np.unique`` ids, and frame indices."""

    track: IntArray
    truth: IntArray
    start_frame: IntArray
    end_frame: IntArray


def associate_tracks_to_truth(
    truth: Trajectories,
    tracks: Trajectories,
    *,
    association_threshold: float = DEFAULT_ASSOCIATION_THRESHOLD_M,
    consec_pairs_confirm: int = DEFAULT_CONSEC_PAIRS_CONFIRM,
    consec_misses_end: int = DEFAULT_CONSEC_MISSES_END,
    time_tolerance: float = 0.0,
) -> TrackTruthAssociations:
    """Associate tracks with truth over time by Stone Soup's ``TrackToTruth`` rules (metres)."""
    frames = group_frames(truth, tracks, time_tolerance)
    intervals = associate_on_frames(
        truth, tracks, frames, association_threshold, consec_pairs_confirm, consec_misses_end
    )
    return TrackTruthAssociations(
        track_id=np.unique(tracks.ids)[intervals.track],
        truth_id=np.unique(truth.ids)[intervals.truth],
        start=frames.times[intervals.start_frame],
        end=frames.times[intervals.end_frame],
    )


def associate_on_frames(
    truth: Trajectories,
    tracks: Trajectories,
    frames: Frames,
    association_threshold: float,
    consec_pairs_confirm: int,
    consec_misses_end: int,
) -> AssociationIntervals:
    """The association intervals, on truth and track codes and frame indices."""
    if not (np.isfinite(association_threshold) and association_threshold > 0.0):
        raise DataError(f"association threshold must be > 0, got {association_threshold}")
    if consec_pairs_confirm < 1 or consec_misses_end < 1:
        raise DataError(
            f"consec_pairs_confirm ({consec_pairs_confirm}) and consec_misses_end "
            f"({consec_misses_end}) must be >= 1"
        )
    truth_code = np.unique(truth.ids, return_inverse=True)[1].reshape(-1)
    track_code = np.unique(tracks.ids, return_inverse=True)[1].reshape(-1)
    nearest = _nearest_truth(truth, truth_code, tracks, frames, association_threshold)
    found: list[tuple[int, int, int, int]] = []
    order = np.lexsort((frames.track_frame, track_code))
    bounds = np.flatnonzero(np.diff(track_code[order])) + 1
    for rows in np.split(order, bounds) if order.size else []:
        runs = _follow_track(
            frames.track_frame[rows].tolist(),
            nearest[rows].tolist(),
            consec_pairs_confirm,
            consec_misses_end,
        )
        found.extend((int(track_code[rows[0]]), *run) for run in runs)
    return _merge_pairs(np.array(found, dtype=np.int64).reshape(-1, 4))


def _nearest_truth(
    truth: Trajectories,
    truth_code: IntArray,
    tracks: Trajectories,
    frames: Frames,
    threshold: float,
) -> IntArray:
    """For each track row, the code of the nearest truth in its frame closer than
    ``threshold``, or ``NO_TRUTH``."""
    nearest = np.full(len(tracks), NO_TRUTH, dtype=np.int64)
    n_frames = frames.times.shape[0]
    truth_order = np.argsort(frames.truth_frame, kind="stable")
    truth_bounds = np.searchsorted(frames.truth_frame[truth_order], np.arange(n_frames + 1))
    track_order = np.argsort(frames.track_frame, kind="stable")
    track_bounds = np.searchsorted(frames.track_frame[track_order], np.arange(n_frames + 1))
    for frame in range(n_frames):
        truth_rows = truth_order[truth_bounds[frame] : truth_bounds[frame + 1]]
        track_rows = track_order[track_bounds[frame] : track_bounds[frame + 1]]
        if truth_rows.size == 0 or track_rows.size == 0:
            continue
        truth_positions = truth.positions[truth_rows]
        _, index = cKDTree(truth_positions).query(
            tracks.positions[track_rows], distance_upper_bound=threshold * (1.0 + SEARCH_MARGIN)
        )
        hit = index < truth_rows.size
        hit_rows, hit_index = track_rows[hit], index[hit]
        difference = tracks.positions[hit_rows] - truth_positions[hit_index]
        close = np.sqrt((difference**2).sum(axis=-1)) < threshold
        nearest[hit_rows[close]] = truth_code[truth_rows[hit_index[close]]]
    return nearest


def _follow_track(
    frames: list[int], nearest: list[int], confirm: int, misses_end: int
) -> list[tuple[int, int, int]]:
    """Stone Soup's ``TrackToTruth`` state machine over one track's rows in time order.

    Returns (truth, start frame, end frame) of each association, before merging.
    """
    runs: list[tuple[int, int, int]] = []
    current = potential = NO_TRUTH
    n_hits = n_misses = 0
    potential_start = start = end = -1
    for frame, near in zip(frames, nearest, strict=True):
        if current == NO_TRUTH:
            if near == NO_TRUTH:
                potential, n_hits, potential_start = NO_TRUTH, 0, -1
            elif near != potential:
                potential, n_hits, potential_start = near, 1, frame
            else:
                n_hits += 1
            if n_hits >= confirm:
                current, start, end = near, potential_start, frame
                potential, n_hits, potential_start = NO_TRUTH, 0, -1
            continue
        if near == current:
            n_misses, end = 0, frame
        else:
            n_misses += 1
            if near != NO_TRUTH and near == potential:
                n_hits += 1
            else:
                potential, potential_start, n_hits = near, frame, 1
        if n_misses >= misses_end:
            runs.append((current, start, end))
            if n_hits >= confirm:
                current, start, end = potential, potential_start, frame
            else:
                current = NO_TRUTH
    if current != NO_TRUTH:
        runs.append((current, start, end))
    return runs


def _merge_pairs(found: IntArray) -> AssociationIntervals:
    """Fuse the intervals of each (track, truth) pair that overlap or touch (closed intervals).

    ``found`` rows are (track, truth, start frame, end frame).
    """
    order = np.lexsort((found[:, 2], found[:, 1], found[:, 0]))
    rows = found[order]
    merged: list[list[int]] = []
    for track, truth, start, end in rows.tolist():
        last = merged[-1] if merged else None
        if last is not None and last[0] == track and last[1] == truth and start <= last[3]:
            last[3] = max(last[3], end)
        else:
            merged.append([track, truth, start, end])
    table = np.array(merged, dtype=np.int64).reshape(-1, 4)
    return AssociationIntervals(
        track=table[:, 0], truth=table[:, 1], start_frame=table[:, 2], end_frame=table[:, 3]
    )
