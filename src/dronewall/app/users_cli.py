"""``dronewall users``: the built-in user store of ``dronewall serve`` (``docs/auth.md``) —
add, list, passwd, set-roles, remove. The file is the one ``serve --users`` reads (default
``out/users.json``); a running server sees changes at its next sign-in or within 2 s.

Passwords come from ``--password-stdin`` (one line), ``--generate-password`` (random, printed
once) or, on a terminal, a prompt asked twice; never from the command line, where other
users of the machine could read them in the process list.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dronewall.app.common import errors, fail
from dronewall.app.serve_auth import DEFAULT_USERS

console = Console()
users_app = typer.Typer(
    no_args_is_help=True,
    help="The built-in users of 'dronewall serve': who may sign in, with which roles.",
)
GENERATED_BYTES = 12  # 16 URL-safe characters, 96 bits: beyond guessing behind a login form

UsersFile = Annotated[Path, typer.Option("--users", help="the users file")]
Roles = Annotated[
    list[str],
    typer.Option("--role", help="viewer, operator, commander, planner or admin (repeatable)"),
]
FromStdin = Annotated[
    bool, typer.Option("--password-stdin", help="read the password from standard input")
]
Generate = Annotated[
    bool, typer.Option("--generate-password", help="make a random password and print it once")
]


def _password(from_stdin: bool, generate: bool) -> tuple[str, bool]:
    """The new password and whether it was generated (to be printed)."""
    if from_stdin and generate:
        fail("give --password-stdin or --generate-password, not both")
    if generate:
        return secrets.token_urlsafe(GENERATED_BYTES), True
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            fail("no password on standard input")
        return line, False
    if not sys.stdin.isatty():
        fail("no password: give --password-stdin or --generate-password (no terminal to ask)")
    return typer.prompt("password", hide_input=True, confirmation_prompt=True), False


def add(
    name: Annotated[str, typer.Argument(help="the user name people sign in with")],
    role: Roles,
    nation: Annotated[str, typer.Option(help="ISO 3166-1 alpha-3, e.g. DEU, POL")],
    clearance: Annotated[
        str, typer.Option(help="UNCLASSIFIED, RESTRICTED, CONFIDENTIAL, SECRET, TOP SECRET")
    ] = "UNCLASSIFIED",
    community: Annotated[
        list[str] | None, typer.Option("--community", help="NATO or EU (repeatable)")
    ] = None,
    password_stdin: FromStdin = False,
    generate_password: Generate = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="if the user exists, replace it (demo set-ups)")
    ] = False,
    users: UsersFile = DEFAULT_USERS,
) -> None:
    """Add a user with roles, nation and clearance; the password is hashed (Argon2id)."""
    from dronewall.server.users import load_or_create, make_user

    with errors():
        store = load_or_create(users)
        make_user(name, role, nation, clearance, community or ())  # checks before asking
        if store.get(name) is not None and not replace:
            fail(f"user {name!r} exists already in {users} (passwd, set-roles, or remove it)")
        password, generated = _password(password_stdin, generate_password)
        user = make_user(name, role, nation, clearance, community or (), password)
        store.add(user, replace=replace)
    console.print(
        f"added [bold]{user.name}[/] ({', '.join(user.roles)}; {user.nation}, "
        f"{user.clearance}) to {users}",
        highlight=False,
    )
    if generated:
        console.print(f"password: [bold]{password}[/] (shown once)", highlight=False)


def list_users(users: UsersFile = DEFAULT_USERS) -> None:
    """The users: name, roles, nation, clearance, communities (never the hashes)."""
    from dronewall.server.users import UserStore

    with errors():
        store = UserStore.open(users)
    table = Table("name", "roles", "nation", "clearance", "communities")
    for u in store.list():
        table.add_row(u.name, ", ".join(u.roles), u.nation, u.clearance, ", ".join(u.communities))
    console.print(table)


def passwd(
    name: Annotated[str, typer.Argument()],
    password_stdin: FromStdin = False,
    generate_password: Generate = False,
    users: UsersFile = DEFAULT_USERS,
) -> None:
    """Set a user's password."""
    from dronewall.server.users import UserError, UserStore, check_password

    with errors():
        store = UserStore.open(users)
        if store.get(name) is None:
            raise UserError(f"no user {name!r} in {users}")
        password, generated = _password(password_stdin, generate_password)
        store.set_password(name, check_password(password))
    console.print(f"password of [bold]{name}[/] changed", highlight=False)
    if generated:
        console.print(f"password: [bold]{password}[/] (shown once)", highlight=False)


def set_roles(
    name: Annotated[str, typer.Argument()], role: Roles, users: UsersFile = DEFAULT_USERS
) -> None:
    """Replace a user's roles (effective at once, also for tokens already issued)."""
    from dronewall.server.users import UserStore

    with errors():
        user = UserStore.open(users).set_roles(name, role)
    console.print(f"[bold]{name}[/]: {', '.join(user.roles)}", highlight=False)


def remove(name: Annotated[str, typer.Argument()], users: UsersFile = DEFAULT_USERS) -> None:
    """Remove a user (their tokens stop working within 2 s)."""
    from dronewall.server.users import UserStore

    with errors():
        UserStore.open(users).remove(name)
    console.print(f"removed [bold]{name}[/] from {users}", highlight=False)


users_app.command("add")(add)
users_app.command("list")(list_users)
users_app.command("passwd")(passwd)
users_app.command("set-roles")(set_roles)
users_app.command("remove")(remove)
