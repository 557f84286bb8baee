"""A live feed's sensor table grows while the tracker runs (a radar registers, a receiver is
heard for the first time): the tracker and its parts with per-sensor state follow it."""

from __future__ import annotations

import dataclasses

import numpy as np

from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import ReportBatch
from dronewall.tracking import Tracker, TrackerConfig

from .conftest import Run


def _first(sensors: SensorGeometry, n: int) -> SensorGeometry:
    columns = {}
    for f in dataclasses.fields(sensors):
        value = getattr(sensors, f.name)
        columns[f.name] = value[:n]
    return SensorGeometry(**columns)


def _confirmed_ids(tracker: Tracker, reports: ReportBatch) -> set[int]:
    ids: set[int] = set()
    for start in np.arange(reports.t_measured[0], reports.t_measured[-1] + 1.0, 1.0):
        chunk = (reports.t_measured >= start) & (reports.t_measured < start + 1.0)
        tracker.process(reports.take(np.flatnonzero(chunk)))
        ids |= set(tracker.tracks().track_id.tolist())
    return ids


def test_sensors_joining_mid_run_are_tracked_without_error(crossing: Run) -> None:
    reports = crossing.reports.take(np.argsort(crossing.reports.t_measured, kind="stable"))
    first = 0  # only the first sensor is known at the start
    early = reports.t_measured < reports.t_measured[0] + 120.0
    tracker = Tracker(_first(crossing.sensors, first + 1), TrackerConfig(hold_back=False))
    tracker.process(reports.take(np.flatnonzero(early & (reports.sensor_index == first))))
    tracker.sensors = crossing.sensors  # the others join
    rest = reports.take(np.flatnonzero(~early))
    joined = _confirmed_ids(tracker, rest)
    assert np.unique(rest.sensor_index).size > 1 and (early & (reports.sensor_index == 0)).any()
    assert tracker.scorer.map.looks.size == len(crossing.sensors)
    # as many objects tracked as by a tracker that knew every sensor from the start
    baseline = _confirmed_ids(Tracker(crossing.sensors, TrackerConfig(hold_back=False)), rest)
    assert len(baseline) > 0
    assert len(joined) >= 0.8 * len(baseline)
