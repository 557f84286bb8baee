"""MQTT feeds that log in, against a REAL private Mosquitto started here on free ports with a
password file (``allow_anonymous false``) and a TLS listener whose certificates are made
here: the right credentials bring the nodes' messages in; a wrong password is an outage
saying "not authorised" in the feed's health, retried with the backoff, never a crash; TLS
with our CA works and a broker certificate of another CA is refused. The broker is stopped
at the end."""

from __future__ import annotations

import asyncio
import getpass
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dronewall.core.errors import ConfigError
from dronewall.runtime.adapters import ADAPTERS, MqttFeed
from dronewall.runtime.feeds import FeedSource
from dronewall.runtime.feedspec import load_feeds_file
from dronewall.sensors.mqtt.node import MqttNode
from dronewall.sensors.tls import client_context
from tests.app.feeds_harness import free_port
from tests.sensors.test_feed_tls import make_pki

MOSQUITTO = "/usr/sbin/mosquitto"
USER, PASSWORD = "dronewall", "s3cret-" + uuid.uuid4().hex[:6]
REG = {"v": 1, "kind": "acoustic", "lat": 50.4162, "lon": 30.6125, "alt": 152.0,
       "sigma_az": 7.5, "nation": "UA"}  # fmt: skip


class Broker:
    def __init__(self, directory: Path):
        self.dir = directory
        self.port, self.tls_port = free_port(), free_port()
        self.pki = make_pki(directory)
        # Mosquitto wants the key apart from the certificate
        text = self.pki["server"].read_text()
        cut = text.index("-----BEGIN PRIVATE KEY")
        (directory / "srv.crt").write_text(text[:cut])
        (directory / "srv.key").write_text(text[cut:])
        passwd = directory / "passwd"
        subprocess.run(
            ["mosquitto_passwd", "-b", "-c", str(passwd), USER, PASSWORD], check=True,
            capture_output=True,
        )  # fmt: skip
        conf = directory / "mosquitto.conf"
        conf.write_text(
            f"user {getpass.getuser()}\n"  # run as root, it would drop to "mosquitto"
            f"per_listener_settings false\nallow_anonymous false\npassword_file {passwd}\n"
            f"listener {self.port} 127.0.0.1\n"
            f"listener {self.tls_port} 127.0.0.1\ncafile {self.pki['ca']}\n"
            f"certfile {directory / 'srv.crt'}\nkeyfile {directory / 'srv.key'}\n"
        )
        self.log = directory / "mosquitto.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=log, stderr=log)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto died: {self.log.read_text()!r}")
            try:
                socket.create_connection(("127.0.0.1", self.tls_port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    if shutil.which("mosquitto_passwd") is None:
        pytest.fail("mosquitto_passwd is not installed (Debian: mosquitto)")
    b = Broker(tmp_path_factory.mktemp("mosquitto"))
    yield b
    b.stop()
    assert b.proc.returncode is not None


def _wait(cond: Any, what: str, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _feeds_file(path: Path, port: int, prefix: str, body: str) -> Path:
    path.write_text(
        f'[[feed]]\nname = "acoustic"\nurl = "mqtt://127.0.0.1:{port}/{prefix}"\n'
        f'username = "{USER}"\n{body}\n'
    )
    return path


async def _publish(port: int, prefix: str, node_id: str, n: int, **options: Any) -> None:
    async with MqttNode(node_id, REG, port=port, prefix=prefix, username=USER,
                        password=PASSWORD, client_id=f"{node_id}-{uuid.uuid4().hex[:6]}",
                        **options) as node:  # fmt: skip
        t = time.time()
        for i in range(n):
            await node.detect({"t": t, "az": float(i)}, 1)
        await node.withdraw()


def _run_feed(path: Path, publish: Any = None) -> tuple[FeedSource, dict[str, Any]]:
    (spec,) = load_feeds_file(path)
    source = FeedSource([spec], ADAPTERS, record_raw=False)
    source.open()
    return source, spec.options


def test_right_credentials_from_a_password_file_bring_the_reports(
    broker: Broker, tmp_path: Path
) -> None:
    secret = tmp_path / "mqtt.pass"
    secret.write_text(PASSWORD + "\n")
    prefix = f"auth{uuid.uuid4().hex[:6]}"
    source, _ = _run_feed(
        _feeds_file(tmp_path / "f.toml", broker.port, prefix, f'password_file = "{secret}"')
    )
    try:
        _wait(lambda: source.feed_health()[0]["connection"] == "connected", "connected")
        batches: list[Any] = []
        asyncio.run(_publish(broker.port, prefix, "ac-1", 5))
        chunks = source.chunks()
        _wait(lambda: batches.append(next(chunks)) or sum(len(b) for b in batches) >= 5,
              "5 reports")  # fmt: skip
        assert source.feed_health()[0]["rejects"] == {}
    finally:
        source.close()


def test_a_wrong_password_is_not_authorised_retried_and_never_a_crash(
    broker: Broker, tmp_path: Path
) -> None:
    os.environ["DRONEWALL_TEST_MQTT_PASSWORD"] = "wrong"
    try:
        source, _ = _run_feed(
            _feeds_file(
                tmp_path / "f.toml",
                broker.port,
                "authbad",
                'password_env = "DRONEWALL_TEST_MQTT_PASSWORD"',
            )
        )
    finally:
        del os.environ["DRONEWALL_TEST_MQTT_PASSWORD"]
    try:
        _wait(lambda: "not authorised" in source.feed_health()[0]["connection"], "refusal")
        health = source.feed_health()[0]
        assert health["state"] == "down" and "\n" not in health["connection"]
        feed = source.feeds["acoustic"].adapter
        assert isinstance(feed, MqttFeed)
        time.sleep(1.6)  # 0.5 + 1 s of backoff: it tried again, and is still running
        assert source._thread is not None and source._thread.is_alive()
        assert "not authorised" in source.feed_health()[0]["connection"]
    finally:
        source.close()


def test_tls_with_our_ca_and_credentials(broker: Broker, tmp_path: Path) -> None:
    secret = tmp_path / "mqtt.pass"
    secret.write_text(PASSWORD)
    prefix = f"tls{uuid.uuid4().hex[:6]}"
    source, _ = _run_feed(
        _feeds_file(
            tmp_path / "f.toml",
            broker.tls_port,
            prefix,
            f'password_file = "{secret}"\ntls_ca = "{broker.pki["ca"]}"',
        )
    )
    try:
        _wait(lambda: source.feed_health()[0]["connection"] == "connected", "connected over TLS")
        tls = client_context(str(broker.pki["ca"]))
        asyncio.run(_publish(broker.tls_port, prefix, "ac-2", 3, tls=tls))
        _wait(lambda: source.feed_health()[0]["messages"] >= 3, "3 messages over TLS")
    finally:
        source.close()


# paho leaves the socket of a failed TLS handshake to the garbage collector (a ResourceWarning)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_broker_certificate_of_another_ca_is_refused(broker: Broker, tmp_path: Path) -> None:
    secret = tmp_path / "mqtt.pass"
    secret.write_text(PASSWORD)
    source, _ = _run_feed(
        _feeds_file(
            tmp_path / "f.toml",
            broker.tls_port,
            "tlsbad",
            f'password_file = "{secret}"\ntls_ca = "{broker.pki["other-ca"]}"',
        )
    )
    try:
        _wait(lambda: source.feed_health()[0]["connection"].startswith("disconnected"), "refusal")
        assert "CERTIFICATE_VERIFY_FAILED" in source.feed_health()[0]["connection"].upper()
    finally:
        source.close()


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        ('password = "hunter2"', "no password in a feeds file: use password_file", 5),
        ('password_file = "/nonexistent/pass"', "password_file: '/nonexistent/pass': no such", 5),
        ('tls_cert = "/nonexistent/c.pem"', "tls_cert: '/nonexistent/c.pem'", 5),
        ("require_client_cert = true", "require_client_cert: not a key of mqtt feeds", 5),
        ("password_env = 7", "password_env: must be text", 5),
    ],
)
def test_bad_keys_name_the_file_key_and_line(
    tmp_path: Path, body: str, message: str, line: int
) -> None:
    path = _feeds_file(tmp_path / "f.toml", 1883, "x", body)
    with pytest.raises(ConfigError) as caught:
        load_feeds_file(path)
    assert message in str(caught.value) and f"{path}:{line}" in str(caught.value), caught.value


def test_a_missing_password_variable_stops_the_start(tmp_path: Path) -> None:
    path = _feeds_file(tmp_path / "f.toml", 1883, "x", 'password_env = "DRONEWALL_NO_SUCH_VAR"')
    (spec,) = load_feeds_file(path)
    with pytest.raises(ConfigError, match="the environment has no DRONEWALL_NO_SUCH_VAR"):
        MqttFeed(spec)


def test_a_url_password_is_not_kept_in_the_run_settings() -> None:
    from dronewall.runtime.feeds import spec_to_json
    from dronewall.runtime.feedspec import parse_feed_url

    spec = parse_feed_url("mqtt://127.0.0.1:1883/x?username=u&password=hunter2")
    assert spec.options["password"] == "hunter2"  # used to log in
    assert "hunter2" not in repr(spec_to_json(spec))
