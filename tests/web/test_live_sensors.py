"""The map's sensors panel against a live MQTT feed over the real Mosquitto broker
(127.0.0.1:1883, a unique topic prefix): nodes that register after the page has opened appear
on the map and in the panel; a node that stops publishing turns stale, one whose status says
fault turns fault, one whose connection drops turns offline (its last will) — and those
three are listed first and highlighted; the feed shows its connection and reject count.

The server is ``dronewall serve --feed mqtt://…`` built in-process (the same FeedSource and
Pipeline as ``feeds_pipeline``), with the sensor table's stale threshold at STALE_S instead
of the default ``STALE_AFTER_S`` (10 s) to keep the wait short."""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from playwright.sync_api import Browser, Page

from dronewall.assess import protected_zones
from dronewall.runtime.adapters import ADAPTERS
from dronewall.runtime.feeds import FeedSource
from dronewall.runtime.feedspec import parse_feed_url
from dronewall.runtime.pipeline import Pipeline, PipelineSettings
from dronewall.sensors.mqtt import Channel
from dronewall.sensors.mqtt.node import MqttNode, clear_retained
from dronewall.server import ServerSettings, create_app
from dronewall.store.sqlite import SQLiteStore
from dronewall.world import load_world
from tests.web.conftest import SCREENSHOTS
from tests.web.harness import D, map_page, serving

STALE_S = 3.0  # the stale threshold for this test: a silent node turns stale after 3 s
NODES = {  # four nodes around Copenhagen airport: (kind, lat, lon, name)
    "cph-ac-1": ("acoustic", 55.640, 12.600, "Kastrup north"),
    "cph-ac-2": ("acoustic", 55.600, 12.620, "Dragør west"),
    "cph-rf-3": ("rf", 55.620, 12.680, "Amager RF"),
    "cph-ac-4": ("acoustic", 55.660, 12.660, "Refshaleøen"),
}
KEEPS, SILENT, FAULTY, DROPPED = "cph-ac-1", "cph-ac-2", "cph-rf-3", "cph-ac-4"


class Nodes(threading.Thread):
    """The nodes on their own event loop: a bearing from each twice a second until stopped.
    ``silence`` stops one node's messages (still connected), ``fault`` makes one say fault,
    ``drop`` kills one's socket without DISCONNECT (the broker publishes its will), ``garbage``
    sends one malformed detection."""

    def __init__(self, prefix: str):
        super().__init__(daemon=True)
        self.prefix = prefix
        self.connected, self.stop = threading.Event(), threading.Event()
        self.silence, self.fault = threading.Event(), threading.Event()
        self.drop, self.garbage = threading.Event(), threading.Event()

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        nodes = {k: MqttNode(k, _registration(k), prefix=self.prefix) for k in NODES}
        try:
            for node in nodes.values():
                await node.connect()
            self.connected.set()
            await self._publish(nodes)
        finally:
            for node in nodes.values():
                await node.close()
            await clear_retained(list(NODES), prefix=self.prefix)  # leave nothing retained

    async def _publish(self, nodes: dict[str, MqttNode]) -> None:
        dropping: asyncio.Task[None] | None = None
        while not self.stop.is_set():
            now = time.time()
            for key, node in nodes.items():
                if node.connected and not (key == SILENT and self.silence.is_set()):
                    await node.detect({"t": now, "az": 45.0})
            if self.fault.is_set():
                self.fault.clear()
                await nodes[FAULTY].status("fault", detail="antenna cable cut")
            if self.garbage.is_set():
                self.garbage.clear()
                await nodes[KEEPS].publish(Channel.DETECTIONS, b'{"t": "then", "az": 1}')
            if self.drop.is_set() and dropping is None:  # the others go on meanwhile
                dropping = asyncio.create_task(nodes[DROPPED].drop())
            await asyncio.sleep(0.5)
        if dropping is not None:
            await dropping


def _registration(key: str) -> dict[str, object]:
    kind, lat, lon, name = NODES[key]
    return {"v": 1, "kind": kind, "lat": lat, "lon": lon, "alt": 20.0, "max_range": 3000,
            "sigma_az": 2.0, "nation": "DK", "name": name}  # fmt: skip


def _row(page: Page, key: str) -> dict[str, str | None]:
    loc = page.locator(f'#sensor-list [data-sensor-id$=":{key}"]')
    return {"state": loc.get_attribute("data-state"), "class": loc.get_attribute("class")}


def _wait_state(page: Page, key: str, state: str, timeout_ms: int = 30_000) -> None:
    page.wait_for_selector(
        f'#sensor-list [data-sensor-id$=":{key}"][data-state="{state}"]', timeout=timeout_ms
    )


def test_sensors_register_live_and_a_silent_one_turns_stale(
    browser: Browser, tmp_path: Path
) -> None:
    prefix = f"dwtest/web-{uuid.uuid4().hex[:8]}"
    url = f"mqtt://127.0.0.1:1883/{prefix}"
    store = SQLiteStore(tmp_path / "live.db")
    source = FeedSource([parse_feed_url(url)], ADAPTERS)
    # FeedSource(table=SensorTable(STALE_S)) would do, but an empty table is falsy (it has a
    # length), so FeedSource's `table or SensorTable()` replaces it: set the threshold instead.
    source.table.stale_after_s = STALE_S
    source.open()
    pipeline = Pipeline(source, protected_zones(load_world()), store,
                        PipelineSettings(speed=math.inf))  # fmt: skip
    app = create_app(ServerSettings(), store=store, feed=pipeline)
    nodes = Nodes(prefix)
    try:
        with serving(app) as server, map_page(browser, server.url) as page:
            # The page has read the sensors twice: none yet.
            page.wait_for_function(f"{D}.sensorPolls() >= 2", timeout=30_000)
            # A server without sign-in (create_app without auth): no form, the local user.
            assert page.is_hidden("[data-testid=login]")
            assert page.evaluate(f"{D}.user().name") == "local"
            assert page.is_hidden("[data-testid=sign-out]")  # no token to forget
            assert page.evaluate(f"{D}.sensors()") == []
            assert "No sensors have registered yet" in page.inner_text("#sensor-list")
            nodes.start()
            assert nodes.connected.wait(15)
            registered = time.monotonic()
            for key in NODES:
                _wait_state(page, key, "ok")
            appeared = time.monotonic() - registered
            on_map = page.evaluate(f"{D}.sensorsOnMap()")
            assert sorted(s["id"].split(":")[-1] for s in on_map) == sorted(NODES)
            assert all(s["state"] == "ok" for s in on_map)
            listed = page.evaluate(f"{D}.sensors()")
            assert {s["name"] for s in listed} == {n[3] for n in NODES.values()}
            assert all(s["nation"] == "DK" and s["maxRangeM"] == 3000 for s in listed)
            assert page.locator("#sensor-alarm").is_hidden()
            assert page.locator("#sensor-list .problem").count() == 0

            nodes.garbage.set()
            nodes.silence.set()
            silenced = time.monotonic()
            nodes.fault.set()
            nodes.drop.set()
            _wait_state(page, SILENT, "stale")
            went_stale = time.monotonic() - silenced
            _wait_state(page, FAULTY, "fault")
            _wait_state(page, DROPPED, "offline")
            # Problem sensors first (offline, stale, fault), highlighted; the good one last.
            order = page.eval_on_selector_all(
                "#sensor-list [data-sensor-id]", "rows => rows.map(r => r.dataset.sensorId)"
            )
            assert [o.split(":")[-1] for o in order] == [DROPPED, SILENT, FAULTY, KEEPS]
            for key in (DROPPED, SILENT, FAULTY):
                assert "problem" in (_row(page, key)["class"] or "")
            assert "problem" not in (_row(page, KEEPS)["class"] or "")
            assert page.locator("#sensor-alarm").is_visible()
            assert "3 sensors" in page.inner_text("#sensor-alarm")
            states = {s["id"].split(":")[-1]: s["state"] for s in page.evaluate(
                f"{D}.sensorsOnMap()")}  # fmt: skip
            assert states == {KEEPS: "ok", SILENT: "stale", FAULTY: "fault", DROPPED: "offline"}
            silent_text = page.inner_text(f'#sensor-list [data-sensor-id$=":{SILENT}"]')
            assert "last report" in silent_text and "Dragør west" in silent_text

            # The feed: connected, the malformed message counted by reason.
            feed = _get(server.url, "/api/feeds")[0]
            row = page.locator(f'[data-testid="feed-{feed["name"]}"]')
            assert row.count() == 1
            assert page.inner_text(f'[data-testid="feed-conn-{feed["name"]}"]').startswith(
                "connected"
            )
            page.wait_for_function(
                f"document.querySelector('[data-testid=\"feed-rejects-{feed['name']}\"]')"
                ".textContent.startsWith('1 rejected')",
                timeout=10_000,
            )
            assert "value: 1" in page.inner_text(f'[data-testid="feed-rejects-{feed["name"]}"]')

            # Clicking a sensor shows its details.
            page.locator(f'#sensor-list [data-sensor-id$=":{SILENT}"]').click()
            page.wait_for_selector("[data-testid=sensor-title]", timeout=10_000)
            assert page.inner_text("[data-testid=sensor-title]") == "Dragør west"
            detail = page.inner_text("[data-testid=sensor-detail]")
            assert "acoustic" in detail and "DK" in detail and "stale" in detail
            assert page.evaluate(f"{D}.selectedSensor()").endswith(f":{SILENT}")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "sensors.png"))
            _scrub_back_and_return(page)
            print(f"\nsensors shown {appeared:.1f} s after registering; stale shown "
                  f"{went_stale:.1f} s after going silent (threshold {STALE_S} s)")  # fmt: skip
    finally:
        nodes.stop.set()
        nodes.join(30)
        store.close()


def _get(base: str, path: str) -> list[dict[str, object]]:
    with urllib.request.urlopen(base + path, timeout=10) as r:
        data = json.loads(r.read())
    assert isinstance(data, list)
    return data


def _scrub_back_and_return(page: Page) -> None:
    """Moving the slider back on a live run says REPLAY, with the run and the moment, and the
    alert panel is that moment's; Live says LIVE again."""
    span = "(s => +s.max - +s.min)(document.getElementById('time-slider'))"
    page.wait_for_function(f"{span} >= 4", timeout=30_000)
    t = int(page.get_attribute("#time-slider", "min") or "0") + 2
    page.evaluate(
        "t => { const s = document.getElementById('time-slider'); s.value = String(t);"
        " s.dispatchEvent(new Event('input', {bubbles: true})); }",
        t,
    )
    page.wait_for_selector(f'#alert-list[data-t="{t}"]', state="attached", timeout=15_000)
    assert page.inner_text("#mode-badge") == "REPLAY"
    assert "run run-" in page.inner_text("#replay-info")
    assert "(replay)" in page.inner_text("#alert-when")
    assert "No active alerts at the moment shown" in page.inner_text("#alert-list")
    page.click("#live-button")
    page.wait_for_function(f"{D}.mode() === 'live' && !{D}.replay()", timeout=15_000)
    assert page.inner_text("#mode-badge") == "LIVE"
    assert page.locator("#replay-info").is_hidden()
    page.wait_for_selector("#alert-when", state="hidden", timeout=5_000)  # redrawn within 300 ms
    assert page.get_attribute("#alert-list", "data-t") == "live"
