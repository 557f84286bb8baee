"""The map in replay (``dronewall serve --replay RUN_ID``, in-process): the header says REPLAY
with the run id and the data time shown, and the alert panel lists the alerts of the moment
shown — rebuilt from the run's recorded events — not the live ones (a replay server has
none), both while the replay plays and when the slider is moved to another time.

The recorded run is built here (frames and alert events written to SQLite): two drones near
Copenhagen, alert 1 raised, acknowledged and auto-cleared; alert 2 raised, escalated, moved
to another track of its object and acknowledged; a site declared clear."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from playwright.sync_api import Browser, Page

from dronewall.assess import AlertEvent
from dronewall.assess.alert_types import AlertState, EventKind
from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import ObjectClass, SensorKind
from dronewall.runtime.sensor_table import sensors_to_json
from dronewall.server import ServerSettings, create_app
from dronewall.store import PictureFrame, RunInfo
from dronewall.store.sqlite import SQLiteStore
from tests.web.conftest import SCREENSHOTS
from tests.web.harness import D, map_page, serving

T0 = 1_758_564_000  # 2025-09-22 18:00:00 UTC
SECONDS = 90
RUN = "run-web-replay-test"
SITE = "EKCH"
SPEED = 3.0  # data seconds per wall second: the replay passes T0 + 22 some 7 s in
NEW, ACK, CLEARED = AlertState.NEW, AlertState.ACKNOWLEDGED, AlertState.CLEARED


def _event(kind: EventKind, dt: float, alert: int | None, track: int | None, prio: float,
           state: AlertState | None, message: str) -> AlertEvent:  # fmt: skip
    return AlertEvent(kind, T0 + dt, alert, track, SITE, prio, state, message)


EVENTS = [
    _event(EventKind.RAISED, 5, 1, 11, 60.0, NEW, "drone 2.1 km from EKCH"),
    _event(EventKind.ACKNOWLEDGED, 15, 1, 11, 60.0, ACK, "by operator"),
    _event(EventKind.RAISED, 20, 2, 12, 80.0, NEW, "drone 1.4 km from EKCH"),
    _event(EventKind.ESCALATED, 30, 2, 12, 92.0, NEW, "priority 80 → 92"),
    _event(EventKind.TRACK_CHANGED, 35, 2, 13, 92.0, NEW, "from track 12"),
    _event(EventKind.AUTO_CLEARED, 40, 1, 11, 0.0, CLEARED, "track lost for 60 s"),
    _event(EventKind.ACKNOWLEDGED, 42, 2, 13, 92.0, ACK, "by operator"),
    _event(EventKind.SITE_CLEAR, 70, None, None, 0.0, None, "EKCH clear"),
]


def _expected(t: float) -> dict[int, tuple[str, int]]:
    """Active alerts at ``t`` by id: (state, track) from the latest event of each."""
    held: dict[int, tuple[str, int]] = {}
    for e in EVENTS:
        if e.t <= t and e.alert_id is not None and e.state is not None:
            held[e.alert_id] = (e.state.value, e.track_id or 0)
    return {a: v for a, v in held.items() if v[0] != "cleared"}


def _frame(dt: int) -> PictureFrame:
    """Two drones closing on the airport; track 12's object is track 13 from T0 + 35."""
    second = 13 if dt >= 35 else 12
    ids = np.array([11, second], np.int64)
    n = 2
    alerts = np.array([1 if 5 <= dt < 40 else 0, 2 if dt >= 20 else 0], np.int64)
    probs = np.tile([0.05, 0.9, 0.03, 0.02], (n, 1))
    return PictureFrame(
        t=float(T0 + dt), track_id=ids,
        lat_deg=np.array([55.66 - dt * 1e-4, 55.58 + dt * 1e-4]),
        lon_deg=np.array([12.56 + dt * 2e-4, 12.70 - dt * 2e-4]),
        alt_m=np.array([120.0, 90.0]), speed_mps=np.array([15.0, 18.0]),
        course_deg=np.array([120.0, 300.0]), climb_mps=np.zeros(n), sigma_m=np.full(n, 20.0),
        label=np.full(n, ObjectClass.DRONE, np.uint8), probabilities=probs,
        drone_kind=np.zeros(n, np.uint8), affiliation=np.array(["H", "H"]),
        priority=np.array([60.0, 90.0]), site_id=np.array([SITE, SITE]),
        time_to_site_s=np.array([300.0 - dt, 200.0 - dt]), identity=np.array(["", ""]),
        sensor_kinds=np.full(n, 2, np.uint16), alert_id=alerts,
        class_reasons=["", ""], threat_reasons=["", ""],
    )  # fmt: skip


def _record(store: SQLiteStore) -> None:
    lat, lon, alt = np.array([55.63]), np.array([12.65]), np.array([20.0])
    ecef = np.asarray(geodetic_to_ecef(lat, lon, alt), float).reshape(1, 3)
    radar = SensorGeometry(["radar-ekch"], np.array([SensorKind.RADAR], np.uint8), lat, lon,
                           alt, ecef, np.array([15_000.0]))  # fmt: skip
    store.start_run(RunInfo(RUN, "simulation:web-replay-test", float(T0), float("nan"),
                            time.time(), {"sensors": sensors_to_json(radar)}))  # fmt: skip
    for dt in range(SECONDS):
        store.add_frame(RUN, _frame(dt))
    store.add_events(RUN, EVENTS)
    store.end_run(RUN, float(T0 + SECONDS - 1))


def _panel(page: Page) -> dict[int, tuple[str, int]]:
    rows = page.eval_on_selector_all(
        "#alert-list [data-alert-id]",
        "rs => rs.map(r => [+r.dataset.alertId, r.dataset.state, +r.dataset.trackId])",
    )
    return {a: (s, t) for a, s, t in rows}


def _scrub(page: Page, t: int) -> None:
    page.evaluate(
        "t => { const s = document.getElementById('time-slider'); s.value = String(t);"
        " s.dispatchEvent(new Event('input', {bubbles: true})); }",
        t,
    )
    page.wait_for_selector(f'#alert-list[data-t="{t}"]', state="attached", timeout=15_000)
    page.wait_for_function(  # the list is redrawn at most every 300 ms
        f"document.querySelectorAll('#alert-list [data-alert-id]').length === {len(_expected(t))}",
        timeout=5_000,
    )


def test_replay_is_badged_and_lists_the_alerts_of_the_moment_shown(
    browser: Browser, tmp_path: Path
) -> None:
    store = SQLiteStore(tmp_path / "replay.db")
    _record(store)
    app = create_app(ServerSettings(replay_run=RUN, replay_speed=SPEED), store=store)
    try:
        with serving(app) as server, map_page(browser, server.url) as page:
            page.wait_for_function(f"{D}.replay() && {D}.dataTime() !== null", timeout=30_000)
            assert page.inner_text("#mode-badge") == "REPLAY"
            assert page.evaluate(f"{D}.mode()") == "live"  # following the replay as it plays
            info = page.inner_text("#replay-info")
            assert RUN in info and "2025-09-22" in info

            # As it plays: the panel holds the alerts at the data time shown.
            page.wait_for_function(
                f"{D}.dataTime() >= {T0 + 22} && {D}.shownAlerts().t === {D}.dataTime()",
                timeout=30_000,
            )
            shown = page.evaluate(f"{D}.shownAlerts()")
            at = shown["t"]
            assert at >= T0 + 22
            got = {a["alert_id"]: (a["state"], a["track_id"]) for a in shown["alerts"]}
            assert got == _expected(at), at
            assert page.evaluate(f"{D}.alerts()") == []  # the server has no live alerts

            # Moved back and forth on the slider: the alerts of each moment, read-only.
            _scrub(page, T0 + 25)
            assert page.evaluate(f"{D}.mode()") == "replay"
            assert _panel(page) == {1: ("acknowledged", 11), 2: ("new", 12)}
            assert page.locator("#alert-list [data-testid^=ack-]").count() == 0
            assert page.locator("#alert-list [data-testid^=clear-]").count() == 0
            assert "18:00:25" in page.inner_text("#alert-when")
            assert "18:00:25" in page.inner_text("#replay-info")
            assert page.inner_text("#mode-badge") == "REPLAY"
            assert page.inner_text("#event-count") == "3"  # the events up to the moment
            page.wait_for_timeout(1500)  # replay frames and alert messages keep arriving
            assert _panel(page) == {1: ("acknowledged", 11), 2: ("new", 12)}

            _scrub(page, T0 + 45)
            assert _panel(page) == {2: ("acknowledged", 13)}
            _scrub(page, T0 + 12)
            assert _panel(page) == {1: ("new", 11)}
            _scrub(page, T0 + 80)
            assert _panel(page) == _expected(T0 + 80)
            assert "No active alerts at the moment shown" not in page.inner_text("#alert-list")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "replay.png"))

            # Back to the replay as it plays: still badged, alerts follow its moment.
            page.click("#live-button")
            page.wait_for_function(
                f"{D}.mode() === 'live' && {D}.shownAlerts().t === {D}.dataTime()",
                timeout=15_000,
            )
            assert page.inner_text("#mode-badge") == "REPLAY"
    finally:
        store.close()
