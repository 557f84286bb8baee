"""Who is asking: access tokens from the built-in user store or an external OpenID Connect
provider, turned into a ``Principal`` (``docs/auth.md``).

* Built-in: ``POST /api/auth/login`` checks the password (``users.py``) and issues a JSON Web
  Token (RFC 7519) signed with HMAC-SHA256 by a server secret (``load_secret``: 32 random
  bytes made on first run, mode 0600), issuer and audience ``dronewall``, lifetime 8 h by
  default. On every request the token's signature, expiry, issuer and audience are checked
  and the user is looked up again: a user removed or given other roles is so at once.
* External: an OIDC provider's ID or access tokens (RS256 or ES256) with the configured
  issuer and audience, verified against its JSON Web Key Set (RFC 7517) read from a file
  (air-gapped sites) or fetched from an https URL; roles, nation, clearance and communities
  from configurable claims (a dotted path such as ``realm_access.roles`` reaches into an
  object).
* ``Authenticator.disabled`` (``serve --auth none``, loopback only): everyone is one local
  principal with every role but admin.

``audit(conn, action, subject, detail)`` is the server's one call point for the audit trail:
sign-ins (success and failure), alert actions, user and role changes, refusals. It calls
``app.state.audit`` (an ``AuditHook``; a no-op unless ``create_app(audit=…)`` gives one).
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import ssl
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import jwt
from starlette.requests import HTTPConnection

from dronewall.core.errors import ConfigError, DronewallError
from dronewall.core.release import LabelError, Recipient
from dronewall.server.users import (
    ROLES,
    User,
    UserError,
    UserStore,
    check_private,
    needs_rehash,
    verify_password,
    write_private,
)

BUILTIN_ISSUER = "dronewall"  # iss and aud of the tokens the built-in store issues
BUILTIN_ALGORITHM = "HS256"
OIDC_ALGORITHMS = ("RS256", "ES256")
DEFAULT_LIFETIME_S = 8 * 3600  # one shift
SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key at least as long as the hash output
LEEWAY_S = 30.0  # clock skew allowed between the identity provider and this server
REFRESH_USERS_S = 2.0  # how often a request may look whether the users file changed
VERIFIED_CACHE = 10_000  # tokens remembered as verified (emptied when full)
NO_AUTH_ROLES = frozenset(ROLES) - {"admin"}  # --auth none: no user store to administer


class AuthError(DronewallError):
    """A request that cannot be let in. ``reason`` (no_token, bad_token, expired, unknown_user,
    bad_login, bad_claims) labels the refusal counter; ``message`` goes to the client."""

    def __init__(self, message: str, reason: str):
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in user: name, roles, and the recipient (nation, clearance, communities)
    that decides which data they receive."""

    user: str
    roles: frozenset[str]
    recipient: Recipient
    source: str = "users"  # users | oidc | none

    def public(self) -> dict[str, Any]:
        """The contract's ``User`` plus communities."""
        r = self.recipient
        return {
            "name": self.user,
            "roles": [role for role in ROLES if role in self.roles],
            "nation": r.nation,
            "clearance": r.clearance,
            "communities": sorted(r.communities),
        }


@functools.lru_cache(maxsize=4096)
def principal_of(user: User) -> Principal:
    return Principal(user.name, frozenset(user.roles), user.recipient(), "users")


class AuditHook(Protocol):
    """Receives every audited event: who (None: not signed in), what, on what, details."""

    def __call__(
        self, who: Principal | None, action: str, subject: str, detail: dict[str, Any]
    ) -> None: ...


def no_audit(who: Principal | None, action: str, subject: str, detail: dict[str, Any]) -> None:
    """The hook until an audit log is wired in: records nothing."""


def audit(conn: HTTPConnection, action: str, subject: str, detail: dict[str, Any]) -> None:
    """Record ``action`` on ``subject`` by the connection's principal (if signed in) through
    the app's audit hook; ``detail`` gains the client's address. Called from worker threads
    and the event loop: the hook must be thread-safe and quick."""
    hook: AuditHook = getattr(conn.app.state, "audit", no_audit)
    who = conn.scope.get("state", {}).get("principal")
    client = conn.client.host if conn.client is not None else ""
    hook(who if isinstance(who, Principal) else None, action, subject, {**detail, "client": client})


def load_secret(path: Path) -> bytes:
    """The built-in tokens' signing key: read from ``path`` (owner-only, as hex), or made
    and written there on first run. ConfigError naming the file when it is unusable."""
    try:
        if not path.exists():
            write_private(path, (secrets.token_hex(SECRET_BYTES) + "\n").encode())
        check_private(path)
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError):
        raise ConfigError(
            f"{path}: not a token secret (hex); delete it to make a new one"
        ) from None
    except UserError as exc:
        raise ConfigError(str(exc)) from None
    except OSError as exc:
        raise ConfigError(f"token secret {path}: {exc.strerror}") from None
    if len(key) < SECRET_BYTES:
        raise ConfigError(f"{path}: a token secret needs {SECRET_BYTES} bytes, has {len(key)}")
    return key


@dataclass(frozen=True, slots=True)
class OidcSettings:
    """An external identity provider: ``jwks`` is a JWKS file or an https URL."""

    issuer: str
    audience: str
    jwks: str
    name_claim: str = "preferred_username"  # falls back to "sub"
    roles_claim: str = "roles"
    nation_claim: str = "nation"
    clearance_claim: str = "clearance"
    communities_claim: str = "communities"
    algorithms: tuple[str, ...] = OIDC_ALGORITHMS
    ca_file: str | None = None  # CA certificates for an https JWKS URL (default: the system's)


class OidcVerifier:
    """Checks an external provider's tokens: signature by a key of its JWKS, ``exp``,
    ``iss``, ``aud``; maps its claims to a principal."""

    def __init__(self, settings: OidcSettings, *, timeout_s: float = 5.0) -> None:
        self.settings = settings
        self._client: jwt.PyJWKClient | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        if not settings.issuer or not settings.audience:
            raise ConfigError(
                "OIDC needs an issuer and an audience (--oidc-issuer, --oidc-audience)"
            )
        if settings.jwks.startswith("https://"):
            self._client = jwt.PyJWKClient(
                settings.jwks, cache_keys=True, timeout=timeout_s, ssl_context=_tls(settings)
            )
            try:
                self._client.get_jwk_set()
            except jwt.PyJWKClientError as exc:
                raise ConfigError(f"--oidc-jwks {settings.jwks}: {exc}") from None
        elif "://" in settings.jwks:
            raise ConfigError(f"--oidc-jwks {settings.jwks}: give a file or an https:// URL")
        else:
            self._keys = _jwks_file(Path(settings.jwks), settings.algorithms)

    @property
    def remote(self) -> bool:
        """Whether verifying may fetch keys over the network (run it off the event loop)."""
        return self._client is not None

    def _key(self, token: str) -> Any:
        kid = jwt.get_unverified_header(token).get("kid")
        if self._client is not None:
            return self._client.get_signing_key_from_jwt(token).key
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values())).key
        found = self._keys.get(str(kid))
        if found is None:
            raise AuthError(
                f"the token's key {kid!r} is not in the provider's key set", "bad_token"
            )
        return found.key

    def verify(self, token: str) -> tuple[Principal, float]:
        """The token's principal and expiry; AuthError saying why not."""
        s = self.settings
        try:
            claims = jwt.decode(
                token,
                self._key(token),
                algorithms=list(s.algorithms),
                audience=s.audience,
                issuer=s.issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("the token has expired: sign in again", "expired") from None
        except (jwt.InvalidTokenError, jwt.PyJWKClientError) as exc:
            raise AuthError(f"invalid token: {exc}", "bad_token") from None
        return self._principal(claims), float(claims["exp"])

    def _principal(self, claims: Mapping[str, Any]) -> Principal:
        s = self.settings
        name = _claim(claims, s.name_claim) or claims["sub"]
        nation = _claim(claims, s.nation_claim)
        if not isinstance(nation, str):
            raise AuthError(f"the token has no {s.nation_claim!r} claim (a nation)", "bad_claims")
        clearance = _claim(claims, s.clearance_claim) or "UNCLASSIFIED"
        try:
            recipient = Recipient.make(
                nation, str(clearance), _strings(_claim(claims, s.communities_claim)), str(name)
            )
        except LabelError as exc:
            raise AuthError(f"the token's claims: {exc}", "bad_claims") from None
        roles = frozenset(_strings(_claim(claims, s.roles_claim))) & frozenset(ROLES)
        return Principal(str(name), roles, recipient, "oidc")


def _tls(settings: OidcSettings) -> ssl.SSLContext:
    """Certificate checks for the JWKS URL: the system's CAs, or the site's (``ca_file``)."""
    try:
        return ssl.create_default_context(cafile=settings.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"--oidc-ca {settings.ca_file}: {exc}") from None


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    """``claims[a][b]`` for ``path`` ``"a.b"``; None where it is missing."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _strings(value: Any) -> list[str]:
    """A claim that lists names: a JSON list or one space-separated string (OAuth scopes)."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _jwks_file(path: Path, algorithms: Iterable[str]) -> dict[str, jwt.PyJWK]:
    try:
        key_set = jwt.PyJWKSet.from_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"--oidc-jwks {path}: {exc.strerror}") from None
    except (ValueError, jwt.PyJWKSetError, jwt.InvalidKeyError) as exc:
        raise ConfigError(f"--oidc-jwks {path}: not a usable JSON Web Key Set ({exc})") from None
    allowed = set(algorithms)
    keys = {str(k.key_id): k for k in key_set.keys if k.algorithm_name in allowed}
    if not keys:
        raise ConfigError(f"--oidc-jwks {path}: no RS256 or ES256 key in the set")
    return keys


@dataclass
class Authenticator:
    """Signs users in and turns tokens into principals. ``users`` (the built-in store, with
    ``secret``) and ``oidc`` may both be set; a token's ``alg`` header says which checks it.
    ``anonymous`` set: authentication is off and everyone is that principal."""

    users: UserStore | None = None
    secret: bytes = b""
    lifetime_s: int = DEFAULT_LIFETIME_S
    oidc: OidcVerifier | None = None
    anonymous: Principal | None = None
    clock: Any = time.time  # injectable for expiry tests
    _checked: float = field(default=-1e18, repr=False)
    # Tokens whose signature and claims passed: token → (exp, user name or OIDC principal).
    # A hit costs a dict lookup instead of an HMAC or RSA check; expiry is checked on every
    # hit and a built-in user is looked up again (removed or re-roled users take effect).
    _verified: dict[str, tuple[float, str | Principal]] = field(default_factory=dict, repr=False)

    @classmethod
    def disabled(cls, nation: str, clearance: str = "SECRET") -> Authenticator:
        """No sign-in (``--auth none``): every request is ``local`` with every role but admin."""
        who = Recipient.make(nation, clearance, (), "local")
        return cls(anonymous=Principal("local", NO_AUTH_ROLES, who, "none"))

    @property
    def remote(self) -> bool:
        return self.oidc is not None and self.oidc.remote

    def login(self, name: str, password: str) -> tuple[str, Principal]:
        """A token for ``name`` if ``password`` is theirs; AuthError (bad_login) otherwise,
        after the same Argon2 work whether or not the name exists."""
        if self.users is None:
            raise AuthError("this server signs in through its identity provider only", "bad_login")
        self.users.refresh()
        user = self.users.get(name)
        if not verify_password(user, password) or user is None:
            raise AuthError("wrong user name or password", "bad_login")
        if needs_rehash(user):
            self.users.set_password(user.name, password)
        return self.issue(user), principal_of(user)

    def issue(self, user: User) -> str:
        now = int(self.clock())
        claims = {
            "iss": BUILTIN_ISSUER,
            "aud": BUILTIN_ISSUER,
            "sub": user.name,
            "iat": now,
            "exp": now + self.lifetime_s,
            "roles": list(user.roles),
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self.secret, algorithm=BUILTIN_ALGORITHM)

    def verify(self, token: str | None) -> Principal:
        """The principal a bearer token stands for; AuthError saying why not."""
        if self.anonymous is not None:
            return self.anonymous
        if not token:
            raise AuthError("sign in first: no access token", "no_token")
        hit = self._verified.get(token)
        if hit is not None:
            exp, who = hit
            if exp <= self.clock():
                self._verified.pop(token, None)
                raise AuthError("the token has expired: sign in again", "expired")
            return who if isinstance(who, Principal) else self._current(who)
        principal, exp = self._check(token)
        if len(self._verified) >= VERIFIED_CACHE:
            self._verified.clear()
        self._verified[token] = (exp, principal if principal.source == "oidc" else principal.user)
        return principal

    def _check(self, token: str) -> tuple[Principal, float]:
        """Signature and claims checked in full; the principal and the token's expiry."""
        try:
            alg = jwt.get_unverified_header(token).get("alg")
        except jwt.InvalidTokenError:
            raise AuthError("invalid token: not a JSON Web Token", "bad_token") from None
        if alg == BUILTIN_ALGORITHM and self.users is not None:
            return self._builtin(token)
        if self.oidc is not None and alg in self.oidc.settings.algorithms:
            return self.oidc.verify(token)  # (principal, exp)
        raise AuthError(f"invalid token: algorithm {alg!r} is not accepted here", "bad_token")

    def _builtin(self, token: str) -> tuple[Principal, float]:
        assert self.users is not None
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[BUILTIN_ALGORITHM],
                audience=BUILTIN_ISSUER,
                issuer=BUILTIN_ISSUER,
                options={"require": ["exp", "iat", "sub"], "verify_iat": False},
                leeway=0,
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("the token has expired: sign in again", "expired") from None
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"invalid token: {exc}", "bad_token") from None
        if claims["exp"] <= self.clock():  # our own clock decides (PyJWT reads the wall clock)
            raise AuthError("the token has expired: sign in again", "expired")
        return self._current(str(claims["sub"])), float(claims["exp"])

    def _current(self, name: str) -> Principal:
        """The user ``name`` as the users file has them now."""
        assert self.users is not None
        now = time.monotonic()
        if now - self._checked > REFRESH_USERS_S:
            self._checked = now
            with contextlib.suppress(UserError, OSError):  # a bad edit: keep the last good copy
                self.users.refresh()
        user = self.users.get(name)
        if user is None:
            raise AuthError(f"user {name!r} no longer exists", "unknown_user")
        return principal_of(user)
