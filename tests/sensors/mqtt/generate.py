"""Seeded payload generators for the MQTT schema tests: valid registrations, statuses and
detections (every optional member sometimes present, values across their whole ranges and
at their bounds), structured mutations (a member dropped, its type swapped, a value just out
of range, a bad time, an unknown member…) and byte mutations (bit flips, cuts, splices)."""

from __future__ import annotations

import json
import random
from typing import Any

import orjson

from dronewall.sensors.mqtt import Channel

T0 = 1_757_823_152.0  # receive time of every generated message
NODES = ("n-0", "n-1", "n-2")  # registered first by the fuzz test
ALL_SIGMAS = {
    "kind": "rf",
    "lat": 50.0,
    "lon": 30.0,
    "sigma_az": 4.0,
    "sigma_el": 6.0,
    "sigma_range": 30.0,
    "sigma_h": 20.0,
    "sigma_v": 25.0,
}

# member: (low, high) of its valid numbers
REGISTER_NUMBERS = {
    "lat": (-90.0, 90.0),
    "lon": (-180.0, 180.0),
    "alt": (-1000.0, 10000.0),
    "heading": (0.0, 360.0),
    "fov": (1e-9, 360.0),
    "max_range": (1e-9, 1e6),
    "sigma_az": (1e-9, 180.0),
    "sigma_el": (1e-9, 90.0),
    "sigma_range": (1e-9, 1e5),
    "sigma_h": (1e-9, 1e5),
    "sigma_v": (1e-9, 1e5),
    "rate": (1e-9, 1000.0),
}
DETECTION_NUMBERS = {
    "el": (-90.0, 90.0),
    "range": (1e-9, 1e6),
    "sigma_az": (1e-9, 180.0),
    "sigma_el": (1e-9, 90.0),
    "sigma_range": (1e-9, 1e5),
    "sigma_h": (1e-9, 1e5),
    "sigma_v": (1e-9, 1e5),
    "conf": (0.0, 1.0),
    "freq": (1e-9, 1e12),
    "bw": (1e-9, 1e12),
    "rssi": (-200.0, 50.0),
    "snr": (-50.0, 200.0),
}
NASTY: list[Any] = [
    None,
    True,
    False,
    "",
    "12.5",
    "x" * 300,
    [],
    [1],
    {},
    {"a": 1},
    0,
    -0.0,
    -1,
    1,
    1.0,
    2,
    90.0000001,
    -90.0000001,
    180.5,
    360,
    360.0000001,
    1e-320,
    1e308,
    -1e308,
    2**53,
    2**53 + 1,
    2**64,
    -(2**63),
    17.5,
    "2025-09-14T04:12:31Z",
    "2025-09-14T04:12:31",
    "2025-02-30T04:12:31Z",
    "drone",
    "UA",
    "ua",
    "n-1",
    "n 1",
    "ABC DEF",
    "A" * 20,
    "A" * 21,
    T0,
    T0 * 1000,
    T0 - 1000,
    T0 + 100,
]
TIMES: list[Any] = [
    T0 - 3.0,
    T0 - 0.5,
    T0 + 1.0,
    "2025-09-14T04:12:31.25Z",
    "2025-09-14T04:12:31.123456789Z",
    "2025-09-14T06:12:31+02:00",
    "2025-09-13T23:12:31-05:00",
]


def _number(rng: random.Random, lo: float, hi: float) -> float | int:
    roll = rng.random()
    if roll < 0.1:
        return lo
    if roll < 0.2:
        return hi
    if roll < 0.3 and lo <= round(lo + 1) <= hi:
        return int(rng.uniform(lo, hi))
    return rng.uniform(lo, hi)


def _some(rng: random.Random, ranges: dict[str, tuple[float, float]], p: float) -> dict[str, Any]:
    return {k: _number(rng, lo, hi) for k, (lo, hi) in ranges.items() if rng.random() < p}


def valid_register(rng: random.Random, node: str) -> dict[str, Any]:
    obj: dict[str, Any] = _some(rng, REGISTER_NUMBERS, 0.4)
    obj["kind"] = rng.choice(["acoustic", "rf", "eoir", "radar"])
    obj["lat"] = _number(rng, -90.0, 90.0)
    obj["lon"] = _number(rng, -180.0, 180.0)
    for key, value in (
        ("v", rng.choice([1, 1.1])),
        ("node", node),
        ("nation", rng.choice(["UA", "PL", "DE"])),
        ("vendor", "Example" * rng.randint(0, 9)),
        ("model", "M"),
        ("name", "ü" * rng.randint(0, 64)),
    ):
        if rng.random() < 0.4:
            obj[key] = value
    return obj


def valid_status(rng: random.Random, node: str) -> dict[str, Any]:
    obj: dict[str, Any] = {"state": rng.choice(["online", "offline", "degraded", "fault"])}
    if rng.random() < 0.5:
        obj["t"] = rng.choice(TIMES)
    if rng.random() < 0.4:
        obj["battery"] = _number(rng, 0.0, 1.0)
    if rng.random() < 0.3:
        obj["detail"] = "d" * rng.randint(0, 200)
    if rng.random() < 0.3:
        obj["node"] = node
    return obj


def valid_detection(rng: random.Random, node: str) -> dict[str, Any]:
    obj: dict[str, Any] = _some(rng, DETECTION_NUMBERS, 0.3)
    if rng.random() < 0.75:
        obj.pop("sigma_h", None)
        obj.pop("sigma_v", None)
        obj["az"] = _number(rng, 0.0, 360.0)
    else:
        for key in ("el", "range", "sigma_el", "sigma_range"):
            obj.pop(key, None)
        obj.update(
            lat=_number(rng, -90.0, 90.0),
            lon=_number(rng, -180.0, 180.0),
            alt=_number(rng, -1000.0, 50000.0),
        )
    if rng.random() < 0.8:
        obj["t"] = rng.choice(TIMES)
    extras = (
        ("v", rng.choice([1, 1.1])),
        ("node", node),
        ("class", rng.choice(["drone", "bird", "aircraft", "unknown"])),
        ("id", rng.choice(["trk-7", 17, 0, 2**53, "x" * 64])),
        ("uid", rng.choice(["1581F5FHD23B0042", "!", "~" * 20, "0f8e2b7c-5d4a-49f6-b1e3" * 2])),
        ("protocol", "ocusync3"),
        ("vrate", _number(rng, -150.0, 150.0)),  # version 1.1
        ("rcs", _number(rng, -80.0, 80.0)),
        ("doppler", _number(rng, -2000.0, 2000.0)),
    )
    for key, value in extras:
        if rng.random() < 0.25:
            obj[key] = value
    return obj


def valid_payload(rng: random.Random, channel: Channel, node: str) -> Any:
    if channel is Channel.REGISTER:
        return valid_register(rng, node)
    if channel is Channel.STATUS:
        return valid_status(rng, node)
    if rng.random() < 0.7:
        return valid_detection(rng, node)
    return [valid_detection(rng, node) for _ in range(rng.randint(1, 4))]


def mutate(rng: random.Random, payload: Any) -> Any:
    """One structured change, possibly making the payload invalid."""
    target = payload
    if isinstance(payload, list):
        if not payload or rng.random() < 0.1:
            return rng.choice([[], {}, [payload], 5, "x", None, payload * 100])
        target = rng.choice(payload)
    if not isinstance(target, dict):
        return payload
    roll = rng.random()
    keys = list(target)
    if roll < 0.2 and keys:
        del target[rng.choice(keys)]
    elif roll < 0.85 and keys:
        target[rng.choice(keys)] = rng.choice(NASTY)
    elif roll < 0.9:
        target[rng.choice(["az", "lat", "lon", "alt", "v", "node", "t"])] = rng.choice(NASTY)
    elif roll < 0.95:
        target["unknown"] = rng.choice(NASTY)
    else:
        return rng.choice([payload, [payload], "payload", 1.5, None])
    return payload


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """Bit flips, a cut, an extension, a splice of JSON tokens."""
    buf = bytearray(data)
    roll = rng.random()
    if roll < 0.35 and buf:
        for _ in range(rng.randint(1, 4)):
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    elif roll < 0.6 and buf:
        del buf[rng.randrange(len(buf)) :]
    elif roll < 0.8:
        buf += bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    elif buf:
        at = rng.randrange(len(buf))
        token = rng.choice(
            [b"NaN", b"Infinity", b"-", b'"', b",", b"}", b"]", b"1e999", b"\\u0000"]
        )
        buf[at:at] = token
    return bytes(buf)


def encode(rng: random.Random, payload: Any) -> bytes:
    """JSON by either encoder (orjson cannot write integers beyond 64 bits)."""
    if rng.random() < 0.5:
        try:
            return orjson.dumps(payload)
        except TypeError:
            pass
    return json.dumps(payload).encode()
