"""Regenerate ``corpus/captures.jsonl``: Remote ID frames cut out of public sample captures
(the capture files themselves are not in this repository).

Source: https://github.com/bkerler/DroneID (GPL-3.0), commit 8b11aba, ``examples/``:

* ``dji_air3.pcapng`` — Wi-Fi beacons of a DJI Air 3 (a real drone, 2024-10-07);
* ``odid_wifi_bcn_sample.pcap`` — Wi-Fi beacons of an Open Drone ID test transmitter;
* ``odid_wifi_sample.pcap`` — Wi-Fi NAN frames of the same transmitter;
* ``wireless_RID_test_linux_transmitter.pcapng`` — beacons of opendroneid transmitter-linux;
* ``odid_bt5_lr_sample.pcapng`` — Bluetooth 5 long-range advertisements (Nordic sniffer),
  including the empty and corrupted ones the sniffer recorded.

Usage: ``python extract_captures.py <DroneID>/examples`` (from the repository root). Each
line holds the source file, the packet index, the kind (``wifi_beacon``, ``wifi_nan``,
``ble_adv``) and the frame in hex: the 802.11 frame without its radiotap header, or the
Bluetooth advertising data structure holding the 0xFFFA service data.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "captures.jsonl"
FILES = {
    "dji_air3.pcapng": 12,
    "odid_wifi_bcn_sample.pcap": 4,
    "odid_wifi_sample.pcap": 24,
    "wireless_RID_test_linux_transmitter.pcapng": 3,
    "odid_bt5_lr_sample.pcapng": 100,
}
BT5_DAMAGED = (123, 127, 260, 269, 270)  # later packets the sniffer recorded damaged, kept


def packets(path: Path) -> list[bytes]:
    """The packets of a pcap or pcapng file (little-endian files only)."""
    data = path.read_bytes()
    out: list[bytes] = []
    if data[:4] == b"\xd4\xc3\xb2\xa1":
        pos = 24
        while pos + 16 <= len(data):
            (size,) = struct.unpack_from("<I", data, pos + 8)
            out.append(data[pos + 16 : pos + 16 + size])
            pos += 16 + size
        return out
    pos = 0
    while pos + 12 <= len(data):
        block, length = struct.unpack_from("<II", data, pos)
        if block == 6:  # enhanced packet block
            (size,) = struct.unpack_from("<I", data, pos + 20)
            out.append(data[pos + 28 : pos + 28 + size])
        pos += length
    return out


def frame_of(packet: bytes, bluetooth: bool) -> tuple[str, bytes] | None:
    if bluetooth:  # the AD structure around the 0xFFFA service data
        at = packet.find(b"\x16\xfa\xff\x0d")
        return ("ble_adv", packet[at - 1 : at + packet[at - 1]]) if at >= 1 else None
    (length,) = struct.unpack_from("<H", packet, 2)  # radiotap header length
    frame = packet[length:]
    if frame[0] == 0x80 and b"\xdd" in frame and b"\xfa\x0b\xbc\x0d" in frame:
        return "wifi_beacon", frame
    if frame[0] == 0xD0:
        return "wifi_nan", frame
    return None


def main() -> None:
    examples = Path(sys.argv[1])
    with OUT.open("w") as out:
        for name, limit in FILES.items():
            for index, packet in enumerate(packets(examples / name)):
                if index >= limit and not (name.startswith("odid_bt5") and index in BT5_DAMAGED):
                    continue
                found = frame_of(packet, name.startswith("odid_bt5"))
                if found is not None:
                    kind, frame = found
                    record = {"file": name, "index": index, "kind": kind, "hex": frame.hex()}
                    out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
