"""Coverage-guided fuzz target (atheris / libFuzzer) for the SAPIENT decoder and the fusion
node's handling of a frame. Run by ``test_fuzz.py`` in a subprocess, since libFuzzer owns the
process; by hand::

    python tests/sensors/sapient/fuzz_sapient.py SEED_DIR -runs=100000 -seed=1

Each input is fed twice: as one frame payload to a fusion node's core (on which the corpus
nodes have registered, so mutated detections reach the unit conversions), and as a raw TCP
byte stream to the frame reader. The target crashes — which libFuzzer reports — if anything
raises, if an input is not counted exactly once (accepted or rejected with a reason), or if a
reply the node would send does not itself conform.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["dronewall.sensors.sapient"]):
    from dronewall.core.clock import ManualClock
    from dronewall.sensors.sapient import FrameReader, Reason, SapientError, SensorRegistry, decode
    from dronewall.sensors.sapient.binding import SapientMessage
    from dronewall.sensors.sapient.ids import UlidFactory
    from dronewall.sensors.sapient.session import FusionCore, Session

FUSION = "5b9a2c4e-0b7d-4c1e-9f0a-2d6f1e8b7c31"
CORE = FusionCore(FUSION, SensorRegistry(), ManualClock(1_759_429_900.0), UlidFactory(0))
SESSION = Session("fuzz")


def register(seed_dir: Path) -> None:
    """Register every node id the seed corpus uses, with the corpus's registrations."""
    registrations = [
        SapientMessage.FromString((seed_dir / name).read_bytes())
        for name in ("registration_full", "registration_small")
    ]
    nodes = set()
    for path in seed_dir.iterdir():
        nodes.add(SapientMessage.FromString(path.read_bytes()).node_id)
    for node_id in sorted(nodes):
        for registration in registrations:
            registration.node_id = node_id
            CORE.receive(SESSION, registration.SerializeToString())


def total() -> int:
    return sum(CORE.counters.accepted.values()) + sum(CORE.counters.rejected.values())


def check_replies(replies: list[bytes]) -> None:
    for reply in replies:
        (payload,) = FrameReader().feed(reply)
        assert isinstance(payload, bytes)
        assert not isinstance(decode(payload), SapientError), "the node sent a bad reply"


def test_one_input(data: bytes) -> None:
    before = total()
    replies = CORE.receive(SESSION, data)
    assert total() == before + 1, "an input was not counted exactly once"
    check_replies(replies)
    if len(CORE.rows) > 10_000:
        CORE.rows.take(0)

    reader = FrameReader(max_frame_bytes=2048)
    split = data[0] % (len(data) + 1) if data else 0
    items = reader.feed(data[:split]) + reader.feed(data[split:])
    end = reader.finish()
    for item in [*items, *([end] if end is not None else [])]:
        assert isinstance(item, bytes) or item.reason in Reason


def main() -> None:
    seed_dir = Path(sys.argv[1])
    register(seed_dir)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
