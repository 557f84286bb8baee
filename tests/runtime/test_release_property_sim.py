"""The releasability property on the simulator's data (issue 15): a real multi-sensor laydown
— radars, RF direction finders, acoustic and EO/IR bearings crossed into fixes, ADS-B and
Remote ID — given random labels of several nations, through the real tracker; random
recipients. As ``test_release_property``, every delivered track and report is checked against
the tracker's own association record — here including the other stations whose bearings
crossed at a triangulated track's start — with ``cleared_all``, independently of the mask.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dronewall.core.release import cleared_all
from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import ReportBatch
from dronewall.runtime.release import Release, with_memberships
from dronewall.sim.engine import Simulation
from dronewall.sim.scenario import load_scenario
from dronewall.store import PictureFrame
from dronewall.tracking.retrodiction import Refiltering
from dronewall.tracking.tracker import Tracker
from dronewall.world import load_world
from tests.runtime.test_release_property import labels_st, recipients_st

COUNTS: dict[str, int] = defaultdict(int)


class RecordingTracker(Tracker):
    """The real tracker, writing down each (track id, sensor) pair it associates: reports that
    start or update a track (through its late-reports part, in order or re-filtered) and the
    other stations whose bearings crossed at a triangulated start."""

    def __init__(self, sensors: SensorGeometry) -> None:
        self.made_by: dict[int, set[int]] = defaultdict(set)
        made_by = self.made_by

        class Late(Refiltering):
            def record(self, tracker, track_rows, batch, rows) -> None:  # type: ignore[no-untyped-def]
                ids = tracker.store.track_id[track_rows].tolist()
                for tid, s in zip(ids, batch.sensor_index[rows].tolist(), strict=True):
                    made_by[int(tid)].add(int(s))
                super().record(tracker, track_rows, batch, rows)

        super().__init__(sensors, late=Late())

    def start(self, state, covariance, batch, rows, *, t=None, also=None):  # type: ignore[no-untyped-def]
        new = super().start(state, covariance, batch, rows, t=t, also=also)
        if also is not None:
            COUNTS["triangulated starts"] += 1
            for tid in self.store.track_id[new].tolist():
                self.made_by[int(tid)].update(int(s) for s in batch.sensor_index[also].tolist())
        return new


@pytest.fixture(scope="module")
def simulated() -> tuple[SensorGeometry, list[ReportBatch]]:
    """Seven minutes of the Copenhagen laydown (its sensors of every kind), reports by chunk."""
    sim = Simulation(load_scenario("copenhagen-2025-09"), load_world(), duration_s=420.0)
    batches = [chunk.reports for chunk in sim.run(flush_every_s=5.0) if len(chunk.reports)]
    return sim.sensors.geometry(), batches


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_recipient_receives_what_it_is_not_cleared_for_on_simulated_data(
    simulated: tuple[SensorGeometry, list[ReportBatch]], data: Any
) -> None:
    geometry, batches = simulated
    n = len(geometry)
    pool = data.draw(st.lists(labels_st, min_size=2, max_size=5), label="labels")
    which = data.draw(st.lists(st.integers(0, len(pool) - 1), min_size=n, max_size=n))
    labels = [pool[i] for i in which]
    recipients = data.draw(st.lists(recipients_st, min_size=1, max_size=3), label="recipients")
    sensors = dataclasses.replace(geometry, labels=tuple(labels))
    tracker = RecordingTracker(sensors)
    releases = [(r, with_memberships(r), Release(r, lambda: sensors)) for r in recipients]
    COUNTS["examples"] += 1
    for k, batch in enumerate(batches):
        tracker.process(batch)
        COUNTS["reports"] += len(batch)
        if k % 6:  # a frame every 30 s of data
            continue
        t = tracker.now
        frame = PictureFrame.build(t, tracker.tracks(t, confirmed_only=False), None, None, None)
        for _, member, release in releases:
            delivered = set(release.frame(frame).track_id.tolist())
            for tid in frame.track_id.tolist():
                made = tracker.made_by[int(tid)]
                ok = cleared_all(member, [labels[s] for s in made])
                assert (tid in delivered) == ok, (tid, made)
                COUNTS["delivered" if ok else "withheld"] += 1
            got = release.reports(batch)
            assert all(cleared_all(member, [labels[s]]) for s in got.sensor_index.tolist())
            assert len(got) == sum(
                cleared_all(member, [labels[s]]) for s in batch.sensor_index.tolist()
            )


def teardown_module() -> None:
    print("\nreleasability property (simulated):", dict(COUNTS))
