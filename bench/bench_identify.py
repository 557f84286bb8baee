"""Benchmark: identification accuracy and calibration over track-time.

Usage: python bench/bench_identify.py [HELD_OUT_SEED ...]   (default: 202)

Simulates a set of bundled scenarios on a training seed, on which the classifier's single
calibration parameter (temperature) is fitted by maximum likelihood, and on each held-out seed,
on which everything is reported: the confusion matrix over track-time (one row per track per
second) once a track is 10 s old, and a reliability table of P(drone). Tracks that follow no
true object (false tracks) are counted apart. Simulated and tracked runs are cached under
``out/identify-cache/`` (``identify_eval``).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import itertools  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.optimize import minimize_scalar  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dronewall.core.types import ObjectClass  # noqa: E402
from dronewall.identify import IdentifyConfig  # noqa: E402
from dronewall.world import load_world  # noqa: E402
from identify_eval import Labelled, concat, run  # noqa: E402

SCENARIOS = {  # name: simulated seconds
    "airport-quadcopter": 5400,
    "copenhagen-2025-09": 3600,
    "poland-2025-09": 7200,
    "mediterranean-maritime": 5400,
}
TRAIN_SEED, TEST_SEED = 101, 202
MIN_AGE_S = 10.0
CLASSES = [ObjectClass.DRONE, ObjectClass.BIRD, ObjectClass.AIRCRAFT]


def fit_temperature(data: Labelled) -> float:
    keep = (data.true_class > 0) & (data.age >= MIN_AGE_S)
    logits, truth = data.logits[keep], data.true_class[keep]

    def nll(temperature: float) -> float:
        z = logits / temperature
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-np.mean(logp[np.arange(truth.size), truth]))

    return float(minimize_scalar(nll, bounds=(0.3, 20.0), method="bounded").x)


def confusion(data: Labelled) -> None:
    keep = data.age >= MIN_AGE_S
    print("\n| true \\ called | drone | bird | aircraft | unknown | track-seconds |")
    print("|---|---|---|---|---|---|")
    for c in CLASSES:
        mine = keep & (data.true_class == c)
        n = int(mine.sum())
        shares = [np.mean(data.label[mine] == k) if n else np.nan for k in (1, 2, 3, 0)]
        print(
            f"| {c.name.lower()} | " + " | ".join(f"{100 * s:.2f}%" for s in shares) + f" | {n:,} |"
        )
    false = keep & (data.true_class < 0)
    called = 100 * np.mean(data.label[false] == 1)
    print(f"| (false tracks) | {called:.2f}% called drone | | | | {int(false.sum()):,} |")


def reliability(data: Labelled) -> None:
    keep = (data.age >= MIN_AGE_S) & (data.true_class > 0)
    p = data.probabilities[keep, 1]
    is_drone = data.true_class[keep] == 1
    edges = np.linspace(0, 1, 11)
    print("\n| P(drone) bin | mean P(drone) | share truly drone | track-seconds |")
    print("|---|---|---|---|")
    for lo, hi in itertools.pairwise(edges):
        m = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if m.any():
            share, n = is_drone[m].mean(), int(m.sum())
            print(f"| {lo:.1f}–{hi:.1f} | {p[m].mean():.3f} | {share:.3f} | {n:,} |")
    brier = np.mean((p - is_drone) ** 2)
    print(f"\nBrier score of P(drone): {brier:.4f}")


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    world = load_world()
    base = IdentifyConfig()
    train = concat(
        [
            run(n, world, seed=TRAIN_SEED, duration=d, config=base).labelled
            for n, d in SCENARIOS.items()
        ]
    )
    temperature = fit_temperature(train)
    print(f"fitted temperature on seed {TRAIN_SEED}: {temperature:.3f}")
    config = IdentifyConfig(temperature=temperature)
    for seed in [int(a) for a in sys.argv[1:]] or [TEST_SEED]:
        test = concat(
            [
                run(n, world, seed=seed, duration=d, config=config).labelled
                for n, d in SCENARIOS.items()
            ]
        )
        print(f"\nheld-out seed {seed}: {test.track_id.size:,} track-seconds")
        confusion(test)
        reliability(test)


if __name__ == "__main__":
    main()
