"""Benchmark: the whole ``dronewall track --format stonesoup-csv`` command on a shared Stone Soup
scenario — importing, reading, tracking, writing — as a person runs it.

Usage: python bench/bench_track_command.py [--runs 5] [--scenario DIR] [--cpu N]
       (default ../shared/bench/stonesoup/scenario_n1000_seed1, CPU 1 as ``taskset -c 1``,
       or the only CPU allowed)

Runs the installed ``dronewall`` entry point ``--runs`` times on one core (pinned; the children
inherit it), after one untimed warm-up run (which builds the
compiled loops if they are not built yet), and the same number of times ``python -c pass``.
Prints wall and CPU (user + system of the child) seconds per run, minimum and median, and
detections per second of the command less interpreter start-up (``python -c pass``), by CPU
and by wall time: the issue's figure (≥ 100,000/s on one core).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "bench" / "stonesoup" / "scenario_n1000_seed1"


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def series(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = timed(command)
        walls.append(wall)
        cpus.append(cpu)
    return walls, cpus


def detections(scenario: Path) -> int:
    with open(scenario / "detections.csv", "rb") as handle:
        return sum(1 for _ in handle) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scenario", type=Path, default=DEFAULT)
    parser.add_argument("--cpu", type=int, default=1, help="core to pin to (default 1)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {args.cpu if args.cpu in allowed else allowed[0]})
    dronewall = str(Path(sys.executable).with_name("dronewall"))
    n = detections(args.scenario)
    with tempfile.TemporaryDirectory() as out:
        command = [dronewall, "track", str(args.scenario), "--format", "stonesoup-csv"]
        command += ["--out", out]
        timed(command)  # warm-up: file cache, and the compiled loops built if need be
        walls, cpus = series(command, args.runs)
    base_walls, base_cpus = series([sys.executable, "-c", "pass"], args.runs)
    core = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(f"scenario {args.scenario.name}: {n:,} detections, {args.runs} runs, CPU {core}")
    print("| | min s | median s |")
    print("|---|---|---|")
    for name, values in (
        ("command wall", walls),
        ("command CPU", cpus),
        ("python -c pass wall", base_walls),
        ("python -c pass CPU", base_cpus),
    ):
        print(f"| {name} | {min(values):.3f} | {statistics.median(values):.3f} |")
    for name, values, base in (("CPU", cpus, base_cpus), ("wall", walls, base_walls)):
        best = min(values) - min(base)
        median = statistics.median(values) - statistics.median(base)
        print(
            f"detections/s less start-up, by {name}: median {n / median:,.0f} "
            f"(best {n / best:,.0f})"
        )


if __name__ == "__main__":
    main()
