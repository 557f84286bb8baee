"""``dronewall users …`` and ``dronewall serve``'s sign-in options: one clear line and exit 2
for bad input; a real ``serve`` lets in a user of its users file and nobody else."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dronewall.app.cli import run
from dronewall.server.users import UserStore


def _users(tmp_path: Path, *args: str, stdin: str | None = None) -> int:
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        return run(["users", *args, "--users", str(tmp_path / "users.json")])
    finally:
        sys.stdin = sys.__stdin__


def _one_error_line(err: str, *words: str) -> None:
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_users_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "users.json"
    add = ["add", "ana", "--role", "operator", "--role", "commander", "--nation", "deu",
           "--clearance", "secret", "--community", "NATO", "--password-stdin"]  # fmt: skip
    assert _users(tmp_path, *add, stdin="long enough password\n") == 0
    assert "added ana (operator, commander; DEU, SECRET)" in capsys.readouterr().out
    assert _users(tmp_path, "add", "ben", "--role", "admin", "--nation", "POL",
                  "--generate-password") == 0  # fmt: skip
    out = capsys.readouterr().out
    generated = out.split("password: ", 1)[1].split()[0]
    store = UserStore.open(path)
    ben = store.get("ben")
    assert ben is not None and len(generated) == 16
    from dronewall.server.users import verify_password

    assert verify_password(ben, generated)
    assert _users(tmp_path, "list") == 0
    listing = capsys.readouterr().out
    assert "ana" in listing and "operator, commander" in listing and "$argon2" not in listing
    assert _users(tmp_path, "set-roles", "ana", "--role", "viewer") == 0
    assert _users(tmp_path, "passwd", "ana", "--password-stdin", stdin="another long one\n") == 0
    assert _users(tmp_path, "remove", "ben") == 0
    capsys.readouterr()
    store.refresh()
    assert [u.name for u in store.list()] == ["ana"] and store.list()[0].roles == ("viewer",)


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["add", "ana", "--role", "pilot", "--nation", "DEU", "--generate-password"], None,
         ["unknown role 'pilot'"]),
        (["add", "ana", "--role", "viewer", "--nation", "Germany", "--generate-password"], None,
         ["alpha-3"]),
        (["add", "ana", "--role", "viewer", "--nation", "DEU", "--password-stdin"], "short\n",
         ["at least 8"]),
        (["add", "ana", "--role", "viewer", "--nation", "DEU"], "", ["--password-stdin"]),
        (["add", "ana", "--nation", "DEU", "--generate-password"], None, ["--role"]),
        (["passwd", "zed", "--generate-password"], None, ["no users file"]),
        (["remove", "zed"], None, ["no users file"]),
        (["list"], None, ["no users file"]),
    ],
)  # fmt: skip
def test_users_bad_input_is_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    stdin: str | None,
    words: list[str],
) -> None:
    assert _users(tmp_path, *args, stdin=stdin) == 2
    _one_error_line(capsys.readouterr().err, *words)


def test_users_refuses_a_duplicate_and_an_unknown_user(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ["add", "ana", "--role", "viewer", "--nation", "DEU", "--generate-password"]
    assert _users(tmp_path, *add) == 0
    capsys.readouterr()
    assert _users(tmp_path, *add) == 2
    _one_error_line(capsys.readouterr().err, "exists already")
    assert _users(tmp_path, *add, "--replace") == 0
    capsys.readouterr()
    assert _users(tmp_path, "remove", "zed") == 2
    _one_error_line(capsys.readouterr().err, "no user 'zed'")
    (tmp_path / "users.json").chmod(0o644)
    assert _users(tmp_path, "list") == 2
    _one_error_line(capsys.readouterr().err, "chmod 600")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--users", "{tmp}/missing.json"], ["no users file", "dronewall users add"]),
        (["--auth", "none", "--host", "0.0.0.0"], ["only on loopback"]),
        (["--auth", "oidc"], ["--oidc-issuer"]),
        (["--oidc-issuer", "https://idp", "--users", "{tmp}/u.json"], ["all of"]),
        (["--auth", "oidc", "--oidc-issuer", "https://idp", "--oidc-audience", "dw",
          "--oidc-jwks", "{tmp}/nope.json"], ["--oidc-jwks", "No such file"]),
        (["--token-hours", "0", "--users", "{tmp}/u.json"], ["--token-hours"]),
    ],
)  # fmt: skip
def test_serve_refuses_bad_sign_in_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: list[str]
) -> None:
    given = [a.replace("{tmp}", str(tmp_path)) for a in args]
    store = f"sqlite:///{tmp_path / 'dw.db'}"
    assert run(["serve", "--store", store, "--port", str(_free_port()), *given]) == 2
    _one_error_line(capsys.readouterr().err, *words)


def _get(url: str, token: str | None = None) -> int:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_real_server_lets_in_its_users_only(tmp_path: Path) -> None:
    """``dronewall serve`` on loopback with a users file: sign in, read, be refused."""
    users = tmp_path / "users.json"
    sys.stdin = io.StringIO("long enough password\n")
    try:
        assert run(["users", "add", "ana", "--role", "viewer", "--nation", "DNK",
                    "--password-stdin", "--users", str(users)]) == 0  # fmt: skip
    finally:
        sys.stdin = sys.__stdin__
    port = _free_port()
    exe = Path(sys.executable).with_name("dronewall")
    server = subprocess.Popen(
        [str(exe), "serve", "--store", f"sqlite:///{tmp_path / 'dw.db'}", "--port", str(port),
         "--users", str(users)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # liveness only
        while _get_or_none(base + "/api/health") is None:
            assert server.poll() is None and time.monotonic() < deadline, server.stdout
            time.sleep(0.2)
        assert _get(base + "/api/runs") == 401
        body = json.dumps({"username": "ana", "password": "long enough password"}).encode()
        login = urllib.request.Request(base + "/api/auth/login", data=body,
                                       headers={"content-type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(login, timeout=30) as r:
            token = json.loads(r.read())["access_token"]
        assert _get(base + "/api/runs", token) == 200
        assert _get(base + "/api/admin/users", token) == 403
        assert (tmp_path / "users.key").stat().st_mode & 0o077 == 0  # the secret, made now
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=60)
    out = " ".join(out.split())
    assert "sign-in: 1 user in" in out and "tokens last 8 h" in out


def _get_or_none(url: str) -> int | None:
    try:
        return _get(url)
    except (urllib.error.URLError, ConnectionError):
        return None
