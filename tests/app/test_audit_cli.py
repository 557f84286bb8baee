"""``dronewall audit verify`` and ``show`` on real stores (a SQLite file, PostgreSQL in a
fresh schema): a whole chain passes, a tampered one fails naming the entry, errors are one
line with exit status 2."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from dronewall.app.audit_cli import EXIT_BROKEN
from dronewall.app.cli import run
from dronewall.core.audit import AuditRecord
from dronewall.store import PostgresStore, SQLiteStore
from tests.app.test_cli_errors import UNREACHABLE_POSTGRES, assert_one_line_error, dronewall

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def fill(store: SQLiteStore | PostgresStore) -> None:
    log = store.audit_log()
    log.append(AuditRecord("system", "server.start", detail={"version": "0.1.0"}))
    log.append(AuditRecord("anna", "auth.login", "user:anna", roles=("operator",), nation="DEU"))
    log.append(
        AuditRecord("anna", "alert.acknowledge", "alert:42", {"note": "seen"}, ("operator",))
    )
    log.append(AuditRecord("bob", "alert.clear", "alert:42", roles=("commander",), nation="POL"))
    log.append(AuditRecord("bob", "alert.clear", "alert:7", roles=("commander",), nation="POL"))
    store.close()


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "dw.db"
    fill(SQLiteStore(path))
    return path


def tamper(path: Path, statement: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("DROP TRIGGER audit_no_update")
        conn.execute("DROP TRIGGER audit_no_delete")
        conn.execute(statement)
    finally:
        conn.close()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_verify_a_whole_chain(db_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "audit", "verify", "--store", str(db_file))
    assert code == 0
    assert "entries checked: 5" in out and "chain whole" in out
    _, head = SQLiteStore(db_file).audit_log().head()
    assert f"head: 5 {head}" in out
    code, out, _ = cli(capsys, "audit", "verify", "--store", f"sqlite:///{db_file}", "--json")
    assert code == 0 and json.loads(out)["ok"] is True and json.loads(out)["head_hash"] == head
    assert cli(capsys, "audit", "verify", "--store", str(db_file), "--head", head)[0] == 0


@pytest.mark.parametrize(
    ("statement", "seq", "reason"),
    [
        ("UPDATE audit SET actor = 'mallory' WHERE seq = 3", 3, "hash mismatch"),
        ("DELETE FROM audit WHERE seq = 2", 2, "gap"),
        ("UPDATE audit SET prev_hash = hash WHERE seq = 4", 4, "prev mismatch"),
    ],
)
def test_verify_names_the_first_bad_entry(
    db_file: Path, capsys: pytest.CaptureFixture[str], statement: str, seq: int, reason: str
) -> None:
    tamper(db_file, statement)
    code, out, err = cli(capsys, "audit", "verify", "--store", str(db_file))
    assert code == EXIT_BROKEN
    assert f"BROKEN at entry {seq}: {reason}" in err
    assert f"entries checked: {seq - 1}" in out


def test_verify_with_a_head_catches_a_cut_tail(
    db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, head = SQLiteStore(db_file).audit_log().head()
    tamper(db_file, "DELETE FROM audit WHERE seq = 5")
    assert cli(capsys, "audit", "verify", "--store", str(db_file))[0] == 0
    code, _, err = cli(capsys, "audit", "verify", "--store", str(db_file), "--head", head)
    assert code == EXIT_BROKEN and "not in the log" in err


def test_show_filters_and_prints_json(db_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "audit", "show", "--store", str(db_file), "--subject", "alert:42")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert "anna [operator]" in lines[0] and "alert.acknowledge" in lines[0]
    assert '{"note":"seen"}' in lines[0]
    assert "bob [commander] POL" in lines[1] and "alert.clear" in lines[1]
    code, out, _ = cli(capsys, "audit", "show", "--store", str(db_file), "--actor", "bob", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["subject"] for r in rows] == ["alert:42", "alert:7"]
    assert {"seq", "t", "time", "actor", "roles", "nation", "prev_hash", "hash"} <= set(rows[0])
    code, out, _ = cli(capsys, "audit", "show", "--store", str(db_file), "--limit", "2")
    assert [line.split()[0] for line in out.splitlines()] == ["4", "5"]
    code, out, _ = cli(capsys, "audit", "show", "--store", str(db_file), "--since", "2100-01-01")
    assert code == 0 and out == ""
    code, out, _ = cli(capsys, "audit", "show", "--store", str(db_file), "--since", "0")
    assert len(out.splitlines()) == 5


@pytest.fixture
def postgres_url() -> Iterator[str]:
    schema = f"dw_audit_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def test_verify_on_postgresql(postgres_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    fill(PostgresStore(postgres_url))
    code, out, err = cli(capsys, "audit", "verify", "--store", postgres_url)
    assert code == 0 and "entries checked: 5" in out and "warning" not in err
    schema = postgres_url.rsplit("%3D", 1)[1]
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        table = sql.Identifier(schema, "audit")
        conn.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER audit_append_only").format(table))
        conn.execute(sql.SQL("UPDATE {} SET nation = 'XXX' WHERE seq = 4").format(table))
    code, _, err = cli(capsys, "audit", "verify", "--store", postgres_url)
    assert code == EXIT_BROKEN and "BROKEN at entry 4: hash mismatch" in err
    assert "triggers refusing changes to the audit table are disabled" in err
    code, out, _ = cli(capsys, "audit", "verify", "--store", postgres_url, "--json")
    assert json.loads(out)["guarded"] is False


@pytest.mark.parametrize(
    ("args", "naming"),
    [
        (("verify", "--store", "nowhere/missing.db"), "no such store file"),
        (("show", "--store", "sqlite:///nowhere/missing.db"), "no such store file"),
        (("verify", "--store", "mysql://x/y"), "unknown store URL scheme"),
        (("verify", "--store", UNREACHABLE_POSTGRES), "cannot connect to PostgreSQL"),
        (("verify", "--head", "abc"), "--head"),
        (("show", "--since", "yesterday"), "--since"),
        (("show", "--limit", "-3"), "--limit"),
    ],
)
def test_errors_are_one_line(tmp_path: Path, args: tuple[str, ...], naming: str) -> None:
    assert_one_line_error(dronewall("audit", *args, cwd=tmp_path), naming)
