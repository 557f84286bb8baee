"""Benchmark: Remote ID messages per second through RemoteIdAdapter (UDP datagrams) and
RemoteIdJsonAdapter (JSON lines) on one core.

Usage: python bench/bench_feed_remoteid.py [--aircraft 1000] [--seconds 120] [--repeat 3]

A simulated fleet of ``--aircraft`` drones broadcasts for ``--seconds``: every second each
sends a Wi-Fi style pack (Basic ID + Location + System: 3 messages) or, for one drone in
three, Bluetooth legacy style single messages in separate datagrams (Location each second,
Basic ID / System in turn, keyed by the sender's MAC). Datagrams and JSON lines are encoded
before the clock starts; the rate is accepted messages divided by the wall time of the
``receive`` calls (best of ``--repeat``), with reports and identities drained every 10,000
datagrams as the live pipeline would.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from dronewall.sensors.remoteid import RemoteIdAdapter, RemoteIdJsonAdapter, RemoteIdSettings  # noqa: E402
from dronewall.sensors.remoteid import encode as enc  # noqa: E402
from dronewall.sensors.remoteid.messages import BasicId, Location, System  # noqa: E402

T0 = 1_759_429_800.0  # a full hour
SETTINGS = RemoteIdSettings(52.23, 21.01, 110.0, 20_000.0, "PL")


def _pin() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def _traffic(aircraft: int, seconds: int, seed: int = 1) -> list[tuple[bytes, float, str]]:
    """(datagram, receive time, source) in time order."""
    rng = random.Random(seed)
    fleet = []
    for n in range(aircraft):
        lat, lon = 52.23 + rng.uniform(-0.1, 0.1), 21.01 + rng.uniform(-0.15, 0.15)
        fleet.append(
            (
                f"1581F{n:010d}",
                lat,
                lon,
                rng.uniform(0, 360),
                f"02:00:00:{n >> 8 & 255:02x}:{n & 255:02x}:01",
            )
        )
    out: list[tuple[bytes, float, str]] = []
    for s in range(seconds):
        t = T0 + s
        for n, (serial, lat, lon, course, mac) in enumerate(fleet):
            step = s * 10.0 / 111_000.0
            loc = Location(
                status=2,
                direction_deg=course,
                speed_mps=10.0,
                vertical_speed_mps=0.5,
                lat_deg=lat + step * math.cos(math.radians(course)),
                lon_deg=lon + step * math.sin(math.radians(course)),
                geodetic_alt_m=150.0,
                pressure_alt_m=148.0,
                height_m=120.0,
                horizontal_accuracy=10,
                vertical_accuracy=4,
                baro_accuracy=4,
                speed_accuracy=3,
                timestamp_s=s % 3600 + 0.2,
                timestamp_accuracy_s=0.1,
            )
            location = enc.encode_location(loc)
            if n % 3:
                basic = enc.encode_basic_id(BasicId(1, 2, serial))
                system = enc.encode_system(System(1, 1, lat, lon, timestamp=t))
                out.append((b"\x01" + enc.encode_pack([basic, location, system]), t + 0.05, ""))
            else:
                out.append((location, t + 0.05, mac))
                extra = (
                    enc.encode_basic_id(BasicId(1, 2, serial))
                    if s % 2
                    else enc.encode_system(System(1, 1, lat, lon, timestamp=t))
                )
                out.append((extra, t + 0.5, mac))
    return out


def _run_udp(traffic: list[tuple[bytes, float, str]]) -> tuple[float, int, int]:
    adapter = RemoteIdAdapter("rid-bench", SETTINGS)
    out = adapter.output
    messages = reports = 0
    start = time.perf_counter()
    for i, (data, t, source) in enumerate(traffic):
        adapter.receive(data, t, source)
        if i % 10_000 == 9_999:
            taken = out.take()
            messages += taken.messages
            reports += len(taken.reports)
    elapsed = time.perf_counter() - start
    taken = out.take()
    return elapsed, messages + taken.messages, reports + len(taken.reports)


def _run_json(lines: list[bytes], t: float) -> tuple[float, int]:
    adapter = RemoteIdJsonAdapter("rid-bench-json", SETTINGS)
    messages = 0
    start = time.perf_counter()
    for i in range(0, len(lines), 64):  # reads of 64 lines, as a socket would give them
        adapter.receive(b"".join(lines[i : i + 64]), t)
        if i % 8192 == 0:
            messages += adapter.output.take().messages
    elapsed = time.perf_counter() - start
    return elapsed, messages + adapter.output.take().messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aircraft", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    _pin()
    traffic = _traffic(args.aircraft, args.seconds)
    json_lines = [
        json.dumps(
            {"mac": src or "02:00:00:00:00:99", "rssi": -70, "t": t, "hex": data.hex()}
        ).encode()
        + b"\n"
        for data, t, src in traffic[: min(len(traffic), 200_000)]
    ]
    udp = [_run_udp(traffic) for _ in range(args.repeat)]
    best_udp = min(udp)
    jsn = [_run_json(json_lines, T0 + args.seconds) for _ in range(args.repeat)]
    best_json = min(jsn)
    command = " ".join([os.path.basename(sys.executable), *sys.argv])
    print(f"## Remote ID feed — {dt.datetime.now(dt.UTC).date().isoformat()}")
    print(f"command: {command}")
    print(
        f"machine: {platform.node()} {platform.machine()} {platform.processor() or ''} "
        f"Python {platform.python_version()}, pinned to one core"
    )
    print(
        f"datagrams: {len(traffic):,} ({args.aircraft} aircraft x {args.seconds} s), "
        f"messages accepted: {best_udp[1]:,}, reports: {best_udp[2]:,}"
    )
    print(
        f"UDP adapter: {best_udp[1] / best_udp[0]:,.0f} messages/s "
        f"({len(traffic) / best_udp[0]:,.0f} datagrams/s, best of {args.repeat})"
    )
    print(
        f"JSON-lines adapter (raw hex lines): {best_json[1] / best_json[0]:,.0f} messages/s "
        f"({len(json_lines) / best_json[0]:,.0f} lines/s)"
    )


if __name__ == "__main__":
    main()
