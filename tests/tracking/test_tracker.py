"""The tracker end to end on small simulated runs."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.core.tracks import TrackBatch
from dronewall.core.types import ReportBatch, SensorKind
from dronewall.runtime.offline import track_reports
from dronewall.tracking import Tracker, TrackerConfig

from .conftest import Run, kinds, nearest_track_ids


def _track(
    run: Run, reports: ReportBatch | None = None, config: TrackerConfig | None = None
) -> tuple[TrackBatch, Tracker]:
    tracker = Tracker(run.sensors, config)
    out = TrackBatch.concat(
        list(track_reports(reports or run.reports, run.sensors, tracker=tracker))
    )
    return out, tracker


def test_target_crossing_two_radars_keeps_one_identity(crossing: Run) -> None:
    tracks, _ = _track(crossing)
    seen_by = {int(s) for s in crossing.reports.sensor_index[crossing.report_object == 0]}
    assert seen_by == {0, 1}  # both radars saw it
    ids = nearest_track_ids(crossing, tracks, 0, within_m=300.0)
    held = ids[ids >= 0]
    assert (
        held.size > 0.8 * np.count_nonzero(crossing.truth_id == 0) - 60
    )  # tracked most of the way
    _values, counts = np.unique(held, return_counts=True)
    assert counts.max() / held.size > 0.98  # one identity from first radar to second


def test_acoustic_only_drones_are_triangulated_and_tracked(acoustic: Run) -> None:
    assert kinds(acoustic) == {SensorKind.ACOUSTIC}
    tracks, tracker = _track(acoustic)
    assert tracker.stats.triangulated >= 4
    tracked = 0
    for obj in range(4):
        ids = nearest_track_ids(acoustic, tracks, obj, within_m=1000.0)
        heard = np.unique(acoustic.report_object)
        if obj in heard and (ids >= 0).any():
            tracked += 1
    assert tracked >= 3  # of the four drones, those heard by the line get tracks


def test_cooperative_identity_is_carried_on_the_track(adsb: Run) -> None:
    tracks, _ = _track(adsb)
    assert len(tracks) > 0
    identities = set(tracks.identity.tolist())
    truth_ids = {i for i in adsb.reports.identity.tolist() if i}
    assert identities and identities <= truth_ids
    # one track per aircraft: never two tracks with the same address at one instant
    for t in np.unique(tracks.t):
        here = tracks.identity[tracks.t == t]
        assert len(here) == len(set(here.tolist()))


def test_the_emitter_category_reports_give_is_carried_on_the_track(adsb: Run) -> None:
    tracks, _ = _track(adsb)
    given = {c for c in adsb.reports.emitter_category.tolist() if c}
    assert given  # the simulated ADS-B receivers give categories (report format 1.1)
    carried = set(tracks.emitter_category[tracks.identity != ""].tolist())
    assert carried and carried <= given


def test_radar_tracks_carry_the_cross_section_of_what_they_follow(crossing: Run) -> None:
    tracks, _ = _track(crossing)
    given = crossing.reports.rcs_dbsm[np.isfinite(crossing.reports.rcs_dbsm)]
    assert given.size  # the simulated radars give a cross-section (report format 1.1)
    settled = np.isfinite(tracks.rcs_dbsm) & (tracks.n_updates >= 10)
    assert settled.any()
    # Shahed-class drones, 0.1–0.5 m² (−10 to −3 dBsm), seen through scan-to-scan fluctuation
    assert np.all(np.abs(tracks.rcs_dbsm[settled] - np.median(given)) < 6.0)


def test_the_cross_section_is_a_running_mean_that_follows_a_change() -> None:
    from dronewall.tracking.evidence import RCS_MEMORY, add_rcs
    from dronewall.tracking.motion import ModelSet
    from dronewall.tracking.store import TrackStore

    store = TrackStore(ModelSet.from_config(TrackerConfig()))
    row = store.add(np.zeros((1, 6)), np.eye(6)[None] * 100.0, np.zeros(1))
    assert np.isnan(store.rcs_dbsm[row]).all()
    for value in (-10.0, -6.0, -8.0):
        add_rcs(store, row, np.array([value]))
    assert store.rcs_dbsm[row][0] == pytest.approx(-8.0)  # the plain mean at first
    for _ in range(3 * RCS_MEMORY):
        add_rcs(store, row, np.array([20.0]))  # the track now follows an airliner
    assert store.rcs_dbsm[row][0] > 18.0


def test_late_reports_within_the_window_are_used(crossing: Run) -> None:
    rng = np.random.default_rng(0)
    delayed = crossing.reports.take(np.arange(len(crossing.reports)))
    delayed.t_arrival[:] += rng.uniform(0, 1.5, len(delayed))  # shuffles the arrival order
    in_order, base = _track(crossing)
    shuffled, tracker = _track(crossing, delayed)
    assert tracker.stats.reports_too_late == 0
    assert tracker.stats.updates >= 0.97 * base.stats.updates
    assert len(np.unique(shuffled.track_id)) == len(np.unique(in_order.track_id))


def test_bad_reports_are_rejected_counted_and_the_rest_used(crossing: Run) -> None:
    bad = crossing.reports.take(np.arange(20))
    bad.range_m[:5] = np.nan
    bad.sensor_index[5:10] = 999  # no such sensor
    bad.sigma_azimuth_deg[10:15] = -1.0
    mixed = ReportBatch.concat([bad, crossing.reports])
    _, tracker = _track(crossing, mixed)
    _, clean = _track(crossing)
    assert tracker.stats.reports_rejected == 15
    assert tracker.stats.updates >= clean.stats.updates


def test_without_a_reorder_window_each_scan_is_processed_at_once() -> None:
    """Scan-by-scan input (the Stone Soup format): a target is confirmed right at the scan
    that confirms it — its second (``confirm_hits`` 2 and its existence score over the
    threshold, nothing else in sight) — not one scan later."""
    from dronewall.records.stonesoup_csv import PlanarDetections, planar_reports, planar_sensor
    from dronewall.runtime.offline import STONESOUP_CONFIG

    scans = np.arange(4)
    x = np.asarray(1000.0 + 30.0 * scans, float)
    dets = PlanarDetections(scans, scans.astype(float), x, np.full(4, 500.0))
    tracker = Tracker(planar_sensor(), STONESOUP_CONFIG)
    confirmed = []
    for k in scans:
        tracker.process(planar_reports(dets, np.array([k]), 10.0))
        confirmed.append(len(tracker.tracks()))
    assert confirmed == [0, 1, 1, 1]
