"""The map's generated API types are up to date: ``web/src/generated/openapi.json`` is what
the server describes now, ``web/src/generated/api.d.ts`` is what openapi-typescript makes of
it, and the map type-checks against them (``npm run gen:api`` in ``web/`` regenerates both)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from dronewall.server import ServerSettings, create_app
from dronewall.server.schemas import dump

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
GENERATED = WEB / "src" / "generated"
APIGEN = WEB / "apigen"
REGENERATE = "run `npm run gen:api` in web/ and commit web/src/generated/"


def test_committed_description_is_the_servers() -> None:
    committed = (GENERATED / "openapi.json").read_bytes()
    now = dump(create_app(ServerSettings()))
    if committed != now:
        old, new = json.loads(committed), json.loads(now)
        changed = sorted(
            k for k in set(old["components"]["schemas"]) | set(new["components"]["schemas"])
            if old["components"]["schemas"].get(k) != new["components"]["schemas"].get(k)
        )  # fmt: skip
        paths = sorted(set(old["paths"]) ^ set(new["paths"]))
        pytest.fail(f"openapi.json is stale (schemas {changed}, paths {paths}): {REGENERATE}")


def _npm() -> str:
    npm = shutil.which("npm")
    assert npm is not None, "npm is needed to generate the map's API types"
    return npm


@pytest.fixture(scope="module")
def apigen() -> Path:
    """openapi-typescript, installed from web/apigen's lockfile if it is not yet."""
    cli = APIGEN / "node_modules" / "openapi-typescript" / "bin" / "cli.js"
    if not cli.exists():
        subprocess.run(
            [_npm(), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=APIGEN, check=True, capture_output=True, timeout=600,
        )  # fmt: skip
    return cli


def test_committed_types_are_generated_from_it(apigen: Path, tmp_path: Path) -> None:
    out = tmp_path / "api.d.ts"
    script = json.loads((APIGEN / "package.json").read_text())["scripts"]["gen"].split()
    assert script[0] == "openapi-typescript"
    args = [str(GENERATED / "openapi.json"), "-o", str(out), *script[4:]]
    subprocess.run(["node", str(apigen), *args], check=True, capture_output=True, timeout=300)
    assert out.read_text() == (GENERATED / "api.d.ts").read_text(), f"api.d.ts: {REGENERATE}"
    text = out.read_text()
    for name in ("Frame", "Alert", "AlertEvent", "WsServerMessage", "ColumnFrameHeader"):
        assert f"export type {name} = components['schemas']['{name}'];" in text


def test_the_map_type_checks_against_them(tmp_path: Path) -> None:
    """``tsc --noEmit`` over web/ (the map's build does the same), and a use of the generated
    types that must fail proves they are read."""
    tsc = WEB / "node_modules" / ".bin" / "tsc"
    if not tsc.exists():
        subprocess.run(
            [_npm(), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=WEB, check=True, capture_output=True, timeout=600,
        )  # fmt: skip
    ok = subprocess.run([str(tsc), "--noEmit", "-p", str(WEB)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout[-2000:]
    probe = tmp_path / "probe.ts"  # outside the source tree, with web/'s compiler options
    probe.write_text(
        f"import type {{ Alert, WsServerMessage }} from '{GENERATED / 'api'}';\n"
        "export const bad: Alert['state'] = 'forgotten';\n"
        "export function kind(m: WsServerMessage): string { return m.type; }\n"
    )
    config = {"extends": str(WEB / "tsconfig.json"), "include": [str(probe)]}
    (tmp_path / "tsconfig.json").write_text(json.dumps(config))
    bad = subprocess.run([str(tsc), "--noEmit", "-p", str(tmp_path)], capture_output=True,
                         text=True)  # fmt: skip
    assert bad.returncode != 0 and "forgotten" in bad.stdout, bad.stdout[-2000:]
    assert bad.stdout.count("error TS") == 1, bad.stdout[-2000:]  # the union's .type is fine
