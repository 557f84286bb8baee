"""What every command of the command line shares: one-line errors with exit status 2.

A person running ``dronewall`` gets, for a bad argument, a bad file or a service that cannot be
reached, ONE line on standard error naming the problem and exit status 2 (the Unix convention
for a usage or input error, as click uses for bad options) — never a traceback. An exception
nobody expected is a bug: one line saying so and exit status 1, the traceback only when
``DRONEWALL_DEBUG=1`` is set.

Light on purpose (standard library, typer and rich only): every command module imports it at
start-up, and ``dronewall --help`` must not pay for the numerical stack (docs in ``cli.py``).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import typer

EXIT_ERROR = 2  # bad argument, bad file, unreachable service: the user can fix it
EXIT_BUG = 1  # an exception nobody expected: a bug to report
DEBUG_ENV = "DRONEWALL_DEBUG"  # set to 1 to get the traceback of an unexpected exception


def debugging() -> bool:
    """Whether ``DRONEWALL_DEBUG`` asks for tracebacks."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")


def say_error(message: str) -> None:
    """Print one line ``error: …`` on standard error (newlines in ``message`` folded)."""
    from rich.console import Console
    from rich.markup import escape

    line = " ".join(message.split())
    Console(stderr=True).print(f"[red]error:[/] {escape(line)}", soft_wrap=True, highlight=False)


def fail(message: str) -> NoReturn:
    """One clear line on standard error and exit status 2."""
    say_error(message)
    raise typer.Exit(EXIT_ERROR)


def expected(exc: BaseException) -> bool:
    """Whether ``exc`` is a problem of the input or the surroundings rather than a bug:
    a ``DronewallError`` (raised on purpose, with the data that caused it), an ``OSError``
    (a missing file, a directory without permission, a refused connection) or a file that is
    not text."""
    from dronewall.core.errors import DronewallError

    return isinstance(exc, DronewallError | OSError | UnicodeDecodeError)


def describe(exc: BaseException) -> str:
    """One line naming the problem an expected exception stands for."""
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename is not None else ""
        if exc.filename2 is not None:
            where = f"{where} → {exc.filename2}"
        return f"{where}: {exc.strerror}" if where else exc.strerror
    if isinstance(exc, UnicodeDecodeError):
        return f"a file is not UTF-8 text ({exc.reason} at byte {exc.start})"
    return str(exc) or type(exc).__name__


def bug_line(exc: BaseException) -> str:
    """The line for an unexpected exception."""
    return (
        f"internal error, a bug in dronewall — {type(exc).__name__}: {exc} "
        f"(run again with {DEBUG_ENV}=1 for the traceback, and please report it)"
    )


@contextlib.contextmanager
def errors() -> Iterator[None]:
    """Turn an expected exception raised inside into one line and exit status 2.

    Commands wrap their work in it so that they answer the same way when called directly
    (tests, ``CliRunner``) as through ``main()``, whose guard also catches what escapes."""
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if debugging() or not expected(exc):
            raise
        fail(describe(exc))


def existing(path: Path, what: str) -> Path:
    """``path`` when it exists; otherwise one line naming ``what`` was looked for, exit 2."""
    if not path.exists():
        fail(f"no such {what}: {path}")
    return path


def output_dir(path: Path) -> Path:
    """Create the output directory now, before the work, so that one that cannot be written
    is said at once rather than after minutes of simulating or solving."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create the output directory {path}: {exc.strerror or exc}")
    if not os.access(path, os.W_OK | os.X_OK):
        fail(f"cannot write in the output directory {path}: permission denied")
    return path


def text_file(path: Path, what: str) -> Path:
    """``path`` when it is a readable UTF-8 text file (a TOML the command will load);
    otherwise one line saying what is wrong with it, exit 2."""
    existing(path, what)
    try:
        path.read_bytes().decode("utf-8")
    except OSError as exc:
        fail(f"cannot read {what} {path}: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        fail(f"{what} {path} is not UTF-8 text ({exc.reason} at byte {exc.start})")
    return path


def scenario_file(scenario: str) -> None:
    """A scenario argument naming a file (not a bundled name) must be readable text."""
    if Path(scenario).exists() and not Path(scenario).is_dir():
        text_file(Path(scenario), "scenario file")


def check_positive(option: str, value: float | None) -> None:
    """``option`` (e.g. ``--duration``) must be a positive finite number when given."""
    if value is not None and not (math.isfinite(value) and value > 0):
        fail(f"{option} must be a positive number, not {value:g}")
