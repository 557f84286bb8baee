"""The server's audit trail: the hook writes who did what into the store's audit log, on its
own thread, in order; the routes read it back per alert and per role; sign-ins, alert actions
(and refused ones) and refusals all land in one verifiable chain."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from psycopg.conninfo import make_conninfo

from dronewall.core.release import Recipient
from dronewall.runtime.live import simulation_pipeline
from dronewall.runtime.pipeline import PipelineSettings
from dronewall.server import audit_trail
from dronewall.server.audit_trail import ANONYMOUS, AuditTrail, subject_of
from dronewall.server.auth import Principal
from dronewall.store import PostgresStore, SQLiteStore, StoreError
from tests.server.authhelp import PASSWORD, add_user, bearer, make_auth_app

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
ANNA = Principal("anna", frozenset({"viewer", "operator"}), Recipient.make("DEU", "SECRET"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "trail.db")
    yield s
    s.close()


def test_subjects_get_their_type() -> None:
    assert subject_of("alert.engage", "42") == "alert:42"
    assert subject_of("alert.engage.refused", "42") == "alert:42"
    assert subject_of("auth.login.failed", "anna") == "user:anna"
    assert subject_of("user.roles", "bob") == "user:bob"
    assert subject_of("access.refused", "/api/audit") == "route:/api/audit"
    assert subject_of("sharing.change", "PL-ADOC") == "recipient:PL-ADOC"
    assert subject_of("alert.clear", "alert:7") == "alert:7"  # already typed
    assert subject_of("server.start", "") == ""


def test_the_hook_records_in_order_between_start_and_stop(store: SQLiteStore) -> None:
    trail = AuditTrail()
    trail.start(store.audit_log(), {"mode": "live"})
    trail(ANNA, "alert.acknowledge", "42", {"note": "camera 3"})
    trail(None, "auth.login.failed", "mallory", {"reason": "bad password"})
    trail(None, "sharing.change", "PL-ADOC", {"nation": "POL", "outputs": ["cot-udp"]})
    for i in range(50):
        trail(ANNA, "alert.engage", str(i), {})
    assert trail.flush()
    entries = store.audit_log().entries()
    assert [e.action for e in entries[:3]] == [
        "server.start",
        "alert.acknowledge",
        "auth.login.failed",
    ]
    ack, failed = entries[1], entries[2]
    assert (ack.actor, ack.roles, ack.nation, ack.subject) == (
        "anna",
        ("operator", "viewer"),
        "DEU",
        "alert:42",
    )
    assert ack.detail == {"note": "camera 3"}
    assert (failed.actor, failed.subject, failed.roles) == (ANONYMOUS, "user:mallory", ())
    sharing = entries[3]
    assert (sharing.actor, sharing.subject) == ("system", "recipient:PL-ADOC")
    assert [e.subject for e in entries[4:]] == [f"alert:{i}" for i in range(50)]
    trail.close()
    last = store.audit_log().entries()[-1]
    assert (last.actor, last.action) == ("system", "server.stop")
    assert store.audit_log().verify().checked == 55
    assert trail.entries.labels("written")._value.get() == 55


def test_what_cannot_be_recorded_is_counted_not_raised(store: SQLiteStore) -> None:
    trail = AuditTrail()
    trail.start(store.audit_log())
    trail(ANNA, "Not An Action", "42", {})
    trail(ANNA, "alert.clear", "42", {"x": float("nan")})
    assert trail.flush()
    assert [e.action for e in store.audit_log().entries()] == ["server.start"]
    assert trail.entries.labels("invalid")._value.get() == 2
    trail.close()


def test_a_full_queue_drops_and_counts(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_trail, "QUEUE_MAX", 3)
    trail = AuditTrail()  # not started: nothing drains the queue
    for i in range(5):
        trail(ANNA, "alert.clear", str(i), {})
    assert trail.entries.labels("dropped")._value.get() == 2
    assert not trail.flush(0.01)


class RefusingLog:
    """An audit log whose database refuses every append (a store gone away)."""

    def __init__(self) -> None:
        self.tries = 0

    def append(self, record: object) -> None:
        self.tries += 1
        raise StoreError("PostgreSQL: server closed the connection unexpectedly")


def test_an_append_the_store_refuses_is_tried_twice_then_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(audit_trail, "RETRY_S", 0.0)
    trail, log = AuditTrail(), RefusingLog()
    trail.start(log)  # type: ignore[arg-type]
    trail(ANNA, "alert.clear", "42", {})
    assert trail.flush()  # the writer carries on
    assert log.tries == 4  # server.start and the entry, each twice
    assert trail.entries.labels("failed")._value.get() == 2
    trail.close()


@pytest.fixture
def postgres_dsn() -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards."""
    schema = f"dw_trail_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield make_conninfo(POSTGRES_URL, options=f"-c search_path={schema}")
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def test_two_servers_on_one_postgresql_keep_one_chain(postgres_dsn: str) -> None:
    """Two servers' trails (each its store, connection and writer thread) on one database,
    fed at once from two request threads each."""
    stores = [PostgresStore(postgres_dsn), PostgresStore(postgres_dsn)]
    trails = [AuditTrail(), AuditTrail()]
    for trail, store in zip(trails, stores, strict=True):
        trail.start(store.audit_log())

    def requests(trail: AuditTrail, tag: str) -> None:
        for i in range(60):
            trail(ANNA, "alert.acknowledge", f"{tag}{i}", {})

    threads = [
        threading.Thread(target=requests, args=(trail, f"{n}{k}"))
        for n, trail in enumerate(trails)
        for k in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for trail in trails:
        trail.close()
    verdict = stores[0].audit_log().verify()
    assert verdict.ok and verdict.checked == 4 * 60 + 4  # two starts, two stops
    assert [t.entries.labels("written")._value.get() for t in trails] == [122, 122]
    for store in stores:
        store.close()


# ---- through the app --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A finished Copenhagen run of its own (the package's shared run has its alerts acted
    on by other tests), served with sign-in on."""
    store = SQLiteStore(tmp_path_factory.mktemp("audit-run") / "run.db")
    pipeline = simulation_pipeline(
        "copenhagen-2025-09", store, PipelineSettings(speed=0.0), duration_s=900.0
    )
    pipeline.start()
    assert pipeline.join(300.0)
    app = make_auth_app(tmp_path_factory.mktemp("auth"), store=store, feed=pipeline)
    with TestClient(app) as client:
        yield client
    store.close()


def test_alert_actions_are_in_the_alerts_audit(app_client: TestClient) -> None:
    operator = bearer(app_client, ("operator",), nation="POL")
    new = next(
        a for a in app_client.get("/api/alerts", headers=operator).json() if a["state"] == "new"
    )
    url = f"/api/alerts/{new['alert_id']}"
    assert app_client.post(f"{url}/acknowledge", json={"note": "seen"}, headers=operator).is_success
    refused = app_client.post(f"{url}/acknowledge", json={}, headers=operator)
    assert refused.status_code == 409
    viewer = bearer(app_client, "viewer")
    trail = app_client.get(f"{url}/audit", headers=viewer)
    assert trail.status_code == 200
    entries = trail.json()
    assert [e["action"] for e in entries] == ["alert.acknowledge", "alert.acknowledge.refused"]
    first = entries[0]
    assert first["actor"] == "operator.POL.SECRET" and first["roles"] == ["operator"]
    assert first["nation"] == "POL" and first["subject"] == f"alert:{new['alert_id']}"
    assert first["detail"]["note"] == "seen" and first["time"].endswith("Z")
    assert entries[1]["seq"] > first["seq"]
    assert app_client.get("/api/alerts/987654321/audit", headers=viewer).status_code == 404


def test_alerts_a_user_may_not_see_have_no_audit_for_them(app_client: TestClient) -> None:
    """The run's sensors share with NATO and EU: a nation in neither sees none of its alerts."""
    commander = bearer(app_client, "commander")
    alerts = app_client.get("/api/alerts", headers=commander).json()
    alert_id = alerts[0]["alert_id"]
    assert app_client.get(f"/api/alerts/{alert_id}/audit", headers=commander).status_code == 200
    outsider = bearer(app_client, "viewer", nation="CHE")
    assert app_client.get("/api/alerts", headers=outsider).json() == []
    assert app_client.get(f"/api/alerts/{alert_id}/audit", headers=outsider).status_code == 404
    assert app_client.get("/api/audit", headers=outsider).json() == []
    ally = bearer(app_client, "viewer", nation="POL", communities=["NATO"])
    assert app_client.get("/api/audit", headers=ally).json()  # the entries on alerts


def test_sign_ins_and_refusals_are_recorded(app_client: TestClient) -> None:
    app = app_client.app
    add_user(app.state.auth, "karl", ["commander"], nation="DNK")  # type: ignore[attr-defined]
    ok = app_client.post("/api/auth/login", json={"username": "karl", "password": PASSWORD})
    assert ok.status_code == 200
    bad = app_client.post("/api/auth/login", json={"username": "karl", "password": "guess"})
    assert bad.status_code == 401
    admin = bearer(app_client, "admin")
    found = app_client.get("/api/audit", params={"subject": "user:karl"}, headers=admin).json()
    assert [(e["action"], e["actor"]) for e in found[-2:]] == [
        ("auth.login", "karl"),
        ("auth.login.failed", ANONYMOUS),
    ]
    assert found[-2]["nation"] == "DNK" and found[-2]["roles"] == ["commander"]


def test_who_reads_which_entries(app_client: TestClient) -> None:
    viewer, commander = bearer(app_client, "viewer"), bearer(app_client, "commander")
    every = app_client.get("/api/audit", params={"limit": 10_000}, headers=commander).json()
    assert "server.start" in {e["action"] for e in every}
    mine = app_client.get("/api/audit", params={"limit": 10_000}, headers=viewer).json()
    assert mine and all(e["subject"].startswith("alert:") for e in mine)
    assert len(mine) < len(every)
    users = app_client.get("/api/audit", params={"subject": "user:karl"}, headers=viewer)
    assert users.status_code == 403
    assert app_client.get("/api/admin/audit/verify", headers=viewer).status_code == 403
    assert app_client.get("/api/audit").status_code == 401


def test_the_chain_the_app_wrote_verifies(app_client: TestClient) -> None:
    admin = bearer(app_client, "admin")
    verdict = app_client.get("/api/admin/audit/verify", headers=admin).json()
    assert verdict["ok"] is True and verdict["checked"] >= 5 and verdict["bad_seq"] is None
    assert verdict["guarded"] is True
    newest = app_client.get("/api/audit", params={"limit": 1}, headers=admin).json()
    assert newest[0]["seq"] == verdict["head_seq"]
