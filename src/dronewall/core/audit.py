"""The audit log's entries and their hash chain (issue 15, audit): pure data, no I/O.

Every sign-in, operator action, role change and sharing change becomes one ``AuditEntry``:
who (``actor`` with the roles and nation they held), did what (``action``, a dotted name such
as ``alert.acknowledge``), to what (``subject``, ``"alert:42"``, ``"user:anna"``), with what
detail (a JSON object), when (UTC: POSIX seconds and ISO 8601).

The entries form a hash chain, as a certificate-transparency log or git does: entry ``n``
carries ``prev_hash`` (entry ``n−1``'s hash; 64 zeros for the first) and

    hash = SHA-256( prev_hash as ASCII hex ‖ canonical JSON of the entry's body )

where the body is every field but the two hashes, and canonical JSON is UTF-8 with keys
sorted, no whitespace, no NaN or infinity, strings unescaped but for what JSON requires,
floats in their shortest round-trip form (``orjson`` with ``OPT_SORT_KEYS``: RFC 8785's
form for the values we keep but exponents, written ``1e16`` where RFC 8785 writes
``10000000000000000``; integers within 64 bits). Changing,
removing or reordering any entry changes every hash after it, so ``ChainCheck`` names the
first entry that no longer fits and why.

What the chain cannot show on its own: entries cut off the end (the chain is still whole,
only shorter). Compare the head hash with one written down elsewhere
(``dronewall audit verify --head``) to catch that.

Errors: ``AuditError`` (a ``DronewallError``) for an entry that cannot be recorded — an empty
actor or action, a detail that is not a JSON object of finite values.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from dronewall.core.errors import DronewallError

GENESIS_HASH = "0" * 64  # the prev_hash of the first entry: no entry before it
SYSTEM_ACTOR = "system"  # the server itself (start-up, automatic changes)
MAX_NAME = 200  # longest actor, action or subject: names, not documents
# Action names: lower-case words joined by dots ("auth.login_failed", "alert.engage").
ACTION_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")

# The actions dronewall records (others following ACTION_PATTERN may be added).
LOGIN = "auth.login"
LOGIN_FAILED = "auth.login_failed"
ALERT_ACKNOWLEDGE = "alert.acknowledge"
ALERT_ENGAGE = "alert.engage"
ALERT_CLEAR = "alert.clear"
USER_ADD = "user.add"
USER_ROLES = "user.roles"
USER_REMOVE = "user.remove"
SHARING_CHANGE = "sharing.change"
SERVER_START = "server.start"

# The reasons ChainCheck gives for the first entry that does not fit.
GAP = "gap"  # an entry is missing: the sequence number jumps
PREV_MISMATCH = "prev mismatch"  # prev_hash is not the hash of the entry before
HASH_MISMATCH = "hash mismatch"  # the entry's content no longer gives its hash


class AuditError(DronewallError, ValueError):
    """An audit entry that cannot be recorded or read (names the field)."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What happened, before the log numbers, stamps and chains it."""

    actor: str  # the user's name; SYSTEM_ACTOR for the server itself
    action: str  # e.g. ALERT_ACKNOWLEDGE
    subject: str = ""  # e.g. "alert:42", "user:anna"; "" when about nothing in particular
    detail: Mapping[str, Any] = field(default_factory=dict)
    roles: tuple[str, ...] = ()  # the actor's roles when they acted
    nation: str = ""  # the actor's nation (ISO 3166-1 alpha-3)

    def __post_init__(self) -> None:
        _name("actor", self.actor, required=True)
        _name("subject", self.subject, required=False)
        _name("nation", self.nation, required=False)
        if not ACTION_PATTERN.fullmatch(self.action) or len(self.action) > MAX_NAME:
            raise AuditError(f"action {self.action!r}: want dotted lower-case words")
        for role in self.roles:
            _name("role", role, required=True)
        canonical_json(self.detail, "detail")  # raises AuditError when not a JSON object
        _finite(dict(self.detail), "detail")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded entry: the record with its number, time and hashes."""

    seq: int  # 1, 2, 3, … in the order appended
    t: float  # POSIX seconds, UTC
    time: str  # the same instant as ISO 8601 ("2026-12-08T00:10:00.123456Z")
    actor: str
    roles: tuple[str, ...]
    nation: str
    action: str
    subject: str
    detail: Mapping[str, Any]
    prev_hash: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        """The entry as a JSON object (the API's and ``audit show --json``'s shape)."""
        return {**body(self), "prev_hash": self.prev_hash, "hash": self.hash}


def iso_time(t: float) -> str:
    """POSIX seconds as ISO 8601 UTC with microseconds and a ``Z``."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Mapping[str, Any], what: str = "entry") -> bytes:
    """``value`` (a JSON object) as canonical JSON bytes; AuditError when it is not one."""
    if not isinstance(value, dict):
        if not isinstance(value, Mapping):
            raise AuditError(f"{what}: want a JSON object, not {type(value).__name__}")
        value = dict(value)
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError) as exc:
        raise AuditError(f"{what}: not JSON ({exc})") from exc


def _finite(value: object, what: str) -> None:
    """AuditError for a NaN or infinity anywhere in ``value`` (orjson would write null)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise AuditError(f"{what}: {value!r} is not a JSON number")
    if isinstance(value, dict):
        for item in value.values():
            _finite(item, what)
    elif isinstance(value, list | tuple):
        for item in value:
            _finite(item, what)


def body(entry: AuditEntry) -> dict[str, Any]:
    """The fields the hash covers: all but ``prev_hash`` and ``hash``."""
    return {
        "seq": entry.seq,
        "t": entry.t,
        "time": entry.time,
        "actor": entry.actor,
        "roles": list(entry.roles),
        "nation": entry.nation,
        "action": entry.action,
        "subject": entry.subject,
        "detail": dict(entry.detail),
    }


def chain_hash(prev_hash: str, entry: AuditEntry) -> str:
    """SHA-256 of ``prev_hash`` followed by the canonical JSON of ``entry``'s body, as hex."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(canonical_json(body(entry)))
    return digest.hexdigest()


def seal(record: AuditRecord, seq: int, t: float, prev_hash: str) -> AuditEntry:
    """``record`` as entry ``seq`` at POSIX time ``t``, chained after ``prev_hash``."""
    if not math.isfinite(t):
        raise AuditError(f"time {t!r}: want finite POSIX seconds")
    unsealed = AuditEntry(
        seq=seq,
        t=float(t),
        time=iso_time(t),
        actor=record.actor,
        roles=tuple(record.roles),
        nation=record.nation,
        action=record.action,
        subject=record.subject,
        detail=dict(record.detail),
        prev_hash=prev_hash,
        hash="",
    )
    return _with_hash(unsealed, chain_hash(prev_hash, unsealed))


def _with_hash(entry: AuditEntry, digest: str) -> AuditEntry:
    return AuditEntry(
        entry.seq,
        entry.t,
        entry.time,
        entry.actor,
        entry.roles,
        entry.nation,
        entry.action,
        entry.subject,
        entry.detail,
        entry.prev_hash,
        digest,
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    """What checking a chain found: ``checked`` entries whole; the head (last good) entry's
    number and hash; on a break, the first bad entry's number and why (``reason`` is GAP,
    PREV_MISMATCH or HASH_MISMATCH, ``explanation`` a sentence)."""

    checked: int
    head_seq: int
    head_hash: str
    bad_seq: int | None = None
    reason: str = ""
    explanation: str = ""

    @property
    def ok(self) -> bool:
        return self.bad_seq is None


class ChainCheck:
    """Checks entries handed over in ``seq`` order, a page at a time, and stops at the first
    that does not fit: its number jumps (GAP), its ``prev_hash`` is not the hash before it
    (PREV_MISMATCH), or its content does not give its hash (HASH_MISMATCH)."""

    def __init__(self) -> None:
        self._checked = 0
        self._seq = 0
        self._hash = GENESIS_HASH
        self._bad: tuple[int, str, str] | None = None

    @property
    def broken(self) -> bool:
        return self._bad is not None

    def feed(self, entries: Sequence[AuditEntry]) -> bool:
        """Check the next entries; False once the chain is broken (further calls do nothing)."""
        for entry in entries:
            if self._bad is not None:
                return False
            self._bad = self._fault(entry)
            if self._bad is None:
                self._checked += 1
                self._seq, self._hash = entry.seq, entry.hash
        return self._bad is None

    def stop(self, seq: int, reason: str, explanation: str) -> None:
        """Stop at entry ``seq`` for a fault found outside (a row that cannot be read): GAP
        when entries before it are missing, else ``reason``."""
        if self._bad is None:
            want = self._seq + 1
            gap = self._fault_of_seq(seq)
            self._bad = gap if gap is not None else (want, reason, explanation)

    def verdict(self) -> Verdict:
        if self._bad is None:
            return Verdict(self._checked, self._seq, self._hash)
        seq, reason, why = self._bad
        return Verdict(self._checked, self._seq, self._hash, seq, reason, why)

    def _fault_of_seq(self, seq: int) -> tuple[int, str, str] | None:
        want = self._seq + 1
        if seq > want:
            missing = f"{want}" if seq == want + 1 else f"{want}–{seq - 1}"
            return want, GAP, f"entry {want} expected, found {seq}: {missing} missing"
        if seq != want:
            return seq, GAP, f"entry {want} expected, found {seq} again"
        return None

    def _fault(self, entry: AuditEntry) -> tuple[int, str, str] | None:
        gap = self._fault_of_seq(entry.seq)
        if gap is not None:
            return gap
        if entry.prev_hash != self._hash:
            return entry.seq, PREV_MISMATCH, "its prev_hash is not the hash of the entry before"
        try:
            digest = chain_hash(entry.prev_hash, entry)
        except (AuditError, UnicodeEncodeError) as exc:
            return entry.seq, HASH_MISMATCH, f"its content cannot be hashed ({exc})"
        if digest != entry.hash:
            return entry.seq, HASH_MISMATCH, "its content does not give its recorded hash"
        return None


def check_chain(entries: Sequence[AuditEntry]) -> Verdict:
    """Check a whole chain held in memory (``ChainCheck`` for one read a page at a time)."""
    check = ChainCheck()
    check.feed(entries)
    return check.verdict()


def _name(what: str, value: object, *, required: bool) -> None:
    if not isinstance(value, str):
        raise AuditError(f"{what}: want a string, not {type(value).__name__}")
    if required and not value.strip():
        raise AuditError(f"{what}: must not be empty")
    if len(value) > MAX_NAME:
        raise AuditError(f"{what}: longer than {MAX_NAME} characters")
