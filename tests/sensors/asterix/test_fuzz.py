"""Fuzzing the ASTERIX adapter: 100,000 seeded inputs — random bytes, random bodies behind a
correct block header, and mutations of valid datagrams (the CROCO capture, the published
blocks, encoded plots and service messages): bit flips, truncations, extensions, splices and
LEN changes. Nothing may raise; every non-empty input must be accounted for (accepted or
rejected with a reason at least once, and no more often than it has octets); every report
must be finite with positive sigmas. A second pass feeds mutated recordings to the stream
mode in random chunks. About 10 s on one core.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from dronewall.sensors.asterix import (
    AsterixAdapter,
    Plot048,
    RadarSettings,
    Service034,
    encode_cat034,
    encode_cat048,
    north_marker,
)
from dronewall.sensors.feed import FeedOutput
from tests.sensors.asterix.corpus_files import croco_datagrams, published

FUZZ_INPUTS = 100_000
T0 = 1_765_000_000.0
RADAR = RadarSettings(52.0, 21.0, 120.0, sigma_range_m=30.0, amplitude_1m2_1km_dbm=-60.0)


def _seeds() -> list[bytes]:
    seeds = [payload for _, payload in croco_datagrams()] + list(published().values())
    plots = [
        Plot048(43200.0 + i, 1000.0 + 900.0 * i, 7.0 * i, address=0x3C0000 + i, callsign="X1")
        for i in range(20)
    ]
    seeds.append(encode_cat048(plots, 25, 10) + encode_cat034([north_marker(43300.0, 4.0)], 25, 10))
    seeds.append(encode_cat034([Service034(43201.0, 2, sector_deg=45.0, nogo=True)], 25, 10))
    doppler = [
        Plot048(43210.0 + i, 5000.0 + 300.0 * i, 11.0 * i, doppler_mps=-200.0 + 40 * i,
                doppler_doubtful=i % 3 == 0, psr_amplitude_dbm=-90.0 + 5 * i)
        for i in range(10)
    ]  # fmt: skip
    seeds.append(encode_cat048(doppler, 25, 10))
    return seeds


def _flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def _extend(rng: random.Random, data: bytes) -> bytes:
    return data + rng.randbytes(rng.randint(1, 40))


def _splice(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.randbytes(rng.randint(0, 12)) + data[i + rng.randint(0, 12) :]


def _relength(rng: random.Random, data: bytes) -> bytes:
    if len(data) < 3:
        return data
    length = ((data[1] << 8 | data[2]) + rng.randint(-6, 6)) % 65536
    return data[:1] + length.to_bytes(2, "big") + data[3:]


def _random_body(rng: random.Random, data: bytes) -> bytes:
    body = rng.randbytes(rng.randint(0, 60))
    return bytes((rng.choice((48, 34)),)) + (len(body) + 3).to_bytes(2, "big") + body


MUTATIONS: tuple[Callable[[random.Random, bytes], bytes], ...] = (
    _flip,
    _flip,
    _truncate,
    _extend,
    _splice,
    _relength,
    _random_body,
)


def _inputs(rng: random.Random, count: int) -> list[bytes]:
    seeds = _seeds()
    inputs: list[bytes] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.1:
            inputs.append(rng.randbytes(rng.randint(0, 120)))
        else:
            data = rng.choice(seeds)
            for _ in range(rng.randint(1, 3)):
                data = rng.choice(MUTATIONS)(rng, data) if data else data
            inputs.append(data)
    return inputs


def _handled(out: FeedOutput) -> int:
    return out.messages + sum(out.rejects.values())


def _check_reports(out: FeedOutput) -> None:
    for r in out.reports:
        values = (r.t_measured, r.range_m, r.azimuth_deg, r.elevation_deg)
        assert all(math.isfinite(v) for v in values), r
        sigmas = (r.sigma_range_m, r.sigma_azimuth_deg, r.sigma_elevation_deg)
        assert all(math.isfinite(s) and s > 0.0 for s in sigmas), r
        assert 0.0 <= r.azimuth_deg < 360.0 and -90.0 < r.elevation_deg < 90.0
        assert abs(r.t_measured - T0) <= 43_200.0
        # format 1.1: I048/120 CAL is 10 signed bits; PAM ±128 dBm less the constant + 40 log R
        assert math.isnan(r.radial_velocity_mps) or abs(r.radial_velocity_mps) <= 512.0
        assert math.isnan(r.rcs_dbsm) or abs(r.rcs_dbsm) < 400.0


def test_fuzz_100_000_datagrams_every_one_accounted_for() -> None:
    rng = random.Random(20251207)
    inputs = _inputs(rng, FUZZ_INPUTS)
    with_default = AsterixAdapter({"25/10": RADAR}, default=RADAR)
    strict = AsterixAdapter({"25/10": RADAR})
    handled = accepted = 0
    for i, data in enumerate(inputs):
        adapter = with_default if i % 4 else strict
        before = _handled(adapter.output)
        adapter.receive(data, T0 + i * 1e-3)
        delta = _handled(adapter.output) - before
        assert (delta >= 1) if data else (delta == 0), data.hex()
        assert delta <= len(data), data.hex()
        handled += delta
        if i % 5000 == 4999:
            for a in (with_default, strict):
                _check_reports(a.output)
                accepted += a.output.take().messages
    for a in (with_default, strict):
        _check_reports(a.output)
        accepted += a.output.take().messages
    # The mutations leave plenty decodable and plenty broken: both paths are exercised.
    assert handled >= FUZZ_INPUTS and 0.1 < accepted / handled < 0.9
    assert strict.skipped.total() + with_default.skipped.total() > 0


def test_fuzz_stream_mode_in_random_chunks() -> None:
    rng = random.Random(99)
    adapter = AsterixAdapter({"25/10": RADAR}, default=RADAR, stream=True)
    fed = 0
    for _ in range(300):
        recording = b"".join(_inputs(rng, 20))
        pos = 0
        while pos < len(recording):
            step = rng.randint(1, 700)
            before = _handled(adapter.output)
            adapter.receive(recording[pos : pos + step], T0 + fed * 1e-3)
            assert _handled(adapter.output) - before <= step
            pos += step
            fed += 1
        assert adapter.pending < 65_536
    _check_reports(adapter.output)
    # Corruption every few hundred octets keeps a stream mostly out of step (a false block
    # found in the garbage can announce a LEN of tens of kilobytes); what matters here is
    # that nothing raises and nothing grows. Recovery is the next test's business.
    assert adapter.output.messages > 300 and sum(adapter.output.rejects.values()) > 300


def test_stream_mode_finds_its_step_again_after_corruption() -> None:
    """A clean recording of 2,000 blocks with 20 corruptions: all but the blocks hit (and the
    odd neighbour) are decoded."""
    rng = random.Random(5)
    blocks = [
        encode_cat048(
            [Plot048(1000.0 + i, 5000.0 + 10.0 * j, 3.0 * j, mode3a=0o1200) for j in range(5)],
            25,
            10,
        )
        for i in range(2000)
    ]
    hit = set(rng.sample(range(2000), 20))
    corrupt = {0: _flip, 1: _truncate, 2: _extend, 3: _splice, 4: _relength}
    recording = b"".join(
        corrupt[i % 5](rng, b) if i in hit and i % 5 else b + rng.randbytes(1) if i in hit else b
        for i, b in enumerate(blocks)
    )
    adapter = AsterixAdapter({"25/10": RADAR}, stream=True)
    pos = 0
    while pos < len(recording):
        step = rng.randint(1, 4000)
        adapter.receive(recording[pos : pos + step], T0)
        pos += step
    assert adapter.pending == 0
    reported = len(adapter.output.reports)
    assert 5 * 1950 <= reported <= 5 * 2000 + 5
    assert 1 <= sum(adapter.output.rejects.values()) <= 40
