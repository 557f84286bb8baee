"""Find the line of a value in TOML text, so that configuration errors can name it.

``tomllib`` (https://toml.io/en/v1.0.0) reports the line of syntax errors but forgets positions
once parsed. Validation errors name a path such as ``("raid", 1, "speed_kmh")``; :func:`line_of`
scans the text for the table header of the ``n``-th ``[[raid]]`` and then for the key, and
returns its 1-based line (or the closest enclosing line it can find, or ``None``).

It understands the layouts people write by hand — ``[[name]]`` array-of-tables headers,
``[name]`` table headers and ``key = value`` lines, with bare or quoted keys — and returns
``None`` when it cannot tell (e.g. inline tables). Pure text, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")


def line_of(text: str, path: Sequence[str | int]) -> int | None:
    """1-based line of ``path`` (table names, 0-based array indices and keys) in ``text``.

    A path that names a table gives its header line; a key missing from its table gives the
    table's header line; an array of tables named without an index gives its first header.
    Keys before the first header belong to the root table.
    """
    lines = text.splitlines()
    tables = _tables(lines)
    parts = list(path)
    # Longest prefix of the path that names a table header, e.g. "raid#1" or "scenario".
    for cut in range(len(parts), 0, -1):
        whole = cut == len(parts)  # only a bare table name may mean the first of an array
        found = _table_bounds(tables, _table_name(parts[:cut]), len(lines), first_of_array=whole)
        if found is None:
            continue
        start, stop = found
        rest = [part for part in parts[cut:] if isinstance(part, str)]
        if not rest:
            return start + 1
        key = _find_key(lines, start + 1, stop, rest[0])
        return (key if key is not None else start) + 1
    return _root_key_line(lines, tables, parts)


def _tables(lines: list[str]) -> list[tuple[str, int]]:
    """(table name, line index) for each header, with an occurrence number for arrays."""
    seen: dict[str, int] = {}
    out: list[tuple[str, int]] = []
    for i, line in enumerate(lines):
        match = _HEADER.match(line)
        if not match:
            continue
        name = match.group(2).replace('"', "").replace("'", "").strip()
        if match.group(1) == "[[":
            count = seen.get(name, 0)
            seen[name] = count + 1
            out.append((f"{name}#{count}", i))
        else:
            out.append((name, i))
    return out


def _table_bounds(
    tables: list[tuple[str, int]], name: str, end: int, *, first_of_array: bool
) -> tuple[int, int] | None:
    """(header index, index of the next header or ``end``) of the table called ``name``.

    With ``first_of_array``, ``name`` also matches the first table of an array, ``name#0``.
    """
    if not name:
        return None
    wanted = {name, f"{name}#0"} if first_of_array else {name}
    for k, (table, start) in enumerate(tables):
        if table in wanted:
            stop = tables[k + 1][1] if k + 1 < len(tables) else end
            return start, stop
    return None


def _table_name(prefix: Sequence[str | int]) -> str:
    """``("raid", 1)`` → ``"raid#1"``, ``("a", "b")`` → ``"a.b"``; ``""`` if not expressible."""
    names: list[str] = []
    suffix = ""
    for part in prefix:
        if isinstance(part, int):
            suffix = f"#{part}"
        else:
            if suffix:
                return ""  # nested arrays of tables are not used in our files
            names.append(part)
    return ".".join(names) + suffix


def _root_key_line(
    lines: list[str], tables: list[tuple[str, int]], parts: list[str | int]
) -> int | None:
    """Line of the path's first key among the root table's keys (before any header)."""
    first_header = tables[0][1] if tables else len(lines)
    keys = [part for part in parts if isinstance(part, str)]
    if not keys:
        return None
    found = _find_key(lines, 0, first_header, keys[0])
    return found + 1 if found is not None else None


def _find_key(lines: list[str], start: int, stop: int, key: str) -> int | None:
    """Index of the line in ``lines[start:stop]`` that assigns ``key`` (bare or quoted)."""
    for i in range(start, stop):
        match = _KEY.match(lines[i])
        if match and _unquote(match.group(1)) == key:
            return i
    return None


def _unquote(key: str) -> str:
    quoted = len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'"
    return key[1:-1] if quoted else key
