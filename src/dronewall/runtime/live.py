"""Building a live pipeline from a scenario name: world, simulation, zones, store."""

from __future__ import annotations

from dronewall.assess import protected_zones
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
