"""The ``dronewall`` command line. The only place that reads arguments and prints."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dronewall.app import assess_cli, score_cli, serve_cli, track_cli
from dronewall.app.plan_cli import plan_app
from dronewall.core.errors import DronewallError
from dronewall.records import read_sensors
from dronewall.records.tracks import sensor_geometry
from dronewall.runtime.sapient_replay import replay_over_sapient
from dronewall.sim import RunSummary, Simulation, bundled_names, load_scenario, run_to_directory
from dronewall.world import load_world

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="dronewall: Europe's fused counter-drone picture.",
)
console = Console()
DEFAULT_SCENARIO = "copenhagen-2025-09"
SAPIENT_SPEED = 60.0  # replay pace for --via sapient (reports must arrive in time order)
DEFAULT_DEMO_DURATION_S = 3600.0  # the first hour: the drones arrive and alerts are raised


app.command("track")(track_cli.track)
app.command("score")(score_cli.score)
app.command("assess")(assess_cli.assess)
app.command("serve")(serve_cli.serve)
app.add_typer(plan_app, name="plan")


@app.command()
def scenarios() -> None:
    """List the bundled scenarios."""
    table = Table("name", "title", "duration", "seed")
    for name in bundled_names():
        s = load_scenario(name)
        table.add_row(
            name, s.scenario.title, f"{s.scenario.duration_s / 3600:.1f} h", str(s.scenario.seed)
        )
    console.print(table)


@app.command()
def simulate(
    scenario: Annotated[str, typer.Argument(help="a bundled scenario name or a scenario file")],
    out: Annotated[Path, typer.Option("--out", help="directory to write the run to")],
    seed: Annotated[int | None, typer.Option(help="override the scenario's seed")] = None,
    duration: Annotated[float | None, typer.Option(help="override the duration (seconds)")] = None,
) -> None:
    """Simulate a scenario and write truth and sensor reports as Parquet."""
    summary, wall = _simulate(scenario, out, seed, duration)
    _print_summary(summary, wall, out)


@app.command()
def demo(
    scenario: Annotated[str, typer.Argument(help="scenario to run")] = DEFAULT_SCENARIO,
    out: Annotated[Path, typer.Option("--out")] = Path("out/demo"),
    duration: Annotated[float, typer.Option(help="simulated seconds")] = DEFAULT_DEMO_DURATION_S,
    via: Annotated[
        str, typer.Option(help="'memory', or 'sapient': every sensor over SAPIENT/TCP")
    ] = "memory",
) -> None:
    """Simulate a scenario, track it, classify the tracks and raise alerts; print what
    flew, what each kind of sensor saw, what was tracked and which alerts were raised."""
    console.print(f"[bold]dronewall demo[/] — scenario [cyan]{scenario}[/], {duration:.0f} s")
    summary, wall = _simulate(scenario, out, None, duration)
    _print_summary(summary, wall, out)
    if via == "sapient":
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
    with console.status(f"replaying the sensors over SAPIENT at {SAPIENT_SPEED:.0f}× real time…"):
        received = replay_over_sapient(out, speed=SAPIENT_SPEED)
    console.print(
        f"SAPIENT: {received.stats.nodes} sensor nodes, {len(received.reports):,} detection "
        f"reports accepted; counters {received.counters}"
    )
    track_cli.track_batch(
        received.reports, sensor_geometry(read_sensors(out / "sensors.parquet")), out
    )


def _simulate(
    scenario: str, out: Path, seed: int | None, duration: float | None
) -> tuple[RunSummary, float]:
    try:
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
            summary = run_to_directory(
                sim, out, lambda done, _total: bar.update(task, completed=done)
            )
        return summary, time.perf_counter() - started
    except DronewallError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc


def _print_summary(summary: RunSummary, wall_s: float, out: Path) -> None:
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


def main() -> None:
    app()
