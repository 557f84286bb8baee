"""Benchmark: sensor siting on the whole eastern land border (Finland to Romania).

Usage: python bench/bench_siting.py [--budget EUR ...] [--rule seen|fixed] [--time-limit S]
       [--candidates N] [--demand N] [--out FILE]

Builds the maximal-covering MIP of ``dronewall.planning.siting`` on the ``eastern-land`` area
(13 land borders, 4,626 km of Natural Earth 1:10m line; band 30 km inside, 10 km beyond) with
about N candidate sites and N demand points, aggregates demand points with identical coverage
signatures, solves each budget with HiGHS to a 1 % proven gap (or the time limit) and writes
a Markdown report with timings, sizes, gap and bound. Single-threaded numerics; HiGHS runs
with one thread.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from importlib import metadata  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from dronewall.planning import mip, siting  # noqa: E402
from dronewall.planning.areas import AreaGeometry, named_area, resolve  # noqa: E402
from dronewall.planning.candidates import (  # noqa: E402
    Candidates,
    generate_candidates,
    spacing_for_count,
)
from dronewall.planning.catalogue import SensorCatalogue, load_catalogue  # noqa: E402
from dronewall.planning.demand import Points, grid_points  # noqa: E402
from dronewall.world import load_world  # noqa: E402

TYPES = ("acoustic-node", "cuas-radar")


def main() -> None:
    args = _arguments()
    started = time.perf_counter()
    world, catalogue = load_world(), load_catalogue()
    geometry = resolve(named_area("eastern-land"), world)
    demand = grid_points(geometry.band, float(np.sqrt(geometry.band.area / args.demand)))
    candidates = generate_candidates(geometry, spacing_for_count(geometry, args.candidates))
    setup_s = time.perf_counter() - started
    rows = [_case(args, geometry, demand, candidates, catalogue, budget) for budget in args.budget]
    report = _markdown(args, geometry, len(demand), len(candidates), setup_s, rows)
    Path(args.out).write_text(report, encoding="utf-8")
    print(report)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=float, nargs="+", default=[5e6, 2e6])
    parser.add_argument("--rule", choices=("seen", "fixed"), default="seen")
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--candidates", type=int, default=10_400)
    parser.add_argument("--demand", type=int, default=104_000)
    parser.add_argument("--out", default="bench/results-siting.md")
    return parser.parse_args()


def _case(
    args: argparse.Namespace,
    geometry: AreaGeometry,
    demand: Points,
    candidates: Candidates,
    catalogue: SensorCatalogue,
    budget: float,
) -> dict[str, Any]:
    problem = siting.SitingProblem(
        candidates, demand, TYPES, (150.0,), rule=args.rule, budget_eur=budget
    )
    t0 = time.perf_counter()
    columns = siting.build_columns(problem, catalogue)
    matrix = siting.coverage_matrix(problem, catalogue, columns)
    t1 = time.perf_counter()
    coverable = siting.coverable_points(matrix, columns, problem.rule, problem.min_bearing)
    aggregated = siting.aggregate(matrix, demand.weight, coverable)
    t2 = time.perf_counter()
    model = siting.build_model(problem, columns, aggregated)
    start = siting.greedy_start(problem, columns, aggregated, model)
    t3 = time.perf_counter()
    solution = mip.solve(model, gap=0.01, time_limit_s=args.time_limit, start=start)
    t4 = time.perf_counter()
    greedy = (
        float(start[len(columns) : len(columns) + aggregated.weight.size] @ aggregated.weight)
        if start is not None
        else float("nan")
    )
    print(
        f"budget {budget:,.0f}: {solution.status}, gap {solution.gap:.4%}, {t4 - t3:.1f} s",
        file=sys.stderr,
    )
    return {
        "budget": budget,
        "columns": len(columns),
        "nnz": matrix.nnz,
        "coverable_points": int(coverable.sum()),
        "groups": aggregated.weight.size,
        "rows": model.row_lower.size,
        "vars": model.cost.size,
        "matrix_s": t1 - t0,
        "aggregate_s": t2 - t1,
        "build_s": t3 - t2,
        "solve_s": t4 - t3,
        "status": solution.status,
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "greedy": greedy,
        "coverable_km2": float(aggregated.weight.sum()),
        "total_km2": aggregated.total_weight,
        "nodes": solution.nodes,
    }


def _markdown(
    args: argparse.Namespace,
    geometry: AreaGeometry,
    n_demand: int,
    n_candidates: int,
    setup_s: float,
    rows: list[dict[str, Any]],
) -> str:
    cpu = _cpu()
    lines = [
        "# Siting benchmark: the eastern land border, Finland to Romania",
        "",
        f"* date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"* command: `python {' '.join(sys.argv)}`",
        f"* machine: {cpu}, {os.cpu_count()} cores (shared with other work), Python "
        f"{platform.python_version()}, "
        f"HiGHS via highspy {metadata.version('highspy')} (1 thread), numpy {np.__version__}, "
        f"scipy {metadata.version('scipy')}",
        f"* area: {len(geometry.area.stretches)} land borders "
        f"({', '.join(s.label for s in geometry.area.stretches)}), "
        f"{sum(line.length for line in geometry.lines) / 1000:,.0f} km of line; band "
        f"{geometry.area.inside_km:g} km inside, "
        f"{geometry.area.outside_km:g} km beyond; {geometry.band.area / 1e6:,.0f} km²",
        f"* {n_candidates:,} candidate sites (grid on the defended side), {n_demand:,} demand "
        "points (grid over the band), "
        f"sensor types {', '.join(TYPES)} (one per site), design altitude 150 m, rule "
        f"`{args.rule}`",
        f"* set-up (world, band, demand, candidates): {setup_s:.1f} s",
        "",
        "| budget | columns | incidence nnz | demand groups after aggregation | MIP rows × "
        "vars | matrix s | aggregate s | build + greedy s | solve s | status | covered km² | "
        "bound km² | proven gap | greedy km² |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| €{r['budget'] / 1e6:g} M | {r['columns']:,} | {r['nnz']:,} | {r['groups']:,} "
            f"of {r['coverable_points']:,} coverable | "
            f"{r['rows']:,} × {r['vars']:,} | {r['matrix_s']:.1f} | {r['aggregate_s']:.1f} | "
            f"{r['build_s']:.1f} | {r['solve_s']:.1f} | "
            f"{r['status']} | {r['objective']:,.0f} | {r['bound']:,.0f} | {r['gap']:.2%} | "
            f"{r['greedy']:,.0f} |"
        )
    lines += [
        "",
        "Demand: coverable demand is the weight of points some choice of sensors can see "
        "(points more than a radar's reach beyond the border cannot be seen from our side).",
    ]
    return "\n".join(lines) + "\n"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
