"""Benchmark: ASTERIX CAT048 plots per second through ``AsterixAdapter`` on one core.

Usage: python bench/bench_feed_asterix.py [--plots 200000] [--max-bytes 1400] [--stream]

A simulated radar's plots — 60 % Mode S (address, flight level, a callsign on one in five),
30 % Mode A/C (code, flight level), 10 % primary only — are encoded beforehand into UDP-sized
datagrams of one CAT048 block each, with a CAT034 north marker every 4 s of plots. The clock
then runs over ``receive`` of every datagram (or of the recording in 64 KiB chunks with
``--stream``) and the ``take`` of the output every 100 datagrams, as the live pipeline drains
it: every plot decoded, its time resolved, its elevation computed and its Report built. The
decoder alone (records, no reports) is timed too. Pinned to the first CPU core.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time

from dronewall.sensors.asterix import (
    AsterixAdapter,
    Plot048,
    RadarSettings,
    decode_datagram,
    encode_cat034,
    encode_cat048_datagrams,
    north_marker,
)

T0 = 1_765_065_600.0  # 2025-12-07 00:00 UTC
RADAR = RadarSettings(52.2, 21.0, 120.0, name="bench", sigma_range_m=40.0)


def _pin() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _plot(rng: random.Random, i: int, t: float) -> Plot048:
    kind = rng.random()
    base = Plot048(t, rng.uniform(500.0, 250_000.0), rng.uniform(0.0, 360.0))
    if kind < 0.1:
        return base
    mode_s = kind < 0.7
    return Plot048(
        base.time_of_day_s,
        base.range_m,
        base.azimuth_deg,
        mode3a=rng.randrange(4096),
        flight_level=rng.uniform(5.0, 400.0),
        address=0x400000 + i % 5000 if mode_s else None,
        callsign=f"BEN{i % 5000:04d}" if mode_s and i % 5 == 0 else None,
        track_number=i % 4096,
        groundspeed_mps=rng.uniform(20.0, 250.0) if mode_s else None,
        heading_deg=rng.uniform(0.0, 360.0) if mode_s else None,
    )


def _datagrams(plots: int, max_bytes: int) -> list[bytes]:
    rng = random.Random(1)
    per_scan = 2000  # plots per 4 s antenna turn
    out: list[bytes] = []
    for scan_start in range(0, plots, per_scan):
        t = 43_200.0 + 4.0 * scan_start / per_scan
        batch = [
            _plot(rng, i, t + 4.0 * (i - scan_start) / per_scan)
            for i in range(scan_start, min(plots, scan_start + per_scan))
        ]
        out.append(encode_cat034([north_marker(t, rotation_period_s=4.0)], 25, 10))
        out += encode_cat048_datagrams(batch, 25, 10, max_bytes)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plots", type=int, default=200_000)
    parser.add_argument("--max-bytes", type=int, default=1400, help="datagram size limit")
    parser.add_argument("--stream", action="store_true", help="feed a recording in chunks")
    args = parser.parse_args()
    _pin()
    datagrams = _datagrams(args.plots, args.max_bytes)
    octets = sum(len(d) for d in datagrams)

    start = time.perf_counter()
    records = 0
    for data in datagrams:
        for block in decode_datagram(data):
            records += len(block[1]) if isinstance(block, tuple) else 0
    decode_s = time.perf_counter() - start

    adapter = AsterixAdapter({"25/10": RADAR}, stream=args.stream)
    chunks = datagrams
    if args.stream:
        recording = b"".join(datagrams)
        chunks = [recording[i : i + 65_536] for i in range(0, len(recording), 65_536)]
    reports = messages = rejects = 0
    start = time.perf_counter()
    for n, data in enumerate(chunks):
        adapter.receive(data, T0 + 43_200.0 + n * 1e-4)
        if n % 100 == 99:
            taken = adapter.output.take()
            reports += len(taken.reports)
            messages += taken.messages
            rejects += sum(taken.rejects.values())
    taken = adapter.output.take()
    elapsed = time.perf_counter() - start
    reports += len(taken.reports)
    messages += taken.messages
    rejects += sum(taken.rejects.values())
    assert reports == args.plots and rejects == 0, (reports, rejects)

    machine = f"{_cpu()}, {platform.system()} {platform.release()}"
    unit = "chunks" if args.stream else "datagrams"
    cat034 = messages - args.plots
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print(f"machine: {machine}, Python {platform.python_version()}, 1 core")
    size = f"{octets / 1e6:.1f} MB"
    print(f"input: {args.plots} plots + {cat034} CAT034 in {len(chunks)} {unit}, {size}")
    print(f"decoder only: {records / decode_s:,.0f} records/s")
    rate = (
        f"{args.plots / elapsed:,.0f} plots/s ({octets / elapsed / 1e6:.1f} MB/s, {elapsed:.2f} s)"
    )
    print(f"adapter: {rate}")


if __name__ == "__main__":
    main()
