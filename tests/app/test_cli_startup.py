"""Start-up of the command line stays fast: building it, and ``--help`` of every command, import
none of the heavy packages (the rules are at the top of ``dronewall/app/cli.py``).

No wall-clock limit: each check runs a fresh interpreter and looks at ``sys.modules``, which is
what decides the time (``dronewall --help`` took 2.6 s when every command imported matplotlib,
FastAPI, numba, the planner and the simulator; about 0.3 s of CPU without them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Third-party packages too heavy for start-up (each costs 0.05–1 s to import).
HEAVY_PACKAGES = (
    "numpy",
    "scipy",
    "pyarrow",
    "matplotlib",
    "fastapi",
    "starlette",
    "uvicorn",
    "numba",
    "highspy",
    "shapely",
    "pyproj",
    "psycopg",
    "aiomqtt",
)
# Of dronewall itself only the command line's own package may load: everything else
# (planning, sim, server, tracking, runtime, store, world, core → numpy, …) is the work.
LIGHT_OWN = ("dronewall", "dronewall.app")

HELP_PROBE = r"""
import contextlib, io, json, sys
import typer
from dronewall.app.cli import app, run

def paths(command, prefix):
    yield prefix
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from paths(sub, [*prefix, name])

found = {}
for path in paths(typer.main.get_command(app), []):
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown):
        code = run([*path, "--help"])
    found[" ".join(path)] = {"code": code, "help": shown.getvalue(), "modules": sorted(sys.modules)}
print(json.dumps(found))
"""


def _heavy(modules: list[str]) -> list[str]:
    """The modules in ``modules`` that start-up must not load."""
    bad = []
    for name in modules:
        top = name.split(".")[0]
        own = name.split(".")[:2]
        if top in HEAVY_PACKAGES or (top == "dronewall" and ".".join(own) not in LIGHT_OWN):
            bad.append(name)
    return bad


def _python(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DRONEWALL_DEBUG"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_heavy_list_would_catch_a_heavy_import() -> None:
    assert _heavy(["numpy.linalg", "dronewall.sim.engine", "dronewall.core"]) == [
        "numpy.linalg",
        "dronewall.sim.engine",
        "dronewall.core",
    ]
    assert _heavy(["typer", "rich.console", "dronewall", "dronewall.app.cli"]) == []


def test_importing_the_command_line_loads_nothing_heavy() -> None:
    out = _python(
        "import json, sys; import dronewall.app.cli; print(json.dumps(sorted(sys.modules)))"
    )
    modules = json.loads(out)
    assert "dronewall.app.serve_cli" in modules and "typer" in modules
    assert _heavy(modules) == []


@pytest.fixture(scope="module")
def helps() -> dict[str, dict[str, object]]:
    """``--help`` of every command of the typer app, one after another in one interpreter:
    exit code, text and the modules loaded once it was shown."""
    found: dict[str, dict[str, object]] = json.loads(_python(HELP_PROBE))
    return found


def test_every_command_is_probed(helps: dict[str, dict[str, object]]) -> None:
    expected = {
        "",
        "track",
        "score",
        "assess",
        "serve",
        "scenarios",
        "simulate",
        "demo",
        "plan",
        "plan coverage",
        "plan siting",
        "plan procurement",
        "plan prove",
    }
    assert expected <= set(helps)


def test_help_of_every_command_loads_nothing_heavy(helps: dict[str, dict[str, object]]) -> None:
    loaded_before: set[str] = set()
    for command, probe in helps.items():
        assert probe["code"] == 0, command
        assert "--help" in str(probe["help"]) and "Usage" in str(probe["help"]), command
        modules = probe["modules"]
        assert isinstance(modules, list)
        new_heavy = [m for m in _heavy(modules) if m not in loaded_before]
        assert new_heavy == [], f"dronewall {command} --help imports {new_heavy[:10]}"
        loaded_before.update(modules)


def test_the_installed_entry_point_shows_help() -> None:
    dronewall = Path(sys.executable).with_name("dronewall")
    done = subprocess.run(
        [str(dronewall), "serve", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "--replay" in done.stdout and "--store" in done.stdout
