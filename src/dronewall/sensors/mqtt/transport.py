"""The MQTT transport of the sensor-node feed (``docs/feeds-mqtt.md``, "Transport"): connect to
a broker (MQTT 3.1.1, or 5 with ``mqtt5=True``) with ``aiomqtt``, subscribe to
``<prefix>/+/register`` and ``<prefix>/+/status`` (QoS 1) and ``<prefix>/+/detections``
(QoS 0 by default), and hand every message to the adapter with the wall time it arrived.

Faults never end it: a connection refused, lost or cut is retried with a backoff (0.5 s
doubling to 10 s) until ``stop`` is set. An outage is logged once when it starts and once
when it ends, never per attempt; ``LinkStats`` counts connections and reconnections.
Registrations are subscribed first, so the broker's retained registrations arrive before
the first detection of a new connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiomqtt
import paho.mqtt.client as paho

from dronewall.sensors.mqtt.recording import MessageSink
from dronewall.sensors.mqtt.topics import subscriptions

LOG = logging.getLogger(__name__)
OnRaw = Callable[[str, bytes, float], None]  # topic, payload, wall time received
OnState = Callable[[str], None]  # "connected" or "disconnected: <why>", once per change
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 10.0  # a broker back after a restart is found within 10 s
KEEPALIVE_S = 10  # a dead connection is noticed within 1.5 × this (MQTT 3.1.1 §3.1.2.10)
CLOSE_TIMEOUT_S = 2.0  # waiting for the broker to take our DISCONNECT on stop


@dataclass(slots=True)
class LinkStats:
    """The link's counters, live while ``run_mqtt`` runs."""

    connects: int = 0  # successful connections (subscriptions made)
    reconnects: int = 0  # connections after the first
    failures: int = 0  # connection attempts refused or lost
    messages: int = 0  # messages handed to the adapter
    raw_errors: int = 0  # exceptions raised by ``on_raw`` (logged, then ignored)
    sink_errors: int = 0  # messages that could not be delivered (a bad topic, a sink bug)
    connected: bool = False
    last_error: str = ""


@dataclass(frozen=True, slots=True)
class _Link:
    """What one connection needs; the same for every reconnection."""

    sink: MessageSink
    prefix: str
    stop: asyncio.Event
    on_raw: OnRaw | None
    stats: LinkStats
    clock: Callable[[], float]
    detections_qos: int


async def run_mqtt(
    adapter: MessageSink,
    host: str,
    port: int,
    prefix: str,
    stop: asyncio.Event,
    *,
    client_id: str,
    username: str | None = None,
    password: str | None = None,
    tls: ssl.SSLContext | None = None,
    on_raw: OnRaw | None = None,
    on_state: OnState | None = None,
    stats: LinkStats | None = None,
    mqtt5: bool = False,
    detections_qos: int = 0,
    keepalive_s: int = KEEPALIVE_S,
    clock: Callable[[], float] = time.time,
) -> LinkStats:
    """Receive the sensor nodes' messages from ``host:port`` until ``stop`` is set; returns
    the counters (also live in ``stats`` when given). ``username``/``password`` log in;
    ``tls`` (``sensors/tls.client_context``) puts the connection in TLS. A broker that
    refuses the credentials is an outage like any other ("not authorised", retried with the
    backoff). Raises only ``ValueError`` for a bad ``prefix`` or QoS (configuration), never
    for the broker."""
    subscriptions(prefix, detections_qos)  # validates the prefix before any connection
    if detections_qos not in (0, 1, 2):
        raise ValueError(f"detections_qos must be 0, 1 or 2, not {detections_qos}")
    link = _Link(adapter, prefix, stop, on_raw, stats or LinkStats(), clock, detections_qos)
    outage = _Outage(f"{host}:{port}", on_state)
    backoff = BACKOFF_FIRST_S
    while not stop.is_set():
        client = aiomqtt.Client(
            host,
            port,
            identifier=client_id,
            username=username,
            password=password,
            protocol=aiomqtt.ProtocolVersion.V5 if mqtt5 else aiomqtt.ProtocolVersion.V311,
            clean_session=None if mqtt5 else True,
            keepalive=keepalive_s,
            tls_context=tls,
        )
        why = await _session(client, link, outage)
        if stop.is_set():
            break
        if why == "lost":
            backoff = BACKOFF_FIRST_S  # it was up: try again soon
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), backoff)
        backoff = min(BACKOFF_MAX_S, backoff * 2)
    link.stats.connected = False
    return link.stats


async def _session(client: aiomqtt.Client, link: _Link, outage: _Outage) -> str:
    """One connection, from connect to loss or stop: "stopped", "lost" or "refused"."""
    stats = link.stats
    # Set before subscribing, so the retained messages sent right after SUBACK go there too.
    client._client.on_message = _Deliver(link)
    try:
        await client.__aenter__()
    except aiomqtt.MqttError as exc:
        stats.failures += 1
        stats.last_error = f"cannot connect: {_why(exc)}"
        outage.down(stats.last_error)
        return "refused"
    try:
        for topic, qos in subscriptions(link.prefix, link.detections_qos):
            await client.subscribe(topic, qos)
        if stats.connects:
            stats.reconnects += 1
        stats.connects += 1
        stats.connected = True
        outage.up()
        why = await _pump(client, link)
    except aiomqtt.MqttError as exc:
        why = f"lost: {exc}"
    finally:
        stats.connected = False
        with contextlib.suppress(aiomqtt.MqttError, TimeoutError, OSError):
            await asyncio.wait_for(client.__aexit__(None, None, None), CLOSE_TIMEOUT_S)
    if why == "stopped":
        return why
    stats.failures += 1
    stats.last_error = why
    outage.down(why)
    return "lost"


def _why(exc: aiomqtt.MqttError) -> str:
    """A refused connection in a few words: "not authorised" for bad credentials (CONNACK 4/5,
    MQTT 3.1.1 §3.2.2.3; 0x86/0x87 in MQTT 5)."""
    rc = getattr(exc, "rc", None)
    code = getattr(rc, "value", rc)
    if code in (4, 5, 0x86, 0x87) or "not authori" in str(exc).lower():
        return f"not authorised (bad user name or password): {exc}"
    return str(exc)


async def _pump(client: aiomqtt.Client, link: _Link) -> str:
    """Until the connection ends ("lost: …") or ``stop`` ("stopped"). Messages reach the
    adapter through ``_Deliver`` meanwhile; aiomqtt's message iterator, left empty, only
    raises when the connection is lost."""
    watcher = asyncio.ensure_future(_until_lost(client))
    stopping = asyncio.ensure_future(link.stop.wait())
    try:
        done, _ = await asyncio.wait({watcher, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if watcher not in done:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
            await watcher
        return "stopped"
    exc = watcher.exception()
    if exc is None:
        return "lost: the message stream ended"
    cause = exc.__cause__ or exc  # aiomqtt's "Disconnected during message iteration" wraps why
    return f"lost: {type(cause).__name__}: {cause}"


async def _until_lost(client: aiomqtt.Client) -> None:
    async for _ in client.messages:  # nothing is queued: _Deliver takes every message
        pass


class _Deliver:
    """paho's ``on_message`` callback, run by aiomqtt's reader in the event loop: each message
    straight to ``on_raw`` and the adapter. Measured 4–5× the rate of aiomqtt's message
    iterator, which makes a task and an ``asyncio.wait`` per message (2k against 9k
    messages/s on this machine: the broker drops QoS 0 messages to a subscriber that slow)."""

    def __init__(self, link: _Link):
        self.link = link

    def __call__(self, _client: object, _userdata: object, message: paho.MQTTMessage) -> None:
        link, stats = self.link, self.link.stats
        t = link.clock()
        try:
            topic, payload = message.topic, bytes(message.payload)
            if link.on_raw is not None:
                self._record(topic, payload, t)
            stats.messages += 1
            link.sink.receive_message(topic, payload, t, bool(message.retain))
        except Exception:  # never into paho: it would drop the connection
            stats.sink_errors += 1
            if stats.sink_errors == 1:
                LOG.exception("MQTT message not delivered (logged once, counted after)")

    def _record(self, topic: str, payload: bytes, t: float) -> None:
        assert self.link.on_raw is not None
        try:
            self.link.on_raw(topic, payload, t)
        except Exception:
            self.link.stats.raw_errors += 1
            if self.link.stats.raw_errors == 1:
                LOG.exception("MQTT raw recorder failed (logged once, counted after)")


class _Outage:
    """Tells of the link's state once per change: an outage once, not once per attempt."""

    def __init__(self, peer: str, on_state: OnState | None):
        self.peer, self.on_state = peer, on_state
        self.state = ""
        self.since = 0.0

    def up(self) -> None:
        if self.state == "down":
            LOG.warning("MQTT broker %s back after %.1f s", self.peer, time.time() - self.since)
        else:
            LOG.info("MQTT broker %s connected", self.peer)
        self.state = "up"
        if self.on_state is not None:
            self.on_state("connected")

    def down(self, why: str) -> None:
        if self.state == "down":
            return
        self.state, self.since = "down", time.time()
        LOG.warning("MQTT broker %s: %s (retrying quietly)", self.peer, why)
        if self.on_state is not None:
            self.on_state(f"disconnected: {why}")
