"""Who may sign in to ``dronewall serve`` (``docs/auth.md``): the built-in users file, an
external OpenID Connect provider, or nobody needs to (``--auth none``, loopback only).

Cheap to import (``cli.py``'s rule 1); the server's modules are imported inside the calls.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dronewall.server.auth import Authenticator

DEFAULT_USERS = Path("out/users.json")  # next to make demo's store, out/dronewall.db
NO_AUTH_NATION = "DEU"  # --auth none: the local principal's nation (the server's own picture)


class AuthMode(enum.StrEnum):
    users = "users"  # the built-in users file (and an OIDC provider too, if configured)
    oidc = "oidc"  # an external OIDC provider only
    none = "none"  # no sign-in: loopback only


@dataclass(frozen=True, slots=True)
class AuthOptions:
    """The ``serve`` options about sign-in, as given."""

    mode: AuthMode = AuthMode.users
    users: Path = DEFAULT_USERS
    token_hours: float = 8.0
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks: str | None = None
    oidc_roles_claim: str = "roles"
    oidc_nation_claim: str = "nation"
    oidc_clearance_claim: str = "clearance"
    oidc_ca: Path | None = None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secret_path(users: Path) -> Path:
    """The token-signing secret kept beside the users file (``users.json`` → ``users.key``)."""
    return users.with_suffix(".key")


def build_authenticator(options: AuthOptions, host: str) -> Authenticator:
    """The authenticator the options ask for; ConfigError (one line) for a missing or
    unreadable users file, a bad OIDC configuration, or ``--auth none`` off loopback."""
    from dronewall.core.errors import ConfigError
    from dronewall.server.auth import Authenticator, OidcSettings, OidcVerifier, load_secret
    from dronewall.server.users import UserError, UserStore

    o = options
    if o.mode == AuthMode.none:
        if not is_loopback(host):
            raise ConfigError(
                f"--auth none serves without sign-in: only on loopback (--host 127.0.0.1), "
                f"not {host}"
            )
        return Authenticator.disabled(NO_AUTH_NATION)
    if not (o.token_hours > 0):
        raise ConfigError(f"--token-hours must be positive, not {o.token_hours}")
    oidc = None
    given = [x is not None for x in (o.oidc_issuer, o.oidc_audience, o.oidc_jwks)]
    if any(given) and not all(given):
        raise ConfigError("OIDC needs all of --oidc-issuer, --oidc-audience and --oidc-jwks")
    if all(given):
        assert o.oidc_issuer is not None and o.oidc_audience is not None
        assert o.oidc_jwks is not None
        oidc = OidcVerifier(
            OidcSettings(
                issuer=o.oidc_issuer,
                audience=o.oidc_audience,
                jwks=o.oidc_jwks,
                roles_claim=o.oidc_roles_claim,
                nation_claim=o.oidc_nation_claim,
                clearance_claim=o.oidc_clearance_claim,
                ca_file=str(o.oidc_ca) if o.oidc_ca is not None else None,
            )
        )
    if o.mode == AuthMode.oidc:
        if oidc is None:
            raise ConfigError("--auth oidc needs --oidc-issuer, --oidc-audience and --oidc-jwks")
        return Authenticator(oidc=oidc)
    try:
        users = UserStore.open(o.users)
    except UserError as exc:
        raise ConfigError(str(exc)) from None
    except OSError as exc:
        raise ConfigError(f"users file {o.users}: {exc.strerror}") from None
    secret = load_secret(secret_path(o.users))
    lifetime = round(o.token_hours * 3600)
    return Authenticator(users=users, secret=secret, lifetime_s=lifetime, oidc=oidc)


def describe(auth: Authenticator, options: AuthOptions) -> str:
    """One line for the terminal: how people sign in."""
    if auth.anonymous is not None:
        return "sign-in is off (--auth none): everyone on this machine acts as 'local'"
    parts = []
    if auth.users is not None:
        n = len(auth.users.list())
        parts.append(f"{n} user{'s' if n != 1 else ''} in {options.users}")
    if auth.oidc is not None:
        parts.append(f"OIDC tokens from {auth.oidc.settings.issuer}")
    hours = auth.lifetime_s / 3600
    return f"sign-in: {' and '.join(parts)}; tokens last {hours:g} h"
