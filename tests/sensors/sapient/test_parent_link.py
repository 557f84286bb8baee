"""A child fusion node's link to its parent (``upward.ParentLink``) over real loopback TCP:
tasks answered, malformed messages answered with an Error, a bounded close, reconnection."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Coroutine
from typing import Any

import numpy as np

from dronewall.core.clock import ManualClock
from dronewall.core.types import ObjectClass, SensorKind
from dronewall.sensors.sapient import (
    Content,
    FusionNode,
    FusionNodeConfig,
    Health,
    ParentConfig,
    ParentLink,
    Reason,
    SapientError,
    SapientLink,
    SensorNode,
    SensorRegistry,
    TaskStatus,
    UpwardTracks,
    alert,
    decode,
    frame,
    look_at,
)
from dronewall.sensors.sapient.binding import Error, RegistrationAck, SapientMessage, Task
from dronewall.sensors.sapient.codec import Header, envelope
from dronewall.sensors.sapient.framing import FrameReader
from dronewall.sensors.sapient.ids import UlidFactory, node_uuid
from dronewall.sensors.sapient.status import fusion_status
from dronewall.sensors.sapient.tasks import mode_change, request
from dronewall.sensors.sapient.units import Fix
from dronewall.sensors.sapient.upward import Backoff
from tests.sensors.sapient.conftest import sensor

Run = Callable[[Coroutine[Any, Any, Any]], Any]
T0 = 1_759_429_800.0
PARENT = node_uuid("region fusion node")
# Only to turn a hang (the defect these tests guard against) into a failure: never reached
# when the code works, whatever the machine's load.
HANG_GUARD_S = 60.0


def _config(port: int, **overrides: Any) -> ParentConfig:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "name": "site Munich",
        "status_interval_s": 3600.0,  # a status on registering, then none unless asked
        "reconnect_min_s": 0.01,
        "reconnect_max_s": 0.05,
        "close_timeout_s": 0.05,
    }
    values.update(overrides)
    return ParentConfig(**values)


def _tracks(t: float) -> UpwardTracks:
    return UpwardTracks.from_geodetic(
        track_id=[7],
        t=[t],
        lat_deg=[48.35],
        lon_deg=[11.78],
        alt_m=[500.0],
        velocity_enu_mps=[[10.0, 0.0, 0.0]],
        covariance_enu_m2=[[[25.0, 0, 0], [0, 25.0, 0], [0, 0, 100.0]]],
        object_class=[ObjectClass.DRONE],
        class_confidence=[0.9],
    )


async def _until(condition: Callable[[], bool]) -> None:
    """Yield to the event loop until ``condition`` holds."""
    async with asyncio.timeout(HANG_GUARD_S):
        while not condition():
            await asyncio.sleep(0.005)


class ScriptedParent:
    """A parent fusion node played by hand over a real socket: it acknowledges registrations
    and records every message the child sends; the test sends the rest and decides whether
    the parent closes its end when the child does (``hold_open``)."""

    def __init__(self, *, hold_open: bool = False, validate_detections: bool = True) -> None:
        self.hold_open = hold_open
        self.validate_detections = validate_detections
        self.received: list[SapientMessage] = []
        self.eof = asyncio.Event()
        self.release = asyncio.Event()
        self._writer: asyncio.StreamWriter | None = None
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def send(self, payload: bytes) -> None:
        assert self._writer is not None
        self._writer.write(frame(payload))

    def stop_reading(self) -> None:
        """Read nothing more on the current connection (until ``resume_reading``)."""
        assert self._writer is not None
        receiving = self._writer.get_extra_info("socket")
        receiving.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16_384)
        self._writer.transport.pause_reading()  # type: ignore[attr-defined]

    def resume_reading(self) -> None:
        assert self._writer is not None
        self._writer.transport.resume_reading()  # type: ignore[attr-defined]

    def of(self, content: Content) -> list[SapientMessage]:
        return [m for m in self.received if m.WhichOneof("content") == content.value]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        try:
            await self._read(reader)
            self.eof.set()
            if self.hold_open:
                await self.release.wait()
        except ConnectionError:
            pass  # the child dropped the connection
        finally:
            writer.close()

    async def _read(self, reader: asyncio.StreamReader) -> None:
        frames = FrameReader()
        while data := await reader.read(65_536):
            for payload in frames.feed(data):
                assert isinstance(payload, bytes)
                message = SapientMessage.FromString(payload)
                if self.validate_detections or message.WhichOneof("content") != "detection_report":
                    checked = decode(payload)
                    assert not isinstance(checked, SapientError), str(checked)  # it conforms
                self.received.append(message)
                if message.WhichOneof("content") == "registration":
                    self.send(_message(Content.REGISTRATION_ACK, RegistrationAck(acceptance=True)))


def _message(content: Content, body: Any) -> bytes:
    message = envelope(Header(PARENT, T0))
    getattr(message, content.value).CopyFrom(body)
    return message.SerializeToString()


# --- 1. every Task gets a TaskAck --------------------------------------------------------------


def test_the_child_answers_every_task_from_its_parent_with_a_task_ack(run_async: Run) -> None:
    clock = ManualClock(T0)
    region = FusionNode(lambda batch: None, FusionNodeConfig(), clock=clock)
    ids = UlidFactory(9)

    async def scenario() -> tuple[list[Any], int, int]:
        async with region:
            child = ParentLink(_config(region.port), SensorRegistry(), clock)
            await child.connect()
            await _until(lambda: region.counters.accepted[Content.STATUS_REPORT] == 1)
            child_id = child.config.uuid
            outcomes = [
                await region.send_task(child_id, request(ids.new(T0), "Status")),
                await region.send_task(child_id, look_at(ids.new(T0), Fix(48.35, 11.78))),
                await region.send_task(child_id, mode_change(ids.new(T0), "Patrol")),
                await region.send_task(child_id, request(ids.new(T0), "Registration")),
            ]
            # the Status request is carried out (a status report), so is the Registration one
            await _until(lambda: region.counters.accepted[Content.STATUS_REPORT] == 2)
            await _until(lambda: region.counters.accepted[Content.REGISTRATION] == 2)
            statuses = region.counters.accepted[Content.STATUS_REPORT]
            await child.close()
            return outcomes, statuses, region.counters.accepted[Content.TASK_ACK]

    outcomes, statuses, acks = run_async(scenario())
    assert [o.status for o in outcomes] == [
        TaskStatus.ACCEPTED,
        TaskStatus.REJECTED,
        TaskStatus.REJECTED,
        TaskStatus.ACCEPTED,
    ]
    assert "look_at command is not supported" in outcomes[1].reasons[0]
    assert "mode_change command is not supported" in outcomes[2].reasons[0]
    assert (statuses, acks) == (2, 4)


# --- 2. a malformed message from the parent is answered with an Error ----------------------------


def test_malformed_and_unexpected_messages_from_the_parent_are_answered_with_errors(
    run_async: Run,
) -> None:
    parent = ScriptedParent()
    no_task_id = Task(task_name="no id", control=Task.Control.CONTROL_START)
    no_task_id.command.request = "Status"
    sent = [
        b"\xff\xfe\xfd",  # not protobuf
        _message(Content.TASK, no_task_id),  # a Task without its mandatory task_id
        _message(Content.ERROR, Error(packet=b"\x01")),  # an Error without error_message
        _message(Content.STATUS_REPORT, fusion_status(UlidFactory(3).new(T0), [])),
    ]

    async def scenario() -> tuple[list[SapientMessage], dict[Reason, int], int]:
        port = await parent.start()
        child = ParentLink(_config(port), SensorRegistry(), ManualClock(T0))
        await child.connect()
        for payload in sent:
            parent.send(payload)
        await _until(lambda: len(parent.of(Content.ERROR)) == len(sent))
        tracked = await child.send_tracks(_tracks(T0))  # the link carries on
        await _until(lambda: len(parent.of(Content.DETECTION_REPORT)) == 1)
        assert child.link is not None
        rejected = dict(child.link.counters.rejected)
        await child.close()
        await parent.stop()
        return parent.of(Content.ERROR), rejected, tracked

    errors, rejected, tracked = run_async(scenario())
    assert [e.error.packet for e in errors] == sent
    reasons = [e.error.error_message[0].split(":")[0].split(" ")[0] for e in errors]
    assert reasons == ["not_protobuf", "missing_field", "missing_field", "unexpected"]
    assert "task.task_id" in errors[1].error.error_message[0]
    assert "error.error_message" in errors[2].error.error_message[0]
    assert all(e.destination_id == PARENT or not e.destination_id for e in errors)
    assert rejected == {
        Reason.NOT_PROTOBUF: 1,
        Reason.MISSING_FIELD: 2,
        Reason.UNEXPECTED: 1,
    }
    assert tracked == 1


# --- 3. closing is bounded ---------------------------------------------------------------------


def test_closing_is_bounded_when_the_parent_keeps_the_socket_open(run_async: Run) -> None:
    parent = ScriptedParent(hold_open=True)

    async def scenario() -> tuple[bool, bool, Health]:
        port = await parent.start()
        child = ParentLink(_config(port), SensorRegistry(), ManualClock(T0))
        await child.connect()
        async with asyncio.timeout(HANG_GUARD_S):
            await child.close()  # the parent never closes its end
        half_closed = parent.eof.is_set()  # it saw our EOF before we gave up on it
        link = child.link
        assert link is not None
        await parent.stop()
        last = parent.received[-1]
        return half_closed, link.closed, Health(last.status_report.system)

    half_closed, closed, last_health = run_async(scenario())
    assert half_closed and closed
    assert last_health is Health.GOODBYE  # sent before the half-close


def test_a_sensor_link_closes_too_when_the_fusion_node_keeps_the_socket_open(
    run_async: Run,
) -> None:
    parent = ScriptedParent(hold_open=True)
    radar = SensorNode(sensor(SensorKind.RADAR, "held"), UlidFactory(1))

    async def scenario() -> tuple[bool, bool]:
        port = await parent.start()
        link = SapientLink(radar.node_id, ManualClock(T0))
        await link.connect("127.0.0.1", port)
        await link.register(radar.registration())
        async with asyncio.timeout(HANG_GUARD_S):
            await link.close(timeout_s=0.05)
        await parent.stop()
        return parent.eof.is_set(), link.closed

    assert run_async(scenario()) == (True, True)


# --- reconnection -------------------------------------------------------------------------------


def test_the_child_reconnects_and_registers_again_when_its_parent_comes_back(
    run_async: Run,
) -> None:
    clock = ManualClock(T0)
    site = SensorRegistry()

    async def scenario() -> tuple[int, int, int, int]:
        first = FusionNode(lambda batch: None, FusionNodeConfig(), clock=clock)
        await first.start()
        port = first.port
        child = ParentLink(_config(port), site, clock)
        await child.connect()
        await first.close()  # the parent goes away
        await _until(lambda: not child.connected)
        lost = await child.send_tracks(_tracks(T0))  # nobody to send to: dropped
        alert_ack = await child.raise_alert(
            alert("01K6H3ZK8J2G7Z0W6X4Y1A3B5D", "drone at the fence")
        )
        second = FusionNode(lambda batch: None, FusionNodeConfig(port=port), clock=clock)
        await second.start()  # the parent is back, on the same address
        await child.wait_registered()
        sent = await child.send_tracks(_tracks(T0 + 1.0))
        await _until(lambda: second.counters.accepted[Content.DETECTION_REPORT] == 1)
        entry = second.registry.get(child.config.uuid)
        assert entry is not None and entry.traits.is_fusion_node
        await child.close()
        await second.close()
        assert alert_ack is None
        return child.registrations, lost, sent, child.dropped_tracks + child.dropped_alerts

    registrations, lost, sent, dropped = run_async(scenario())
    assert (registrations, lost, sent, dropped) == (2, 0, 1, 2)


def test_the_child_registers_again_when_the_nodes_beneath_it_change(run_async: Run) -> None:
    clock = ManualClock(T0)
    region = FusionNode(lambda batch: None, FusionNodeConfig(), clock=clock)
    site = FusionNode(lambda batch: None, FusionNodeConfig(node_id=node_uuid("site")), clock=clock)
    radar = SensorNode(sensor(SensorKind.RADAR, "late radar"), UlidFactory(2))

    async def scenario() -> tuple[tuple[str, ...], tuple[str, ...]]:
        async with region, site:
            child = ParentLink(_config(region.port, status_interval_s=0.01), site.registry, clock)
            await child.connect()
            entry = region.registry.get(child.config.uuid)
            before = entry.traits.dependent_nodes if entry else ("?",)
            link = SapientLink(radar.node_id, clock)
            await link.connect("127.0.0.1", site.port)
            await link.register(radar.registration())
            await _until(lambda: region.counters.accepted[Content.REGISTRATION] == 2)
            entry = region.registry.get(child.config.uuid)
            after = entry.traits.dependent_nodes if entry else ("?",)
            await link.close()
            await child.close()
            return before, after

    assert run_async(scenario()) == ((), (radar.node_id,))


def test_the_backoff_doubles_to_its_cap_with_jitter_and_starts_again_after_a_success() -> None:
    backoff = Backoff(0.5, 30.0, "child")
    pauses = [backoff.next() for _ in range(10)]
    ceilings = [min(0.5 * 2**i, 30.0) for i in range(10)]
    assert all(c / 2 <= p <= c for p, c in zip(pauses, ceilings, strict=True))
    assert pauses[-1] >= 15.0  # capped: never more than 30 s, never less than half of it
    backoff.reset()
    assert 0.25 <= backoff.next() <= 0.5
    assert Backoff(0.5, 30.0, "other child").next() != Backoff(0.5, 30.0, "child").next()


def test_a_parent_that_reads_nothing_is_dropped_and_connected_to_again(run_async: Run) -> None:
    parent = ScriptedParent(validate_detections=False)
    n = 3_000  # ~600 kB of DetectionReports: more than the shrunk socket buffers hold

    async def scenario() -> tuple[int, int, int]:
        port = await parent.start()
        child = ParentLink(_config(port, send_timeout_s=0.2), SensorRegistry(), ManualClock(T0))
        await child.connect()
        assert child.link is not None and child.link._writer is not None
        sending = child.link._writer.get_extra_info("socket")
        sending.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16_384)  # fixed, not autotuned
        parent.stop_reading()
        tracks = UpwardTracks.from_geodetic(
            track_id=range(n),
            t=[T0] * n,
            lat_deg=[48.35] * n,
            lon_deg=[11.78] * n,
            alt_m=[500.0] * n,
            velocity_enu_mps=[[10.0, 0.0, 0.0]] * n,
            covariance_enu_m2=[[[25.0, 0, 0], [0, 25.0, 0], [0, 0, 100.0]]] * n,
            object_class=[ObjectClass.DRONE] * n,
            class_confidence=[0.9] * n,
        )
        async with asyncio.timeout(HANG_GUARD_S):
            sent = await child.send_tracks(tracks)  # returns: the stalled parent is dropped
        parent.resume_reading()
        await _until(lambda: child.registrations == 2)  # connected and registered again
        await child.close()
        await parent.stop()
        return sent, child.dropped_tracks, child.registrations

    assert run_async(scenario()) == (0, n, 2)


def test_a_track_the_icd_cannot_carry_is_skipped_and_the_others_are_sent(run_async: Run) -> None:
    parent = ScriptedParent()
    good, bad = _tracks(T0), _tracks(T0)
    mixed = UpwardTracks(
        track_id=np.array([1, 2, 3]),
        t=np.array([T0, T0, T0]),
        position_ecef_m=np.vstack(
            [good.position_ecef_m, [[np.nan, 0.0, 0.0]], bad.position_ecef_m]
        ),
        velocity_ecef_mps=np.vstack([good.velocity_ecef_mps] * 3),
        position_covariance_ecef_m2=np.concatenate([good.position_covariance_ecef_m2] * 3),
        object_class=np.array([1, 1, 1], np.uint8),
        class_confidence=np.array([0.9, 0.9, 0.9], np.float32),
    )

    async def scenario() -> tuple[int, int, int]:
        port = await parent.start()
        child = ParentLink(_config(port), SensorRegistry(), ManualClock(T0))
        await child.connect()
        sent = await child.send_tracks(mixed)
        await _until(lambda: len(parent.of(Content.DETECTION_REPORT)) == 2)
        await child.close()
        await parent.stop()
        return sent, child.invalid_tracks, len(parent.of(Content.DETECTION_REPORT))

    assert run_async(scenario()) == (2, 1, 2)
