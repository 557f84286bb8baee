"""``dronewall plan``: coverage, siting, procurement and proof of a plan, each writing an HTML
report (inline SVG, opens offline) beside machine-readable JSON/GeoJSON. Mounted on the main
command line with ``app.add_typer(plan_cli.plan_app, name="plan")``.

This module holds only the commands' arguments and help, with cheap imports (``cli.py``
explains why); the work is in ``plan_run``, imported when a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dronewall.app.common import check_positive, errors, output_dir, scenario_file, text_file

plan_app = typer.Typer(
    no_args_is_help=True, help="Plan the wall: coverage, siting, procurement, proof."
)
AreaOpt = Annotated[
    str | None, typer.Option("--area", help="eastern-land, baltic, black-sea or mediterranean")
]
BorderOpt = Annotated[
    list[str] | None,
    typer.Option("--border", help="a land border HOME-OTHER, e.g. POL-BLR (repeat)"),
]
CatalogueOpt = Annotated[
    Path | None, typer.Option("--catalogue", help="sensor catalogue TOML (default: packaged)")
]
OutOpt = Annotated[Path, typer.Option("--out", help="directory for the report")]
AltOpt = Annotated[
    list[float] | None, typer.Option("--altitude", help="altitude above ground, m (repeat)")
]


@plan_app.command()
def coverage(
    laydown: Annotated[Path, typer.Argument(help="laydown TOML")],
    out: OutOpt,
    area: AreaOpt = None,
    border: BorderOpt = None,
    catalogue: CatalogueOpt = None,
    altitude: AltOpt = None,
    grid_km: Annotated[float, typer.Option(help="demand grid spacing, km")] = 2.0,
) -> None:
    """What a laydown sees of an area at low altitudes: area, length, gaps, warning depth."""
    check_positive("--grid-km", grid_km)
    _text_files(("laydown", laydown), ("--catalogue", catalogue))
    output_dir(out)
    with errors():
        from dronewall.app import plan_run

        plan_run.coverage(
            laydown=laydown,
            out=out,
            area=area,
            border=border,
            catalogue=catalogue,
            altitude=altitude,
            grid_km=grid_km,
        )


@plan_app.command()
def siting(
    out: OutOpt,
    area: AreaOpt = None,
    border: BorderOpt = None,
    catalogue: CatalogueOpt = None,
    types: Annotated[
        str, typer.Option(help="sensor types to choose from, comma-separated")
    ] = "acoustic-node,cuas-radar",
    budget_eur: Annotated[
        float | None, typer.Option(help="budget: maximise covered demand")
    ] = None,
    cover_share: Annotated[
        float | None, typer.Option(help="least cost to cover this share of the demand")
    ] = None,
    rule: Annotated[
        str, typer.Option(help="seen (any sensor) or fixed (a radar, or 2 bearing sensors)")
    ] = "seen",
    candidates: Annotated[
        Path | None, typer.Option(help="candidate sites TOML (default: generated)")
    ] = None,
    candidate_count: Annotated[int, typer.Option(help="number of generated candidates")] = 2000,
    demand_km: Annotated[float, typer.Option(help="demand grid spacing, km")] = 2.0,
    altitude: AltOpt = None,
    gap: Annotated[float, typer.Option(help="relative optimality gap to prove")] = 0.01,
    time_limit: Annotated[float, typer.Option(help="solver time limit, s")] = 600.0,
) -> None:
    """Choose sites and sensor types under a budget with a MIP (HiGHS); report the proven gap."""
    for option, value in (
        ("--budget-eur", budget_eur),
        ("--candidate-count", candidate_count),
        ("--demand-km", demand_km),
        ("--time-limit", time_limit),
    ):
        check_positive(option, value)
    _text_files(("--catalogue", catalogue), ("--candidates", candidates))
    output_dir(out)
    with errors():
        from dronewall.app import plan_run

        plan_run.siting(
            out=out,
            area=area,
            border=border,
            catalogue=catalogue,
            types=types,
            budget_eur=budget_eur,
            cover_share=cover_share,
            rule=rule,
            candidates=candidates,
            candidate_count=candidate_count,
            demand_km=demand_km,
            altitude=altitude,
            gap=gap,
            time_limit=time_limit,
        )


@plan_app.command()
def procurement(
    out: OutOpt,
    plan: Annotated[Path | None, typer.Argument(help="plan TOML (default: the sample)")] = None,
    trade_off: Annotated[
        bool, typer.Option("--trade-off/--no-trade-off", help="solve the cost–time trade-off")
    ] = True,
    laydown: Annotated[
        Path | None, typer.Option(help="laydown TOML: show where sensors stand")
    ] = None,
    area: AreaOpt = None,
    border: BorderOpt = None,
    catalogue: CatalogueOpt = None,
) -> None:
    """What each nation buys, in which joint lots, at what cost, delivered when."""
    _text_files(("plan", plan), ("--laydown", laydown), ("--catalogue", catalogue))
    output_dir(out)
    with errors():
        from dronewall.app import plan_run

        plan_run.procurement(
            out=out,
            plan=plan,
            trade_off=trade_off,
            laydown=laydown,
            area=area,
            border=border,
            catalogue=catalogue,
        )


@plan_app.command()
def prove(
    laydown: Annotated[Path, typer.Argument(help="laydown TOML")],
    out: OutOpt,
    raid: Annotated[
        str, typer.Option(help="bundled scenario name or scenario file whose drones attack")
    ] = "poland-2025-09",
    area: AreaOpt = None,
    border: BorderOpt = None,
    catalogue: CatalogueOpt = None,
    runs: Annotated[int, typer.Option(min=1, help="number of seeds")] = 10,
    first_seed: Annotated[int, typer.Option(help="first seed")] = 1,
    depth_km: Annotated[float, typer.Option(help="how far inside counts as too late, km")] = 10.0,
    duration: Annotated[float | None, typer.Option(help="override the raid's duration, s")] = None,
) -> None:
    """Fly a raid against a laydown many times; share detected and tracked in time, warning."""
    check_positive("--duration", duration)
    _text_files(("laydown", laydown), ("--catalogue", catalogue))
    scenario_file(raid)
    output_dir(out)
    with errors():
        from dronewall.app import plan_run

        plan_run.prove(
            laydown=laydown,
            out=out,
            raid=raid,
            area=area,
            border=border,
            catalogue=catalogue,
            runs=runs,
            first_seed=first_seed,
            depth_km=depth_km,
            duration=duration,
        )


def _text_files(*given: tuple[str, Path | None]) -> None:
    """Each file given must be readable UTF-8 text: say which one is not before the planner
    is even imported."""
    for what, path in given:
        if path is not None:
            text_file(path, f"{what} file")
