"""Benchmark: the picture as CoT XML and TAK protobuf (``sensors/cot``, ``runtime/cot_out``).

Usage: python bench/bench_cot.py [--tracks 10000]

A picture of ``--tracks`` tracks (drones of each kind, aircraft, unknowns; reasons of typical
length) is turned into events, then encoded as CoT XML, TAK mesh and TAK stream: microseconds
and bytes per track, best of three. Then whole frames go through a ``CotSink`` over loopback
— UDP unicast to a receiver on this machine and TCP to a listener that reads and discards —
and the events per second the sender thread reaches is timed (frame taken → frame sent).
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import numpy as np

from dronewall.core.release import Recipient
from dronewall.runtime.cot_out import CotSink, make_cot_sink
from dronewall.sensors.cot import (
    CotEvent,
    EventOptions,
    event_mesh,
    event_stream,
    event_xml,
    track_events,
)
from dronewall.store import PictureFrame

T0 = 1_796_688_000.0


def picture(n: int, seed: int = 1) -> PictureFrame:
    rng = np.random.default_rng(seed)
    label = rng.choice([0, 1, 3], n, p=[0.2, 0.6, 0.2]).astype(np.uint8)
    kind = np.where(label == 1, rng.integers(1, 5, n), 0).astype(np.uint8)
    probs = rng.dirichlet(np.ones(4), n)
    affiliation = np.where(label == 1, "S", np.where(label == 3, "N", "U")).astype("<U1")
    return PictureFrame(
        t=T0,
        track_id=np.arange(1, n + 1, dtype=np.int64),
        lat_deg=rng.uniform(49.0, 55.0, n),
        lon_deg=rng.uniform(14.0, 24.0, n),
        alt_m=rng.uniform(50.0, 3000.0, n),
        speed_mps=rng.uniform(0.0, 120.0, n),
        course_deg=rng.uniform(0.0, 360.0, n),
        climb_mps=np.zeros(n),
        sigma_m=rng.uniform(5.0, 200.0, n),
        label=label,
        probabilities=probs,
        drone_kind=kind,
        affiliation=affiliation,
        priority=np.zeros(n),
        site_id=np.array(["Airport EPWA" if i % 10 == 0 else "" for i in range(n)], np.str_),
        time_to_site_s=np.where(np.arange(n) % 10 == 0, 120.0, np.nan),
        identity=np.array(["48AE21" if x == 3 else "" for x in label], dtype=np.str_),
        sensor_kinds=np.zeros(n, np.uint16),
        alert_id=np.zeros(n, np.int64),
        class_reasons=["small RCS, slow, rotor micro-Doppler"] * n,
        threat_reasons=[""] * n,
    )


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def encode_costs(frame: PictureFrame) -> None:
    n = len(frame)
    options = EventOptions(node="bench")
    events: list[CotEvent] = track_events(frame, T0, options)[0]
    print(f"{n} tracks, {len(events)} events")
    build = best_of(lambda: track_events(frame, T0, options))
    print(f"  events from the frame: {build / n * 1e6:6.1f} µs/track")
    for name, encode in (
        ("CoT XML", event_xml),
        ("TAK mesh", event_mesh),
        ("TAK stream", event_stream),
    ):
        seconds = best_of(lambda enc=encode: [enc(e) for e in events])
        size = sum(len(encode(e)) for e in events) / len(events)
        print(f"  {name:10s}: {seconds / n * 1e6:6.1f} µs/track, {size:6.0f} bytes/track")


@contextlib.contextmanager
def udp_drain() -> Iterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def drain() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                sock.recv(65_536)

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        sock.close()


@contextlib.contextmanager
def tcp_drain() -> Iterator[int]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def drain() -> None:
        conn, _ = listener.accept()
        with conn:
            while conn.recv(1 << 20):
                pass

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def sends(frame: PictureFrame, kind: str, port: int, frames: int) -> None:
    table = {"kind": kind, "address": f"127.0.0.1:{port}", "node": "bench", "negotiate": False}
    sink: CotSink = make_cot_sink(Recipient.make("DEU"), table)
    sink.start()
    try:
        start = time.perf_counter()
        for i in range(frames):
            sink.take_frame(replace(frame, t=T0 + i), time.time(), i)
            while sink.health()["frames_sent"] <= i:
                time.sleep(0.0005)
        seconds = time.perf_counter() - start
        events = sink.health()["events_sent"]
    finally:
        sink.close()
    print(f"  {kind}: {events / seconds:8.0f} events/s ({seconds / frames * 1e3:.0f} ms a frame)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=10_000)
    parser.add_argument("--frames", type=int, default=5)
    args = parser.parse_args()
    frame = picture(args.tracks)
    encode_costs(frame)
    print("sends on loopback (sender thread, frame taken → sent):")
    for kind in ("cot-udp", "tak-udp"):
        with udp_drain() as port:
            sends(frame, kind, port, args.frames)
    for kind in ("cot-tcp", "tak-tcp"):
        with tcp_drain() as port:
            sends(frame, kind, port, args.frames)


if __name__ == "__main__":
    main()
