"""A sensor node's end of dronewall's MQTT schema (``docs/feeds-mqtt.md``, "A node's duties"),
for tests, benchmarks and simulated nodes: connect with the last will set to a retained
``{"v": 1, "state": "offline"}`` on ``<prefix>/<node_id>/status`` (MQTT 3.1.1 §3.1.2.5,
5.0 §3.1.2.5), publish the retained registration and a retained ``online`` status, then
detections.

``close`` is a clean goodbye (a retained ``offline`` first: a clean DISCONNECT suppresses the
will); ``drop`` ends the TCP connection without DISCONNECT, as a node losing power or radio
would, so the broker publishes the will; ``withdraw`` clears the node's retained messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

import aiomqtt
import orjson

from dronewall.sensors.mqtt.topics import DEFAULT_PREFIX, Channel, topic_for
from dronewall.sensors.mqtt.values import NODE_ID

OFFLINE = orjson.dumps({"v": 1, "state": "offline"})
DROP_WAIT_S = 5.0  # the broker answers a dropped socket at once; bound the wait anyway
Payload = Mapping[str, Any] | Sequence[Mapping[str, Any]]


class MqttNode:
    """One node on a broker; an async context manager (connect … close)."""

    def __init__(
        self,
        node_id: str,
        registration: Mapping[str, Any],
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        prefix: str = DEFAULT_PREFIX,
        client_id: str | None = None,
        username: str | None = None,
        password: str | None = None,
        mqtt5: bool = False,
        keepalive_s: int = 10,
        tls: ssl.SSLContext | None = None,
    ):
        if NODE_ID.fullmatch(node_id) is None:
            raise ValueError(f"not a valid node id: {node_id!r}")
        self.node_id, self.prefix = node_id, prefix
        self.registration = dict(registration)
        status = topic_for(prefix, node_id, Channel.STATUS)
        self._client = aiomqtt.Client(
            host,
            port,
            identifier=client_id or f"node-{node_id}",
            username=username,
            password=password,
            protocol=aiomqtt.ProtocolVersion.V5 if mqtt5 else aiomqtt.ProtocolVersion.V311,
            clean_session=None if mqtt5 else True,
            keepalive=keepalive_s,
            will=aiomqtt.Will(status, OFFLINE, qos=1, retain=True),
            tls_context=tls,
        )
        self.connected = False

    def topic(self, channel: Channel) -> str:
        return topic_for(self.prefix, self.node_id, channel)

    async def __aenter__(self) -> MqttNode:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def connect(self) -> None:
        """Connect (will set), publish the retained registration and ``online`` status."""
        await self._client.__aenter__()
        self.connected = True
        await self.publish(Channel.REGISTER, orjson.dumps(self.registration), 1, retain=True)
        await self.status("online")

    async def status(self, state: str, **extra: Any) -> None:
        body = {"v": 1, "state": state, "t": time.time(), **extra}
        await self.publish(Channel.STATUS, orjson.dumps(body), 1, retain=True)

    async def detect(self, detections: Payload, qos: int = 0) -> None:
        """Publish one detection (a mapping) or a batch (a sequence of mappings)."""
        await self.publish(Channel.DETECTIONS, orjson.dumps(detections), qos)

    async def publish(
        self, channel: Channel, payload: bytes, qos: int = 0, *, retain: bool = False
    ) -> None:
        """Any payload on one of the node's topics (tests send malformed ones too)."""
        await self._client.publish(self.topic(channel), payload, qos, retain)

    async def close(self) -> None:
        """A clean goodbye: retained ``offline``, then DISCONNECT (no will)."""
        if not self.connected:
            return
        self.connected = False
        with contextlib.suppress(aiomqtt.MqttError):
            await self.publish(Channel.STATUS, OFFLINE, 1, retain=True)
        with contextlib.suppress(aiomqtt.MqttError):
            await self._client.__aexit__(None, None, None)

    async def drop(self) -> None:
        """End the connection without DISCONNECT: the broker publishes the will."""
        if not self.connected:
            return
        self.connected = False
        sock = self._client._client.socket()
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        messages = self._client.messages  # raises once the loss is seen: that retrieves it
        with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
            await asyncio.wait_for(anext(messages), DROP_WAIT_S)
        with contextlib.suppress(aiomqtt.MqttError):
            await self._client.__aexit__(None, None, None)

    async def withdraw(self) -> None:
        """Clear the node's retained registration and status (empty retained payloads)."""
        for channel in (Channel.REGISTER, Channel.STATUS):
            await self.publish(channel, b"", 1, retain=True)


async def clear_retained(
    node_ids: Sequence[str],
    *,
    host: str = "127.0.0.1",
    port: int = 1883,
    prefix: str = DEFAULT_PREFIX,
    client_id: str | None = None,
) -> None:
    """Clear the retained registration and status of ``node_ids`` (a node that is gone for
    good, or the end of a test)."""
    async with aiomqtt.Client(host, port, identifier=client_id) as client:
        for node_id in node_ids:
            for channel in (Channel.REGISTER, Channel.STATUS):
                await client.publish(topic_for(prefix, node_id, channel), b"", 1, True)
