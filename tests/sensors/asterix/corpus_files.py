"""Loading the golden corpus: the hex files of ``corpus/`` (sources named in each file)."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).with_name("corpus")


def _lines(name: str) -> list[list[str]]:
    text = (CORPUS / name).read_text(encoding="utf-8")
    return [line.split() for line in text.splitlines() if line.strip() and line[0] != "#"]


def published() -> dict[str, bytes]:
    """The published example blocks of ``published.hex`` by name."""
    return {fields[0]: bytes.fromhex(fields[1]) for fields in _lines("published.hex")}


def croco_datagrams() -> list[tuple[float, bytes]]:
    """(capture time, UDP payload) of the 100 datagrams of the CROCO sample capture."""
    return [(float(f[0]), bytes.fromhex(f[2])) for f in _lines("croco_cat_034_048.hex")]
