"""Benchmark: our tracker against Stone Soup's k-d-tree GNN on variants of the shared scenarios
— more targets per area, 3×/10×/30× the shared clutter rate, manoeuvring targets, and all
combined — made with the shared generator on seeds other than the shared seed 1.

Usage: python bench/bench_variants.py [tune|test] [VARIANT ...] [--stonesoup-only]

Seeds are fixed before any tuning: ``tune`` (2, 3, 4) is where settings may be chosen,
``test`` (11, 12, 13) is reported once and never tuned on. For every (variant, seed) it

1. generates the scenario (``stonesoup_baseline.py gen``) into bench/out/variants/,
2. runs Stone Soup (``track --tracker gnn-kdtree``, ``nice -n 10``) unless its tracks are
   cached there already,
3. runs our tracker exactly as ``dronewall track --format stonesoup-csv`` does (same config,
   Pd and clutter density read from scenario.json) on one core,
4. scores both with the shared scorer (``score --no-stonesoup``) and counts confirmed false
   tracks per hour: tracks of which fewer than half the reported positions lie within the
   GOSPA cut-off (100 m) of a truth at that scan.

Prints a Markdown table (GOSPA ours / Stone Soup, false tracks per hour each, our detections
per CPU-second) and the mean per variant.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from dataclasses import fields  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.spatial import cKDTree  # noqa: E402

from dronewall.records.stonesoup_csv import (  # noqa: E402
    PlanarTracks,
    read_detections,
    write_tracks_csv,
)
from dronewall.runtime.offline import STONESOUP_CONFIG, track_planar_scans  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench" / "stonesoup"
BASELINE = SHARED / "stonesoup_baseline.py"
OUT = ROOT / "bench" / "out" / "variants"
SEEDS = {"tune": (2, 3, 4), "test": (11, 12, 13)}
# Shared scenario: 1 target per km², 10 clutter per 100 targets per scan, q_truth 0.5 m²/s³.
# N is kept at 50–200 so that Stone Soup finishes each run in minutes (at 30× clutter a run
# of N = 100 takes it over 10 minutes); a run is stopped after SS_MAX_SECONDS of its tracker
# time and both trackers are scored on the scans it did.
VARIANTS: dict[str, dict[str, float]] = {
    "dense-4x": {"n": 200, "km2_per_target": 0.25},
    "clutter-3x": {"n": 100, "clutter_per_100": 30.0},
    "clutter-10x": {"n": 100, "clutter_per_100": 100.0},
    "clutter-30x": {"n": 50, "clutter_per_100": 300.0},
    "manoeuvring": {"n": 100, "q_truth": 10.0},
    "combined": {"n": 100, "km2_per_target": 0.5, "clutter_per_100": 100.0, "q_truth": 5.0},
}
CUTOFF_M = 100.0  # the scorer's GOSPA c
SS_MAX_SECONDS = 240.0


def generate(variant: str, seed: int) -> Path:
    where = OUT / f"{variant}_s{seed}" / "scenario"
    if (where / "scenario.json").is_file():
        return where
    opts = dict(VARIANTS[variant])
    args = [sys.executable, str(BASELINE), "gen", "--n", str(int(opts.pop("n")))]
    args += ["--seed", str(seed), "--out", str(where)]
    for key, value in opts.items():
        args += ["--" + key.replace("_", "-"), str(value)]
    subprocess.run(args, check=True, capture_output=True)
    return where


def stonesoup(scenario: Path) -> Path:
    run = scenario.parent / "stonesoup"
    if not (run / "timing.json").is_file():
        subprocess.run(
            ["nice", "-n", "10", sys.executable, str(BASELINE), "track", "--tracker",
             "gnn-kdtree", "--scenario", str(scenario), "--out", str(run),
             "--max-seconds", str(SS_MAX_SECONDS)],
            check=True, capture_output=True,
        )  # fmt: skip
    return run


def scans_done(run: Path) -> int:
    """Scans Stone Soup tracked before it was stopped (all of them unless it ran out of time)."""
    return int(json.loads((run / "timing.json").read_text())["scans_done"])


def ours(scenario: Path, scans: int) -> tuple[Path, float, int]:
    params = json.loads((scenario / "scenario.json").read_text())
    dets = read_detections(scenario / "detections.csv")
    rows, elapsed = track_planar_scans(
        dets, float(params["sigma"]), STONESOUP_CONFIG, scenario=params
    )
    run = scenario.parent / "ours"
    run.mkdir(parents=True, exist_ok=True)
    # scored on the scans Stone Soup did: the scorer bins every later row into the last scan
    done = rows.scan < scans
    write_tracks_csv(
        run / "tracks.csv",
        PlanarTracks(*(getattr(rows, f.name)[done] for f in fields(PlanarTracks))),
    )
    (run / "timing.json").write_text(json.dumps({"scans_done": scans}))  # scored on these
    return run, elapsed, int(dets.t.size)


def score(scenario: Path, run: Path) -> dict[str, float]:
    subprocess.run(
        [sys.executable, str(BASELINE), "score", "--no-stonesoup", "--scenario", str(scenario),
         "--run", str(run)],
        check=True, capture_output=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads((run / "score.json").read_text())
    return result


def false_tracks_per_hour(scenario: Path, run: Path) -> float:
    """Confirmed tracks of which fewer than half the reported positions lie within the GOSPA
    cut-off of a truth at the same scan, per hour of scenario."""
    params = json.loads((scenario / "scenario.json").read_text())
    truth = np.loadtxt(scenario / "truth.csv", delimiter=",", skiprows=1, ndmin=2)
    tracks = np.loadtxt(run / "tracks.csv", delimiter=",", skiprows=1, ndmin=2)
    scans = scans_done(run)
    hours = scans * float(params["dt"]) / 3600.0
    tracks = tracks[tracks[:, 0] < scans] if tracks.size else tracks
    if tracks.size == 0:
        return 0.0
    near = np.zeros(len(tracks), bool)
    for k in np.unique(tracks[:, 0]):
        here = tracks[:, 0] == k
        there = truth[truth[:, 0] == k][:, 3:5]
        if len(there):
            d, _ = cKDTree(there).query(tracks[here, 3:5])
            near[here] = d <= CUTOFF_M
    _, inverse = np.unique(tracks[:, 2], return_inverse=True)
    share = np.bincount(inverse, near) / np.bincount(inverse)
    return float(np.count_nonzero(share < 0.5) / hours)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    only_stonesoup = "--stonesoup-only" in sys.argv
    split = args.pop(0) if args and args[0] in SEEDS else "tune"
    variants = args or list(VARIANTS)
    if hasattr(os, "sched_setaffinity") and not only_stonesoup:  # ours on one core
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    print(f"seeds {split} {SEEDS[split]}")
    print(
        "| variant | seed | GOSPA ours | GOSPA Stone Soup | ours/SS | false tracks/h ours | "
        "false tracks/h SS | our detections/CPU-s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for variant in variants:
        ratios = []
        for seed in SEEDS[split]:
            scenario = generate(variant, seed)
            ss_run = stonesoup(scenario)
            if only_stonesoup:
                continue
            run, elapsed, n = ours(scenario, scans_done(ss_run))
            g_ours, g_ss = score(scenario, run)["gospa_mean"], score(scenario, ss_run)["gospa_mean"]
            f_ours = false_tracks_per_hour(scenario, run)
            f_ss = false_tracks_per_hour(scenario, ss_run)
            ratios.append(g_ours / g_ss)
            print(
                f"| {variant} | {seed} | {g_ours:.1f} | {g_ss:.1f} | {g_ours / g_ss:.3f} | "
                f"{f_ours:,.0f} | {f_ss:,.0f} | {n / elapsed:,.0f} |",
                flush=True,
            )
        if ratios:
            print(f"| {variant} | mean | | | {np.mean(ratios):.3f} | | | |", flush=True)


if __name__ == "__main__":
    main()
