"""Benchmark: Mode S / ADS-B messages per second through the Beast, AVR and SBS adapters on one
CPU core (``dronewall.sensors.modes``).

Usage: python bench/bench_feed_modes.py [--aircraft 300] [--seconds 90] [--chunk-ms 50]

Synthetic traffic of a busy receiver: aircraft flying straight at 150–250 m/s within 250 km,
each sending per second 2 airborne positions (even/odd), 2 velocities, 0.2 identifications,
0.4 operational status, 1 all-call reply and 2 Comm-B replies (DF20/21; most from aircraft
the decoder knows). The frames are framed as dump1090 serves them — Beast with its 12 MHz
counter, AVR '*' lines, SBS lines for the same events — and handed to the adapter in reads of
``--chunk-ms`` of traffic (dump1090 flushes its network output about that often). The frames
are built before the clock starts; the rate is messages through ``receive`` per second of
process CPU time, with the process pinned to one core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import random
import sys
import time
from collections.abc import Callable

from dronewall.sensors.feed import Adapter
from dronewall.sensors.modes import AvrAdapter, BeastAdapter, ReceiverSettings, SbsAdapter
from dronewall.sensors.modes.cpr import CPR_MAX, nl
from dronewall.sensors.modes.crc import parity

RX = (52.0, 4.5)
T0 = 1_759_429_800.0
CHARSET = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######"


def _pin() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = sorted(os.sched_getaffinity(0))[0]
        os.sched_setaffinity(0, {core})
        return f"core {core}"
    return "not pinned"


def _frame(df: int, address: int, me: int) -> bytes:
    body = bytes([(df << 3) | 5]) + address.to_bytes(3, "big") + me.to_bytes(7, "big")
    return body + parity(body).to_bytes(3, "big")


def _cpr(lat: float, lon: float, odd: bool) -> tuple[int, int]:
    i = int(odd)
    dlat = 360.0 / (60 - i)
    yz = math.floor(CPR_MAX * (lat % dlat) / dlat + 0.5)
    rlat = dlat * (yz / CPR_MAX + math.floor(lat / dlat))
    dlon = 360.0 / max(nl(rlat) - i, 1)
    return yz % CPR_MAX, math.floor(CPR_MAX * (lon % dlon) / dlon + 0.5) % CPR_MAX


def _position(lat: float, lon: float, alt_ft: int, odd: bool) -> int:
    n = (alt_ft + 1000) // 25
    ac12 = ((n & 0x7F0) << 1) | 0x10 | (n & 0xF)
    yz, xz = _cpr(lat, lon, odd)
    return 11 << 51 | ac12 << 36 | int(odd) << 34 | yz << 17 | xz


def _velocity(east: float, north: float) -> int:
    ew, ns = round(abs(east)), round(abs(north))
    return (
        19 << 51 | 1 << 48 | int(east < 0) << 42 | (ew + 1) << 32 | int(north < 0) << 31
        | (ns + 1) << 21 | 1 << 20 | 1 << 10 | 5
    )  # fmt: skip


def _ident(callsign: str) -> int:
    chars = 0
    for ch in callsign.ljust(8):
        chars = chars << 6 | CHARSET.index(ch)
    return 4 << 51 | 3 << 48 | chars


def _reply(df: int, address: int, rng: random.Random) -> bytes:
    body = bytes([df << 3, 0, 0x18, 0x38]) + bytes(rng.getrandbits(8) for _ in range(7))
    return body + (parity(body) ^ address).to_bytes(3, "big")


Event = tuple[float, bytes, bytes]  # time, Mode S frame, SBS line


def traffic(aircraft: int, seconds: float, seed: int = 1) -> list[Event]:
    rng = random.Random(seed)
    events: list[Event] = []
    for k in range(aircraft):
        address = 0x400000 + k
        r, b = rng.uniform(10e3, 250e3), rng.uniform(0, 2 * math.pi)
        lat0 = RX[0] + r * math.cos(b) / 111_320
        lon0 = RX[1] + r * math.sin(b) / (111_320 * math.cos(math.radians(RX[0])))
        speed, heading = rng.uniform(150, 250), rng.uniform(0, 2 * math.pi)
        east, north = speed * math.sin(heading), speed * math.cos(heading)
        alt = rng.randrange(2000, 40000, 25)
        hexid = f"{address:06X}"
        rates = [(2.0, "pos"), (2.0, "vel"), (0.2, "id"), (0.4, "op"), (1.0, "df11"), (2.0, "df20")]
        for rate, kind in rates:
            t = rng.uniform(0, 1 / rate)
            while t < seconds:
                lat = lat0 + north * t / 111_320
                lon = lon0 + east * t / (111_320 * math.cos(math.radians(lat0)))
                stamp = dt.datetime.fromtimestamp(T0 + t, dt.UTC).strftime("%Y/%m/%d,%H:%M:%S.%f")[
                    :-3
                ]
                head = f"MSG,{{}},1,1,{hexid},1,{stamp},{stamp},"
                if kind == "pos":
                    frame = _frame(17, address, _position(lat, lon, alt, rng.random() < 0.5))
                    line = head.format(3) + f",{alt},,,{lat:.5f},{lon:.5f},,,,,,0"
                elif kind == "vel":
                    frame = _frame(17, address, _velocity(east / 0.5144, north / 0.5144))
                    track = math.degrees(math.atan2(east, north)) % 360
                    line = head.format(4) + f",,{speed / 0.5144:.0f},{track:.0f},,,0,,,,,0"
                elif kind == "id":
                    frame = _frame(17, address, _ident(f"BEN{k:04d}"))
                    line = head.format(1) + f"BEN{k:04d},,,,,,,,,,,0"
                elif kind == "op":
                    frame = _frame(17, address, 31 << 51 | 2 << 13 | 9 << 8 | 3 << 4)
                    line = head.format(8) + ",,,,,,,,,,,0"
                elif kind == "df11":
                    body = bytes([11 << 3 | 5]) + address.to_bytes(3, "big")
                    frame = body + parity(body).to_bytes(3, "big")
                    line = head.format(8) + ",,,,,,,,,,,0"
                else:
                    frame = _reply(rng.choice((20, 21)), address, rng)
                    line = head.format(5) + f",{alt},,,,,,,0,,0,0"
                events.append((T0 + t, frame, (line + "\r\n").encode()))
                t += 1 / rate
    events.sort(key=lambda e: e[0])
    return events


def beast(event: Event) -> bytes:
    ticks = round((event[0] - T0) * 12e6) % (1 << 48)
    body = ticks.to_bytes(6, "big") + b"\x80" + event[1]
    return b"\x1a" + (b"3" if len(event[1]) == 14 else b"2") + body.replace(b"\x1a", b"\x1a\x1a")


def avr(event: Event) -> bytes:
    return b"*" + event[1].hex().upper().encode() + b";\n"


def chunks(
    events: list[Event], chunk_s: float, frame: Callable[[Event], bytes]
) -> list[tuple[float, bytes]]:
    out: list[tuple[float, bytes]] = []
    current: list[bytes] = []
    end = T0 + chunk_s
    for event in events:
        while event[0] >= end:
            if current:
                out.append((end, b"".join(current)))
                current = []
            end += chunk_s
        current.append(frame(event))
    if current:
        out.append((end, b"".join(current)))
    return out


def measure(adapter: Adapter, reads: list[tuple[float, bytes]], messages: int) -> tuple[float, int]:
    start = time.process_time()
    for t, data in reads:
        adapter.receive(data, t)
    elapsed = time.process_time() - start
    out = adapter.output
    assert out.messages + sum(out.rejects.values()) == messages, (out.messages, out.rejects)
    return messages / elapsed, len(out.reports)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aircraft", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--chunk-ms", type=float, default=50.0)
    args = parser.parse_args()
    pinned = _pin()
    events = traffic(args.aircraft, args.seconds)
    settings = ReceiverSettings(lat_deg=RX[0], lon_deg=RX[1], max_range_m=300_000)
    chunk_s = args.chunk_ms / 1000
    sbs_events = [e for e in events if e[1][0] >> 3 != 20 and e[1][0] >> 3 != 21]
    runs = [
        ("Beast", BeastAdapter("bench", settings), chunks(events, chunk_s, beast), len(events)),
        ("AVR", AvrAdapter("bench", settings), chunks(events, chunk_s, avr), len(events)),
        (
            "SBS",
            SbsAdapter("bench", settings),
            chunks(sbs_events, chunk_s, lambda e: e[2]),
            len(sbs_events),
        ),
    ]
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in _cpuinfo() if ln.startswith("model name")), "?"
    )
    print(f"command: python bench/bench_feed_modes.py {' '.join(sys.argv[1:])}".rstrip())
    print(f"machine: {platform.node()} · {cpu} · {os.cpu_count()} CPUs · {pinned}")
    traffic_line = (
        f"{args.aircraft} aircraft × {args.seconds:.0f} s, reads of {args.chunk_ms:.0f} ms"
    )
    print(f"python {platform.python_version()} · {traffic_line}")
    print("| framing | messages | reports | messages/s (one core) |")
    print("|---|---:|---:|---:|")
    for name, adapter, reads, messages in runs:
        rate, reports = measure(adapter, reads, messages)
        print(f"| {name} | {messages:,} | {reports:,} | {rate:,.0f} |")


def _cpuinfo() -> list[str]:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            return f.read().splitlines()
    except OSError:
        return []


if __name__ == "__main__":
    main()
