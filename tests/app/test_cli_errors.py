"""Errors for people: every command answers a bad argument, a bad or missing file, a directory it
cannot write and an unreachable service with ONE line on standard error naming the problem and
exit status 2 — never a traceback. An unexpected exception is one line calling itself a bug
(exit 1), with the traceback only under ``DRONEWALL_DEBUG=1``.

Each case runs the installed ``dronewall`` entry point in a fresh process, as a person would.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

DRONEWALL = Path(sys.executable).with_name("dronewall")
UNREACHABLE_POSTGRES = "postgresql://nobody@127.0.0.1:1/x"  # port 1: nothing listens
NO_AUTH = ("--auth", "none")  # these cases are about the store: no users file is needed


@dataclass(frozen=True, slots=True)
class Done:
    code: int
    stdout: str
    stderr: str


def dronewall(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Done:
    base = {k: v for k, v in os.environ.items() if k != "DRONEWALL_DEBUG"}
    base.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "80"})
    done = subprocess.run(
        [str(DRONEWALL), *args],
        capture_output=True,
        text=True,
        env=base | (env or {}),
        cwd=cwd,
        check=False,
    )
    return Done(done.returncode, done.stdout, done.stderr)


def assert_one_line_error(done: Done, *naming: str) -> None:
    """Exit 2, exactly one line on standard error, naming the problem; no traceback."""
    lines = done.stderr.splitlines()
    assert done.code == 2, done
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), lines
    for words in naming:
        assert words in lines[0], (words, lines[0])
    assert "Traceback" not in done.stderr + done.stdout


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bad inputs: a corrupt Parquet file, a run directory of them, a run directory without
    its sensors, a binary 'TOML', a plain file where a directory is needed."""
    root = tmp_path_factory.mktemp("bad")
    (root / "corrupt.parquet").write_bytes(b"PAR1 this is not parquet")
    run = root / "corrupt-run"
    run.mkdir()
    for name in ("reports", "sensors", "tracks", "truth"):
        (run / f"{name}.parquet").write_bytes(b"garbage")
    lonely = root / "no-sensors"
    lonely.mkdir()
    (lonely / "reports.parquet").write_bytes(b"garbage")
    (root / "binary.toml").write_bytes(b"\xff\xfe\x00\x01scenario")
    (root / "a-file").write_text("not a directory\n")
    (root / "bad-scenario.toml").write_text(
        '[scenario]\nname = "x"\ntitle = "x"\nstart = 2026-01-01T00:00:00Z\n'
        "duration_s = -5\nseed = 1\n"
    )
    return root


def unwritable(root: Path) -> Path:
    """A directory this process may not create anything in. Root ignores permission bits, so
    as root use sysfs, where even root cannot create a directory."""
    if os.geteuid() == 0:
        if not Path("/sys/kernel").is_dir():
            pytest.skip("running as root without /sys: no unwritable directory to test with")
        return Path("/sys/dronewall-test")
    locked = root / "locked"
    locked.mkdir(exist_ok=True)
    locked.chmod(0o500)
    return locked


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


Case = Callable[[Path], tuple[list[str], tuple[str, ...]]]

# name → (arguments given the bad-files folder, words the one line must contain)
CASES: dict[str, Case] = {
    "unknown command": lambda d: (["simulat"], ("No such command", "simulate")),
    "unknown option": lambda d: (["track", str(d), "--out", str(d), "--fast"], ("--fast",)),
    "missing option": lambda d: (["simulate", "airport-quadcopter"], ("--out",)),
    "option of the wrong type": lambda d: (
        ["simulate", "airport-quadcopter", "--out", str(d / "o"), "--duration", "soon"],
        ("--duration",),
    ),
    "simulate unknown scenario": lambda d: (
        ["simulate", "atlantis", "--out", str(d / "o")],
        ("atlantis", "eastern-flank-raid"),
    ),
    "simulate negative duration": lambda d: (
        ["simulate", "airport-quadcopter", "--out", str(d / "o"), "--duration", "-5"],
        ("--duration", "-5"),
    ),
    "simulate scenario with an error": lambda d: (
        ["simulate", str(d / "bad-scenario.toml"), "--out", str(d / "o")],
        ("bad-scenario.toml:5", "duration_s"),
    ),
    "simulate binary scenario file": lambda d: (
        ["simulate", str(d / "binary.toml"), "--out", str(d / "o")],
        ("binary.toml", "UTF-8"),
    ),
    "simulate into a file": lambda d: (
        ["simulate", "airport-quadcopter", "--out", str(d / "a-file" / "run"), "--duration", "5"],
        ("a-file", "Not a directory"),
    ),
    "simulate into a directory without permission": lambda d: (
        ["simulate", "airport-quadcopter", "--out", str(unwritable(d) / "run"), "--duration", "5"],
        (str(unwritable(d)), "not permitted" if os.geteuid() == 0 else "Permission denied"),
    ),
    "demo unknown --via": lambda d: (["demo", "--via", "pigeon"], ("--via", "pigeon")),
    "demo zero duration": lambda d: (["demo", "--duration", "0"], ("--duration",)),
    "demo unknown scenario": lambda d: (
        ["demo", "atlantis", "--out", str(d / "o"), "--duration", "5"],
        ("atlantis",),
    ),
    "track missing run directory": lambda d: (
        ["track", str(d / "nowhere"), "--out", str(d / "o")],
        ("nowhere",),
    ),
    "track corrupt reports": lambda d: (
        ["track", str(d / "corrupt-run"), "--out", str(d / "o")],
        ("corrupt-run/reports.parquet",),
    ),
    "track run without sensors": lambda d: (
        ["track", str(d / "no-sensors"), "--out", str(d / "o")],
        ("sensors.parquet",),
    ),
    "track unknown format": lambda d: (
        ["track", str(d / "corrupt-run"), "--out", str(d / "o"), "--format", "xml"],
        ("--format", "xml"),
    ),
    "track into a file": lambda d: (
        ["track", str(d / "corrupt-run"), "--out", str(d / "a-file")],
        ("a-file",),
    ),
    "score missing tracks": lambda d: (
        ["score", str(d / "nowhere"), "--truth", str(d / "corrupt-run")],
        ("nowhere",),
    ),
    "score corrupt truth": lambda d: (
        ["score", str(d / "corrupt-run"), "--truth", str(d / "corrupt.parquet")],
        ("corrupt",),
    ),
    "score negative cutoff": lambda d: (
        ["score", str(d), "--truth", str(d), "--cutoff", "-1"],
        ("--cutoff",),
    ),
    "assess missing tracks": lambda d: (
        ["assess", str(d / "nowhere.parquet"), "--out", str(d / "o")],
        ("nowhere.parquet",),
    ),
    "assess corrupt tracks": lambda d: (
        ["assess", str(d / "corrupt-run"), "--out", str(d / "o")],
        ("corrupt-run/tracks.parquet",),
    ),
    "assess missing sites file": lambda d: (
        ["assess", str(d / "corrupt-run"), "--out", str(d / "o"), "--sites", str(d / "no.toml")],
        ("--sites", "no.toml"),
    ),
    "plan siting without area": lambda d: (["plan", "siting", "--out", str(d)], ("--area",)),
    "plan siting unknown area": lambda d: (
        ["plan", "siting", "--out", str(d), "--area", "narnia"],
        ("narnia",),
    ),
    "plan siting zero time limit": lambda d: (
        ["plan", "siting", "--out", str(d), "--area", "baltic", "--time-limit", "0"],
        ("--time-limit",),
    ),
    "plan coverage missing laydown": lambda d: (
        ["plan", "coverage", str(d / "no-laydown.toml"), "--out", str(d), "--area", "baltic"],
        ("no-laydown.toml",),
    ),
    "plan procurement binary plan": lambda d: (
        ["plan", "procurement", str(d / "binary.toml"), "--out", str(d)],
        ("binary.toml", "UTF-8"),
    ),
    "plan prove no runs": lambda d: (
        ["plan", "prove", str(d / "binary.toml"), "--out", str(d), "--runs", "0"],
        ("--runs",),
    ),
    "serve missing users file": lambda d: (
        ["serve", "airport-quadcopter", "--users", str(d / "nobody.json")],
        ("nobody.json",),
    ),
    "serve bad store URL": lambda d: (
        ["serve", "--replay", "r", "--store", "mysql://db/x", "--port", str(free_port()), *NO_AUTH],
        ("mysql",),
    ),
    "serve unreachable PostgreSQL": lambda d: (
        [
            "serve",
            "--replay",
            "r",
            "--store",
            UNREACHABLE_POSTGRES,
            "--port",
            str(free_port()),
            *NO_AUTH,
        ],
        ("PostgreSQL", "127.0.0.1"),
    ),
    "serve unknown run": lambda d: (
        [
            "serve",
            "--replay",
            "no-such-run",
            "--store",
            f"sqlite:///{d / 'empty.db'}",
            "--port",
            str(free_port()),
            *NO_AUTH,
        ],
        ("no-such-run", "--store"),
    ),
    "serve negative speed": lambda d: (
        ["serve", "airport-quadcopter", "--speed", "-1"],
        ("--speed",),
    ),
    "serve unknown scenario": lambda d: (["serve", "atlantis"], ("atlantis",)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_one_line_and_exit_2(name: str, files: Path) -> None:
    args, naming = CASES[name](files)
    assert_one_line_error(dronewall(*args), *naming)


BOOM = """
import sys
from dronewall.app import cli

@cli.app.command("boom")
def boom() -> None:
    raise {error}

cli.main(["boom"])
"""


def _boom(error: str, debug: bool) -> Done:
    env = {k: v for k, v in os.environ.items() if k != "DRONEWALL_DEBUG"}
    env |= {"NO_COLOR": "1", "TERM": "dumb"} | ({"DRONEWALL_DEBUG": "1"} if debug else {})
    done = subprocess.run(
        [sys.executable, "-c", BOOM.format(error=error)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return Done(done.returncode, done.stdout, done.stderr)


def test_an_unexpected_exception_is_one_line_saying_it_is_a_bug() -> None:
    done = _boom("ZeroDivisionError('the bug')", debug=False)
    assert done.code == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "bug" in lines[0] and "the bug" in lines[0], done.stderr
    assert "DRONEWALL_DEBUG=1" in lines[0] and "Traceback" not in done.stderr


def test_dronewall_debug_shows_the_traceback() -> None:
    done = _boom("ZeroDivisionError('the bug')", debug=True)
    assert done.code == 1
    assert "Traceback" in done.stderr and "ZeroDivisionError: the bug" in done.stderr


def test_an_os_error_escaping_a_command_is_one_line_and_exit_2() -> None:
    done = _boom("PermissionError(13, 'Permission denied', '/srv/x')", debug=False)
    assert_one_line_error(done, "/srv/x", "Permission denied")
