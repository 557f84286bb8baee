"""Benchmark: the cost of sign-in and per-recipient releasability on the live picture (issue
15) — bench_live.py with ``--auth none`` against ``--auth users`` with the clients in 1, 3 and
10 recipient groups, alternated and repeated in one session so the ratios are comparable on a
shared machine.

Usage: python bench/bench_auth_live.py [--tracks 10000] [--clients 50] [--seconds 45]
       [--warmup 15] [--repeat 3] [--groups 1,3,10]

Every configuration runs the same labelled crowd (bench_live.py ``--labelled``: ten radars of
ten nations), so only sign-in and the cut differ. Prints, per configuration, the median over
the repeats of p50 and p99 report→client latency and of the server's CPU, with the spread
(min–max), and the tracks each recipient group received (median per frame).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tracks", type=int, default=10_000)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=45.0)
    p.add_argument("--warmup", type=float, default=15.0)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--groups", default="1,3,10", help="recipient groups with auth on")
    p.add_argument("--port", type=int, default=8799)
    a = p.parse_args()
    groups = [int(g) for g in a.groups.split(",") if g.strip()]
    configs: list[list[str]] = [["--auth", "none", "--labelled"]]
    configs += [["--auth", "users", "--groups", str(g)] for g in groups]
    names = ["off"] + [f"on, {g} group{'s' if g > 1 else ''}" for g in groups]
    runs: dict[str, list[dict[str, object]]] = {n: [] for n in names}
    here = Path(__file__).parent
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.repeat):
            for name, extra in zip(names, configs, strict=True):
                out = Path(tmp) / f"{r}-{len(runs[name])}-{names.index(name)}.json"
                cmd = [sys.executable, str(here / "bench_live.py"), "--tracks", str(a.tracks),
                       "--clients", str(a.clients), "--seconds", str(a.seconds), "--warmup",
                       str(a.warmup), "--port", str(a.port), "--result", str(out),
                       *extra]  # fmt: skip
                done = subprocess.run(cmd, capture_output=True, text=True)
                if done.returncode != 0:
                    tail = (done.stderr.strip().splitlines() or ["?"])[-1]
                    print(f"run {r + 1} {name}: failed: {tail}", file=sys.stderr)
                    continue
                res = json.loads(out.read_text())
                runs[name].append(res)
                print(f"run {r + 1} {name}: p50 {res['p50_ms']:.0f} ms, p99 {res['p99_ms']:.0f}"
                      f" ms, CPU {res['cpu_cores']:.2f}, frames/client {res['frames_min']}–"
                      f"{res['frames_max']}, shed {res['shed']}, groups {res['group_tracks']}",
                      file=sys.stderr, flush=True)  # fmt: skip

    def med(rs: list[dict[str, object]], key: str, fmt: str) -> str:
        v = [float(x[key]) for x in rs]  # type: ignore[arg-type]
        return f"{statistics.median(v):{fmt}} ({min(v):{fmt}}–{max(v):{fmt}})"

    base = runs[names[0]]
    print(f"\n{time.strftime('%Y-%m-%d')} · {platform.node()} · {os.cpu_count()} cores · "
          f"`python bench/bench_auth_live.py --tracks {a.tracks} --clients {a.clients} "
          f"--seconds {a.seconds:g} --warmup {a.warmup:g} --repeat {a.repeat} "
          f"--groups {a.groups}`\n")  # fmt: skip
    print("| sign-in, recipient groups | runs | tracks per group (median/frame) | p50 ms | "
          "p99 ms | p99 ÷ off | server CPU (cores) |")  # fmt: skip
    print("|---|---:|---|---:|---:|---:|---:|")
    for name in names:
        rs = runs[name]
        if not rs:
            print(f"| {name} | 0 | failed | | | | |")
            continue
        tracks = rs[-1]["group_tracks"]
        assert isinstance(tracks, dict)
        shown = ", ".join(f"{k.removeprefix('bench-').upper()} {v:,}" for k, v in tracks.items())
        ratio = ""
        if base:
            pairs = zip(rs, base, strict=False)  # run r of each: neighbours in time
            ratios = [float(x["p99_ms"]) / float(b["p99_ms"]) for x, b in pairs]  # type: ignore[arg-type]
            ratio = f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})"
        print(
            f"| {name} | {len(rs)} | {shown} | {med(rs, 'p50_ms', '.0f')} | "
            f"{med(rs, 'p99_ms', '.0f')} | {ratio} | {med(rs, 'cpu_cores', '.2f')} |"
        )


if __name__ == "__main__":
    main()
