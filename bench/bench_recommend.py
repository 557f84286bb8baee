"""Benchmark of one recommendation cycle (``engage.recommend.plan``, issue 16): E effector
units × T threats around one site, each cycle timed in parts — building the problem
(intercept geometry and ROE over every pair), the WTA search (``--time-limit``), and the rest
(pruning, shoot-look-shoot, the rows and their reasons).

Effectors: a mix of the catalogue's cheap and dear types (interceptor drones, fire groups,
35 mm guns, jammers, MANPADS, SHORAD) placed within 8 km of the site; threats: one-way attack
drones, decoys, quadcopters and recon drones 2–25 km out, flying at the site.

    .venv/bin/python bench/bench_recommend.py [--effectors 50] [--threats 200] [--cycles 5]
        [--time-limit 0.1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.engage.test_recommend import ROE_AIRPORT, roe, threats, units

from dronewall.engage import load_effectors
from dronewall.engage.recommend import build_problem, plan
from dronewall.engage.recommend_types import RecommendConfig

TYPES = ["interceptor-drone-sting", "mobile-fire-group-hmg", "skynex-35-ahead",
         "rf-jammer-vehicle", "manpads-piorun", "shorad-iris-t-sls", "gnss-spoofer"]  # fmt: skip


def situation(n_effectors: int, n_threats: int, seed: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    catalogue = load_effectors()
    rows = [(str(rng.choice(TYPES)), float(rng.uniform(-8000, 8000)),
             float(rng.uniform(-8000, 8000)), 1) for _ in range(n_effectors)]  # fmt: skip
    drones = []
    for k in range(n_threats):
        bearing, dist = rng.uniform(0, 2 * np.pi), rng.uniform(2000, 25000)
        drones.append((k + 1, dist * np.cos(bearing), dist * np.sin(bearing),
                       float(rng.uniform(50, 1500)), float(rng.uniform(15, 55)),
                       int(rng.integers(1, 5)), float(rng.uniform(0.7, 1.0))))  # fmt: skip
    return catalogue, units(catalogue, *rows), threats(*drones)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--effectors", type=int, default=50)
    parser.add_argument("--threats", type=int, default=200)
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=0.1)
    args = parser.parse_args()
    rules = roe(ROE_AIRPORT)
    config = RecommendConfig(time_limit_s=args.time_limit)
    catalogue, fleet, picture = situation(args.effectors, args.threats, 0)
    plan(0.0, picture, fleet, catalogue, rules, config)  # load the compiled loops once
    totals, builds, searches, shots = [], [], [], []
    for cycle in range(args.cycles):
        catalogue, fleet, picture = situation(args.effectors, args.threats, cycle + 1)
        tick = time.perf_counter()
        build_problem(0.0, picture, fleet, catalogue, rules, config)
        builds.append(time.perf_counter() - tick)
        tick = time.perf_counter()
        result = plan(0.0, picture, fleet, catalogue, rules, config)
        totals.append(time.perf_counter() - tick)
        searches.append(result.wta_seconds)
        shots.append(len(result.recommendations))
    total, build = statistics.median(totals) * 1e3, statistics.median(builds) * 1e3
    search = statistics.median(searches) * 1e3
    print(f"| effectors × threats | cycle (ms, median of {args.cycles}) | problem (ms) | "
          "WTA search (ms) | rest (ms) | shots |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    print(f"| {args.effectors} × {args.threats} | {total:.0f} | {build:.0f} | {search:.0f} | "
          f"{total - build - search:.0f} | {statistics.median(shots):.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
