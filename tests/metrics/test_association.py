"""Track-to-truth association: Stone Soup's TrackToTruth rules, case by case (threshold 50 m)."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.core.errors import DataError
from dronewall.metrics import Trajectories, associate_tracks_to_truth

HIT, MISS = 10.0, 500.0  # track x-offsets from truth A: inside, far outside the 50 m gate
TRUTH_A, TRUTH_B = 1, 2
B_OFFSET = 200.0  # truth B runs parallel to A, 200 m to the east


def _truths(n_frames: int) -> Trajectories:
    t = np.repeat(np.arange(n_frames, dtype=float), 2)
    ids = np.tile([TRUTH_A, TRUTH_B], n_frames)
    x = np.where(ids == TRUTH_A, 0.0, B_OFFSET)
    return Trajectories.from_columns(t, ids, np.column_stack([x, 30.0 * t]))


def _track(offsets: list[float], track_id: int = 7) -> Trajectories:
    t = np.arange(len(offsets), dtype=float)
    return Trajectories.from_columns(
        t, np.full(len(offsets), track_id), np.column_stack([offsets, 30.0 * t])
    )


def _intervals(offsets: list[float]) -> list[tuple[int, float, float]]:
    found = associate_tracks_to_truth(_truths(len(offsets)), _track(offsets))
    return list(zip(found.truth_id.tolist(), found.start.tolist(), found.end.tolist(), strict=True))


def test_confirmed_after_three_hits_from_the_first_of_them() -> None:
    assert _intervals([MISS, MISS] + [HIT] * 8) == [(TRUTH_A, 2.0, 9.0)]
    assert _intervals([HIT, HIT, MISS, HIT, HIT, MISS]) == []


def test_one_miss_is_bridged_two_end_the_association() -> None:
    assert _intervals([HIT] * 5 + [MISS] + [HIT] * 4) == [(TRUTH_A, 0.0, 9.0)]
    assert _intervals([HIT] * 5 + [MISS] * 2 + [HIT] * 3) == [
        (TRUTH_A, 0.0, 4.0),
        (TRUTH_A, 7.0, 9.0),
    ]


def test_moving_to_another_truth_starts_at_the_first_hit_on_it() -> None:
    on_b = B_OFFSET + HIT
    assert _intervals([HIT] * 6 + [on_b] * 6) == [(TRUTH_A, 0.0, 5.0), (TRUTH_B, 6.0, 11.0)]


def test_switch_after_hits_between_misses_overlaps_the_previous_association() -> None:
    """Stone Soup keeps counting hits on B across a hit on A, then switches with B starting at
    its first hit, before A's last hit: the track holds two truths at frames 6-7."""
    on_b = B_OFFSET + HIT
    offsets = [HIT] * 6 + [on_b, HIT, on_b, on_b] + [on_b] * 3
    assert _intervals(offsets) == [(TRUTH_A, 0.0, 7.0), (TRUTH_B, 6.0, 12.0)]


def test_stale_miss_counter_lets_one_miss_end_a_reconfirmed_association() -> None:
    """Stone Soup does not reset its miss counter when an association ends, so the next one,
    once confirmed, ends at its first miss."""
    offsets = [HIT] * 6 + [MISS] * 2 + [HIT] * 3 + [MISS] + [HIT] * 3
    assert _intervals(offsets) == [
        (TRUTH_A, 0.0, 5.0),
        (TRUTH_A, 8.0, 10.0),
        (TRUTH_A, 12.0, 14.0),
    ]


def test_gate_is_strict_and_nearest_truth_wins() -> None:
    assert _intervals([50.0] * 5) == []
    assert _intervals([49.999] * 5) == [(TRUTH_A, 0.0, 4.0)]
    assert _intervals([B_OFFSET - 40.0] * 5) == [(TRUTH_B, 0.0, 4.0)]  # 160 m from A


def test_needs_truth_at_the_same_time_unless_a_tolerance_groups_them() -> None:
    truth = _truths(6)
    late = Trajectories.from_columns(
        np.arange(6) + 0.25, np.full(6, 7), np.column_stack([np.full(6, HIT), 30.0 * np.arange(6)])
    )
    assert len(associate_tracks_to_truth(truth, late)) == 0
    grouped = associate_tracks_to_truth(truth, late, time_tolerance=0.3)
    assert (grouped.truth_id.tolist(), grouped.start.tolist(), grouped.end.tolist()) == (
        [TRUTH_A],
        [0.0],
        [5.0],
    )


def test_refuses_parameters_stone_soup_cannot_use() -> None:
    with pytest.raises(DataError):
        associate_tracks_to_truth(_truths(3), _track([HIT] * 3), association_threshold=0.0)
    with pytest.raises(DataError):
        associate_tracks_to_truth(_truths(3), _track([HIT] * 3), consec_pairs_confirm=0)
