"""Sign-in and user administration routes: ``/api/auth/login``, ``/api/auth/me`` and
``/api/admin/users…`` (``docs/auth.md``). Who may call them is in ``access.py``."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Body, FastAPI, HTTPException, Path, Request, status
from pydantic import BaseModel, Field

from dronewall.server.auth import Authenticator, AuthError, Principal, audit, principal_of
from dronewall.server.schemas import errors
from dronewall.server.users import (
    MAX_PASSWORD,
    ROLES,
    UserError,
    UserStore,
    check_roles,
    make_user,
)

UserName = Annotated[str, Path(min_length=1, max_length=64, description="a user name")]


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD)


class User(BaseModel):
    """The contract's ``User`` (plus communities)."""

    name: str
    roles: list[str] = Field(description=f"some of {', '.join(ROLES)}")
    nation: str = Field(description="ISO 3166-1 alpha-3")
    clearance: str
    communities: list[str] = []


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds")
    user: User


class NewUser(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD)
    roles: list[str] = Field(min_length=1)
    nation: str
    clearance: str = "UNCLASSIFIED"
    communities: list[str] = []


class Roles(BaseModel):
    roles: list[str] = Field(min_length=1)


def _out(principal: Principal) -> User:
    return User(**principal.public())


def principal_from(request: Request) -> Principal:
    """The signed-in principal the access guard left on the request."""
    who = getattr(request.state, "principal", None)
    if not isinstance(who, Principal):  # the guard always sets it on a non-public route
        raise HTTPException(401, "sign in first")
    return who


def add_auth_routes(router: FastAPI, auth: Authenticator) -> None:
    """The sign-in and admin routes, on the app itself (not an included router: one flat
    list of routes for the access guard and the tests that walk it)."""

    @router.post(
        "/api/auth/login",
        tags=["auth"],
        response_model=Token,
        responses=errors(401, 422, 503),
    )
    def login(request: Request, body: LoginBody) -> Token:
        """A bearer token for the built-in user store's user (Argon2 check, in a worker
        thread: the event loop keeps serving)."""
        # Throttled after repeated failures (server/hardening.py): 429 with Retry-After.
        throttle = request.app.state.login_throttle
        address = request.client.host if request.client else ""
        wait = throttle.blocked(body.username, address)
        if wait > 0:
            request.app.state.hardening_refusals.labels("login_throttled").inc()
            audit(request, "auth.login.throttled", body.username, {"retry_after_s": round(wait)})
            raise HTTPException(
                429, "too many failed sign-ins: try again later",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )  # fmt: skip
        try:
            token, who = auth.login(body.username, body.password)
        except AuthError as exc:
            request.app.state.refusals.labels(exc.reason).inc()
            audit(request, "auth.login.failed", body.username, {"reason": str(exc)})
            for key in throttle.failed(body.username, address):
                audit(request, "auth.login.locked", body.username,
                      {"key": key, "for_s": throttle.settings.login_lockout_s})  # fmt: skip
            raise HTTPException(401, str(exc)) from None
        except UserError as exc:  # the users file became unreadable
            raise HTTPException(503, str(exc)) from None
        throttle.succeeded(body.username)
        request.state.principal = who
        audit(request, "auth.login", who.user, {"roles": sorted(who.roles)})
        return Token(access_token=token, expires_in=auth.lifetime_s, user=_out(who))

    @router.get("/api/auth/me", response_model=User, tags=["auth"])
    def me(request: Request) -> User:
        """The signed-in user: name, roles, nation, clearance."""
        return _out(principal_from(request))

    _admin_routes(router, auth)


def _admin_routes(router: FastAPI, auth: Authenticator) -> None:
    def store() -> UserStore:
        if auth.users is None:
            raise HTTPException(404, "this server has no built-in user store (--auth oidc)")
        return auth.users

    @router.get(
        "/api/admin/users", response_model=list[User], tags=["admin"], responses=errors(404)
    )
    def list_users() -> list[User]:
        users = store()
        users.refresh()
        return [_out(principal_of(u)) for u in users.list()]

    @router.post(
        "/api/admin/users", response_model=User, status_code=status.HTTP_201_CREATED,
        tags=["admin"], responses=errors(404, 409, 422),
    )  # fmt: skip
    def add_user(request: Request, body: Annotated[NewUser, Body()]) -> User:
        users = store()
        try:
            user = make_user(body.name, body.roles, body.nation, body.clearance,
                             body.communities, body.password)  # fmt: skip
            if users.get(user.name) is not None:
                raise HTTPException(409, f"user {user.name!r} exists already")
            users.add(user)
        except UserError as exc:
            raise HTTPException(422, str(exc)) from None
        audit(request, "user.add", user.name, {"roles": list(user.roles), "nation": user.nation,
                                               "clearance": user.clearance})  # fmt: skip
        return _out(principal_of(user))

    @router.post(
        "/api/admin/users/{name}/roles",
        response_model=User,
        tags=["admin"],
        responses=errors(404, 409, 422),
    )
    def set_roles(request: Request, name: UserName, body: Roles) -> User:
        users = store()
        _need(users, name)
        try:
            roles = check_roles(body.roles)
            if "admin" not in roles:
                _keep_an_admin(users, name)
            user = users.set_roles(name, roles)
        except UserError as exc:
            raise HTTPException(422, str(exc)) from None
        audit(request, "user.roles", name, {"roles": list(user.roles)})
        return _out(principal_of(user))

    @router.delete(
        "/api/admin/users/{name}",
        response_model=User,
        tags=["admin"],
        responses=errors(404, 409, 422),
    )
    def remove_user(request: Request, name: UserName) -> User:
        users = store()
        _need(users, name)
        _keep_an_admin(users, name)
        user = users.remove(name)
        audit(request, "user.remove", name, {})
        return _out(principal_of(user))


def _need(users: UserStore, name: str) -> None:
    users.refresh()
    if users.get(name) is None:
        raise HTTPException(404, f"no user {name!r}")


def _keep_an_admin(users: UserStore, name: str) -> None:
    """409 when ``name`` is the last admin: nobody could manage users after."""
    admins = [u.name for u in users.list() if "admin" in u.roles]
    if admins == [name]:
        raise HTTPException(409, f"{name!r} is the last admin: make another admin first")
