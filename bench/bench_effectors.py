"""Benchmark: loading effectors, laydowns and rules of engagement; intercept geometry and the
ROE mask for 100 effector units × 1,000 tracks (the figures of ``docs/effectors.md``).

Usage: python bench/bench_effectors.py [--effectors 100] [--tracks 1000] [--seed 1]

Cold loads are timed once, first in the process (they read Natural Earth and airportsdata),
in wall-clock time; everything else is the best of several repetitions in CPU time (one
thread: BLAS threads are pinned to 1). Effector units are drawn from the packaged
catalogue, placed within 20 km of the frame's origin; tracks within 30 km, 300–1,800 m up,
~40 m/s, 100–2,000 s from their sites.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from importlib import resources  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from dronewall.engage.effectors import load_effectors  # noqa: E402
from dronewall.engage.intercept import EffectorGeometry, Threats, intercept  # noqa: E402
from dronewall.engage.laydown import load_laydown, sample_laydown_path  # noqa: E402
from dronewall.engage.roe import TrackState, load_roe  # noqa: E402

ROE_DEMO = Path(str(resources.files("dronewall.engage") / "data" / "roe-demo.toml"))


def best(work: Callable[[], object], repeats: int = 7) -> float:
    """Shortest of ``repeats`` timings, in seconds of this process's CPU time: on a machine
    shared with other jobs, wall-clock time counts their share of the cores too."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def once(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--effectors", type=int, default=100)
    parser.add_argument("--tracks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n_e, n_t = args.effectors, args.tracks

    print(f"cold: catalogue {once(load_effectors) * 1e3:.1f} ms")
    catalogue = load_effectors()
    laydown_cold = once(lambda: load_laydown(sample_laydown_path(), catalogue))
    rules_cold = once(lambda: load_roe(ROE_DEMO))
    print(f"cold: laydown {laydown_cold * 1e3:.1f} ms, rules {rules_cold * 1e3:.1f} ms")
    roe = load_roe(ROE_DEMO)
    print(
        f"warm: catalogue {best(load_effectors) * 1e3:.2f} ms, laydown "
        f"{best(lambda: load_laydown(sample_laydown_path(), catalogue)) * 1e3:.2f} ms, rules "
        f"{best(lambda: load_roe(ROE_DEMO)) * 1e3:.2f} ms"
    )

    rng = np.random.default_rng(args.seed)
    effectors = [catalogue.types[k] for k in rng.choice(list(catalogue.types), n_e)]
    geometry = EffectorGeometry.of(effectors, rng.uniform(-2e4, 2e4, (n_e, 3)) * [1, 1, 0])
    height = rng.uniform(300, 1800, n_t)
    position = np.column_stack([rng.uniform(-3e4, 3e4, (n_t, 2)), height])
    velocity = rng.normal(0, 40, (n_t, 3)) * [1, 1, 0.05]
    threats = Threats(position, velocity, rng.uniform(100, 2000, n_t), rng.integers(0, 5, n_t))
    seconds = best(lambda: intercept(geometry, threats))
    feasible = intercept(geometry, threats).feasible.mean()
    print(
        f"intercept {n_e} x {n_t}: {seconds * 1e3:.1f} ms = {seconds / n_e / n_t * 1e6:.2f} "
        f"us a pair (feasible {feasible:.1%})"
    )

    lat, lon = 55.6 + rng.uniform(-0.3, 0.3, n_t), 12.6 + rng.uniform(-0.5, 0.5, n_t)
    site_lat, site_lon = 55.6 + rng.uniform(-0.3, 0.3, n_e), 12.6 + rng.uniform(-0.5, 0.5, n_e)
    p_drone = rng.uniform(0, 1, n_t)
    seconds = best(lambda: roe.allowed(effectors, site_lat, site_lon, lat, lon, p_drone), 3)
    per_pair = seconds / n_e / n_t * 1e6
    print(f"roe.allowed at track positions: {seconds * 1e3:.1f} ms = {per_pair:.3f} us a pair")
    point_lat = lat[None, :] + rng.normal(0, 0.01, (n_e, n_t))
    point_lon = np.broadcast_to(lon, (n_e, n_t))
    seconds = best(
        lambda: roe.allowed(effectors, site_lat, site_lon, lat, lon, p_drone,
                            point_lat=point_lat, point_lon=point_lon), 3,
    )  # fmt: skip
    per_pair = seconds / n_e / n_t * 1e6
    print(f"roe.allowed per-pair points: {seconds * 1e3:.1f} ms = {per_pair:.2f} us a pair")
    checks = [
        (effectors[i % n_e], (site_lat[i % n_e], site_lon[i % n_e]), TrackState(lat[i], lon[i]))
        for i in range(100)
    ]
    seconds = best(lambda: [roe.check(e, s, t, [0, 0.9, 0.1, 0]) for e, s, t in checks], 3)
    print(f"roe.check with reasons: {seconds / len(checks) * 1e6:.0f} us a pair")


if __name__ == "__main__":
    main()
