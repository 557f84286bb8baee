"""Topic names of dronewall's MQTT sensor-node schema (``docs/feeds-mqtt.md``, "Topics"):
``<prefix>/<node_id>/register``, ``…/status`` and ``…/detections``, within the rules for topic
names and filters of MQTT 3.1.1 §4.7 and MQTT 5.0 §4.7 (levels split by ``/``, wildcards
``+`` and ``#`` only in filters, ``$`` topics reserved to the broker).

The node id is one topic level with a restricted charset, so it can never hold a wildcard, a
level separator or a ``:`` (the sensor table names sensors ``feed:key``). The node id in the
topic is authoritative: brokers can restrict by ACL which topics a client may publish to, and
a payload cannot claim another node's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dronewall.sensors.mqtt.values import NODE_ID, Invalid

DEFAULT_PREFIX = "dronewall/v1"


class Channel(StrEnum):
    """The last topic level: what the payload is."""

    REGISTER = "register"
    STATUS = "status"
    DETECTIONS = "detections"


# QoS of dronewall's subscriptions: registrations and status must not be lost (retained, rare);
# detections come often and are soon stale, so they default to "at most once".
SUBSCRIBE_QOS = {Channel.REGISTER: 1, Channel.STATUS: 1, Channel.DETECTIONS: 0}


@dataclass(frozen=True, slots=True)
class Topic:
    node_id: str
    channel: Channel


def check_prefix(prefix: str) -> str:
    """``prefix`` if it is a usable topic prefix (levels, no wildcard, no ``$`` start);
    raises ValueError otherwise (a configuration error, not a payload reject)."""
    levels = prefix.split("/")
    if (
        not prefix
        or prefix.startswith("$")
        or any(not level or "+" in level or "#" in level for level in levels)
        or "\x00" in prefix
    ):
        raise ValueError(f"not a usable MQTT topic prefix: {prefix!r}")
    return prefix


def parse_topic(topic: str, prefix: str) -> Topic:
    """The node id and channel of ``topic``; raises ``Invalid`` ("topic" or "node_id")."""
    head = prefix + "/"
    if not topic.startswith(head):
        raise Invalid("topic", f"{topic[:80]!r} is not under {prefix!r}")
    node_id, slash, channel = topic[len(head) :].partition("/")
    if not slash or channel not in _CHANNELS:
        raise Invalid("topic", f"{topic[:80]!r} is not <prefix>/<node_id>/<channel>")
    if NODE_ID.fullmatch(node_id) is None:
        raise Invalid("node_id", f"{node_id[:80]!r} is not a valid node id")
    return Topic(node_id, _CHANNELS[channel])


def topic_for(prefix: str, node_id: str, channel: Channel) -> str:
    return f"{prefix}/{node_id}/{channel.value}"


def subscriptions(prefix: str, detections_qos: int | None = None) -> list[tuple[str, int]]:
    """The topic filters (and QoS) a dronewall subscriber uses, registrations first so that
    retained registrations arrive before the first detection."""
    qos = dict(SUBSCRIBE_QOS)
    if detections_qos is not None:
        qos[Channel.DETECTIONS] = detections_qos
    return [(f"{check_prefix(prefix)}/+/{channel.value}", qos[channel]) for channel in Channel]


_CHANNELS = {channel.value: channel for channel in Channel}
