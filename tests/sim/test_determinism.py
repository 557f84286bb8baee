"""The same scenario and seed give byte-identical files; another seed gives other reports."""

from __future__ import annotations

import hashlib
from pathlib import Path

from dronewall.sim import Simulation, load_scenario, run_to_directory
from dronewall.world import World


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _run(world: World, out: Path, seed: int | None) -> dict[str, str]:
    sim = Simulation(load_scenario("copenhagen-2025-09"), world, seed=seed, duration_s=240)
    run_to_directory(sim, out)
    return _digests(out)


def test_same_seed_gives_byte_identical_output(world: World, tmp_path: Path) -> None:
    first = _run(world, tmp_path / "a", None)
    second = _run(world, tmp_path / "b", None)
    assert set(first) == {
        "reports.parquet",
        "sensors.parquet",
        "truth.parquet",
        "objects.parquet",
        "report_truth.parquet",
        "run.json",
    }
    assert first == second


def test_another_seed_gives_other_reports(world: World, tmp_path: Path) -> None:
    first = _run(world, tmp_path / "a", 1)
    second = _run(world, tmp_path / "b", 2)
    assert first["reports.parquet"] != second["reports.parquet"]


def test_new_kinds_and_terrain_are_deterministic(world: World, tmp_path: Path) -> None:
    def run(out: Path) -> dict[str, str]:
        sim = Simulation(load_scenario("upland-drones"), world, duration_s=180)
        run_to_directory(sim, out)
        return _digests(out)

    assert run(tmp_path / "a") == run(tmp_path / "b")
