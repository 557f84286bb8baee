"""Benchmark: MQTT sensor-node messages per second through dronewall's MQTT feed.

Usage: python bench/bench_feed_mqtt.py [--messages 200000] [--nodes 10000]
           [--broker-messages 100000] [--qos 0] [--rate 0] [--no-broker]

1. Decoder: ``MqttAdapter.receive_message`` on one core (this process pinned to CPU 0) over a
   prepared stream from ``--nodes`` registered nodes: 90 % single acoustic/RF bearings
   (RFC 3339 or POSIX times, class, confidence), 5 % batches of 10, 5 % status messages.
   Prints messages/s and reports/s, and the same for single detections alone.
2. End to end through the real Mosquitto broker at 127.0.0.1:1883: a publisher process
   (pinned to CPU 1 when there is one) sends ``--broker-messages`` single detections at QoS
   ``--qos``, ``--rate`` a second (0: as fast as paho takes them); ``run_mqtt`` here
   subscribes and decodes. Prints the rate received from the first message to the last and
   how many arrived (Mosquitto drops messages to a subscriber that falls behind, beyond its
   1,000 queued: "Outgoing messages are being dropped").

Rates are given per CPU second of this process (``time.process_time``) — the sustained rate
of one core — and per wall second, which on a shared, loaded machine is lower.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import platform
import random
import sys
import time
import uuid
from datetime import UTC, datetime

import orjson

from dronewall.sensors.mqtt import Channel, MqttAdapter, MqttSettings, topic_for
from dronewall.sensors.mqtt.transport import LinkStats, run_mqtt

PREFIX = "dronewall/v1"
T0 = 1_757_823_152.0


def pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {cpu})


def registration(rng: random.Random) -> bytes:
    return orjson.dumps(
        {
            "v": 1,
            "kind": rng.choice(["acoustic", "rf"]),
            "lat": rng.uniform(44, 52),
            "lon": rng.uniform(22, 40),
            "alt": rng.uniform(0, 400),
            "max_range": 3000,
            "sigma_az": 7.5,
            "nation": "UA",
            "vendor": "Example",
            "model": "AN-500",
        }
    )


def detection(rng: random.Random, t: float) -> dict[str, object]:
    stamp: object = t
    if rng.random() < 0.5:
        stamp = datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"
    return {
        "v": 1,
        "t": stamp,
        "az": round(rng.uniform(0, 360), 2),
        "el": round(rng.uniform(0, 30), 1),
        "class": "drone",
        "conf": round(rng.random(), 2),
        "id": rng.randrange(1000),
    }


def decoder_stream(n: int, nodes: list[str], rng: random.Random) -> list[tuple[str, bytes]]:
    out = []
    for _ in range(n):
        node = rng.choice(nodes)
        roll = rng.random()
        if roll < 0.90:
            topic, body = Channel.DETECTIONS, orjson.dumps(detection(rng, T0 - rng.random()))
        elif roll < 0.95:
            batch = [detection(rng, T0 - rng.random()) for _ in range(10)]
            topic, body = Channel.DETECTIONS, orjson.dumps(batch)
        else:
            topic, body = Channel.STATUS, b'{"v":1,"state":"online","battery":0.8}'
        out.append((topic_for(PREFIX, node, topic), body))
    return out


def _single(message: tuple[str, bytes]) -> bool:
    return message[0].endswith("/detections") and message[1][:1] == b"{"


def registered_adapter(nodes: list[str], rng: random.Random, prefix: str = PREFIX) -> MqttAdapter:
    adapter = MqttAdapter(MqttSettings(prefix=prefix))
    for node in nodes:
        adapter.receive_message(topic_for(prefix, node, Channel.REGISTER), registration(rng), T0)
    adapter.output.take()
    return adapter


def bench_decoder(n: int, n_nodes: int) -> None:
    rng = random.Random(1)
    nodes = [f"ua-ac-{i:05d}" for i in range(n_nodes)]
    for label, stream in (
        ("mixed", decoder_stream(n, nodes, rng)),
        ("single bearings", [m for m in decoder_stream(n, nodes, rng) if _single(m)]),
    ):
        adapter = registered_adapter(nodes, rng)
        receive = adapter.receive_message
        start, cpu_start = time.perf_counter(), time.process_time()
        for topic, payload in stream:
            receive(topic, payload, T0)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        out = adapter.output
        assert sum(out.rejects.values()) == 0, out.rejects
        print(
            f"decoder, {label}: {len(stream):,} messages ({len(out.reports):,} reports) in "
            f"{cpu:.2f} s of CPU = {len(stream) / cpu:,.0f} messages/s, "
            f"{len(out.reports) / cpu:,.0f} reports/s per core "
            f"(wall {elapsed:.2f} s: {len(stream) / elapsed:,.0f} messages/s)"
        )


def publisher(
    prefix: str, nodes: list[str], n: int, qos: int, rate: float, ready: mp.Event
) -> None:
    import paho.mqtt.client as paho

    pin(1)
    rng = random.Random(2)
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4()}")
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    ready.wait()
    infos = []
    start = time.monotonic()
    for i in range(n):
        if rate and i % 50 == 0 and (ahead := start + i / rate - time.monotonic()) > 0:
            time.sleep(ahead)  # paced in bursts of 50
        body = orjson.dumps(detection(rng, time.time()))
        infos.append(
            client.publish(topic_for(prefix, nodes[i % len(nodes)], Channel.DETECTIONS), body, qos)
        )
    for info in infos[-100:]:
        info.wait_for_publish(30)
    time.sleep(0.5)
    client.loop_stop()
    client.disconnect()


async def bench_broker(n: int, n_nodes: int, qos: int, rate: float) -> None:
    prefix = f"dronewall-bench/{uuid.uuid4().hex[:8]}/v1"
    rng = random.Random(3)
    nodes = [f"ua-ac-{i:05d}" for i in range(n_nodes)]
    adapter = registered_adapter(nodes, rng, prefix)
    first: list[float] = []
    last = [0.0]

    def on_raw(topic: str, payload: bytes, t: float) -> None:
        if not first:
            first.append(t)
        last[0] = t

    stop, stats = asyncio.Event(), LinkStats()
    task = asyncio.ensure_future(
        run_mqtt(
            adapter,
            "127.0.0.1",
            1883,
            prefix,
            stop,
            client_id="bench-sub",
            on_raw=on_raw,
            stats=stats,
            detections_qos=qos,
        )
    )
    while not stats.connected:
        await asyncio.sleep(0.05)
    cpu_start = time.process_time()
    ready = mp.Event()
    proc = mp.Process(target=publisher, args=(prefix, nodes, n, qos, rate, ready))
    proc.start()
    ready.set()
    idle_since = time.monotonic()
    seen = 0
    while proc.is_alive() or time.monotonic() - idle_since < 2.0:
        await asyncio.sleep(0.2)
        if stats.messages != seen:
            seen, idle_since = stats.messages, time.monotonic()
        elif not proc.is_alive() and time.monotonic() - idle_since > 2.0:
            break
    stop.set()
    await task
    cpu = time.process_time() - cpu_start
    proc.join()
    got = stats.messages
    span = last[0] - first[0] if first else float("nan")
    print(
        f"broker end to end, QoS {qos}, offered {f'{rate:,.0f}/s' if rate else 'flat out'}: "
        f"{got:,} of {n:,} received in {span:.2f} s = "
        f"{got / span:,.0f} messages/s ({cpu:.2f} s of CPU here: {got / cpu:,.0f} per core), "
        f"{len(adapter.output.reports):,} reports, rejects {dict(adapter.output.rejects)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--broker-messages", type=int, default=100_000)
    parser.add_argument("--qos", type=int, default=0, choices=(0, 1))
    parser.add_argument("--rate", type=float, default=0.0, help="offered messages/s; 0: max")
    parser.add_argument("--no-broker", action="store_true")
    args = parser.parse_args()
    pin(0)
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )
    bench_decoder(args.messages, args.nodes)
    if not args.no_broker:
        asyncio.run(bench_broker(args.broker_messages, min(args.nodes, 1000), args.qos, args.rate))


if __name__ == "__main__":
    main()
