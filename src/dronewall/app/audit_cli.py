"""``dronewall audit verify`` and ``dronewall audit show``: the store's audit log, checked link
by link and shown (docs/audit.md).

``verify`` exits 0 when the chain is whole, 3 (``EXIT_BROKEN``) when it is not — naming the
first entry that does not fit and why — and 2, like every command, when the store cannot be
opened. Only cheap imports at module level (``cli.py`` explains why).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dronewall.app.common import check_positive, errors, fail
from dronewall.app.serve_cli import DEFAULT_STORE

if TYPE_CHECKING:
    from dronewall.core.audit import AuditEntry, Verdict
    from dronewall.store import Store

EXIT_BROKEN = 3  # the chain is not whole: an entry changed, missing or out of place
UNGUARDED = (
    "warning: the triggers refusing changes to the audit table are disabled or missing"
    " (ALTER TABLE audit ENABLE TRIGGER audit_append_only)"
)
SHOW_LIMIT = 100  # entries ``show`` prints unless told otherwise (the newest)

audit_app = typer.Typer(
    no_args_is_help=True,
    help="The audit log: check its hash chain (verify) or list its entries (show).",
)

StoreOption = Annotated[str, typer.Option(help="sqlite:///file.db or postgresql://…")]


@audit_app.command("verify")
def verify(
    store: StoreOption = DEFAULT_STORE,
    head: Annotated[
        str | None,
        typer.Option(help="a head hash written down earlier: fail if the log no longer has it"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the verdict as one JSON object")] = False,
) -> None:
    """Check the audit log's hash chain: entries checked, head hash, or the first bad entry.

    Exit status 0 when the chain is whole, 3 when it is broken, 2 when it cannot be checked."""
    if head is not None and not _is_hash(head):
        fail(f"--head {head!r}: want a SHA-256 hash, 64 hexadecimal digits")
    with errors():
        opened = _open(store)
        try:
            verdict = opened.audit_log().verify()
            found = opened.audit_log().find(head) if head is not None else None
            guarded = opened.audit_log().guarded()
        finally:
            opened.close()
    lost_head = head is not None and verdict.ok and found is None
    if as_json:
        typer.echo(json.dumps({**_verdict_json(verdict, head, lost_head), "guarded": guarded}))
    else:
        _say_verdict(verdict, head, lost_head)
        if not guarded:
            typer.echo(UNGUARDED, err=True)
    if not verdict.ok or lost_head:
        raise typer.Exit(EXIT_BROKEN)


@audit_app.command("show")
def show(
    store: StoreOption = DEFAULT_STORE,
    actor: Annotated[str | None, typer.Option(help="only this user's entries")] = None,
    subject: Annotated[str | None, typer.Option(help="only entries on this, e.g. alert:42")] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="only entries at or after this time: ISO 8601 (UTC if no zone) or POSIX s"
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option(help="the newest N entries that match (0: all)")
    ] = SHOW_LIMIT,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """List audit entries, oldest first: number, time, who (roles, nation), what, on what."""
    t_since = _since(since) if since is not None else None
    if limit != 0:
        check_positive("--limit", limit)
    with errors():
        opened = _open(store)
        try:
            found = opened.audit_log().entries(
                actor=actor, subject=subject, since=t_since, limit=limit or None, newest_first=True
            )
        finally:
            opened.close()
    for entry in reversed(found):
        typer.echo(json.dumps(entry.to_json(), ensure_ascii=False) if as_json else _line(entry))


def _open(url: str) -> Store:
    """The store at ``url``; a SQLite file that does not exist is an error here (opening it
    would create an empty log and call it whole)."""
    from dronewall.store import open_store

    scheme, sep, rest = url.partition("://")
    path = rest[1:] if scheme == "sqlite" and rest.startswith("/") else (url if not sep else "")
    if path and path != ":memory:" and not Path(path).exists():
        fail(f"no such store file: {path} (give --store where the server records)")
    return open_store(url)


def _since(text: str) -> float:
    try:
        return float(text) if _is_number(text) else _iso(text)
    except ValueError:
        fail(f"--since {text!r}: want ISO 8601 (2026-12-08T10:00:00Z) or POSIX seconds")


def _iso(text: str) -> float:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _is_hash(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text)


def _line(entry: AuditEntry) -> str:
    roles = ",".join(entry.roles)
    who = f"{entry.actor} [{roles}]" if roles else entry.actor
    who = f"{who} {entry.nation}" if entry.nation else who
    detail = json.dumps(dict(entry.detail), ensure_ascii=False, separators=(",", ":"))
    parts = [f"{entry.seq:>6}", entry.time, who, entry.action, entry.subject or "-"]
    return "  ".join([*parts, detail]) if entry.detail else "  ".join(parts)


def _say_verdict(verdict: Verdict, head: str | None, lost_head: bool) -> None:
    typer.echo(f"entries checked: {verdict.checked}")
    typer.echo(f"head: {verdict.head_seq} {verdict.head_hash}")
    if not verdict.ok:
        typer.echo(
            f"BROKEN at entry {verdict.bad_seq}: {verdict.reason} — {verdict.explanation}",
            err=True,
        )
    elif lost_head:
        typer.echo(
            f"BROKEN: the head {head} is not in the log — entries were cut off its end,"
            " or this is another log",
            err=True,
        )
    else:
        typer.echo("chain whole")


def _verdict_json(verdict: Verdict, head: str | None, lost_head: bool) -> dict[str, object]:
    return {
        "ok": verdict.ok and not lost_head,
        "checked": verdict.checked,
        "head_seq": verdict.head_seq,
        "head_hash": verdict.head_hash,
        "bad_seq": verdict.bad_seq,
        "reason": verdict.reason or ("head missing" if lost_head else ""),
        "explanation": verdict.explanation,
        "expected_head": head,
    }
