"""Raw MQTT recordings (JSON lines): written by ``record_line``, replayed by
``MqttAdapter.receive`` in chunks of any size with the same outcome as the live messages."""

from __future__ import annotations

import random

import orjson
import pytest

from dronewall.sensors.mqtt import MqttAdapter, MqttSettings, parse_line, record_line
from dronewall.sensors.mqtt.values import Invalid
from tests.sensors.mqtt.doc_examples import T_RECEIVE, examples


def messages() -> list[tuple[str, bytes, float, bool]]:
    out = [(ex.topic, ex.payload, T_RECEIVE + i * 0.01, False) for i, ex in enumerate(examples())]
    out.insert(0, (examples()[0].topic, examples()[0].payload, T_RECEIVE - 1, True))
    out.append(("dronewall/v1/x/detections", b"\xff\x00binary\n", T_RECEIVE + 1, False))
    out.append(("dronewall/v1/x/status", b"", T_RECEIVE + 1, False))
    return out


def test_lines_round_trip() -> None:
    for topic, payload, t, retained in messages():
        line = record_line(topic, payload, t, retained)
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        recorded = parse_line(line[:-1])
        assert (recorded.topic, recorded.payload, recorded.t, recorded.retained) == (
            topic,
            payload,
            t,
            retained,
        )
    assert b"payload_b64" in record_line("a/b/c", b"\xff", 1.0)
    assert b'"payload":"{}"' in record_line("a/b/c", b"{}", 1.0)


def live_and_replayed(chunk_sizes: list[int]) -> tuple[MqttAdapter, MqttAdapter]:
    live, replay = MqttAdapter(), MqttAdapter()
    recording = b""
    for topic, payload, t, retained in messages():
        live.receive_message(topic, payload, t, retained)
        recording += record_line(topic, payload, t, retained)
    sizes = iter(chunk_sizes)
    start = 0
    while start < len(recording):
        size = next(sizes)
        replay.receive(recording[start : start + size], 0.0)
        start += size
    return live, replay


@pytest.mark.parametrize("seed", range(5))
def test_replay_in_random_chunks_equals_live(seed: int) -> None:
    rng = random.Random(seed)
    live, replay = live_and_replayed([rng.randint(1, 300) for _ in range(100_000)])
    assert replay.output.reports == live.output.reports
    assert replay.output.sensors == live.output.sensors
    assert replay.output.statuses == live.output.statuses
    assert replay.output.rejects == live.output.rejects
    assert replay.output.messages == live.output.messages > 10
    assert replay.output.rejects["retained"] == 0  # a retained register is fine
    assert replay.output.rejects["json"] == 2  # NaN example and the binary payload


@pytest.mark.parametrize(
    "line",
    [
        b"not json",
        b"[1]",
        b'{"topic": "a/b/c", "payload": ""}',
        b'{"t": -1, "topic": "a/b/c", "payload": ""}',
        b'{"t": true, "topic": "a/b/c", "payload": ""}',
        b'{"t": 1, "topic": "" , "payload": "", "x": 1, "retained": null}',
        b'{"t": 1, "topic": 5, "payload": ""}',
        b'{"t": 1, "topic": "a/b/c"}',
        b'{"t": 1, "topic": "a/b/c", "payload": "", "payload_b64": ""}',
        b'{"t": 1, "topic": "a/b/c", "payload": 5}',
        b'{"t": 1, "topic": "a/b/c", "payload_b64": "***"}',
        b'{"t": 1, "topic": "a/b/c", "payload": "", "retained": 1}',
    ],
)
def test_bad_lines(line: bytes) -> None:
    with pytest.raises(Invalid) as caught:
        parse_line(line)
    assert caught.value.reason == "line"
    adapter = MqttAdapter()
    adapter.receive(line + b"\n\n", 0.0)
    assert adapter.output.rejects == {"line": 1} and adapter.output.messages == 0


def test_overlong_lines_are_skipped_whole() -> None:
    adapter = MqttAdapter(MqttSettings(max_payload_bytes=10))  # lines up to 4,156 bytes
    good = record_line("dronewall/v1/n/status", b'{"state":"online"}', 1.0)
    long_line = orjson.dumps({"t": 1, "topic": "a/b/c", "payload": "x" * 5000}) + b"\n"
    for data in (long_line + good, long_line[:3000], long_line[3000:] + good):
        adapter.receive(data, 0.0)
    # The long line twice (once whole, once split across reads); the status line after each
    # is read, but its 18-byte payload is over this adapter's 10.
    assert adapter.output.rejects == {"line_too_long": 2, "too_large": 2}
    adapter = MqttAdapter()
    adapter.receive(long_line + good, 0.0)
    assert adapter.output.messages == 1 and adapter.output.rejects == {"topic": 1}
