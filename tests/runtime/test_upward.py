"""A site node reporting up (``runtime/upward.py``): picture rows and alert events in SAPIENT's
terms, then end to end over real loopback TCP and the real Mosquitto broker — a site pipeline
on an EO/IR node (MQTT) and a SAPIENT camera node beneath it reports to a parent fusion node:
its registration (naming the camera), status (the camera's coverage), tracks near the true
drone, an alert raised at the site and the operator's acknowledgement as SAPIENT Alerts; the
parent goes away and comes back, and the site reconnects and resumes."""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from dronewall.assess.alert_types import AlertEvent, AlertState, EventKind
from dronewall.core.clock import SystemClock
from dronewall.core.types import ObjectClass, SensorKind
from dronewall.runtime.feedspec import parse_feed_url
from dronewall.runtime.live import feeds_pipeline
from dronewall.runtime.pipeline import PipelineSettings
from dronewall.runtime.upward import UpwardReporter, UpwardSettings
from dronewall.runtime.upward_convert import track_fix, upward_alert, upward_tracks
from dronewall.sensors.sapient import (
    Content,
    Health,
    SapientLink,
    SensorDescription,
    SensorNode,
)
from dronewall.sensors.sapient.alerts import AlertStatus, AlertType, Priority
from dronewall.sensors.sapient.classes import read_class
from dronewall.sensors.sapient.codec import Header, decode_alert, encode_alert
from dronewall.sensors.sapient.ids import UlidFactory, keyed_ulid, node_uuid
from dronewall.sensors.sapient.nodes import NodeType
from dronewall.sensors.sapient.tracks import TrackReporter
from dronewall.server import ServerSettings, create_app
from dronewall.store import PictureFrame, open_store
from tests.app.feeds_harness import GEOD, Target, free_port
from tests.runtime.upward_harness import HANG_GUARD_S, EoirNode, ParentNode, drone, wait_until

T0 = 1_759_429_800.0
SITE = "site Warsaw"
ULID = keyed_ulid(T0, "test alert")


def _frame() -> PictureFrame:
    """Two tracks: a drone going south at 25 m/s, an unknown climbing north-east."""
    return PictureFrame(
        t=T0,
        track_id=np.array([7, 9], np.int64),
        lat_deg=np.array([52.2, 52.1]),
        lon_deg=np.array([20.9, 21.0]),
        alt_m=np.array([150.0, 300.0]),
        speed_mps=np.array([25.0, 10.0]),
        course_deg=np.array([180.0, 45.0]),
        climb_mps=np.array([0.0, 2.0]),
        sigma_m=np.array([15.0, 40.0]),
        label=np.array([ObjectClass.DRONE, ObjectClass.UNKNOWN], np.uint8),
        probabilities=np.array([[0.05, 0.9, 0.03, 0.02], [0.6, 0.2, 0.1, 0.1]]),
        drone_kind=np.zeros(2, np.uint8),
        affiliation=np.array(["S", "U"]),
        priority=np.array([80.0, 0.0]),
        site_id=np.array(["chopin-airport", ""]),
        time_to_site_s=np.array([200.0, math.nan]),
        identity=np.array(["", ""]),
        sensor_kinds=np.zeros(2, np.uint16),
        alert_id=np.array([3, 0], np.int64),
        class_reasons=["", ""],
        threat_reasons=["", ""],
    )


def test_picture_rows_become_detection_reports_with_their_position_velocity_and_class() -> None:
    tracks = upward_tracks(_frame())
    sent = TrackReporter(node_uuid(SITE), UlidFactory(0)).reports(tracks)
    assert [t for t, _ in sent] == [T0, T0]
    for (_, report), (lat, lon, alt, sigma) in zip(
        sent, [(52.2, 20.9, 150.0, 15.0), (52.1, 21.0, 300.0, 40.0)], strict=True
    ):
        where = report.location
        assert (where.y, where.x) == pytest.approx((lat, lon), abs=1e-9)
        assert where.z == pytest.approx(alt, abs=1e-6)
        # σ of the frame east and north, and (no vertical error in a frame) up too
        assert (where.x_error, where.y_error, where.z_error) == pytest.approx((sigma,) * 3)
    south, north_east = sent[0][1].enu_velocity, sent[1][1].enu_velocity
    assert (south.east_rate, south.north_rate, south.up_rate) == pytest.approx(
        (0.0, -25.0, 0.0), abs=1e-9
    )
    assert (north_east.east_rate, north_east.north_rate, north_east.up_rate) == pytest.approx(
        (10 / math.sqrt(2), 10 / math.sqrt(2), 2.0)
    )
    assert read_class(sent[0][1]) == (ObjectClass.DRONE, pytest.approx(0.9))
    assert read_class(sent[1][1]) == (ObjectClass.UNKNOWN, pytest.approx(0.6))


def _event(kind: EventKind, priority: float = 80.0, track_id: int = 7) -> AlertEvent:
    return AlertEvent(kind, T0, 3, track_id, "chopin-airport", priority, AlertState.NEW,
                      "alert raised: drone 0.90; inbound to Warsaw Chopin Airport")  # fmt: skip


def test_a_raised_alert_is_a_conformant_sapient_alert_at_its_track() -> None:
    frame, objects = _frame(), ((node_uuid(SITE), keyed_ulid(T0, "track 7")),)
    message = upward_alert(_event(EventKind.RAISED), ULID, SITE, track_fix(frame, 7), objects)
    assert message is not None
    decoded = decode_alert(encode_alert(Header(node_uuid(SITE), T0), message))  # the ICD's rules
    assert not isinstance(decoded, Exception), decoded
    _, alert = decoded
    assert alert.alert_id == ULID
    assert (alert.alert_type, alert.status) == (AlertType.WARNING, AlertStatus.ACTIVE)
    assert alert.priority == Priority.HIGH and alert.ranking == pytest.approx(0.8)
    assert (alert.location.y, alert.location.x, alert.location.z) == (52.2, 20.9, 150.0)
    assert alert.location.x_error == 15.0
    assert alert.confidence == pytest.approx(0.9)  # the track's drone probability
    assert [(d.node_id, d.object_id) for d in alert.associated_detection] == list(objects)
    assert alert.description.startswith(f"{SITE}: alert 3 raised — alert raised: drone 0.90")
    assert alert.additional_information == "site chopin-airport"


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (EventKind.ESCALATED, AlertStatus.ACTIVE),
        (EventKind.TRACK_CHANGED, AlertStatus.ACTIVE),
        (EventKind.REOPENED, AlertStatus.ACTIVE),
        (EventKind.ACKNOWLEDGED, AlertStatus.ACKNOWLEDGE),
        (EventKind.ENGAGED, AlertStatus.ACKNOWLEDGE),
        (EventKind.CLEARED, AlertStatus.CLEAR),
        (EventKind.AUTO_CLEARED, AlertStatus.CLEAR),
        (EventKind.SITE_CLEAR, None),
    ],
)
def test_each_alert_event_has_its_sapient_status(kind: EventKind, status: AlertStatus) -> None:
    message = upward_alert(_event(kind), ULID, SITE, track_fix(_frame(), 7), ())
    assert (message.status if message is not None else None) == status


def test_an_alert_whose_track_is_gone_has_no_location_and_priority_comes_in_thirds() -> None:
    gone = upward_alert(_event(EventKind.RAISED, 50.0, track_id=99), ULID, SITE,
                        track_fix(_frame(), 99), ())  # fmt: skip
    assert gone is not None and not gone.HasField("location") and not gone.HasField("confidence")
    assert gone.priority == Priority.MEDIUM
    low = upward_alert(_event(EventKind.RAISED, 20.0), ULID, SITE, track_fix(None, 7), ())
    assert low is not None and low.priority == Priority.LOW


def test_with_its_parent_unreachable_a_site_drops_and_counts_and_closes_at_once() -> None:
    """Nothing is queued for a parent that is not there: tracks and alerts are counted as
    dropped, and closing does not wait for it."""
    reporter = UpwardReporter(UpwardSettings("127.0.0.1", free_port(), SITE, interval_s=1.0))
    reporter.start()
    frame = _frame()
    reporter.take_frame(frame, math.nan, 1)
    wait_until(lambda: reporter.health()["tracks_dropped"] == 2, "a picture dropped")
    for k in (2, 3):  # half a second later (not due yet), then a second later
        reporter.take_frame(replace(frame, t=T0 + 0.5 * (k - 1)), math.nan, k)
    reporter.take_events([_event(EventKind.RAISED)])
    wait_until(lambda: reporter.health()["alerts_dropped"] == 1, "the alert dropped")
    wait_until(lambda: reporter.health()["tracks_dropped"] == 4, "the second picture dropped")
    started = time.monotonic()
    reporter.close()
    assert time.monotonic() - started < HANG_GUARD_S
    health = reporter.health()
    assert (health["connected"], health["tracks_sent"], health["alerts_sent"]) == (False, 0, 0)
    reporter.take_frame(frame, math.nan, 9)  # after close: ignored, nothing raises


# --- end to end ----------------------------------------------------------------------------


def _camera(port: int) -> tuple[SensorNode, Any]:
    """A SAPIENT camera node registering with the site's fusion node, with its status."""
    node = SensorNode(
        SensorDescription(
            "pl-waw-cam-01",
            SensorKind.EOIR,
            52.205,
            20.965,
            110.0,
            model="test",
            max_range_m=3000.0,
        ),
        UlidFactory(1),
    )

    async def connect() -> SapientLink:
        link = SapientLink(node.node_id, SystemClock(), on_task=node.answer)
        await link.connect("127.0.0.1", port)
        await link.register(node.registration())
        await link.send(Content.STATUS_REPORT, node.status(time.time()))
        return link

    return node, connect()


def _off_m(lat: float, lon: float, alt: float, target: Target, t: float) -> float:
    tlat, tlon, talt = target.at(t)
    return math.hypot(float(GEOD.inv(lon, lat, tlon, tlat)[2]), alt - talt)


def _metric(text: str, name: str) -> float:
    line = next(x for x in text.splitlines() if x.startswith(name + " "))
    return float(line.split()[1])


def test_a_site_reports_up_and_resumes_when_its_parent_comes_back(tmp_path: Path) -> None:
    parent = ParentNode()
    parent.start()
    prefix = f"dwtest/{uuid.uuid4().hex[:8]}"
    target = drone(time.time())
    eoir = EoirNode(prefix, target)
    eoir.start()
    assert eoir.connected.wait(10)
    sapient_port = free_port()
    store = open_store(f"sqlite:///{tmp_path / 'site.db'}")
    specs = [parse_feed_url(f"mqtt://127.0.0.1:1883/{prefix}"),
             parse_feed_url(f"sapient://127.0.0.1:{sapient_port}")]  # fmt: skip
    pipeline = feeds_pipeline(specs, store, PipelineSettings(speed=math.inf))
    settings = UpwardSettings("127.0.0.1", parent.port, SITE, interval_s=0.5, status_interval_s=1)
    reporter = UpwardReporter.for_pipeline(pipeline, settings)
    assert reporter.shared_loop  # on the feeds' loop: the camera's registry is the real one
    reporter.start()
    app = create_app(ServerSettings(static_dir=tmp_path), store=store, feed=pipeline,
                     parent=reporter)  # fmt: skip
    site = node_uuid(SITE)
    camera, connecting = _camera(sapient_port)
    link = parent.call(connecting)
    try:
        with TestClient(app) as client:
            _registered_with_its_camera(parent, site, camera.node_id)
            _tracks_near_the_drone(parent, site, target, since=0.0)
            _alert_and_acknowledgement(parent, client, site, target)
            health = client.get("/api/health").json()["parent"]
            assert health["connected"] and health["tracks_sent"] > 0 and health["children"] == 1
            assert client.get("/api/parent").json()["node_id"] == site
            text = client.get("/metrics").text
            assert _metric(text, "dronewall_parent_connected") == 1.0
            assert _metric(text, "dronewall_parent_tracks_sent_total") == health["tracks_sent"] > 0

            parent.stop()  # the parent goes away: tracks are dropped, counted
            wait_until(lambda: reporter.health()["tracks_dropped"] > 0, "tracks dropped")
            assert not client.get("/api/parent").json()["connected"]
            assert _metric(client.get("/metrics").text, "dronewall_parent_connected") == 0.0
            back = time.time()
            parent.start()  # … and comes back on the same port
            wait_until(lambda: reporter.health()["registrations"] >= 2, "registered again")
            _registered_with_its_camera(parent, site, camera.node_id)
            _tracks_near_the_drone(parent, site, target, since=back)
            assert client.get("/api/parent").json()["connected"]
        entry = parent.entry(site)  # the site said goodbye as the server stopped
        assert entry is not None and entry.health is Health.GOODBYE
    finally:
        parent.call(link.close())
        eoir.stop.set()
        eoir.join(30)
        parent.close()
        store.close()


def _registered_with_its_camera(parent: ParentNode, site: str, camera: str) -> None:
    """The site registered as a fusion node naming the camera beneath it, and its status
    carries the camera's coverage."""

    def named() -> bool:
        entry = parent.entry(site)
        if entry is None or entry.status is None:
            return False
        return list(entry.registration.dependent_nodes) == [camera] and bool(entry.status.coverage)

    wait_until(named, "the site's registration naming its camera, and status with coverage")
    entry = parent.entry(site)
    assert entry is not None and entry.registration.name == SITE
    assert entry.registration.node_definition[0].node_type == NodeType.NODE_TYPE_FUSION_NODE


def _tracks_near_the_drone(parent: ParentNode, site: str, target: Target, since: float) -> None:
    """Three track reports since ``since`` (arrival time), each within 150 m of where the drone
    was at the report's time; the latest one declared a drone."""

    def rows() -> Any:
        all_rows = parent.rows()
        return all_rows.take(np.flatnonzero(all_rows.t_arrival >= since))

    wait_until(lambda: len(rows()) >= 3, "three track reports at the parent")
    got = rows()
    for i in range(len(got)):
        off = _off_m(got.lat_deg[i], got.lon_deg[i], got.alt_m[i], target, got.t_measured[i])
        assert off < 150.0, (i, off)
    wait_until(lambda: rows().declared_class[-1] == ObjectClass.DRONE, "a drone declared")
    assert {str(n) for k in parent.keys for n in k.node_id} == {site}


def _alert_and_acknowledgement(
    parent: ParentNode, client: TestClient, site: str, target: Target
) -> None:
    """The alert raised at the site arrives at its track, naming the track the parent knows;
    the operator's acknowledgement at the site arrives as the same alert, acknowledged."""
    wait_until(lambda: bool(parent.alerts), "an alert at the parent")
    raised = parent.alerts[0]
    assert (raised.node_id, raised.status) == (site, AlertStatus.ACTIVE)
    assert raised.description.startswith(f"{SITE}: alert 1 raised")
    assert raised.location is not None
    loc = raised.location
    assert _off_m(loc.lat_deg, loc.lon_deg, loc.alt_m, target, raised.time_s) < 150.0
    [(sender, object_id)] = raised.objects
    assert sender == site
    wait_until(lambda: object_id in parent.object_ids(), "the alert's track among the reports")
    done = client.post("/api/alerts/1/acknowledge", json={"operator": "duty officer"})
    assert done.status_code == 200, done.text

    def acknowledged() -> list[str]:
        return [a.alert_id for a in parent.alerts if a.status == AlertStatus.ACKNOWLEDGE]

    wait_until(lambda: bool(acknowledged()), "the acknowledgement at the parent")
    assert acknowledged() == [raised.alert_id]  # the same alert, by its ULID


def test_a_dronewall_region_forms_the_track_its_site_reports_at_the_default_pace(
    tmp_path: Path,
) -> None:
    """Two tiers of dronewall: the site's tracks, sent every 2 s of data time, reach the
    region's tracker often enough to confirm a track there (it drops a tentative track after
    2.5 s without an update), where the drone is."""
    prefix = f"dwtest/{uuid.uuid4().hex[:8]}"
    target = drone(time.time())
    eoir = EoirNode(prefix, target)
    eoir.start()
    assert eoir.connected.wait(10)
    region_port = free_port()
    stores = [open_store(f"sqlite:///{tmp_path / name}") for name in ("region.db", "site.db")]
    region = feeds_pipeline([parse_feed_url(f"sapient://127.0.0.1:{region_port}")], stores[0],
                            PipelineSettings(speed=math.inf))  # fmt: skip
    site = feeds_pipeline([parse_feed_url(f"mqtt://127.0.0.1:1883/{prefix}")], stores[1],
                          PipelineSettings(speed=math.inf))  # fmt: skip
    reporter = UpwardReporter.for_pipeline(site, UpwardSettings("127.0.0.1", region_port, SITE))
    assert not reporter.shared_loop and reporter.settings.interval_s == 2.0
    try:
        region.start()
        site.start()
        reporter.start()

        def tracked() -> bool:
            frame = region.latest
            return any(
                _off_m(frame.lat_deg[i], frame.lon_deg[i], frame.alt_m[i], target, frame.t) < 150.0
                for i in range(len(frame))
            )

        wait_until(tracked, "the region's track of the drone")
        assert region.summary.reports >= 3
    finally:
        reporter.close()
        for pipeline in (site, region):
            pipeline.stop()
            pipeline.join(30)
        eoir.stop.set()
        eoir.join(30)
        for store in stores:
            store.close()
