"""Task and TaskAck (BSI Flex 335 v2.0 ``task.proto``, ``task_ack.proto``): the fusion node
tasks a sensor node — cue a camera onto a track (``look_at``), change its mode, or make a
request ("Status", "Registration", "Start", "Stop", "Reset", the requests in Dstl's test
harness) — and the node answers ACCEPTED, REJECTED, then COMPLETED or FAILED.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import cast

from dronewall.sensors.sapient.binding import Task, TaskAck
from dronewall.sensors.sapient.units import Fix, location_from_fix


class TaskStatus(IntEnum):
    """``TaskAck.TaskStatus``."""

    UNSPECIFIED = 0
    ACCEPTED = 1
    REJECTED = 2
    COMPLETED = 3
    FAILED = 4


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """A node's answer to a task."""

    node_id: str
    task_id: str
    status: TaskStatus
    reasons: tuple[str, ...] = ()


def look_at(task_id: str, target: Fix, name: str = "look at") -> Task:
    """Point a steerable node (a camera) at a place: "cue the camera onto this track"."""
    task = Task(task_id=task_id, task_name=name, control=Task.Control.CONTROL_START)
    task.command.look_at.location_list.locations.append(location_from_fix(target))
    return task


def request(task_id: str, what: str) -> Task:
    """A plain request, e.g. "Status" or "Registration"."""
    task = Task(task_id=task_id, task_name=what, control=Task.Control.CONTROL_START)
    task.command.request = what
    return task


def mode_change(task_id: str, mode: str) -> Task:
    task = Task(task_id=task_id, task_name=f"mode {mode}", control=Task.Control.CONTROL_START)
    task.command.mode_change = mode
    return task


def command_of(task: Task) -> str:
    """Which command a task carries: "look_at", "request", "mode_change"… or "" for none."""
    if not task.HasField("command"):
        return ""
    return task.command.WhichOneof("command") or ""


def task_ack(task_id: str, status: TaskStatus, reasons: tuple[str, ...] = ()) -> TaskAck:
    code = cast("TaskAck.TaskStatus", int(status))
    return TaskAck(task_id=task_id, task_status=code, reason=list(reasons))


def read_task_ack(node_id: str, ack: TaskAck) -> TaskOutcome:
    return TaskOutcome(node_id, ack.task_id, TaskStatus(ack.task_status), tuple(ack.reason))
