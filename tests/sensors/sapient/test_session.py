"""The fusion node's protocol logic, without sockets (``session.FusionCore``)."""

from __future__ import annotations

import pytest

from dronewall.core.clock import ManualClock
from dronewall.core.types import MeasurementKind, SensorKind
from dronewall.sensors.sapient import Reason, SapientError, SensorRegistry, decode
from dronewall.sensors.sapient.alerts import AlertEvent
from dronewall.sensors.sapient.binding import Content, SapientMessage
from dronewall.sensors.sapient.codec import Header, encode, envelope
from dronewall.sensors.sapient.framing import FrameReader
from dronewall.sensors.sapient.ids import UlidFactory
from dronewall.sensors.sapient.nodes import registration_for
from dronewall.sensors.sapient.session import FusionCore, Session
from dronewall.sensors.sapient.tasks import TaskOutcome, TaskStatus
from tests.sensors.sapient import independent
from tests.sensors.sapient.conftest import sensor

FUSION = "5b9a2c4e-0b7d-4c1e-9f0a-2d6f1e8b7c31"
CAMERA = "a8654cdf-4328-47de-81fa-c495589e30c9"  # the corpus camera
RADAR = "a8654cdf-4328-47de-81fa-c495589e30c8"  # the corpus radar


class Harness:
    def __init__(self) -> None:
        self.clock = ManualClock(1_759_429_900.0)
        self.alerts: list[AlertEvent] = []
        self.acks: list[TaskOutcome] = []
        self.core = FusionCore(
            FUSION,
            SensorRegistry({CAMERA: 7}),
            self.clock,
            UlidFactory(1),
            on_alert=self.alerts.append,
            on_task_ack=self.acks.append,
        )
        self.session = Session("test")

    def send(
        self, message: SapientMessage | bytes, session: Session | None = None
    ) -> list[SapientMessage]:
        payload = message if isinstance(message, bytes) else message.SerializeToString()
        replies = self.core.receive(session or self.session, payload)
        out = []
        for frame in replies:
            (body,) = FrameReader().feed(frame)
            assert isinstance(body, bytes)
            decoded = decode(body)
            assert not isinstance(decoded, SapientError), str(decoded)  # replies conform
            out.append(decoded)
        return out

    def corpus(self, name: str) -> SapientMessage:
        return SapientMessage.FromString(independent.corpus(name).SerializeToString())


@pytest.fixture
def harness() -> Harness:
    return Harness()


def test_a_node_that_has_not_registered_is_refused_with_an_error(harness: Harness) -> None:
    detection = harness.corpus("detection_location_full")
    (reply,) = harness.send(detection)
    assert reply.WhichOneof("content") == "error"
    assert reply.error.packet == detection.SerializeToString()
    assert "unregistered" in reply.error.error_message[0]
    assert reply.destination_id == CAMERA and reply.node_id == FUSION
    assert harness.core.counters.rejected[Reason.UNREGISTERED] == 1
    assert len(harness.core.rows) == 0


def test_registration_is_acknowledged_and_pins_the_sensor_index(harness: Harness) -> None:
    (ack,) = harness.send(harness.corpus("registration_full"))
    assert ack.registration_ack.acceptance
    assert ack.destination_id == CAMERA
    entry = harness.core.registry.get(CAMERA)
    assert entry is not None and entry.sensor_index == 7
    assert entry.traits.sensor_kind == SensorKind.EOIR
    assert harness.core.counters.accepted[Content.REGISTRATION] == 1


def test_a_registration_that_breaks_the_icd_is_refused_with_the_reason(harness: Harness) -> None:
    registration = harness.corpus("registration_full")
    registration.registration.icd_version = "SAPIENT v7"
    (ack,) = harness.send(registration)
    assert not ack.registration_ack.acceptance
    assert "bad_version" in ack.registration_ack.ack_response_reason[0]
    assert CAMERA not in harness.core.registry
    assert harness.core.counters.rejected[Reason.BAD_VERSION] == 1


def test_detections_become_rows_stamped_on_arrival(harness: Harness) -> None:
    harness.send(harness.corpus("registration_full"))
    harness.clock.advance(0.25)
    assert harness.send(harness.corpus("detection_location_full")) == []
    batch, keys = harness.core.rows.take(100)
    assert len(batch) == 1
    assert batch.report_id[0] == 100 and batch.sensor_index[0] == 7
    assert batch.sensor_kind[0] == SensorKind.EOIR
    assert batch.measurement[0] == MeasurementKind.POSITION
    assert batch.t_arrival[0] == 1_759_429_900.25
    assert batch.t_measured[0] == pytest.approx(1_759_429_810.0276387, abs=3e-7)
    assert (batch.lat_deg[0], batch.lon_deg[0], batch.alt_m[0]) == (48.3541, 11.8012, 512.5)
    assert batch.sigma_horizontal_m[0] == pytest.approx((12.5 + 24.5) ** 0.5)  # RMS of 5 and 7
    assert batch.identity[0] == "1581F5FJD2290012"
    assert (keys.node_id[0], keys.object_id[0]) == (CAMERA, "01GGYFBAXH4VYRQYEX7S3XGK3H")


def test_status_is_kept_and_goodbye_marks_the_node(harness: Harness) -> None:
    registration = harness.corpus("registration_small")
    harness.send(registration)
    harness.send(harness.corpus("status_report_full"))
    entry = harness.core.registry.get(RADAR)
    assert entry is not None and entry.status is not None
    assert entry.status.location is not None and entry.status.location.lat_deg == 48.3672
    assert entry.sensor_index == 8  # the next index after the pinned ones
    harness.send(harness.corpus("status_report_goodbye"))
    assert entry.status.health.name == "GOODBYE"
    assert entry.status.location is not None  # kept from the report before


def test_a_lost_object_gives_no_row(harness: Harness) -> None:
    harness.send(harness.corpus("registration_full"))
    detection = harness.corpus("detection_location_full")
    detection.detection_report.state = "lost"
    harness.send(detection)
    assert len(harness.core.rows) == 0
    assert harness.core.counters.accepted[Content.DETECTION_REPORT] == 1


def test_valid_but_unconvertible_detections_are_refused_as_unsupported(harness: Harness) -> None:
    harness.send(harness.corpus("registration_full"))
    detection = harness.corpus("detection_location_full")
    detection.detection_report.location.datum = 2  # WGS84_G: heights above the geoid
    (reply,) = harness.send(detection)
    assert reply.WhichOneof("content") == "error"
    assert harness.core.counters.rejected[Reason.UNSUPPORTED] == 1


def test_alerts_are_handed_on_and_acknowledged(harness: Harness) -> None:
    harness.send(harness.corpus("registration_full"))
    (ack,) = harness.send(harness.corpus("alert_full"))
    assert ack.alert_ack.alert_id == "01K6H3ZK8J2G7Z0W6X4Y1A3B5D"
    assert ack.alert_ack.alert_ack_status == 1  # ACCEPTED
    (event,) = harness.alerts
    assert event.description.startswith("UAV loitering")
    assert event.objects == ((CAMERA, "01GGYFBAXH4VYRQYEX7S3XGK3H"),)
    assert event.location is not None and event.location.lat_deg == 48.3541


def test_task_acks_are_handed_on(harness: Harness) -> None:
    harness.send(harness.corpus("registration_full"))
    assert harness.send(harness.corpus("task_ack_accepted")) == []
    assert harness.acks == [
        TaskOutcome(CAMERA, "01K6H3ZF4E8C3V6R2S0T7W9X1Z", TaskStatus.ACCEPTED, ())
    ]


@pytest.mark.parametrize("name", ["task_request_Status", "registration_ack_accepted"])
def test_what_a_child_does_not_send_its_fusion_node_is_unexpected(
    harness: Harness, name: str
) -> None:
    message = harness.corpus(name)
    message.node_id = CAMERA
    harness.send(harness.corpus("registration_full"))
    (reply,) = harness.send(message)
    assert reply.WhichOneof("content") == "error"
    assert harness.core.counters.rejected[Reason.UNEXPECTED] == 1


def test_registration_holds_for_its_connection_only(harness: Harness) -> None:
    harness.send(harness.corpus("registration_full"))
    other = Session("other")
    harness.send(harness.corpus("detection_location_full"), other)
    assert harness.core.counters.rejected[Reason.UNREGISTERED] == 1
    harness.core.disconnected(harness.session)
    entry = harness.core.registry.get(CAMERA)
    assert entry is not None and not entry.connected


def test_node_ids_are_compared_in_canonical_form(harness: Harness) -> None:
    registration = harness.corpus("registration_full")
    registration.node_id = CAMERA.upper()
    harness.send(registration)
    harness.send(harness.corpus("detection_location_full"))
    assert len(harness.core.rows) == 1


def test_garbage_is_answered_with_an_error_and_counted(harness: Harness) -> None:
    (reply,) = harness.send(b"\x0a\x05garbage")
    assert reply.error.packet == b"\x0a\x05garbage"
    assert reply.destination_id == ""
    assert harness.core.counters.rejected[Reason.NOT_PROTOBUF] == 1


def test_our_own_sensor_registration_is_accepted(harness: Harness) -> None:
    description = sensor(SensorKind.ACOUSTIC)
    message = envelope(Header(description.uuid, 0.0))
    message.registration.CopyFrom(registration_for(description))
    (ack,) = harness.send(encode(message))
    assert ack.registration_ack.acceptance
