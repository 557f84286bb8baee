"""The audit log in the store: one append-only, hash-chained table in SQLite and PostgreSQL.

``AuditLog`` (a store's ``audit_log()``) appends entries, reads them back and checks the
chain; the entries, their hashing and the check are pure (``core/audit.py``). There is no update
and no delete, and the database refuses them too: SQLite triggers ``RAISE(ABORT)`` and a
PostgreSQL statement trigger raises on UPDATE, DELETE and TRUNCATE. Someone who can drop the
triggers (the database's owner, anyone who can write the SQLite file) can still change rows;
``verify`` then names the first entry that no longer fits.

Appending reads the head (the last entry's number and hash), seals the new entry after it and
inserts it, in one transaction that holds the table's write lock from the start, so that two
writers — two threads, or two server processes on one database — never chain after the same
head: SQLite's ``BEGIN IMMEDIATE`` takes the database's write lock; in PostgreSQL the
transaction first takes a transaction-level advisory lock keyed by the table
(``pg_advisory_xact_lock``), released at commit, after the new head is visible. ``seq`` is
the primary key, so a chain could not fork even if that lock were left out: the second insert
would fail.

Table::

    audit   seq PK, t (POSIX s), time_iso, actor, roles (JSON array), nation, action,
            subject, detail (canonical JSON object), prev_hash, hash
            index (subject, seq), index (actor, seq)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import orjson

from dronewall.core.audit import (
    GENESIS_HASH,
    HASH_MISMATCH,
    AuditEntry,
    AuditError,
    AuditRecord,
    ChainCheck,
    Verdict,
    canonical_json,
    seal,
)
from dronewall.store.errors import StoreError

if TYPE_CHECKING:  # sql.py builds stores that hold an AuditLog
    from dronewall.store.rows import Row
    from dronewall.store.sql import Backend, Session

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
PAGE_ROWS = 5_000  # entries read per transaction by verify and long reads
REFUSED = "the audit log is append-only"
AUDIT_LOCK = 0x64770002  # first key of the append lock (SCHEMA_LOCK in postgres.py is …01)

COLUMNS = (
    "seq",
    "t",
    "time_iso",
    "actor",
    "roles",
    "nation",
    "action",
    "subject",
    "detail",
    "prev_hash",
    "hash",
)
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM audit"
_INSERT = f"INSERT INTO audit ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"

_TABLE = """
CREATE TABLE IF NOT EXISTS audit (
    seq {seq} PRIMARY KEY,
    t DOUBLE PRECISION NOT NULL,
    time_iso TEXT NOT NULL,
    actor TEXT NOT NULL,
    roles TEXT NOT NULL,
    nation TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
)"""
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS audit_subject ON audit (subject, seq)",
    "CREATE INDEX IF NOT EXISTS audit_actor ON audit (actor, seq)",
)
_SQLITE_GUARDS = tuple(
    f"CREATE TRIGGER IF NOT EXISTS audit_no_{op.lower()} BEFORE {op} ON audit"
    f" BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
    for op in ("UPDATE", "DELETE")
)
_POSTGRES_GUARDS = (
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    f" BEGIN RAISE EXCEPTION USING MESSAGE = '{REFUSED}: ' || TG_OP || ' refused'; END $$",
    "CREATE OR REPLACE TRIGGER audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
)


# The append lock: a transaction-level advisory lock on (AUDIT_LOCK, the table's oid), so
# that logs in two schemas of one database do not wait for each other. It needs no privilege
# on the table and does not block its readers or VACUUM.
_POSTGRES_LOCK = "SELECT pg_advisory_xact_lock(?, 'audit'::regclass::oid::integer)"
_POSTGRES_ENABLED = (
    "SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_append_only'"
    " AND tgrelid = 'audit'::regclass"
)
_SQLITE_TRIGGERS = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'"
_POSTGRES_GUARDED = (
    "SELECT 1 FROM pg_trigger WHERE tgname = 'audit_append_only' AND tgrelid = 'audit'::regclass"
)


def create_audit_schema(s: Session, dialect: str) -> None:
    """Create the audit table, its indexes and the triggers that refuse changes, each only
    when missing (in PostgreSQL only the table's owner may create or replace its trigger:
    another role opening the store leaves it as it is)."""
    postgres = dialect == POSTGRESQL
    s.execute(_TABLE.format(seq="BIGINT" if postgres else "INTEGER"))
    for statement in _INDEXES:
        s.execute(statement)
    if not postgres:
        for statement in _SQLITE_GUARDS:
            s.execute(statement)
    elif not s.query(_POSTGRES_GUARDED):
        for statement in _POSTGRES_GUARDS:
            s.execute(statement)


class AuditLog:
    """The audit log of one store: ``append``, ``entries``, ``verify``. Thread-safe, like the
    store; ``clock`` stamps each entry (POSIX seconds) while the head is locked, so entry
    times never go backwards within one process."""

    def __init__(self, backend: Backend, dialect: str, clock: Callable[[], float] = time.time):
        if dialect not in (SQLITE, POSTGRESQL):
            raise ValueError(f"unknown SQL dialect {dialect!r}")
        self._backend = backend
        self._dialect = dialect
        self._clock = clock

    def append(self, record: AuditRecord) -> AuditEntry:
        """Record ``record`` as the next entry and return it, sealed."""
        with self._backend.transaction(write=True) as s:
            if self._dialect == POSTGRESQL:
                s.query(_POSTGRES_LOCK, (AUDIT_LOCK,))
            head = s.query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
            seq, prev = (int(head[0][0]), str(head[0][1])) if head else (0, GENESIS_HASH)
            entry = seal(record, seq + 1, self._clock(), prev)
            s.execute(_INSERT, _row(entry))
        return entry

    def head(self) -> tuple[int, str]:
        """The last entry's number and hash; ``(0, GENESIS_HASH)`` while the log is empty."""
        with self._backend.transaction(write=False) as s:
            head = s.query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        return (int(head[0][0]), str(head[0][1])) if head else (0, GENESIS_HASH)

    def entries(
        self,
        *,
        actor: str | None = None,
        subject: str | None = None,
        subject_prefix: str | None = None,
        since: float | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[AuditEntry]:
        """Entries with this actor, subject (or subject starting with ``subject_prefix``,
        e.g. ``"alert:"``) and ``t >= since``, in the order appended (or newest first), at
        most ``limit`` of them. StoreError for an entry that cannot be read."""
        where, params = _where(actor, subject, subject_prefix, since)
        order = "DESC" if newest_first else ""
        sql = f"{_SELECT}{where} ORDER BY seq {order}"
        if limit is not None:
            sql += f" LIMIT {max(0, int(limit))}"
        with self._backend.transaction(write=False) as s:
            rows = s.query(sql, params)
        return [_readable(row) for row in rows]

    def find(self, digest: str) -> int | None:
        """The number of the entry whose hash is ``digest`` (hex), or None."""
        with self._backend.transaction(write=False) as s:
            found = s.query("SELECT seq FROM audit WHERE hash = ?", (digest.lower(),))
        return int(found[0][0]) if found else None

    def guarded(self) -> bool:
        """Whether the triggers refusing UPDATE and DELETE are in place and enabled (opening
        a store puts back missing ones; a PostgreSQL trigger disabled by the table's owner
        stays disabled until enabled again)."""
        with self._backend.transaction(write=False) as s:
            if self._dialect == POSTGRESQL:
                found = s.query(_POSTGRES_ENABLED)
                return bool(found) and str(found[0][0]) in ("O", "A")
            names = {str(row[0]) for row in s.query(_SQLITE_TRIGGERS)}
        return names >= {"audit_no_update", "audit_no_delete"}

    def verify(self) -> Verdict:
        """Walk the whole chain, ``PAGE_ROWS`` entries per read transaction, and stop at the
        first entry that does not fit (``core.audit.ChainCheck``)."""
        check = ChainCheck()
        for page in self._pages():
            entries: list[AuditEntry] = []
            for row in page:
                try:
                    entries.append(entry_from_row(row))
                except (AuditError, ValueError, TypeError) as exc:
                    check.feed(entries)
                    _unreadable(check, int(row[0]), str(exc))
                    return check.verdict()
            if not check.feed(entries):
                break
        return check.verdict()

    def _pages(self) -> Iterator[list[Row]]:
        after = -(2**62)
        sql = f"{_SELECT} WHERE seq > ? ORDER BY seq LIMIT {PAGE_ROWS}"
        while True:
            with self._backend.transaction(write=False) as s:
                rows = s.query(sql, (after,))
            if not rows:
                return
            yield rows
            after = int(rows[-1][0])


def entry_from_row(row: Row) -> AuditEntry:
    """An entry from its row; AuditError, ValueError or TypeError when it cannot be read."""
    seq, t, time_iso, actor, roles, nation, action, subject, detail, prev_hash, digest = row
    role_list = _loads(roles)
    details = _loads(detail)
    if not isinstance(role_list, list) or not isinstance(details, dict):
        raise AuditError(f"entry {seq}: roles or detail is not what was written")
    return AuditEntry(
        seq=int(seq),
        t=float(t),
        time=str(time_iso),
        actor=str(actor),
        roles=tuple(map(str, role_list)),
        nation=str(nation),
        action=str(action),
        subject=str(subject),
        detail=details,
        prev_hash=str(prev_hash),
        hash=str(digest),
    )


def _loads(text: str) -> Any:
    """JSON text as Python values: orjson (five times faster, which verify feels), the
    standard library for what orjson refuses (integers beyond 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _row(entry: AuditEntry) -> Row:
    roles = orjson.dumps(list(entry.roles)).decode("utf-8")
    detail = canonical_json(entry.detail, "detail").decode("utf-8")
    return (
        entry.seq,
        entry.t,
        entry.time,
        entry.actor,
        roles,
        entry.nation,
        entry.action,
        entry.subject,
        detail,
        entry.prev_hash,
        entry.hash,
    )


def _readable(row: Row) -> AuditEntry:
    try:
        return entry_from_row(row)
    except (AuditError, ValueError, TypeError) as exc:
        raise StoreError(f"audit entry {row[0]} cannot be read: {exc}") from exc


def _unreadable(check: ChainCheck, seq: int, why: str) -> None:
    """Stop ``check`` at entry ``seq``, whose row cannot even be read."""
    check.stop(seq, HASH_MISMATCH, f"its content cannot be read ({why})")


def _where(
    actor: str | None, subject: str | None, prefix: str | None, since: float | None
) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if actor is not None:
        clauses.append("actor = ?")
        params.append(actor)
    if subject is not None:
        clauses.append("subject = ?")
        params.append(subject)
    if prefix is not None:
        clauses.append("substr(subject, 1, ?) = ?")
        params.extend([len(prefix), prefix])
    if since is not None:
        clauses.append("t >= ?")
        params.append(float(since))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
