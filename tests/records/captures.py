"""Test-side capture writer: pcap (draft-ietf-opsawg-pcap §4–5) and pcapng
(draft-ietf-opsawg-pcapng §4.1–4.4) files built byte by byte, with UDP over IPv4/IPv6 in
Ethernet, Linux SLL/SLL2, raw IP or loopback frames — written independently of the reader
under test (struct layouts from the drafts, not from ``records.pcap``)."""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class Packet:
    t: float
    payload: bytes
    src: str = "192.0.2.1"
    dst: str = "192.0.2.2"
    sport: int = 40000
    dport: int = 8600


def udp(p: Packet) -> bytes:
    return struct.pack(">HHHH", p.sport, p.dport, 8 + len(p.payload), 0) + p.payload


def ipv4(p: Packet, flags_offset: int = 0, protocol: int = 17) -> bytes:
    body = udp(p)
    header = struct.pack(
        ">BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 1, flags_offset, 64, protocol, 0,
        ipaddress.IPv4Address(p.src).packed, ipaddress.IPv4Address(p.dst).packed,
    )  # fmt: skip
    return header + body


def ipv6(p: Packet, hop_by_hop: bool = False) -> bytes:
    body = udp(p)
    following = 17
    if hop_by_hop:  # an 8-octet hop-by-hop options header (PadN) before UDP
        body = bytes([17, 0, 1, 4, 0, 0, 0, 0]) + body
        following = 0
    return (
        struct.pack(">IHBB", 6 << 28, len(body), following, 64)
        + ipaddress.IPv6Address(p.src).packed
        + ipaddress.IPv6Address(p.dst).packed
        + body
    )


def ip(p: Packet) -> bytes:
    return ipv6(p) if ":" in p.src else ipv4(p)


def ethernet(packet: bytes, v6: bool = False, vlan: int | None = None, pad: int = 0) -> bytes:
    head = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"
    if vlan is not None:
        head += struct.pack(">HH", 0x8100, vlan)
    return head + struct.pack(">H", 0x86DD if v6 else 0x0800) + packet + b"\x00" * pad


def sll(packet: bytes, v6: bool = False) -> bytes:
    return struct.pack(">HHH8sH", 0, 1, 6, b"\x02" * 6 + b"\0\0", 0x86DD if v6 else 0x0800) + packet


def sll2(packet: bytes, v6: bool = False) -> bytes:
    return struct.pack(">HHIHBB8s", 0x86DD if v6 else 0x0800, 0, 2, 1, 0, 6, b"\x02" * 8) + packet


def null(packet: bytes, v6: bool = False, order: str = "<") -> bytes:
    return struct.pack(order + "I", 30 if v6 else 2) + packet


def pcap(
    frames: list[tuple[float, bytes]], link: int = 1, order: str = "<", nano: bool = False
) -> bytes:
    """A pcap file: global header, then a record per frame (caplen = len)."""
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 262144, link)
    scale = 1_000_000_000 if nano else 1_000_000
    for t, data in frames:
        seconds = int(t)
        fraction = round((t - seconds) * scale)
        out += struct.pack(order + "IIII", seconds, fraction, len(data), len(data)) + data
    return out


def _block(order: str, kind: int, body: bytes) -> bytes:
    body += b"\x00" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack(order + "II", kind, length) + body + struct.pack(order + "I", length)


def _option(order: str, code: int, value: bytes) -> bytes:
    return struct.pack(order + "HH", code, len(value)) + value + b"\x00" * (-len(value) % 4)


def shb(order: str = "<") -> bytes:
    return _block(order, 0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1))


def idb(link: int, order: str = "<", tsresol: int | None = None, tsoffset: int = 0) -> bytes:
    options = b""
    if tsresol is not None:
        options += _option(order, 9, bytes([tsresol]))
    if tsoffset:
        options += _option(order, 14, struct.pack(order + "q", tsoffset))
    if options:
        options += _option(order, 0, b"")
    return _block(order, 1, struct.pack(order + "HHI", link, 0, 0) + options)


def epb(interface: int, ticks: int, data: bytes, order: str = "<") -> bytes:
    body = struct.pack(order + "IIIII", interface, ticks >> 32, ticks & 0xFFFFFFFF, len(data),
                       len(data)) + data  # fmt: skip
    return _block(order, 6, body)


def spb(data: bytes, order: str = "<") -> bytes:
    return _block(order, 3, struct.pack(order + "I", len(data)) + data)


def opb(interface: int, ticks: int, data: bytes, order: str = "<") -> bytes:
    body = struct.pack(order + "HHIIII", interface, 0, ticks >> 32, ticks & 0xFFFFFFFF, len(data),
                       len(data)) + data  # fmt: skip
    return _block(order, 2, body)


def nrb(order: str = "<") -> bytes:
    """A Name Resolution Block (skipped by readers of packets)."""
    record = struct.pack(order + "HH", 1, 14) + bytes([192, 0, 2, 1]) + b"radar\x00\x00\x00\x00\x00"
    return _block(order, 4, record + struct.pack(order + "HH", 0, 0))


def pcapng_udp(packets: list[Packet], order: str = "<", tsresol: int = 6) -> bytes:
    """One section, one Ethernet interface, an Enhanced Packet Block per packet."""
    out = shb(order) + idb(1, order, tsresol)
    unit = 10**tsresol
    for p in packets:
        frame = ethernet(ip(p), v6=":" in p.src)
        out += epb(0, round(p.t * unit), frame, order)
    return out


def pcap_udp(packets: list[Packet], order: str = "<", nano: bool = False) -> bytes:
    frames = [(p.t, ethernet(ip(p), v6=":" in p.src)) for p in packets]
    return pcap(frames, 1, order, nano)
