"""Benchmark: simulation speed of a scenario on one core.

Usage: python bench/bench_sim.py [SCENARIO] [--duration S]

Pins the process to one CPU core and single-threaded numerical libraries, then times the
simulation loop and the writing of the run directory (world loading and scenario set-up are
timed apart). Prints a Markdown table row for BENCHMARKS.md.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from dronewall.sim import Simulation, load_scenario, run_to_directory  # noqa: E402
from dronewall.world import load_world  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", nargs="?", default="eastern-flank-raid")
    parser.add_argument("--duration", type=float, default=None)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    t0 = time.perf_counter()
    world = load_world()
    scenario = load_scenario(args.scenario)
    t1 = time.perf_counter()
    sim = Simulation(scenario, world, duration_s=args.duration)
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        summary = run_to_directory(sim, Path(tmp))
    t3 = time.perf_counter()

    run_s = t3 - t2
    objects = sum(summary.objects_by_kind.values())
    sensors, duration = len(sim.sensors), sim.duration_s
    print(f"scenario {args.scenario}: {objects} objects, {sensors} sensors, {duration:.0f} s")
    print(f"world load {t1 - t0:.1f} s, set-up {t2 - t1:.1f} s, run {run_s:.1f} s")
    print(
        f"| {dt.datetime.now(dt.UTC).date().isoformat()} | {args.scenario} | {duration:.0f} | "
        f"{objects} | {sensors} | {summary.reports:,} | {run_s:.1f} | "
        f"{summary.reports / run_s:,.0f} | {duration / run_s:.0f}× | {platform.machine()} |"
    )


if __name__ == "__main__":
    main()
