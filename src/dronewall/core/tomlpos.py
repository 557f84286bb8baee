"""Find the line of a value in TOML text, so that configuration errors can name it.

``tomllib`` reports the line of syntax errors but forgets positions once parsed. Validation
errors name a path such as ``("raid", 1, "speed_kmh")``; :func:`line_of` scans the text for
the table header of the ``n``-th ``[[raid]]`` and then for the key, and returns its 1-based line
(or the closest enclosing line it can find, or ``None``). Pure text, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"']+)\s*=")


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


def _find_key(lines: list[str], start: int, stop: int, key: str) -> int | None:
    for i in range(start, stop):
        match = _KEY.match(lines[i])
        if match and match.group(1).strip("\"'") == key:
            return i
    return None


def line_of(text: str, path: Sequence[str | int]) -> int | None:
    """1-based line of ``path`` (table names, array indices and keys) in ``text``."""
    lines = text.splitlines()
    tables = _tables(lines)
    bounds = [(name, start, tables[k + 1][1] if k + 1 < len(tables) else len(lines))
              for k, (name, start) in enumerate(tables)]
    parts = list(path)
    # Longest prefix of the path that names a table header, e.g. "raid#1" or "scenario".
    for cut in range(len(parts), 0, -1):
        prefix = parts[:cut]
        name = _table_name(prefix)
        for table, start, stop in bounds:
            if table == name:
                rest = [p for p in parts[cut:] if isinstance(p, str)]
                if not rest:
                    return start + 1
                found = _find_key(lines, start + 1, stop, rest[0])
                return (found if found is not None else start) + 1
    # A key of the root table (before any header).
    first_header = tables[0][1] if tables else len(lines)
    keys = [p for p in parts if isinstance(p, str)]
    if keys:
        found = _find_key(lines, 0, first_header, keys[0])
        if found is not None:
            return found + 1
    return None


def _table_name(prefix: Sequence[str | int]) -> str:
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
