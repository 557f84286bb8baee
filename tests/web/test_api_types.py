"""The map's client is checked against the server's contract by the TypeScript compiler: a
copy of ``web/`` compiles as it is, and fails — at the line that is wrong — when the map asks
for a route the description does not list, passes a wrong path or query parameter or body
field, reads a field the answer does not have, or when the server renames a field the map
uses (a generated ``api.d.ts`` with ``Alert.t_raised`` and the frame's ``tts`` renamed). No
browser: ``tsc --noEmit`` over the copy (a few seconds)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
TSC = WEB / "node_modules" / ".bin" / "tsc"

# Each probe line misuses the typed client once; tsc must flag every one of them.
PROBES = {
    "unknown route": "export const a = get('/api/alert');",
    "wrong path parameter": "export const b = get('/api/runs/{run_id}', { path: { runid: 'x' } });",
    "wrong query parameter": (
        "export const c = get('/api/alerts', { query: { include_cleard: true } });"
    ),
    "wrong body field type": (
        "export const d = post('/api/alerts/{alert_id}/{action}', { note: 1 },"
        " { path: { alert_id: 1, action: 'clear' } });"
    ),
    "field the answer lacks": (
        "export const e = async (): Promise<unknown> =>"
        " (await get('/api/tracks/{track_id}', { path: { track_id: 1 } })).speeed;"
    ),
}


def _copy(tmp: Path) -> Path:
    """``web/src`` and its tsconfig in ``tmp`` (node_modules linked), checked on their own."""
    if not TSC.exists():
        pytest.fail("web/node_modules is missing: run make web (npm ci)")
    root = tmp / "web"
    shutil.copytree(WEB / "src", root / "src")
    config = (WEB / "tsconfig.json").read_text(encoding="utf-8")
    (root / "tsconfig.json").write_text(
        config.replace('"include": ["src", "dev/*.ts"]', '"include": ["src"]'), encoding="utf-8"
    )
    (root / "node_modules").symlink_to(WEB / "node_modules")
    return root


def _tsc(root: Path) -> tuple[int, str]:
    done = subprocess.run(
        [str(TSC), "--noEmit", "-p", str(root)], capture_output=True, text=True, timeout=300
    )
    return done.returncode, done.stdout + done.stderr


def test_the_map_compiles_against_the_generated_contract(tmp_path: Path) -> None:
    code, out = _tsc(_copy(tmp_path))
    assert code == 0, out


def test_each_misuse_of_the_typed_client_fails_at_its_line(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    lines = ["import { get, post } from './api';", *PROBES.values()]
    (root / "src" / "probe.ts").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = _tsc(root)
    assert code != 0
    flagged = {int(m) for m in re.findall(r"src/probe\.ts\((\d+),\d+\): error", out)}
    for line, what in enumerate(PROBES, start=2):
        assert line in flagged, f"tsc let a probe pass: {what}\n{out}"


def test_a_field_the_server_renames_fails_where_the_map_uses_it(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    generated = root / "src" / "generated" / "api.d.ts"
    text = generated.read_text(encoding="utf-8")
    renamed, n_alert = re.subn(r"(?m)^(\s+)t_raised: number;", r"\1t_raised_at: number;", text)
    renamed, n_frame = re.subn(
        r"(?m)^(\s+)tts: \(number \| null\)\[\];", r"\1time_to_site: (number | null)[];", renamed
    )
    assert n_alert >= 1 and n_frame >= 1, "the generated schema changed shape: update this test"
    generated.write_text(renamed, encoding="utf-8")
    code, out = _tsc(root)
    assert code != 0
    files = set(re.findall(r"src/(\w+)\.ts\(\d+,\d+\): error", out))
    assert {"alertpanel", "replay"} <= files, out  # they read alert.t_raised
    assert "api" in files, out  # FrameMatchesServer: the map's Frame lost step with the server's
