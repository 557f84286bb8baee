"""Who may do what: one table from (method, route) to the roles allowed, and the guard that
applies it to every request and WebSocket before any route runs (``docs/auth.md``).

Fail closed: a route that is not in ``ACCESS`` is refused (403) for everyone, so a new route
is unreachable until someone decides who may use it (``tests/server/test_access.py`` fails
until then too). Public entries say why they are public.

The guard is plain ASGI middleware, outside FastAPI's routing, so it runs before the body is
read or validated: a caller without a token learns nothing about the route's input. It finds
the route the router will pick (same routes, same order), checks the bearer token
(``Authorization: Bearer …``; WebSockets may give ``?access_token=…`` since browsers cannot
set headers there), checks the roles, and leaves the ``Principal`` in the scope's state
(``request.state.principal``, ``websocket.state.principal``). REST refusals are 401 (no or
bad token, with ``WWW-Authenticate: Bearer``) or 403 (role); a WebSocket is accepted and
closed at once with 4401 or 4403, codes a browser can read. Every refusal is counted by
reason in ``dronewall_auth_refusals_total``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson
from prometheus_client import CollectorRegistry, Counter
from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dronewall.server.auth import AuditHook, Authenticator, AuthError, Principal

READ = frozenset({"viewer", "operator", "commander", "planner", "admin"})  # the picture
OPERATE = frozenset({"operator", "commander"})  # acknowledge, request engagement
COMMAND = frozenset({"commander"})  # clear, approve engagement
ADMIN = frozenset({"admin"})
WS_RECHECK_S = 5.0  # an open WebSocket's sign-in is checked again this often (as it sends)
MATCH_CACHE = 4096  # request paths whose route is remembered
WS = "WS"  # the method of a WebSocket route in the table
MOUNT = "MOUNT"  # a mounted app (the map's static files)


@dataclass(frozen=True, slots=True)
class Rule:
    """Roles allowed on a route; ``public``: no token needed (``why`` says why);
    ``signed_in``: any valid token; ``actions``: roles by the ``{action}`` path value."""

    roles: frozenset[str] = frozenset()
    public: bool = False
    signed_in: bool = False
    why: str = ""
    actions: tuple[tuple[str, frozenset[str]], ...] = ()

    def allowed(self, path_params: Mapping[str, Any]) -> frozenset[str]:
        if not self.actions:
            return self.roles
        by_action = dict(self.actions)
        # An unknown action goes on to the route for its 404 if the caller may act at all.
        return by_action.get(str(path_params.get("action")), self.roles)


def public(why: str) -> Rule:
    return Rule(public=True, why=why)


ALERT_ACTIONS = (("acknowledge", OPERATE), ("engage", OPERATE), ("clear", COMMAND))

ACCESS: dict[tuple[str, str], Rule] = {
    # Public: nothing in them is picture, alert or user data.
    (MOUNT, "/"): public("the map's HTML, JS and CSS: the page that shows the sign-in form"),
    ("GET", "/"): public("the page saying the map is not built"),
    ("GET", "/api/health"): public("liveness for load balancers and the map's banner"),
    ("POST", "/api/auth/login"): public("where a token is obtained"),
    ("GET", "/openapi.json"): public("the API's description: routes and schemas, no data"),
    ("GET", "/docs"): public("the API's description, as a page"),
    ("GET", "/docs/oauth2-redirect"): public("part of the /docs page"),
    ("GET", "/redoc"): public("the API's description, as a page"),
    ("GET", "/api/auth/me"): Rule(signed_in=True),
    # The picture and its history: every role reads it.
    ("GET", "/api/summary"): Rule(READ),
    ("GET", "/api/tracks"): Rule(READ),
    ("GET", "/api/tracks/{track_id}"): Rule(READ),
    ("GET", "/api/tracks/{track_id}/history"): Rule(READ),
    ("GET", "/api/alerts"): Rule(READ),
    ("GET", "/api/sites"): Rule(READ),
    ("GET", "/api/sensors"): Rule(READ),
    ("GET", "/api/feeds"): Rule(READ),
    ("GET", "/api/basemap"): Rule(READ),
    ("GET", "/api/runs"): Rule(READ),
    ("GET", "/api/runs/{run_id}"): Rule(READ),
    ("GET", "/api/runs/{run_id}/frame"): Rule(READ),
    ("GET", "/api/runs/{run_id}/events"): Rule(READ),
    ("GET", "/api/parent"): Rule(READ),
    ("GET", "/metrics"): Rule(READ),  # counts of tracks and alerts: a scraper signs in
    (WS, "/ws"): Rule(READ),
    # Alert actions by action.
    ("POST", "/api/alerts/{alert_id}/{action}"): Rule(OPERATE | COMMAND, actions=ALERT_ACTIONS),
    # The audit trail (docs/audit.md): the route limits other roles to entries on alerts.
    ("GET", "/api/alerts/{alert_id}/audit"): Rule(READ),
    ("GET", "/api/audit"): Rule(READ),
    ("GET", "/api/admin/audit/verify"): Rule(ADMIN),
    # Users and roles.
    ("GET", "/api/admin/users"): Rule(ADMIN),
    ("POST", "/api/admin/users"): Rule(ADMIN),
    ("POST", "/api/admin/users/{name}/roles"): Rule(ADMIN),
    ("DELETE", "/api/admin/users/{name}"): Rule(ADMIN),
}


# What a WebSocket client may send, by the message's "type", and who may send it; anything
# else (an action, a malformed message) is dropped before the app sees it, and counted.
WS_MESSAGES: dict[str, frozenset[str]] = {"ping": READ}


def route_key(route: Any, method: str) -> tuple[str, str]:
    """The table key of ``route`` for ``method`` (HTTP method, ``WS`` or ``MOUNT``)."""
    if isinstance(route, _Prefixed):
        return ("GET" if method == "HEAD" else method), route.path
    if isinstance(route, Mount):
        return MOUNT, route.path or "/"
    return ("GET" if method == "HEAD" else method), str(getattr(route, "path", ""))


class AccessMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.refusals = Counter(
            "dronewall_auth_refusals",
            "Requests, WebSockets and WebSocket messages refused, by reason (no_token, "
            "bad_token, expired, unknown_user, bad_claims, forbidden, unlisted, bad_login, "
            "ws_message)",
            ["reason"],
            registry=registry,
        )


class AccessGuard:
    """The ASGI middleware applying ``ACCESS`` with ``auth`` to ``routes`` (the app's)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: list[BaseRoute],
        auth: Authenticator,
        metrics: AccessMetrics,
        audit: AuditHook,
    ) -> None:
        self.app = app
        self.routes = routes  # the router's own list: routes added later are seen
        self._matches: dict[tuple[str, str, str, str], tuple[Any, dict[str, Any], bool]] = {}
        self._routes_seen = len(routes)
        self.auth = auth
        self.metrics = metrics
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        route, params, partial = self._match(scope)
        if route is not None:
            scope["route"] = getattr(route, "route", route)  # counted by route in /metrics
        if route is None:
            if partial:  # the path exists, not with this method: the router says 405
                await self.app(scope, receive, send)
                return
            await self._refuse(scope, receive, send, 403, "no such route", "unlisted")
            return
        method = WS if kind == "websocket" else scope["method"]
        rule = ACCESS.get(route_key(route, method))
        if rule is None:
            detail = f"{method} {route_key(route, method)[1]} is not in the access table"
            await self._refuse(scope, receive, send, 403, detail, "unlisted")
            return
        if rule.public:
            await self.app(scope, receive, send)
            return
        try:
            token = _token(scope)
            principal = await self._verify(token)
        except AuthError as exc:
            await self._refuse(scope, receive, send, 401, str(exc), exc.reason)
            return
        if not rule.signed_in and not (principal.roles & rule.allowed(params)):
            need = ", ".join(sorted(rule.allowed(params))) or "nobody"
            detail = f"{principal.user} may not {method} {route_key(route, method)[1]}"
            client = (scope.get("client") or ("",))[0]
            self.audit(principal, "access.refused", str(scope.get("path", "")),
                       {"method": method, "needs": need, "client": client})  # fmt: skip
            await self._refuse(scope, receive, send, 403, f"{detail} (needs {need})", "forbidden")
            return
        scope.setdefault("state", {})["principal"] = principal
        if kind == "websocket":
            path = str(scope.get("path", ""))
            receive = self._screened(receive, principal, path, scope.get("client"))
            send = self._watched(send, token, route_key(route, method), params)
        await self.app(scope, receive, send)

    def _screened(
        self, receive: Receive, principal: Principal, path: str, scope_client: Any
    ) -> Receive:
        """``receive`` that lets through only the client messages ``WS_MESSAGES`` allows
        ``principal`` to send; the rest are dropped, counted (ws_message) and audited."""

        client = (scope_client or ("",))[0]

        async def screened() -> Message:
            while True:
                message = await receive()
                if message["type"] != "websocket.receive":
                    return message
                kind = _message_type(message)
                if principal.roles & WS_MESSAGES.get(kind, frozenset()):
                    return message
                self.metrics.refusals.labels("ws_message").inc()
                self.audit(principal, "access.refused", path,
                           {"ws_message": kind[:40], "client": client})  # fmt: skip

        return screened

    def _match(self, scope: Scope) -> tuple[Any, dict[str, Any], bool]:
        """``match_route``, remembered by path: walking 30 route patterns was 85 % of the
        guard's time (profiled); forgotten when routes are added or it is full."""
        key = (scope["type"], scope.get("method", ""), scope.get("root_path", ""), scope["path"])
        if len(self.routes) != self._routes_seen or len(self._matches) >= MATCH_CACHE:
            self._matches.clear()
            self._routes_seen = len(self.routes)
        found = self._matches.get(key)
        if found is None:
            found = self._matches[key] = match_route(self.routes, scope)
        return found[0], dict(found[1]), found[2]

    async def _verify(self, token: str | None) -> Principal:
        if self.auth.remote:  # may fetch the provider's keys: not on the event loop
            return await asyncio.to_thread(self.auth.verify, token)
        return self.auth.verify(token)

    def _watched(
        self, send: Send, token: str | None, key: tuple[str, str], params: dict[str, Any]
    ) -> Send:
        """``send`` for a WebSocket that checks the sign-in again every ``WS_RECHECK_S``
        (as it sends): an expired token, a removed user (4401) or one who lost the role
        (4403) has the socket closed rather than watching on."""
        due = [time.monotonic() + WS_RECHECK_S]
        ended: list[str] = []

        async def watched(message: Message) -> None:
            if ended:
                raise RuntimeError(f"WebSocket closed: {ended[0]}")
            if message["type"] == "websocket.send" and time.monotonic() >= due[0]:
                due[0] = time.monotonic() + WS_RECHECK_S
                code, why = 0, ""
                try:
                    who = await self._verify(token)
                    rule = ACCESS.get(key, Rule())  # the table as it is now
                    if not (rule.signed_in or who.roles & rule.allowed(params)):
                        code, why = 4403, f"{who.user} may no longer read this"
                except AuthError as exc:
                    code, why = 4401, str(exc)
                    self.metrics.refusals.labels(exc.reason).inc()
                if code:
                    ended.append(why)
                    reason = why.encode()[:120].decode(errors="ignore")
                    await send({"type": "websocket.close", "code": code, "reason": reason})
                    raise RuntimeError(f"WebSocket closed: {why}")
            await send(message)

        return watched

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, detail: str, reason: str
    ) -> None:
        self.metrics.refusals.labels(reason).inc()
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})  # then close: browsers see the code
            code = 4401 if status == 401 else 4403
            reason_text = detail.encode()[:120].decode(errors="ignore")  # a close frame: 123 B
            await send({"type": "websocket.close", "code": code, "reason": reason_text})
            return
        headers = [(b"content-type", b"application/json")]
        if status == 401:
            headers.append((b"www-authenticate", b'Bearer realm="dronewall"'))
        body = orjson.dumps({"detail": detail})
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _Prefixed(NamedTuple):
    """A route of a router included with a prefix, keyed by its full path."""

    route: BaseRoute
    path: str


def match_route(
    routes: list[BaseRoute], scope: Scope, prefix: str = ""
) -> tuple[Any, dict[str, Any], bool]:
    """The route the router will pick for ``scope`` (and its path parameters), looking into
    routers included with ``include_router`` (FastAPI keeps them as one wrapper route);
    ``partial``: some route has this path with another method."""
    partial = False
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:  # an included router: match its own routes under its prefix
            more = str(getattr(getattr(route, "include_context", None), "prefix", ""))
            path = str(scope.get("path", ""))
            if not path.startswith(more):
                continue
            sub = {**scope, "path": path[len(more) :]}
            found, params, part = match_route(list(inner.routes), sub, prefix + more)
            if found is not None:
                return found, params, False
            partial = partial or part
            continue
        match, child = route.matches(scope)
        if match == Match.FULL:
            if prefix:
                return _Prefixed(route, prefix + str(getattr(route, "path", ""))), child.get(
                    "path_params", {}), False  # fmt: skip
            return route, child.get("path_params", {}), False
        partial = partial or match == Match.PARTIAL
    return None, {}, partial


def _message_type(message: Message) -> str:
    """The ``type`` of a client's JSON message, or ``?`` when it has none."""
    try:
        body = orjson.loads(message.get("text") or message.get("bytes") or b"")
    except orjson.JSONDecodeError:
        return "?"
    kind = body.get("type") if isinstance(body, dict) else None
    return kind if isinstance(kind, str) else "?"


def _token(scope: Scope) -> str | None:
    """The bearer token of a request; a WebSocket's may also be ``?access_token=``."""
    conn = HTTPConnection(scope)
    token = _bearer(conn.headers.get("authorization", ""))
    if scope["type"] == "websocket" and token is None:
        token = conn.query_params.get("access_token")
    return token


def _bearer(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
