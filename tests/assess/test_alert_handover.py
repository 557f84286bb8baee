"""One alert per object across track breaks and duplicate tracks: hand-over to a new track,
re-opening, second tracks and ghosts, the operator's and the friendly clear, and the wait for
a young track's class to settle."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from dronewall.assess import (
    AlertConfig,
    AlertEvent,
    AlertManager,
    AlertState,
    EventKind,
)
from dronewall.assess.columns import latest_rows
from dronewall.assess.handover import ObjectMemory
from dronewall.assess.observe import Fixes
from dronewall.core.errors import ConfigError
from tests.assess.conftest import T0, Fly, classes, tracks
from tests.assess.test_alerts import ASSESSOR, INSIDE, step

HOVER = Fly(1, 1_000.0, 0.0, sigma_m=10.0)  # inside the plant's 5 km circle, not moving


def silent(manager: AlertManager, start: int, stop: int) -> list[AlertEvent]:
    """Updates from T0 + start to T0 + stop - 1 with no track at all (a radar gap)."""
    events: list[AlertEvent] = []
    for k in range(start, stop):
        events += manager.update(T0 + k, None, ASSESSOR.assess(tracks([], t=T0 + k)))
    return events


def brief(events: list[AlertEvent]) -> list[tuple[EventKind, int | None, int | None]]:
    return [(e.kind, e.alert_id, e.track_id) for e in events]


# -- a track break ----------------------------------------------------------------------------


def test_a_new_track_where_a_lost_one_was_takes_its_alert_over() -> None:
    manager = AlertManager()
    assert brief(step(manager, T0, [HOVER], 0.9)) == [(EventKind.RAISED, 1, 1)]
    assert silent(manager, 1, 20) == []  # track 1 gone for 19 s: the tracker dropped it
    new = Fly(2, 1_300.0, 200.0, sigma_m=10.0, age_s=2.0)  # 360 m away; the gate is 1 km
    events = step(manager, T0 + 20, [new], 0.9)
    assert brief(events) == [(EventKind.TRACK_CHANGED, 1, 2)]
    assert "track 2 takes over from track 1 (0.4 km from its last measurement, 20 s later)" in (
        events[0].message
    )
    alert = manager.alert(1)
    assert (alert.track_id, alert.track_ids, alert.state) == (2, (1, 2), AlertState.NEW)
    assert manager.active_alert(2) == alert and manager.active_alert(1) is None
    later = [step(manager, T0 + k, [replace(new, age_s=k - 18.0)], 0.9) for k in range(21, 200)]
    assert all(e == [] for e in later)  # the new track keeps the alert alive
    assert len(manager.alerts(include_cleared=True)) == 1


def test_a_new_track_far_from_where_the_lost_one_was_raises_its_own_alert() -> None:
    manager = AlertManager()
    step(manager, T0, [HOVER], 0.9)
    silent(manager, 1, 20)
    far = Fly(2, -4_000.0, 2_000.0, age_s=20.0)  # 5.4 km away after 20 s: gate 0.7 km
    assert brief(step(manager, T0 + 20, [far], 0.9)) == [(EventKind.RAISED, 2, 2)]
    assert manager.alert(1).track_ids == (1,)


def test_an_auto_cleared_alert_is_reopened_by_a_new_track_nearby_in_its_state() -> None:
    manager = AlertManager()  # min_hold_s 30, clear_after_s 60, handover_window_s 90
    step(manager, T0, [HOVER], 0.9)
    manager.acknowledge(1, "op-anna", T0 + 5)
    assert brief(silent(manager, 1, 75)) == [(EventKind.AUTO_CLEARED, 1, 1)]  # at T0 + 60
    assert manager.alert(1).clear_reason == "track lost"
    new = Fly(2, 1_500.0, 300.0, age_s=3.0)  # 75 s after track 1's last measurement
    events = step(manager, T0 + 75, [new], 0.9)
    assert brief(events) == [(EventKind.REOPENED, 1, 2)]
    assert events[0].message.startswith("alert re-opened on track 2 from track 1")
    alert = manager.alert(1)
    assert alert.state is AlertState.ACKNOWLEDGED  # the operator's acknowledgement stands
    assert math.isnan(alert.t_cleared) and alert.clear_reason == ""
    assert alert.track_ids == (1, 2) and [a.action for a in alert.actions] == ["acknowledge"]


def test_past_the_window_a_new_track_nearby_raises_a_new_alert() -> None:
    manager = AlertManager()
    step(manager, T0, [HOVER], 0.9)
    silent(manager, 1, 95)
    new = Fly(2, 1_100.0, 0.0, age_s=13.0)  # 95 s after the last measurement: beyond 90 s
    assert brief(step(manager, T0 + 95, [new], 0.9)) == [(EventKind.RAISED, 2, 2)]


@pytest.mark.parametrize(("back", "state"), [(60, AlertState.ACKNOWLEDGED), (300, AlertState.NEW)])
def test_a_track_that_threatens_again_reopens_its_own_alert(back: int, state: AlertState) -> None:
    """Within the window of the clear the alert gets its state back; later it is NEW."""
    away = Fly(1, 8_000.0, 0.0, v_east=30.0)
    manager = AlertManager(AlertConfig(min_hold_s=0.0, clear_after_s=20.0))
    step(manager, T0, [INSIDE], 0.9)
    manager.acknowledge(1, "op-anna", T0 + 1)
    off = [step(manager, T0 + k, [away], 0.9) for k in range(1, back)]
    assert [brief(e) for e in off if e] == [[(EventKind.AUTO_CLEARED, 1, 1)]]  # at T0 + 21
    events = step(manager, T0 + back, [INSIDE], 0.9)
    assert brief(events) == [(EventKind.REOPENED, 1, 1)]
    assert events[0].message.startswith("alert re-opened on track 1: ")
    assert manager.alert(1).state is state
    assert len(manager.alerts(include_cleared=True)) == 1


# -- what is never re-opened ------------------------------------------------------------------


def test_an_operator_cleared_alert_is_never_reopened() -> None:
    manager = AlertManager()
    step(manager, T0, [HOVER], 0.9)
    twin = Fly(3, 1_100.0, 50.0, sigma_m=10.0, age_s=2.0)  # a second track of the object
    assert step(manager, T0 + 1, [HOVER, twin], 0.9) == []
    manager.clear(1, "op-bart", T0 + 2, note="a balloon")
    ripe_twin = replace(twin, age_s=20.0)
    assert all(step(manager, T0 + k, [HOVER, ripe_twin], 0.9) == [] for k in range(3, 10))
    silent(manager, 10, 20)  # both tracks are lost; a new one starts where they were
    events = step(manager, T0 + 20, [Fly(2, 1_200.0, 100.0, age_s=13.0)], 0.9)
    assert brief(events) == [(EventKind.RAISED, 2, 2)]  # judged afresh, not alert 1 again
    alert = manager.alert(1)
    assert alert.state is AlertState.CLEARED and alert.clear_reason == "cleared by op-bart"


def test_an_alert_cleared_as_friendly_is_not_reopened() -> None:
    manager = AlertManager()
    step(manager, T0, [HOVER], 0.9)
    assert brief(step(manager, T0 + 1, [HOVER], 0.9, friendly=True)) == [
        (EventKind.AUTO_CLEARED, 1, 1)
    ]
    assert brief(step(manager, T0 + 2, [HOVER], 0.9)) == [(EventKind.RAISED, 2, 1)]
    assert manager.alert(1).clear_reason == "identified as friendly"


# -- two tracks of one object at once ---------------------------------------------------------


def test_two_tracks_of_one_object_at_once_make_one_alert() -> None:
    manager = AlertManager()
    step(manager, T0, [HOVER], 0.9)
    twin = Fly(2, 1_100.0, 80.0, sigma_m=10.0)
    for k in range(1, 30):  # the tracker keeps two tracks on the object, both measured
        assert step(manager, T0 + k, [HOVER, replace(twin, age_s=k + 1.0)], 0.9) == []
    assert len(manager.alerts()) == 1 and manager.active_alert(2) is None
    coasting = replace(HOVER, unmeasured_s=6.0)  # track 1 is no longer measured
    events = step(manager, T0 + 30, [coasting, replace(twin, age_s=31.0)], 0.9)
    assert brief(events) == [(EventKind.TRACK_CHANGED, 1, 2)]
    assert step(manager, T0 + 31, [coasting, replace(twin, age_s=32.0)], 0.9) == []
    assert len(manager.alerts(include_cleared=True)) == 1


def test_a_much_more_precise_second_track_carries_the_alert() -> None:
    manager = AlertManager()
    step(manager, T0, [replace(HOVER, sigma_m=200.0)], 0.9)
    sharp = Fly(2, 1_100.0, 0.0, sigma_m=20.0, age_s=2.0)
    events = step(manager, T0 + 1, [replace(HOVER, sigma_m=200.0), sharp], 0.9)
    assert brief(events) == [(EventKind.TRACK_CHANGED, 1, 2)]


def test_a_track_born_next_to_the_object_carries_its_alert_when_the_old_one_drifts() -> None:
    """The new track appears beside the alerted one before its class is settled (not yet a
    threat); later the old track degrades and drifts away. The alert follows the precise one."""
    manager = AlertManager()
    step(manager, T0, [HOVER], 0.9)
    newborn = Fly(2, 1_050.0, 0.0, sigma_m=5.0, age_s=2.0)
    assert step(manager, T0 + 1, [HOVER, newborn], [0.9, 0.3]) == []
    degraded = replace(HOVER, sigma_m=200.0)  # RMS error 350 m: its gate is about 1 km
    moved = replace(newborn, east_m=3_000.0, age_s=60.0)  # 2 km from it, 40× more precise
    events = step(manager, T0 + 60, [degraded, moved], 0.9)
    assert brief(events) == [(EventKind.TRACK_CHANGED, 1, 2)]


def test_a_second_track_that_moves_clearly_apart_is_another_object() -> None:
    manager = AlertManager()
    step(manager, T0, [HOVER], 0.9)
    twin = Fly(2, 1_100.0, 0.0, sigma_m=10.0, age_s=2.0)
    assert step(manager, T0 + 1, [HOVER, twin], 0.9) == []
    apart = replace(twin, east_m=-2_000.0, age_s=30.0)  # 3 km off, as precise
    assert brief(step(manager, T0 + 30, [HOVER, apart], 0.9)) == [(EventKind.RAISED, 2, 2)]


def test_a_much_less_precise_second_track_far_off_is_a_ghost_and_stays_silent() -> None:
    manager = AlertManager()
    step(manager, T0, [HOVER], 0.9)
    ghost = Fly(2, 1_100.0, 0.0, sigma_m=10.0, age_s=2.0)
    assert step(manager, T0 + 1, [HOVER, ghost], 0.9) == []
    drifted = replace(ghost, east_m=-2_000.0, sigma_m=300.0, age_s=30.0)  # 3 km off, vague
    assert all(step(manager, T0 + k, [HOVER, drifted], 0.9) == [] for k in range(30, 40))
    assert len(manager.alerts(include_cleared=True)) == 1


def test_without_motion_columns_alerts_stay_on_their_own_tracks() -> None:
    manager = AlertManager()

    def bare(t: float, flights: list[Fly]) -> list[AlertEvent]:
        batch = tracks(flights, t=t)
        cls = classes([f.track_id for f in flights], 0.9, t=t)
        return manager.update(t, cls, replace(ASSESSOR.assess(batch, cls), motion=None))

    bare(T0, [HOVER])
    silent(manager, 1, 20)
    new = Fly(2, 1_300.0, 200.0, age_s=2.0)
    assert brief(bare(T0 + 20, [new])) == [(EventKind.RAISED, 2, 2)]


# -- a young track's class settles first ------------------------------------------------------


def test_a_new_alert_waits_until_the_track_is_min_track_age_s_old() -> None:
    manager = AlertManager(AlertConfig(min_track_age_s=5.0))
    young = Fly(1, 1_000.0, 0.0)
    assert step(manager, T0, [replace(young, age_s=1.0)], 0.9) == []
    assert step(manager, T0 + 3, [replace(young, age_s=4.0)], 0.9) == []
    assert brief(step(manager, T0 + 4, [replace(young, age_s=5.0)], 0.9)) == [
        (EventKind.RAISED, 1, 1)
    ]


def test_no_wait_for_an_object_that_gets_into_a_site_before_then() -> None:
    manager = AlertManager(AlertConfig(min_track_age_s=5.0))
    entering = Fly(1, -5_100.0, 0.0, v_east=50.0, age_s=1.0)  # in the circle after 2 s
    assert brief(step(manager, T0, [entering], 0.9)) == [(EventKind.RAISED, 1, 1)]


# -- the fixes and the settings ---------------------------------------------------------------


def test_a_coasting_track_is_placed_where_it_was_last_measured() -> None:
    flight = Fly(7, 1_000.0, 0.0, v_east=50.0, sigma_m=10.0, age_s=30.0, unmeasured_s=4.0)
    batch = tracks([flight], t=T0)
    threats = ASSESSOR.assess(batch)
    fixes = Fixes.of(threats, latest_rows(threats.track_id, threats.t))
    assert fixes is not None
    measured = tracks([replace(flight, east_m=800.0, unmeasured_s=0.0)], t=T0 - 4.0)
    np.testing.assert_allclose(fixes.position[0], measured.state[0, :3], atol=1e-6)
    assert fixes.t[0] == T0 - 4.0 and fixes.t_first[0] == T0 - 30.0
    assert fixes.speed[0] == pytest.approx(50.0)
    assert fixes.sigma_m[0] == pytest.approx(10.0 * math.sqrt(3.0))


@pytest.mark.parametrize(
    "name",
    [
        "handover_window_s",
        "handover_stale_s",
        "handover_birth_s",
        "handover_floor_m",
        "handover_min_speed_mps",
        "handover_speed_margin",
        "handover_sigmas",
        "handover_better_ratio",
        "min_track_age_s",
    ],
)
def test_track_break_settings_are_checked(name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        AlertConfig(**{name: -1.0})


def test_matching_by_position_agrees_with_a_brute_force_search() -> None:
    """``ObjectMemory.adopt`` measures only the pairs its k-d tree keeps; every young track
    must get the alert a search over every pair gives (smallest distance / gate)."""
    rng = np.random.default_rng(5)
    cfg = AlertConfig()
    memory = ObjectMemory(cfg)
    t = T0 + 1_000.0
    n_alerts, n_tracks = 60, 400

    def fixes(n: int, first_id: int, t_fix: np.ndarray) -> Fixes:
        return Fixes(
            track_id=np.arange(first_id, first_id + n, dtype=np.int64),
            t=t_fix,
            position=rng.uniform(-20_000.0, 20_000.0, (n, 3)) + 6.4e6,
            speed=rng.uniform(0.0, 60.0, n),
            sigma_m=rng.uniform(5.0, 800.0, n),
            t_first=np.full(n, t - 3.0),
            n_updates=np.full(n, 3, np.int64),
        )

    old = fixes(n_alerts, 1, t - rng.uniform(0.0, 120.0, n_alerts))
    for k in range(n_alerts):
        memory.carries(k + 1, k + 1, old.row(k))
    lost = set(range(1, n_alerts + 1, 3))
    for alert_id in lost:
        memory.lost(alert_id)
    active = [a for a in range(1, n_alerts + 1) if a not in lost]
    new = fixes(n_tracks, 10_000, t - rng.uniform(0.0, 3.0, n_tracks))
    memory.adopt(t, new, active)
    for i in range(n_tracks):
        best, best_score = None, math.inf
        for j in range(n_alerts):
            gap = new.t[i] - old.t[j]
            measured = (j + 1) in active and t - old.t[j] < cfg.handover_stale_s
            if abs(gap) > cfg.handover_window_s or not (gap > 0.0 or measured):
                continue
            speed = max(cfg.handover_min_speed_mps, cfg.handover_speed_margin * old.speed[j])
            error = cfg.handover_sigmas * math.hypot(new.sigma_m[i], old.sigma_m[j])
            gate = cfg.handover_floor_m + speed * abs(gap) + error
            distance = float(np.linalg.norm(new.position[i] - old.position[j]))
            if distance <= gate and distance / gate < best_score:
                best, best_score = j + 1, distance / gate
        assert memory.owner(int(new.track_id[i])) == best
    assert sum(memory.owner(int(k)) is not None for k in new.track_id) > 20
