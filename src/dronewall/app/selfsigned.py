"""A self-signed certificate for ``serve --tls-self-signed`` (``make demo``): HTTPS on a laptop
without a certificate authority. Made once with ``cryptography`` (ECDSA P-256, one year, names
localhost and 127.0.0.1), kept as two PEM files with mode 0600 and reused while valid. A
browser warns once about a self-signed certificate; the token and the picture still travel
encrypted. Browsers ignore HSTS for IP addresses (RFC 6797 §8.1.1), so serving it on
127.0.0.1 pins nothing."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from pathlib import Path

from dronewall.core.errors import ConfigError

VALID_DAYS = 365
RENEW_BEFORE_DAYS = 7


def self_signed(folder: Path) -> tuple[str, str]:
    """(certificate, key) PEM paths under ``folder``, made now if missing or expiring."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    cert_path, key_path = folder / "selfsigned-cert.pem", folder / "selfsigned-key.pem"
    now = dt.datetime.now(dt.UTC)
    if cert_path.exists() and key_path.exists():
        try:
            old = x509.load_pem_x509_certificate(cert_path.read_bytes())
            if old.not_valid_after_utc - now > dt.timedelta(days=RENEW_BEFORE_DAYS):
                return str(cert_path), str(key_path)
        except (OSError, ValueError):
            pass  # unreadable: made again below
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot make {folder} for the self-signed certificate: {exc}") from exc
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dronewall demo (self-signed)")])
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(key_path, key_pem)
    _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return str(cert_path), str(key_path)


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` with mode 0600 from the start, replacing ``path`` atomically."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        tmp.replace(path)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc}") from exc
