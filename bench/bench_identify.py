"""Benchmark: identification accuracy and calibration over track-time, by the protocol of
``bench/EVALUATION.md``.

Usage: python bench/bench_identify.py --split train|validation|test [--temperature T]

``train`` fits the classifier's one calibration parameter (temperature) by maximum likelihood
on the training seeds and reports the training figures; ``validation`` and ``test`` report with
the configured temperature (``IdentifyConfig``, or ``--temperature`` when comparing candidates
on validation). Reported, for tracks at least 10 s old: the confusion matrix over track-time
(one row per track per second), the aircraft row split by kind, false tracks called drone, and
a reliability table of P(drone). Simulated and tracked runs are shared with
``bench_alerts.py`` and cached under ``out/identify-cache/`` (``identify_eval``).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import itertools  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.optimize import minimize_scalar  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dronewall.core.types import ObjectClass, ObjectKind  # noqa: E402
from dronewall.identify import IdentifyConfig  # noqa: E402
from dronewall.world import load_world  # noqa: E402
from identify_eval import (  # noqa: E402
    CIVIL_ONLY,
    SCENARIOS,
    SPLITS,
    Labelled,
    add_split_arguments,
    bundled,
    concat,
    ellipsoid_heights,
    recon_weight,
    run,
)

MIN_AGE_S = 10.0
ONLY: list[str] = []  # --only: a partial split
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
    for kind in ObjectKind:
        mine = keep & (data.true_kind == int(kind))
        if kind.object_class is not ObjectClass.AIRCRAFT or not mine.any():
            continue
        shares = [np.mean(data.label[mine] == k) for k in (1, 2, 3, 0)]
        print(
            f"| aircraft: {kind.name.lower()} | "
            + " | ".join(f"{100 * s:.2f}%" for s in shares)
            + f" | {int(mine.sum()):,} |"
        )
    false = keep & (data.true_class < 0)
    called = 100 * np.mean(data.label[false] == 1) if false.any() else float("nan")
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


def runs() -> list[tuple[str, float, bool]]:
    """(scenario, seconds, drop the drones) of every run of the protocol that is bundled."""
    out = [(n, float(d), False) for n, d in SCENARIOS.items()]
    out += [(n, float(d), drop) for n, (d, drop) in CIVIL_ONLY.items()]
    missing = sorted({n for n, _, _ in out if not bundled(n)})
    if missing:
        print(f"not bundled yet, left out: {', '.join(missing)}")
    return [r for r in out if bundled(r[0]) and (not ONLY or r[0] in ONLY)]


def labelled(seeds: tuple[int, ...], config: IdentifyConfig) -> Labelled:
    world = load_world()
    return concat(
        [
            run(n, world, seed=seed, duration=d, config=config, civil_only=drop).labelled
            for seed in seeds
            for n, d, drop in runs()
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_split_arguments(parser)
    parser.add_argument("--temperature", type=float, default=None)
    args = parser.parse_args()
    seeds = tuple(args.seeds or SPLITS[args.split])
    if args.ellipsoid_sim:
        ellipsoid_heights()
    ONLY.extend(args.only or [])
    if args.recon_weight is not None:
        recon_weight(args.recon_weight)
    if not set(seeds) <= set(SPLITS[args.split]):
        parser.error(f"seeds {seeds} are not all of the {args.split} split {SPLITS[args.split]}")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    base = IdentifyConfig()
    config = base if args.temperature is None else IdentifyConfig(temperature=args.temperature)
    data = labelled(seeds, config)
    if args.split == "train":
        temperature = fit_temperature(data)
        print(f"fitted temperature on training seeds {seeds}: {temperature:.3f}")
        config = IdentifyConfig(temperature=temperature)
        data = labelled(seeds, config)
    print(f"\n{args.split} seeds {seeds}, temperature {config.temperature:.3f}: ", end="")
    print(f"{data.track_id.size:,} track-seconds")
    confusion(data)
    reliability(data)


if __name__ == "__main__":
    main()
