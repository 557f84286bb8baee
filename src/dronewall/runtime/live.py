"""Building a live pipeline: from a scenario name (world, simulation, zones, store), from live
sensor feeds, or from a recorded run's raw feed messages."""

from __future__ import annotations

from dronewall.assess import protected_zones
from dronewall.runtime.adapters import ADAPTERS
from dronewall.runtime.feeds import FeedSource, RawReplaySource, spec_from_json
from dronewall.runtime.feedspec import FeedSpec
from dronewall.runtime.pipeline import Pipeline, PipelineSettings
from dronewall.runtime.sources import SimulationSource
from dronewall.sim import Simulation, load_scenario
from dronewall.store import Store
from dronewall.world import load_world


def simulation_pipeline(
    scenario: str,
    store: Store,
    settings: PipelineSettings | None = None,
    *,
    duration_s: float | None = None,
    seed: int | None = None,
) -> Pipeline:
    """The pipeline over a bundled scenario (or a scenario file) simulated as it runs."""
    spec = load_scenario(scenario)
    world = load_world()
    sim = Simulation(spec, world, seed=seed, duration_s=duration_s)
    source = SimulationSource(sim, name=f"simulation:{spec.name}")
    return Pipeline(source, protected_zones(world), store, settings)


def feeds_pipeline(
    specs: list[FeedSpec], store: Store, settings: PipelineSettings | None = None
) -> Pipeline:
    """The pipeline over live sensor feeds; the feeds are started (bound, connecting) before
    it returns, so a feed that cannot start raises ``FeedStartError`` here."""
    source = FeedSource(specs, ADAPTERS)
    source.open()
    return Pipeline(source, protected_zones(load_world()), store, settings)


def reprocess_pipeline(
    store: Store, run_id: str, settings: PipelineSettings | None = None
) -> Pipeline | None:
    """A recorded run's raw feed messages decoded again through a fresh pipeline, or None
    when the run recorded no feeds (a simulation: replay its reports instead)."""
    recorded = store.run(run_id).settings.get("feeds")
    if not recorded:
        return None
    feeds = FeedSource([spec_from_json(d) for d in recorded], ADAPTERS)
    source = RawReplaySource(feeds, store, run_id)
    return Pipeline(source, protected_zones(load_world()), store, settings)
