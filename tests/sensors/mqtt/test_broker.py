"""Against the real Mosquitto broker at 127.0.0.1:1883 (``.ci/run`` starts it): nodes publish
with ``MqttNode``, dronewall subscribes with ``run_mqtt``. Each test has its own topic prefix
and client ids and clears the retained messages it made, so tests never see each other's.
A local TCP proxy (``proxy.py``) cuts dronewall's connection; the shared broker is never
stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from dronewall.sensors.mqtt import Channel, MqttAdapter, MqttSettings
from dronewall.sensors.mqtt.node import MqttNode, clear_retained
from dronewall.sensors.mqtt.recording import RecordingSink
from dronewall.sensors.mqtt.transport import LinkStats, run_mqtt
from tests.sensors.mqtt.helpers import BROKER_HOST, BROKER_PORT, wait_for
from tests.sensors.mqtt.proxy import Proxy

REG: dict[str, Any] = {
    "v": 1,
    "kind": "acoustic",
    "lat": 50.4162,
    "lon": 30.6125,
    "alt": 152.0,
    "sigma_az": 7.5,
    "nation": "UA",
}


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


class Subscriber:
    """dronewall's end: ``run_mqtt`` feeding an adapter, in a task."""

    def __init__(self, prefix: str, port: int = BROKER_PORT, **options: Any):
        self.adapter = MqttAdapter(MqttSettings(prefix=prefix))
        self.stats = LinkStats()
        self.states: list[str] = []
        self.raw: list[tuple[str, bytes, float]] = []
        self.stop = asyncio.Event()
        self.prefix, self.port, self.options = prefix, port, options
        self.task: asyncio.Task[LinkStats] | None = None

    @property
    def out(self) -> Any:
        return self.adapter.output

    async def __aenter__(self) -> Subscriber:
        options = {"sink": self.adapter, **self.options}
        self.task = asyncio.ensure_future(
            run_mqtt(
                options.pop("sink"),
                BROKER_HOST,
                self.port,
                self.prefix,
                self.stop,
                client_id=unique("dronewall"),
                on_raw=lambda *raw: self.raw.append(raw),
                on_state=self.states.append,
                stats=self.stats,
                **options,
            )
        )
        await wait_for(lambda: self.stats.connects > 0 or self.stats.failures > 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, 10.0)


@contextlib.asynccontextmanager
async def cleanup(prefix: str, nodes: list[str]) -> AsyncIterator[None]:
    try:
        yield
    finally:
        await clear_retained(nodes, prefix=prefix, client_id=unique("janitor"))


def node(node_id: str, prefix: str, **options: Any) -> MqttNode:
    return MqttNode(node_id, REG, prefix=prefix, client_id=unique(node_id), **options)


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), 60.0))


def test_a_registration_made_before_dronewall_subscribed_is_seen(prefix: str) -> None:
    async def scenario() -> None:
        async with cleanup(prefix, ["ac-1"]), node("ac-1", prefix), Subscriber(prefix) as sub:
            await wait_for(lambda: bool(sub.out.sensors and sub.out.statuses))
            (info,) = sub.out.sensors
            assert (info.key, info.lat_deg, info.nation) == ("ac-1", 50.4162, "UA")
            (status,) = sub.out.statuses
            assert (status.ok, status.detail) == (True, "online")
            assert sub.adapter.registrations["ac-1"].sigma_az_deg == 7.5

    run(scenario)


def test_last_will_says_offline_when_a_node_drops(prefix: str) -> None:
    async def scenario() -> None:
        async with cleanup(prefix, ["ac-2"]), Subscriber(prefix) as sub:
            n = node("ac-2", prefix)
            await n.connect()
            await wait_for(lambda: len(sub.out.statuses) == 1)
            await n.drop()  # socket shut, no DISCONNECT: the broker publishes the will
            await wait_for(lambda: len(sub.out.statuses) == 2)
            online, offline = sub.out.statuses
            assert online.ok and (offline.ok, offline.detail) == (False, "offline")
            async with Subscriber(prefix) as late:  # the will is retained
                await wait_for(lambda: len(late.out.statuses) == 1)
                assert late.out.statuses[0].ok is False

    run(scenario)


def test_a_clean_close_says_offline_itself(prefix: str) -> None:
    async def scenario() -> None:
        async with cleanup(prefix, ["ac-3"]), Subscriber(prefix) as sub:
            async with node("ac-3", prefix):
                await wait_for(lambda: len(sub.out.statuses) == 1)
            await wait_for(lambda: len(sub.out.statuses) == 2)
            assert [s.ok for s in sub.out.statuses] == [True, False]

    run(scenario)


def test_detections_are_decoded(prefix: str) -> None:
    async def scenario() -> None:
        async with cleanup(prefix, ["ac-4"]), Subscriber(prefix, detections_qos=1) as sub:
            async with node("ac-4", prefix) as n:
                await wait_for(lambda: bool(sub.out.sensors))
                t = time.time()
                for i in range(50):
                    await n.detect({"t": t, "az": float(i), "class": "drone", "conf": 0.5}, 1)
                await n.detect([{"t": t, "az": 100.0 + i, "el": 5.0} for i in range(10)], 1)
                await wait_for(lambda: len(sub.out.reports) == 60)
            azimuths = [r.azimuth_deg for r in sub.out.reports]
            assert azimuths == [float(i) for i in range(50)] + [100.0 + i for i in range(10)]
            assert all(r.sensor == "ac-4" and r.t_measured == t for r in sub.out.reports)
            assert all(r.sigma_azimuth_deg == 7.5 for r in sub.out.reports)
            assert sub.out.rejects == {}

    run(scenario)


def test_malformed_payloads_are_counted_while_good_ones_pass(prefix: str) -> None:
    bad = [
        (b'{"az": NaN}', "json"),
        (b'{"az": "north"}', "type"),
        (b'{"az": 361}', "range"),
        (b'{"az": 1, "node": "someone-else"}', "node_mismatch"),
        (b"", "empty"),
        (b"\xff\xfe", "json"),
        (b'{"az": 1, "t": 1000}', "time_past"),
    ]

    async def scenario() -> None:
        async with cleanup(prefix, ["ac-5"]), Subscriber(prefix, detections_qos=1) as sub:
            async with node("ac-5", prefix) as n:
                await wait_for(lambda: bool(sub.out.sensors))
                for i in range(3):
                    for payload, _ in bad:
                        await n.publish(Channel.DETECTIONS, payload, 1)
                        await n.detect({"az": float(i)}, 1)
                await n.publish(Channel.REGISTER, b'{"kind": "sonar"}', 1)
                await wait_for(lambda: len(sub.out.reports) == 3 * len(bad))
                await wait_for(lambda: sub.out.rejects["value"] == 1)
            expected = Counter(reason for _, reason in bad * 3) + Counter(value=1)
            assert sub.out.rejects == expected
            assert sub.adapter.registrations["ac-5"].kind.name == "ACOUSTIC"  # kept

    run(scenario)


def test_reconnects_after_the_connection_is_cut(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="dronewall.sensors.mqtt.transport")

    async def scenario() -> None:
        proxy = await Proxy(BROKER_HOST, BROKER_PORT).start()
        try:
            async with (
                cleanup(prefix, ["ac-6"]),
                node("ac-6", prefix) as n,
                Subscriber(prefix, port=proxy.port, detections_qos=1) as sub,
            ):
                await wait_for(lambda: bool(sub.out.sensors))
                await n.detect({"az": 1.0}, 1)
                await wait_for(lambda: len(sub.out.reports) == 1)
                await proxy.refuse()
                proxy.cut()
                await wait_for(lambda: sub.stats.failures >= 3)  # several attempts refused
                await n.detect({"az": 2.0}, 1)  # lost: nobody subscribed (QoS 0 session)
                await proxy.start()
                await wait_for(lambda: sub.stats.connects == 2)
                await wait_for(lambda: len(sub.out.sensors) == 2)  # retained, again
                await n.detect({"az": 3.0}, 1)
                await wait_for(lambda: len(sub.out.reports) == 2)
                assert [r.azimuth_deg for r in sub.out.reports] == [1.0, 3.0]
                assert sub.stats.reconnects == 1
                assert [s.split(":")[0] for s in sub.states] == [
                    "connected",
                    "disconnected",
                    "connected",
                ]
        finally:
            await proxy.close()
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 2, warnings  # the outage, then its end: not per attempt
        assert "back after" in warnings[1]

    run(scenario)


def test_stop_while_the_broker_is_unreachable(prefix: str) -> None:
    async def scenario() -> None:
        proxy = await Proxy(BROKER_HOST, BROKER_PORT).start()
        await proxy.refuse()
        try:
            async with Subscriber(prefix, port=proxy.port) as sub:
                await wait_for(lambda: sub.stats.failures >= 2)
            assert sub.task is not None and sub.task.result() is sub.stats
            assert sub.stats.connects == 0 and sub.states[0].startswith("disconnected")
            assert len(sub.states) == 1
        finally:
            await proxy.close()

    run(scenario)


def test_mqtt_5(prefix: str) -> None:
    async def scenario() -> None:
        async with cleanup(prefix, ["rf-7"]), Subscriber(prefix, mqtt5=True) as sub:
            n = node("rf-7", prefix, mqtt5=True)
            await n.connect()
            await wait_for(lambda: len(sub.out.statuses) == 1)
            await n.detect({"az": 45.0, "uid": "1581F5FHD23B0042"}, 1)
            await wait_for(lambda: len(sub.out.reports) == 1)
            assert sub.out.reports[0].identity == "1581F5FHD23B0042"
            await n.drop()
            await wait_for(lambda: len(sub.out.statuses) == 2)
            assert sub.out.statuses[1].ok is False

    run(scenario)


def test_a_live_recording_replays_to_the_same_outcome(prefix: str) -> None:
    async def scenario() -> None:
        lines: list[bytes] = []
        live = MqttAdapter(MqttSettings(prefix=prefix))
        sink = RecordingSink(live, lines.append)
        async with cleanup(prefix, ["ac-8"]), node("ac-8", prefix) as n:
            async with Subscriber(prefix, sink=sink, detections_qos=1) as sub:
                await wait_for(lambda: bool(live.output.sensors))
                for i in range(20):
                    await n.detect({"az": float(i)}, 1)
                await n.publish(Channel.DETECTIONS, b'{"az": 1}', 1, retain=True)
                await wait_for(lambda: len(live.output.reports) == 21)  # live: not retained
                async with Subscriber(prefix) as late:  # from the store: stale
                    await wait_for(lambda: late.out.rejects["retained"] == 1)
                await n.publish(Channel.DETECTIONS, b"", 1, retain=True)  # clear it
                await wait_for(lambda: live.output.rejects["empty"] == 1)
                assert len(sub.raw) == len(lines)
            replay = MqttAdapter(MqttSettings(prefix=prefix))
            replay.receive(b"".join(lines), 0.0)
            assert replay.output.reports == live.output.reports
            assert replay.output.sensors == live.output.sensors
            assert replay.output.rejects == live.output.rejects
            async with Subscriber(prefix) as late:  # nothing retained on detections now
                await wait_for(lambda: bool(late.out.sensors))
                assert late.out.rejects == {}

    run(scenario)
