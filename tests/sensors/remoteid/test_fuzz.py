"""Fuzz test: 120,000 datagrams (random bytes and mutations of valid ones: bit flips, byte
changes, truncations, extensions, splices) through RemoteIdAdapter, and 25,000 mutated JSON
lines through RemoteIdJsonAdapter. Nothing may escape; every input must be counted (accepted
messages + rejects grow by at least one per datagram or non-blank line); no "internal"
rejects; every report must be usable by the tracker."""

from __future__ import annotations

import json
import math
import random

from dronewall.sensors.feed import FeedOutput
from dronewall.sensors.remoteid import (
    RemoteIdAdapter,
    RemoteIdError,
    RemoteIdJsonAdapter,
    RemoteIdSettings,
)
from dronewall.sensors.remoteid import encode as enc
from dronewall.sensors.remoteid.reports import UA_CATEGORY
from dronewall.sensors.remoteid.transports import unwrap_advertising_data, unwrap_beacon_frame
from tests.sensors.remoteid.helpers import jsonl
from tests.sensors.remoteid.test_golden import INOUT, INOUT_PACK, LIBRID_AUTH_PACK

DATAGRAMS = 120_000
JSON_LINES = 25_000
T0 = 1_700_002_800.0


def _seeds() -> list[bytes]:
    seeds = [bytes.fromhex(INOUT_PACK), bytes.fromhex(LIBRID_AUTH_PACK)]
    seeds += [bytes.fromhex(h) for h in INOUT.values()]
    for rec in jsonl("captures.jsonl")[:40]:
        raw = bytes.fromhex(rec["hex"])
        try:
            frame = (
                unwrap_beacon_frame(raw)
                if rec["kind"] == "wifi_beacon"
                else unwrap_advertising_data(raw)
            )
        except RemoteIdError:  # a NAN frame or an empty pack: not a seed
            continue
        pack = enc.encode_pack(list(frame.messages))
        seeds += [
            pack,
            b"\x05" + pack,
            enc.ble_service_data(pack, 5),
            enc.beacon_vendor_element(pack, 5),
        ]
        seeds += [enc.ble_service_data(frame.messages[0], 5), b"".join(frame.messages)]
    return seeds


def _mutate(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(6)
        if op == 0 and buf:  # bit flips
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(len(buf))
                buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and buf:  # byte set to an edge value
            buf[rng.randrange(len(buf))] = rng.choice((0, 1, 0x7F, 0x80, 0xF2, 0xFF, 25, 0x0D))
        elif op == 2:  # truncation
            del buf[rng.randrange(len(buf) + 1) :]
        elif op == 3:  # extension
            buf += rng.randbytes(rng.choice((1, 2, 3, 24, 25, 26, rng.randrange(200))))
        elif op == 4 and buf:  # splice of a chunk
            i = rng.randrange(len(buf))
            buf[i : i + rng.randrange(30)] = rng.randbytes(rng.randrange(30))
        else:  # byte insertion at the front (a counter, an app code…)
            buf[:0] = bytes((rng.randrange(256),))
    return bytes(buf)


def _check_reports(out: FeedOutput) -> None:
    for r in out.reports:
        assert math.isfinite(r.lat_deg) and abs(r.lat_deg) <= 90
        assert math.isfinite(r.lon_deg) and abs(r.lon_deg) <= 180
        assert math.isfinite(r.alt_m) and math.isfinite(r.t_measured)
        assert r.sigma_horizontal_m > 0 and r.sigma_vertical_m > 0
        assert math.isnan(r.course_deg) or 0 <= r.course_deg < 360
        assert math.isnan(r.speed_mps) or 0 <= r.speed_mps <= 254.25
        # format 1.1: F3411's vertical speed range (±62 m/s) and a category of UA_CATEGORY
        assert math.isnan(r.vertical_rate_mps) or abs(r.vertical_rate_mps) <= 62.0
        assert r.emitter_category in UA_CATEGORY
        assert len(r.identity) <= 64


def test_fuzz_datagrams() -> None:
    rng = random.Random(20_260_411)
    seeds = _seeds()
    settings = RemoteIdSettings(receiver_alt_m=100.0, max_aircraft=512)
    adapter = RemoteIdAdapter("fuzz", settings)
    out = adapter.output
    counted = reports = 0
    for n in range(DATAGRAMS):
        if n % 4 == 0:
            data = rng.randbytes(rng.choice((25, 26, 27, 28, 53, 78, 228, rng.randrange(300))))
        else:
            data = _mutate(rng, rng.choice(seeds))
        before = out.messages + out.rejects.total()
        adapter.receive(data, T0 + n * 0.01, source=f"s{n % 97}")
        after = out.messages + out.rejects.total()
        assert after > before, data.hex()
        counted += after - before
        if n % 10_000 == 9_999:
            _check_reports(out)
            assert "internal" not in out.rejects
            reports += len(out.reports)
            out.reports.clear()
    _check_reports(out)
    assert reports > 10_000
    assert "internal" not in out.rejects
    assert out.messages > 50_000 and out.rejects.total() > 50_000  # both paths exercised
    assert counted == out.messages + out.rejects.total()


def _json_seeds() -> list[str]:
    lines = [json.dumps({"hex": INOUT_PACK, "mac": "aa:bb:cc:dd:ee:ff", "rssi": -60, "t": T0})]
    lines += [json.dumps(p) for p in jsonl("droneid_json.jsonl")[:12]]
    lines.append(
        json.dumps({"id": "SN1", "lat": 52.1, "lon": 21.0, "alt": 120, "speed": 5, "direction": 10})
    )
    lines.append(
        '{"mac":"60:60:1f:71:93:3b","rssi":-67,"drone_lat":33.665272,"drone_long":-82.191833,'
        '"drone_altitude":82,"pilot_lat":33.663236,"pilot_long":-82.191665,"basic_id":"X1"}'
    )
    return lines


def _mutate_text(rng: random.Random, line: str) -> str:
    chars = list(line)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(4)
        i = rng.randrange(len(chars) + 1)
        if op == 0 and chars:
            chars[min(i, len(chars) - 1)] = rng.choice('{}[]":,0123456789.-eE aAfFnN\\\x00é')
        elif op == 1:
            del chars[i:]
        elif op == 2:
            del chars[i : i + rng.randrange(1, 12)]
        else:
            chars.insert(i, rng.choice(('"', "1e999", "null", "-", "[", "{", "NaN", "\\u0000")))
    return "".join(chars).replace("\n", " ")


def test_fuzz_json_lines() -> None:
    rng = random.Random(4709)
    seeds = _json_seeds()
    adapter = RemoteIdJsonAdapter("fuzz-json", RemoteIdSettings(receiver_alt_m=100.0))
    out = adapter.output
    for n in range(JSON_LINES):
        line = _mutate_text(rng, rng.choice(seeds)) if n % 5 else rng.choice(seeds)
        before = out.messages + out.rejects.total()
        adapter.receive(line.encode("utf-8", "surrogatepass") + b"\n", T0 + n)
        if line.strip():
            assert out.messages + out.rejects.total() > before, line
    _check_reports(out)
    assert "internal" not in out.rejects
    assert out.rejects["json"] > 1000 and out.messages > 10_000
