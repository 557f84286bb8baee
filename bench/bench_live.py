"""Benchmark: the live picture under load — N tracks updating at 1 Hz (real time), fanned out
over WebSocket to C clients; latency from a report entering the pipeline to the frame that
reflects it reaching a client.

Usage: python bench/bench_live.py [--tracks 10000] [--clients 50] [--seconds 60] [--warmup 20]

The server (pipeline + uvicorn) runs in this process; the clients run in a second process
(bench/ws_clients.py: lean byte-counting clients by default, ``--client websockets`` for the
library's). Latency = client receive time − wall_ingest of the frame: the time the oldest
report that the frame is the first to reflect entered the pipeline (frames that reflect no new
report carry none and are not counted), both read from the same machine clock. The pipeline
runs the settings `dronewall serve` uses.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from live_load import EPOCH, LoadServer


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tracks", type=int, default=10_000)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--warmup", type=float, default=20.0)
    p.add_argument("--port", type=int, default=8799)
    p.add_argument("--switch-ms", type=float, default=1.0,
                   help="sys.setswitchinterval (1 ms, as dronewall serve sets it)")  # fmt: skip
    p.add_argument("--no-imm", action="store_true", help="NCV-only tracker (no turn models)")
    p.add_argument(
        "--spread",
        action="store_true",
        help="reports spread through each second (a radar turning), not one scan",
    )
    p.add_argument("--json", action="store_true", help="clients take JSON frames, not columns")
    p.add_argument("--client", choices=("lean", "websockets"), default="lean",
                   help="ws_clients.py: lean byte-counting clients or the library's")  # fmt: skip
    a = p.parse_args()
    sys.setswitchinterval(a.switch_ms / 1000)
    total = int(a.warmup + a.seconds + 10)
    with (
        tempfile.TemporaryDirectory() as tmp,
        LoadServer(
            a.tracks, total, a.port, Path(tmp) / "load.db", imm=not a.no_imm, spread=a.spread
        ) as srv,
    ):
        cpu0 = time.process_time()
        wall0 = time.monotonic()
        clients = subprocess.run(
            [sys.executable, str(Path(__file__).parent / "ws_clients.py"), "--port",
             str(a.port), "--clients", str(a.clients), "--seconds", str(a.warmup + a.seconds),
             "--client", a.client, *(["--json"] if a.json else [])],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        cpu = (time.process_time() - cpu0) / (time.monotonic() - wall0)
        metrics = srv.pipeline.metrics.render().decode()
        summary = srv.pipeline.summary
    results = json.loads(clients.stdout)
    t_from = EPOCH + a.warmup
    lat, got, sizes = [], [], []
    for frames in results:
        kept = [f for f in frames if f[1] >= t_from]
        got.append(len({f[0] for f in kept}))
        lat += [f[3] - f[2] for f in kept if f[2] is not None and math.isfinite(f[2])]
        sizes += [f[4] for f in kept]
    published = int(a.seconds)  # 1 Hz of data in real time
    lat_ms = np.array(lat) * 1000
    print(f"\n{time.strftime('%Y-%m-%d')} · {platform.node()} · {os.cpu_count()} cores · "
          f"`python bench/bench_live.py --tracks {a.tracks} --clients {a.clients} "
          f"--seconds {a.seconds:.0f} --switch-ms {a.switch_ms:g}{' --no-imm' if a.no_imm else ''}"
          f"{' --spread' if a.spread else ''}"
          f"{' --json' if a.json else ''} --client {a.client}`\n")  # fmt: skip
    print(f"| tracks | clients | frames/client (of ~{published}) | p50 ms | p95 ms | p99 ms "
          "| max ms | server CPU |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {int(np.median(sizes)) if sizes else 0:,} | {len(results)} | "
          f"{min(got)}–{max(got)} | {np.percentile(lat_ms, 50):.0f} | "
          f"{np.percentile(lat_ms, 95):.0f} | {np.percentile(lat_ms, 99):.0f} | "
          f"{lat_ms.max():.0f} | {cpu:.2f} cores |")  # fmt: skip
    print(
        f"\npipeline: {summary.reports:,} reports, {summary.frames} frames, speed "
        f"{summary.speed:.2f}×, shed {summary.shed}"
    )
    for line in metrics.splitlines():
        if line.startswith(
            (
                "dronewall_stage_latency_seconds_sum",
                "dronewall_stage_latency_seconds_count",
                "dronewall_shed_total",
            )
        ):
            print("  ", line)


if __name__ == "__main__":
    main()
