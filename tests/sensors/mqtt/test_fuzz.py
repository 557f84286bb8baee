"""Fuzzing the MQTT adapter with 120,000 seeded messages: random bytes, byte mutations of valid
payloads (bit flips, cuts, extensions, NaN/Infinity splices), structured mutations (type swaps,
values out of range, members dropped) and valid payloads, on good and bad topics, registered
and unregistered nodes. Nothing raises, no ``internal`` reject (a bug caught by the adapter's
last guard), and every message ends counted once: accepted or rejected by reason. The same
stream through a raw recording replays to the same outcome."""

from __future__ import annotations

import math
import random
from collections import Counter

import orjson

from dronewall.sensors.mqtt import Channel, MqttAdapter, record_line, topic_for
from tests.sensors.mqtt import generate

FUZZ_MESSAGES = 120_000
T0 = generate.T0
BAD_TOPICS = [
    "dronewall/v1/n-0/detection",
    "dronewall/v1/n-0",
    "dronewall/v2/n-0/detections",
    "dronewall/v1/n 0/status",
    "dronewall/v1/n-0/register/x",
    "",
    "/",
    "dronewall/v1/ü/register",
]


def message(rng: random.Random) -> tuple[str, bytes, bool]:
    """A topic, a payload and the retained flag."""
    node = rng.choice([*generate.NODES, "stranger", "ghost"])
    channel = rng.choice(list(Channel))
    if node == "ghost" and channel is Channel.REGISTER:
        channel = Channel.STATUS  # a node that never registers
    topic = topic_for("dronewall/v1", node, channel)
    if rng.random() < 0.03:
        topic = rng.choice(BAD_TOPICS)
    roll = rng.random()
    if roll < 0.2:
        payload = rng.randbytes(rng.randint(0, 300))
    else:
        obj = generate.valid_payload(rng, channel, node)
        if roll < 0.7:
            for _ in range(rng.randint(1, 3)):
                obj = generate.mutate(rng, obj)
        payload = generate.encode(rng, obj)
        if roll < 0.45:
            payload = generate.mutate_bytes(rng, payload)
    return topic, payload, rng.random() < 0.02


def stream(seed: int, n: int) -> list[tuple[str, bytes, float, bool]]:
    rng = random.Random(seed)
    out = [
        (
            topic_for("dronewall/v1", node, Channel.REGISTER),
            orjson.dumps(generate.ALL_SIGMAS),
            T0,
            True,
        )
        for node in generate.NODES
    ]
    for i in range(n - len(out)):
        topic, payload, retained = message(rng)
        out.append((topic, payload, T0 + i * 1e-4, retained))
    return out


def test_fuzz_120_000_messages() -> None:
    messages = stream(7, FUZZ_MESSAGES)
    adapter = MqttAdapter()
    for topic, payload, t, retained in messages:
        adapter.receive_message(topic, payload, t, retained)
    adapter.expire(math.inf)
    out = adapter.output
    assert out.rejects["internal"] == 0, out.last_reject
    assert out.messages + sum(out.rejects.values()) == len(messages)
    assert adapter.pending == 0
    # Every path is reached: good data still gets through the noise.
    assert out.messages > 20_000 and len(out.reports) > 5_000
    expected = {"json", "type", "range", "value", "missing", "geometry", "topic", "node_id"}
    expected |= {"unregistered", "retained", "time_past", "time_future", "batch", "version"}
    assert expected <= set(out.rejects), Counter(out.rejects)


def test_fuzzed_recording_replays_the_same() -> None:
    messages = stream(11, 20_000)
    live, replay = MqttAdapter(), MqttAdapter()
    recording = bytearray()
    for topic, payload, t, retained in messages:
        live.receive_message(topic, payload, t, retained)
        recording += record_line(topic, payload, t, retained)
    rng = random.Random(3)
    start = 0
    while start < len(recording):
        size = rng.randint(1, 5000)
        replay.receive(bytes(recording[start : start + size]), 0.0)
        start += size
    for adapter in (live, replay):
        adapter.expire(math.inf)
    assert replay.output.rejects == live.output.rejects
    assert replay.output.messages == live.output.messages
    assert replay.output.reports == live.output.reports
    assert replay.output.statuses == live.output.statuses


def test_random_bytes_on_every_topic_never_raise() -> None:
    rng = random.Random(5)
    adapter = MqttAdapter()
    topics = [topic_for("dronewall/v1", "n-0", c) for c in Channel] + BAD_TOPICS
    for _ in range(5_000):
        adapter.receive_message(rng.choice(topics), rng.randbytes(rng.randint(0, 64)), T0)
        adapter.receive(rng.randbytes(rng.randint(0, 64)), T0)
    assert adapter.output.rejects["internal"] == 0
