"""The tracker's parts are swappable: a part given to the constructor is the one used."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dronewall.core.types import ReportBatch
from dronewall.records.stonesoup_csv import PlanarDetections, planar_reports, planar_sensor
from dronewall.runtime.offline import STONESOUP_CONFIG
from dronewall.tracking import NearestNeighbour, ReorderWindow, Tracker, TrackerConfig
from dronewall.tracking.association import Assignment
from dronewall.tracking.tracker import Tracker as TrackerClass


class CountingAssociator(NearestNeighbour):
    def __init__(self) -> None:
        self.calls = 0

    def assign(self, *args, **kwargs) -> Assignment:  # type: ignore[no-untyped-def]
        self.calls += 1
        return super().assign(*args, **kwargs)


class KeepLate(ReorderWindow):
    """Takes every late report (does nothing with them) and counts records and drops."""

    def __init__(self) -> None:
        self.late = 0
        self.recorded = 0
        self.forgotten = 0

    def record(self, tracker: TrackerClass, track_rows, batch, rows) -> None:  # type: ignore[no-untyped-def]
        assert track_rows.size == rows.size
        self.recorded += int(track_rows.size)

    def handle(self, tracker: TrackerClass, batch: ReportBatch) -> ReportBatch:
        assert bool((batch.t_measured < tracker.now).all())
        self.late += len(batch)
        return ReportBatch.empty()

    def forget(self, keep: npt.NDArray[np.bool_]) -> None:
        self.forgotten += int((~keep).sum())


def _dets(scans: int) -> PlanarDetections:
    k = np.arange(scans)
    x = np.asarray(1000.0 + 30.0 * k, float)
    return PlanarDetections(k, k.astype(float), x, np.full(scans, 500.0))


def test_a_given_associator_is_used() -> None:
    associator = CountingAssociator()
    tracker = Tracker(planar_sensor(), STONESOUP_CONFIG, associator=associator)
    dets = _dets(5)
    for k in range(5):
        tracker.process(planar_reports(dets, np.array([k]), 10.0))
    assert associator.calls >= 4  # every scan after the first had a track to gate against
    assert len(tracker.tracks()) == 1


def test_late_reports_go_through_the_late_part() -> None:
    late = KeepLate()
    config = TrackerConfig(imm=False, reorder_window_s=0.0, coast_timeout_s=1.5)
    tracker = Tracker(planar_sensor(), config, late=late)
    dets = _dets(6)
    for k in (0, 1, 2, 3):
        tracker.process(planar_reports(dets, np.array([k]), 10.0))
    tracker.process(planar_reports(dets, np.array([1]), 10.0))  # again, now late
    assert late.late == 1
    assert tracker.stats.reports_too_late == 0  # the part used it: not dropped by the tracker
    assert late.recorded == 4  # one start and three updates
    tracker.advance(float(planar_reports(dets, np.array([5]), 10.0).t_measured[0]) + 10.0)
    assert late.forgotten == 1 and len(tracker.store) == 0


def test_without_a_late_part_too_old_reports_are_counted() -> None:
    config = TrackerConfig(imm=False, reorder_window_s=0.0)
    tracker = Tracker(planar_sensor(), config)
    dets = _dets(4)
    for k in (0, 1, 2, 3, 1):
        tracker.process(planar_reports(dets, np.array([k]), 10.0))
    assert tracker.stats.reports_too_late == 1


def test_identities_of_any_length_are_kept_whole() -> None:
    """A 20-character ANSI/CTA-2063-A serial and a longer session id reach TrackBatch whole."""
    serials = ["1581F4XFC232000A123B", "SESSION-0123456789abcdef0123456789abcdef"]
    dets = PlanarDetections(
        np.zeros(2, np.int64), np.zeros(2), np.array([1_000.0, 5_000.0]), np.full(2, 500.0)
    )
    tracker = Tracker(planar_sensor(), STONESOUP_CONFIG)
    for k in range(3):
        batch = planar_reports(dets, np.arange(2), 10.0)
        batch.identity[:] = np.array(serials, object)
        batch.t_measured[:] += k
        batch.lon_deg[:] += 1e-4 * k
        tracker.process(batch)
    assert sorted(tracker.tracks().identity.tolist()) == sorted(serials)


def test_an_impossible_jump_of_an_identity_is_kept_out_and_counted() -> None:
    """The identity screen (``plausibility``) runs first: an aircraft's fix 500 km away one
    second after the last is flagged, counted and never reaches a track."""
    from dronewall.core.types import SensorKind

    k = np.arange(8)
    x = np.asarray(1_000.0 + 30.0 * k, float)
    x[5] += 500_000.0  # spoofed
    dets = PlanarDetections(k, k.astype(float), x, np.full(8, 500.0))
    tracker = Tracker(planar_sensor(), STONESOUP_CONFIG)
    for i in k:
        batch = planar_reports(dets, np.array([i]), 10.0)
        batch.identity[:] = "4ca7b5"
        batch.sensor_kind[:] = int(SensorKind.ADSB)
        tracker.process(batch)
    assert tracker.stats.reports_implausible == 1
    assert tracker.stats.tracks_started == 1  # the jump started no second track
    assert len(tracker.tracks()) == 1
