"""End to end over the real Mosquitto broker: three acoustic nodes register by retained
message and publish bearings of a drone; ``serve`` triangulates it into a track seen in
``/api/tracks``, lists the nodes in ``/api/sensors``, counts a malformed message by reason
in ``/metrics``, and shows a node whose connection drops as offline (its last will)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from pathlib import Path

import aiomqtt

from dronewall.sensors.mqtt import Channel
from dronewall.sensors.mqtt.node import MqttNode
from tests.app.feeds_harness import Target, serving, track_near, wait_for

NODES = {  # three nodes about 2 km around the drone's path, east of Kyiv
    "kv-ac-1": (50.430, 30.600),
    "kv-ac-2": (50.460, 30.640),
    "kv-ac-3": (50.425, 30.660),
}
DROPPED = "kv-ac-2"


class Nodes(threading.Thread):
    """The three nodes on their own event loop: bearings twice a second until stopped; on
    ``drop`` one node's socket dies without DISCONNECT; ``garbage`` sends one bad message."""

    def __init__(self, prefix: str, target: Target):
        super().__init__(daemon=True)
        self.prefix, self.target = prefix, target
        self.connected, self.stop = threading.Event(), threading.Event()
        self.drop, self.garbage = threading.Event(), threading.Event()

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        nodes = {k: MqttNode(k, _registration(*ll), prefix=self.prefix) for k, ll in NODES.items()}
        for node in nodes.values():
            await node.connect()
        self.connected.set()
        while not self.stop.is_set():
            now = time.time()
            for key, node in nodes.items():
                if node.connected:
                    az = self.target.bearing_from(*NODES[key], now)
                    await node.detect({"t": now, "az": round(az, 3)})
            if self.garbage.is_set():
                self.garbage.clear()
                await nodes["kv-ac-3"].publish(Channel.DETECTIONS, b'{"t": "then", "az": 1}')
            if self.drop.is_set() and nodes[DROPPED].connected:
                nodes[DROPPED].connected = False
                nodes[DROPPED]._client._client.socket().close()
            await asyncio.sleep(0.5)
        for key, node in nodes.items():
            if key != DROPPED:
                await node.close()
        async with aiomqtt.Client("127.0.0.1", 1883) as client:  # leave no retained messages
            for key in NODES:
                for channel in ("register", "status"):
                    await client.publish(f"{self.prefix}/{key}/{channel}", b"", 1, retain=True)


def _registration(lat: float, lon: float) -> dict[str, object]:
    return {"v": 1, "kind": "acoustic", "lat": lat, "lon": lon, "alt": 150.0,
            "max_range": 6000, "sigma_az": 1.0, "nation": "UA"}  # fmt: skip


def _states(client: object) -> dict[str, str]:
    rows = client.get("/api/sensors").json()["features"]  # type: ignore[attr-defined]
    return {f["properties"]["key"]: f["properties"]["state"] for f in rows}


def test_acoustic_nodes_over_mqtt_become_a_track(tmp_path: Path) -> None:
    prefix = f"dwtest/{uuid.uuid4().hex[:8]}"
    target = Target(50.445, 30.610, 300.0, 90.0, 25.0, time.time())
    nodes = Nodes(prefix, target)
    nodes.start()
    assert nodes.connected.wait(10)  # registered before dronewall subscribes
    try:
        with serving([f"mqtt://127.0.0.1:1883/{prefix}"], tmp_path) as (client, _):
            here = lambda p: track_near(p, *target.at(time.time())[:2], 1000.0) is not None  # noqa: E731
            picture = wait_for(client, lambda: None, here)
            assert picture["n"] >= 1
            sensors = client.get("/api/sensors").json()["features"]
            by_key = {f["properties"]["key"]: f["properties"] for f in sensors}
            assert set(by_key) == set(NODES)
            assert all(p["state"] == "ok" and p["nation"] == "UA" for p in by_key.values())
            assert by_key["kv-ac-1"]["lat_deg"] == NODES["kv-ac-1"][0]
            nodes.garbage.set()
            nodes.drop.set()  # the broker publishes its will: offline
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and _states(client)[DROPPED] != "offline":
                time.sleep(0.3)
            assert _states(client)[DROPPED] == "offline"
            assert _states(client)["kv-ac-1"] == "ok"
            feed = client.get("/api/feeds").json()[0]
            assert feed["messages"] > 0 and feed["rejects"] == {"value": 1}, feed
            assert feed["url"] == f"mqtt://127.0.0.1:1883/{prefix}"
            assert feed["state"] == "ok" and feed["bytes"] > 0
            assert 'dronewall_feed_rejects_total{feed="mqtt-1883"' in client.get("/metrics").text
    finally:
        nodes.stop.set()
        nodes.join(30)
