"""``dronewall engage``: engagement commands. ``engage wta FILE`` solves a static
weapon-target assignment instance in the public format of ``../shared/bench/wta/``
(``docs/engage.md``) and prints its objective, time and assignment, or JSON with ``--json``.

Only cheap imports at module level (``cli.py`` explains why); NumPy, SciPy and Numba are
imported inside the command.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from dronewall.app.common import check_positive, errors, fail, text_file

if TYPE_CHECKING:
    from dronewall.engage import WtaInstance, WtaSolution

engage_app = typer.Typer(no_args_is_help=True, help="Engagement: weapon-target assignment.")
console = Console(highlight=False)


@engage_app.command("wta")
def wta(
    file: Annotated[Path, typer.Argument(help="instance: 'm n mu', n values, m·n 'i j p' lines")],
    time_limit: Annotated[float, typer.Option("--time-limit", help="seconds of wall time")] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="print the answer as JSON")] = False,
    seed: Annotated[int, typer.Option("--seed", help="seed of the search's random draws")] = 0,
    iterations: Annotated[
        int | None, typer.Option("--iterations", help="stop after N steps instead (repeatable)")
    ] = None,
    bound: Annotated[bool, typer.Option("--bound", help="also compute a lower bound")] = False,
    cpu: Annotated[
        bool, typer.Option("--cpu", help="count the time limit in CPU time (a loaded machine)")
    ] = False,
) -> None:
    """Solve a static weapon-target assignment: minimise the expected surviving target value."""
    check_positive("--time-limit", time_limit)
    if iterations is not None and iterations < 0:
        fail(f"--iterations must be 0 or more, not {iterations}")
    text_file(file, "WTA instance file")
    with errors():
        from dronewall.engage import read_wta, solve
        from dronewall.engage.wta_bound import lower_bound

        read_start = time.perf_counter()
        instance = read_wta(file)
        read_s = time.perf_counter() - read_start
        clock = time.process_time if cpu else time.perf_counter
        solution = solve(instance, time_limit, seed=seed, iterations=iterations, clock=clock)
        low = lower_bound(instance) if bound else None
    answer = wta_answer(file, instance, solution, read_s, low)
    if as_json:
        print(json.dumps(answer))
    else:
        _print(answer)


def wta_answer(
    file: Path, instance: WtaInstance, solution: WtaSolution, read_s: float, low: float | None
) -> dict[str, Any]:
    """The JSON answer of ``engage wta`` (schema in ``docs/engage.md``)."""
    return {
        "instance": str(file),
        "weapon_types": instance.weapon_types,
        "targets": instance.targets,
        "units": [int(u) for u in instance.units],
        "objective": solution.objective,
        "lower_bound": low,
        "seconds": solution.seconds,
        "cpu_seconds": solution.cpu_seconds,
        "read_seconds": read_s,
        "iterations": solution.iterations,
        "assignment": [
            {str(int(j)): int(row[j]) for j in row.nonzero()[0]} for row in solution.counts
        ],
    }


def _print(answer: dict[str, Any]) -> None:
    console.print(
        f"{answer['instance']}: {answer['weapon_types']} weapon types, "
        f"{answer['targets']} targets, {sum(answer['units'])} units"
    )
    console.print(f"objective {answer['objective']:.6f} (expected surviving target value)")
    if answer["lower_bound"] is not None:
        console.print(f"lower bound {answer['lower_bound']:.6f} (convex relaxation)")
    console.print(
        f"time {answer['seconds']:.3f} s wall, {answer['cpu_seconds']:.3f} s CPU "
        f"({answer['iterations']} steps; reading the file {answer['read_seconds']:.3f} s)"
    )
    console.print("assignment (weapon type: target×units …):")
    for i, row in enumerate(answer["assignment"]):
        shots = " ".join(f"{j}×{k}" if k > 1 else j for j, k in row.items())
        console.print(f"  {i}: {shots or '-'}")
