"""``dronewall serve --tls-cert FILE --tls-key FILE``: the installed entry point serves HTTPS
with a certificate made here and ``/api/health`` is fetched over TLS trusting only our test
CA; bad or missing files are one line and exit 2; a non-loopback address without TLS warns
that tokens travel in clear."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.app.feeds_harness import free_port
from tests.sensors.test_feed_tls import make_pki

DRONEWALL = Path(sys.executable).with_name("dronewall")


def _split(pem: Path, d: Path) -> tuple[Path, Path]:
    text = pem.read_text()
    cut = text.index("-----BEGIN PRIVATE KEY")
    cert, key = d / "srv.crt", d / "srv.key"
    cert.write_text(text[:cut])
    key.write_text(text[cut:])
    return cert, key


def _serve(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    args = [str(DRONEWALL), "serve", "airport-quadcopter", "--auth", "none", "--port", str(port),
            "--store", f"sqlite:///{tmp_path / 'r.db'}", *extra]  # fmt: skip
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, cwd=tmp_path)  # fmt: skip
    return proc, port


def test_serve_over_https_with_our_certificate(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    cert, key = _split(pki["server"], tmp_path)
    proc, port = _serve(tmp_path, "--tls-cert", str(cert), "--tls-key", str(key))
    trust = ssl.create_default_context(cafile=str(pki["ca"]))
    try:
        body = None
        end = time.monotonic() + 60
        while time.monotonic() < end and proc.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"https://127.0.0.1:{port}/api/health", context=trust, timeout=2
                ) as r:
                    body = json.loads(r.read())
                    break
            except (OSError, ssl.SSLError):
                time.sleep(0.3)
        assert body is not None, "no answer over https"
        assert isinstance(body, dict)
        # plain HTTP on the same port is not served
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
            plain_ok = True
        except Exception:
            plain_ok = False
        assert not plain_ok
        # a client that does not trust our CA refuses the server
        other = ssl.create_default_context(cafile=str(pki["other-ca"]))
        try:
            urllib.request.urlopen(f"https://127.0.0.1:{port}/api/health", context=other, timeout=2)
            trusted = True
        except (ssl.SSLError, OSError):
            trusted = False
        assert not trusted
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert f"https://127.0.0.1:{port}" in out


def _one_line_error(tmp_path: Path, *extra: str) -> str:
    done = subprocess.run(
        [str(DRONEWALL), "serve", "airport-quadcopter", "--auth", "none",
         "--port", str(free_port()), *extra],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "300"},
    )  # fmt: skip
    assert done.returncode == 2, done
    lines = [x for x in done.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


def test_bad_or_missing_files_are_one_line_and_exit_2(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    cert, key = _split(pki["server"], tmp_path)
    line = _one_line_error(tmp_path, "--tls-cert", str(tmp_path / "nope.crt"))
    assert "--tls-cert" in line and "nope.crt" in line and "no such file" in line
    line = _one_line_error(tmp_path, "--tls-cert", str(cert), "--tls-key", str(pki["ca"]))
    assert "--tls-cert/--tls-key" in line and "not a certificate and its key" in line
    line = _one_line_error(tmp_path, "--tls-key", str(key))
    assert "--tls-key needs --tls-cert" in line
    (tmp_path / "x").mkdir()
    _, other_key = _split(pki["radar-1"], tmp_path / "x")  # a key of another certificate
    line = _one_line_error(tmp_path, "--tls-cert", str(cert), "--tls-key", str(other_key))
    assert "not a certificate and its key" in line


def test_a_network_address_without_tls_warns_tokens_travel_in_clear(tmp_path: Path) -> None:
    # a users file that is not there stops serve right after the TLS check
    done = subprocess.run(
        [str(DRONEWALL), "serve", "airport-quadcopter", "--host", "0.0.0.0",
         "--port", str(free_port()), "--users", str(tmp_path / "users.toml")],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "300"},
    )  # fmt: skip
    assert done.returncode == 2 and "users" in done.stderr, done
    assert "travel in clear" in done.stdout + done.stderr


def test_a_bad_parent_tls_file_is_one_line_naming_the_option(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(DRONEWALL), "serve", "--feed", f"asterix+udp://127.0.0.1:{free_port()}",
         "--auth", "none", "--port", str(free_port()), "--parent", "127.0.0.1:12000",
         "--parent-tls-ca", str(tmp_path / "missing-ca.pem")],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "300"},
    )  # fmt: skip
    assert done.returncode == 2, done
    lines = [x for x in done.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "--parent-tls-ca" in lines[0] and "missing-ca.pem" in lines[0]


def test_serve_with_a_self_signed_certificate(tmp_path: Path) -> None:
    """``--tls-self-signed`` (make demo): a certificate made once under out/tls with mode 0600,
    trusted here as its own authority, serves /api/health over https; a second start reuses
    it; with --tls-cert too it is one line and exit 2."""
    proc, port = _serve(tmp_path, "--tls-self-signed")
    cert = tmp_path / "out" / "tls" / "selfsigned-cert.pem"
    try:
        body = None
        end = time.monotonic() + 60
        while time.monotonic() < end and proc.poll() is None:
            try:
                trust = ssl.create_default_context(cafile=str(cert))
                with urllib.request.urlopen(
                    f"https://127.0.0.1:{port}/api/health", context=trust, timeout=2
                ) as r:
                    body = json.loads(r.read())
                    break
            except (OSError, ssl.SSLError):
                time.sleep(0.3)
        assert body is not None, "no answer over https"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    key = tmp_path / "out" / "tls" / "selfsigned-key.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    made = cert.read_bytes()
    from dronewall.app.selfsigned import self_signed

    self_signed(tmp_path / "out" / "tls")  # still valid: reused, not made again
    assert cert.read_bytes() == made
    both = subprocess.run(
        [str(DRONEWALL), "serve", "airport-quadcopter", "--tls-self-signed", "--tls-cert",
         str(cert)], capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert both.returncode == 2
    assert "not both" in both.stderr + both.stdout
    assert "Traceback" not in both.stderr
