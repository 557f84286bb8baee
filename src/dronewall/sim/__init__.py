"""Scenario simulator: seeded, deterministic, much faster than real time. Truth objects (attack
drones, decoys, quadcopters, reconnaissance drones, airliners, gliders, helicopters, light
aircraft, ultralights, bird flocks) fly over real geography and terrain; simulated sensors
report them the way real ones would."""

from dronewall.sim.engine import Chunk, Simulation
from dronewall.sim.output import RunSummary, run_to_directory
from dronewall.sim.scenario import Scenario, bundled_names, load_scenario, parse_scenario

__all__ = [
    "Chunk",
    "RunSummary",
    "Scenario",
    "Simulation",
    "bundled_names",
    "load_scenario",
    "parse_scenario",
    "run_to_directory",
]
