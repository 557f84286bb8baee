"""The tracker seam and the stand-in rule (≥3 reports of an object within 10 s)."""

from __future__ import annotations

import numpy as np

from dronewall.core.types import ReportBatch
from dronewall.evaluate.tracking import (
    RunReports,
    first_confirmation_by_object,
    first_report_by_object,
    reports_in_window_stand_in,
)
from dronewall.sim.engine import TruthRows

NO_TRUTH = TruthRows(
    np.zeros(0), np.zeros(0, np.int32), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros((0, 3))
)


def _run(t_measured: list[float], objects: list[int], delay: float = 0.5) -> RunReports:
    batch = ReportBatch.allocate(len(t_measured))
    batch.t_measured[:] = t_measured
    batch.t_arrival[:] = np.asarray(t_measured) + delay
    batch.report_id[:] = np.arange(len(t_measured))
    return RunReports(batch, np.asarray(objects, np.int64), NO_TRUTH)


def test_three_reports_within_ten_seconds_confirm_at_the_third_arrival() -> None:
    run = _run([0.0, 4.0, 9.0, 30.0], [7, 7, 7, 7])
    assert reports_in_window_stand_in(run, None) == {7: 9.5}  # type: ignore[arg-type]


def test_reports_spread_over_more_than_ten_seconds_do_not_confirm() -> None:
    run = _run([0.0, 6.0, 12.0, 18.0], [7, 7, 7, 7])
    assert reports_in_window_stand_in(run, None) == {}  # type: ignore[arg-type]


def test_false_alarms_and_other_objects_do_not_count() -> None:
    run = _run([0.0, 1.0, 2.0, 3.0, 4.0], [7, -1, 8, -1, 7])
    assert reports_in_window_stand_in(run, None) == {}  # type: ignore[arg-type]
    assert first_report_by_object(run) == {7: 0.5, 8: 2.5}


def test_tracks_map_to_the_object_behind_most_of_their_reports() -> None:
    run = _run([0.0, 1.0, 2.0, 3.0], [7, 7, 8, 7])
    found = first_confirmation_by_object([5.0, 2.0], [np.array([0, 1, 2]), np.array([3, 1])], run)
    assert found == {7: 2.0}


def test_the_stand_in_says_it_is_one() -> None:
    assert reports_in_window_stand_in.stand_in
    assert "stand-in" in reports_in_window_stand_in.description
