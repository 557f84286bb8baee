"""``dronewall node``, the headless site node, run as a person would (the installed entry
point, a fresh process): bad arguments, an unreachable store, a bad feed URL or a port in use
give one line and exit 2 (``serve --parent`` too); on an EO/IR node over the real Mosquitto
broker it reports its track to a parent fusion node over loopback TCP, prints its running
summary, and on Ctrl-C says goodbye to the parent and exits 0."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from dronewall.core.types import ObjectClass
from dronewall.sensors.sapient import Health, node_uuid
from tests.app.feeds_harness import GEOD
from tests.app.test_cli_errors import DRONEWALL, UNREACHABLE_POSTGRES, assert_one_line_error
from tests.app.test_cli_errors import dronewall as run_dronewall
from tests.runtime.upward_harness import HANG_GUARD_S, EoirNode, ParentNode, drone, wait_until

MQTT = "mqtt://127.0.0.1:1883/dwtest/none"
PARENT = "127.0.0.1:12999"  # never reached: every case fails before connecting


@pytest.fixture(scope="module")
def busy_port() -> Iterator[int]:
    """A TCP port something already listens on."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        yield listening.getsockname()[1]


@pytest.mark.parametrize(
    ("args", "naming"),
    [
        (["node", "--feed", MQTT], ["Missing option '--parent'"]),
        (["node", "--feed", MQTT, "--parent", "parent.example"], ["--parent must be HOST:PORT"]),
        (["node", "--feed", MQTT, "--parent", "10.0.0.5:70000"], ["--parent must be HOST:PORT"]),
        (["node", "--parent", PARENT], ["give the site's sensor feeds"]),
        (["node", "--parent", PARENT, "--feed", "asterix+tcp://0.0.0.0:8600"], ["asterix"]),
        (["node", "--parent", PARENT, "--feed", MQTT, "--interval", "0"], ["--interval"]),
        (["node", "--parent", PARENT, "--feed", MQTT, "--store", UNREACHABLE_POSTGRES],
         ["127.0.0.1"]),
        (["serve", "--parent", PARENT], ["--parent reports a site's live feeds up"]),
        (["serve", "--feed", MQTT, "--parent", "nowhere:"], ["--parent must be HOST:PORT"]),
    ],
)  # fmt: skip
def test_bad_arguments_give_one_line_and_exit_2(args: list[str], naming: list[str]) -> None:
    assert_one_line_error(run_dronewall(*args), *naming)


def test_a_feed_port_in_use_gives_one_line(busy_port: int, tmp_path: Path) -> None:
    done = run_dronewall("node", "--parent", PARENT, "--feed", f"sapient://127.0.0.1:{busy_port}",
                         "--store", f"sqlite:///{tmp_path / 'x.db'}")  # fmt: skip
    assert_one_line_error(done, "sapient", str(busy_port))


class Lines(threading.Thread):
    """Collects a process's output lines as they come."""

    def __init__(self, stream: object):
        super().__init__(daemon=True)
        self.stream, self.lines = stream, list[str]()

    def run(self) -> None:
        for line in self.stream:  # type: ignore[attr-defined]
            self.lines.append(line)


def test_a_headless_site_node_reports_up_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    parent = ParentNode()
    parent.start()
    prefix = f"dwtest/{uuid.uuid4().hex[:8]}"
    target = drone(time.time())
    eoir = EoirNode(prefix, target)
    eoir.start()
    assert eoir.connected.wait(10)
    env = {k: v for k, v in os.environ.items() if k != "DRONEWALL_DEBUG"}
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200", "PYTHONUNBUFFERED": "1"})
    process = subprocess.Popen(
        [str(DRONEWALL), "node", "--feed", f"mqtt://127.0.0.1:1883/{prefix}",
         "--parent", f"127.0.0.1:{parent.port}", "--site-name", "site Warsaw",
         "--store", f"sqlite:///{tmp_path / 'site.db'}", "--interval", "0.5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    out = Lines(process.stdout)
    out.start()
    site = node_uuid("site Warsaw")
    try:
        wait_until(lambda: parent.entry(site) is not None, "the site registered")
        wait_until(lambda: len(parent.rows()) >= 3, "three track reports at the parent")
        rows = parent.rows()
        lat, lon, _ = target.at(float(rows.t_measured[-1]))
        assert GEOD.inv(lon, lat, rows.lon_deg[-1], rows.lat_deg[-1])[2] < 150.0
        assert ObjectClass.DRONE in np.unique(rows.declared_class)
        said = re.compile(rf"parent 127\.0\.0\.1:{parent.port} connected: ([\d,]+) tracks")

        def sent_tracks() -> int:  # the latest summary line's count (lines come every second)
            counts = [m.group(1) for x in out.lines if (m := said.search(x))]
            return int(counts[-1].replace(",", "")) if counts else 0

        wait_until(lambda: sent_tracks() > 0, "a summary line counting the tracks sent up")
        process.send_signal(signal.SIGINT)
        code = process.wait(HANG_GUARD_S)
        out.join(HANG_GUARD_S)
        stderr = process.stderr.read() if process.stderr else ""
        assert code == 0, stderr
        assert "Traceback" not in stderr
        assert any(x.startswith("stopped: ") for x in out.lines), out.lines
        entry = parent.entry(site)
        assert entry is not None and entry.health is Health.GOODBYE
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        out.join(HANG_GUARD_S)  # the output ends with the process
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        eoir.stop.set()
        eoir.join(30)
        parent.close()
