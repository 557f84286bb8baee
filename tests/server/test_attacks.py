"""The attacks the server refuses (``docs/auth.md``, "Attacks refused"): one test each, and
each checks the refusal is counted — in ``/metrics`` (``dronewall_auth_refusals_total`` or
``dronewall_hardening_refusals_total``) or the SAPIENT node's own counts.

Tokens: expired, wrong OIDC audience, forged signature, ``alg: none``. Roles: an operator on
an admin route, a user setting its own roles, an operator clearing an alert (commander's), a
viewer's WebSocket sending an action. Sensors: a SAPIENT node without a certificate, a
registration replayed from another certificate or (without TLS) another live connection.
Volume: an oversized body (declared and streamed), a login flood, a burst of actions.
Releasability — a recipient never receives what it may not see — is the property test
``tests/runtime/test_release_property.py``, not repeated here. The wider tables of every
route against every role and bad token are ``test_access.py``; this file is the list.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dronewall.core.types import SensorKind
from dronewall.sensors.sapient import (
    FusionNode,
    FusionNodeConfig,
    RegistrationRefusedError,
    SapientLink,
    SensorNode,
)
from dronewall.sensors.sapient.ids import UlidFactory
from dronewall.server import ServerSettings, create_app
from dronewall.server.auth import Authenticator
from dronewall.server.hardening import HardeningSettings
from tests.sensors.sapient.conftest import sensor
from tests.sensors.test_feed_tls import LOOPBACK, _client, _clock, _node, _session, make_pki
from tests.server.authhelp import Recorder, add_user, bearer, make_auth, token
from tests.server.test_auth import _oidc_token, _verifier, idp  # noqa: F401 (a fixture)

AUTH = "dronewall_auth_refusals_total"
HARD = "dronewall_hardening_refusals_total"


def count(client: TestClient, reason: str, metric: str = AUTH) -> float:
    """The counter's value for ``reason`` as /metrics shows it (0 before the first)."""
    text = client.get("/metrics", headers=bearer(client, "viewer")).text
    for line in text.splitlines():
        if line.startswith(f'{metric}{{reason="{reason}"}}'):
            return float(line.split()[-1])
    return 0.0


def _app(tmp_path: Path, audit: Recorder | None = None, **hardening: Any) -> FastAPI:
    settings = ServerSettings(store_url=f"sqlite:///{tmp_path / 'dw.db'}")
    return create_app(
        settings, auth=make_auth(tmp_path), audit=audit, hardening=HardeningSettings(**hardening)
    )


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(_app(tmp_path)) as c:
        yield c


def _claims(client: TestClient, role: str) -> dict[str, Any]:
    return dict(jwt.decode(token(client, role), options={"verify_signature": False}))


def _refused(client: TestClient, tok: str, reason: str, status: int = 401) -> None:
    before = count(client, reason)
    got = client.get("/api/runs", headers={"Authorization": f"Bearer {tok}"})
    assert got.status_code == status, got.text
    assert count(client, reason) == before + 1


# ---- tokens --------------------------------------------------------------------------------
def test_expired_token(client: TestClient) -> None:
    auth: Authenticator = client.app.state.auth  # type: ignore[attr-defined]
    assert auth.users is not None
    add_user(auth, "old", ["viewer"])
    user = auth.users.get("old")
    assert user is not None
    past = Authenticator(users=auth.users, secret=auth.secret, clock=lambda: time.time() - 9e4)
    _refused(client, past.issue(user), "expired")


def test_wrong_audience_oidc_token(idp: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    app = _app(tmp_path)
    app.state.auth.oidc = _verifier(idp)
    with TestClient(app) as client:
        good = _oidc_token(idp, "ES256")
        assert (
            client.get("/api/runs", headers={"Authorization": f"Bearer {good}"}).status_code == 200
        )
        _refused(client, _oidc_token(idp, "RS256", aud="someone-else"), "bad_token")


def test_forged_signature(client: TestClient) -> None:
    forged = jwt.encode(_claims(client, "admin"), b"x" * 32, algorithm="HS256")
    _refused(client, forged, "bad_token")


def test_alg_none(client: TestClient) -> None:
    unsigned = jwt.encode(_claims(client, "admin"), None, algorithm="none")
    _refused(client, unsigned, "bad_token")


# ---- roles ---------------------------------------------------------------------------------
def test_operator_calling_an_admin_route(client: TestClient) -> None:
    before = count(client, "forbidden")
    assert client.get("/api/admin/users", headers=bearer(client, "operator")).status_code == 403
    new = {"name": "mallory", "password": "p" * 12, "roles": ["admin"], "nation": "DEU"}
    got = client.post("/api/admin/users", json=new, headers=bearer(client, "operator"))
    assert got.status_code == 403
    assert count(client, "forbidden") == before + 2


def test_a_user_setting_its_own_roles(client: TestClient) -> None:
    headers = bearer(client, "viewer")
    me = client.get("/api/auth/me", headers=headers).json()["name"]
    before = count(client, "forbidden")
    got = client.post(f"/api/admin/users/{me}/roles", json={"roles": ["admin"]}, headers=headers)
    assert got.status_code == 403
    assert count(client, "forbidden") == before + 1
    assert client.get("/api/auth/me", headers=headers).json()["roles"] == ["viewer"]


def test_an_operator_clearing_an_alert(tmp_path: Path) -> None:
    audit = Recorder()
    with TestClient(_app(tmp_path, audit)) as client:
        before = count(client, "forbidden")
        got = client.post("/api/alerts/1/clear", json={}, headers=bearer(client, "operator"))
        assert got.status_code == 403 and "needs commander" in got.json()["detail"]
        assert count(client, "forbidden") == before + 1
    assert "access.refused" in audit.actions()


def test_a_viewers_websocket_sending_an_action(client: TestClient) -> None:
    before = count(client, "ws_message")
    with client.websocket_connect(f"/ws?access_token={token(client, 'viewer')}") as ws:
        assert ws.receive_json()["type"] == "hello"
        ws.send_json({"type": "act", "alert_id": 1, "action": "clear"})
        ws.send_json({"type": "ping"})
        while (m := ws.receive_json())["type"] != "pong":
            assert m["type"] in ("alerts", "events"), m
    assert count(client, "ws_message") == before + 1


# ---- sensors -------------------------------------------------------------------------------
def test_a_sapient_node_without_a_certificate(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    node, batches = _node(pki)

    async def scenario() -> None:
        async with node:
            with pytest.raises(Exception):  # noqa: B017 (a TLS alert or a closed link)
                async with asyncio.timeout(5):
                    await _session(node, _client(pki, None), "bad", 3)
            for _ in range(100):
                if node.refused:
                    break
                await asyncio.sleep(0.02)

    asyncio.run(scenario())
    assert node.refused == {"tls_handshake": 1}
    assert batches == []


def _sensor_node(name: str) -> SensorNode:
    return SensorNode(sensor(SensorKind.RADAR, name), UlidFactory(name))


async def _link(node: FusionNode, sn: SensorNode, tls: Any = None) -> SapientLink:
    link = SapientLink(sn.node_id, _clock())
    await link.connect(LOOPBACK, node.port, tls=tls)
    return link


def test_a_replayed_registration_from_another_certificate(tmp_path: Path) -> None:
    """radar-1 registers node N; radar-2 (same CA) then registers N: refused, counted, and
    still refused after radar-1 has gone — N stays bound to radar-1's certificate."""
    pki = make_pki(tmp_path)
    node, _ = _node(pki)
    sn = _sensor_node("r1")

    async def scenario() -> None:
        async with node:
            first = await _link(node, sn, _client(pki, "radar-1"))
            await first.register(sn.registration())
            thief = await _link(node, sn, _client(pki, "radar-2"))
            with pytest.raises(RegistrationRefusedError, match="radar-1"):
                await thief.register(sn.registration())
            await thief.close()
            await first.close()
            await node.wait_for_connections(0)
            again = await _link(node, sn, _client(pki, "radar-2"))
            with pytest.raises(RegistrationRefusedError):
                await again.register(sn.registration())
            await again.close()
            back = await _link(node, sn, _client(pki, "radar-1"))
            await back.register(sn.registration())  # its owner may come back
            await back.close()

    asyncio.run(scenario())
    counts = node.counters.snapshot()
    assert counts["rejected_replayed_registration"] == 2
    assert counts["accepted_registration"] == 2


def test_a_replayed_registration_from_another_live_connection() -> None:
    """Without TLS: while N's connection is alive another connection cannot register N
    (refused, counted); once it has ended, N may register again."""
    node = FusionNode(lambda rows: None, FusionNodeConfig(), clock=_clock())
    sn = _sensor_node("plain")

    async def scenario() -> None:
        async with node:
            first = await _link(node, sn)
            await first.register(sn.registration())
            second = await _link(node, sn)
            with pytest.raises(RegistrationRefusedError, match="another live connection"):
                await second.register(sn.registration())
            await first.close()
            await node.wait_for_connections(1)
            await second.register(sn.registration())
            await second.close()

    asyncio.run(scenario())
    counts = node.counters.snapshot()
    assert counts["rejected_replayed_registration"] == 1
    assert counts["accepted_registration"] == 2


# ---- volume --------------------------------------------------------------------------------
def test_an_oversized_request(tmp_path: Path) -> None:
    with TestClient(_app(tmp_path, max_body=1024)) as client:
        before = count(client, "too_large", HARD)
        big = b'{"username": "' + b"a" * 2000 + b'", "password": "x"}'
        got = client.post("/api/auth/login", content=big)
        assert got.status_code == 413
        streamed = client.post("/api/auth/login", content=iter([b"{", b" " * 1500, b"}"]))
        assert streamed.status_code == 413
        fits = client.post("/api/auth/login", json={"username": "a", "password": "x"})
        assert fits.status_code == 401  # under the limit: on to the route
        assert count(client, "too_large", HARD) == before + 2


def test_a_login_flood_is_throttled(tmp_path: Path) -> None:
    """After 3 failed sign-ins for a name, even the right password is refused (429 with
    Retry-After) for the lockout; counted and audited."""
    audit = Recorder()
    app = _app(tmp_path, audit, login_failures=3, login_lockout_s=60.0)
    add_user(app.state.auth, "ana", ["viewer"])
    with TestClient(app) as client:
        before = count(client, "login_throttled", HARD)
        for _ in range(3):
            got = client.post("/api/auth/login", json={"username": "ana", "password": "wrong!!!"})
            assert got.status_code == 401
        from tests.server.authhelp import PASSWORD

        right = client.post("/api/auth/login", json={"username": "ana", "password": PASSWORD})
        assert right.status_code == 429 and int(right.headers["retry-after"]) >= 1
        assert count(client, "login_throttled", HARD) == before + 1
    assert "auth.login.locked" in audit.actions()
    assert "auth.login.throttled" in audit.actions()


def test_a_login_burst_from_one_address_is_rate_limited(tmp_path: Path) -> None:
    with TestClient(_app(tmp_path, login_burst=3, login_rate=0.01)) as client:
        before = count(client, "rate_limited", HARD)
        codes = [client.post("/api/auth/login", json={}).status_code for _ in range(5)]
        assert codes == [422, 422, 422, 429, 429]
        assert count(client, "rate_limited", HARD) == before + 2


def test_a_burst_of_actions_from_one_user_is_rate_limited(tmp_path: Path) -> None:
    with TestClient(_app(tmp_path, burst=3, rate=0.01)) as client:
        op, other = bearer(client, "operator"), bearer(client, "commander")
        before = count(client, "rate_limited", HARD)
        codes = [
            client.post("/api/alerts/1/acknowledge", json={}, headers=op).status_code
            for _ in range(4)
        ]
        assert 429 not in codes[:3] and codes[3] == 429
        assert (
            "retry-after" in client.post("/api/alerts/1/acknowledge", json={}, headers=op).headers
        )
        # another user has a bucket of their own
        assert client.post("/api/alerts/1/acknowledge", json={}, headers=other).status_code != 429
        assert count(client, "rate_limited", HARD) == before + 2


# ---- headers -------------------------------------------------------------------------------
def test_security_headers_and_cors_closed_by_default(client: TestClient) -> None:
    got = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in got.headers
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["x-frame-options"] == "DENY"
    assert got.headers["referrer-policy"] == "no-referrer"
    csp = got.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "connect-src 'self' ws: wss:" in csp
    assert "strict-transport-security" not in got.headers  # plain HTTP
    refused = client.get("/api/runs")  # refusals carry them too
    assert refused.status_code == 401 and refused.headers["x-frame-options"] == "DENY"


def test_hsts_over_tls_and_cors_for_a_given_origin(tmp_path: Path) -> None:
    app = _app(tmp_path, cors_origins=("https://c2.example",))
    with TestClient(app, base_url="https://testserver") as client:
        got = client.get("/api/health", headers={"Origin": "https://c2.example"})
        assert got.headers["strict-transport-security"].startswith("max-age=")
        assert got.headers["access-control-allow-origin"] == "https://c2.example"
        pre = client.options(
            "/api/tracks",
            headers={"Origin": "https://c2.example", "Access-Control-Request-Method": "GET"},
        )
        assert (
            pre.status_code == 204
            and "authorization" in pre.headers["access-control-allow-headers"]
        )
        other = client.get("/api/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cors-origin", "ftp://x"], "--cors-origin: 'ftp://x' is not an origin"),
        (["--cors-origin", "https://c2.example/path"], "no path, query or user"),
        (["--max-body-kib", "0"], "--max-body-kib must be at least 1"),
    ],
)
def test_serve_refuses_bad_hardening_options(args: list[str], message: str) -> None:
    from typer.testing import CliRunner

    from dronewall.app.cli import app

    got = CliRunner().invoke(app, ["serve", "eastern-flank-raid", "--auth", "none", *args])
    assert got.exit_code == 2 and message in got.output, got.output


def test_a_lockout_ends_and_old_failures_are_forgotten() -> None:
    from dronewall.server.hardening import LoginThrottle

    throttle = LoginThrottle(
        HardeningSettings(login_failures=3, login_window_s=100.0, login_lockout_s=60.0)
    )
    throttle.failed("ana", "10.0.0.1", now=0.0)
    throttle.failed("ana", "10.0.0.2", now=50.0)
    assert throttle.failed("ana", "10.0.0.3", now=120.0) == []  # the first is out of the window
    assert throttle.failed("ana", "10.0.0.4", now=130.0) == ["name:ana"]
    assert throttle.blocked("ana", "10.0.0.9", now=131.0) == pytest.approx(59.0)
    assert throttle.blocked("bo", "10.0.0.4", now=131.0) == 0.0  # other names, that address
    assert throttle.blocked("ana", "10.0.0.9", now=191.0) == 0.0  # over
    for t in (200.0, 201.0, 202.0):
        locked = throttle.failed(f"user{t}", "10.0.0.5", now=t)
    assert locked == ["addr:10.0.0.5"]  # one address trying many names
    assert throttle.blocked("anyone", "10.0.0.5", now=203.0) > 0
