"""Fuzz: 130,000 seeded inputs — random bytes and mutations (bit flips, truncations,
extensions, re-parity'd random fields) of valid frames — through the decoder and the Beast,
AVR and SBS adapters. Nothing may escape; every message must be counted once, accepted or
rejected by reason; every report must be usable by the tracker; and good frames interleaved
with broken ones must still be decoded (at most the frame right after a broken Beast frame
ending in a lone 0x1A can be lost: the two escapes pair up)."""

from __future__ import annotations

import math
import random

from dronewall.sensors.feed import FeedOutput, Report
from dronewall.sensors.modes import (
    AvrAdapter,
    BeastAdapter,
    ModeSDecoder,
    ReceiverSettings,
    SbsAdapter,
)
from dronewall.sensors.modes.crc import parity
from dronewall.sensors.modes.reports import FPM
from dronewall.sensors.modes.sbs import MAX_VERTICAL_RATE_FPM
from tests.sensors.modes.encode import (
    ac12_q,
    avr,
    beast,
    extended_squitter,
    me_airborne,
    me_identification,
    me_opstatus,
    me_surface,
    me_velocity_ground,
    sbs,
    with_parity,
)

SETTINGS = ReceiverSettings(lat_deg=52.0, lon_deg=4.5, alt_m=10.0, max_range_m=300_000)
T0 = 1_700_000_000.0
GOOD_ALL_CALL = with_parity(bytes([11 << 3 | 5, 0x48, 0x40, 0xD6]))


def seeds() -> list[bytes]:
    """Valid frames of every kind near the receiver."""
    frames = [
        bytes.fromhex(h)
        for h in (
            "8D4840D6202CC371C32CE0576098", "8D40621D58C382D690C8AC2863A7",
            "8D40621D58C386435CC412692AD6", "8D485020994409940838175B284F",
            "8DA05F219B06B6AF189400CBC33F", "8DA05629EA21485CBF3F8CADAEEB",
            "8C4841753A9A153237AEF0F275BE", "20001838CA3804", "2A00516D492B80",
            "5D484FDEA248F5", "903a23ff426a4e65f7487a775d17",
        )
    ]  # fmt: skip
    for odd in (False, True):
        frames.append(extended_squitter(0x4840D6, me_airborne(52.3, 4.8, odd, ac12_q(3000))))
        frames.append(extended_squitter(0x4840D6, me_surface(52.31, 4.76, odd, 30, 10)))
    frames += [
        extended_squitter(0x4840D6, me_velocity_ground(-200, 150, -512, geo=75)),
        extended_squitter(0x4840D6, me_opstatus(2, 9, nic_a=1)),
        extended_squitter(0x4840D6, me_identification("B6", "UAV42")),
        with_parity(bytes([20 << 3, 0, 0x18, 0x38]) + bytes(7), 0x4840D6),
        with_parity(bytes([21 << 3, 0, 0x12, 0x34]) + bytes(7), 0x4840D6),
        GOOD_ALL_CALL,
    ]
    return frames


def mutate(rng: random.Random, frame: bytes) -> bytes:
    choice = rng.randrange(6)
    data = bytearray(frame)
    if choice == 0:  # bit flips
        for _ in range(rng.randint(1, 3)):
            bit = rng.randrange(len(data) * 8)
            data[bit // 8] ^= 0x80 >> (bit % 8)
    elif choice == 1:  # truncation
        del data[rng.randrange(len(data)) :]
    elif choice == 2:  # extension
        data += bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 8)))
    elif choice == 3:  # random bytes
        data = bytearray(rng.getrandbits(8) for _ in range(rng.choice((7, 14, rng.randrange(20)))))
    else:  # random fields with a valid parity: reaches the deep decoders
        first = 4 if len(data) == 14 else 1  # keep a long frame's address: same aircraft
        for _ in range(rng.randint(1, 12)):
            data[rng.randrange(first, len(data) - 3)] = rng.getrandbits(8)
        data[-3:] = parity(bytes(data[:-3])).to_bytes(3, "big")
    return bytes(data)


def check_reports(reports: list[Report]) -> None:
    for r in reports:
        assert math.isfinite(r.lat_deg) and -90 <= r.lat_deg <= 90
        assert math.isfinite(r.lon_deg) and -180 <= r.lon_deg < 180
        assert math.isfinite(r.alt_m) and r.sigma_horizontal_m > 0 and r.sigma_vertical_m > 0
        assert math.isfinite(r.t_measured)
        # format 1.1: a valid DO-260B code or 0, a vertical rate ADS-B can carry or NaN
        assert r.emitter_category == 0 or (r.emitter_category >> 4 in (0xA, 0xB, 0xC, 0xD))
        assert r.emitter_category & 0xF <= 7 and 0 <= r.nic <= 11 and 0 <= r.nacp <= 11
        vr = r.vertical_rate_mps
        assert math.isnan(vr) or abs(vr) <= MAX_VERTICAL_RATE_FPM * FPM
        assert r.identity == r.identity.upper()


def test_decoder_fuzz() -> None:
    rng = random.Random(20240601)
    frames = seeds()
    n = 70_000
    decoder, out = ModeSDecoder("rx", SETTINGS), FeedOutput()
    for i in range(n):
        frame = rng.choice(frames)
        msg = frame if rng.random() < 0.2 else mutate(rng, frame)
        decoder.decode(msg, T0 + i * 0.01, out)
    assert out.messages + sum(out.rejects.values()) == n
    assert out.messages > 10_000 and out.rejects["crc"] > 5_000 and out.rejects["cpr"] > 1_000
    check_reports(out.reports)
    assert len(out.reports) > 1000


def test_beast_fuzz() -> None:
    rng = random.Random(77)
    frames = seeds()
    n = 10_000  # good + broken pairs: 20,000 frames
    stream = bytearray()
    lone_escapes = broken_nonempty = 0
    for _ in range(n):
        stream += beast("2", GOOD_ALL_CALL, ticks=rng.getrandbits(48), signal=rng.getrandbits(8))
        frame = rng.choice(frames)
        kind = rng.choice("1234523")
        raw = beast(kind, mutate(rng, frame), ticks=rng.getrandbits(48), signal=rng.getrandbits(8))
        broken = mutate(rng, raw) if rng.random() < 0.7 else raw
        trailing = len(broken) - len(broken.rstrip(b"\x1a"))
        lone_escapes += trailing % 2
        broken_nonempty += bool(broken)
        stream += broken
    adapter = BeastAdapter("rx", SETTINGS)
    i = 0
    while i < len(stream):
        step = rng.randint(1, 200)
        adapter.receive(bytes(stream[i : i + step]), T0 + i * 1e-4)
        i += step
    out = adapter.output
    all_calls = adapter.decoder.unused["all_call"]
    assert all_calls >= n - lone_escapes
    assert (
        out.messages + sum(out.rejects.values())
        >= n - lone_escapes + broken_nonempty - lone_escapes
    )
    check_reports(out.reports)


def _avr_expected(stream: bytes) -> int:
    """Messages per the AVR rule: every ';'-terminated non-blank piece of a complete line, and
    a line's non-blank rest after its last ';'."""
    count = 0
    for line in stream.split(b"\n")[:-1]:
        pieces = line.split(b";")
        count += sum(1 for piece in pieces[:-1] if piece.strip()) + bool(pieces[-1].strip())
    return count


def test_avr_fuzz() -> None:
    rng = random.Random(5)
    frames = seeds()
    stream = bytearray()
    for _ in range(15_000):
        stream += avr(GOOD_ALL_CALL)
        line = avr(
            mutate(rng, rng.choice(frames)),
            **rng.choice(({}, {"ticks": 5}, {"ticks": 5, "signal": 9})),
        )
        if rng.random() < 0.6:  # text mutations: replace, insert, delete characters
            text = bytearray(line)
            for _ in range(rng.randint(1, 3)):
                op, at = rng.randrange(3), rng.randrange(len(text) + 1)
                char = rng.choice(b"0123456789ABCDEFabcdef;*@%<:\r\n \x00\xff")
                if op == 0 and at < len(text):
                    text[at] = char
                elif op == 1:
                    text.insert(at, char)
                elif at < len(text):
                    del text[at]
            line = bytes(text)
        stream += line
    stream += b"\n"
    adapter = AvrAdapter("rx", SETTINGS)
    i = 0
    while i < len(stream):
        step = rng.randint(1, 300)
        adapter.receive(bytes(stream[i : i + step]), T0 + i * 1e-4)
        i += step
    out = adapter.output
    assert out.messages + sum(out.rejects.values()) == _avr_expected(bytes(stream))
    intact = sum(1 for line in bytes(stream).split(b"\n") if line == avr(GOOD_ALL_CALL)[:-1])
    assert adapter.decoder.unused["all_call"] >= intact > 10_000
    check_reports(out.reports)


def test_sbs_fuzz() -> None:
    rng = random.Random(9)
    good_line = sbs(1, "4840D6", callsign="KLM1023 ")
    samples = [
        sbs(3, "4840D6", alt="3000", lat="52.3", lon="4.8"),
        sbs(4, "4840D6", gs="250", track="90", vr="-640"),
        sbs(4, "4840d6", gs="250", track="90", vr="99999"),  # beyond what ADS-B can say
        sbs(3, "4840D6", alt="3000H", lat="52.31", lon="4.81"),
        sbs(2, "4840D6", gs="12", track="45", lat="52.31", lon="4.76"),
        sbs(5, "4840D6", alt="2975"),
        sbs(6, "4840D6", squawk="7700"),
        b"STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM\r\n",
    ]
    stream = bytearray()
    for _ in range(20_000):
        stream += good_line
        text = bytearray(rng.choice(samples))
        for _ in range(rng.randint(0, 4)):
            op, at = rng.randrange(3), rng.randrange(len(text) + 1)
            char = rng.choice(b"0123456789.,-+HeE:/ \r\nabcxyz\x00\xff")
            if op == 0 and at < len(text):
                text[at] = char
            elif op == 1:
                text.insert(at, char)
            elif at < len(text):
                del text[at]
        stream += text
    stream += b"\n"
    adapter = SbsAdapter("rx", SETTINGS)
    i = 0
    while i < len(stream):
        step = rng.randint(1, 400)
        adapter.receive(bytes(stream[i : i + step]), T0 + i * 1e-4)
        i += step
    out = adapter.output
    expected = sum(1 for line in bytes(stream).split(b"\n")[:-1] if line.strip())
    assert out.messages + sum(out.rejects.values()) == expected
    assert out.messages > 20_000 and sum(out.rejects.values()) > 1000
    assert out.rejects["vertical_rate"] > 100
    check_reports(out.reports)
