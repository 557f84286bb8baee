"""Engagement tasks: a recommendation's life, as a state machine with an event log.

::

    recommended ──approve──▶ approved ──assign──▶ assigned ──launch──▶ in_progress
        │  │                    │  │                 │                 │      │
        │  └─reject─▶ rejected  │  └─expire          └─cancel          kill   miss
        └─expire─▶ expired      └─cancel                               │      │
                                                                    close   re-engage (a new task)
    cancel: from any active state (track lost, target left, friendly)      or close

* **approve**: a user whose roles may approve the effector's kind (``RulesOfEngagement.
  may_approve``: the rules' ``[approval]``; a commander may approve what an operator may).
* **assign**: the effector unit is committed; its magazine is decremented
  (``EffectorUnits.spend``; a unit already committed to another task cannot be).
* **expire**: a task not yet assigned when its latest intercept time has passed.
* ``TaskBoard.update(t, recommendations, tracks)``, once per cycle, keeps the tasks
  consistent with the picture: a task whose track is gone is cancelled ("track lost"), or
  closed after a kill or a miss; one whose track no longer threatens a site is cancelled
  ("target left"), or identified friendly ("friendly"); unassigned tasks past their latest
  intercept expire; a recommendation for a track with an active task is not duplicated,
  except after a miss, which it re-engages (the missed task ends ``reengaged`` and a new
  task begins).

Every transition is a ``TaskEvent`` with its actor, the data time (never the wall clock) and
a reason, so the same calls give the same events (the board's data time never goes back:
every call is at or after the last one); ``replay_states`` rebuilds every task's
state from the log. Illegal transitions raise ``IllegalTaskTransitionError`` naming the
states the action needs. Style follows ``assess/alerts.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from dronewall.core.errors import DronewallError, NotFoundError
from dronewall.engage.effectors import EffectorCatalogue
from dronewall.engage.recommend_types import EffectorUnits, Recommendation
from dronewall.engage.roe import RulesOfEngagement

SYSTEM = "dronewall"  # the actor of automatic transitions


class TaskState(StrEnum):
    RECOMMENDED = "recommended"
    APPROVED = "approved"
    REJECTED = "rejected"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    KILL = "kill"
    MISS = "miss"
    REENGAGED = "reengaged"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


S = TaskState
# action → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[TaskState], TaskState]] = {
    "approve": (frozenset({S.RECOMMENDED}), S.APPROVED),
    "reject": (frozenset({S.RECOMMENDED}), S.REJECTED),
    "assign": (frozenset({S.APPROVED}), S.ASSIGNED),
    "launch": (frozenset({S.ASSIGNED}), S.IN_PROGRESS),
    "kill": (frozenset({S.IN_PROGRESS}), S.KILL),
    "miss": (frozenset({S.IN_PROGRESS}), S.MISS),
    "reengage": (frozenset({S.MISS}), S.REENGAGED),
    "close": (frozenset({S.KILL, S.MISS}), S.CLOSED),
    "cancel": (frozenset({S.RECOMMENDED, S.APPROVED, S.ASSIGNED, S.IN_PROGRESS}), S.CANCELLED),
    "expire": (frozenset({S.RECOMMENDED, S.APPROVED}), S.EXPIRED),
}
TERMINAL = frozenset({S.REJECTED, S.REENGAGED, S.CLOSED, S.CANCELLED, S.EXPIRED})
COMMITTED = frozenset({S.ASSIGNED, S.IN_PROGRESS})  # the unit is busy with the task


class TaskError(DronewallError):
    """A task action that cannot be done (bad time, actor, role or unit)."""


class IllegalTaskTransitionError(TaskError):
    """``action`` on task ``task_id`` in ``state``; ``allowed`` names the states it needs."""

    def __init__(self, task_id: int, action: str, state: str, allowed: tuple[str, ...]):
        self.task_id = task_id
        self.action = action
        self.state = state
        self.allowed = allowed
        super().__init__(
            f"cannot {action} task {task_id}: it is {state}; "
            f"{action} is allowed only from {' or '.join(allowed)}"
        )


@dataclass(frozen=True, slots=True)
class Task:
    """One engagement: its recommendation, its state and when it began."""

    task_id: int
    recommendation: Recommendation
    state: TaskState
    t_recommended: float
    t_changed: float
    follows: int | None = None  # the missed task this one re-engages

    @property
    def track_id(self) -> int:
        return self.recommendation.track_id

    @property
    def unit_id(self) -> str:
        return self.recommendation.unit_id

    @property
    def deadline(self) -> float:
        """Data time of the latest feasible intercept: unassigned after it, the task expires."""
        return self.t_recommended + self.recommendation.latest_intercept_s

    @property
    def active(self) -> bool:
        return self.state not in TERMINAL


@dataclass(frozen=True, slots=True)
class TaskEvent:
    """A transition: ``before`` is None when the task was created."""

    t: float
    task_id: int
    track_id: int
    unit_id: str
    action: str
    before: TaskState | None
    after: TaskState
    actor: str
    reason: str


class TaskBoard:
    """The tasks of one run; ``units`` is the effector units' state after every commitment
    (pass it to the next ``recommend``, with ``active_tracks()`` as its ``engaged_tracks``)."""

    def __init__(self, units: EffectorUnits, catalogue: EffectorCatalogue,
                 roe: RulesOfEngagement) -> None:  # fmt: skip
        self.units = units
        self._catalogue = catalogue
        self._roe = roe
        self._tasks: dict[int, Task] = {}
        self._events: list[TaskEvent] = []
        self._next_id = 1
        self._t = float("-inf")

    # --- the picture, once per cycle ---------------------------------------------------

    def update(self, t: float, recommendations: Iterable[Recommendation],
               tracks: Collection[int], threatening: Collection[int] | None = None,
               friendly: Collection[int] = ()) -> list[TaskEvent]:  # fmt: skip
        """Bring the tasks in line with the picture at data time ``t``: ``tracks`` are the
        track ids present, ``threatening`` those still threatening a site (None: all
        present), ``friendly`` those identified as friendly. Returns the new events."""
        if t < self._t:
            raise TaskError(f"time went backwards: update at {t} after {self._t}")
        self._t = t
        start = len(self._events)
        for task in list(self._tasks.values()):
            if task.active:
                self._follow_picture(t, task, tracks, threatening, friendly)
        for rec in recommendations:
            self._take(t, rec)
        return self._events[start:]

    def _follow_picture(self, t: float, task: Task, tracks: Collection[int],
                        threatening: Collection[int] | None,
                        friendly: Collection[int]) -> None:  # fmt: skip
        track = task.track_id
        ending = task.state in (S.KILL, S.MISS)
        if track not in tracks:
            why = "target destroyed, its track is gone" if task.state is S.KILL else "track lost"
            self._move(task, "close" if ending else "cancel", t, SYSTEM, why)
        elif track in friendly and not ending:
            self._move(task, "cancel", t, SYSTEM, "the track is identified as friendly")
        elif threatening is not None and track not in threatening and not ending:
            self._move(task, "cancel", t, SYSTEM, "the target left: it threatens no site")
        elif task.state in TRANSITIONS["expire"][0] and t > task.deadline:
            why = f"not assigned before its latest intercept time {task.deadline:.1f}"
            self._move(task, "expire", t, SYSTEM, why)

    def _take(self, t: float, rec: Recommendation) -> None:
        current = self.active_task(rec.track_id)
        follows = None
        if current is not None:
            if current.state is not S.MISS:
                return  # not duplicated
            self._move(current, "reengage", t, SYSTEM, f"re-engaged with unit {rec.unit_id}")
            follows = current.task_id
        task = Task(self._next_id, rec, S.RECOMMENDED, t, t, follows)
        self._next_id += 1
        self._tasks[task.task_id] = task
        event = TaskEvent(t, task.task_id, rec.track_id, rec.unit_id, "recommend", None,
                          S.RECOMMENDED, SYSTEM, rec.why)  # fmt: skip
        self._events.append(event)

    # --- people and effectors -------------------------------------------------------------

    def approve(self, task_id: int, actor: str, roles: Iterable[str], t: float,
                note: str = "") -> TaskEvent:  # fmt: skip
        """A user with ``roles`` approves; the rules name the role it needs."""
        task = self.task(task_id)
        self._check(task, "approve", t, actor)
        effector = self._catalogue.get(task.recommendation.type_id)
        roles = tuple(roles)
        if not self._roe.may_approve(effector, roles):
            needed = self._roe.approver(effector)
            raise TaskError(
                f"cannot approve task {task_id}: a {effector.kind.value} engagement needs "
                f"a {needed}; {actor} is {' and '.join(roles) or 'without a role'}"
            )
        return self._move(task, "approve", t, actor, note or f"approved by {actor}")

    def reject(self, task_id: int, actor: str, t: float, reason: str) -> TaskEvent:
        return self._act(task_id, "reject", actor, t, reason)

    def assign(self, task_id: int, actor: str, t: float) -> TaskEvent:
        """Commit the unit: one shot from its magazine, busy until the intercept."""
        task = self.task(task_id)
        self._check(task, "assign", t, actor)
        busy = [other.task_id for other in self._tasks.values()
                if other.state in COMMITTED and other.unit_id == task.unit_id]  # fmt: skip
        if busy:
            raise TaskError(f"cannot assign task {task_id}: unit {task.unit_id} is committed "
                            f"to task {busy[0]}")  # fmt: skip
        try:
            i = self.units.index(task.unit_id)
        except KeyError:
            raise TaskError(f"cannot assign task {task_id}: no effector unit "
                            f"{task.unit_id!r} on this board") from None  # fmt: skip
        if self.units.shots_left[i] == 0:
            raise TaskError(f"cannot assign task {task_id}: unit {task.unit_id} has no shot left")
        rec = task.recommendation
        self.units = self.units.spend(rec.unit_id, t, t + rec.time_to_intercept_s,
                                      self._catalogue)  # fmt: skip
        return self._move(task, "assign", t, actor, f"unit {rec.unit_id} committed")

    def launch(self, task_id: int, actor: str, t: float) -> TaskEvent:
        return self._act(task_id, "launch", actor, t, "launched")

    def report(self, task_id: int, killed: bool, actor: str, t: float,
               reason: str = "") -> TaskEvent:  # fmt: skip
        """The kill assessment after the look: kill or miss."""
        action = "kill" if killed else "miss"
        return self._act(task_id, action, actor, t, reason or f"assessed a {action}")

    def close(self, task_id: int, actor: str, t: float, reason: str) -> TaskEvent:
        return self._act(task_id, "close", actor, t, reason)

    def cancel(self, task_id: int, actor: str, t: float, reason: str) -> TaskEvent:
        return self._act(task_id, "cancel", actor, t, reason)

    # --- reading ----------------------------------------------------------------------

    def task(self, task_id: int) -> Task:
        try:
            return self._tasks[task_id]
        except KeyError:
            raise NotFoundError("engagement task", task_id) from None

    def tasks(self, *, include_ended: bool = False) -> tuple[Task, ...]:
        return tuple(t for t in self._tasks.values() if include_ended or t.active)

    def active_task(self, track_id: int) -> Task | None:
        for task in self._tasks.values():
            if task.active and task.track_id == track_id:
                return task
        return None

    def active_tracks(self) -> frozenset[int]:
        """Tracks with an active task: ``recommend``'s ``engaged_tracks``."""
        return frozenset(t.track_id for t in self._tasks.values() if t.active)

    @property
    def events(self) -> tuple[TaskEvent, ...]:
        return tuple(self._events)

    # --- the machine --------------------------------------------------------------------

    def _act(self, task_id: int, action: str, actor: str, t: float, reason: str) -> TaskEvent:
        task = self.task(task_id)
        self._check(task, action, t, actor)
        return self._move(task, action, t, actor, reason)

    def _check(self, task: Task, action: str, t: float, actor: str) -> None:
        sources, _ = TRANSITIONS[action]
        if task.state not in sources:
            allowed = tuple(sorted(s.value for s in sources))
            raise IllegalTaskTransitionError(task.task_id, action, task.state.value, allowed)
        if not actor:
            raise TaskError(f"{action} task {task.task_id}: the actor must be named")
        if t < self._t:
            raise TaskError(f"{action} task {task.task_id} at {t}: time went backwards "
                            f"(the board is at {self._t})")  # fmt: skip

    def _move(self, task: Task, action: str, t: float, actor: str, reason: str) -> TaskEvent:
        self._check(task, action, t, actor)
        after = TRANSITIONS[action][1]
        self._t = t
        self._tasks[task.task_id] = replace(task, state=after, t_changed=t)
        event = TaskEvent(t, task.task_id, task.track_id, task.unit_id, action, task.state,
                          after, actor, reason)  # fmt: skip
        self._events.append(event)
        return event


def replay_states(events: Sequence[TaskEvent]) -> dict[int, TaskState]:
    """Every task's state after a log, checking each event against the machine."""
    states: dict[int, TaskState] = {}
    for event in events:
        if event.before is None:
            states[event.task_id] = event.after
            continue
        sources, target = TRANSITIONS[event.action]
        if states.get(event.task_id) != event.before or event.before not in sources:
            raise TaskError(f"event log: task {event.task_id} cannot {event.action} from "
                            f"{states.get(event.task_id)}")  # fmt: skip
        if event.after is not target:
            raise TaskError(f"event log: {event.action} leads to {target}, not {event.after}")
        states[event.task_id] = event.after
    return states
