"""Benchmark: ``dronewall ingest`` speed, messages per second from file to run directory
(reading, cutting and stamping, decoding through the feed's adapter, the sensor table and
writing ``reports.parquet``) on one CPU core, for a generated capture of about 100,000
messages of each format.

Usage: python bench/bench_ingest.py [--messages 100000] [--formats asterix,beast,…]

The recordings are made before the clock starts (``tests/runtime/ingest_data.py`` and the
encoders it uses): ASTERIX CAT048 blocks of 10 plots (one UDP datagram each in a pcap, back to
back in a raw file), Beast and AVR frames of 200 aircraft (positions, even and odd), SBS MSG,3
lines, Remote ID packs (Basic ID + Location) in a pcap and as JSON lines, MQTT bearings. The
rate is messages (accepted + rejected by the adapter) per second of process CPU time, with the
process pinned to one core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.records import captures as cap
from tests.runtime import ingest_data as data
from tests.sensors.modes import encode as enc

from dronewall.runtime.ingest import IngestOptions, ingest_file
from dronewall.runtime.ingest_spec import Shortcuts, ingest_spec
from dronewall.sensors.asterix.encode import Plot048, encode_cat048

RADAR = Shortcuts(lat=data.RADAR[0], lon=data.RADAR[1], alt=data.RADAR[2], sac=data.SAC,
                  sic=data.SIC)  # fmt: skip
RECEIVER = Shortcuts(lat=data.RADAR[0], lon=data.RADAR[1], alt=data.RADAR[2])
AIRCRAFT = 200


def _pin() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = sorted(os.sched_getaffinity(0))[0]
        os.sched_setaffinity(0, {core})
        return f"core {core}"
    return "not pinned"


def asterix_blocks(n: int) -> list[tuple[float, bytes]]:
    out = []
    for k in range(n // 10):
        t = data.T0 + k * 0.1
        tod = (t - data.DAY) % 86_400
        plots = [Plot048(tod, 10_000.0 + 500 * i, (k * 3.6 + i) % 360, flight_level=100.0,
                         address=0x400000 + i) for i in range(10)]  # fmt: skip
        out.append((t, encode_cat048(plots, data.SAC, data.SIC)))
    return out


def modes(n: int) -> list[tuple[float, bytes]]:
    out = []
    for k in range(n):
        t = data.T0 + k * 0.005
        a = k % AIRCRAFT
        lat = data.RADAR[0] - 1 + 2 * a / AIRCRAFT + (t - data.T0) * 2e-4
        lon = data.RADAR[1] - 1 + (a * 7 % AIRCRAFT) / AIRCRAFT * 2
        me = enc.me_airborne(lat, lon, (k // AIRCRAFT) % 2 == 1, enc.ac12_q(30_000))
        out.append((t, enc.extended_squitter(0x400000 + a, me)))
    return out


def sbs(n: int) -> bytes:
    lines = []
    for k in range(n):
        t = data.T0 + k * 0.005
        a = k % AIRCRAFT
        when = dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y/%m/%d,%H:%M:%S.%f")[:-3]
        lat = data.RADAR[0] - 1 + 2 * a / AIRCRAFT + (t - data.T0) * 2e-4
        lines.append(enc.sbs(3, f"{0x400000 + a:06X}", when, alt="30000", lat=f"{lat:.5f}",
                             lon=f"{data.RADAR[1]:.5f}"))  # fmt: skip
    return b"".join(lines)


def recordings(n: int) -> dict[str, tuple[str, bytes, Shortcuts, IngestOptions]]:
    blocks = asterix_blocks(n)
    frames = modes(n)
    packs = data.remoteid_packs(n // 2)
    return {
        "asterix (pcap)": ("asterix", cap.pcap_udp([cap.Packet(t, b) for t, b in blocks]),
                           RADAR, IngestOptions()),
        "asterix (raw)": ("asterix", b"".join(b for _, b in blocks), RADAR,
                          IngestOptions(date=dt.date(2025, 10, 2))),
        "beast": ("beast", data.beast(frames), RECEIVER, IngestOptions(start=data.T0)),
        "avr": ("avr", data.avr(frames), RECEIVER, IngestOptions(start=data.T0)),
        "sbs": ("sbs", sbs(n), RECEIVER, IngestOptions()),
        "remoteid (pcap)": ("remoteid", cap.pcap_udp([cap.Packet(t, p) for t, p in packs]),
                            RECEIVER, IngestOptions()),
        "remoteid-json": ("remoteid-json", b"".join(b for _, b in data.remoteid_json(n // 2)),
                          RECEIVER, IngestOptions()),
        "mqtt": ("mqtt", b"".join(b for _, b in data.mqtt_lines(n)), Shortcuts(),
                 IngestOptions()),
    }  # fmt: skip


def run(name: str, item: tuple[str, bytes, Shortcuts, IngestOptions], tmp: Path) -> str:
    fmt, content, given, options = item
    path = tmp / name.replace(" ", "_").replace("(", "").replace(")", "")
    path.write_bytes(content)
    cpu: Callable[[], float] = time.process_time
    c0, w0 = cpu(), time.perf_counter()
    summary = ingest_file(path, ingest_spec(fmt, None, given), options, tmp / f"out-{path.name}")
    c1, w1 = cpu(), time.perf_counter()
    messages = summary.messages + sum(summary.rejects.values())
    return (f"{name:16} {len(content) / 1e6:7.1f} MB {messages:8,} messages "
            f"{summary.reports:8,} reports {messages / (c1 - c0):9,.0f} messages/s "
            f"(CPU {c1 - c0:5.1f} s, wall {w1 - w0:5.1f} s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--formats", default="")
    args = parser.parse_args()
    pinned = _pin()
    print(f"python bench/bench_ingest.py --messages {args.messages}")
    print(f"{platform.node()} {platform.machine()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, {pinned}, load {os.getloadavg()[0]:.1f}")  # fmt: skip
    items = recordings(args.messages)
    wanted = [f for f in args.formats.split(",") if f]
    with tempfile.TemporaryDirectory() as tmp:
        for name, item in items.items():
            if not wanted or any(w in name for w in wanted):
                print(run(name, item, Path(tmp)), flush=True)


if __name__ == "__main__":
    main()
