"""How sensors and child nodes authenticate to us (``docs/feeds.md``, "Authenticating
sensors"): TLS contexts from PEM files, the identity a client certificate proves, and source
allow-lists for datagram feeds.

* ``server_context`` — our certificate and key; with a client CA, ``CERT_REQUIRED``: a peer
  without a certificate from that CA fails the handshake.
* ``client_context`` — the CA we trust for a server (a broker, a parent node), and our own
  client certificate if we present one.
* ``peer_identity`` — a verified client certificate's subject CN, else its first DNS SAN.
* ``SourceFilter`` — is a sender's address in the allow-list (``ipaddress`` networks)?

Everything here is read once at the edge: a missing or unreadable file, a key that does not
match its certificate, or a bad network is a ``ValueError`` naming it.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterable
from pathlib import Path
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _readable(path: str, what: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"{what} {path!r}: no such file")
    try:
        p.read_bytes()
    except OSError as exc:
        raise ValueError(f"{what} {path!r}: {exc.strerror}") from exc
    return str(p)


def _load_chain(context: ssl.SSLContext, cert: str, key: str | None) -> None:
    cert = _readable(cert, "tls_cert")
    key = _readable(key, "tls_key") if key else None
    try:
        context.load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as exc:
        raise ValueError(
            f"tls_cert/tls_key {cert!r}: not a certificate and its key ({exc})"
        ) from exc


def _load_ca(context: ssl.SSLContext, ca: str) -> None:
    ca = _readable(ca, "tls_ca")
    try:
        context.load_verify_locations(cafile=ca)
    except (ssl.SSLError, OSError) as exc:
        raise ValueError(f"tls_ca {ca!r}: not a PEM certificate ({exc})") from exc


def server_context(
    cert: str, key: str | None = None, ca: str | None = None, *, require_client_cert: bool = True
) -> ssl.SSLContext:
    """A TLS server context (TLS 1.2 or later). With ``ca``, client certificates are checked
    against it: required (``CERT_REQUIRED``) or, ``require_client_cert`` off, optional."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    _load_chain(context, cert, key)
    if ca:
        _load_ca(context, ca)
        context.verify_mode = ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_OPTIONAL
    elif require_client_cert:
        raise ValueError(
            "require_client_cert needs tls_ca: the authority client certificates come from"
        )
    return context


def client_context(
    ca: str | None = None, cert: str | None = None, key: str | None = None
) -> ssl.SSLContext:
    """A TLS client context: the server checked against ``ca`` (else the system's CAs), and
    our client certificate presented when ``cert`` is given."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca:
        _load_ca(context, ca)
    if cert:
        _load_chain(context, cert, key)
    elif key:
        raise ValueError("tls_key without tls_cert")
    return context


def peer_identity(cert: dict[str, Any] | None) -> str:
    """The identity a verified peer certificate (``SSLObject.getpeercert()``) proves: its
    subject common name, else its first DNS subject-alternative name; "" when neither."""
    for rdn in (cert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    for kind, value in (cert or {}).get("subjectAltName", ()):
        if kind == "DNS":
            return str(value)
    return ""


def parse_networks(values: Iterable[Any] | str) -> tuple[Network, ...]:
    """``["10.0.0.0/8", "192.168.1.7"]`` (or the same comma-separated) as networks; a bare
    address is a /32 (/128). ValueError naming the first bad entry."""
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    if not isinstance(values, list | tuple):
        raise ValueError("must be a list of addresses and networks")
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an IP address or network ({exc})") from exc
    if not out:
        raise ValueError("an empty allow-list would refuse every sender")
    return tuple(out)


class SourceFilter:
    """Whether a sender (``"host:port"`` or a bare host) is allowed. Addresses already seen
    are remembered (a few senders send many datagrams), so the common check is one dict
    lookup; at most ``MAX_CACHED`` distinct senders are remembered."""

    MAX_CACHED = 4096

    def __init__(self, networks: Iterable[Network]):
        self.networks = tuple(networks)
        self._seen: dict[str, bool] = {}

    def allows(self, host: str) -> bool:
        known = self._seen.get(host)
        if known is not None:
            return known
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            ok = False
        else:
            ok = any(address in net for net in self.networks)
        if len(self._seen) < self.MAX_CACHED:
            self._seen[host] = ok
        return ok


# ---- the feed keys ------------------------------------------------------------------------
TLS_KEYS = ("tls_cert", "tls_key", "tls_ca")
SAPIENT_KEYS = (*TLS_KEYS, "require_client_cert", "allowed_clients")
MQTT_KEYS = (*TLS_KEYS, "username", "password_file", "password_env")
ALLOW_TRANSPORTS = ("udp", "listen")  # where a sender's address is ours to check


def check_feed_keys(fmt: str, transport: str, options: dict[str, Any]) -> None:
    """Check (and normalise in place) a feed's authentication keys; ValueError as
    ``"key: why"`` so the caller can name the key (and its line)."""
    present = [k for k in (*SAPIENT_KEYS, *MQTT_KEYS) if k in options]
    allowed = SAPIENT_KEYS if fmt == "sapient" else MQTT_KEYS if fmt == "mqtt" else ()
    for key in present:
        if key not in allowed:
            raise KeyValueError(key, f"not a key of {fmt} feeds")
    if "allow" in options:
        if transport not in ALLOW_TRANSPORTS and fmt != "sapient":
            raise KeyValueError(
                "allow", f"{fmt}+{transport} feeds connect out; allow is for udp and listen"
            )
        try:
            options["allow"] = [str(n) for n in parse_networks(options["allow"])]
        except ValueError as exc:
            raise KeyValueError("allow", str(exc)) from exc
    for key in (*TLS_KEYS, "password_file"):
        if key in options:
            value = options[key]
            if not isinstance(value, str) or not value:
                raise KeyValueError(key, "must be a file name")
            try:
                _readable(value, key)
            except ValueError as exc:
                raise KeyValueError(
                    key, str(exc).removeprefix(f"{key} ")
                ) from exc  # names the file
    if "tls_key" in options and "tls_cert" not in options:
        raise KeyValueError("tls_key", "given without tls_cert")
    if fmt == "sapient":
        _check_sapient(options)
    for key in ("username", "password_env"):
        if key in options and (not isinstance(options[key], str) or not options[key]):
            raise KeyValueError(key, "must be text")
    if fmt == "mqtt" and "password_file" in options and "password_env" in options:
        raise KeyValueError("password_env", "give password_file or password_env, not both")


def _check_sapient(options: dict[str, Any]) -> None:
    require = options.get("require_client_cert", True)
    if isinstance(require, str) and require.lower() in ("true", "false"):
        require = require.lower() == "true"  # from a URL query
    if not isinstance(require, bool):
        raise KeyValueError("require_client_cert", "must be true or false")
    options["require_client_cert"] = require
    tls = "tls_cert" in options
    for key in ("tls_ca", "allowed_clients"):
        if key in options and not tls:
            raise KeyValueError(key, "needs tls_cert and tls_key (TLS on)")
    if tls and require and "tls_ca" not in options:
        raise KeyValueError(
            "tls_ca",
            "required with tls_cert: the CA client certificates come "
            "from (or require_client_cert = false)",
        )
    if "allowed_clients" in options:
        clients = options["allowed_clients"]
        if isinstance(clients, str):
            clients = [c.strip() for c in clients.split(",") if c.strip()]
        if (
            not isinstance(clients, list)
            or not clients
            or not all(isinstance(c, str) and c for c in clients)
        ):
            raise KeyValueError("allowed_clients", "must be a list of certificate names")
        if not require:
            raise KeyValueError("allowed_clients", "needs require_client_cert = true")
        options["allowed_clients"] = clients


class KeyValueError(ValueError):
    """A bad value of one feed key."""

    def __init__(self, key: str, why: str):
        super().__init__(f"{key}: {why}")
        self.key, self.why = key, why


def sapient_server_context(options: dict[str, Any]) -> ssl.SSLContext | None:
    """The TLS context of a SAPIENT feed's checked keys; None when TLS is off."""
    if "tls_cert" not in options:
        return None
    return server_context(
        options["tls_cert"], options.get("tls_key"), options.get("tls_ca"),
        require_client_cert=bool(options.get("require_client_cert", True)),
    )  # fmt: skip


def mqtt_client_context(options: dict[str, Any]) -> ssl.SSLContext | None:
    """The TLS context of an MQTT feed's checked keys; None when TLS is off."""
    if not any(k in options for k in TLS_KEYS):
        return None
    return client_context(options.get("tls_ca"), options.get("tls_cert"), options.get("tls_key"))


def mqtt_password(options: dict[str, Any], environ: dict[str, str]) -> str | None:
    """The MQTT password: the first line of ``password_file``, else the environment variable
    ``password_env``, else the URL's ``password`` (a command line only); ValueError naming
    what is missing."""
    if "password_file" in options:
        path = options["password_file"]
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"password_file {path!r}: {exc.strerror}") from exc
        return text.splitlines()[0] if text else ""
    if "password_env" in options:
        name = str(options["password_env"])
        if name not in environ:
            raise ValueError(f"password_env: the environment has no {name}")
        return environ[name]
    value = options.get("password")
    return None if value is None else str(value)
