"""Typed reading of the JSON members of dronewall's MQTT payloads (``docs/feeds-mqtt.md``,
"Types and units"): numbers that are finite and within their range (a JSON ``true`` is not a
number), strings of bounded length, enumerations, and times given as RFC 3339 text (§5.6
"Internet Date/Time Format", a profile of ISO 8601; ``Z`` or an explicit offset, upper-case
``T`` and ``Z``) or as POSIX seconds.

Every failure raises ``Invalid`` with the reject reason token and the member at fault; the
decoder turns it into one counted reject. The rules here are the ones ``schema.json`` states,
so that a payload this module accepts is valid under the schema too (tests check both ways).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

NAN = math.nan
Obj = dict[str, Any]

# Latest POSIX time accepted (2100-01-01T00:00:00Z): catches milliseconds sent as seconds.
MAX_POSIX_S = 4_102_444_800.0
MAX_TIME_TEXT = 40  # "2025-09-14T04:12:31.123456789+00:00" is 35 characters
MAX_INTEGER_ID = 2**53  # the largest integer a JSON double carries exactly
VERSIONS = (1, 1.1)  # schema versions read (1.1 adds optional members only)

# ASCII digits only (``\d`` would take other scripts' digits): the schema's pattern too.
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?"
    r"(?:(Z)|([+-])([0-9]{2}):([0-9]{2}))"
)
# Node ids (topics.py): letters, digits, "_", "." and "-", starting with a letter or digit;
# fits a UUID (36 characters) or a site-prefixed serial; 64 at most keeps sensor keys short.
NODE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class Invalid(Exception):  # noqa: N818 - a decoding outcome, not a program error
    """A payload that breaks a rule: ``reason`` is the reject token, ``detail`` says where."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


Reader = Callable[[object, str], Any]  # a member's value and name → its decoded value
Table = Mapping[str, tuple[str, Reader]]  # member name → (field name, reader)


def read_members(obj: Obj, table: Table) -> dict[str, Any]:
    """The members of ``obj`` named in ``table``, decoded, by field name; members not in
    the table are ignored. Only the members present are visited (the hot path)."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        entry = table.get(key)
        if entry is not None:
            out[entry[0]] = entry[1](value, key)
    return out


def require(fields: dict[str, Any], *names: str) -> None:
    for name in names:
        if name not in fields:
            raise Invalid("missing", name)


def as_number(value: object, key: str) -> float:
    """A JSON number as a float; booleans and every other type are refused."""
    kind = type(value)
    if kind is float:
        return value  # type: ignore[return-value]
    if kind is int:
        try:
            return float(value)  # type: ignore[arg-type]
        except OverflowError:
            raise Invalid("range", f"{key} is too large") from None
    raise Invalid("type", f"{key} is not a number")


def number(lo: float, hi: float, *, open_lo: bool = False) -> Reader:
    """A number within [lo, hi], or (lo, hi] with ``open_lo``."""

    def read(value: object, key: str) -> float:
        x = as_number(value, key)
        if not (lo < x <= hi if open_lo else lo <= x <= hi):
            raise Invalid("range", f"{key}={x!r} outside {'(' if open_lo else '['}{lo}, {hi}]")
        return x

    return read


def text(max_length: int) -> Reader:
    """A string of at most ``max_length`` characters."""

    def read(value: object, key: str) -> str:
        if type(value) is not str:
            raise Invalid("type", f"{key} is not a string")
        if len(value) > max_length:
            raise Invalid("range", f"{key} longer than {max_length} characters")
        return value

    return read


def choice(values: Mapping[str, Any]) -> Reader:
    """One of the strings of ``values``, decoded to its value there."""

    def read(value: object, key: str) -> Any:
        if type(value) is not str:
            raise Invalid("type", f"{key} is not a string")
        if value not in values:
            raise Invalid("value", f"{key}={value[:40]!r} is not one of {sorted(values)}")
        return values[value]

    return read


def pattern(regex: re.Pattern[str], max_length: int) -> Reader:
    """A string of at most ``max_length`` characters matching ``regex`` whole."""
    as_text = text(max_length)

    def read(value: object, key: str) -> str:
        string: str = as_text(value, key)
        if regex.fullmatch(string) is None:
            raise Invalid("value", f"{key}={string[:40]!r} is malformed")
        return string

    return read


def identifier(max_length: int) -> Reader:
    """An identifier: a string of at most ``max_length``, or a whole number in [0, 2**53]
    (JSON Schema's "integer": 17.0 is one)."""
    as_text = text(max_length)

    def read(value: object, key: str) -> str:
        kind = type(value)
        if kind is str:
            return str(as_text(value, key))
        if kind is int or (kind is float and value.is_integer()):  # type: ignore[attr-defined]
            if not 0 <= value <= MAX_INTEGER_ID:  # type: ignore[operator]
                raise Invalid("range", f"{key} outside [0, 2**53]")
            return str(int(value))  # type: ignore[call-overload]
        raise Invalid("type", f"{key} is neither a string nor an integer")

    return read


def check_common(obj: Obj, node_id: str) -> None:
    """The optional ``v`` must be 1 or 1.1 (the topic prefix carries the version too; 1.1 only
    adds optional members, so both read alike); the optional
    ``node`` must name the topic's node."""
    if "v" in obj:
        value = obj["v"]
        if type(value) not in (int, float):
            raise Invalid("type", "v is not a number")
        if value not in VERSIONS:
            raise Invalid("version", f"v={value!r}, this decoder reads versions 1 and 1.1")
    if "node" in obj:
        claimed = obj["node"]
        if type(claimed) is not str:
            raise Invalid("type", "node is not a string")
        if claimed != node_id:
            reason = "node_mismatch" if NODE_ID.fullmatch(claimed) else "value"
            raise Invalid(reason, f"payload names node {claimed[:64]!r}, topic {node_id!r}")


def time_value(value: object, key: str) -> float:
    """POSIX seconds from a number in [0, 2100-01-01] or RFC 3339 text with ``Z`` or an
    offset (``2025-09-14T04:12:31.25Z``)."""
    if type(value) is str:
        return _parse_rfc3339(value, key)
    x = as_number(value, key)
    if not 0.0 <= x <= MAX_POSIX_S:
        raise Invalid("range", f"{key}={x!r} is not POSIX seconds before 2100")
    return x


def _parse_rfc3339(value: str, key: str) -> float:
    match = _RFC3339.fullmatch(value) if len(value) <= MAX_TIME_TEXT else None
    if match is None:
        raise Invalid("value", f"{key}={value[:40]!r} is not RFC 3339 time with Z or offset")
    g = match.groups()
    try:
        moment = datetime(
            int(g[0]), int(g[1]), int(g[2]), int(g[3]), int(g[4]), int(g[5]), tzinfo=UTC
        )
    except ValueError:
        raise Invalid("time", f"{key}={value!r} is not a calendar time") from None
    seconds = moment.timestamp()
    if g[6]:
        seconds += int(g[6]) / 10 ** len(g[6])
    if g[7] is None:
        hours, minutes = int(g[9]), int(g[10])
        if hours > 23 or minutes > 59:
            raise Invalid("time", f"{key}={value!r} has an impossible offset")
        offset = hours * 3600 + minutes * 60
        seconds -= offset if g[8] == "+" else -offset
    return seconds
