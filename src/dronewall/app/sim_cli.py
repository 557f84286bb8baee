"""``dronewall scenarios``, ``simulate`` and ``demo``: the simulator, and the offline chain
simulate → track → classify → assess written to one run directory.

Only cheap imports at module level (``cli.py`` explains why); the simulator, the world and the
tracker are imported inside the commands, after the arguments have been checked.
"""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from dronewall.app.common import check_positive, errors, output_dir, scenario_file

if TYPE_CHECKING:
    from dronewall.sim import RunSummary

DEFAULT_SCENARIO = "copenhagen-2025-09"
SAPIENT_SPEED = 60.0  # replay pace for --via sapient (reports must arrive in time order)
DEFAULT_DEMO_DURATION_S = 3600.0  # the first hour: the drones arrive and alerts are raised
console = Console()


class Via(StrEnum):
    """How ``dronewall demo`` carries the sensors' reports to the tracker."""

    MEMORY = "memory"
    SAPIENT = "sapient"


def scenarios() -> None:
    """List the bundled scenarios."""
    from rich.table import Table

    from dronewall.sim import bundled_names, load_scenario

    with errors():
        table = Table("name", "title", "duration", "seed")
        for name in bundled_names():
            s = load_scenario(name)
            table.add_row(
                name,
                s.scenario.title,
                f"{s.scenario.duration_s / 3600:.1f} h",
                str(s.scenario.seed),
            )
        console.print(table)


def simulate(
    scenario: Annotated[str, typer.Argument(help="a bundled scenario name or a scenario file")],
    out: Annotated[Path, typer.Option("--out", help="directory to write the run to")],
    seed: Annotated[int | None, typer.Option(help="override the scenario's seed")] = None,
    duration: Annotated[float | None, typer.Option(help="override the duration (seconds)")] = None,
) -> None:
    """Simulate a scenario and write truth and sensor reports as Parquet."""
    check_positive("--duration", duration)
    scenario_file(scenario)
    output_dir(out)
    with errors():
        summary, wall = _simulate(scenario, out, seed, duration)
        _print_summary(summary, wall, out)


def demo(
    scenario: Annotated[str, typer.Argument(help="scenario to run")] = DEFAULT_SCENARIO,
    out: Annotated[Path, typer.Option("--out")] = Path("out/demo"),
    duration: Annotated[float, typer.Option(help="simulated seconds")] = DEFAULT_DEMO_DURATION_S,
    via: Annotated[
        Via, typer.Option(help="'memory', or 'sapient': every sensor over SAPIENT/TCP")
    ] = Via.MEMORY,
) -> None:
    """Simulate a scenario, track it, classify the tracks and raise alerts; print what
    flew, what each kind of sensor saw, what was tracked and which alerts were raised."""
    check_positive("--duration", duration)
    scenario_file(scenario)
    output_dir(out)
    from dronewall.app import assess_cli, track_cli

    with errors():
        console.print(f"[bold]dronewall demo[/] — scenario [cyan]{scenario}[/], {duration:.0f} s")
        summary, wall = _simulate(scenario, out, None, duration)
        _print_summary(summary, wall, out)
        if via == Via.SAPIENT:
            _track_over_sapient(out)
        else:
            track_cli.track(out, out, track_cli.InputFormat.RUN)
    assess_cli.assess(out, out)
    console.print(
        f"\nEverything is in {out}/ — reports, truth, tracks, classes, threats, alerts. "
        f"Score the tracker with: dronewall score {out} --truth {out} --cutoff 500"
    )


def _track_over_sapient(out: Path) -> None:
    """Replay every simulated sensor as a SAPIENT node over TCP into a local fusion node,
    then track what it received."""
    from dronewall.app.track_cli import track_batch
    from dronewall.records import read_sensors
    from dronewall.records.tracks import sensor_geometry
    from dronewall.runtime.sapient_replay import replay_over_sapient

    with console.status(f"replaying the sensors over SAPIENT at {SAPIENT_SPEED:.0f}× real time…"):
        received = replay_over_sapient(out, speed=SAPIENT_SPEED)
    console.print(
        f"SAPIENT: {received.stats.nodes} sensor nodes, {len(received.reports):,} detection "
        f"reports accepted; counters {received.counters}"
    )
    track_batch(received.reports, sensor_geometry(read_sensors(out / "sensors.parquet")), out)


def _simulate(
    scenario: str, out: Path, seed: int | None, duration: float | None
) -> tuple[RunSummary, float]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from dronewall.sim import Simulation, load_scenario, run_to_directory
    from dronewall.world import load_world

    spec = load_scenario(scenario)
    with console.status("loading world and drawing the scenario…"):
        sim = Simulation(spec, load_world(), seed=seed, duration_s=duration)
    started = time.perf_counter()
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} s simulated"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(spec.name, total=sim.duration_s)
        summary = run_to_directory(sim, out, lambda done, _total: bar.update(task, completed=done))
    return summary, time.perf_counter() - started


def _print_summary(summary: RunSummary, wall_s: float, out: Path) -> None:
    from rich.table import Table

    flew = Table("object kind", "count", "fates", title="What flew")
    for kind, n in summary.objects_by_kind.items():
        fates = ", ".join(f"{f.lower()} {c}" for f, c in summary.fates_by_kind[kind].items())
        flew.add_row(kind.lower(), str(n), fates)
    console.print(flew)
    seen = Table(
        "sensor kind",
        "sensors",
        "reports",
        "false alarms",
        "objects seen",
        title="What each kind of sensor saw",
    )
    for kind, n in summary.sensors_by_kind.items():
        objects = (
            ", ".join(f"{k.lower()} {c}" for k, c in summary.objects_seen[kind].items()) or "—"
        )
        seen.add_row(
            kind.lower(),
            str(n),
            f"{summary.reports_by_kind[kind]:,}",
            f"{summary.false_alarms_by_kind[kind]:,}",
            objects,
        )
    console.print(seen)
    speed = summary.duration_s / wall_s if wall_s > 0 else float("inf")
    console.print(
        f"{summary.reports:,} reports and {summary.truth_rows:,} truth rows in {wall_s:.1f} s "
        f"({speed:,.0f}× real time) → {out}/"
    )
