"""The work behind ``dronewall plan`` (coverage, siting, procurement, proof): reading the
laydowns and catalogues, solving, and writing each HTML report beside its JSON/GeoJSON.

Imported by ``plan_cli`` only when a plan command runs: it pulls in the planner, HiGHS,
matplotlib and the simulator, which ``dronewall --help`` must not pay for (``cli.py``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from dronewall.core.errors import ConfigError
from dronewall.evaluate import prove as prove_plan
from dronewall.evaluate.report import to_html as prove_html
from dronewall.evaluate.report import to_json as prove_json
from dronewall.planning import (
    AreaGeometry,
    SitingProblem,
    border_area,
    coverage_study,
    generate_candidates,
    grid_points,
    laydown_toml,
    load_candidates,
    load_catalogue,
    load_laydown,
    named_area,
    resolve,
    solve_siting,
    spacing_for_count,
)
from dronewall.planning.procurement import bills, frontier, load_plan, optimise
from dronewall.planning.report import coverage_report, html, procurement_report
from dronewall.planning.siting import Rule
from dronewall.sim import load_scenario
from dronewall.world import World, load_world

console = Console()


def coverage(
    *,
    laydown: Path,
    out: Path,
    area: str | None,
    border: list[str] | None,
    catalogue: Path | None,
    altitude: list[float] | None,
    grid_km: float,
) -> None:
    """The work of ``dronewall plan coverage`` (its help: ``plan_cli.coverage``)."""
    cat = load_catalogue(catalogue)
    world = load_world()
    geometry = _geometry(area, border, world)
    lay = load_laydown(laydown, cat)
    with console.status("computing coverage…"):
        study = coverage_study(
            geometry,
            lay,
            cat,
            world,
            altitudes_m=tuple(altitude or (50.0, 150.0, 500.0)),
            grid_m=grid_km * 1000.0,
        )
    _write_coverage(out, study, f"Coverage of {lay.name}")
    for a in study.altitudes:
        console.print(
            f"{a.altitude_m:>5.0f} m: seen {a.seen_km2:,.0f} of {a.area_km2:,.0f} km², "
            f"line {a.seen_line_km:,.0f} of {a.line_km:,.0f} km, {len(a.gaps)} gaps"
        )
    console.print(f"report → {out}/coverage.html")


def siting(
    *,
    out: Path,
    area: str | None,
    border: list[str] | None,
    catalogue: Path | None,
    types: str,
    budget_eur: float | None,
    cover_share: float | None,
    rule: str,
    candidates: Path | None,
    candidate_count: int,
    demand_km: float,
    altitude: list[float] | None,
    gap: float,
    time_limit: float,
) -> None:
    """The work of ``dronewall plan siting`` (its help: ``plan_cli.siting``)."""
    if rule not in ("seen", "fixed"):
        raise ConfigError("must be 'seen' or 'fixed'", field="rule")
    chosen_rule: Rule = "fixed" if rule == "fixed" else "seen"
    cat = load_catalogue(catalogue)
    world = load_world()
    geometry = _geometry(area, border, world)
    type_ids = tuple(t.strip() for t in types.split(",") if t.strip())
    for t in type_ids:
        cat.get(t)
    cand = (
        load_candidates(candidates, cat)
        if candidates
        else generate_candidates(geometry, spacing_for_count(geometry, candidate_count))
    )
    demand = grid_points(geometry.band, demand_km * 1000.0)
    problem = SitingProblem(
        cand,
        demand,
        type_ids,
        tuple(altitude or (150.0,)),
        rule=chosen_rule,
        budget_eur=budget_eur,
        min_cover_share=cover_share,
        name=f"siting-{geometry.area.name}",
    )
    console.print(
        f"{len(cand):,} candidate sites, {len(demand):,} demand points, types {', '.join(type_ids)}"
    )
    with _bar(time_limit) as (bar, task):
        result = solve_siting(
            problem,
            cat,
            gap=gap,
            time_limit_s=time_limit,
            progress=lambda p, d, g, s: bar.update(
                task, completed=s, description=f"gap {g:.2%}" if np.isfinite(g) else "searching"
            ),
        )
    sol = result.solution
    summary = {
        "status": sol.status,
        "objective_km2": sol.objective,
        "bound_km2": sol.bound,
        "gap": sol.gap,
        "seconds": sol.seconds,
        "nodes": sol.nodes,
        "candidates": len(cand),
        "demand_points": result.points,
        "groups_after_aggregation": result.groups,
        "columns": result.columns,
        "rows": result.rows,
        "total_km2": result.total_weight,
        "coverable_km2": result.coverable_weight,
        "covered_km2": result.covered_weight,
        "cost_eur": result.cost_eur,
        "budget_eur": budget_eur,
        "rule": rule,
        "sensors": result.laydown.counts(),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "laydown.toml").write_text(
        laydown_toml(result.laydown, f"chosen by dronewall plan siting, gap {sol.gap:.4%}"),
        encoding="utf-8",
    )
    (out / "siting.json").write_text(json.dumps(summary, indent=2, default=float), encoding="utf-8")
    study = coverage_study(
        geometry,
        result.laydown,
        cat,
        world,
        altitudes_m=problem.altitudes_m,
        grid_m=demand_km * 1000.0,
    )
    extra = html.section(
        "Siting solution",
        html.table(["quantity", "value"], [[k, _readable(v)] for k, v in summary.items()]),
        html.paragraph(
            "Demand points with the same coverage signature were merged into "
            f"{result.groups:,} weighted groups before the MIP was built; the optimum is "
            "unchanged by this."
        ),
    )
    _write_coverage(out, study, f"Sensor siting — {geometry.area.name}", [extra])
    console.print(
        f"{sol.status}: covered {result.covered_weight:,.0f} km² of "
        f"{result.coverable_weight:,.0f} coverable, cost {html.eur(result.cost_eur)}, "
        f"proven gap {sol.gap:.3%} in {sol.seconds:.1f} s"
    )
    console.print(f"laydown → {out}/laydown.toml, report → {out}/coverage.html")


def procurement(
    *,
    out: Path,
    plan: Path | None,
    trade_off: bool,
    laydown: Path | None,
    area: str | None,
    border: list[str] | None,
    catalogue: Path | None,
) -> None:
    """The work of ``dronewall plan procurement`` (its help: ``plan_cli.procurement``)."""
    path = plan or _packaged("sample-procurement.toml")
    spec = load_plan(path)
    where = _where(laydown, area, border, catalogue) if laydown else []
    with console.status("optimising the plan…"):
        result = optimise(spec)
    points = []
    if trade_off:
        with _bar(len(spec.years)) as (bar, task):
            bar.update(task, description="cost–time trade-off")
            points = frontier(spec, progress=lambda k: bar.update(task, completed=k))
    owed = bills(spec, result)
    out.mkdir(parents=True, exist_ok=True)
    data = procurement_report.to_json(spec, result, owed, points)
    (out / "procurement.json").write_text(json.dumps(data, indent=2, default=float))
    page = procurement_report.to_html(spec, result, owed, points, where)
    (out / "procurement.html").write_text(page, encoding="utf-8")
    console.print(
        f"{result.status}: total {html.eur(result.cost_eur)}, {len(result.lots)} lots, "
        f"joint share {result.joint_share:.0%}, shortfall {result.shortfall:g}"
    )
    console.print(f"report → {out}/procurement.html")


def _where(
    laydown: Path, area: str | None, border: list[str] | None, catalogue: Path | None
) -> list[str]:
    """Coverage sections of a laydown, for the procurement report's "where"."""
    cat = load_catalogue(catalogue)
    world = load_world()
    study = coverage_study(
        _geometry(area, border, world), load_laydown(laydown, cat), cat, world, altitudes_m=(150.0,)
    )
    heading = html.section(
        "Where the sensors stand",
        html.paragraph(f"Laydown {study.laydown.name}, coverage at 150 m:"),
    )
    return [heading, *coverage_report.html_sections(study)]


def _readable(value: object) -> str:
    """Floats to four significant figures, everything else as is."""
    return f"{value:,.4g}" if isinstance(value, float) else str(value)


def _packaged(name: str) -> Path:
    return Path(str(resources.files("dronewall.planning") / "data" / name))


def prove(
    *,
    laydown: Path,
    out: Path,
    raid: str,
    area: str | None,
    border: list[str] | None,
    catalogue: Path | None,
    runs: int,
    first_seed: int,
    depth_km: float,
    duration: float | None,
) -> None:
    """The work of ``dronewall plan prove`` (its help: ``plan_cli.prove``)."""
    cat = load_catalogue(catalogue)
    world = load_world()
    geometry = _geometry(area, border, world)
    lay = load_laydown(laydown, cat)
    scenario = load_scenario(raid)
    with _bar(runs) as (bar, task):
        bar.update(task, description="simulated runs")
        result = prove_plan(
            scenario,
            world,
            lay,
            cat,
            geometry,
            seeds=list(range(first_seed, first_seed + runs)),
            depth_km=depth_km,
            duration_s=duration,
            progress=lambda k: bar.update(task, completed=k),
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / "prove.json").write_text(
        json.dumps(prove_json(result, lay.name, raid), indent=2, default=float),
        encoding="utf-8",
    )
    (out / "prove.html").write_text(prove_html(result, lay.name, raid), encoding="utf-8")
    console.print(
        f"detected {result.share('detected'):.1%}, tracked "
        f"({'stand-in' if result.stand_in else 'real tracker'}) "
        f"{result.share('tracked'):.1%} before {depth_km:g} km inside; report → "
        f"{out}/prove.html"
    )


def _geometry(area: str | None, border: list[str] | None, world: World) -> AreaGeometry:
    if (area is None) == (not border):
        raise ConfigError(
            "give either --area NAME or one or more --border HOME-OTHER", field="area"
        )
    chosen = named_area(area) if area is not None else border_area(border or [])
    return resolve(chosen, world)


def _write_coverage(out: Path, study: Any, title: str, extra: list[str] | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "coverage.json").write_text(
        coverage_report.dumps(coverage_report.to_json(study)), encoding="utf-8"
    )
    (out / "coverage.geojson").write_text(
        coverage_report.dumps(coverage_report.to_geojson(study)), encoding="utf-8"
    )
    (out / "coverage.html").write_text(
        coverage_report.to_html(study, title, extra), encoding="utf-8"
    )


@contextlib.contextmanager
def _bar(total: float) -> Iterator[tuple[Progress, TaskID]]:
    """A rich progress bar over ``total`` units (seconds of solver time, runs, …)."""
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    )
    with progress:
        yield progress, progress.add_task("solving", total=total)
