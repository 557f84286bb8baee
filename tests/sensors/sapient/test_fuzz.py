"""Fuzzing the SAPIENT decoder and the fusion node's frame handling.

* ``test_atheris_fuzz_of_100_000_inputs``: coverage-guided (atheris, libFuzzer), seeded with
  the conformance corpus, 100,000 inputs in a subprocess (``fuzz_sapient.py``): nothing
  raises, every input is counted once as accepted or rejected with a reason, every reply
  conforms. Marked ``slow`` but part of ``make test``: 20–40 s on one core.
* The hypothesis tests run the same properties on structured inputs — corpus messages with
  bytes flipped, cut and spliced, and streams of good and bad frames in random chunks.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dronewall.core.clock import ManualClock
from dronewall.sensors.sapient import (
    FrameReader,
    Reason,
    SapientError,
    SensorRegistry,
    decode,
    frame,
)
from dronewall.sensors.sapient.binding import SapientMessage
from dronewall.sensors.sapient.ids import UlidFactory
from dronewall.sensors.sapient.session import FusionCore, Session
from tests.sensors.sapient import independent

FUZZ_INPUTS = 100_000
SEEDS = {name: independent.corpus(name).SerializeToString() for name in independent.corpus_names()}


@pytest.mark.slow
def test_atheris_fuzz_of_100_000_inputs(tmp_path: Path) -> None:
    seed_dir = tmp_path / "seeds"
    seed_dir.mkdir()
    for name, payload in SEEDS.items():
        (seed_dir / name).write_bytes(payload)
    target = Path(__file__).with_name("fuzz_sapient.py")
    command = [
        sys.executable,
        str(target),
        str(seed_dir),
        f"-runs={FUZZ_INPUTS}",
        "-seed=20251002",
        "-max_len=4096",
        "-print_final_stats=1",
        f"-artifact_prefix={tmp_path}/",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=Path.cwd())
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    runs = re.search(r"Done (\d+) runs", output)
    assert runs is not None, output[-2000:]
    assert int(runs.group(1)) >= FUZZ_INPUTS


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A corpus message with a few bytes changed, cut out, inserted or spliced in."""
    data = bytearray(draw(st.sampled_from(sorted(SEEDS.values()))))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "cut", "insert", "splice"]))
        if action == "flip" and position < len(data):
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif action == "cut":
            del data[position : position + draw(st.integers(1, 16))]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        else:
            other = draw(st.sampled_from(sorted(SEEDS.values())))
            data[position:] = other[draw(st.integers(0, len(other))) :]
    return bytes(data)


inputs = st.one_of(mutated(), st.binary(max_size=512))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs)
def test_decode_returns_a_message_or_an_error_and_never_raises(data: bytes) -> None:
    result = decode(data)
    assert isinstance(result, SapientMessage | SapientError)
    if isinstance(result, SapientError):
        assert result.reason in Reason


def _core() -> tuple[FusionCore, Session]:
    core = FusionCore(
        "5b9a2c4e-0b7d-4c1e-9f0a-2d6f1e8b7c31", SensorRegistry(), ManualClock(0.0), UlidFactory(0)
    )
    session = Session("fuzz")
    for name in ("registration_full", "registration_small"):
        core.receive(session, SEEDS[name])
    return core, session


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    frames=st.lists(inputs, max_size=12),
    cuts=st.lists(st.integers(0, 10_000), max_size=6),
    tail=st.binary(max_size=6),
)
def test_every_frame_of_a_stream_is_counted_once(
    frames: list[bytes], cuts: list[int], tail: bytes
) -> None:
    core, session = _core()
    before = sum(core.counters.accepted.values()) + sum(core.counters.rejected.values())
    stream = b"".join(frame(f) for f in frames) + tail
    reader = FrameReader()
    items: list[bytes | SapientError] = []
    points = sorted({min(c, len(stream)) for c in cuts} | {0, len(stream)})
    for start, end in itertools.pairwise(points):
        for item in reader.feed(stream[start:end]):
            items.append(item)
            if isinstance(item, SapientError):
                core.reject(session, item)
            else:
                core.receive(session, item)
    if (end_error := reader.finish()) is not None:
        items.append(end_error)
        core.reject(session, end_error)
    after = sum(core.counters.accepted.values()) + sum(core.counters.rejected.values())
    assert after - before == len(items)  # every frame, good or bad, counted once
    got = [i if isinstance(i, bytes) else b"" for i in items[: len(frames)]]
    assert got == frames  # the stream stayed in step (an empty frame reads as an error)
    assert len(items) >= len(frames) + (1 if tail else 0)
