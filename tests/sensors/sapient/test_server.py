"""The fusion node over real TCP sockets on localhost."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable, Coroutine
from typing import Any

import numpy as np
import pytest

from dronewall.core.clock import ManualClock
from dronewall.core.types import MeasurementKind, ObjectClass, ReportBatch, SensorKind
from dronewall.sensors.sapient import (
    AlertEvent,
    Content,
    FusionNode,
    FusionNodeConfig,
    Reason,
    RegistrationRefusedError,
    SapientError,
    SapientLink,
    SensorNode,
    TaskStatus,
    alert,
    decode,
    frame,
    look_at,
)
from dronewall.sensors.sapient import session as session_module
from dronewall.sensors.sapient.binding import SapientMessage
from dronewall.sensors.sapient.codec import Header, envelope
from dronewall.sensors.sapient.detections import ReportRows
from dronewall.sensors.sapient.ids import UlidFactory
from dronewall.sensors.sapient.status import fusion_status
from dronewall.sensors.sapient.units import Fix
from tests.sensors.sapient import independent
from tests.sensors.sapient.conftest import sensor

Run = Callable[[Coroutine[Any, Any, Any]], Any]
T0 = 1_759_429_800.0


def _reports(n: int, sensor_index: int = 0) -> ReportBatch:
    batch = ReportBatch.allocate(n)
    batch.sensor_index[:] = sensor_index
    batch.sensor_kind[:] = SensorKind.RADAR
    batch.measurement[:] = MeasurementKind.RADAR
    batch.t_measured[:] = T0 + np.arange(n) * 0.5
    batch.range_m[:] = 1000.0 + np.arange(n)
    batch.azimuth_deg[:] = np.linspace(0, 359, n)
    batch.elevation_deg[:] = 2.0
    batch.sigma_range_m[:] = 10.0
    batch.sigma_azimuth_deg[:] = 0.5
    batch.sigma_elevation_deg[:] = 0.7
    batch.declared_class[:] = ObjectClass.DRONE
    batch.class_confidence[:] = 0.625
    return batch


class Bench:
    """A fusion node collecting what it hands to its sink."""

    def __init__(self, **config: Any) -> None:
        self.batches: list[ReportBatch] = []
        self.alerts: list[AlertEvent] = []
        self.clock = ManualClock(T0 + 100.0)
        self.node = FusionNode(
            self.batches.append,
            FusionNodeConfig(**config),
            clock=self.clock,
            on_alert=self.alerts.append,
        )

    @property
    def reports(self) -> ReportBatch:
        return ReportBatch.concat(self.batches)

    async def link(
        self, kind: SensorKind, name: str, *, answer: bool = True
    ) -> tuple[SapientLink, SensorNode]:
        node = SensorNode(sensor(kind, name), UlidFactory(name))
        link = SapientLink(node.node_id, self.clock, on_task=node.answer if answer else None)
        await link.connect("127.0.0.1", self.node.port)
        await link.register(node.registration())
        await link.send(Content.STATUS_REPORT, node.status(T0))
        return link, node

    async def raw(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.node.port)


async def _send_rows(link: SapientLink, node: SensorNode, batch: ReportBatch) -> None:
    rows = ReportRows(batch)
    for row in range(len(batch)):
        link.write(
            Content.DETECTION_REPORT, node.detection(rows, row), float(batch.t_measured[row])
        )
    await link.drain()


def test_detections_reach_the_sink_as_report_batches(run_async: Run) -> None:
    bench = Bench(known_nodes={sensor(SensorKind.RADAR, "r1").uuid: 3})
    sent = _reports(50)

    async def scenario() -> None:
        async with bench.node:
            link, node = await bench.link(SensorKind.RADAR, "r1")
            await _send_rows(link, node, sent)
            await link.close()
            await bench.node.wait_for_connections(0)

    run_async(scenario())
    got = bench.reports
    assert len(got) == 50
    assert np.array_equal(got.report_id, np.arange(50))
    assert set(got.sensor_index.tolist()) == {3}
    for name in (
        "t_measured",
        "range_m",
        "azimuth_deg",
        "elevation_deg",
        "sigma_range_m",
        "declared_class",
        "class_confidence",
        "measurement",
        "sensor_kind",
    ):
        assert np.array_equal(getattr(got, name), getattr(sent, name)), name
    assert np.all(got.t_arrival == T0 + 100.0)
    counts = bench.node.counters.snapshot()
    assert counts["accepted_detection_report"] == 50 and counts["rows_forwarded"] == 50
    assert sum(v for k, v in counts.items() if k.startswith("rejected_")) == 0
    entry = bench.node.registry.get(sensor(SensorKind.RADAR, "r1").uuid)
    assert entry is not None and not entry.connected
    assert entry.status is not None and len(entry.status.coverage) == 1


def test_an_oversized_frame_closes_that_connection_only(run_async: Run) -> None:
    bench = Bench(max_frame_bytes=4096)

    async def scenario() -> bytes:
        async with bench.node:
            link, node = await bench.link(SensorKind.RADAR, "good")
            await _send_rows(link, node, _reports(10))
            reader, writer = await bench.raw()
            writer.write(struct.pack("<I", 4097) + b"\x00" * 100)
            await writer.drain()
            tail = await reader.read()  # the fusion node hangs up: EOF
            writer.close()
            await _send_rows(link, node, _reports(10))
            await link.close()
            await bench.node.wait_for_connections(0)
            return tail

    assert run_async(scenario()) == b""
    assert len(bench.reports) == 20
    assert bench.node.counters.rejected[Reason.FRAME_TOO_LONG] == 1


def test_a_stream_cut_inside_a_frame_is_counted_as_truncated(run_async: Run) -> None:
    bench = Bench()

    async def scenario() -> None:
        async with bench.node:
            _reader, writer = await bench.raw()
            writer.write(frame(b"\x0a\x00")[:5])
            await writer.drain()
            writer.close()
            await writer.wait_closed()
            await bench.node.wait_for_connections(0)

    run_async(scenario())
    assert bench.node.counters.rejected[Reason.TRUNCATED] == 1


def test_garbage_in_good_frames_is_answered_and_the_stream_stays_in_step(run_async: Run) -> None:
    bench = Bench()
    registration = independent.corpus("registration_full").SerializeToString()
    detection = independent.corpus("detection_location_full").SerializeToString()

    async def scenario() -> list[bytes]:
        async with bench.node:
            reader, writer = await bench.raw()
            for payload in (b"\xff\xfe\xfd", detection, b"", registration, detection):
                writer.write(frame(payload))
            await writer.drain()
            writer.write_eof()
            replies = await reader.read()
            writer.close()
            await bench.node.wait_for_connections(0)
            return [p for p in _frames(replies)]

    replies = run_async(scenario())
    kinds = [_content(p) for p in replies]
    assert kinds == ["error", "error", "registration_ack"]  # garbage, unregistered, ack
    assert len(bench.reports) == 1
    rejected = bench.node.counters.rejected
    assert (rejected[Reason.NOT_PROTOBUF], rejected[Reason.UNREGISTERED]) == (1, 1)
    assert rejected[Reason.EMPTY_FRAME] == 1


def test_a_camera_is_cued_onto_a_track_and_a_radar_refuses(run_async: Run) -> None:
    bench = Bench()

    async def scenario() -> tuple[TaskStatus, TaskStatus, int]:
        async with bench.node:
            camera, camera_node = await bench.link(SensorKind.EOIR, "cam")
            radar, radar_node = await bench.link(SensorKind.RADAR, "radar")
            target = Fix(48.3541, 11.8012, 512.0)
            cued = await bench.node.send_task(
                camera_node.node_id, look_at("01K6H3ZF4E8C3V6R2S0T7W9X1Z", target)
            )
            refused = await bench.node.send_task(
                radar_node.node_id, look_at("01K6H3ZF4E8C3V6R2S0T7W9X20", target)
            )
            received = len(camera.tasks)
            await camera.close()
            await radar.close()
            return cued.status, refused.status, received

    cued, refused, received = run_async(scenario())
    assert (cued, refused, received) == (TaskStatus.ACCEPTED, TaskStatus.REJECTED, 1)


def test_a_task_nobody_answers_fails_after_the_timeout(run_async: Run) -> None:
    bench = Bench(task_timeout_s=0.05)

    async def scenario() -> TaskStatus:
        async with bench.node:
            link, node = await bench.link(SensorKind.EOIR, "mute", answer=False)
            outcome = await bench.node.send_task(
                node.node_id, look_at("01K6H3ZF4E8C3V6R2S0T7W9X1Z", Fix(48.0, 11.0))
            )
            await link.close()
            return outcome.status

    assert run_async(scenario()) is TaskStatus.FAILED
    with pytest.raises(KeyError):
        run_async(
            Bench().node.send_task(
                sensor(SensorKind.EOIR).uuid, look_at("01K6H3ZF4E8C3V6R2S0T7W9X1Z", Fix(0, 0))
            )
        )


def test_alerts_are_acknowledged_over_tcp(run_async: Run) -> None:
    bench = Bench()

    async def scenario() -> int:
        async with bench.node:
            link, _ = await bench.link(SensorKind.ACOUSTIC, "mic")
            ack = await link.raise_alert(
                alert("01K6H3ZK8J2G7Z0W6X4Y1A3B5D", "drone heard", location=Fix(48.36, 11.79))
            )
            await link.close()
            return ack.alert_ack_status

    assert run_async(scenario()) == 1  # ACCEPTED
    assert [a.description for a in bench.alerts] == ["drone heard"]


def test_a_refused_registration_raises_on_the_node_side(run_async: Run) -> None:
    bench = Bench()

    async def scenario() -> None:
        async with bench.node:
            node = SensorNode(sensor(SensorKind.RADAR), UlidFactory(0))
            registration = node.registration()
            registration.icd_version = "BSI Flex 335 v1.0"
            link = SapientLink(node.node_id, bench.clock, validate=False)
            await link.connect("127.0.0.1", bench.node.port)
            try:
                await link.register(registration)
            finally:
                await link.close()

    with pytest.raises(RegistrationRefusedError, match="bad_version"):
        run_async(scenario())


def test_a_failing_sink_is_counted_and_the_node_goes_on(run_async: Run) -> None:
    calls: list[int] = []

    def sink(batch: ReportBatch) -> None:
        calls.append(len(batch))
        raise RuntimeError("tracker fell over")

    node = FusionNode(sink, FusionNodeConfig(), clock=ManualClock(T0))

    async def scenario() -> None:
        async with node:
            link = SapientLink(sensor(SensorKind.RADAR).uuid, ManualClock(T0))
            await link.connect("127.0.0.1", node.port)
            description = sensor(SensorKind.RADAR)
            sensor_node = SensorNode(description, UlidFactory(0))
            await link.register(sensor_node.registration())
            await _send_rows(link, sensor_node, _reports(5))
            await link.close()
            await node.wait_for_connections(0)

    run_async(scenario())
    assert sum(calls) == 5
    assert node.counters.sink_failures == len(calls) >= 1


def _frames(data: bytes) -> list[bytes]:
    out = []
    while data:
        (length,) = struct.unpack_from("<I", data)
        out.append(data[4 : 4 + length])
        data = data[4 + length :]
    return out


def _content(payload: bytes) -> str:
    message = decode(payload)
    assert not isinstance(message, SapientError)
    return str(message.WhichOneof("content"))


def _big_status(node_id: str, bad_latitude: bool) -> bytes:
    """A StatusReport of ~1 MB (41,500 coverage vertices), its last latitude 95° if ``bad``."""
    polygons = [tuple((48.0 + i * 1e-4, 11.0 + j * 1e-4) for j in range(100)) for i in range(415)]
    message = envelope(Header(node_id, T0))
    message.status_report.CopyFrom(fusion_status(UlidFactory(5).new(T0), polygons))
    if bad_latitude:
        message.status_report.coverage[-1].location_list.locations[-1].y = 95.0
    return message.SerializeToString()


def test_a_large_message_from_an_unregistered_peer_is_refused_before_it_is_validated(
    run_async: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = Bench()
    radar = SensorNode(sensor(SensorKind.RADAR, "r"), UlidFactory(1))
    decoded: list[int] = []

    def counting_decode(payload: bytes) -> SapientMessage | SapientError:
        decoded.append(len(payload))
        return decode(payload)

    monkeypatch.setattr(session_module, "decode", counting_decode)
    registration = envelope(Header(radar.node_id, T0))
    registration.registration.CopyFrom(radar.registration())
    stranger = _big_status(radar.node_id, bad_latitude=True)
    assert 900_000 < len(stranger) < 1 << 20

    async def scenario() -> list[bytes]:
        async with bench.node:
            reader, writer = await bench.raw()
            for payload in (stranger, registration.SerializeToString(), stranger):
                writer.write(frame(payload))
            await writer.drain()
            writer.write_eof()
            replies = await reader.read()
            writer.close()
            await bench.node.wait_for_connections(0)
            return _frames(replies)

    first, ack, second = run_async(scenario())
    error = decode(first)
    assert not isinstance(error, SapientError) and error.WhichOneof("content") == "error"
    assert "unregistered" in error.error.error_message[0]
    assert error.error.packet == stranger[: len(error.error.packet)]
    assert _content(ack) == "registration_ack"
    # Once registered, the same frame is decoded and its bad latitude found.
    assert "out_of_range" in decode(second).error.error_message[0]  # type: ignore[union-attr]
    assert decoded == [len(registration.SerializeToString()), len(stranger)]
    rejected = bench.node.counters.rejected
    assert (rejected[Reason.UNREGISTERED], rejected[Reason.OUT_OF_RANGE]) == (1, 1)
