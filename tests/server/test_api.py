"""The REST API and the WebSocket, against a real pipeline run and the SQLite store."""

from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewall.runtime.live import simulation_pipeline
from dronewall.runtime.pipeline import Pipeline, PipelineSettings
from dronewall.server import ServerSettings
from dronewall.store.sqlite import SQLiteStore
from tests.server.authhelp import Recorder, bearer, make_auth_app, token

DUTY = ("operator", "commander")  # the test client's roles: acts on alerts, reads the picture
DUTY_NAME = "operator-commander.DEU.SECRET"  # authhelp's name for that user
COLUMNS = ("id", "lat", "lon", "alt", "speed", "course", "cls", "p_drone", "affil", "prio")


@pytest.fixture(scope="module")
def client(
    finished_run: tuple[Pipeline, SQLiteStore], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """Signed in as an operator and commander."""
    pipeline, store = finished_run
    audit = Recorder()
    app = make_auth_app(tmp_path_factory.mktemp("auth"), store=store, feed=pipeline, audit=audit)
    with TestClient(app, headers=bearer(app, DUTY)) as c:
        yield c


def test_openapi_describes_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/health", "/metrics", "/api/tracks", "/api/tracks/{track_id}",
        "/api/tracks/{track_id}/history", "/api/alerts", "/api/alerts/{alert_id}/{action}",
        "/api/sites", "/api/sensors", "/api/basemap", "/api/runs", "/api/runs/{run_id}",
        "/api/runs/{run_id}/frame", "/api/runs/{run_id}/events", "/api/summary",
        "/api/auth/login", "/api/auth/me", "/api/admin/users",
    ):  # fmt: skip
        assert path in spec["paths"], path
    body = spec["paths"]["/api/alerts/{alert_id}/{action}"]["post"]["requestBody"]
    assert body["required"] is True
    # Every parameterless GET in the description answers 200 (the admin's: 403 to others).
    for path, ops in spec["paths"].items():
        if "get" in ops and "{" not in path:
            assert client.get(path).status_code == (403 if "/admin/" in path else 200), path


def test_health_and_summary(client: TestClient, finished_run: tuple[Pipeline, SQLiteStore]) -> None:
    pipeline, _ = finished_run
    h = client.get("/api/health").json()
    assert h == {**h, "status": "ok", "mode": "live", "run_id": pipeline.run_id,
                 "state": "finished"}  # fmt: skip
    s = client.get("/api/summary").json()
    assert s["reports"] == pipeline.summary.reports and s["tracks"] == pipeline.summary.tracks


def test_tracks_are_aligned_columns(
    client: TestClient, finished_run: tuple[Pipeline, SQLiteStore]
) -> None:
    pipeline, _ = finished_run
    frame = client.get("/api/tracks").json()
    assert frame["type"] == "frame" and frame["n"] == len(pipeline.latest) > 0
    for name in COLUMNS:
        assert len(frame[name]) == frame["n"], name
    assert set(frame["affil"]) <= set("FHSNU")
    np.testing.assert_allclose(frame["lat"], np.round(pipeline.latest.lat_deg, 5))
    p = np.array([frame[k] for k in ("p_unknown", "p_drone", "p_bird", "p_aircraft")])
    np.testing.assert_allclose(p.sum(axis=0), 1.0, atol=2e-3)


def test_one_track_explains_itself(client: TestClient) -> None:
    frame = client.get("/api/tracks").json()
    track_id = frame["id"][0]
    detail = client.get(f"/api/tracks/{track_id}").json()
    assert detail["id"] == track_id
    assert set(detail["p"]) == {"UNKNOWN", "DRONE", "BIRD", "AIRCRAFT"}
    assert math.isclose(sum(detail["p"].values()), 1.0, abs_tol=1e-3)
    assert detail["class_reasons"]
    assert client.get("/api/tracks/999999999").status_code == 404
    history = client.get(f"/api/tracks/{track_id}/history").json()
    assert history["track_id"] == track_id and len(history["t"]) == history["n"] > 1
    assert history["t"] == sorted(history["t"])
    assert client.get("/api/tracks/999999999/history").status_code == 404


def test_acknowledge_then_clear_an_alert(client: TestClient) -> None:
    alerts = client.get("/api/alerts").json()
    assert alerts, "the Copenhagen run raises alerts within ten minutes"
    assert [a["priority"] for a in alerts] == sorted((a["priority"] for a in alerts), reverse=True)
    new = next(a for a in alerts if a["state"] == "new")
    url = f"/api/alerts/{new['alert_id']}"
    ok = client.post(f"{url}/acknowledge", json={"operator": "duty officer", "note": "camera"})
    assert ok.status_code == 200 and ok.json()["state"] == "acknowledged"
    assert ok.json()["actions"][-1]["operator"] == DUTY_NAME  # the signed-in user, not the body
    again = client.post(f"{url}/acknowledge", json={"operator": "duty officer"})
    assert again.status_code == 409  # already acknowledged
    assert client.post(f"{url}/clear", json={"operator": "duty officer"}).json()["state"] == (
        "cleared"
    )
    assert new["alert_id"] not in [a["alert_id"] for a in client.get("/api/alerts").json()]
    cleared = client.get("/api/alerts", params={"include_cleared": True}).json()
    assert new["alert_id"] in [a["alert_id"] for a in cleared]
    audit: Recorder = client.app.state.audit  # type: ignore[attr-defined]
    mine = [e for e in audit.events if e[2] == str(new["alert_id"])]
    assert [(e[0], e[1]) for e in mine] == [
        (DUTY_NAME, "alert.acknowledge"), (DUTY_NAME, "alert.acknowledge.refused"),
        (DUTY_NAME, "alert.clear")]  # fmt: skip
    assert mine[0][3]["note"] == "camera"


def test_alert_actions_reject_bad_input(client: TestClient) -> None:
    alert_id = client.get("/api/alerts", params={"include_cleared": True}).json()[0]["alert_id"]
    url = f"/api/alerts/{alert_id}"
    assert client.post("/api/alerts/424242/acknowledge", json={"operator": "x"}).status_code == 404
    assert client.post(f"{url}/launch", json={"operator": "x"}).status_code == 404
    assert client.post(f"{url}/acknowledge", content=b"{not json").status_code == 422
    assert client.post("/api/alerts/abc/acknowledge", json={"operator": "x"}).status_code == 422
    # Rejected requests are counted by route.
    text = client.get("/metrics").text
    line = next(
        x for x in text.splitlines()
        if x.startswith('dronewall_http_responses_total{route="/api/alerts/{alert_id}/{action}"')
        and 'status="4xx"' in x
    )  # fmt: skip
    assert float(line.split()[-1]) >= 4


def test_world_layers(client: TestClient, finished_run: tuple[Pipeline, SQLiteStore]) -> None:
    pipeline, _ = finished_run
    sites = client.get("/api/sites").json()
    assert len(sites["features"]) == len(pipeline.zones)
    assert any(f["properties"]["site_id"] == "airport-ekch" for f in sites["features"])
    sensors = client.get("/api/sensors").json()
    assert [f["properties"]["sensor_id"] for f in sensors["features"]] == (
        pipeline.sensors.sensor_id
    )
    base = client.get("/api/basemap").json()
    names = {f["properties"]["a3"] for f in base["features"]}
    assert {"DNK", "POL", "UKR", "FIN"} <= names


def test_runs_and_replay_frames(
    client: TestClient, finished_run: tuple[Pipeline, SQLiteStore]
) -> None:
    pipeline, store = finished_run
    runs = client.get("/api/runs").json()
    assert pipeline.run_id in [r["run_id"] for r in runs]
    run = client.get(f"/api/runs/{pipeline.run_id}").json()
    assert run["frames"] == pipeline.summary.frames
    t_mid = (run["t_first_frame"] + run["t_last_frame"]) / 2 + 0.5
    frame = client.get(f"/api/runs/{pipeline.run_id}/frame", params={"t": t_mid}).json()
    assert frame["t"] == math.floor(t_mid)  # the frame at or before t
    expected = store.frame_at(pipeline.run_id, t_mid)
    assert expected is not None and frame["id"] == expected.track_id.tolist()
    before = client.get(f"/api/runs/{pipeline.run_id}/frame", params={"t": 0})
    assert before.status_code == 404
    assert client.get("/api/runs/nope").status_code == 404
    assert client.get(f"/api/runs/{pipeline.run_id}/frame", params={"t": "nan"}).status_code == 422
    events = client.get(f"/api/runs/{pipeline.run_id}/events").json()
    assert any(e["kind"] == "raised" for e in events)


def test_metrics_are_prometheus_text(client: TestClient) -> None:
    r = client.get("/metrics")
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    for name in ("dronewall_reports_in_total", "dronewall_tracks", "dronewall_alerts_active",
                 "dronewall_queue_depth", "dronewall_stage_latency_seconds_bucket",
                 "dronewall_ws_clients"):  # fmt: skip
        assert name in text, name


def test_websocket_greets_with_hello_alerts_and_the_latest_frame(client: TestClient) -> None:
    with client.websocket_connect(f"/ws?access_token={token(client, 'viewer')}") as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello" and hello["mode"] == "live"
        assert ws.receive_json()["type"] == "alerts"
        ws.send_json({"type": "ping"})  # answered after what was already queued
        raw = ws.receive()
        assert "bytes" in raw  # frames travel as binary messages of UTF-8 JSON
        frame = json.loads(raw["bytes"])
        assert frame["type"] == "frame" and frame["n"] > 0
        assert ws.receive_json()["type"] == "pong"


def test_websocket_streams_a_live_run(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "live.db")
    pipeline = simulation_pipeline(
        "copenhagen-2025-09", store, PipelineSettings(speed=20.0), duration_s=120.0
    )
    app = make_auth_app(tmp_path, store=store, feed=pipeline)
    with TestClient(app, headers=bearer(app, "viewer")) as c, c.websocket_connect("/ws") as ws:
        assert ws.receive_json()["type"] == "hello"
        frames = []
        while len(frames) < 5:
            raw = ws.receive()
            m = json.loads(raw.get("bytes") or raw["text"])
            if m["type"] == "frame":
                frames.append(m)
        seqs = [f["seq"] for f in frames]
        assert seqs == sorted(seqs) and len(set(seqs)) == 5
        assert frames[-1]["t"] > frames[0]["t"]
        # A frame carries the ingest time of the oldest report it is the first to show (none:
        # it shows no new report).
        stamped = [f for f in frames if f["wall_ingest"] is not None]
        assert stamped and all(f["wall_sent"] >= f["wall_ingest"] for f in stamped)
        assert c.get("/api/health").json()["clients"] == 1
    pipeline.stop()
    pipeline.join(30)
    store.close()


def test_settings_alone_build_a_live_app(tmp_path: Path) -> None:
    """create_app(settings) opens the store and runs the scenario it names."""
    settings = ServerSettings(
        store_url=f"sqlite:///{tmp_path / 'app.db'}",
        scenario="copenhagen-2025-09",
        duration_s=60.0,
        pipeline=PipelineSettings(speed=0.0),
    )
    app = make_auth_app(tmp_path, settings)
    with TestClient(app, headers=bearer(app, "viewer")) as c:
        live = c.app.state.live  # type: ignore[attr-defined]
        assert live.feed.join(120.0)
        assert c.get("/api/health").json()["state"] == "finished"
        run_id = c.get("/api/health").json()["run_id"]
        assert c.get(f"/api/runs/{run_id}").json()["frames"] > 30


def test_replay_a_recorded_run_into_the_map(
    finished_run: tuple[Pipeline, SQLiteStore], tmp_path: Path
) -> None:
    pipeline, store = finished_run
    settings = ServerSettings(replay_run=pipeline.run_id, replay_speed=200.0)
    app = make_auth_app(tmp_path, settings, store=store)
    with TestClient(app, headers=bearer(app, DUTY)) as c, c.websocket_connect("/ws") as ws:
        assert c.get("/api/health").json()["mode"] == "replay"
        assert ws.receive_json()["type"] == "hello"
        times = []
        while len(times) < 3:
            raw = ws.receive()
            if "bytes" in raw:
                times.append(json.loads(raw["bytes"])["t"])
        assert times == sorted(times) and times[0] >= store.frame_times(pipeline.run_id)[0]
        alert_id = store.events(pipeline.run_id)[0].alert_id
        refused = c.post(f"/api/alerts/{alert_id}/acknowledge", json={"operator": "x"})
        assert refused.status_code == 409, refused.text  # a replay is read-only
        assert "replay" in refused.json()["detail"]


def test_reprocess_a_recorded_run(
    finished_run: tuple[Pipeline, SQLiteStore], tmp_path: Path
) -> None:
    pipeline, store = finished_run
    settings = ServerSettings(
        replay_run=pipeline.run_id, reprocess=True, pipeline=PipelineSettings(speed=0.0)
    )
    app = make_auth_app(tmp_path, settings, store=store)
    with TestClient(app, headers=bearer(app, "viewer")) as c:
        live = c.app.state.live  # type: ignore[attr-defined]
        assert live.feed.join(300.0)
        health = c.get("/api/health").json()
        assert health["mode"] == "live" and health["state"] == "finished"
        run = c.get(f"/api/runs/{health['run_id']}").json()
        assert run["source"] == f"replay:{pipeline.run_id}"
        assert run["frames"] == pipeline.summary.frames


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    path=st.sampled_from(
        [
            "/api/tracks/{}",
            "/api/tracks/{}/history",
            "/api/runs/{}",
            "/api/runs/{}/frame",
            "/api/runs/{}/events",
        ]
    ),
    key=_TEXT,
    query=st.dictionaries(st.sampled_from(["t", "t0", "t1", "run_id", "include_cleared"]), _TEXT),
)
def test_fuzzed_requests_are_rejected_cleanly(
    client: TestClient, path: str, key: str, query: dict[str, str]
) -> None:
    """Whatever the path parameter and query, the answer is a clear 4xx or a 200, never 5xx."""
    url = path.format(urllib.parse.quote(key, safe="")) if key else path.format("x")
    r = client.get(url, params=query)
    assert r.status_code < 500, (url, query, r.text)
    if r.status_code >= 400:
        assert "detail" in r.json()


@settings(max_examples=100, deadline=None)
@given(body=st.one_of(st.binary(max_size=64), _TEXT.map(str.encode)), action=_TEXT)
def test_fuzzed_alert_actions_are_rejected_cleanly(
    client: TestClient, body: bytes, action: str
) -> None:
    r = client.post(f"/api/alerts/1/{urllib.parse.quote(action, safe='') or 'x'}", content=body,
                    headers={"content-type": "application/json"})  # fmt: skip
    assert r.status_code < 500, (action, body, r.text)


@pytest.mark.parametrize("body", [b"Infinity", b"-Infinity", b"NaN", b'{"operator": NaN}'])
def test_non_finite_json_bodies_are_a_clean_422(client: TestClient, body: bytes) -> None:
    """Found by the fuzz test above: the default 422 handler failed (500) encoding ``inf``."""
    r = client.post("/api/alerts/1/acknowledge", content=body,
                    headers={"content-type": "application/json"})  # fmt: skip
    assert r.status_code == 422, r.text
    assert r.json()["detail"]
