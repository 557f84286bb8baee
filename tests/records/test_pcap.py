"""The capture reader (records/pcap.py, records/packets.py): golden files built byte by byte —
one pcap and one pcapng written out octet by octet from draft-ietf-opsawg-pcap §4–5 and
draft-ietf-opsawg-pcapng §4.1–4.3, then files of every link type and block type from the
test-side writer (tests/records/captures.py) — with known capture times; the fatal header
errors; and a fuzz of 120,000 mutated captures."""

from __future__ import annotations

import io
import math
import random
import struct

import pytest

from dronewall.records.packets import Datagram, udp_datagram
from dronewall.records.pcap import CaptureError, CaptureReader
from tests.records import captures as cap

# Ethernet (dst 02:..:02, src 02:..:01, IPv4) + IPv4 (30 octets, TTL 64, UDP, 192.0.2.1 →
# 192.0.2.2) + UDP (40000 → 8600, 10 octets) + "hi": 44 octets.
FRAME_HEX = (
    "020000000002" "020000000001" "0800"
    "4500001e" "00010000" "40110000" "c0000201" "c0000202"
    "9c402198" "000a0000" "6869"
)  # fmt: skip
FRAME = bytes.fromhex(FRAME_HEX)
# pcap, little-endian, microseconds: magic, v2.4, zone 0, sigfigs 0, snaplen 262144,
# LINKTYPE_ETHERNET; one record at 1,700,000,000.25 s (0x6553F100, 250,000 µs), 44 octets.
PCAP_HEX = (
    "d4c3b2a1" "0200" "0400" "00000000" "00000000" "00000400" "01000000"
    "00f15365" "90d00300" "2c000000" "2c000000"
) + FRAME_HEX  # fmt: skip
# pcapng, little-endian: SHB (28 octets, BOM 1A2B3C4D, v1.0, section length −1), IDB (20
# octets, Ethernet, no options: µs), EPB (76 octets) at 1,700,000,000,250,000 µs, 44 octets.
PCAPNG_HEX = (
    "0a0d0d0a" "1c000000" "4d3c2b1a" "0100" "0000" "ffffffffffffffff" "1c000000"
    "01000000" "14000000" "0100" "0000" "00000000" "14000000"
    "06000000" "4c000000" "00000000" "240a0600" "90102218" "2c000000" "2c000000"
) + FRAME_HEX + "4c000000"  # fmt: skip


def read(data: bytes) -> tuple[CaptureReader, list[Datagram | str]]:
    reader = CaptureReader(io.BytesIO(data))
    return reader, [udp_datagram(f.link, f.data, f.t) for f in reader]


def test_golden_pcap_octet_by_octet() -> None:
    reader, out = read(bytes.fromhex(PCAP_HEX))
    assert reader.kind == "pcap" and reader.frames == 1 and not reader.problems
    (d,) = out
    assert isinstance(d, Datagram)
    assert d.t == 1_700_000_000.25
    assert (d.src, d.sport, d.dst, d.dport, d.payload) == ("192.0.2.1", 40000, "192.0.2.2", 8600,
                                                           b"hi")  # fmt: skip
    assert d.peer == "192.0.2.1:40000"


def test_golden_pcapng_octet_by_octet() -> None:
    reader, out = read(bytes.fromhex(PCAPNG_HEX))
    assert reader.kind == "pcapng" and reader.frames == 1 and not reader.problems
    (d,) = out
    assert isinstance(d, Datagram) and d.payload == b"hi"
    assert d.t == pytest.approx(1_700_000_000.25, abs=1e-6)
    assert reader.position == len(PCAPNG_HEX) // 2


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("nano", [False, True])
def test_pcap_byte_orders_and_resolutions(order: str, nano: bool) -> None:
    times = [1_759_400_000.0, 1_759_400_000.123456, 1_759_400_001.999999]
    packets = [cap.Packet(t, bytes([i]) * (i + 1), sport=1000 + i) for i, t in enumerate(times)]
    _, out = read(cap.pcap_udp(packets, order, nano))
    assert [d.t for d in out if isinstance(d, Datagram)] == pytest.approx(times, abs=1e-6)
    assert [d.payload for d in out if isinstance(d, Datagram)] == [p.payload for p in packets]


def test_pcap_nanoseconds_are_kept() -> None:
    # (a small time: a double near 1.7e9 s resolves only about 240 ns)
    frames = [(1000.000000123, cap.ethernet(cap.ip(cap.Packet(0, b"x"))))]
    _, out = read(cap.pcap(frames, nano=True))
    assert isinstance(out[0], Datagram)
    assert out[0].t - 1000 == pytest.approx(123e-9, abs=1e-12)


def _link_frames(p: cap.Packet) -> list[tuple[int, bytes]]:
    v4, v6 = cap.ipv4(p), cap.ipv6(cap.Packet(p.t, p.payload, "2001:db8::1", "2001:db8::2"))
    return [
        (1, cap.ethernet(v4, vlan=100, pad=6)),  # 802.1Q tag, Ethernet padding after the IP
        (1, cap.ethernet(v6, v6=True)),
        (113, cap.sll(v4)),
        (276, cap.sll2(v6, v6=True)),
        (101, v4),
        (12, v6),
        (228, v4),
        (229, cap.ipv6(cap.Packet(p.t, p.payload, "2001:db8::1", "2001:db8::2"), True)),
        (0, cap.null(v4, order="<")),
        (0, cap.null(v6, v6=True, order=">")),
        (108, cap.null(v4, order=">")),
    ]


@pytest.mark.parametrize("index", range(11))
def test_link_types(index: int) -> None:
    p = cap.Packet(1_759_400_000.5, b"payload")
    link, frame = _link_frames(p)[index]
    _, out = read(cap.pcap([(p.t, frame)], link))
    (d,) = out
    assert isinstance(d, Datagram), d
    assert d.payload == b"payload" and (d.sport, d.dport) == (40000, 8600)
    assert d.src in ("192.0.2.1", "2001:db8::1")


def test_what_is_not_a_udp_datagram_is_counted() -> None:
    p = cap.Packet(1.0, b"data")
    arp = b"\xff" * 12 + b"\x08\x06" + b"\x00" * 28
    frames = [
        cap.ethernet(cap.ipv4(p, protocol=6)),  # TCP
        cap.ethernet(cap.ipv4(p, flags_offset=0x2000)),  # first fragment (MF)
        cap.ethernet(cap.ipv4(p, flags_offset=0x0010)),  # a later fragment
        arp,
        cap.ethernet(cap.ipv4(p))[:30],  # cut by the snapshot length
        cap.ethernet(b"\x45" + b"\x00" * 19),  # total length 0: a broken header
    ]
    _, out = read(cap.pcap([(1.0, f) for f in frames]))
    assert out == ["not_udp", "ip_fragment", "ip_fragment", "not_ip", "truncated_packet",
                   "ip_header"]  # fmt: skip


def test_pcapng_blocks_sections_and_resolutions() -> None:
    frame = cap.ethernet(cap.ipv4(cap.Packet(0, b"one")))
    raw = cap.ipv4(cap.Packet(0, b"two"))
    data = (
        cap.shb("<")
        + cap.idb(1, "<", tsresol=9)  # nanoseconds
        + cap.idb(101, "<", tsresol=0x80 | 10, tsoffset=1_700_000_000)  # 2^-10 s, offset
        + cap.nrb("<")
        + cap.epb(0, 1_759_400_000_123_456_789, frame)
        + cap.epb(1, 512, raw)  # 0.5 s after the offset
        + cap.spb(frame)  # no time of its own: the last packet's
        + cap.opb(0, 1_759_400_001_000_000_000, frame)
        + cap.shb(">")  # a second section, big-endian, interfaces numbered afresh
        + cap.idb(1, ">")
        + cap.epb(0, 1_759_400_002_000_000, frame, ">")
        + cap.epb(1, 0, frame, ">")  # interface 1 does not exist in this section
    )
    reader, out = read(data)
    times = [d.t for d in out if isinstance(d, Datagram)]
    assert times == pytest.approx(
        [1_759_400_000.123456789, 1_700_000_000.5, 1_700_000_000.5, 1_759_400_001.0,
         1_759_400_002.0], abs=1e-6,
    )  # fmt: skip
    assert [d.payload for d in out if isinstance(d, Datagram)] == [b"one", b"two", b"one",
                                                                   b"one", b"one"]  # fmt: skip
    assert reader.problems == {"interface": 1}


def test_fatal_headers() -> None:
    with pytest.raises(CaptureError, match="truncated pcap file header"):
        CaptureReader(io.BytesIO(bytes.fromhex(PCAP_HEX)[:20]))
    with pytest.raises(CaptureError, match="link type 147"):
        CaptureReader(io.BytesIO(cap.pcap([], link=147)))
    with pytest.raises(CaptureError, match="not a pcap"):
        CaptureReader(io.BytesIO(b"MSG,3,1,1,4840D6,1,2017/01/09"))
    with pytest.raises(CaptureError, match="not a pcap"):
        CaptureReader(io.BytesIO(b""))
    with pytest.raises(CaptureError, match="byte-order magic"):
        CaptureReader(io.BytesIO(bytes.fromhex(PCAPNG_HEX.replace("4d3c2b1a", "00000000"))))
    with pytest.raises(CaptureError, match="truncated pcapng"):
        CaptureReader(io.BytesIO(bytes.fromhex(PCAPNG_HEX)[:20]))


def test_a_cut_last_record_is_counted_and_the_rest_read() -> None:
    packets = [cap.Packet(100.0 + i, b"x" * 10) for i in range(3)]
    for data in (cap.pcap_udp(packets), cap.pcapng_udp(packets)):
        reader, out = read(data[:-5])
        assert len(out) == 2 and reader.problems == {"truncated_record": 1}


def test_an_impossible_length_stops_reading_and_is_counted() -> None:
    data = bytearray(cap.pcap_udp([cap.Packet(1.0, b"a"), cap.Packet(2.0, b"b")]))
    first = 24 + 16 + 14 + 20 + 8 + 1  # file header, record header, Ethernet, IP, UDP, "a"
    struct.pack_into("<I", data, first + 8, 1 << 30)  # the second record's captured length
    reader, out = read(bytes(data))
    assert len(out) == 1 and reader.problems == {"corrupt_record": 1}


# ---- fuzz ----------------------------------------------------------------------------------
def _seeds(rng: random.Random) -> list[bytes]:
    packets = [cap.Packet(1_759_400_000 + i * 0.25, rng.randbytes(rng.randint(0, 40)),
                          sport=rng.randint(1, 65535)) for i in range(4)]  # fmt: skip
    p = packets[0]
    links = _link_frames(p)
    return [
        cap.pcap_udp(packets),
        cap.pcap_udp(packets, ">", nano=True),
        cap.pcapng_udp(packets),
        cap.pcapng_udp(packets, ">", tsresol=9),
        cap.pcap([(p.t, f) for _, f in links[:1]] * 3, 1),
        *[cap.pcap([(p.t, f)], link) for link, f in links],
        cap.shb() + cap.idb(113, tsresol=0x86) + cap.spb(cap.sll(cap.ipv4(p)))
        + cap.epb(0, 5, cap.sll(cap.ipv4(p))) + cap.spb(cap.sll(cap.ipv4(p)))
        + cap.opb(0, 7, cap.sll(cap.ipv4(p))) + cap.nrb(),
        bytes.fromhex(PCAP_HEX),
        bytes.fromhex(PCAPNG_HEX),
    ]  # fmt: skip


def _mutate(rng: random.Random, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(rng.choice((1, 1, 2, 3, 8))):
        how = rng.random()
        if how < 0.35 and data:
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        elif how < 0.55 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif how < 0.7:
            del data[rng.randrange(len(data) + 1) :]
        elif how < 0.8:
            data += rng.randbytes(rng.randint(1, 64))
        elif how < 0.9 and data:
            i = rng.randrange(len(data))
            data[i:i] = rng.randbytes(rng.randint(1, 16))
        elif len(data) >= 4:  # a random 32-bit field: lengths, counts, link types
            struct.pack_into("<I", data, rng.randrange(len(data) - 3), rng.getrandbits(32))
    return bytes(data)


def test_fuzz_no_exception_and_every_problem_counted() -> None:
    rng = random.Random(20251013)
    seeds = _seeds(rng)
    inputs = fatal = frames = datagrams = 0
    reasons: dict[str, int] = {}
    for n in range(120_000):
        if n % 10 == 0:
            seeds = _seeds(rng)  # new payloads now and then
        if n % 50 == 0:
            data = rng.choice((b"\xd4\xc3\xb2\xa1", b"\x0a\x0d\x0d\x0a", b"")) + rng.randbytes(
                rng.randint(0, 300)
            )
        else:
            data = _mutate(rng, rng.choice(seeds))
        inputs += 1
        try:
            reader = CaptureReader(io.BytesIO(data))
        except CaptureError:
            fatal += 1
            continue
        mine = 0
        for frame in reader:  # nothing but CaptureError may leave the constructor; nothing here
            frames += 1
            mine += 1
            d = udp_datagram(frame.link, frame.data, frame.t)
            if isinstance(d, Datagram):
                datagrams += 1
                assert len(d.payload) <= len(frame.data) and math.isfinite(d.t)
                assert 0 <= d.sport < 65536 and 0 <= d.dport < 65536
            else:
                reasons[d] = reasons.get(d, 0) + 1
        # The reader read to the end of the file, or counted why it stopped.
        assert reader.position == len(data) or sum(reader.problems.values()) > 0, data.hex()
        assert reader.frames == mine
    assert inputs == 120_000
    assert fatal > 1_000 and datagrams > 50_000 and frames > datagrams
    assert {"truncated_packet", "ip_header", "udp_header", "not_ip"} <= set(reasons)
