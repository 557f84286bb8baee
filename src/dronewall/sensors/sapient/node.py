"""The protocol logic of one dronewall sensor node, without I/O: what it registers, its
status, how it writes its reports as DetectionReports and how it answers tasks. The
sensor-node simulator (``dronewall.runtime.sapient_replay``) drives one per simulated sensor
over a ``client.SapientLink``.

Each report is one detection of an untracked sensor (``TRACKING_TYPE_NONE``): the ICD asks
for a fresh ``object_id`` per detection then. Cameras accept LOOK_AT tasks (the simulated
camera does not actually turn: its reports come from the recorded run); every node accepts
the "Status" and "Registration" requests and refuses anything else as not supported.
"""

from __future__ import annotations

from dronewall.core.types import SensorKind
from dronewall.sensors.sapient.binding import (
    DetectionReport,
    Registration,
    StatusReport,
    Task,
    TaskAck,
)
from dronewall.sensors.sapient.detections import ReportRows, detection_for_row
from dronewall.sensors.sapient.ids import UlidFactory
from dronewall.sensors.sapient.nodes import SensorDescription, registration_for
from dronewall.sensors.sapient.status import Health, sensor_status
from dronewall.sensors.sapient.tasks import TaskStatus, command_of, task_ack

ANSWERED_REQUESTS = frozenset({"status", "registration"})


class SensorNode:
    """One sensor speaking SAPIENT: messages to send and answers to tasks."""

    def __init__(self, sensor: SensorDescription, ulids: UlidFactory):
        self.sensor = sensor
        self.node_id = sensor.uuid
        self._ulids = ulids

    def registration(self) -> Registration:
        return registration_for(self.sensor)

    def status(self, time_s: float, health: Health = Health.OK) -> StatusReport:
        return sensor_status(self.sensor, self._ulids.new(time_s), health)

    def detection(self, rows: ReportRows, row: int) -> DetectionReport:
        """Row ``row`` of ``rows`` (one of this sensor's reports) as a DetectionReport."""
        t = rows.columns["t_measured"][row]
        return detection_for_row(rows, row, self._ulids.new(t), self._ulids.new(t))

    def answer(self, task: Task) -> TaskAck:
        command = command_of(task)
        if command == "look_at" and self.sensor.kind is SensorKind.EOIR:
            return task_ack(task.task_id, TaskStatus.ACCEPTED)
        if command == "request" and task.command.request.strip().lower() in ANSWERED_REQUESTS:
            return task_ack(task.task_id, TaskStatus.ACCEPTED)
        reason = f"{command or 'no command'} is not supported by a {self.sensor.kind.name} node"
        return task_ack(task.task_id, TaskStatus.REJECTED, (reason,))
