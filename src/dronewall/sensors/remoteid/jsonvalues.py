"""Values as open Remote ID receivers write them in JSON: numbers, numbers in strings with
units ("230.0 m", "0.0 m/s"), accuracy classes as text ("<10 m", ">=150 m or Unknown",
"<0.05 NM"), times after the hour ("9 min 50.0 s") and POSIX or ISO 8601 times. The names
are those of the opendroneid receivers' decoded output (ASTM F3411-22a field names).

Every reader returns NaN (or "") for what is absent or unknown and raises ``ValueError`` for
what is there but unreadable.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

NAN = math.nan
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_UNKNOWN_WORDS = ("unknown", "undefined", "invalid", "no value", "n/a", "none", "nan")
_UNIT_METRES = {"nm": 1852.0, "km": 1000.0, "m": 1.0, "ft": 0.3048}  # NM: nautical mile
_MIN_SEC = re.compile(r"(?:(\d+)\s*min)?\s*([\d.]+)\s*s")
MS_THRESHOLD = 1e11  # a POSIX time above this is in milliseconds (year 5138 in seconds)
US_THRESHOLD = 1e14  # ... and above this in microseconds


def number(value: object) -> float:
    """A number, or a string holding one (with or without a unit); NaN when absent/unknown."""
    if value is None or isinstance(value, bool):
        return NAN
    if isinstance(value, int | float):
        x = float(value)
        return x if math.isfinite(x) else NAN
    if not isinstance(value, str):
        raise ValueError(f"not a number: {value!r}")
    text = value.strip().lower()
    if not text or any(word in text for word in _UNKNOWN_WORDS):
        return NAN
    match = _NUMBER.search(text)
    if match is None:
        raise ValueError(f"not a number: {value!r}")
    x = float(match.group())
    return x if math.isfinite(x) else NAN


def bound(value: object) -> float:
    """An accuracy given as a bound ("<10 m", "< 0.3 NM", "<3 m/s", 10): metres (or m/s);
    NaN when unknown (">=150 m or Unknown")."""
    if not isinstance(value, str):
        x = number(value)
        return x if x > 0 else NAN
    text = value.strip().lower()
    if text.startswith((">", "≥")) or any(word in text for word in _UNKNOWN_WORDS):
        return NAN
    match = _NUMBER.search(text)
    if match is None:
        raise ValueError(f"not an accuracy: {value!r}")
    unit = text[match.end() :].strip()
    scale = next((v for k, v in _UNIT_METRES.items() if unit.startswith(k)), 1.0)
    x = float(match.group()) * (1.0 if unit.startswith("m/s") else scale)
    return x if math.isfinite(x) and x > 0 else NAN


def text(value: object) -> str:
    """A string value, stripped; numbers as their text; "" when absent."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "".join(c for c in value if c.isprintable()).strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"not a text: {value!r}")


def posix_time(value: object) -> float:
    """A POSIX time in seconds from seconds, milliseconds, microseconds or ISO 8601 text."""
    if isinstance(value, str) and not _NUMBER.fullmatch(value.strip()):
        stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            raise ValueError(f"time without a zone: {value!r}")
        return stamp.timestamp()
    t = number(value)
    if t > US_THRESHOLD:
        return t / 1e6
    if t > MS_THRESHOLD:
        return t / 1e3
    return t


def seconds_after_hour(value: object) -> float:
    """A Location timestamp: "9 min 50.0 s", or a number of seconds (≤ 3600)."""
    if isinstance(value, str):
        match = _MIN_SEC.fullmatch(value.strip().lower())
        if match is not None:
            minutes = int(match.group(1) or 0)
            return minutes * 60.0 + float(match.group(2))
    t = number(value)
    return t if 0.0 <= t <= 3600.0 else NAN
