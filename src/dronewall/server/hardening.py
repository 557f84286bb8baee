"""The server's defences that do not depend on who is asking (``docs/auth.md``, "Hardening"):
request size limit, rate limits, login throttling, CORS (closed unless origins are given) and
security headers on every response. Every refusal is counted in
``dronewall_hardening_refusals_total{reason}`` (too_large, rate_limited, login_throttled).

``Hardening`` is the outermost ASGI middleware (headers, CORS, size); ``RateLimit`` sits inside
the access guard, so it knows the signed-in user. ``LoginThrottle`` is used by the login route.
All state is in memory, per process.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson
from prometheus_client import CollectorRegistry, Counter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOGIN_PATH = "/api/auth/login"
MAX_KEYS = 10_000  # buckets and failure records kept (least recently used dropped)

# The map is all same-origin: its JS and CSS from /assets, the picture over a same-host
# WebSocket. The map sets style attributes (style-src-attr; no inline <style> element or
# script: index.html has none) and may draw with data:/blob: images and workers.
# tests/web/test_csp.py runs the map under it and fails on any violation the browser reports.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from a CDN with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


@dataclass(frozen=True, slots=True)
class HardeningSettings:
    """``max_body``: bytes of a request body; ``rate``/``burst``: state-changing requests a
    second (and at once) per user, or per address when not signed in; ``login_rate``/
    ``login_burst``: sign-in attempts per address; ``login_failures`` failed sign-ins for a
    name or an address within ``login_window_s`` block further attempts for
    ``login_lockout_s``; ``cors_origins``: origins given CORS headers (none: no CORS);
    ``rate_limits``: False turns the buckets off (``create_app()`` without sign-in: tests)."""

    max_body: int = 64 * 1024
    rate: float = 10.0
    burst: int = 60
    login_rate: float = 1.0
    login_burst: int = 10
    login_failures: int = 10
    login_window_s: float = 300.0
    login_lockout_s: float = 60.0
    cors_origins: tuple[str, ...] = ()
    rate_limits: bool = True


class HardeningMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.refusals = Counter(
            "dronewall_hardening_refusals",
            "Requests refused by the server's hardening, by reason (too_large, rate_limited, "
            "login_throttled)",
            ["reason"],
            registry=registry,
        )


class TokenBuckets:
    """Token buckets by key, in memory: ``take(key)`` is 0.0 when allowed, else the seconds
    until a token is there."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        tokens, then = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate if self.rate > 0 else math.inf
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > MAX_KEYS:
            self._buckets.popitem(last=False)
        return wait


class LoginThrottle:
    """Failed sign-ins by name and by address; ``blocked`` is the seconds left of a lockout.
    Thread-safe: the login route runs in worker threads."""

    def __init__(self, settings: HardeningSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._locked: dict[str, float] = {}

    def blocked(self, name: str, address: str, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        with self._lock:
            return self._blocked(name, address, now)

    def _blocked(self, name: str, address: str, now: float) -> float:
        left = 0.0
        for key in (f"name:{name}", f"addr:{address}"):
            until = self._locked.get(key, 0.0)
            if until > now:
                left = max(left, until - now)
            else:
                self._locked.pop(key, None)
        return left

    def failed(self, name: str, address: str, now: float | None = None) -> list[str]:
        """Record a failure; return the keys it locked out (``name:…``, ``addr:…``)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return self._failed(name, address, now)

    def _failed(self, name: str, address: str, now: float) -> list[str]:
        s = self.settings
        locked = []
        for key in (f"name:{name}", f"addr:{address}"):
            times = [t for t in self._failures.pop(key, []) if t > now - s.login_window_s]
            times.append(now)
            if len(times) >= s.login_failures:
                self._locked[key] = now + s.login_lockout_s
                locked.append(key)
                times = []
            self._failures[key] = times
        while len(self._failures) > MAX_KEYS:
            self._failures.popitem(last=False)
        if len(self._locked) > MAX_KEYS:  # many names locked: keep only those still locked
            self._locked = {k: until for k, until in self._locked.items() if until > now}
        return locked

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(f"name:{name}", None)


def check_origin(origin: str) -> str:
    """``origin`` as a browser sends it (``scheme://host[:port]``, no path), or ValueError."""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{origin!r} is not an origin such as https://c2.example:8443")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"{origin!r} is not an origin: no path, query or user")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def client_address(scope: Scope) -> str:
    return str((scope.get("client") or ("",))[0])


async def too_many(send: Send, retry_after: float, detail: str) -> None:
    seconds = str(max(1, math.ceil(retry_after)))
    await _answer(send, 429, detail, [(b"retry-after", seconds.encode())])


async def _answer(
    send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    head = [(b"content-type", b"application/json"), *(headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": orjson.dumps({"detail": detail})})


class Hardening:
    """Outermost middleware: security headers on every response, CORS for the given origins
    only, and the body size limit (Content-Length checked first, then the streamed body read
    here, before any route or the access guard sees it)."""

    def __init__(
        self, app: ASGIApp, *, settings: HardeningSettings, metrics: HardeningMetrics
    ) -> None:
        self.app = app
        self.settings = settings
        self.metrics = metrics
        base = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
        ]
        self._headers = [*base, (b"content-security-policy", CSP.encode())]
        self._docs_headers = [*base, (b"content-security-policy", DOCS_CSP.encode())]
        self._hsts = (b"strict-transport-security", b"max-age=31536000")
        self._origins = frozenset(o.encode() for o in settings.cors_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        extra = list(self._docs_headers if path.startswith(DOCS_PATHS) else self._headers)
        if scope.get("scheme") == "https":
            extra.append(self._hsts)
        origin = _header(scope, b"origin")
        if origin is not None and origin in self._origins:
            extra += [(b"access-control-allow-origin", origin), (b"vary", b"Origin")]
            if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method"):
                extra += [
                    (b"access-control-allow-methods", b"GET, POST, DELETE"),
                    (b"access-control-allow-headers", b"authorization, content-type"),
                    (b"access-control-max-age", b"600"),
                ]
                await send({"type": "http.response.start", "status": 204, "headers": extra})
                await send({"type": "http.response.body", "body": b""})
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        limit = self.settings.max_body
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._too_large(send_with_headers, limit)
            return
        if length is None and _header(scope, b"transfer-encoding") is None:
            await self.app(scope, receive, send_with_headers)  # no body
            return
        body: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(send_with_headers, limit)
                return
            body.append(chunk)
            if not message.get("more_body", False):
                break
        replay = [{"type": "http.request", "body": b"".join(body), "more_body": False}]

        async def replayed() -> Message:
            return replay.pop() if replay else await receive()

        await self.app(scope, replayed, send_with_headers)

    async def _too_large(self, send: Send, limit: int) -> None:
        self.metrics.refusals.labels("too_large").inc()
        await _answer(send, 413, f"request body over {limit} bytes")


class RateLimit:
    """Token buckets on state-changing requests: per signed-in user (the principal the access
    guard left), else per client address; sign-ins per address with their own bucket."""

    def __init__(
        self, app: ASGIApp, *, settings: HardeningSettings, metrics: HardeningMetrics
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.on = settings.rate_limits
        self.changes = TokenBuckets(settings.rate, settings.burst)
        self.logins = TokenBuckets(settings.login_rate, settings.login_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.on and scope["type"] == "http" and scope["method"] in CHANGING:
            address = client_address(scope)
            if scope.get("path") == LOGIN_PATH:
                wait = self.logins.take(f"addr:{address}")
            else:
                who = getattr(scope.get("state", {}).get("principal"), "user", None)
                key = f"user:{who}" if who and who != "local" else f"addr:{address}"
                wait = self.changes.take(key)
            if wait > 0:
                self.metrics.refusals.labels("rate_limited").inc()
                await too_many(send, wait, "too many requests: slow down")
                return
        await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None
