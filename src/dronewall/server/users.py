"""The built-in user store: people who sign in to ``dronewall serve`` without an external
identity provider (``docs/auth.md``).

One JSON file (default ``out/users.json``, ``serve --users FILE``), readable by its owner only
(mode 0600, refused otherwise, as ssh refuses a private key others can read), replaced
atomically (a temporary file in the same directory, fsync, rename) under an exclusive lock so
the command line and a running server never interleave their changes::

    {"version": 1, "users": [{"name": "ana", "roles": ["operator"], "nation": "DEU",
      "clearance": "SECRET", "communities": ["NATO"], "password": "$argon2id$v=19$..."}]}

Passwords are hashed with Argon2id (RFC 9106) by argon2-cffi with its default parameters
(t=3, m=64 MiB, p=4: the RFC's second recommended option); a hash made with weaker parameters
is redone at the next successful sign-in.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dronewall.core.errors import ConfigError, DronewallError
from dronewall.core.release import CLASSIFICATIONS, LabelError, Recipient

ROLES = ("viewer", "operator", "commander", "planner", "admin")
FORMAT_VERSION = 1
MIN_PASSWORD = 8  # NIST SP 800-63B's floor for a chosen secret
MAX_PASSWORD = 1024  # Argon2 takes any length; this bounds the work one request can ask for
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")  # fits a log line, a URL and an audit row

_hasher = PasswordHasher()  # stateless: its parameters only


class UserError(DronewallError):
    """A user name, role, nation, clearance or password that cannot be taken, or a users file
    that cannot be read; the message names it."""


@dataclass(frozen=True, slots=True)
class User:
    """A person who signs in: roles, and the nation, clearance and communities that decide
    which data they may see (``recipient``)."""

    name: str
    roles: tuple[str, ...]
    nation: str
    clearance: str = "UNCLASSIFIED"
    communities: tuple[str, ...] = ()
    password_hash: str = ""

    def recipient(self) -> Recipient:
        return Recipient.make(self.nation, self.clearance, self.communities, self.name)

    def public(self) -> dict[str, Any]:
        """The contract's ``User`` (no password hash), plus communities."""
        return {
            "name": self.name,
            "roles": list(self.roles),
            "nation": self.nation,
            "clearance": self.clearance,
            "communities": list(self.communities),
        }


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise UserError(
            f"user name {name!r} must be 1–64 letters, digits or . _ @ - "
            "(starting with a letter or digit)"
        )
    return name


def check_roles(roles: Iterable[str]) -> tuple[str, ...]:
    wanted = [r.strip().lower() for r in roles]
    unknown = [r for r in wanted if r not in ROLES]
    if unknown:
        raise UserError(f"unknown role {unknown[0]!r}: one of {', '.join(ROLES)}")
    if not wanted:
        raise UserError(f"give at least one role: {', '.join(ROLES)}")
    return tuple(r for r in ROLES if r in wanted)  # one order everywhere


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password must have at most {MAX_PASSWORD} characters")
    return password


def make_user(
    name: str,
    roles: Iterable[str],
    nation: str,
    clearance: str = "UNCLASSIFIED",
    communities: Iterable[str] = (),
    password: str | None = None,
) -> User:
    """A checked user, its password hashed; UserError naming what is wrong."""
    try:
        who = Recipient.make(nation, clearance, communities, name)
    except LabelError as exc:
        raise UserError(str(exc)) from None
    hashed = hash_password(password) if password is not None else ""
    return User(
        check_name(name),
        check_roles(roles),
        who.nation,
        who.clearance,
        tuple(sorted(who.communities)),
        hashed,
    )


def hash_password(password: str) -> str:
    return _hasher.hash(check_password(password))


@functools.cache
def _unknown_user_hash() -> str:
    """Verified when the user is unknown, so a wrong name costs the time of a wrong password."""
    return _hasher.hash("no such user: the same work as a wrong password")


def verify_password(user: User | None, password: str) -> bool:
    """Whether ``password`` is ``user``'s; the same Argon2 work when ``user`` is None or has no
    password, so the time taken does not tell which names exist."""
    if len(password) > MAX_PASSWORD:
        return False
    stored = user.password_hash if user is not None and user.password_hash else None
    try:
        _hasher.verify(stored or _unknown_user_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return stored is not None


def needs_rehash(user: User) -> bool:
    return _hasher.check_needs_rehash(user.password_hash)


def _user_from_json(row: Any, where: str) -> User:
    if not isinstance(row, dict):
        raise UserError(f"{where}: a user must be an object")
    try:
        user = make_user(
            str(row["name"]),
            [str(r) for r in row["roles"]],
            str(row["nation"]),
            str(row.get("clearance", CLASSIFICATIONS[0])),
            [str(c) for c in row.get("communities", [])],
        )
    except KeyError as exc:
        raise UserError(f"{where}: missing key {exc.args[0]!r}") from None
    except (TypeError, UserError) as exc:
        raise UserError(f"{where}: {exc}") from None
    return replace(user, password_hash=str(row.get("password", "")))


def _user_to_json(user: User) -> dict[str, Any]:
    return {**user.public(), "password": user.password_hash}


def check_private(path: Path) -> None:
    """Refuse a secret file that others may read or write (``chmod 600 FILE``)."""
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise UserError(f"{path} is not a regular file")
    if mode & 0o077:
        raise UserError(
            f"{path} may be read by others (mode {stat.filemode(mode)}): chmod 600 {path}"
        )


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically with ``data``, mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:  # mkstemp creates it 0600
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class UserStore:
    """The users file, read when it changed on disk; every change written back at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._users: dict[str, User] = {}
        self._stamp: tuple[int, int, int] | None = None

    @classmethod
    def open(cls, path: Path) -> UserStore:
        """The store of an existing file; UserError (one line) if it is missing or bad."""
        store = cls(path)
        if not path.exists():
            raise UserError(
                f"no users file {path}: add one with 'dronewall users add NAME --role admin "
                f"--nation DEU --users {path}' (or sign in through OIDC with --auth oidc)"
            )
        store.refresh()
        return store

    def refresh(self) -> None:
        """Read the file again if it changed since last read (the command line may have
        added or removed someone while the server runs)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._users, self._stamp = {}, None
            return
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp != self._stamp:
            self._users = self._read()
            self._stamp = stamp

    def _read(self) -> dict[str, User]:
        check_private(self.path)
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise UserError(f"{self.path}: not JSON ({exc.msg}, line {exc.lineno})") from None
        if not isinstance(doc, dict) or doc.get("version") != FORMAT_VERSION:
            raise UserError(f"{self.path}: not a dronewall users file (version {FORMAT_VERSION})")
        rows = doc.get("users")
        if not isinstance(rows, list):
            raise UserError(f"{self.path}: 'users' must be a list")
        users = [_user_from_json(r, f"{self.path}: users[{i}]") for i, r in enumerate(rows)]
        return {u.name: u for u in users}

    def get(self, name: str) -> User | None:
        return self._users.get(name)

    def list(self) -> list[User]:
        return sorted(self._users.values(), key=lambda u: u.name)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, User]]:
        """Read-modify-write under an exclusive lock on ``FILE.lock``; written on success."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._stamp = None
            self.refresh()
            users = dict(self._users)
            yield users
            body = {"version": FORMAT_VERSION, "users": [_user_to_json(u) for u in
                    sorted(users.values(), key=lambda u: u.name)]}  # fmt: skip
            write_private(self.path, (json.dumps(body, indent=1) + "\n").encode())
            self._users, self._stamp = users, None
        finally:
            os.close(fd)

    def add(self, user: User, *, replace: bool = False) -> User:
        """Add ``user``; ``replace``: also when the name exists (its old entry goes)."""
        if not user.password_hash:
            raise UserError(f"user {user.name!r} needs a password")
        with self._locked() as users:
            if user.name in users and not replace:
                raise UserError(f"user {user.name!r} exists already (change it with set-roles "
                                "or passwd, or remove it first)")  # fmt: skip
            users[user.name] = user
        return user

    def _change(self, name: str, **changes: Any) -> User:
        with self._locked() as users:
            old = users.get(name)
            if old is None:
                raise UserError(f"no user {name!r} in {self.path}")
            users[name] = replace(old, **changes)
            return users[name]

    def set_roles(self, name: str, roles: Iterable[str]) -> User:
        return self._change(name, roles=check_roles(roles))

    def set_password(self, name: str, password: str) -> User:
        return self._change(name, password_hash=hash_password(password))

    def set_hash(self, name: str, password_hash: str) -> User:
        return self._change(name, password_hash=password_hash)

    def remove(self, name: str) -> User:
        with self._locked() as users:
            old = users.pop(name, None)
            if old is None:
                raise UserError(f"no user {name!r} in {self.path}")
            return old


def load_or_create(path: Path) -> UserStore:
    """The store at ``path`` for the command line: an absent file is an empty store that the
    first ``add`` creates; a bad one raises UserError."""
    store = UserStore(path)
    try:
        store.refresh()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    return store
