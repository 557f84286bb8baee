"""Signed-in test clients: an app with a built-in user store, and bearer tokens for any role,
nation and clearance (``docs/auth.md``). Tokens are issued directly by the app's
``Authenticator`` (no Argon2 work per test); ``tests/server/test_auth.py`` covers the real
sign-in."""

from __future__ import annotations

import functools
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from dronewall.server import ServerSettings, create_app
from dronewall.server.auth import Authenticator, Principal
from dronewall.server.hardening import HardeningSettings
from dronewall.server.users import UserStore, hash_password, make_user

PASSWORD = "correct horse battery"  # every helper-made user's password


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def make_auth(directory: Path | None = None, *, lifetime_s: int = 3600) -> Authenticator:
    """An authenticator with an empty user store in ``directory`` (a new temporary one if
    None) and a random secret."""
    where = directory if directory is not None else Path(tempfile.mkdtemp(prefix="dw-auth-"))
    store = UserStore(where / "users.json")
    return Authenticator(users=store, secret=secrets.token_bytes(32), lifetime_s=lifetime_s)


def make_auth_app(
    directory: Path | None = None, settings: ServerSettings | None = None, **kwargs: Any
) -> FastAPI:
    """``create_app`` with sign-in on (``make_auth``); ``kwargs`` go to ``create_app``. No
    rate limits unless ``hardening=`` is given: tests fire requests faster than people
    (``tests/server/test_attacks.py`` tests the limits)."""
    kwargs.setdefault("hardening", HardeningSettings(rate_limits=False))
    return create_app(settings or ServerSettings(), auth=make_auth(directory), **kwargs)


def add_user(
    auth: Authenticator,
    name: str,
    roles: Iterable[str],
    nation: str = "DEU",
    clearance: str = "SECRET",
    communities: Iterable[str] = (),
) -> None:
    """A user with ``PASSWORD`` in the app's store (if not there yet)."""
    assert auth.users is not None, "sign-in is off in this app: build it with make_auth_app"
    auth.users.refresh()
    if auth.users.get(name) is None:
        user = make_user(name, roles, nation, clearance, communities)
        auth.users.add(replace(user, password_hash=_password_hash()))


def token(
    app_or_client: FastAPI | TestClient,
    role: str | Iterable[str],
    nation: str = "DEU",
    clearance: str = "SECRET",
    communities: Iterable[str] = (),
) -> str:
    """An access token for a user with ``role`` (one or several), ``nation``, ``clearance``."""
    app = app_or_client.app if isinstance(app_or_client, TestClient) else app_or_client
    auth: Authenticator = app.state.auth  # type: ignore[union-attr]
    roles = (role,) if isinstance(role, str) else tuple(role)
    comms = tuple(sorted(communities))
    name = ".".join(("-".join(roles), nation, clearance.replace(" ", "_"), *comms))
    add_user(auth, name, roles, nation, clearance, comms)
    assert auth.users is not None
    user = auth.users.get(name)
    assert user is not None
    return auth.issue(user)


def bearer(
    app_or_client: FastAPI | TestClient,
    role: str | Iterable[str],
    nation: str = "DEU",
    clearance: str = "SECRET",
    communities: Iterable[str] = (),
) -> dict[str, str]:
    """``{"Authorization": "Bearer …"}`` for a user with ``role``, ``nation``, ``clearance``."""
    return {"Authorization": f"Bearer {token(app_or_client, role, nation, clearance, communities)}"}


class Recorder:
    """An audit hook that keeps what it is given."""

    def __init__(self) -> None:
        self.events: list[tuple[str | None, str, str, dict[str, Any]]] = []

    def __call__(
        self, who: Principal | None, action: str, subject: str, detail: dict[str, Any]
    ) -> None:
        self.events.append((who.user if who else None, action, subject, detail))

    def actions(self) -> list[str]:
        return [e[1] for e in self.events]
