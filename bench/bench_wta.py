"""Benchmark of the static weapon-target assignment solver (issue 16): every shared instance
(``../shared/bench/wta/``, best known values read from its README) and random instances of
300 weapon types × 600 targets drawn like them (integer values 1–100, kill probabilities
uniform in [0, 1), mu = 1, 2, 3 units a type).

For each run: the objective, the gap to the best known value (shared) or to a long run of the
same solver and to the convex-relaxation lower bound (random), and the time both as wall time
and as this process's CPU time — the machine is shared, so CPU time tells what one free core
would do. The solver stops by ``--clock`` (wall: the bar; cpu: one core's worth of work).
Pinned to one core, single-threaded numerical libraries. Prints a Markdown table.

    .venv/bin/python bench/bench_wta.py [--time-limit 1] [--seeds 0 1 2] [--clock wall|cpu]
        [--random 3] [--long 20]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from dronewall.engage import WtaInstance, WtaSolution, feasible, read_wta, solve  # noqa: E402
from dronewall.engage.wta_bound import lower_bound  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench" / "wta"
ROW = re.compile(r"^\|\s*(wta_\d+x\d+x\d+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|", re.MULTILINE)
LARGE = (300, 600)  # weapon types × targets of the random instances (the bar)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=1.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    parser.add_argument("--random", type=int, default=3, help="random 300×600 instances")
    parser.add_argument("--long", type=float, default=20.0, help="seconds of the reference run")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    warm = solve(WtaInstance(np.ones(2), np.full((1, 2), 0.5), np.ones(1, np.int64)), iterations=3)
    print(_header(args, warm))
    print("| instance | seed | objective | reference | gap % | time s (wall) | CPU s | steps |")
    print("|---|---|---|---|---|---|---|---|")
    for name, best in _best_known().items():
        instance = read_wta(SHARED / f"{name}.txt")
        for seed in args.seeds:
            found = solve(instance, args.time_limit, seed=seed, clock=clock)
            _row(name, seed, instance, found, best, "best known")
    for k in range(args.random):
        mu = 1 + k % 3
        instance = random_instance(np.random.default_rng(1000 + k), *LARGE, mu)
        name = f"random_{LARGE[0]}x{LARGE[1]}x{mu} (rng {1000 + k})"
        reference = solve(instance, args.long, seed=99, clock=clock).objective
        low = lower_bound(instance)
        for seed in args.seeds:
            found = solve(instance, args.time_limit, seed=seed, clock=clock)
            _row(name, seed, instance, found, reference, f"{args.long:g} s run")
        print(
            f"| {name} | – | lower bound {low:.4f} | {reference:.4f} | "
            f"{100 * (reference / low - 1):.1f} (long run over bound) | | | |"
        )


def random_instance(rng: np.random.Generator, m: int, n: int, mu: int) -> WtaInstance:
    """Drawn like the shared set: integer values 1..100, probabilities uniform in [0, 1)."""
    values = rng.integers(1, 101, n).astype(np.float64)
    return WtaInstance(values, rng.random((m, n)), np.full(m, mu, np.int64))


def _best_known() -> dict[str, float]:
    if not SHARED.is_dir():
        print(f"(no shared instances at {SHARED})", file=sys.stderr)
        return {}
    text = (SHARED / "README.md").read_text(encoding="utf-8")
    return {name: float(upper) for name, upper, _ in ROW.findall(text)}


def _row(
    name: str, seed: int, instance: WtaInstance, found: WtaSolution, reference: float, what: str
) -> None:
    assert feasible(instance, found.counts)
    gap = 100 * (found.objective / reference - 1)
    print(
        f"| {name} | {seed} | {found.objective:.4f} | {reference:.4f} ({what}) | {gap:+.3f} | "
        f"{found.seconds:.2f} | {found.cpu_seconds:.2f} | {found.iterations} |",
        flush=True,
    )


def _header(args: argparse.Namespace, warm: WtaSolution) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"date {now}; machine {platform.machine()} {platform.processor() or ''} "
        f"{os.cpu_count()} cores, load average {load}; Python {platform.python_version()}\n"
        f"command: {' '.join(['bench/bench_wta.py', *sys.argv[1:]])} (time limit "
        f"{args.time_limit:g} s by {args.clock} clock; the compiled loops were loaded once "
        f"before the runs, in {warm.seconds:.2f} s wall — a first solve in a fresh process "
        f"counts that load in its time)\n"
    )


if __name__ == "__main__":
    main()
