# ruff: noqa: E501  (JavaScript snippets passed to the page)
"""Dev only: drive the map in headless Chromium against the mock server and check the UI works
(selection, track panel, acknowledge, replay slider, Live button). Not the project's tests.

    ../.venv/bin/python dev/smoke.py http://127.0.0.1:8765/
"""

import sys
import time

from playwright.sync_api import sync_playwright

FLAGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8765/"

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=FLAGS)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_function("window.dronewall && window.dronewall.trackCount() > 0", timeout=30000)
    d = "window.dronewall"
    print(
        "tracks",
        page.evaluate(f"{d}.trackCount()"),
        "seq",
        page.evaluate(f"{d}.lastFrameSeq()"),
        "mode",
        page.evaluate(f"{d}.mode()"),
    )
    for sel in [
        "#alert-panel",
        "#track-panel",
        "#time-slider",
        "#live-button",
        "#data-time",
        "#status",
        "#map",
    ]:
        assert page.locator(sel).count() == 1, sel
    print("data time:", page.inner_text("#data-time"))

    # acknowledge the first NEW alert
    page.wait_for_selector("[data-testid^=ack-]", timeout=15000)
    ack = page.locator("[data-testid^=ack-]").first
    aid = ack.get_attribute("data-testid").split("-", 1)[1]
    ack.click()
    page.wait_for_function(
        f"document.querySelector('[data-alert-id=\"{aid}\"]')?.dataset.state === 'acknowledged'",
        timeout=5000,
    )
    print("alert", aid, "->", page.get_attribute(f"[data-alert-id='{aid}']", "data-state"))
    assert page.locator(f"[data-testid=ack-{aid}]").count() == 0

    # click the alert row: selects its track, the panel fills with class bars and reasons
    page.click(f"[data-alert-id='{aid}'] .site")
    track = int(page.get_attribute(f"[data-alert-id='{aid}']", "data-track-id"))
    page.wait_for_function(f"{d}.selectedTrack() === {track}")
    page.wait_for_selector("[data-testid=class-reasons]", timeout=5000)
    print("track panel:", page.inner_text("#track-panel")[:300].replace("\n", " | "))
    page.screenshot(path="/tmp/smoke-selected.png")

    # clear that alert
    page.click(f"[data-testid=clear-{aid}]")
    page.wait_for_function(
        f"document.querySelector('[data-alert-id=\"{aid}\"]')?.dataset.state === 'cleared' || !document.querySelector('[data-alert-id=\"{aid}\"]')",
        timeout=5000,
    )
    print("cleared", aid)

    # click on a track symbol on the map: hover the centre of the map for a tooltip
    # replay: move the slider back 5 minutes
    lo = float(page.get_attribute("#time-slider", "min"))
    hi = float(page.get_attribute("#time-slider", "max"))
    target = hi - 300
    page.evaluate(
        f"(() => {{ const s = document.getElementById('time-slider'); s.value = '{int(target)}'; s.dispatchEvent(new Event('input', {{bubbles: true}})); }})()"
    )
    page.wait_for_function(
        f"{d}.mode() === 'replay' && Math.abs({d}.dataTime() - {int(target)}) <= 1", timeout=10000
    )
    print(
        "replay at",
        page.inner_text("#data-time"),
        "mode",
        page.evaluate(f"{d}.mode()"),
        "tracks",
        page.evaluate(f"{d}.trackCount()"),
    )
    seq = page.evaluate(f"{d}.lastFrameSeq()")
    time.sleep(2.2)
    assert abs(page.evaluate(f"{d}.dataTime()") - int(target)) <= 1, (
        "replay must not follow live frames"
    )
    assert page.evaluate(f"{d}.lastFrameSeq()") > seq, "live frames still received while replaying"
    page.screenshot(path="/tmp/smoke-replay.png")
    page.click("#live-button")
    page.wait_for_function(f"{d}.mode() === 'live'")
    time.sleep(1.2)
    print("live again at", page.inner_text("#data-time"))
    assert page.evaluate(f"{d}.dataTime()") >= hi

    # tooltip and click on a symbol: find a drawn track on screen
    box = page.locator("#map").bounding_box()
    hit = None
    for y in range(int(box["y"]) + 30, int(box["y"] + box["height"]) - 30, 23):
        for x in range(int(box["x"]) + 30, int(box["x"] + box["width"]) - 30, 23):
            page.mouse.move(x, y)
            page.wait_for_timeout(30)
            tip = page.locator(".dw-tooltip")
            if tip.count() and tip.first.is_visible() and "Track" in tip.first.inner_text():
                hit = (x, y, tip.first.inner_text())
                break
        if hit:
            break
    print("tooltip:", hit and hit[2].replace("\n", " | "))
    if hit:
        want = int(hit[2].split()[1])
        page.mouse.click(hit[0], hit[1])
        page.wait_for_function(f"{d}.selectedTrack() === {want}", timeout=5000)
        print("selected by click:", page.evaluate(f"{d}.selectedTrack()"))
    print("status:", page.inner_text("#status"))
    print("errors:", errors)
    browser.close()
