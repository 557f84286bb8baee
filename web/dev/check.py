# ruff: noqa: E501  (JavaScript snippets passed to the page)
"""Dev only: open the map in headless Chromium (system /usr/bin/chromium, SwiftShader WebGL),
wait for tracks, print window.dronewall stats and save a screenshot.

    ../../.venv/bin/python dev/check.py http://127.0.0.1:8765/ /tmp/shot.png [seconds]
"""

import json
import sys
import time

from playwright.sync_api import sync_playwright

FLAGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8765/"
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/shot.png"
wait = float(sys.argv[3]) if len(sys.argv) > 3 else 6.0
extra = sys.argv[4:]

with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path="/usr/bin/chromium", headless=True, args=FLAGS + extra
    )
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    logs = []
    page.on("console", lambda m: logs.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: logs.append(f"pageerror: {e}"))
    page.goto(url)
    page.wait_for_function("window.dronewall && window.dronewall.trackCount() > 0", timeout=30000)
    page.evaluate("window.__t0 = window.dronewall.frameCount()")
    time.sleep(wait)
    gl = page.evaluate(
        """() => { const c = document.createElement('canvas'); const g = c.getContext('webgl2');
        if (!g) return 'no webgl2'; const d = g.getExtension('WEBGL_debug_renderer_info');
        return d ? g.getParameter(d.UNMASKED_RENDERER_WEBGL) : g.getParameter(g.RENDERER); }"""
    )
    stats = page.evaluate(
        """() => { const d = window.dronewall; const nf = d.frameCount() - window.__t0; const ft = d.frameTimes().slice(-nf);
        const s = [...ft].sort((a, b) => a - b); const q = (x) => s.length ? s[Math.min(s.length - 1, Math.floor(x * s.length))] : null;
        const rt = d.renderTimes().slice(-200).sort((a, b) => a - b);
        return { tracks: d.trackCount(), seq: d.lastFrameSeq(), mode: d.mode(), ws: d.wsState(),
          frames: ft.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1],
          render_p50: rt[Math.floor(rt.length * 0.5)], render_p95: rt[Math.floor(rt.length * 0.95)],
          counters: d.counters(), alerts: d.alerts().length, status: document.getElementById('status').textContent }; }"""
    )
    print("renderer:", gl)
    print(json.dumps(stats, indent=1))
    page.screenshot(path=out)
    for line in logs[-15:]:
        print(line)
    browser.close()
