"""The alert manager: raising, one alert per object, hysteresis, the operator lifecycle,
auto-clearing and "airspace clear"."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from dronewall.assess import (
    AlertConfig,
    AlertError,
    AlertEvent,
    AlertManager,
    AlertState,
    EventKind,
    IllegalTransitionError,
    ThreatAssessor,
    UnknownAlertError,
    build_zones,
)
from dronewall.core.errors import ConfigError
from dronewall.core.tracks import TrackBatch
from tests.assess.conftest import T0, Fly, classes, site, tracks

ASSESSOR = ThreatAssessor(build_zones([site("plant"), site("port", lat=50.5, lon=20.0)]))
INBOUND = Fly(1, -20_000.0, 0.0, v_east=50.0)  # reaches the plant's 5 km circle after 300 s
INSIDE = Fly(1, 1_000.0, 0.0)
AWAY = Fly(1, 8_000.0, 0.0, v_east=30.0)  # outside and flying away: threatens nothing


def step(
    manager: AlertManager,
    t: float,
    flights: Sequence[Fly],
    p_drone: float | Sequence[float],
    *,
    friendly: bool = False,
    drone_kind: int = 0,
) -> list[AlertEvent]:
    ids = [f.track_id for f in flights]
    batch = classes(
        ids, p_drone, t=t, friendly=friendly, drone_kind=drone_kind, kind_probability=1.0
    )
    return manager.update(t, batch, ASSESSOR.assess(tracks(flights, t=t), batch))


def kinds(events: list[AlertEvent]) -> list[EventKind]:
    return [e.kind for e in events]


def test_raises_for_a_likely_hostile_drone_that_threatens_a_site() -> None:
    manager = AlertManager()
    events = step(manager, T0, [INBOUND], 0.9)
    assert kinds(events) == [EventKind.RAISED]
    event = events[0]
    assert (event.alert_id, event.track_id, event.site_id, event.state) == (
        1,
        1,
        "plant",
        AlertState.NEW,
    )
    alert = manager.alert(1)
    assert alert.time_to_site_s == pytest.approx(300.0)
    assert alert.sites == ("plant",) and "inbound to Plant" in alert.reasons


def test_no_alert_without_threat_or_below_p_on() -> None:
    manager = AlertManager()
    assert step(manager, T0, [AWAY], 0.99) == []
    assert step(manager, T0 + 1, [INBOUND], 0.69) == []
    late = Fly(1, -40_000.0, 0.0, v_east=50.0)  # gets in after 700 s, beyond the 600 s horizon
    assert step(manager, T0 + 2, [late], 0.99) == []
    assert manager.alerts() == ()


def test_a_friendly_drone_is_never_alerted() -> None:
    manager = AlertManager()
    for k in range(200):
        assert step(manager, T0 + k, [INSIDE], 0.99, friendly=True) == []
    assert manager.alerts(include_cleared=True) == ()


def test_an_alerted_track_identified_as_friendly_clears_at_once() -> None:
    manager = AlertManager(AlertConfig(min_hold_s=30.0))
    step(manager, T0, [INSIDE], 0.99)
    events = step(manager, T0 + 1, [INSIDE], 0.99, friendly=True)
    assert kinds(events) == [EventKind.AUTO_CLEARED]
    assert manager.alert(1).clear_reason == "identified as friendly"


def test_one_alert_per_object_whatever_the_number_of_updates_and_rows() -> None:
    manager = AlertManager()
    events: list[AlertEvent] = []
    for k in range(20):
        # the same object reported by three sensors: three class rows, two track rows
        t = T0 + k
        batch = classes([1, 1, 1], [0.8, 0.95, 0.9], t=t)
        both = TrackBatch.concat([tracks([INBOUND], t=t - 0.5), tracks([INBOUND], t=t)])
        events += manager.update(t, batch, ASSESSOR.assess(both, batch))
    assert kinds(events) == [EventKind.RAISED]
    assert len(manager.alerts()) == 1


def test_two_objects_two_alerts() -> None:
    manager = AlertManager()
    other = Fly(2, 0.0, -15_000.0, v_north=50.0)
    events = step(manager, T0, [INBOUND, other], 0.9)
    assert [(e.kind, e.track_id) for e in events] == [(EventKind.RAISED, 1), (EventKind.RAISED, 2)]


def test_p_drone_oscillating_around_the_threshold_raises_one_alert() -> None:
    manager = AlertManager(AlertConfig(p_on=0.7, p_off=0.5, clear_after_s=60.0))
    events: list[AlertEvent] = []
    for k in range(300):
        p = 0.75 if k % 2 == 0 else 0.65  # crosses p_on every second
        if 100 <= k < 140:
            p = 0.4  # and below p_off for 40 s, shorter than clear_after_s
        events += step(manager, T0 + k, [INSIDE], p)
    assert kinds(events) == [EventKind.RAISED]


def test_off_condition_clears_after_clear_after_s_once() -> None:
    manager = AlertManager(AlertConfig(min_hold_s=0.0, clear_after_s=60.0))
    step(manager, T0, [INSIDE], 0.9)
    cleared = [(k, step(manager, T0 + k, [INSIDE], 0.3)) for k in range(1, 120)]
    hits = [(k, kinds(e)) for k, e in cleared if e]
    assert hits == [(61, [EventKind.AUTO_CLEARED])]  # off since T0 + 1, clear 60 s later
    assert manager.alert(1).clear_reason == "no longer a threat"


def test_minimum_hold_time_and_lost_tracks() -> None:
    manager = AlertManager(AlertConfig(min_hold_s=120.0, clear_after_s=10.0))
    step(manager, T0, [INSIDE], 0.9)
    silent = [
        (k, manager.update(T0 + k, None, ASSESSOR.assess(tracks([], t=T0 + k))))
        for k in range(1, 200)
    ]
    hits = [(k, kinds(e)) for k, e in silent if e]
    assert hits == [(120, [EventKind.AUTO_CLEARED])]
    assert manager.alert(1).clear_reason == "track lost"


def test_operator_lifecycle_records_who_and_when() -> None:
    manager = AlertManager()
    step(manager, T0, [INBOUND], 0.9)
    acknowledged = manager.acknowledge(1, "op-anna", T0 + 5)
    engaged = manager.engage(1, "op-anna", T0 + 20, note="interceptor 3")
    cleared = manager.clear(1, "op-bart", T0 + 90, note="down")
    assert [e.kind for e in (acknowledged, engaged, cleared)] == [
        EventKind.ACKNOWLEDGED,
        EventKind.ENGAGED,
        EventKind.CLEARED,
    ]
    alert = manager.alert(1)
    assert alert.state is AlertState.CLEARED and not alert.active
    assert [(a.action, a.operator, a.t) for a in alert.actions] == [
        ("acknowledge", "op-anna", T0 + 5),
        ("engage", "op-anna", T0 + 20),
        ("clear", "op-bart", T0 + 90),
    ]
    assert alert.actions[1].note == "interceptor 3"
    assert alert.clear_reason == "cleared by op-bart"


def test_illegal_transitions_are_rejected_with_a_clear_error() -> None:
    manager = AlertManager()
    step(manager, T0, [INBOUND], 0.9)
    with pytest.raises(
        IllegalTransitionError,
        match="cannot engage alert 1: it is new; engage is allowed only from acknowledged",
    ):
        manager.engage(1, "op", T0 + 1)
    manager.acknowledge(1, "op", T0 + 1)
    with pytest.raises(
        IllegalTransitionError, match="cannot acknowledge alert 1: it is acknowledged"
    ):
        manager.acknowledge(1, "op", T0 + 2)
    manager.clear(1, "op", T0 + 3)
    for action in (manager.acknowledge, manager.engage, manager.clear):
        with pytest.raises(IllegalTransitionError, match="it is cleared") as caught:
            action(1, "op", T0 + 4)
        assert caught.value.alert_id == 1 and caught.value.state == "cleared"
    with pytest.raises(UnknownAlertError, match="no alert 7"):
        manager.acknowledge(7, "op", T0)


def test_operator_name_and_time_are_checked() -> None:
    manager = AlertManager()
    step(manager, T0, [INBOUND], 0.9)
    with pytest.raises(AlertError, match="operator must be named"):
        manager.acknowledge(1, " ", T0 + 1)
    with pytest.raises(AlertError, match="before it was raised"):
        manager.acknowledge(1, "op", T0 - 1)
    assert manager.alert(1).state is AlertState.NEW


def test_an_operator_clear_is_not_undone_until_the_condition_drops() -> None:
    manager = AlertManager()
    step(manager, T0, [INSIDE], 0.9)
    manager.clear(1, "op", T0 + 1)
    assert all(step(manager, T0 + k, [INSIDE], 0.9) == [] for k in range(2, 50))
    step(manager, T0 + 50, [INSIDE], 0.3)  # the condition drops once
    events = step(manager, T0 + 51, [INSIDE], 0.9)
    assert kinds(events) == [EventKind.RAISED] and events[0].alert_id == 2


def test_priority_escalation_is_announced_by_steps() -> None:
    manager = AlertManager(AlertConfig(escalation_step=10.0))
    step(manager, T0, [INBOUND], 0.7)
    assert step(manager, T0 + 1, [INBOUND], 0.75) == []  # a few points more: no news
    events = step(manager, T0 + 2, [INBOUND], 1.0, drone_kind=1)
    assert kinds(events) == [EventKind.ESCALATED]
    assert events[0].priority == pytest.approx(manager.alert(1).announced_priority)


def test_airspace_clear_after_the_quiet_time() -> None:
    manager = AlertManager(AlertConfig(min_hold_s=0.0, clear_after_s=30.0, airspace_clear_s=300.0))
    step(manager, T0, [INSIDE], 0.9)
    events: list[tuple[int, list[EventKind]]] = []
    for k in range(1, 600):
        flights = [INSIDE] if k < 100 else [AWAY]  # the drone leaves at T0 + 100
        found = step(manager, T0 + k, flights, 0.9)
        if found:
            events.append((k, kinds(found)))
    # off from T0 + 100, auto-cleared 30 s later, the plant clear 300 s after that
    assert events == [(130, [EventKind.AUTO_CLEARED]), (430, [EventKind.SITE_CLEAR])]
    (state,) = manager.sites()
    assert state.site_id == "plant" and state.clear and state.alerts == ()


def test_no_airspace_clear_while_another_alert_threatens_the_site() -> None:
    manager = AlertManager(AlertConfig(min_hold_s=0.0, clear_after_s=10.0, airspace_clear_s=60.0))
    second = Fly(2, -1_000.0, 0.0)
    step(manager, T0, [INSIDE, second], 0.9)
    found = []
    for k in range(1, 200):
        found += step(manager, T0 + k, [AWAY, second], 0.9)
    assert kinds(found) == [EventKind.AUTO_CLEARED]  # track 1's alert only
    assert manager.sites()[0].alerts == (2,)


def test_time_may_not_go_backwards() -> None:
    manager = AlertManager()
    step(manager, T0, [INSIDE], 0.9)
    with pytest.raises(AlertError, match="time went backwards"):
        step(manager, T0 - 1, [INSIDE], 0.9)


def test_same_inputs_same_events() -> None:
    def run() -> list[AlertEvent]:
        manager = AlertManager()
        out: list[AlertEvent] = []
        for k in range(0, 400, 5):
            flights = [INSIDE, Fly(2, -15_000.0, 2_000.0, v_east=40.0)] if k < 200 else [AWAY]
            out += step(manager, T0 + k, flights, 0.6 + 0.3 * ((k // 5) % 2))
        return out

    assert run() == run()


def test_the_table_lists_the_highest_priority_first() -> None:
    manager = AlertManager()
    far = Fly(2, -25_000.0, 0.0, v_east=50.0)
    step(manager, T0, [far, INSIDE], 0.9)
    table = manager.table()
    assert table.track_id.tolist() == [1, 2]
    assert table.priority[0] > table.priority[1]
    assert table.state.tolist() == ["new", "new"]
    manager.clear(1, "op", T0 + 1)
    assert manager.table().track_id.tolist() == [2]
    assert len(manager.table(include_cleared=True)) == 2


def test_thresholds_are_checked() -> None:
    with pytest.raises(ConfigError, match="p_off <= p_on"):
        AlertConfig(p_on=0.5, p_off=0.6)
    with pytest.raises(ConfigError, match="clear_after_s"):
        AlertConfig(clear_after_s=-1.0)
