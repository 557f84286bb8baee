"""Shared by the site-reporting-up tests: a parent SAPIENT fusion node on its own event loop
thread (stopped and started again on the same port), a drone flying at Warsaw Chopin Airport
(a protected site: an alert is raised on it), and an EO/IR node publishing position fixes of
it over the real Mosquitto broker at 127.0.0.1:1883."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from dronewall.core.types import ReportBatch
from dronewall.sensors.mqtt.node import MqttNode, clear_retained
from dronewall.sensors.sapient import (
    AlertEvent,
    FusionNode,
    FusionNodeConfig,
    ReportKeys,
    SensorEntry,
)
from tests.app.feeds_harness import Target

T = TypeVar("T")
CHOPIN = (52.1657, 20.9671)  # Warsaw Chopin Airport, a protected site of the world file
EOIR = (52.2100, 20.9700, 120.0)  # the EO/IR node, 5 km north of the airport
# A drone 5.5 km north of the airport flying south at it at 25 m/s, 150 m up.
TARGET = dict(lat0=52.215, lon0=20.9671, alt_m=150.0, course_deg=180.0, speed_mps=25.0)
# Only to turn a hang into a failure: never reached when the code works, whatever the load.
HANG_GUARD_S = 60.0


def drone(now: float) -> Target:
    return Target(t0=now, **TARGET)  # type: ignore[arg-type]


class ParentNode:
    """A parent fusion node (``FusionNode``) on a loop thread of its own, recording the
    ReportBatches and alerts its children send."""

    def __init__(self) -> None:
        self.batches: list[ReportBatch] = []
        self.alerts: list[AlertEvent] = []
        self.keys: list[ReportKeys] = []  # per row of the batches: sender and its object ids
        self.node: FusionNode | None = None
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def object_ids(self) -> set[str]:
        return {str(o) for k in list(self.keys) for o in k.object_id}

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(HANG_GUARD_S)

    def start(self) -> None:
        """Listen (again, on the same port once it has one)."""

        async def start() -> FusionNode:
            config = FusionNodeConfig(host="127.0.0.1", port=self.port)
            node = FusionNode(self.batches.append, config, on_alert=self.alerts.append,
                              on_keys=self.keys.append)  # fmt: skip
            await node.start()
            return node

        self.node = self.call(start())
        self.port = self.node.port

    def stop(self) -> None:
        if self.node is not None:
            self.call(self.node.close())
            self.node = None

    def entry(self, node_id: str) -> SensorEntry | None:
        """The registry entry of ``node_id`` (read on the parent's loop)."""

        async def get() -> SensorEntry | None:
            return self.node.registry.get(node_id) if self.node is not None else None

        return self.call(get())

    def close(self) -> None:
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(HANG_GUARD_S)
        self._loop.close()

    def rows(self) -> ReportBatch:
        return ReportBatch.concat([b for b in list(self.batches) if len(b)])


class EoirNode(threading.Thread):
    """An EO/IR node over MQTT: a position fix of the drone, declared a drone, twice a second."""

    def __init__(self, prefix: str, target: Target):
        super().__init__(daemon=True)
        self.prefix, self.target = prefix, target
        self.connected, self.stop = threading.Event(), threading.Event()

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        lat, lon, alt = EOIR
        registration = {"v": 1, "kind": "eoir", "lat": lat, "lon": lon, "alt": alt,
                        "max_range": 15000, "sigma_az": 0.5, "sigma_h": 20, "sigma_v": 20,
                        "nation": "PL"}  # fmt: skip
        node = MqttNode("pl-waw-eo-01", registration, prefix=self.prefix)
        await node.connect()
        self.connected.set()
        try:
            while not self.stop.is_set():
                now = time.time()
                tlat, tlon, talt = self.target.at(now)
                fix = {"lat": round(tlat, 7), "lon": round(tlon, 7), "alt": talt}
                await node.detect({"t": now, **fix, "class": "drone", "conf": 0.9, "id": 1})
                await asyncio.sleep(0.5)
        finally:
            await node.close()
            await clear_retained([node.node_id], prefix=self.prefix)  # leave nothing retained


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = HANG_GUARD_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s:g} s: {what}")
        time.sleep(0.1)
