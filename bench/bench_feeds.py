"""Benchmark: sustained messages per second of each feed type through decode into the live
pipeline (tracker, identify, assess, alerts, SQLite store), on one core.

Usage: python bench/bench_feeds.py [--seconds 60] [--formats asterix,beast,avr,sbs,remoteid,mqtt]

Each format's traffic is generated beforehand by that format's own benchmark generator
(``bench_feed_*.py``): a radar's CAT048 plots, receivers' Mode S frames (Beast, AVR) and SBS
lines, Remote ID packs, acoustic nodes' bearings over MQTT (as the raw JSON-lines recording
``serve`` keeps). The messages then go through exactly what ``serve --feed`` runs —
``FeedSource`` with the adapters of ``runtime/adapters.py``, the live sensor table, batches
every 50 ms of receive time — and ``Pipeline`` with its default settings, as fast as it can
(a recorded run reprocessed: ``serve --replay RUN --reprocess``). The process is pinned to one
core; the pipeline's three threads share it. Messages/s = messages decoded / wall time from
the first message to the pipeline's end.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from dronewall.assess import protected_zones
from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import ReportBatch
from dronewall.runtime.adapters import ADAPTERS
from dronewall.runtime.feeds import FeedSource
from dronewall.runtime.feedspec import FeedSpec, parse_feed_url
from dronewall.runtime.pipeline import Pipeline, PipelineSettings
from dronewall.store import RawMessage, open_store
from dronewall.world import load_world

MQTT_NODES = 200  # acoustic nodes, one bearing a second each


class _Recorded:
    """Raw messages through a FeedSource as fast as the pipeline takes them."""

    blocking = True

    def __init__(self, feeds: FeedSource, messages: list[RawMessage]):
        self.feeds, self.messages, self.name = feeds, messages, "bench"

    @property
    def sensors(self) -> SensorGeometry:
        return self.feeds.sensors

    def chunks(self) -> Iterator[ReportBatch]:
        return self.feeds.replay(iter(self.messages))


def _asterix(seconds: int) -> tuple[str, list[RawMessage]]:
    import bench_feed_asterix as a

    datagrams = a._datagrams(500 * seconds, 1400)  # 2,000 plots a 4 s turn
    t0 = a.T0 + 43_200.0
    step = 4.0 * seconds / max(1, len(datagrams))
    url = "asterix+udp://127.0.0.1:1?name=radar&sac=25&sic=10&lat=52.2&lon=21.0&alt=120"
    return url, [RawMessage("radar", t0 + i * step, "r", d) for i, d in enumerate(datagrams)]


def _modes(seconds: int, framing: str) -> tuple[str, list[RawMessage]]:
    import bench_feed_modes as m

    events = m.traffic(300, seconds)
    frame = {"beast": m.beast, "avr": m.avr, "sbs": lambda e: e[2]}[framing]
    reads = m.chunks(events, 0.05, frame)
    url = f"{framing}://127.0.0.1:1?name=rx&lat={m.RX[0]}&lon={m.RX[1]}&alt=50"
    return url, [RawMessage("rx", t, "p", data) for t, data in reads]


def _remoteid(seconds: int) -> tuple[str, list[RawMessage]]:
    import bench_feed_remoteid as r

    url = "remoteid+udp://127.0.0.1:1?name=rid&lat=52.23&lon=21.01"
    return url, [RawMessage("rid", t, src, d) for d, t, src in r._traffic(300, seconds)]


def _mqtt(seconds: int) -> tuple[str, list[RawMessage]]:
    from dronewall.sensors.mqtt import record_line

    rng = random.Random(1)
    t0 = time.time() - seconds - 10
    nodes = [(f"n{i:03d}", 50.3 + rng.uniform(0, 0.3), 30.4 + rng.uniform(0, 0.4))
             for i in range(MQTT_NODES)]  # fmt: skip
    out = []
    for key, lat, lon in nodes:
        reg = {"v": 1, "kind": "acoustic", "lat": lat, "lon": lon, "sigma_az": 3.0}
        topic = f"dronewall/v1/{key}/register"
        out.append(RawMessage("mqtt", t0, topic,
                              record_line(topic, json.dumps(reg).encode(), t0, True)))  # fmt: skip
    for s in range(seconds):
        for key, _, _ in nodes:
            t = t0 + s + rng.random()
            topic = f"dronewall/v1/{key}/detections"
            payload = json.dumps({"t": t, "az": round(rng.uniform(0, 360), 2)}).encode()
            out.append(RawMessage("mqtt", t, topic, record_line(topic, payload, t)))
    out.sort(key=lambda m: m.t_receive)
    return "mqtt://127.0.0.1:1/dronewall/v1?name=mqtt", out


def _measure(url: str, messages: list[RawMessage]) -> tuple[float, int, int, int]:
    spec: FeedSpec = parse_feed_url(url)
    feeds = FeedSource([spec], ADAPTERS, record_raw=False)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        pipeline = Pipeline(_Recorded(feeds, messages), protected_zones(load_world()), store,
                            PipelineSettings(speed=math.inf))  # fmt: skip
        began = time.perf_counter()
        pipeline.start()
        pipeline.join()
        wall = time.perf_counter() - began
        store.close()
    state = feeds.feeds[spec.name]
    return wall, state.messages, pipeline.summary.reports, pipeline.summary.tracks


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--formats", default="asterix,beast,avr,sbs,remoteid,mqtt")
    a = p.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    makers = {
        "asterix": _asterix, "beast": lambda s: _modes(s, "beast"),
        "avr": lambda s: _modes(s, "avr"), "sbs": lambda s: _modes(s, "sbs"),
        "remoteid": _remoteid, "mqtt": _mqtt,
    }  # fmt: skip
    command = f"python bench/bench_feeds.py --seconds {a.seconds} --formats {a.formats}"
    print(f"\n{time.strftime('%Y-%m-%d')} · {platform.node()} · 1 core · `{command}`\n")
    print("| feed | messages | reports | tracks at end | wall s | messages/s | reports/s |")
    print("|---|---|---|---|---|---|---|")
    for name in a.formats.split(","):
        url, messages = makers[name](a.seconds)
        wall, decoded, reports, tracks = _measure(url, messages)
        print(f"| {name} | {decoded:,} | {reports:,} | {tracks:,} | {wall:.1f} | "
              f"{decoded / wall:,.0f} | {reports / wall:,.0f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
