"""The shared WTA instances (``../shared/bench/wta/``) and their best known values, read from
the README table there — never copied into the project."""

from __future__ import annotations

import re
from pathlib import Path

SHARED_WTA = Path(__file__).resolve().parents[3] / "shared" / "bench" / "wta"
ROW = re.compile(r"^\|\s*(wta_\d+x\d+x\d+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|", re.MULTILINE)


def best_known() -> dict[str, tuple[float, float]]:
    """instance name → (best upper bound, best lower bound) from the shared README."""
    text = (SHARED_WTA / "README.md").read_text(encoding="utf-8")
    return {name: (float(upper), float(lower)) for name, upper, lower in ROW.findall(text)}
