"""Benchmark: the live picture under load — N tracks updating at 1 Hz (real time), fanned out
over WebSocket to C clients; latency from a report entering the pipeline to the frame that
reflects it reaching a client.

Usage: python bench/bench_live.py [--tracks 10000] [--clients 50] [--seconds 60] [--warmup 20]
       [--auth none|users] [--groups 1] [--labelled] [--result FILE]

The server (pipeline + uvicorn) runs in this process; the clients run in a second process
(bench/ws_clients.py: lean byte-counting clients by default, ``--client websockets`` for the
library's). Latency = client receive time − wall_ingest of the frame: the time the oldest
report that the frame is the first to reflect entered the pipeline (frames that reflect no new
report carry none and are not counted), both read from the same machine clock. The pipeline
runs the settings `dronewall serve` uses.

Sign-in and releasability (issue 15): ``--labelled`` gives the crowd ten radars of ten
nations (object i seen by radar i mod 10; radar j's label: owner NATIONS[j], releasable to the
nations after it), so recipient group g (nation NATIONS[g], SECRET) sees the tracks of radars
0…g. ``--auth none`` (the default) serves without sign-in: every client gets the whole
picture, encoded once. ``--auth users`` (implies ``--labelled``) makes ``--groups`` users of
distinct nations in a temporary users file with ``dronewall users add … --password-stdin``,
signs each in once (``POST /api/auth/login``, rate-limited) and connects client i as user
i mod groups with ``?access_token=``: each frame is cut and encoded once per group.
``--result FILE`` writes the figures as JSON (bench_auth_live.py alternates configurations).
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
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from dronewall.app.serve_auth import AuthMode, AuthOptions, build_authenticator
from dronewall.core.release import SecurityLabel
from live_load import EPOCH, LoadServer

NATIONS = ("DEU", "POL", "DNK", "FRA", "LTU", "NLD", "SWE", "USA", "NOR", "EST")
# The recipient groups signed in for --groups G: nation indices (they see radars 0…g).
GROUP_NATIONS = {1: (6,), 3: (2, 5, 8), 10: tuple(range(10))}


def crowd_labels() -> tuple[SecurityLabel, ...]:
    """Radar j: owned by NATIONS[j], releasable to every nation after it in NATIONS."""
    return tuple(SecurityLabel.make(n, "RESTRICTED", NATIONS[j + 1 :])
                 for j, n in enumerate(NATIONS))  # fmt: skip


def make_users(path: Path, groups: int) -> list[str]:
    """One viewer per group in a new users file; their names."""
    names = []
    for g in GROUP_NATIONS.get(groups) or tuple(range(groups)):
        name = f"bench-{NATIONS[g].lower()}"
        subprocess.run(
            [str(Path(sys.executable).parent / "dronewall"), "users", "add", name, "--users",
             str(path), "--role", "viewer", "--nation", NATIONS[g], "--clearance", "SECRET",
             "--password-stdin"],
            input=f"{name}-password-long\n", text=True, check=True, capture_output=True,
        )  # fmt: skip
        names.append(name)
    return names


def login(port: int, name: str) -> str:
    body = json.dumps({"username": name, "password": f"{name}-password-long"}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/auth/login", body,
                                 {"content-type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(req, timeout=30) as r:
        return str(json.loads(r.read())["access_token"])


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
    p.add_argument("--auth", choices=("none", "users"), default="none",
                   help="none: no sign-in (whole picture); users: clients sign in")  # fmt: skip
    p.add_argument("--groups", type=int, default=1,
                   help="--auth users: distinct recipient groups (nations), 1 to 10")  # fmt: skip
    p.add_argument("--labelled", action="store_true",
                   help="ten labelled radars of ten nations (implied by --auth users)")  # fmt: skip
    p.add_argument("--result", type=Path, help="also write the figures here as JSON")
    a = p.parse_args()
    if not 1 <= a.groups <= len(NATIONS):
        p.error(f"--groups must be 1 to {len(NATIONS)}, not {a.groups}")
    labelled = a.labelled or a.auth == "users"
    sys.setswitchinterval(a.switch_ms / 1000)
    total = int(a.warmup + a.seconds + 10)
    with tempfile.TemporaryDirectory() as tmp:
        auth, names = None, []
        if a.auth == "users":
            users = Path(tmp) / "users.json"
            names = make_users(users, a.groups)
            auth = build_authenticator(AuthOptions(AuthMode.users, users), "127.0.0.1")
        with LoadServer(
            a.tracks, total, a.port, Path(tmp) / "load.db", imm=not a.no_imm, spread=a.spread,
            labels=crowd_labels() if labelled else (), auth=auth,
        ) as srv:  # fmt: skip
            tokens_args = []
            if names:
                # One sign-in per user (sign-in is rate-limited); its clients share the token.
                signed = [login(a.port, name) for name in names]
                tokens = [signed[i % len(names)] for i in range(a.clients)]
                (Path(tmp) / "tokens.json").write_text(json.dumps(tokens))
                tokens_args = ["--tokens", str(Path(tmp) / "tokens.json")]
            cpu0 = time.process_time()
            wall0 = time.monotonic()
            clients = subprocess.run(
                [sys.executable, str(Path(__file__).parent / "ws_clients.py"), "--port",
                 str(a.port), "--clients", str(a.clients), "--seconds",
                 str(a.warmup + a.seconds), "--client", a.client,
                 *(["--json"] if a.json else []), *tokens_args],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            cpu = (time.process_time() - cpu0) / (time.monotonic() - wall0)
            metrics = srv.pipeline.metrics.render().decode()
            summary = srv.pipeline.summary
    results = json.loads(clients.stdout)
    t_from = EPOCH + a.warmup
    lat, got, sizes = [], [], []
    per_group: dict[str, list[int]] = {}
    for i, frames in enumerate(results):
        kept = [f for f in frames if f[1] >= t_from]
        got.append(len({f[0] for f in kept}))
        who = names[i % len(names)] if names else "all"
        per_group.setdefault(who, []).extend(f[4] for f in kept)
        lat += [f[3] - f[2] for f in kept if f[2] is not None and math.isfinite(f[2])]
        sizes += [f[4] for f in kept]
    published = int(a.seconds)  # 1 Hz of data in real time
    lat_ms = np.array(lat) * 1000
    print(f"\n{time.strftime('%Y-%m-%d')} · {platform.node()} · {os.cpu_count()} cores · "
          f"`python bench/bench_live.py --tracks {a.tracks} --clients {a.clients} "
          f"--seconds {a.seconds:.0f} --switch-ms {a.switch_ms:g}{' --no-imm' if a.no_imm else ''}"
          f"{' --spread' if a.spread else ''}"
          f"{' --json' if a.json else ''} --client {a.client} --auth {a.auth}"
          f"{f' --groups {a.groups}' if a.auth == 'users' else ''}"
          f"{' --labelled' if a.labelled and a.auth == 'none' else ''}`\n")  # fmt: skip
    print(f"| tracks | clients | frames/client (of ~{published}) | p50 ms | p95 ms | p99 ms "
          "| max ms | server CPU |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {int(np.median(sizes)) if sizes else 0:,} | {len(results)} | "
          f"{min(got)}–{max(got)} | {np.percentile(lat_ms, 50):.0f} | "
          f"{np.percentile(lat_ms, 95):.0f} | {np.percentile(lat_ms, 99):.0f} | "
          f"{lat_ms.max():.0f} | {cpu:.2f} cores |")  # fmt: skip
    group_tracks = {k: int(np.median(v)) if v else 0 for k, v in per_group.items()}
    print("\ntracks per recipient group (median per frame): "
          + ", ".join(f"{k} {v:,}" for k, v in group_tracks.items()))  # fmt: skip
    if a.result is not None:
        a.result.write_text(json.dumps({
            "auth": a.auth, "groups": a.groups if a.auth == "users" else 0,
            "tracks": a.tracks, "clients": len(results), "frames_min": min(got),
            "frames_max": max(got), "p50_ms": float(np.percentile(lat_ms, 50)),
            "p95_ms": float(np.percentile(lat_ms, 95)),
            "p99_ms": float(np.percentile(lat_ms, 99)), "max_ms": float(lat_ms.max()),
            "cpu_cores": cpu, "group_tracks": group_tracks, "shed": summary.shed,
        }))  # fmt: skip
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
