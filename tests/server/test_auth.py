"""Sign-in: the users file, passwords, the built-in tokens, external OIDC tokens verified
with keys made here (real RS256 and ES256 signatures), the admin routes and the audit hook."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import http.server
import ipaddress
import json
import os
import ssl
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dronewall.core.errors import ConfigError
from dronewall.runtime.pipeline import Pipeline
from dronewall.server import ServerSettings, create_app
from dronewall.server.auth import (
    Authenticator,
    AuthError,
    OidcSettings,
    OidcVerifier,
    Principal,
    load_secret,
)
from dronewall.server.users import UserError, UserStore, make_user, verify_password
from dronewall.store.sqlite import SQLiteStore
from tests.server.authhelp import PASSWORD, Recorder, add_user, bearer, make_auth, token

ISSUER = "https://idp.example.mil/realms/c-uas"
AUDIENCE = "dronewall"


def _idle(tmp_path: Path, audit: Recorder | None = None) -> FastAPI:
    settings = ServerSettings(store_url=f"sqlite:///{tmp_path / 'dw.db'}")
    return create_app(settings, auth=make_auth(tmp_path), audit=audit)


# ---- the users file --------------------------------------------------------------------------
def test_users_file_is_private_atomic_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "etc" / "users.json"
    store = UserStore(path)
    store.add(make_user("ana", ["operator", "viewer"], "deu", "secret", ["nato"], "long enough"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(os.listdir(path.parent)) == ["users.json", "users.json.lock"]  # no temp left
    doc = json.loads(path.read_text())
    assert doc["users"][0]["password"].startswith("$argon2id$")
    assert "long enough" not in path.read_text()
    again = UserStore.open(path).get("ana")
    assert again is not None and again.roles == ("viewer", "operator")
    assert (again.nation, again.clearance, again.communities) == ("DEU", "SECRET", ("NATO",))
    assert verify_password(again, "long enough") and not verify_password(again, "long enougH")


def test_users_file_refused_when_others_may_read_it_or_it_is_bad(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    UserStore(path).add(make_user("ana", ["viewer"], "DEU", password="long enough"))
    path.chmod(0o644)
    with pytest.raises(UserError, match="chmod 600"):
        UserStore.open(path)
    path.chmod(0o600)
    path.write_text('{"version": 1, "users": [{"name": "x", "roles": ["pilot"], "nation": "DEU"}]}')
    with pytest.raises(UserError, match=r"users\[0\]: unknown role 'pilot'"):
        UserStore.open(path)
    path.write_text("{oops")
    with pytest.raises(UserError, match="not JSON"):
        UserStore.open(path)
    with pytest.raises(UserError, match="no users file"):
        UserStore.open(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", ["viewer"], "DEU"), "user name"),
        (("a b", ["viewer"], "DEU"), "user name"),
        (("ana", [], "DEU"), "at least one role"),
        (("ana", ["root"], "DEU"), "unknown role"),
        (("ana", ["viewer"], "Germany"), "alpha-3"),
        (("ana", ["viewer"], "DEU", "COSMIC"), "unknown classification"),
    ],
)
def test_bad_users_are_refused_with_a_reason(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(UserError, match=message):
        make_user(*args)


def test_two_writers_at_once_lose_nobody(tmp_path: Path) -> None:
    """Read-modify-write under the file lock: 2 × 4 adds from two stores, all kept."""
    path = tmp_path / "users.json"
    hashed = make_user("seed", ["viewer"], "DEU", password=PASSWORD).password_hash

    def writer(prefix: str) -> None:
        store = UserStore(path)
        for i in range(4):
            user = make_user(f"{prefix}{i}", ["viewer"], "DEU")
            store.add(type(user)(**{**_fields(user), "password_hash": hashed}))

    threads = [threading.Thread(target=writer, args=(p,)) for p in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(UserStore.open(path).list()) == 8


def _fields(user: Any) -> dict[str, Any]:
    return {name: getattr(user, name) for name in user.__slots__}


def test_token_secret_made_once_private_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "users.key"
    first = load_secret(path)
    assert len(first) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(path) == first
    path.chmod(0o640)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_secret(path)
    path.chmod(0o600)
    path.write_text("abcd\n")
    with pytest.raises(ConfigError, match="needs 32 bytes"):
        load_secret(path)


# ---- sign-in over HTTP -------------------------------------------------------------------------
def test_login_gives_a_token_that_opens_the_api(tmp_path: Path) -> None:
    audit = Recorder()
    app = _idle(tmp_path, audit)
    add_user(app.state.auth, "ana", ["operator", "commander"], "POL", "CONFIDENTIAL", ["NATO"])
    with TestClient(app) as client:
        r = client.post("/api/auth/login", json={"username": "ana", "password": PASSWORD})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["token_type"] == "bearer" and body["expires_in"] == 3600
        assert body["user"] == {"name": "ana", "roles": ["operator", "commander"],
                                "nation": "POL", "clearance": "CONFIDENTIAL",
                                "communities": ["NATO"]}  # fmt: skip
        me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.json() == body["user"]
        principal: Principal = app.state.auth.verify(body["access_token"])
        assert principal.recipient.nation == "POL" and principal.recipient.name == "ana"
        for wrong in ({"username": "ana", "password": "wrong password"},
                      {"username": "nobody", "password": PASSWORD}):  # fmt: skip
            r = client.post("/api/auth/login", json=wrong)
            assert r.status_code == 401 and r.json() == {"detail": "wrong user name or password"}
        assert client.post("/api/auth/login", json={"username": "ana"}).status_code == 422
    assert audit.actions() == ["auth.login", "auth.login.failed", "auth.login.failed"]
    assert audit.events[0][0] == "ana" and audit.events[1][2] == "ana"
    assert audit.events[2][:3] == (None, "auth.login.failed", "nobody")


def test_an_unknown_name_costs_the_same_as_a_wrong_password(tmp_path: Path) -> None:
    """No timing oracle for which names exist: both run one Argon2 verification."""
    auth = make_auth(tmp_path)
    add_user(auth, "ana", ["viewer"])

    def cost(name: str) -> float:
        start = time.perf_counter()
        for _ in range(5):
            with pytest.raises(AuthError):
                auth.login(name, "wrong password")
        return time.perf_counter() - start

    cost("ana")  # warm up
    ratio = cost("nobody") / cost("ana")
    assert 0.5 < ratio < 2.0, ratio


def test_expired_token_and_changed_roles(tmp_path: Path) -> None:
    app = _idle(tmp_path)
    auth: Authenticator = app.state.auth
    with TestClient(app) as client:
        headers = bearer(app, "admin")
        assert client.get("/api/admin/users", headers=headers).status_code == 200
        assert auth.users is not None
        auth.users.set_roles("admin.DEU.SECRET", ["viewer"])  # takes effect on the next request
        assert client.get("/api/admin/users", headers=headers).status_code == 403
        user = auth.users.get("admin.DEU.SECRET")
        assert user is not None
        old = Authenticator(users=auth.users, secret=auth.secret, clock=lambda: time.time() - 9e4)
        r = client.get("/api/auth/me", headers={"Authorization": f"Bearer {old.issue(user)}"})
        assert r.status_code == 401 and "expired" in r.json()["detail"]
        refusals = client.get("/metrics", headers=headers).text
    assert 'dronewall_auth_refusals_total{reason="expired"} 1.0' in refusals


def test_admin_manages_users_and_keeps_an_admin(tmp_path: Path) -> None:
    audit = Recorder()
    app = _idle(tmp_path, audit)
    with TestClient(app, headers=bearer(app, "admin")) as client:
        new = {"name": "ben", "password": "long enough", "roles": ["viewer"], "nation": "CZE"}
        r = client.post("/api/admin/users", json=new)
        assert r.status_code == 201 and r.json()["nation"] == "CZE"
        assert client.post("/api/admin/users", json=new).status_code == 409
        bad = client.post("/api/admin/users", json={**new, "name": "cy", "roles": ["god"]})
        assert bad.status_code == 422 and "unknown role" in bad.json()["detail"]
        short = client.post("/api/admin/users", json={**new, "name": "cy", "password": "short"})
        assert short.status_code == 422
        r = client.post("/api/admin/users/ben/roles", json={"roles": ["operator"]})
        assert r.json()["roles"] == ["operator"]
        names = [u["name"] for u in client.get("/api/admin/users").json()]
        assert names == ["admin.DEU.SECRET", "ben"]
        assert "password" not in json.dumps(client.get("/api/admin/users").json())
        # the only admin can neither lose the role nor be removed
        only = client.post("/api/admin/users/admin.DEU.SECRET/roles", json={"roles": ["viewer"]})
        assert only.status_code == 409
        assert client.delete("/api/admin/users/admin.DEU.SECRET").status_code == 409
        assert client.delete("/api/admin/users/ben").status_code == 200
        assert client.delete("/api/admin/users/ben").status_code == 404
        signed_in = client.post("/api/auth/login", json={"username": "ben", "password": "x" * 8})
        assert signed_in.status_code == 401
    assert [a for a in audit.actions() if a.startswith("user.")] == [
        "user.add", "user.roles", "user.remove"]  # fmt: skip
    assert all(e[0] == "admin.DEU.SECRET" for e in audit.events if e[1].startswith("user."))


def test_refused_alert_actions_are_audited_under_the_user(
    finished_run: tuple[Pipeline, SQLiteStore], tmp_path: Path
) -> None:
    """A replay of the shared run (read-only: its alerts refuse every action; test_api acts
    on the live run, with the audit checked there)."""
    pipeline, store = finished_run
    audit = Recorder()
    settings = ServerSettings(replay_run=pipeline.run_id, replay_speed=1e6)
    app = create_app(settings, store=store, auth=make_auth(tmp_path), audit=audit)
    alert_id = store.events(pipeline.run_id)[0].alert_id
    with TestClient(app, headers=bearer(app, "operator")) as client:
        url = f"/api/alerts/{alert_id}"
        r = client.post(f"{url}/acknowledge", json={"operator": "someone else", "note": "seen"})
        assert r.status_code == 409 and "replay" in r.json()["detail"]
        assert client.post(f"{url}/clear", json={}).status_code == 403  # commander only
    assert [e[1] for e in audit.events] == ["alert.acknowledge.refused", "access.refused"]
    who, _, subject, detail = audit.events[0]
    assert (who, subject, detail["note"]) == ("operator.DEU.SECRET", str(alert_id), "seen")
    assert "replay" in detail["why"] and detail["client"] == "testclient"
    assert audit.events[1][3] == {"method": "POST", "needs": "commander", "client": "testclient"}


# ---- external OIDC tokens ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An identity provider's keys (one RSA, one EC P-256) and its JWKS file."""
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    keys = []
    for kid, key, alg in (("r1", rsa_key, "RS256"), ("e1", ec_key, "ES256")):
        jwk = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(key.public_key()))
        keys.append({**jwk, "kid": kid, "alg": alg, "use": "sig"})
    path = tmp_path_factory.mktemp("idp") / "jwks.json"
    path.write_text(json.dumps({"keys": keys}))
    return {"rsa": rsa_key, "ec": ec_key, "jwks": path}


def _oidc_token(idp: dict[str, Any], alg: str = "RS256", **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "f3a9", "iat": now, "exp": now + 300,
            "preferred_username": "jan.kowalski", "roles": ["operator", "offline_access"],
            "nation": "POL", "clearance": "SECRET", **claims}  # fmt: skip
    key, kid = (idp["rsa"], "r1") if alg == "RS256" else (idp["ec"], "e1")
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


def _verifier(idp: dict[str, Any], **settings: Any) -> OidcVerifier:
    return OidcVerifier(OidcSettings(ISSUER, AUDIENCE, str(idp["jwks"]), **settings))


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_oidc_tokens_are_verified_and_mapped(idp: dict[str, Any], alg: str) -> None:
    who, exp = _verifier(idp).verify(_oidc_token(idp, alg))
    assert exp > time.time()
    assert (who.user, who.roles, who.source) == ("jan.kowalski", {"operator"}, "oidc")
    assert (who.recipient.nation, who.recipient.clearance) == ("POL", "SECRET")


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "someone-else"}, "bad_token"),
        ({"iss": "https://evil.example"}, "bad_token"),
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"nation": None}, "bad_claims"),
        ({"nation": "Poland"}, "bad_claims"),
        ({"clearance": "ULTRA"}, "bad_claims"),
    ],
)
def test_oidc_tokens_refused(idp: dict[str, Any], claims: dict[str, Any], reason: str) -> None:
    with pytest.raises(AuthError) as caught:
        _verifier(idp).verify(_oidc_token(idp, **claims))
    assert caught.value.reason == reason


def test_oidc_forged_and_confused_tokens_refused(idp: dict[str, Any]) -> None:
    verifier = _verifier(idp)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    good = jwt.decode(_oidc_token(idp), options={"verify_signature": False})
    forged = jwt.encode(good, stranger, algorithm="RS256", headers={"kid": "r1"})
    with pytest.raises(AuthError, match="invalid token"):
        verifier.verify(forged)
    with pytest.raises(AuthError, match="not in the provider's key set"):
        verifier.verify(jwt.encode(good, stranger, algorithm="RS256", headers={"kid": "zz"}))
    # the provider's public key used as an HMAC secret (the classic confusion): refused
    auth = Authenticator(users=None, oidc=verifier)
    public_pem = (
        idp["rsa"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    head = _b64({"alg": "HS256", "typ": "JWT", "kid": "r1"}) + "." + _b64(good)
    mac = hmac.new(public_pem, head.encode(), hashlib.sha256).digest()
    confused = head + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    with pytest.raises(AuthError, match="algorithm 'HS256' is not accepted"):
        auth.verify(confused)


def _b64(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def test_oidc_claims_from_configured_places(idp: dict[str, Any]) -> None:
    """Keycloak-style nested roles and a site's own claim names."""
    verifier = _verifier(idp, roles_claim="realm_access.roles", nation_claim="country",
                         clearance_claim="nato_clearance")  # fmt: skip
    who, _ = verifier.verify(_oidc_token(idp, realm_access={"roles": ["commander", "admin"]},
                                      country="EST", nato_clearance="RESTRICTED"))  # fmt: skip
    assert who.roles == {"commander", "admin"}
    assert (who.recipient.nation, who.recipient.clearance) == ("EST", "RESTRICTED")


def test_oidc_and_builtin_side_by_side_over_http(idp: dict[str, Any], tmp_path: Path) -> None:
    auth = make_auth(tmp_path)
    auth.oidc = _verifier(idp)
    app = create_app(ServerSettings(store_url=f"sqlite:///{tmp_path / 'dw.db'}"), auth=auth)
    with TestClient(app) as client:
        oidc = {"Authorization": f"Bearer {_oidc_token(idp, 'ES256')}"}
        assert client.get("/api/auth/me", headers=oidc).json()["name"] == "jan.kowalski"
        assert client.get("/api/auth/me", headers=bearer(app, "viewer")).status_code == 200
        no_roles = {"Authorization": f"Bearer {_oidc_token(idp, roles=['offline_access'])}"}
        assert client.get("/api/auth/me", headers=no_roles).status_code == 200  # who am I: ok
        assert client.get("/api/runs", headers=no_roles).status_code == 403  # but no role
        url = f"/ws?access_token={_oidc_token(idp, roles=[])}"
        with pytest.raises(Exception) as closed, client.websocket_connect(url) as ws:
            ws.receive_json()
        assert getattr(closed.value, "code", None) == 4403


def test_bad_oidc_configuration_is_one_clear_error(tmp_path: Path, idp: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"(?i)no such file"):
        OidcVerifier(OidcSettings(ISSUER, AUDIENCE, str(tmp_path / "nope.json")))
    (tmp_path / "bad.json").write_text('{"keys": [{"kty": "RSA"}]}')
    with pytest.raises(ConfigError, match="not a usable JSON Web Key Set"):
        OidcVerifier(OidcSettings(ISSUER, AUDIENCE, str(tmp_path / "bad.json")))
    with pytest.raises(ConfigError, match="https"):
        OidcVerifier(OidcSettings(ISSUER, AUDIENCE, "http://idp/keys"))
    with pytest.raises(ConfigError, match="issuer and an audience"):
        OidcVerifier(OidcSettings("", AUDIENCE, str(idp["jwks"])))


def test_no_sign_in_is_one_local_principal_without_admin(tmp_path: Path) -> None:
    app = create_app(ServerSettings(store_url=f"sqlite:///{tmp_path / 'dw.db'}"))
    with TestClient(app) as client:
        me = client.get("/api/auth/me").json()
        assert me["name"] == "local" and "admin" not in me["roles"]
        assert client.get("/api/admin/users").status_code == 403
        assert token is not None  # authhelp's tokens are not needed here


def test_verified_tokens_are_remembered_but_expire_and_follow_the_user(tmp_path: Path) -> None:
    now = [time.time()]
    auth = make_auth(tmp_path)
    auth.clock = lambda: now[0]
    add_user(auth, "ana", ["viewer"])
    assert auth.users is not None
    user = auth.users.get("ana")
    assert user is not None
    tok = auth.issue(user)
    assert auth.verify(tok).roles == {"viewer"}
    assert tok in auth._verified  # the next check is a lookup
    auth.users.set_roles("ana", ["operator"])
    assert auth.verify(tok).roles == {"operator"}  # the cache keeps the name, not the roles
    now[0] += 3601
    with pytest.raises(AuthError, match="expired"):
        auth.verify(tok)
    now[0] -= 3601
    tok = auth.issue(user)
    auth.verify(tok)
    auth.users.remove("ana")
    with pytest.raises(AuthError, match="no longer exists"):
        auth.verify(tok)


@pytest.fixture
def jwks_over_tls(idp: dict[str, Any], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The provider's JWKS served over real TLS on loopback by a self-signed certificate;
    (URL, the certificate file to trust)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_file, key_file = tmp_path / "idp.pem", tmp_path / "idp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))  # fmt: skip
    body = idp["jwks"].read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/jwks.json", cert_file
    server.shutdown()
    server.server_close()


def test_oidc_keys_from_an_https_url(
    idp: dict[str, Any], jwks_over_tls: tuple[str, Path], tmp_path: Path
) -> None:
    url, ca = jwks_over_tls
    with pytest.raises(ConfigError, match=r"(?i)certificate.verify.failed"):
        OidcVerifier(OidcSettings(ISSUER, AUDIENCE, url))  # not signed by a CA we trust
    verifier = OidcVerifier(OidcSettings(ISSUER, AUDIENCE, url, ca_file=str(ca)))
    who, _ = verifier.verify(_oidc_token(idp, "ES256"))
    assert who.user == "jan.kowalski" and verifier.remote
    app = create_app(ServerSettings(store_url=f"sqlite:///{tmp_path / 'dw.db'}"),
                     auth=Authenticator(oidc=verifier))  # fmt: skip
    with TestClient(app) as client:  # the guard checks remote-key tokens off the event loop
        r = client.get("/api/auth/me", headers={"Authorization": f"Bearer {_oidc_token(idp)}"})
        assert r.status_code == 200 and r.json()["nation"] == "POL"
        assert (
            client.get("/api/auth/me", headers={"Authorization": "Bearer x.y.z"}).status_code == 401
        )
