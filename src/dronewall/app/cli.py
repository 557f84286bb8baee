"""The ``dronewall`` command line: the commands' registry and ``main()``, the entry point with
its guard that answers every error with one line. The only place that reads arguments and prints.

How commands are added — and why start-up stays fast
----------------------------------------------------
``dronewall --help`` and ``dronewall X --help`` must answer at once (< 0.5 s), so nothing
heavy (numpy's stack, Arrow, matplotlib, FastAPI, uvicorn, numba, HiGHS, the planner, the
simulator, the server, the tracker) may be imported to build the command line. The rules:

1. A command lives in its own module ``dronewall/app/<name>_cli.py`` whose module level imports
   only the standard library, ``typer``, ``rich`` and ``dronewall.app.common``.
2. The command function's parameters use cheap types only — ``str``, ``int``, ``float``,
   ``bool``, ``Path``, lists of those, or an enum defined in the command module — because typer
   reads the signature to build ``--help``. Types used only by helpers go under
   ``if TYPE_CHECKING:``.
3. Heavy imports happen inside the command function, after cheap argument checks
   (``common.check_positive``, ``common.fail``); a command whose work is long keeps it in a
   separate module imported from inside the command (``plan_cli`` → ``plan_run``).
4. The work runs inside ``with common.errors():`` so a ``DronewallError`` or ``OSError`` becomes
   one line and exit status 2; ``main()`` catches whatever still escapes.
5. Register the command below with one line: ``app.command("name")(name_cli.function)``, or
   ``app.add_typer(name_cli.sub_app, name="name")`` for a group of commands.

``tests/app/test_cli_startup.py`` checks every registered command's ``--help`` against the list
of heavy modules, so a new command that breaks rule 1–3 fails there.
"""

from __future__ import annotations

import gc
import sys

import typer

from dronewall.app import (
    assess_cli,
    audit_cli,
    engage_cli,
    ingest_cli,
    node_cli,
    openapi_cli,
    plan_cli,
    score_cli,
    serve_cli,
    sim_cli,
    track_cli,
    users_cli,
)
from dronewall.app.common import (
    EXIT_BUG,
    EXIT_ERROR,
    bug_line,
    debugging,
    describe,
    expected,
    say_error,
)

PROG = "dronewall"
EXIT_ABORTED = 1  # a prompt answered with Ctrl-D: click's status for "Aborted!"

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="dronewall: Europe's fused counter-drone picture.",
)

app.command("track")(track_cli.track)
app.command("score")(score_cli.score)
app.command("assess")(assess_cli.assess)
app.command("serve")(serve_cli.serve)
app.command("node")(node_cli.node)
app.add_typer(plan_cli.plan_app, name="plan")
app.command("scenarios")(sim_cli.scenarios)
app.command("simulate")(sim_cli.simulate)
app.command("demo")(sim_cli.demo)
app.command("ingest")(ingest_cli.ingest)
app.add_typer(users_cli.users_app, name="users")
app.add_typer(audit_cli.audit_app, name="audit")
app.command("openapi")(openapi_cli.openapi)
app.add_typer(engage_cli.engage_app, name="engage")


def main(argv: list[str] | None = None) -> None:
    """Run the command line; exit 0, 2 for a usage or input error, 1 for a bug."""
    code = run(argv)
    # Exiting: move everything loaded out of the collector's sight, so the interpreter's
    # shut-down does not run full collections over it (0.11–0.13 → 0.01–0.02 CPU-s after
    # `dronewall track`, measured 2026-12-07).
    gc.freeze()
    sys.exit(code)


def run(argv: list[str] | None = None) -> int:
    """The command line on ``argv`` (default: ``sys.argv[1:]``); returns the exit status.

    Usage errors (unknown command or option, a value of the wrong type, a missing argument)
    become one line with a pointer to ``--help`` instead of typer's boxed panel; errors that
    escape a command become one line too (see ``common``)."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name=PROG, standalone_mode=False)
    except typer.Exit as exit_:
        return exit_.exit_code
    except typer.Abort:
        say_error("aborted")
        return EXIT_ABORTED
    except typer.TyperException as exc:
        return _usage_error(exc)
    except Exception as exc:
        return _escaped(exc)
    return result if isinstance(result, int) else 0


def _usage_error(exc: typer.TyperException) -> int:
    """One line for typer's own errors; the help alone when no arguments were given."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # typer has already printed the help
        return exc.exit_code
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", PROG)
    hint = f" — see '{path} --help'" if ctx is not None else ""
    say_error(f"{exc.format_message().rstrip('.')}{hint}")
    return exc.exit_code


def _escaped(exc: Exception) -> int:
    """An exception no command caught: one line, and the traceback when debugging."""
    if debugging():
        import traceback

        traceback.print_exception(exc)
    if expected(exc):
        say_error(describe(exc))
        return EXIT_ERROR
    say_error(bug_line(exc))
    return EXIT_BUG
