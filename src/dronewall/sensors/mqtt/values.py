"""Typed reading of the JSON members of dronewall's MQTT payloads (``docs/feeds-mqtt.md``,
"Types and units"): numbers that are finite and within their range (a JSON ``true`` is not a
number), strings of bounded length, enumerations, and times given as RFC 3339 text (the
ISO 8601 profile of RFC 3339 §5.6, with ``Z`` or an explicit offset) or as POSIX seconds.

Every failure raises ``Invalid`` with the reject reason token and the member at fault; the
decoder turns it into one counted reject. The rules here are the ones ``schema.json`` states,
so that a payload this module accepts is valid under the schema too (tests check both ways).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

NAN = math.nan
Obj = dict[str, Any]

# Latest POSIX time accepted (2100-01-01T00:00:00Z): catches milliseconds sent as seconds.
MAX_POSIX_S = 4_102_444_800.0
MAX_TIME_TEXT = 40  # "2025-09-14T04:12:31.123456789+00:00" is 35 characters
MAX_INTEGER_ID = 2**53  # the largest integer a JSON double carries exactly

# ASCII digits only (``\d`` would take other scripts' digits): the schema's pattern too.
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?"
    r"(?:(Z)|([+-])([0-9]{2}):([0-9]{2}))"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Invalid(Exception):  # noqa: N818 - a decoding outcome, not a program error
    """A payload that breaks a rule: ``reason`` is the reject token, ``detail`` says where."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


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


def number(
    obj: Obj, key: str, lo: float, hi: float, *, open_lo: bool = False, default: float = NAN
) -> float:
    """Member ``key`` within [lo, hi] (or (lo, hi] with ``open_lo``); ``default`` if absent."""
    if key not in obj:
        return default
    x = as_number(obj[key], key)
    if not (lo < x if open_lo else lo <= x) or not x <= hi:
        raise Invalid("range", f"{key}={x!r} outside [{lo}, {hi}]")
    return x


def required_number(obj: Obj, key: str, lo: float, hi: float, *, open_lo: bool = False) -> float:
    if key not in obj:
        raise Invalid("missing", key)
    return number(obj, key, lo, hi, open_lo=open_lo)


def text(obj: Obj, key: str, max_length: int, default: str = "") -> str:
    """Member ``key`` as a string of at most ``max_length`` characters."""
    if key not in obj:
        return default
    value = obj[key]
    if type(value) is not str:
        raise Invalid("type", f"{key} is not a string")
    if len(value) > max_length:
        raise Invalid("range", f"{key} longer than {max_length} characters")
    return value


def choice(obj: Obj, key: str, allowed: frozenset[str], *, required: bool) -> str:
    """Member ``key`` as one of ``allowed`` ("" when absent and not required)."""
    if key not in obj:
        if required:
            raise Invalid("missing", key)
        return ""
    value = obj[key]
    if type(value) is not str:
        raise Invalid("type", f"{key} is not a string")
    if value not in allowed:
        raise Invalid("value", f"{key}={value[:40]!r} is not one of {sorted(allowed)}")
    return value


def pattern(obj: Obj, key: str, regex: re.Pattern[str], max_length: int) -> str:
    """Member ``key`` as a string matching ``regex`` whole ("" when absent)."""
    value = text(obj, key, max_length)
    if key in obj and regex.fullmatch(value) is None:
        raise Invalid("value", f"{key}={value[:40]!r} is malformed")
    return value


def identifier(obj: Obj, key: str, max_length: int) -> str:
    """Member ``key`` as an identifier: a string, or a whole number in [0, 2**53]."""
    if key not in obj:
        return ""
    value = obj[key]
    kind = type(value)
    if kind is str:
        return text(obj, key, max_length)
    if kind is int or (kind is float and value.is_integer()):
        if not 0 <= value <= MAX_INTEGER_ID:
            raise Invalid("range", f"{key} outside [0, 2**53]")
        return str(int(value))
    raise Invalid("type", f"{key} is neither a string nor an integer")


def version(obj: Obj) -> None:
    """The optional ``v`` member must be 1 (the topic prefix carries the version too)."""
    if "v" not in obj:
        return
    value = obj["v"]
    if type(value) not in (int, float):
        raise Invalid("type", "v is not a number")
    if value != 1:
        raise Invalid("version", f"v={value!r}, this decoder reads version 1")


def time_of(obj: Obj, key: str = "t") -> float:
    """Member ``key`` as POSIX seconds (NaN when absent): a number in [0, 2100-01-01], or
    RFC 3339 text with ``Z`` or an offset (``2025-09-14T04:12:31.25Z``)."""
    if key not in obj:
        return NAN
    value = obj[key]
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
        year, month, day, hour, minute, second = (int(x) for x in g[:6])
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise Invalid("time", f"{key}={value!r} is not a calendar time") from None
    seconds = (moment - _EPOCH).total_seconds()
    if g[6]:
        seconds += int(g[6]) / 10 ** len(g[6])
    if g[7] is None:
        offset = timedelta(hours=int(g[9]), minutes=int(g[10]))
        if offset >= timedelta(hours=24) or int(g[10]) >= 60:
            raise Invalid("time", f"{key}={value!r} has an impossible offset")
        seconds -= offset.total_seconds() if g[8] == "+" else -offset.total_seconds()
    return seconds
