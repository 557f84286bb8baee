"""Reader of weapon-target assignment instances in the text format of the public set by
Andersen, Pavlikov and Toffolo (Annals of Operations Research, 2022; ``tuliotoffolo/wta``):

- line 1: ``m n mu`` — m weapon types, n targets, mu identical units of each type;
- then n target values w_j, one a line;
- then m·n lines ``i j p_ij``: the kill probability of one unit of type i against target j
  (0-based indices), each pair once, in any order.

Blank lines are skipped. Anything else — a missing or extra number, a count that does not
match m and n, a probability outside [0, 1], a negative value, an empty file — raises
``WtaFormatError`` naming the file and the line.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from dronewall.core.errors import ConfigError
from dronewall.engage.wta import WtaInstance


class WtaFormatError(ConfigError):
    """A WTA instance file that cannot be read; ``source`` and ``line`` say where."""


def read_wta(path: Path) -> WtaInstance:
    """The instance in ``path`` (``OSError`` if it cannot be read, ``WtaFormatError`` if it is
    malformed)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise WtaFormatError("not a text file (UTF-8)", source=str(path)) from exc
    return parse_wta(text, source=str(path))


def parse_wta(text: str, source: str = "") -> WtaInstance:
    """The instance written in ``text``; ``source`` names it in errors."""
    lines = [(no, line.split()) for no, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        raise WtaFormatError("empty file: expected 'm n mu' on the first line", source=source)
    no, head = lines[0]
    m, n, mu = (
        _count(word, name, source, no) for word, name in _fields(head, ("m", "n", "mu"), source, no)
    )
    if m == 0 or n == 0:
        raise WtaFormatError(f"m and n must be at least 1, got m={m} n={n}", source=source, line=no)
    expected = 1 + n + m * n
    if len(lines) < expected:
        last = lines[-1][0]
        raise WtaFormatError(
            f"file ends after {len(lines)} non-blank lines; m={m} n={n} need {expected} "
            f"(1 header, {n} values, {m * n} probabilities)",
            source=source,
            line=last,
        )
    if len(lines) > expected:
        raise WtaFormatError(
            f"extra line: m={m} n={n} need only {expected} non-blank lines",
            source=source,
            line=lines[expected][0],
        )
    values = np.array([_value(words, source, no) for no, words in lines[1 : 1 + n]])
    probability = np.full((m, n), np.nan)
    for no, words in lines[1 + n :]:
        i, j, p = _pair(words, m, n, source, no)
        if not math.isnan(probability[i, j]):
            raise WtaFormatError(f"pair i={i} j={j} given twice", source=source, line=no)
        probability[i, j] = p
    return WtaInstance(values, probability, np.full(m, mu, np.int64))


def _fields(words: list[str], names: tuple[str, ...], source: str, no: int) -> zip[tuple[str, str]]:
    if len(words) != len(names):
        raise WtaFormatError(
            f"expected {len(names)} numbers ({' '.join(names)}), got {len(words)}",
            source=source,
            line=no,
        )
    return zip(words, names, strict=True)


def _count(word: str, name: str, source: str, no: int) -> int:
    try:
        count = int(word)
    except ValueError:
        raise WtaFormatError(
            f"{name} is not a whole number: {word!r}", source=source, line=no
        ) from None
    if count < 0:
        raise WtaFormatError(f"{name} is negative: {count}", source=source, line=no)
    return count


def _number(word: str, name: str, source: str, no: int) -> float:
    try:
        number = float(word)
    except ValueError:
        raise WtaFormatError(f"{name} is not a number: {word!r}", source=source, line=no) from None
    if not math.isfinite(number):
        raise WtaFormatError(f"{name} is not finite: {word!r}", source=source, line=no)
    return number


def _value(words: list[str], source: str, no: int) -> float:
    ((word, _name),) = _fields(words, ("value",), source, no)
    value = _number(word, "target value", source, no)
    if value < 0:
        raise WtaFormatError(f"target value is negative: {value}", source=source, line=no)
    return value


def _pair(words: list[str], m: int, n: int, source: str, no: int) -> tuple[int, int, float]:
    (wi, _), (wj, _), (wp, _) = _fields(words, ("i", "j", "p"), source, no)
    i, j = _count(wi, "i", source, no), _count(wj, "j", source, no)
    if i >= m:
        raise WtaFormatError(f"weapon type i={i} out of range 0..{m - 1}", source=source, line=no)
    if j >= n:
        raise WtaFormatError(f"target j={j} out of range 0..{n - 1}", source=source, line=no)
    p = _number(wp, "probability", source, no)
    if not 0.0 <= p <= 1.0:
        raise WtaFormatError(f"probability {p} outside [0, 1]", source=source, line=no)
    return i, j, p
