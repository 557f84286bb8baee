"""The pure audit chain (``core/audit.py``): canonical form pinned by a golden hash, records
validated, and ``ChainCheck`` on chains held in memory."""

from __future__ import annotations

import dataclasses
import hashlib
import math
from typing import Any

import pytest

from dronewall.core.audit import (
    GAP,
    GENESIS_HASH,
    HASH_MISMATCH,
    PREV_MISMATCH,
    AuditEntry,
    AuditError,
    AuditRecord,
    ChainCheck,
    canonical_json,
    check_chain,
    iso_time,
    seal,
)

T = 1_796_688_000.25  # 2026-12-08T00:00:00.25Z


def chain(n: int) -> list[AuditEntry]:
    entries = []
    prev = GENESIS_HASH
    for i in range(1, n + 1):
        entry = seal(AuditRecord("anna", "alert.clear", f"alert:{i}", {"i": i}), i, T + i, prev)
        entries.append(entry)
        prev = entry.hash
    return entries


def test_canonical_form_and_hash_are_pinned() -> None:
    record = AuditRecord(
        "anna", "alert.engage", "alert:42", {"b": [1, 2.5], "a": "ø"}, ("operator",), "DEU"
    )
    entry = seal(record, 1, T, GENESIS_HASH)
    body = (
        '{"action":"alert.engage","actor":"anna","detail":{"a":"ø","b":[1,2.5]},"nation":"DEU",'
        '"roles":["operator"],"seq":1,"subject":"alert:42","t":1796688000.25,'
        '"time":"2026-12-08T00:00:00.250000Z"}'
    )
    assert entry.time == iso_time(T) == "2026-12-08T00:00:00.250000Z"
    expected = hashlib.sha256(GENESIS_HASH.encode() + body.encode()).hexdigest()
    assert entry.hash == expected
    assert entry.to_json()["hash"] == expected and entry.to_json()["prev_hash"] == GENESIS_HASH


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"actor": ""}, "actor"),
        ({"action": "Login"}, "action"),
        ({"action": "login"}, "action"),
        ({"detail": [1, 2]}, "detail"),
        ({"detail": {"x": math.nan}}, "detail"),
        ({"detail": {"x": object()}}, "detail"),
        ({"roles": ("",)}, "role"),
        ({"subject": "s" * 201}, "subject"),
    ],
)
def test_records_that_cannot_be_recorded(fields: dict[str, Any], message: str) -> None:
    base = {"actor": "anna", "action": "auth.login"}
    with pytest.raises(AuditError, match=message):
        AuditRecord(**{**base, **fields})


def test_seal_refuses_a_time_that_is_not_finite() -> None:
    with pytest.raises(AuditError, match="time"):
        seal(AuditRecord("system", "server.start"), 1, math.inf, GENESIS_HASH)


def test_canonical_json_is_independent_of_key_order() -> None:
    assert canonical_json({"b": 1, "a": {"d": 2, "c": 3}}) == b'{"a":{"c":3,"d":2},"b":1}'


def test_a_whole_chain_checks() -> None:
    verdict = check_chain(chain(6))
    assert verdict.ok and verdict.checked == 6 and verdict.head_seq == 6


def test_the_first_fault_is_named() -> None:
    entries = chain(6)
    changed = [*entries[:2], dataclasses.replace(entries[2], actor="x"), *entries[3:]]
    assert (check_chain(changed).bad_seq, check_chain(changed).reason) == (3, HASH_MISMATCH)
    missing = entries[:3] + entries[5:]
    verdict = check_chain(missing)
    assert (verdict.bad_seq, verdict.reason, verdict.checked) == (4, GAP, 3)
    assert "4–5 missing" in verdict.explanation
    relinked = [*entries[:4], dataclasses.replace(entries[4], prev_hash=entries[2].hash)]
    assert (check_chain(relinked).bad_seq, check_chain(relinked).reason) == (5, PREV_MISMATCH)


def test_checking_in_pages_stops_at_the_fault() -> None:
    entries = chain(10)
    check = ChainCheck()
    assert check.feed(entries[:4])
    assert not check.feed([entries[4], entries[6], entries[7]])
    assert not check.feed(entries[8:])  # nothing after a break is counted
    verdict = check.verdict()
    assert (verdict.bad_seq, verdict.checked, verdict.head_hash) == (6, 5, entries[4].hash)
