"""Beast binary framing (``beast.py``): escapes, every split of a stream across reads, resync
after garbage, cut frames, the other frame types, and the time spacing of one read."""

from __future__ import annotations

import random
import struct

import pytest

from dronewall.core.types import SensorKind
from dronewall.sensors.modes import BeastAdapter, BeastFramer, ModeSDecoder, ReceiverSettings
from tests.sensors.modes.encode import (
    ac12_q,
    beast,
    extended_squitter,
    me_airborne,
    me_identification,
)

T = 1_700_000_000.0
IDENT = extended_squitter(0x4840D6, me_identification("A3", "KLM1023"))
EVEN = extended_squitter(0x40621D, me_airborne(52.2572, 3.9194, False, ac12_q(38000)))
ODD = extended_squitter(0x40621D, me_airborne(52.2572, 3.9194, True, ac12_q(38000)))


def stream() -> bytes:
    # Timestamps and signals chosen to contain 0x1A, which must be doubled.
    return (
        beast("3", IDENT, ticks=0x1A1A1A1A1A1A, signal=0x1A)
        + beast("3", EVEN, ticks=0x1A1A1A1A1A1A + 12_000, signal=0x80)
        + beast("3", ODD, ticks=0x1A1A1A1A1A1A + 24_000, signal=0x1A)
    )


def test_whole_stream() -> None:
    adapter = BeastAdapter("rx")
    adapter.receive(stream(), T)
    out = adapter.output
    assert out.messages == 3 and not out.rejects
    assert out.identities[0].callsign == "KLM1023" and out.identities[0].category == "A3"
    (report,) = out.reports
    assert report.t_measured == T  # the last frame of the read
    assert report.lat_deg == pytest.approx(52.2572, abs=1e-4)


def test_every_split_into_two_reads_gives_the_same_frames() -> None:
    data = stream()
    whole = BeastFramer().feed(data)
    assert len(whole) == 3
    for cut in range(1, len(data)):
        framer = BeastFramer()
        assert framer.feed(data[:cut]) + framer.feed(data[cut:]) == whole, cut


def test_byte_by_byte() -> None:
    framer = BeastFramer()
    got = [item for byte in stream() for item in framer.feed(bytes([byte]))]
    assert got == BeastFramer().feed(stream())


def test_garbage_before_and_between_frames_is_one_reject_per_run() -> None:
    adapter = BeastAdapter("rx")
    data = b"\x00\x01garbage" + beast("3", IDENT) + b"\xff\xfe" + beast("3", IDENT)
    adapter.receive(data, T)
    assert adapter.output.rejects == {"sync": 2} and adapter.output.messages == 2


def test_unknown_type_and_out_of_step_escape_pair() -> None:
    adapter = BeastAdapter("rx")
    adapter.receive(b"\x1a\x1a" + b"\x1a\x39" + beast("2", bytes.fromhex("5D484FDEA248F5")), T)
    assert adapter.output.rejects == {"beast_type": 2} and adapter.output.messages == 1


def test_a_cut_frame_does_not_swallow_the_next() -> None:
    adapter = BeastAdapter("rx")
    cut = beast("3", IDENT)[:12]
    adapter.receive(cut + beast("3", IDENT), T)
    assert adapter.output.rejects == {"beast_cut": 1} and adapter.output.messages == 1
    # Also when the cut frame ends in the previous read.
    adapter = BeastAdapter("rx")
    adapter.receive(cut, T)
    adapter.receive(beast("3", IDENT), T + 1)
    assert adapter.output.rejects == {"beast_cut": 1} and adapter.output.messages == 1


def test_payload_size_is_checked_by_the_decoder() -> None:
    adapter = BeastAdapter("rx")
    adapter.receive(beast("2", IDENT[:7]) + beast("3", bytes(14)), T)
    # A long DF17 header in a short frame, and DF0 in a long one: wrong lengths.
    assert adapter.output.rejects == {"length": 2}


def test_other_frame_types_are_accepted_unused() -> None:
    adapter = BeastAdapter("rx")
    heartbeat = b"\x1a1" + bytes(9)  # readsb's keep-alive: an all-zero Mode A/C frame
    status = beast("4", bytes(14), ticks=5)
    receiver_id = b"\x1a\xe3" + bytes(range(8))
    ping = b"\x1aP\x00\x01\x02"
    mode_ac = beast("1", b"\x12\x34", ticks=7)
    adapter.receive(heartbeat + status + receiver_id + ping + mode_ac + beast("3", IDENT), T)
    out = adapter.output
    assert out.messages == 6 and not out.rejects
    unused = adapter.decoder.unused
    assert (
        unused["heartbeat"],
        unused["status"],
        unused["receiver_id"],
        unused["ping"],
        unused["mode_ac"],
    ) == (1, 1, 1, 1, 1)


def test_radarcape_position_gives_the_receiver() -> None:
    settings = ReceiverSettings(max_range_m=250_000, nation="DE", name="roof")
    adapter = BeastAdapter("rx", settings)
    body = bytes(4) + struct.pack("<3f", 48.35, 11.78, 450.0) + bytes(5)
    frame = b"\x1a5" + body.replace(b"\x1a", b"\x1a\x1a")
    adapter.receive(frame + frame, T)
    (info,) = adapter.output.sensors
    assert info.key == "rx" and info.kind is SensorKind.ADSB
    assert (info.lat_deg, info.lon_deg) == pytest.approx((48.35, 11.78), abs=1e-5)
    assert info.nation == "DE" and info.max_range_m == 250_000


def test_frames_of_one_read_are_spaced_by_their_counter() -> None:
    adapter = BeastAdapter("rx", ReceiverSettings(lat_deg=52.3, lon_deg=3.9))
    ticks = [1_000_000, 1_000_000 + 6_000_000, 1_000_000 + 12_000_000]  # 0.5 s apart
    data = b"".join(beast("3", f, ticks=t) for f, t in zip((EVEN, ODD, EVEN), ticks, strict=True))
    adapter.receive(data, T)
    assert [r.t_measured for r in adapter.output.reports] == pytest.approx([T - 1.0, T - 0.5, T])


def test_a_counter_going_backwards_or_too_far_falls_back_to_t_receive() -> None:
    adapter = BeastAdapter("rx", ReceiverSettings(lat_deg=52.3, lon_deg=3.9))
    ticks = [50_000_000, 10_000_000, 100]  # 4 s behind the last: beyond the 2 s spread
    data = b"".join(beast("3", f, ticks=t) for f, t in zip((EVEN, ODD, EVEN), ticks, strict=True))
    adapter.receive(data, T)
    assert [r.t_measured for r in adapter.output.reports] == [T, T, T]


def test_shared_decoder_must_be_for_the_same_receiver() -> None:
    decoder = ModeSDecoder("rx")
    assert BeastAdapter("rx", decoder=decoder).decoder is decoder
    with pytest.raises(ValueError, match="receiver"):
        BeastAdapter("other", decoder=decoder)


def test_random_splits_of_a_long_stream() -> None:
    rng = random.Random(4)
    frames = [
        beast("3", IDENT, ticks=rng.getrandbits(48), signal=rng.getrandbits(8)) for _ in range(200)
    ]
    data = b"".join(frames)
    adapter = BeastAdapter("rx")
    i = 0
    while i < len(data):
        step = rng.randint(1, 60)
        adapter.receive(data[i : i + step], T)
        i += step
    assert adapter.output.messages == 200 and not adapter.output.rejects
