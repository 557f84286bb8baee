"""Benchmark: the web map's frame time with N tracks updating at 1 Hz, in Debian's headless
Chromium (software WebGL, SwiftShader), fed by the real pipeline and server.

Usage: python bench/bench_browser.py [--tracks 10000] [--seconds 30] [--warmup 20]
                                     [--feed pipeline|replay]

Frame time = interval between requestAnimationFrame callbacks in the page (the map's own
hook, window.dronewall.frameTimes()), sampled after the warm-up; p95 bar: 33 ms.

Feeds: ``pipeline`` — the live pipeline (tracker, identify, assess, store) and uvicorn run in
this process, so the browser shares the machine's cores with a pipeline tracking N objects,
as on a single-box laptop demo. ``replay`` — the same load is first recorded through the same
pipeline into SQLite (as fast as it goes), then the real server replays the recorded run into
the map at 1× (one N-track picture a second, ``dronewall serve --replay``): the browser gets
the same pictures while the server does what it does for an operator whose workstation is
not the tracking server.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from live_load import LoadServer, ReplayServer

FLAGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tracks", type=int, default=10_000)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--warmup", type=float, default=20.0)
    p.add_argument("--port", type=int, default=8798)
    p.add_argument("--feed", choices=["pipeline", "replay"], default="pipeline")
    p.add_argument("--view", default="22.5,52.2,6", help="lon,lat,zoom (default: all in view)")
    p.add_argument("--db", type=Path, help="replay: keep the recording here (reused if present)")
    a = p.parse_args()
    sys.setswitchinterval(0.001)
    total = int(a.warmup + a.seconds + 30)
    with tempfile.TemporaryDirectory() as tmp:
        db = a.db or Path(tmp) / "load.db"
        if a.feed == "replay":
            if not db.exists():
                t0 = time.monotonic()
                ReplayServer.record(a.tracks, total, db)
                print(f"recorded {total} s of {a.tracks} tracks in {time.monotonic() - t0:.0f} s")
            server: LoadServer | ReplayServer = ReplayServer(db, a.port, f"load-{a.tracks}")
        else:
            server = LoadServer(a.tracks, total, a.port, db)
        measure(a, server)


def measure(a: argparse.Namespace, server: LoadServer | ReplayServer) -> None:
    with server as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=FLAGS)  # fmt: skip
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"http://127.0.0.1:{srv.port}/?view={a.view}")
        page.wait_for_function("window.dronewall && window.dronewall.trackCount() > 0",
                               timeout=120_000)  # fmt: skip
        time.sleep(a.warmup)
        n0 = page.evaluate("window.dronewall.frameCount()")
        c0 = page.evaluate("window.dronewall.counters()")
        samples: list[float] = []
        seen = n0
        deadline = time.monotonic() + a.seconds
        while time.monotonic() < deadline:
            time.sleep(2.0)  # the hooks keep the last 600 entries: read well before they roll
            count, times = page.evaluate(
                "[window.dronewall.frameCount(), window.dronewall.frameTimes()]"
            )
            new = count - seen  # only the intervals since the last read, never one twice
            samples += times[len(times) - min(new, len(times)) :] if new else []
            seen = count
        frames = page.evaluate("window.dronewall.frameCount()") - n0
        c1 = page.evaluate("window.dronewall.counters()")
        tracks = page.evaluate("window.dronewall.trackCount()")
        status = page.inner_text("#status")
        renders = page.evaluate("window.dronewall.renderTimes().slice(-60)")
        browser.close()
    ft = np.array(samples)
    command = (
        f"python bench/bench_browser.py --tracks {a.tracks} --seconds {a.seconds:.0f} "
        f"--feed {a.feed} --view {a.view}"
    )
    print(f"\n{time.strftime('%Y-%m-%d')} · {platform.node()} · {os.cpu_count()} cores · "
          f"`{command}`\n")  # fmt: skip
    print("| tracks in picture | frames drawn/s | frame time p50 ms | p95 ms | p99 ms | "
          "pictures received | pictures drawn |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    print(f"| {tracks:,} | {frames / a.seconds:.0f} | {np.percentile(ft, 50):.1f} | "
          f"{np.percentile(ft, 95):.1f} | {np.percentile(ft, 99):.1f} | "
          f"{c1['received'] - c0['received']} | {c1['drawn'] - c0['drawn']} |")  # fmt: skip
    print(f"\nstatus line: {status}")
    if renders:
        r = np.array(renders)
        print(f"deck.gl renders: {r.size}, CPU ms p50 {np.percentile(r, 50):.1f} "
              f"p95 {np.percentile(r, 95):.1f} max {r.max():.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
