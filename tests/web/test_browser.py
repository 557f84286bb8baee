"""The web map in headless Chromium against the live server, signed in as the operator otto:
tracks appear and move, an alert is acknowledged (recorded under otto's name, shown in the
alert's history), the track panel explains a track, the replay slider scrubs, a screenshot is
saved (out/screenshots/)."""

from __future__ import annotations

import json
import time
import urllib.request

import numpy as np
from PIL import Image
from playwright.sync_api import Page

from tests.web.conftest import SCREENSHOTS, LiveServer

D = "window.dronewall"


def _get(server: LiveServer, path: str, page: Page) -> object:
    """GET with the page's token (the server lets nobody in without one)."""
    token = page.evaluate("sessionStorage.getItem('dronewall.token')")
    req = urllib.request.Request(server.url + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_tracks_appear_and_move(page: Page, live_server: LiveServer) -> None:
    for sel in ("#map", "#alert-panel", "#track-panel", "#time-slider", "#live-button",
                "#data-time", "#status"):  # fmt: skip
        assert page.locator(sel).count() == 1, sel
    assert page.evaluate(f"{D}.mode()") == "live"
    assert page.evaluate(f"{D}.wsState()") == "open"
    frame = _get(live_server, "/api/tracks", page)
    assert isinstance(frame, dict)
    moving = [i for i, s in zip(frame["id"], frame["speed"], strict=True) if s and s > 20][:10]
    assert moving, "some tracks fly faster than 20 m/s"
    before = {i: page.evaluate(f"{D}.position({i})") for i in moving}
    seq, t = page.evaluate(f"{D}.lastFrameSeq()"), page.evaluate(f"{D}.dataTime()")
    page.wait_for_function(f"{D}.dataTime() >= {t + 3}", timeout=30_000)
    assert page.evaluate(f"{D}.lastFrameSeq()") > seq
    moved = 0
    for i, p0 in before.items():
        p1 = page.evaluate(f"{D}.position({i})")
        if p0 and p1 and (abs(p1[0] - p0[0]) + abs(p1[1] - p0[1])) > 1e-4:  # > ~10 m
            moved += 1
    assert moved >= max(1, len(before) // 2), f"{moved} of {len(before)} tracks moved"
    assert page.evaluate(f"{D}.trackCount()") > 0
    # The date shown is the data time, in UTC.
    assert "2025-09-22" in page.inner_text("#data-time")


def test_acknowledge_an_alert(page: Page, live_server: LiveServer) -> None:
    page.wait_for_selector("[data-testid^=ack-]", timeout=120_000)
    testid = page.locator("[data-testid^=ack-]").first.get_attribute("data-testid") or ""
    alert_id = int(testid.split("-", 1)[1])
    # An operator may acknowledge and engage, not clear (a commander's action).
    clear = page.locator(f"[data-testid=clear-{alert_id}]")
    assert clear.is_disabled()
    assert "commander" in (clear.get_attribute("title") or "")
    # The list is redrawn on every alert change: address this alert's button by its id.
    page.locator(f"[data-testid=ack-{alert_id}]").click()
    page.wait_for_function(
        f"(() => {{ const r = document.querySelector('[data-alert-id=\"{alert_id}\"]');"
        " return !r || r.dataset.state !== 'new'; })()",
        timeout=10_000,
    )
    alerts = _get(live_server, "/api/alerts?include_cleared=true", page)
    assert isinstance(alerts, list)
    mine = next(a for a in alerts if a["alert_id"] == alert_id)
    assert [(x["action"], x["operator"]) for x in mine["actions"]][:1] == [("acknowledge", "otto")]
    assert mine["state"] in ("acknowledged", "cleared")  # cleared later if the drone left
    if mine["state"] == "acknowledged":
        assert page.get_attribute(f"[data-alert-id='{alert_id}']", "data-state") == ("acknowledged")
        # Who did what: raised, then acknowledged by otto.
        history = page.locator(f"[data-testid=history-{alert_id}] li")
        assert history.first.get_attribute("data-action") == "raise"
        ack = page.locator(f"[data-testid=history-{alert_id}] li[data-action=acknowledge]")
        assert ack.get_attribute("data-operator") == "otto"
        assert "acknowledged by otto" in ack.inner_text()
    assert page.locator(f"[data-testid=ack-{alert_id}]").count() == 0


def test_track_panel_explains_the_alerted_track(page: Page) -> None:
    page.wait_for_selector("[data-alert-id]", timeout=120_000)
    row = page.locator("[data-alert-id]").first
    track = int(row.get_attribute("data-track-id") or "0")
    row.click()
    page.wait_for_function(f"{D}.selectedTrack() === {track}", timeout=10_000)
    page.wait_for_selector("[data-testid=class-reasons]", timeout=10_000)
    panel = page.inner_text("#track-panel")
    assert str(track) in panel
    for label in ("drone", "bird", "aircraft"):
        assert label in panel.lower()
    assert page.locator("[data-testid=p-drone]").count() == 1
    assert page.inner_text("[data-testid=class-reasons]").strip()


def test_scrub_the_replay_and_return_live(page: Page) -> None:
    page.wait_for_function(
        "+document.getElementById('time-slider').max - +document.getElementById('time-slider').min"
        " > 60",
        timeout=60_000,
    )
    hi = float(page.get_attribute("#time-slider", "max") or "0")
    target = int(hi - 45)
    page.evaluate(
        "t => { const s = document.getElementById('time-slider'); s.value = String(t);"
        " s.dispatchEvent(new Event('input', {bubbles: true})); }",
        target,
    )
    page.wait_for_function(
        f"{D}.mode() === 'replay' && Math.abs({D}.dataTime() - {target}) <= 1", timeout=15_000
    )
    time.sleep(2.0)  # live frames keep arriving but do not move the replayed picture
    assert abs(page.evaluate(f"{D}.dataTime()") - target) <= 1
    page.click("#live-button")
    page.wait_for_function(f"{D}.mode() === 'live' && {D}.dataTime() >= {hi}", timeout=15_000)


def test_screenshot_is_saved(page: Page) -> None:
    page.wait_for_timeout(1500)  # a few frames drawn
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "map.png"
    page.screenshot(path=str(path))
    image = np.asarray(Image.open(path).convert("RGB").resize((350, 225)))
    colours = len(np.unique(image.reshape(-1, 3), axis=0))
    assert colours > 50, "the map drew land, borders, symbols and panels, not a blank page"
