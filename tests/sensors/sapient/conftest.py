"""Shared fixtures for the SAPIENT tests: a short simulated run with every kind of sensor,
sensor descriptions, and a runner for asyncio tests (no plug-in needed)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from dronewall.core.types import SensorKind
from dronewall.sensors.sapient import SensorDescription
from dronewall.sim import Simulation, load_scenario, run_to_directory
from dronewall.world import load_world

T = TypeVar("T")
# 200 s of the Munich airport scenario: radars, RF, acoustic, EO/IR, Remote ID (the first
# quadcopter is up by 120 s) and ADS-B all report — about 8,000 reports.
RUN_SECONDS = 200.0


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("airport-run")
    sim = Simulation(load_scenario("airport-quadcopter"), load_world(), duration_s=RUN_SECONDS)
    run_to_directory(sim, out)
    return out


@pytest.fixture
def run_async() -> Callable[[Coroutine[Any, Any, T]], T]:
    """Run a coroutine to completion on a fresh event loop."""

    def run(coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run(coroutine)

    return run


def sensor(kind: SensorKind, name: str = "", **overrides: Any) -> SensorDescription:
    """A sensor near Munich Airport of the given kind."""
    values: dict[str, Any] = {
        "name": name or f"test-{kind.name.lower()}",
        "kind": kind,
        "lat_deg": 48.3537,
        "lon_deg": 11.7861,
        "alt_m": 460.0,
        "model": "test",
        "max_range_m": 5000.0,
        "period_s": 1.0,
        "latency_s": 0.3,
    }
    values.update(overrides)
    return SensorDescription(**values)
