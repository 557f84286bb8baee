"""Test helpers: the recorded corpus files, and 802.11 frames built the way opendroneid-core-c
``libopendroneid/wifi.c`` lays them out (IEEE 802.11-2016 §9.3.3, Wi-Fi Aware v3 §9.5)."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

from dronewall.sensors.remoteid import fields as f

CORPUS = Path(__file__).resolve().parent / "corpus"
NAN_SERVICE_CONTROL = 0x10  # publish, service info present


def jsonl(name: str) -> list[dict[str, Any]]:
    """The records of ``corpus/<name>``."""
    return [json.loads(line) for line in (CORPUS / name).read_text().splitlines() if line]


def _mac(text: str) -> bytes:
    return bytes(int(part, 16) for part in text.split(":"))


def beacon_frame(mac: str, counter: int, pack: bytes, ssid: bytes = b"RID") -> bytes:
    """An 802.11 beacon carrying the Open Drone ID vendor element."""
    header = struct.pack("<HH", 0x0080, 0) + b"\xff" * 6 + _mac(mac) + _mac(mac) + b"\0\0"
    fixed = struct.pack("<QHH", 0, 100, 0x0420)
    elements = bytes((0, len(ssid))) + ssid + bytes((1, 1, 0x8C))
    body = f.WIFI_BEACON_OUI + bytes((f.WIFI_BEACON_OUI_TYPE, counter)) + pack
    return header + fixed + elements + bytes((0xDD, len(body))) + body


def nan_action_frame(mac: str, counter: int, pack: bytes) -> bytes:
    """An 802.11 NAN service discovery frame publishing the Open Drone ID service."""
    cluster = bytes((0x50, 0x6F, 0x9A, 0x01, 0x00, 0xFF))
    dest = bytes((0x51, 0x6F, 0x9A, 0x01, 0x00, 0x00))
    header = struct.pack("<HH", 0x00D0, 0) + dest + _mac(mac) + cluster + b"\0\0"
    action = bytes((0x04, 0x09, 0x50, 0x6F, 0x9A, 0x13))
    info = bytes((counter,)) + pack
    sda_body = f.NAN_SERVICE_ID + bytes((1, 0, NAN_SERVICE_CONTROL, len(info))) + info
    sda = bytes((0x03,)) + struct.pack("<H", len(sda_body)) + sda_body
    sdea = bytes((0x0E,)) + struct.pack("<H", 4) + bytes((1,)) + struct.pack("<H", 0x0200)
    return header + action + sda + sdea + bytes((counter,))
