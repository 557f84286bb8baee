"""The examples of ``docs/feeds-mqtt.md``, read from the document itself: each is a fenced
``json`` block after a comment ``<!-- example: NAME topic=TOPIC [reject=REASON] -->``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "feeds-mqtt.md"
# 2025-09-14T04:12:32Z: one second after the examples' detections were measured.
T_RECEIVE = 1_757_823_152.0
_EXAMPLE = re.compile(
    r"<!-- example: (?P<name>\S+) topic=(?P<topic>\S+)(?: reject=(?P<reject>\S+))? -->\n"
    r"```json\n(?P<body>.*?)\n```",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Example:
    name: str
    topic: str
    reject: str | None
    payload: bytes


def examples() -> list[Example]:
    text = DOC.read_text(encoding="utf-8")
    found = [
        Example(m["name"], m["topic"], m["reject"], m["body"].encode("utf-8"))
        for m in _EXAMPLE.finditer(text)
    ]
    assert text.count("<!-- example:") == len(found), "an example marker is malformed"
    return found
