"""Helpers for the MQTT feed tests: feeding one message and seeing what it gave, the real
broker's address, and polling for an asynchronous outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from dronewall.sensors.feed import Report, SensorInfo, SensorStatus
from dronewall.sensors.mqtt import MqttAdapter

BROKER_HOST = "127.0.0.1"
BROKER_PORT = 1883  # the machine's Mosquitto (.ci/run starts it)


@dataclass(slots=True)
class Outcome:
    """What one message did to an adapter's output."""

    accepted: int = 0
    rejects: dict[str, int] = field(default_factory=dict)
    reports: list[Report] = field(default_factory=list)
    sensors: list[SensorInfo] = field(default_factory=list)
    statuses: list[SensorStatus] = field(default_factory=list)

    @property
    def reason(self) -> str | None:
        return next(iter(self.rejects)) if self.rejects else None


def feed(
    adapter: MqttAdapter, topic: str, payload: bytes, t: float, retained: bool = False
) -> Outcome:
    out = adapter.output
    before = (out.messages, dict(out.rejects), len(out.reports), len(out.sensors))
    n_status = len(out.statuses)
    adapter.receive_message(topic, payload, t, retained)
    rejects = {k: n - before[1].get(k, 0) for k, n in out.rejects.items()}
    return Outcome(
        out.messages - before[0],
        {k: n for k, n in rejects.items() if n},
        out.reports[before[2] :],
        out.sensors[before[3] :],
        out.statuses[n_status:],
    )


async def wait_for(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    """Poll until ``condition()`` holds; fails the test after ``timeout_s`` (a hang guard,
    not a performance limit)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
