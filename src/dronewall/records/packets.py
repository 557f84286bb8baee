"""UDP datagrams out of captured link-layer frames: the link types of the tcpdump.org registry
(LINKTYPE_* values, draft-ietf-opsawg-pcaplinktype) a UDP capture is taken on — Ethernet (1,
IEEE 802.3 with 802.1Q/802.1ad VLAN tags), Linux cooked SLL (113) and SLL2 (276), raw IP (101,
and 12 as some BSDs write it), raw IPv4 (228) and IPv6 (229), BSD loopback NULL (0, host byte
order) and OpenBSD LOOP (108, network order) — then IPv4 (RFC 791), IPv6 (RFC 8200 with its
extension headers) and UDP (RFC 768).

``udp_datagram`` never raises: a frame that gives no datagram gives a short reason token
instead (``not_ip``, ``not_udp``, ``ip_fragment``, ``ip_header``, ``udp_header``,
``truncated_packet``, ``link_type``). IPv4 fragments are not reassembled (a datagram of the
feeds read here fits one packet); UDP checksums are not checked (captures on the sending host
see them before the network card computes them).
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass
from typing import Final

ETHERNET: Final = 1
NULL: Final = 0
RAW_BSD: Final = 12  # DLT_RAW as written by some BSDs: raw IP
RAW: Final = 101
LOOP: Final = 108
LINUX_SLL: Final = 113
IPV4: Final = 228
IPV6: Final = 229
LINUX_SLL2: Final = 276
LINK_TYPES: Final = frozenset(
    {ETHERNET, NULL, RAW_BSD, RAW, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2}
)

ETHERTYPE_IPV4: Final = 0x0800
ETHERTYPE_IPV6: Final = 0x86DD
VLAN_TAGS: Final = frozenset({0x8100, 0x88A8, 0x9100})  # 802.1Q, 802.1ad, old QinQ
UDP: Final = 17
# IPv6 extension headers walked over to reach UDP (RFC 8200 §4): hop-by-hop, routing,
# destination options; 44 is the fragment header.
IPV6_EXTENSIONS: Final = frozenset({0, 43, 60})
IPV6_FRAGMENT: Final = 44
# BSD loopback address families of IPv6: AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD),
# 30 (macOS); AF_INET is 2 everywhere.
AF_INET: Final = 2
AF_INET6: Final = frozenset({24, 28, 30})
_ETH_MIN = 14
_SLL = struct.Struct(">HHHQH")  # packet type, ARPHRD, address length, address, protocol
_UDP = struct.Struct(">HHHH")


@dataclass(frozen=True, slots=True)
class Datagram:
    """One UDP datagram as captured: capture time (POSIX s), addresses, ports, payload."""

    t: float
    src: str
    sport: int
    dst: str
    dport: int
    payload: bytes

    @property
    def peer(self) -> str:
        """The sender as ``host:port`` (IPv6 in brackets)."""
        host = f"[{self.src}]" if ":" in self.src else self.src
        return f"{host}:{self.sport}"


def udp_datagram(link: int, frame: bytes, t: float) -> Datagram | str:
    """The UDP datagram in a frame of link type ``link``, or why there is none."""
    ip = _network_layer(link, frame)
    if isinstance(ip, str):
        return ip
    version, packet = ip
    if version == 4:
        return _ipv4(packet, t)
    return _ipv6(packet, t)


def _network_layer(link: int, frame: bytes) -> tuple[int, bytes] | str:
    """(IP version, IP packet) of a frame, or a reason."""
    if link == ETHERNET:
        return _ethernet(frame)
    if link in (RAW, RAW_BSD, IPV4, IPV6):
        return _by_version(frame)
    if link == LINUX_SLL:
        if len(frame) < _SLL.size:
            return "truncated_packet"
        return _by_ethertype(_SLL.unpack_from(frame)[4], frame[_SLL.size :])
    if link == LINUX_SLL2:
        if len(frame) < 20:
            return "truncated_packet"
        return _by_ethertype(int.from_bytes(frame[0:2], "big"), frame[20:])
    if link in (NULL, LOOP):
        return _loopback(link, frame)
    return "link_type"


def _ethernet(frame: bytes) -> tuple[int, bytes] | str:
    if len(frame) < _ETH_MIN:
        return "truncated_packet"
    offset, ethertype = 12, int.from_bytes(frame[12:14], "big")
    while ethertype in VLAN_TAGS:
        offset += 4
        if len(frame) < offset + 2:
            return "truncated_packet"
        ethertype = int.from_bytes(frame[offset : offset + 2], "big")
    return _by_ethertype(ethertype, frame[offset + 2 :])


def _by_ethertype(ethertype: int, packet: bytes) -> tuple[int, bytes] | str:
    if ethertype == ETHERTYPE_IPV4:
        return 4, packet
    if ethertype == ETHERTYPE_IPV6:
        return 6, packet
    return "not_ip"


def _by_version(packet: bytes) -> tuple[int, bytes] | str:
    if not packet:
        return "truncated_packet"
    version = packet[0] >> 4
    return (version, packet) if version in (4, 6) else "not_ip"


def _loopback(link: int, frame: bytes) -> tuple[int, bytes] | str:
    if len(frame) < 4:
        return "truncated_packet"
    orders = ("big",) if link == LOOP else ("little", "big")  # NULL: the capturing host's order
    for order in orders:
        family = int.from_bytes(frame[:4], order)  # type: ignore[arg-type]
        if family == AF_INET:
            return 4, frame[4:]
        if family in AF_INET6:
            return 6, frame[4:]
    return "not_ip"


def _ipv4(packet: bytes, t: float) -> Datagram | str:
    if len(packet) < 20:
        return "truncated_packet"
    if packet[0] >> 4 != 4:
        return "ip_header"
    header = (packet[0] & 0x0F) * 4
    total = int.from_bytes(packet[2:4], "big")
    if header < 20 or total < header:
        return "ip_header"
    if len(packet) < total:
        return "truncated_packet"
    if packet[9] != UDP:
        return "not_udp"
    flags_offset = int.from_bytes(packet[6:8], "big")
    if flags_offset & 0x3FFF:  # more-fragments flag or a fragment offset
        return "ip_fragment"
    src, dst = ipaddress.IPv4Address(packet[12:16]), ipaddress.IPv4Address(packet[16:20])
    return _udp(packet[header:total], str(src), str(dst), t)


def _ipv6(packet: bytes, t: float) -> Datagram | str:
    if len(packet) < 40:
        return "truncated_packet"
    if packet[0] >> 4 != 6:
        return "ip_header"
    end = 40 + int.from_bytes(packet[4:6], "big")
    if len(packet) < end:
        return "truncated_packet"  # (a jumbogram's zero length lands here too: not for UDP)
    following, offset = packet[6], 40
    while following in IPV6_EXTENSIONS:
        if end < offset + 8:
            return "ip_header"
        following, offset = packet[offset], offset + 8 + packet[offset + 1] * 8
    if following == IPV6_FRAGMENT:
        return "ip_fragment"
    if following != UDP:
        return "not_udp"
    if offset > end:
        return "ip_header"
    src = ipaddress.IPv6Address(packet[8:24])
    dst = ipaddress.IPv6Address(packet[24:40])
    return _udp(packet[offset:end], str(src), str(dst), t)


def _udp(segment: bytes, src: str, dst: str, t: float) -> Datagram | str:
    if len(segment) < _UDP.size:
        return "udp_header"
    sport, dport, length, _checksum = _UDP.unpack_from(segment)
    if length < _UDP.size or length > len(segment):
        return "udp_header"
    return Datagram(t, src, sport, dst, dport, segment[_UDP.size : length])
