"""A live (non-blocking) source through a process stage that stalls for a moment: the empty
chunks a live feed hands over to say that time has passed must not take the places reports
need, so nothing is shed and every report is recorded."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from dronewall.assess import protected_zones
from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import ReportBatch
from dronewall.runtime.pipeline import Pipeline, PipelineSettings
from dronewall.sim import Simulation, load_scenario
from dronewall.store import open_store
from dronewall.world import load_world

EMPTY_BETWEEN = 40  # a live feed flushes every 50 ms: 40 empty chunks are 2 s without reports


@dataclass
class LiveLike:
    """Chunks of a short simulation, each followed by empty chunks, handed over at once."""

    chunks_with_reports: list[ReportBatch]
    sensors: SensorGeometry
    name: str = "live-like"
    blocking: bool = False

    def chunks(self) -> Iterator[ReportBatch]:
        for batch in self.chunks_with_reports:
            yield batch
            for _ in range(EMPTY_BETWEEN):
                yield ReportBatch.empty()


def test_a_stalled_process_stage_sheds_no_report_of_a_live_source() -> None:
    world = load_world()
    sim = Simulation(load_scenario("copenhagen-2025-09"), world, seed=3, duration_s=40.0)
    chunks = [c.reports for c in sim.run(flush_every_s=1.0) if len(c.reports)]
    source = LiveLike(chunks, sim.sensors.geometry())
    store = open_store("sqlite:///:memory:")
    pipeline = Pipeline(source, protected_zones(world), store, PipelineSettings(speed=0.0))
    process = pipeline.tracker.process
    stalled = []

    def slow_first(batch: ReportBatch) -> None:
        if not stalled:  # the first chunk stalls the stage, as a first load would
            stalled.append(True)
            time.sleep(2.0)
        process(batch)

    pipeline.tracker.process = slow_first  # type: ignore[method-assign]
    pipeline.start()
    assert pipeline.join(120.0)
    sent = sum(len(c) for c in chunks)
    assert len(chunks) * (EMPTY_BETWEEN + 1) > PipelineSettings().ingest_capacity
    assert pipeline.summary.reports == sent
    assert len(store.reports(pipeline.run_id)) == sent
    store.close()
