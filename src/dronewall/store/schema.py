"""The SQL schema both stores create, written once with one placeholder for what differs.

``{seq}`` is an integer that numbers rows in insertion order (reports, events and actions are
read back in the order they were added): SQLite's rowid (``INTEGER PRIMARY KEY``) or a
PostgreSQL identity column. Frames are a header row in ``frames`` (so that an empty picture is
recorded too) and one row per track in ``frame_rows``; a frame is written in one transaction,
header last, so a reader that sees the header sees every row.

Tables::

    schema_version  version (``SCHEMA_VERSION``; a store refuses a database of another)
    runs        run_id PK, source, t_start, t_end, wall_started, settings (JSON)
    frames      (run_id, t) PK → runs, n
    frame_rows  run_id, t, row_index, FRAME_COLUMNS     index (run_id, t, row_index)
                                                         index (run_id, track_id, t)
    reports     seq, run_id, REPORT_COLUMNS             index (run_id, t_arrival)
    events      seq, run_id, EVENT_COLUMNS              index (run_id, t)
    actions     seq, run_id, ACTION_COLUMNS             index (run_id)
    raw         seq, run_id, feed, t_receive, peer, data index (run_id, t_receive)
    audit       the append-only, hash-chained audit log (``audit.py``)

``raw`` keeps every message a live feed received, byte for byte, with its receive time, so a
run can be re-decoded exactly (``{blob}`` is BLOB in SQLite, BYTEA in PostgreSQL).

Columns added to a table since a database was created (report format 1.1's category, NIC,
NACp, vertical rate, RCS and Doppler) are added to it when a store opens it
(``ALTER TABLE … ADD COLUMN``, each with its "not given" default), so older databases keep
working and their old rows read back as "not given".
"""

from __future__ import annotations

from dronewall.store.audit import POSTGRESQL, SQLITE, create_audit_schema
from dronewall.store.errors import StoreError
from dronewall.store.rows import FRAME_COLUMNS, REAL, REPORT_COLUMNS, Column
from dronewall.store.sql import Session

SCHEMA_VERSION = 1  # raise when a table changes; a database of another version is refused
SQLITE_SEQ = "INTEGER PRIMARY KEY"
POSTGRES_SEQ = "BIGINT GENERATED ALWAYS AS IDENTITY"
_BLOB = {SQLITE_SEQ: "BLOB", POSTGRES_SEQ: "BYTEA"}


def _defs(columns: tuple[Column, ...]) -> str:
    return ",\n    ".join(f"{c.name} {c.sql_type}" for c in columns)


_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    t_start {REAL},
    t_end {REAL},
    wall_started {REAL},
    settings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS frames (
    run_id TEXT NOT NULL REFERENCES runs (run_id),
    t {REAL} NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (run_id, t)
);
CREATE TABLE IF NOT EXISTS frame_rows (
    run_id TEXT NOT NULL,
    t {REAL} NOT NULL,
    row_index INTEGER NOT NULL,
    {_defs(FRAME_COLUMNS)}
);
CREATE INDEX IF NOT EXISTS frame_rows_run_t ON frame_rows (run_id, t, row_index);
CREATE INDEX IF NOT EXISTS frame_rows_run_track_t ON frame_rows (run_id, track_id, t);
CREATE TABLE IF NOT EXISTS reports (
    seq {{seq}},
    run_id TEXT NOT NULL,
    {_defs(REPORT_COLUMNS)}
);
CREATE INDEX IF NOT EXISTS reports_run_t ON reports (run_id, t_arrival);
CREATE TABLE IF NOT EXISTS events (
    seq {{seq}},
    run_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    t {REAL},
    alert_id BIGINT,
    track_id BIGINT,
    site_id TEXT NOT NULL,
    priority {REAL},
    state TEXT,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_run_t ON events (run_id, t);
CREATE TABLE IF NOT EXISTS actions (
    seq {{seq}},
    run_id TEXT NOT NULL,
    t {REAL},
    alert_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    operator TEXT NOT NULL,
    note TEXT NOT NULL,
    wall_time {REAL}
);
CREATE INDEX IF NOT EXISTS actions_run ON actions (run_id);
CREATE TABLE IF NOT EXISTS raw (
    seq {{seq}},
    run_id TEXT NOT NULL,
    feed TEXT NOT NULL,
    t_receive {REAL} NOT NULL,
    peer TEXT NOT NULL,
    data {{blob}} NOT NULL
);
CREATE INDEX IF NOT EXISTS raw_run_t ON raw (run_id, t_receive);
"""


def schema_statements(seq: str) -> list[str]:
    """The CREATE statements, one per item, with ``seq`` as the row-numbering column type
    (and the byte-string type that goes with that database)."""
    text = _SCHEMA.format(seq=seq, blob=_BLOB.get(seq, "BLOB"))
    return [s.strip() for s in text.split(";") if s.strip()]


def existing_columns(s: Session, table: str, seq: str) -> set[str]:
    """The names of the columns ``table`` has in this database."""
    if seq == SQLITE_SEQ:
        return {str(row[1]) for row in s.query(f"PRAGMA table_info({table})")}
    sql = (
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = ? AND table_schema = current_schema()"
    )
    return {str(row[0]) for row in s.query(sql, (table,))}


def add_missing_columns(s: Session, table: str, columns: tuple[Column, ...], seq: str) -> None:
    """Add to ``table`` the columns of ``columns`` it lacks (a database made before them)."""
    have = existing_columns(s, table, seq)
    for c in columns:
        if c.name not in have:
            s.execute(f"ALTER TABLE {table} ADD COLUMN {c.name} {c.sql_type}")


def create_schema(s: Session, seq: str) -> None:
    """Create what is missing; refuse a database written with another schema version."""
    for statement in schema_statements(seq):
        s.execute(statement)
    add_missing_columns(s, "reports", REPORT_COLUMNS, seq)
    create_audit_schema(s, SQLITE if seq == SQLITE_SEQ else POSTGRESQL)
    add_missing_columns(s, "frame_rows", FRAME_COLUMNS, seq)
    found = s.query("SELECT version FROM schema_version")
    if not found:
        s.insert("schema_version", ("version",), [(SCHEMA_VERSION,)])
    elif found[0][0] != SCHEMA_VERSION:
        raise StoreError(
            f"the database has schema version {found[0][0]}, this dronewall {SCHEMA_VERSION}"
        )
