"""SIAP metrics (Single Integrated Air Picture) as Stone Soup 1.9's ``SIAPMetrics`` defines them.

The attributes come from Votruba et al., "Single Integrated Air Picture (SIAP) Metrics
Implementation", SIAP Systems Engineering Task Force, 29 October 2001; the formulas, the time
grid and the track-to-truth association are those of Stone Soup 1.9
(``stonesoup/metricgenerator/tracktotruthmetrics.py``, class ``SIAPMetrics``, with the
``TrackToTruth`` associator, see ``association.py``). Sums run over the frames t (the distinct
time stamps of truth and tracks):

* J(t) truths with a row at t; N(t) tracks with a row at t;
* an association is *active* at t if its closed time interval contains t (and both its track
  and its truth have a row at t, see below); JT(t) counts the truths, NA(t) the tracks, in
  active associations;
* C = ΣJT / ΣJ (0 if ΣJ = 0), completeness, target 1;
* A = ΣNA / ΣJT (1 if ΣJT = 0), ambiguity, target 1;
* S = Σ(N − NA) / ΣN (0 if ΣN = 0), spuriousness, target 0;
* PA = Σ_t Σ_assoc ‖track − truth‖ / ΣNA (0 if ΣNA = 0), position accuracy in metres; VA the
  same on velocities in m/s (NaN when either input has no velocities);
* R = Σ_j max(NU_j − 1, 0) / Σ_j TT_j (0 if ΣTT = 0), rate of track-number change per second,
  where TT_j is the time truth j is covered by associations and NU_j the number of tracks
  Stone Soup's greedy walk needs to cover it (``min_num_tracks_needed_to_track``);
* LS = Σ_j TL_j / Σ_j T_j (0 if ΣT = 0), longest track segment, where TL_j is the longest
  total time one track is associated with truth j and T_j its lifetime (last − first time).

Where Stone Soup would fail or is not deterministic, this module does the following instead:

* an association interval may contain a frame where its track or its truth has no row (a gap
  in reporting, or another object's time stamp). Stone Soup counts the pair in NA(t) and JT(t)
  there but then raises ``IndexError`` computing PA(t). Here the pair is simply not active at
  that frame, which keeps C, S ≤ 1 and gives Stone Soup's values wherever Stone Soup runs
  (there, every pair in an interval has both rows). TT, NU, TL stay continuous-time measures
  of the intervals, as in Stone Soup, so a track that misses a report keeps its truth;
* in the NU_j walk Stone Soup takes, among the associations containing the current time, the
  one ending last, breaking ties in ``set`` iteration order (object ids). Here ties go to the
  association whose interval containing the current time ends last.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from dronewall.core.types import FloatArray, IntArray
from dronewall.metrics.association import (
    DEFAULT_ASSOCIATION_THRESHOLD_M,
    DEFAULT_CONSEC_MISSES_END,
    DEFAULT_CONSEC_PAIRS_CONFIRM,
    AssociationIntervals,
    associate_on_frames,
)
from dronewall.metrics.trajectories import Frames, Trajectories, group_frames


@dataclass(frozen=True, slots=True)
class SiapResult:
    """The SIAP attributes of a run (see the module docstring for each definition)."""

    completeness: float
    ambiguity: float
    spuriousness: float
    position_accuracy: float  # m
    velocity_accuracy: float  # m/s; NaN when truth or tracks carry no velocities
    rate_of_track_number_change: float  # per second
    longest_track_segment: float
    n_tracks: int  # distinct track ids
    n_truths: int  # distinct truth ids


def siap_metrics(
    truth: Trajectories,
    tracks: Trajectories,
    *,
    association_threshold: float = DEFAULT_ASSOCIATION_THRESHOLD_M,
    consec_pairs_confirm: int = DEFAULT_CONSEC_PAIRS_CONFIRM,
    consec_misses_end: int = DEFAULT_CONSEC_MISSES_END,
    time_tolerance: float = 0.0,
) -> SiapResult:
    """SIAP metrics of ``tracks`` against ``truth``; positions in metres, times in seconds."""
    frames = group_frames(truth, tracks, time_tolerance)
    pairs = associate_on_frames(
        truth, tracks, frames, association_threshold, consec_pairs_confirm, consec_misses_end
    )
    truth_code = np.unique(truth.ids, return_inverse=True)[1].reshape(-1)
    track_code = np.unique(tracks.ids, return_inverse=True)[1].reshape(-1)
    track_row, truth_row = _active_rows(truth_code, track_code, frames, pairs)
    n_frames = frames.times.shape[0]
    truth_keys = truth_code[truth_row] * n_frames + frames.truth_frame[truth_row]
    associated_truths = float(np.unique(truth_keys).size)  # Σ_t JT(t)
    associated_tracks = float(np.unique(track_row).size)  # Σ_t NA(t)
    position_error = _norm_sum(tracks.positions[track_row] - truth.positions[truth_row])
    n_truth_rows, n_track_rows = float(len(truth)), float(len(tracks))
    return SiapResult(
        completeness=_ratio(associated_truths, n_truth_rows, 0.0),
        ambiguity=_ratio(associated_tracks, associated_truths, 1.0),
        spuriousness=_ratio(n_track_rows - associated_tracks, n_track_rows, 0.0),
        position_accuracy=_ratio(position_error, associated_tracks, 0.0),
        velocity_accuracy=_velocity_accuracy(truth, tracks, truth_row, track_row),
        rate_of_track_number_change=_rate_of_track_number_change(truth_code, frames, pairs),
        longest_track_segment=_longest_track_segment(truth_code, frames, pairs),
        n_tracks=int(np.unique(tracks.ids).size),
        n_truths=int(np.unique(truth.ids).size),
    )


def _ratio(numerator: float, denominator: float, if_empty: float) -> float:
    return numerator / denominator if denominator != 0 else if_empty


def _norm_sum(difference: FloatArray) -> float:
    return float(np.sum(np.sqrt(np.sum(difference**2, axis=-1))))


def _velocity_accuracy(
    truth: Trajectories, tracks: Trajectories, truth_row: IntArray, track_row: IntArray
) -> float:
    if truth.velocities is None or tracks.velocities is None:
        return math.nan
    error = _norm_sum(tracks.velocities[track_row] - truth.velocities[truth_row])
    return _ratio(error, float(np.unique(track_row).size), 0.0)


def _active_rows(
    truth_code: IntArray, track_code: IntArray, frames: Frames, pairs: AssociationIntervals
) -> tuple[IntArray, IntArray]:
    """(track row, truth row) of every association active at a frame where both have a row.

    A track row inside two overlapping associations (a switch) appears once for each.
    """
    n_frames = frames.times.shape[0]
    key = track_code * n_frames + frames.track_frame
    order = np.argsort(key, kind="stable")
    lower = np.searchsorted(key[order], pairs.track * n_frames + pairs.start_frame, "left")
    upper = np.searchsorted(key[order], pairs.track * n_frames + pairs.end_frame, "right")
    counts = upper - lower
    pair_of = np.repeat(np.arange(counts.size), counts)
    first_of_pair = np.repeat(np.cumsum(counts) - counts, counts)
    track_row = order[np.repeat(lower, counts) + np.arange(pair_of.size) - first_of_pair]
    frame = frames.track_frame[track_row]
    truth_row = _find_rows(truth_code, frames.truth_frame, pairs.truth[pair_of], frame, n_frames)
    both = truth_row >= 0
    return track_row[both], truth_row[both]


def _find_rows(
    code: IntArray, frame: IntArray, wanted_code: IntArray, wanted_frame: IntArray, n_frames: int
) -> IntArray:
    """Row holding (code, frame) for each wanted pair, or -1 where there is none."""
    wanted = wanted_code * n_frames + wanted_frame
    if code.size == 0:
        return np.full(wanted.shape, -1, dtype=np.int64)
    key = code * n_frames + frame
    order = np.argsort(key, kind="stable")
    position = np.minimum(np.searchsorted(key[order], wanted), key.size - 1)
    found = key[order][position] == wanted
    return np.where(found, order[position], -1).astype(np.int64)


def _union_by_owner(owner: IntArray, start: IntArray, end: IntArray) -> IntArray:
    """Rows (owner, start, end): the union of each owner's closed frame intervals."""
    order = np.lexsort((start, owner))
    merged: list[list[int]] = []
    for who, first, last in zip(
        owner[order].tolist(), start[order].tolist(), end[order].tolist(), strict=True
    ):
        if merged and merged[-1][0] == who and first <= merged[-1][2]:
            merged[-1][2] = max(merged[-1][2], last)
        else:
            merged.append([who, first, last])
    return np.array(merged, dtype=np.int64).reshape(-1, 3)


def _rate_of_track_number_change(
    truth_code: IntArray, frames: Frames, pairs: AssociationIntervals
) -> float:
    """R = Σ_j max(NU_j − 1, 0) / Σ_j TT_j."""
    truth_spans = _union_by_owner(pairs.truth, pairs.start_frame, pairs.end_frame)
    covered = float(np.sum(frames.times[truth_spans[:, 2]] - frames.times[truth_spans[:, 1]]))
    truth_frames = _frames_of_each_truth(truth_code, frames.truth_frame)
    by_truth: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for track, truth, start, end in zip(
        pairs.track.tolist(),
        pairs.truth.tolist(),
        pairs.start_frame.tolist(),
        pairs.end_frame.tolist(),
        strict=True,
    ):
        by_truth[truth][track].append((start, end))
    changes = 0
    for truth, per_track in by_truth.items():
        changes += max(_tracks_needed(truth_frames[truth], list(per_track.values())) - 1, 0)
    return _ratio(float(changes), covered, 0.0)


def _frames_of_each_truth(truth_code: IntArray, truth_frame: IntArray) -> list[list[int]]:
    """The ascending frame indices of each truth code."""
    order = np.lexsort((truth_frame, truth_code))
    bounds = np.flatnonzero(np.diff(truth_code[order])) + 1
    return [truth_frame[rows].tolist() for rows in np.split(order, bounds)] if order.size else []


def _tracks_needed(truth_frames: list[int], associations: list[list[tuple[int, int]]]) -> int:
    """NU_j: Stone Soup's greedy walk along one truth's frames.

    At each frame take the association containing it that ends last overall (ties: the one whose
    interval containing the frame ends last), count it, and jump past that interval's end. The
    walk stops where that end is not a later frame of the truth, as Stone Soup's
    ``list.index`` lookup does.
    """
    overall_end = [max(end for _, end in intervals) for intervals in associations]
    needed = index = 0
    while index < len(truth_frames):
        frame = truth_frames[index]
        candidates = [
            (overall_end[k], end)
            for k, intervals in enumerate(associations)
            for start, end in intervals
            if start <= frame <= end
        ]
        if not candidates:
            index += 1
            continue
        needed += 1
        interval_end = max(candidates)[1]
        after = bisect.bisect_left(truth_frames, interval_end)
        if after <= index or after == len(truth_frames) or truth_frames[after] != interval_end:
            break
        index = after + 1
    return needed


def _longest_track_segment(
    truth_code: IntArray, frames: Frames, pairs: AssociationIntervals
) -> float:
    """LS = Σ_j TL_j / Σ_j T_j."""
    if truth_code.size == 0:
        return 0.0
    n_truths = int(truth_code.max()) + 1
    first = np.full(n_truths, np.inf)
    last = np.full(n_truths, -np.inf)
    truth_times = frames.times[frames.truth_frame]
    np.minimum.at(first, truth_code, truth_times)
    np.maximum.at(last, truth_code, truth_times)
    lifetime = float(np.sum(last - first))
    duration = frames.times[pairs.end_frame] - frames.times[pairs.start_frame]
    n_tracks = int(pairs.track.max()) + 1 if pairs.track.size else 1
    pair_key = pairs.truth * n_tracks + pairs.track
    unique_pairs, pair_index = np.unique(pair_key, return_inverse=True)
    per_pair = np.bincount(pair_index.reshape(-1), weights=duration, minlength=unique_pairs.size)
    longest = np.zeros(n_truths)
    np.maximum.at(longest, unique_pairs // n_tracks, per_pair)
    return _ratio(float(longest.sum()), lifetime, 0.0)
