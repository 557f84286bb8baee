"""The engagement task lifecycle: every legal path, every illegal action, replay, expiry."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dronewall.core.errors import NotFoundError
from dronewall.engage import load_effectors
from dronewall.engage.effectors import EffectorCatalogue
from dronewall.engage.recommend_types import Recommendation
from dronewall.engage.tasks import (
    TRANSITIONS,
    IllegalTaskTransitionError,
    TaskBoard,
    TaskError,
    TaskEvent,
    TaskState,
    replay_states,
)
from tests.engage.test_recommend import roe, units

S = TaskState
ROE = (
    "weapons_control = 'free'\n[pid]\ndefault = 0.9\n"
    "[approval]\ndefault = 'commander'\n[approval.kind]\njammer = 'operator'\n"
)


@pytest.fixture(scope="module")
def catalogue() -> EffectorCatalogue:
    return load_effectors()


def rec(track: int, unit: str = "0.0", type_id: str = "skynex-35-ahead",
        latest: float = 60.0) -> Recommendation:  # fmt: skip
    return Recommendation(
        unit_id=unit, type_id=type_id, track_id=track, site_id="ekxx", why="test", pk=0.7,
        cost_eur=3700.0, value_eur=1e6, time_to_intercept_s=20.0, latest_intercept_s=latest,
        lat=55.0, lon=12.0, alt_m=200.0, approver="commander",
    )  # fmt: skip


def board(catalogue: EffectorCatalogue) -> TaskBoard:
    laydown = units(catalogue, ("skynex-35-ahead", 0.0, 0.0, 2), ("rf-jammer-vehicle", 0, 0, 1))
    return TaskBoard(laydown, catalogue, roe(ROE))


def started(catalogue: EffectorCatalogue, track: int = 7) -> tuple[TaskBoard, int]:
    b = board(catalogue)
    b.update(0.0, [rec(track)], {track})
    return b, b.tasks()[0].task_id


Step = Callable[[TaskBoard, int, float], object]
STEPS: dict[str, Step] = {
    "approve": lambda b, i, t: b.approve(i, "cdr", ["commander"], t),
    "reject": lambda b, i, t: b.reject(i, "cdr", t, "not worth it"),
    "assign": lambda b, i, t: b.assign(i, "fire control", t),
    "launch": lambda b, i, t: b.launch(i, "gun crew", t),
    "kill": lambda b, i, t: b.report(i, True, "gun crew", t),
    "miss": lambda b, i, t: b.report(i, False, "gun crew", t),
    "close": lambda b, i, t: b.close(i, "cdr", t, "done"),
    "cancel": lambda b, i, t: b.cancel(i, "cdr", t, "stand down"),
}
# a path of manual actions to each state
TO_STATE = {
    S.RECOMMENDED: [],
    S.APPROVED: ["approve"],
    S.REJECTED: ["reject"],
    S.ASSIGNED: ["approve", "assign"],
    S.IN_PROGRESS: ["approve", "assign", "launch"],
    S.KILL: ["approve", "assign", "launch", "kill"],
    S.MISS: ["approve", "assign", "launch", "miss"],
    S.CLOSED: ["approve", "assign", "launch", "kill", "close"],
    S.CANCELLED: ["cancel"],
}


def drive(catalogue: EffectorCatalogue, state: TaskState) -> tuple[TaskBoard, int]:
    b, i = started(catalogue)
    for k, action in enumerate(TO_STATE[state]):
        STEPS[action](b, i, 1.0 + k)
    assert b.task(i).state is state
    return b, i


@pytest.mark.parametrize("state", list(TO_STATE))
def test_every_manual_action_is_legal_exactly_from_its_states(
    catalogue: EffectorCatalogue, state: TaskState
) -> None:
    for action, step in STEPS.items():
        b, i = drive(catalogue, state)
        before = len(b.events)
        if state in TRANSITIONS[action][0]:
            event = step(b, i, 10.0)
            assert isinstance(event, TaskEvent) and event.after is TRANSITIONS[action][1]
            assert event.before is state and event.t == 10.0 and event.actor
            assert b.task(i).state is TRANSITIONS[action][1]
        else:
            with pytest.raises(IllegalTaskTransitionError, match=f"cannot {action} task {i}"):
                step(b, i, 10.0)
            assert len(b.events) == before and b.task(i).state is state


def test_the_full_life_kill_and_magazine(catalogue: EffectorCatalogue) -> None:
    b, i = started(catalogue)
    shots = int(b.units.shots_left[b.units.index("0.0")])
    b.approve(i, "cdr", ["commander"], 1.0)
    b.assign(i, "fc", 2.0)
    assert b.units.shots_left[b.units.index("0.0")] == shots - 1
    assert b.units.ready_at[b.units.index("0.0")] == 22.0  # busy until the intercept
    b.launch(i, "crew", 3.0)
    b.report(i, True, "crew", 25.0, "debris seen on the EO camera")
    assert b.active_tracks() == {7}
    events = b.update(26.0, [], set())  # the killed drone's track is gone
    assert [(e.action, e.after) for e in events] == [("close", S.CLOSED)]
    assert b.active_tracks() == frozenset() and b.tasks() == ()
    assert [e.action for e in b.events] == [
        "recommend", "approve", "assign", "launch", "kill", "close"]  # fmt: skip


def test_a_miss_is_re_engaged_by_a_new_recommendation(catalogue: EffectorCatalogue) -> None:
    b, i = drive(catalogue, S.MISS)
    b.update(20.0, [rec(7, unit="0.1")], {7})
    old, new = b.task(i), b.active_task(7)
    assert old.state is S.REENGAGED and new is not None and new.follows == i
    assert new.state is S.RECOMMENDED and new.unit_id == "0.1"
    # a miss may also be closed by a commander, or by the track's loss
    b2, j = drive(catalogue, S.MISS)
    b2.update(20.0, [], set())
    assert b2.task(j).state is S.CLOSED


def test_recommendations_are_not_duplicated(catalogue: EffectorCatalogue) -> None:
    b, i = started(catalogue)
    for t, state in ((1.0, S.RECOMMENDED), (3.0, S.APPROVED), (5.0, S.ASSIGNED)):
        if state is S.APPROVED:
            b.approve(i, "cdr", ["commander"], 2.0)
        if state is S.ASSIGNED:
            b.assign(i, "fc", 4.0)
        assert b.update(t, [rec(7, unit="0.1")], {7}) == []
        assert len(b.tasks()) == 1
    b.update(6.0, [rec(7, unit="0.1"), rec(8, unit="0.1")], {7, 8})
    assert sorted(t.track_id for t in b.tasks()) == [7, 8]


@pytest.mark.parametrize(
    ("path", "tracks", "threatening", "friendly", "reason"),
    [
        ([], set(), None, (), "track lost"),
        (["approve"], {7}, set(), (), "the target left"),
        (["approve", "assign"], {7}, None, {7}, "friendly"),
        (["approve", "assign", "launch"], set(), None, (), "track lost"),
    ],
)
def test_the_picture_cancels_tasks(
    catalogue: EffectorCatalogue, path: list[str], tracks: set[int],
    threatening: set[int] | None, friendly: set[int], reason: str,
) -> None:  # fmt: skip
    b, i = started(catalogue)
    for k, action in enumerate(path):
        STEPS[action](b, i, 1.0 + k)
    events = b.update(10.0, [], tracks, threatening, friendly)
    assert [e.after for e in events] == [S.CANCELLED] and reason in events[0].reason
    assert events[0].actor == "dronewall"


def test_expiry_at_the_latest_intercept_time(catalogue: EffectorCatalogue) -> None:
    b, _ = started(catalogue)  # recommended at 0, latest intercept 60 s on
    assert b.update(60.0, [], {7}) == []
    b2, _ = drive(catalogue, S.APPROVED)
    events = b.update(60.5, [], {7}) + b2.update(60.5, [], {7})
    assert [e.after for e in events] == [S.EXPIRED, S.EXPIRED]
    assert "latest intercept time 60.0" in events[0].reason
    # an assigned task does not expire (the unit is committed)
    b3, k = drive(catalogue, S.ASSIGNED)
    assert b3.update(100.0, [], {7}) == [] and b3.task(k).state is S.ASSIGNED


def test_roles_time_units_and_unknown_tasks(catalogue: EffectorCatalogue) -> None:
    b, i = started(catalogue)
    with pytest.raises(TaskError, match="needs a commander; op is operator"):
        b.approve(i, "op", ["operator"], 1.0)
    b.update(1.0, [rec(8, unit="2.0", type_id="rf-jammer-vehicle")], {7, 8})
    jam = b.active_task(8)
    assert jam is not None
    b.approve(jam.task_id, "op", ["operator"], 2.0)  # the rules let an operator approve RF
    with pytest.raises(TaskError, match="time went backwards"):
        b.approve(i, "cdr", ["commander"], 1.5)
    with pytest.raises(TaskError, match="the actor must be named"):
        b.approve(i, "", ["commander"], 3.0)
    with pytest.raises(NotFoundError, match="no engagement task 99"):
        b.task(99)
    b.approve(i, "cdr", ["commander"], 3.0)
    b.assign(i, "fc", 4.0)
    b.update(5.0, [rec(9, unit="0.0")], {7, 8, 9})  # unit 0.0 is committed to task i
    other = b.active_task(9)
    assert other is not None
    b.approve(other.task_id, "cdr", ["commander"], 6.0)
    with pytest.raises(TaskError, match=f"unit 0.0 is committed to task {i}"):
        b.assign(other.task_id, "fc", 7.0)
    with pytest.raises(TaskError, match="time went backwards"):
        b.update(5.5, [], {7})
    b.update(8.0, [rec(10, unit="9.9")], {7, 8, 9, 10})
    stray = b.active_task(10)
    assert stray is not None
    b.approve(stray.task_id, "cdr", ["commander"], 8.0)
    with pytest.raises(TaskError, match=r"no effector unit '9\.9' on this board"):
        b.assign(stray.task_id, "fc", 9.0)


def _script(catalogue: EffectorCatalogue) -> TaskBoard:
    b = board(catalogue)
    b.update(0.0, [rec(7), rec(8, unit="0.1", latest=5.0)], {7, 8})
    b.approve(1, "cdr", ["commander"], 1.0)
    b.assign(1, "fc", 2.0)
    b.launch(1, "crew", 3.0)
    b.update(10.0, [rec(7)], {7, 8})  # task 2 expires; 7 is not duplicated
    b.report(1, False, "crew", 20.0)
    b.update(21.0, [rec(7, unit="0.1")], {7})  # re-engages; 8 is lost
    b.reject(3, "cdr", 22.0, "hold fire: helicopter nearby")
    return b


def test_events_replay_identically(catalogue: EffectorCatalogue) -> None:
    first, second = _script(catalogue), _script(catalogue)
    assert first.events == second.events
    states = replay_states(first.events)
    assert states == {t.task_id: t.state for t in first.tasks(include_ended=True)}
    assert states == {1: S.REENGAGED, 2: S.EXPIRED, 3: S.REJECTED}
    tampered = list(first.events)
    tampered.insert(3, tampered[3])  # assign twice
    with pytest.raises(TaskError, match="event log: task 1 cannot"):
        replay_states(tampered)
