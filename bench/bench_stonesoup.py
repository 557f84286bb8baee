"""Benchmark: our tracker on the shared Stone Soup scenarios, scored by the shared scorer.

Usage: python bench/bench_stonesoup.py [N ...]   (default 100 300 1000)

For each scenario ../shared/bench/stonesoup/scenario_n{N}_seed1 it runs the tracker scan by
scan on one core (tracker time only, like Stone Soup's own figure), writes tracks.csv in the
shared format to bench/out/stonesoup_n{N}/, then runs the shared scorer on it and prints a
Markdown row with detections/s and GOSPA.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import cast  # noqa: E402

from dronewall.records.stonesoup_csv import read_detections, write_tracks_csv  # noqa: E402
from dronewall.runtime.offline import STONESOUP_CONFIG, track_planar_scans  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench" / "stonesoup"


def run(n: int) -> dict[str, object]:
    scenario = SHARED / f"scenario_n{n}_seed1"
    params = json.loads((scenario / "scenario.json").read_text())
    dets = read_detections(scenario / "detections.csv")
    rows, elapsed = track_planar_scans(
        dets, float(params["sigma"]), STONESOUP_CONFIG, scenario=params
    )
    out = ROOT / "bench" / "out" / f"stonesoup_n{n}"
    out.mkdir(parents=True, exist_ok=True)
    write_tracks_csv(out / "tracks.csv", rows)
    subprocess.run(
        [
            sys.executable,
            str(SHARED / "stonesoup_baseline.py"),
            "score",
            "--no-stonesoup",
            "--scenario",
            str(scenario),
            "--run",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    score = json.loads((out / "score.json").read_text())
    return {"n": n, "detections": dets.t.size, "seconds": elapsed, "score": score}


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    sizes = [int(a) for a in sys.argv[1:]] or [100, 300, 1000]
    for n in sizes:
        r = run(n)
        score = r["score"]
        assert isinstance(score, dict)
        dets, secs = cast(int, r["detections"]), cast(float, r["seconds"])
        print(
            f"| n{n} | {dets:,} | {secs:.2f} | {dets / secs:,.0f} | "
            f"{score['gospa_mean']:.1f} | {score['gospa_mean_per_truth']:.2f} | "
            f"{score['gospa_missed_mean']:.1f} | {score['gospa_false_mean']:.1f} |"
        )


if __name__ == "__main__":
    main()
