"""Every route and the WebSocket against every role, and against no token, a garbage token,
a forged one, an expired one and a removed user's: the status is what ``access.ACCESS``
says, and the table covers every route (a route added without an entry fails here and is
refused to everyone)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route
from starlette.websockets import WebSocketDisconnect

from dronewall.server import ServerSettings, access
from dronewall.server.access import ACCESS, MOUNT, WS, Rule, route_key
from dronewall.server.auth import Authenticator
from dronewall.server.users import ROLES
from tests.server.authhelp import add_user, bearer, make_auth_app, token

# A value for every path parameter a route may have; a route with another one fails the test
# until it is added here.
SAMPLES = {"track_id": "1", "alert_id": "1", "run_id": "no-such-run", "name": "nobody"}
ACTIONS = ("acknowledge", "engage", "clear", "launch")
BAD_TOKENS = ("none", "garbage", "forged", "expired", "removed-user", "alg-none")
# Entries that stand for one of two routes: the map's files, or the page saying it is not built.
ALTERNATES = {(MOUNT, "/"), ("GET", "/")}


@dataclass(frozen=True)
class Call:
    key: tuple[str, str]
    url: str
    action: str | None = None


def table_keys(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app answers: REST, WebSocket, mounts, the docs pages."""
    keys = []
    for route in app.routes:
        if isinstance(route, APIWebSocketRoute):
            keys.append(route_key(route, WS))
        elif isinstance(route, Mount):
            keys.append(route_key(route, MOUNT))
        elif isinstance(route, APIRoute | Route):
            keys += [route_key(route, m) for m in sorted(route.methods or ()) if m != "HEAD"]
        else:
            raise AssertionError(f"a route of an unknown kind: {route!r}")
    return keys


def calls(app: FastAPI) -> list[Call]:
    out = []
    for method, path in table_keys(app):
        url = "/" if method == MOUNT else path
        for name, value in SAMPLES.items():
            url = url.replace("{" + name + "}", value)
        if "{action}" in url:
            out += [Call((method, path), url.replace("{action}", a), a) for a in ACTIONS]
            continue
        assert "{" not in url, f"{method} {path}: add its path parameter to SAMPLES"
        out.append(Call((method, path), url))
    return out


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """An idle server (no pipeline: data routes answer 404) with a users file."""
    where = tmp_path_factory.mktemp("access")
    settings = ServerSettings(store_url=f"sqlite:///{where / 'dw.db'}")
    app = make_auth_app(where, settings)
    with TestClient(app):
        yield app


def _bad_token(app: FastAPI, kind: str) -> str | None:
    auth: Authenticator = app.state.auth
    if kind == "none":
        return None
    if kind == "garbage":
        return "not-a-token"
    if kind == "alg-none":
        claims = jwt.decode(token(app, "admin"), options={"verify_signature": False})
        return jwt.encode(claims, None, algorithm="none")  # unsigned: must never pass
    if kind == "forged":
        claims = jwt.decode(token(app, "admin"), options={"verify_signature": False})
        return jwt.encode(claims, b"x" * 32, algorithm="HS256")  # not the server's secret
    if kind == "expired":
        assert auth.users is not None
        add_user(auth, "old-admin", ["admin"])
        user = auth.users.get("old-admin")
        assert user is not None
        past = Authenticator(users=auth.users, secret=auth.secret, clock=lambda: time.time() - 9e4)
        return past.issue(user)
    if kind == "removed-user":
        assert auth.users is not None
        add_user(auth, "gone-admin", ["admin"])
        user = auth.users.get("gone-admin")
        assert user is not None
        issued = auth.issue(user)
        auth.users.remove("gone-admin")
        return issued
    raise AssertionError(kind)


def _rest(client: TestClient, call: Call, tok: str | None) -> int:
    method = "GET" if call.key[0] == MOUNT else call.key[0]
    headers = {"Authorization": f"Bearer {tok}"} if tok is not None else {}
    body = {} if method in ("POST", "PUT", "PATCH") else None
    return client.request(method, call.url, headers=headers, json=body).status_code


def _ws(client: TestClient, call: Call, tok: str | None) -> int:
    """0 when the WebSocket greets, else its close code."""
    url = call.url + (f"?access_token={tok}" if tok is not None else "")
    try:
        with client.websocket_connect(url) as ws:
            assert ws.receive_json()["type"] == "hello"
            return 0
    except WebSocketDisconnect as exc:
        return exc.code


def _expect(rule: Rule, call: Call, roles: frozenset[str] | None) -> str:
    """``ok`` (reaches the route), ``401`` or ``403``."""
    if rule.public:
        return "ok"
    if roles is None:
        return "401"
    if rule.signed_in or roles & rule.allowed({"action": call.action}):
        return "ok"
    return "403"


def _seen(call: Call, status: int) -> str:
    if call.key[0] == WS:
        return {0: "ok", 4401: "401", 4403: "403"}.get(status, f"ws {status}")
    return str(status) if status in (401, 403) else "ok"


def test_the_table_covers_every_route(app: FastAPI) -> None:
    keys = table_keys(app)
    missing = [k for k in keys if k not in ACCESS]
    assert not missing, f"routes without an entry in server/access.py ACCESS: {missing}"
    stale = [k for k in ACCESS if k not in keys and k not in ALTERNATES]
    assert not stale, f"ACCESS entries for routes that do not exist: {stale}"
    for key, rule in ACCESS.items():
        assert not rule.public or rule.why, f"{key} is public: say why"
        assert set(rule.roles) <= set(ROLES), key


def test_every_route_against_every_role_and_bad_token(app: FastAPI) -> None:
    every = calls(app)
    assert len(every) >= 30  # the app's 30-odd routes, alert actions expanded
    who: dict[str, tuple[frozenset[str] | None, str | None]] = {
        role: (frozenset({role}), token(app, role)) for role in ROLES
    }
    who.update({kind: (None, _bad_token(app, kind)) for kind in BAD_TOKENS})
    wrong = []
    with TestClient(app) as client:
        for call in every:
            rule = ACCESS[call.key]
            for name, (roles, tok) in who.items():
                send = _ws if call.key[0] == WS else _rest
                seen = _seen(call, send(client, call, tok))
                want = _expect(rule, call, roles)
                if seen != want:
                    wrong.append(f"{call.key[0]} {call.url} as {name}: {seen}, expected {want}")
    assert not wrong, "\n".join(wrong)
    print(f"\n{len(every)} routes × {len(who)} principals checked")


def test_alert_actions_by_role(app: FastAPI) -> None:
    """The issue's rule, spelled out: acknowledge and engage are operator+, clear commander."""
    rule = ACCESS[("POST", "/api/alerts/{alert_id}/{action}")]
    assert rule.allowed({"action": "acknowledge"}) == {"operator", "commander"}
    assert rule.allowed({"action": "engage"}) == {"operator", "commander"}
    assert rule.allowed({"action": "clear"}) == {"commander"}
    for path in ("/api/admin/users", "/api/admin/users/{name}"):
        for method in ("GET", "POST", "DELETE"):
            if (method, path) in ACCESS:
                assert ACCESS[(method, path)].roles == {"admin"}, (method, path)


def test_a_route_missing_from_the_table_is_refused_to_everyone(tmp_path: Path) -> None:
    # no map files (static_dir empty): no mount at "/" to shadow a route added after it
    settings = ServerSettings(store_url=f"sqlite:///{tmp_path / 'dw.db'}", static_dir=tmp_path)
    app = make_auth_app(tmp_path, settings)

    @app.get("/api/forgotten")
    def forgotten() -> dict[str, str]:
        return {"secret": "data"}

    assert ("GET", "/api/forgotten") not in ACCESS
    with TestClient(app) as client:
        for role in ROLES:
            r = client.get("/api/forgotten", headers=bearer(app, role))
            assert r.status_code == 403 and "not in the access table" in r.json()["detail"]
        assert client.get("/api/forgotten").status_code == 403
        refusals = client.get("/metrics", headers=bearer(app, "viewer")).text
    assert 'dronewall_auth_refusals_total{reason="unlisted"} 6.0' in refusals
    missing = [k for k in table_keys(app) if k not in ACCESS]
    assert missing == [("GET", "/api/forgotten")]


def test_a_viewers_websocket_cannot_send_an_action(app: FastAPI) -> None:
    """Only pings pass the guard; anything else is dropped, counted and the client stays."""
    with TestClient(app) as client:
        url = f"/ws?access_token={token(app, 'viewer')}"
        with client.websocket_connect(url) as ws:
            assert ws.receive_json()["type"] == "hello"
            ws.send_json({"type": "act", "alert_id": 1, "action": "clear"})
            ws.send_text("not json")
            ws.send_json({"type": "ping"})
            while (m := ws.receive_json())["type"] != "pong":
                assert m["type"] in ("alerts", "events"), m
        text = client.get("/metrics", headers=bearer(app, "viewer")).text
    line = next(x for x in text.splitlines() if 'reason="ws_message"' in x)
    assert float(line.split()[-1]) >= 2


def test_refusals_say_why_and_ask_for_a_bearer_token(app: FastAPI) -> None:
    with TestClient(app) as client:
        r = client.get("/api/tracks")
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        assert "sign in" in r.json()["detail"]
        r = client.get("/api/admin/users", headers=bearer(app, "commander"))
        assert r.status_code == 403 and "needs admin" in r.json()["detail"]
        # a token in the query string counts for the WebSocket only
        r = client.get(f"/api/tracks?access_token={token(app, 'viewer')}")
        assert r.status_code == 401
        # the guard answers before the body is read: no token, no validation error
        r = client.post("/api/alerts/1/clear", content=b"{not json")
        assert r.status_code == 401


@pytest.mark.parametrize(("change", "code"), [("remove", 4401), ("demote", 4403)])
def test_an_open_websocket_is_closed_when_its_sign_in_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, code: int
) -> None:
    """Checked again as the socket sends (every WS_RECHECK_S; 0 here)."""
    monkeypatch.setattr(access, "WS_RECHECK_S", 0.0)
    settings = ServerSettings(store_url=f"sqlite:///{tmp_path / 'dw.db'}")
    app = make_auth_app(tmp_path, settings)
    auth: Authenticator = app.state.auth
    assert auth.users is not None
    with TestClient(app) as client:
        with client.websocket_connect(f"/ws?access_token={token(app, 'viewer')}") as ws:
            assert ws.receive_json()["type"] == "hello"
            ws.send_json({"type": "ping"})
            while ws.receive_json()["type"] != "pong":
                pass
            if change == "remove":
                auth.users.remove("viewer.DEU.SECRET")
            else:
                auth.users.set_roles("viewer.DEU.SECRET", ["admin"])  # admin reads too …
                monkeypatch.setitem(ACCESS, (WS, "/ws"), Rule(frozenset({"viewer"})))  # … not now
            ws.send_json({"type": "ping"})
            with pytest.raises(WebSocketDisconnect) as closed:
                while True:
                    ws.receive_json()
        assert closed.value.code == code
