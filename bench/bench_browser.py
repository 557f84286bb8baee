"""Benchmark: the web map's frame time with N tracks updating at 1 Hz, in Debian's headless
Chromium (software WebGL, SwiftShader), fed by the real pipeline and server.

Usage: python bench/bench_browser.py [--tracks 10000] [--seconds 30] [--warmup 20]

Frame time = interval between requestAnimationFrame callbacks in the page (the map's own
hook, window.dronewall.frameTimes()), sampled after the warm-up; p95 bar: 33 ms. The server
(pipeline + uvicorn, bench/live_load.py) runs in this process, so the browser shares the two
cores with a pipeline tracking N objects — a harder setting than an operator's workstation.
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
from live_load import LoadServer

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
    a = p.parse_args()
    sys.setswitchinterval(0.001)
    total = int(a.warmup + a.seconds + 30)
    with (
        tempfile.TemporaryDirectory() as tmp,
        LoadServer(a.tracks, total, a.port, Path(tmp) / "load.db") as srv,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=FLAGS)  # fmt: skip
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"http://127.0.0.1:{srv.port}/")
        page.wait_for_function("window.dronewall && window.dronewall.trackCount() > 0",
                               timeout=120_000)  # fmt: skip
        time.sleep(a.warmup)
        n0 = page.evaluate("window.dronewall.frameCount()")
        c0 = page.evaluate("window.dronewall.counters()")
        samples: list[float] = []
        deadline = time.monotonic() + a.seconds
        while time.monotonic() < deadline:
            time.sleep(5.0)  # the hook keeps the last 600 intervals: read well before they roll
            samples += page.evaluate("window.dronewall.frameTimes().slice(-300)")
        frames = page.evaluate("window.dronewall.frameCount()") - n0
        c1 = page.evaluate("window.dronewall.counters()")
        tracks = page.evaluate("window.dronewall.trackCount()")
        status = page.inner_text("#status")
        browser.close()
    ft = np.array(samples)
    command = f"python bench/bench_browser.py --tracks {a.tracks} --seconds {a.seconds:.0f}"
    print(f"\n{time.strftime('%Y-%m-%d')} · {platform.node()} · {os.cpu_count()} cores · "
          f"`{command}`\n")  # fmt: skip
    print("| tracks in picture | frames drawn/s | frame time p50 ms | p95 ms | p99 ms | "
          "pictures received | pictures drawn |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    print(f"| {tracks:,} | {frames / a.seconds:.0f} | {np.percentile(ft, 50):.1f} | "
          f"{np.percentile(ft, 95):.1f} | {np.percentile(ft, 99):.1f} | "
          f"{c1['received'] - c0['received']} | {c1['drawn'] - c0['drawn']} |")  # fmt: skip
    print(f"\nstatus line: {status}")


if __name__ == "__main__":
    main()
