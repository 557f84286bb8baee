"""``open_store``: which store a URL names, and the package's public names."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

import dronewall.store
from dronewall.core.errors import ConfigError
from dronewall.core.types import ReportBatch
from dronewall.store import PostgresStore, SQLiteStore, StoreError, open_store
from dronewall.store.rows import REPORT_COLUMNS, names
from tests.store.conftest import POSTGRES_URL, RUN, run_info


def test_public_names() -> None:
    assert set(dronewall.store.__all__) == {
        "ActionRecord",
        "AuditLog",
        "Affiliation",
        "PictureFrame",
        "PostgresStore",
        "RawMessage",
        "RetentionPolicy",
        "RetentionResult",
        "RunInfo",
        "SQLiteStore",
        "Store",
        "StoreError",
        "TrackHistory",
        "open_store",
    }


def test_every_report_column_is_stored() -> None:
    assert names(REPORT_COLUMNS) == ReportBatch.column_names()


@pytest.mark.parametrize("url", ["sqlite://:memory:", "sqlite:///:memory:", ":memory:"])
def test_memory_urls(url: str) -> None:
    store = open_store(url)
    try:
        assert isinstance(store, SQLiteStore)
        store.start_run(run_info())
        assert [r.run_id for r in store.runs()] == [RUN]
    finally:
        store.close()


def test_sqlite_urls_take_the_path_after_three_slashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    for url, path in [
        ("sqlite:///relative.db", tmp_path / "relative.db"),
        (f"sqlite:///{tmp_path}/absolute.db", tmp_path / "absolute.db"),
        ("sub/plain.db", tmp_path / "sub" / "plain.db"),
    ]:
        store = open_store(url)
        assert isinstance(store, SQLiteStore)
        store.close()
        assert path.exists(), url


def test_a_sqlite_file_is_in_wal_mode(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "w.db").close()
    with sqlite3.connect(tmp_path / "w.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_postgresql_url_opens_a_postgres_store(postgres_schema: str, scheme: str) -> None:
    options = quote(f"-c search_path={postgres_schema}")
    url = f"{scheme}://{POSTGRES_URL.partition('://')[2]}?options={options}"
    store = open_store(url)
    try:
        assert isinstance(store, PostgresStore)
        store.start_run(run_info())
        assert [r.run_id for r in store.runs()] == [RUN]
    finally:
        store.close()
    with psycopg.connect(POSTGRES_URL) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (postgres_schema,),
        ).fetchall()
    expected = {
        "schema_version",
        "runs",
        "frames",
        "frame_rows",
        "reports",
        "events",
        "actions",
        "raw",
        "audit",
    }
    assert {t for (t,) in tables} == expected


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "redis://localhost", "", "  ", "sqlite://relative.db", "sqlite:///"]
)
def test_unknown_or_malformed_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError):
        open_store(url)


def test_a_sqlite_file_gets_its_folder(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "out" / "runs" / "x.db").close()
    assert (tmp_path / "out" / "runs" / "x.db").is_file()


def test_an_unopenable_sqlite_path_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(StoreError, match="cannot open"):
        SQLiteStore(tmp_path / "a-file" / "x.db")


def test_an_unreachable_postgresql_server_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot connect"):
        PostgresStore("postgresql://postgres@127.0.0.1:1/test?connect_timeout=2")


def test_a_sqlite_database_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "v.db").close()
    SQLiteStore(tmp_path / "v.db").close()  # the same version opens again
    with sqlite3.connect(tmp_path / "v.db") as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    conn.close()
    with pytest.raises(StoreError, match="schema version 99"):
        SQLiteStore(tmp_path / "v.db")


def test_a_postgresql_schema_of_another_version_is_refused(postgres_dsn: str) -> None:
    PostgresStore(postgres_dsn).close()
    PostgresStore(postgres_dsn).close()
    with psycopg.connect(postgres_dsn) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match="schema version 99"):
        PostgresStore(postgres_dsn)
