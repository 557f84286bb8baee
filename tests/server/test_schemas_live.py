"""Real answers follow the published contract: every route of a running app, and every
WebSocket message type seen in a short live run, validate against their JSON schemas in
``/openapi.json`` (``server/schemas.py``), checked with ``jsonschema``."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from dronewall.runtime.live import simulation_pipeline
from dronewall.runtime.pipeline import Pipeline, PipelineSettings
from dronewall.sensors.table import SensorTable
from dronewall.server import geo
from dronewall.server.columns import decode_columns, decode_header
from dronewall.store.sqlite import SQLiteStore

from .authhelp import make_auth_app, token

EVERY_ROLE = ("viewer", "operator", "commander", "planner", "admin")


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """``schema`` (which refers to ``#/components/schemas/…``) inside the whole description."""
    return Draft202012Validator({**schema, "components": spec["components"]})


def _say(error: Any) -> str:
    """A validation error in one line: where and what (not the whole schema)."""
    return f"at {'/'.join(map(str, error.absolute_path)) or 'top'}: {error.message[:300]}"


def component(spec: dict[str, Any], name: str) -> Draft202012Validator:
    return _validator(spec, {"$ref": f"#/components/schemas/{name}"})


class Contract:
    """Checks answers against the operation they came from; remembers which were seen."""

    def __init__(self, client: TestClient, spec: dict[str, Any]):
        self.client = client
        self.spec = spec
        self.seen: set[tuple[str, str, int]] = set()

    def call(
        self, method: str, template: str, status: int, *, url: str | None = None, **kw: Any
    ) -> Any:
        r = self.client.request(method, url or template, **kw)
        assert r.status_code == status, (method, url or template, r.status_code, r.text[:300])
        declared = self.spec["paths"][template][method.lower()]["responses"]
        assert str(status) in declared, f"{method} {template} answered undeclared {status}"
        content = declared[str(status)]["content"]
        if "application/json" not in content:
            assert r.headers["content-type"].startswith("text/plain")
            self.seen.add((method, template, status))
            return r.text
        body = r.json()
        errors = sorted(
            _validator(self.spec, content["application/json"]["schema"]).iter_errors(body),
            key=str,
        )
        assert not errors, f"{method} {url or template} {status}: {_say(errors[0])}"
        self.seen.add((method, template, status))
        return body


@pytest.fixture(scope="module")
def contract(
    finished_run: tuple[Pipeline, SQLiteStore], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Contract]:
    pipeline, store = finished_run
    app = make_auth_app(tmp_path_factory.mktemp("auth"), store=store, feed=pipeline)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token(app, EVERY_ROLE)}"
        yield Contract(client, app.openapi())


def test_every_route_answers_as_declared(
    contract: Contract, finished_run: tuple[Pipeline, SQLiteStore], live: tuple[TestClient, Any]
) -> None:
    pipeline, _ = finished_run
    c = contract.call
    run = pipeline.run_id
    c("GET", "/api/health", 200)
    c("GET", "/api/parent", 200)
    c("GET", "/metrics", 200)
    c("GET", "/api/summary", 200)
    frame = c("GET", "/api/tracks", 200)
    assert frame["n"] > 0
    track = frame["id"][0]
    c("GET", "/api/tracks/{track_id}", 200, url=f"/api/tracks/{track}")
    c("GET", "/api/tracks/{track_id}", 404, url="/api/tracks/999999999")
    c("GET", "/api/tracks/{track_id}", 422, url="/api/tracks/-1")
    c("GET", "/api/tracks/{track_id}/history", 200, url=f"/api/tracks/{track}/history")
    c("GET", "/api/tracks/{track_id}/history", 404, url="/api/tracks/999999999/history")
    alerts = c("GET", "/api/alerts", 200, params={"include_cleared": True})
    assert alerts
    c("GET", "/api/alerts", 422, params={"include_cleared": "maybe"})
    act = "/api/alerts/{alert_id}/{action}"
    c("POST", act, 404, url="/api/alerts/424242/acknowledge", json={"operator": "x"})
    c("POST", act, 422, url="/api/alerts/1/acknowledge", json={"note": "x" * 1001})
    for a in alerts:  # engaging a new alert, or anything but clearing a cleared one: refused
        if a["state"] in ("new", "cleared"):
            c("POST", act, 409, url=f"/api/alerts/{a['alert_id']}/engage", json={"operator": "x"})
            break
    _act(contract, live[0])
    c("GET", "/api/sites", 200)
    sensors = c("GET", "/api/sensors", 200)
    assert sensors["features"]
    c("GET", "/api/feeds", 200)
    c("GET", "/api/basemap", 200)
    runs = c("GET", "/api/runs", 200)
    assert run in [r["run_id"] for r in runs]
    info = c("GET", "/api/runs/{run_id}", 200, url=f"/api/runs/{run}")
    c("GET", "/api/runs/{run_id}", 404, url="/api/runs/no-such-run")
    frame_url = f"/api/runs/{run}/frame"
    c("GET", "/api/runs/{run_id}/frame", 200, url=frame_url, params={"t": info["t_last_frame"]})
    c("GET", "/api/runs/{run_id}/frame", 404, url=frame_url, params={"t": 0})
    c("GET", "/api/runs/{run_id}/frame", 422, url=frame_url, params={"t": "inf"})
    events = c("GET", "/api/runs/{run_id}/events", 200, url=f"/api/runs/{run}/events")
    assert events
    _users(contract)
    _audit(contract, alerts[0]["alert_id"])
    _refusals(contract)
    # Every operation in the description answered at least once with success.
    declared = {(m.upper(), p) for p, ops in contract.spec["paths"].items() for m in ops}
    answered = {(m, p) for m, p, s in contract.seen if s < 300}
    assert declared == answered, f"not exercised: {sorted(declared - answered)}"


def _act(contract: Contract, client: TestClient) -> None:
    """An alert action that succeeds, on the live run (the recorded one is shared)."""
    on_live = Contract(client, contract.spec)
    deadline = time.monotonic() + 120.0
    while time.monotonic() < deadline:
        new = [a for a in client.get("/api/alerts").json() if a["state"] == "new"]
        if new:
            url = f"/api/alerts/{new[0]['alert_id']}/acknowledge"
            done = on_live.call("POST", "/api/alerts/{alert_id}/{action}", 200, url=url, json={})
            assert done["state"] == "acknowledged"
            contract.seen |= on_live.seen
            return
        time.sleep(0.5)
    pytest.fail("the live run raised no alert in 120 s")


def _users(contract: Contract) -> None:
    c = contract.call
    name = f"contract-{time.monotonic_ns()}"
    body = {"name": name, "password": "a long enough password", "roles": ["viewer"],
            "nation": "POL", "clearance": "SECRET"}  # fmt: skip
    c("POST", "/api/admin/users", 201, json=body)
    c("POST", "/api/admin/users", 409, json=body)
    c("GET", "/api/admin/users", 200)
    login = c("POST", "/api/auth/login", 200,
              json={"username": name, "password": body["password"]})  # fmt: skip
    assert login["user"]["name"] == name
    c("POST", "/api/auth/login", 401, json={"username": name, "password": "wrong password"})
    c("GET", "/api/auth/me", 200)
    roles = "/api/admin/users/{name}/roles"
    c("POST", roles, 200, url=f"/api/admin/users/{name}/roles", json={"roles": ["operator"]})
    c("DELETE", "/api/admin/users/{name}", 200, url=f"/api/admin/users/{name}")


def test_user_admin_refusals_are_declared(contract: Contract) -> None:
    c = contract.call
    c("DELETE", "/api/admin/users/{name}", 404, url="/api/admin/users/nobody-of-that-name")
    nobody = "/api/admin/users/nobody-of-that-name/roles"
    c("POST", "/api/admin/users/{name}/roles", 404, url=nobody, json={"roles": ["viewer"]})


def _audit(contract: Contract, alert_id: int) -> None:
    """The audit trail's routes, once the user changes above are in it (written by a thread
    of its own)."""
    c = contract.call
    deadline = time.monotonic() + 10.0
    while not c("GET", "/api/audit", 200, params={"limit": 50}):
        assert time.monotonic() < deadline, "the user changes never reached the audit trail"
        time.sleep(0.2)
    c("GET", "/api/audit", 422, params={"limit": 0})
    c("GET", "/api/alerts/{alert_id}/audit", 200, url=f"/api/alerts/{alert_id}/audit")
    assert c("GET", "/api/admin/audit/verify", 200)["ok"] is True


def _refusals(contract: Contract) -> None:
    """401 without a token, 403 for a role that may not: ``{"detail": …}`` as declared."""
    client = contract.client
    signed_in = client.headers.pop("Authorization")
    try:
        contract.call("GET", "/api/tracks", 401)
        client.headers["Authorization"] = f"Bearer {token(client, 'viewer')}"
        contract.call("GET", "/api/admin/users", 403)
        contract.call("POST", "/api/alerts/{alert_id}/{action}", 403,
                      url="/api/alerts/1/clear", json={"operator": "x"})  # fmt: skip
    finally:
        client.headers["Authorization"] = signed_in


def test_live_sensors_follow_the_schema(contract: Contract) -> None:
    """The live form of ``/api/sensors`` (feeds: health, owner), which a simulated run does
    not show."""
    from dronewall.core.types import SensorKind
    from dronewall.sensors.feed import SensorInfo

    table = SensorTable()
    now = time.time()
    north = SensorInfo(key="n1", kind=SensorKind(1), name="north", nation="DK",
                       lat_deg=55.6, lon_deg=12.6, max_range_m=5000.0)  # fmt: skip
    table.heard(table.declare("mqtt", north), now, 3)
    table.declare("mqtt", SensorInfo(key="n2", kind=SensorKind(1)))  # place not known yet
    collection = geo.live_sensors(table.snapshot(now + 1.0))
    assert [f["geometry"] is None for f in collection["features"]] == [False, True]
    errors = list(component(contract.spec, "SensorCollection").iter_errors(collection))
    assert not errors, _say(errors[0])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any]]:
    store = SQLiteStore(tmp_path_factory.mktemp("live") / "live.db")
    pipeline = simulation_pipeline(
        "copenhagen-2025-09", store, PipelineSettings(speed=20.0), duration_s=7200.0
    )  # six minutes of wall time at most, stopped when the module is done: it must still be
    # running when the WebSocket tests read frames (a finished run sends none)
    app = make_auth_app(tmp_path_factory.mktemp("auth-live"), store=store, feed=pipeline)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token(app, EVERY_ROLE)}"
        yield client, app.openapi()
    pipeline.stop()
    pipeline.join(30)
    store.close()


def test_websocket_messages_follow_their_schemas(live: tuple[TestClient, Any]) -> None:
    """A short live run: hello, JSON frames, alerts, events (an operator's action makes one
    at least), pong — each message validates against ``WsServerMessage``."""
    client, spec = live
    union = component(spec, "WsServerMessage")
    seen: dict[str, int] = {}
    acted = False
    auth = client.headers["Authorization"].removeprefix("Bearer ")
    with client.websocket_connect(f"/ws?access_token={auth}") as ws:
        ws.send_text(json.dumps({"type": "ping"}))
        deadline = time.monotonic() + 120.0
        while time.monotonic() < deadline:
            raw = ws.receive()
            message = json.loads(raw.get("bytes") or raw["text"])
            errors = list(union.iter_errors(message))
            assert not errors, f"{message.get('type')}: {_say(errors[0])}"
            seen[message["type"]] = seen.get(message["type"], 0) + 1
            if message["type"] == "alerts" and not acted:
                steps = {"new": "acknowledge", "acknowledged": "engage"}
                open_ = [a for a in message["alerts"] if a["state"] in steps]
                if open_:  # an action makes an events message and a fresh alerts message
                    a = open_[0]
                    r = client.post(f"/api/alerts/{a['alert_id']}/{steps[a['state']]}", json={})
                    assert r.status_code == 200, r.text
                    acted = True
            if seen.keys() >= {"hello", "frame", "alerts", "events", "pong"} and seen["frame"] > 3:
                break
    assert seen.keys() == {"hello", "frame", "alerts", "events", "pong"}, seen
    assert set(seen) == set(spec["components"]["schemas"]["WsServerMessage"]["discriminator"]
                            ["mapping"])  # fmt: skip


def test_column_frames_follow_their_header_schema(live: tuple[TestClient, Any]) -> None:
    client, spec = live
    header_schema = component(spec, "ColumnFrameHeader")
    frame_schema = component(spec, "Frame")
    auth = client.headers["Authorization"].removeprefix("Bearer ")
    frames = 0
    with client.websocket_connect(f"/ws?format=columns&access_token={auth}") as ws:
        while frames < 3:
            raw = ws.receive()
            if raw.get("bytes") is None:
                continue
            header = decode_header(raw["bytes"])
            errors = list(header_schema.iter_errors(header))
            assert not errors, _say(errors[0])
            # The decoded columns are the JSON frame's, with NaN where JSON has null.
            decoded = decode_columns(raw["bytes"])
            as_json = {k: [None if isinstance(x, float) and math.isnan(x) else x
                           for x in (v.tolist() if hasattr(v, "tolist") else v)]
                       if isinstance(v, list) or hasattr(v, "tolist") else v
                       for k, v in decoded.items()}  # fmt: skip
            as_json["id"] = [int(x) for x in as_json["id"]]
            as_json["alert"] = [int(x) for x in as_json["alert"]]
            errors = list(frame_schema.iter_errors(as_json))
            assert not errors, _say(errors[0])
            frames += 1


def test_the_validator_catches_a_broken_answer(contract: Contract) -> None:
    """The checks above can fail: a frame with a column of the wrong kind, an alert in an
    unknown state, an extra field, a missing one."""
    frame = contract.client.get("/api/tracks").json()
    alert = contract.client.get("/api/alerts", params={"include_cleared": True}).json()[0]
    spec = contract.spec
    assert component(spec, "Frame").is_valid(frame)
    assert not component(spec, "Frame").is_valid({**frame, "cls": ["DRAGON"] * frame["n"]})
    assert not component(spec, "Frame").is_valid({**frame, "surprise": 1})
    assert not component(spec, "Alert").is_valid({**alert, "state": "forgotten"})
    assert not component(spec, "Alert").is_valid(
        {k: v for k, v in alert.items() if k != "t_raised"}
    )


def test_description_file_is_stable(tmp_path: Path, contract: Contract) -> None:
    """Written twice, the description is the same bytes (the TypeScript generation reads it)."""
    from dronewall.server import ServerSettings, create_app
    from dronewall.server.schemas import dump

    assert dump(create_app(ServerSettings())) == dump(create_app(ServerSettings()))


def test_live_feeds_follow_the_schema(contract: Contract) -> None:
    """``/api/feeds`` of live feeds (a simulated run has none: ``[]``): a feed that has
    received and rejected messages, and one that has heard nothing yet."""
    from dronewall.runtime.feeds import FeedSource
    from dronewall.runtime.feedspec import FeedSpec

    specs = [FeedSpec("radar-1", "asterix", "udp", "127.0.0.1", 8600),
             FeedSpec("adsb", "sbs", "tcp", "127.0.0.1", 30003)]  # fmt: skip
    source = FeedSource(specs, {"asterix": lambda spec: None, "sbs": lambda spec: None})
    busy = source.feeds["radar-1"]
    busy.connection, busy.messages, busy.reports, busy.bytes_in = "listening", 12, 30, 4096
    busy.rejects, busy.last_reject, busy.last_received = {"bad length": 2}, "too short", 1.0
    rows = source.feed_health()
    assert [r["silent_s"] is None for r in rows] == [False, True]
    feeds = {"type": "array", "items": {"$ref": "#/components/schemas/FeedStatus"}}
    schema = _validator(contract.spec, feeds)
    errors = list(schema.iter_errors(rows))
    assert not errors, _say(errors[0])
