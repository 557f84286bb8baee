"""The sharing file (runtime/sharing.py): loading, clear errors, and each recipient's outputs
receiving only what it is cleared for — through a recording sink and through real
Cursor-on-Target datagrams on loopback."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dronewall.assess import AlertEvent, AlertState, EventKind
from dronewall.core.errors import ConfigError
from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.release import Recipient, SecurityLabel
from dronewall.core.tracks import SensorGeometry, TrackBatch
from dronewall.runtime.sharing import FACTORIES, Sharing, load_sharing, parse_sharing
from dronewall.store import PictureFrame

LABELS = (
    SecurityLabel.make("POL", "SECRET"),  # bit 0: Poland's alone
    SecurityLabel.make("DEU", "UNCLASSIFIED", ["NATO"]),  # bit 1: NATO may have it
)


class RecordingSink:
    """A PictureSink that keeps what it is handed."""

    def __init__(self, recipient: Recipient, table: dict[str, Any]):
        self.recipient = recipient
        self.name = f"{table['kind']}:{table.get('address', '')}"
        self.frames: list[PictureFrame] = []
        self.events: list[AlertEvent] = []
        self.started = self.closed = False

    def start(self) -> None:
        self.started = True

    def take_frame(self, frame: PictureFrame, wall_ingest: float, seq: int) -> None:
        self.frames.append(frame)

    def take_events(self, events: list[AlertEvent]) -> None:
        self.events.extend(events)

    def close(self, timeout_s: float = 5.0) -> None:
        self.closed = True

    def health(self) -> dict[str, Any]:
        return {"frames": len(self.frames)}


FAKE = {"cot-udp": RecordingSink, "sapient-up": RecordingSink}

GOOD = """
[[recipient]]
name = "PL-ADOC"
nation = "POL"
clearance = "SECRET"
communities = ["NATO", "EU"]
  [[recipient.output]]
  kind = "cot-udp"
  address = "127.0.0.1:1"

[[recipient]]
name = "FR-CDAOA"
nation = "fra"
clearance = "SECRET"
communities = ["NATO"]
  [[recipient.output]]
  kind = "cot-udp"
  address = "127.0.0.1:2"
  [[recipient.output]]
  kind = "sapient-up"
  address = "127.0.0.1:3"
"""


def _sensors() -> SensorGeometry:
    lat, lon, alt = np.full(2, 54.0), np.full(2, 12.0), np.zeros(2)
    ecef = np.asarray(geodetic_to_ecef(lat, lon, alt), float).reshape(-1, 3)
    return SensorGeometry(
        ["pl", "de"], np.array([5, 5], np.uint8), lat, lon, alt, ecef, np.full(2, np.inf),
        labels=LABELS,
    )  # fmt: skip


def _frame(masks: list[int], t: float = 1_700_000_000.0) -> PictureFrame:
    n = len(masks)
    lat = 54.0 + 0.01 * np.arange(n)
    state = np.zeros((n, 6))
    state[:, :3] = np.asarray(geodetic_to_ecef(lat, np.full(n, 12.0), np.full(n, 300.0)))
    state[:, 3] = 20.0
    tracks = TrackBatch.empty()
    tracks = TrackBatch(
        **{
            **{name: getattr(tracks, name) for name in TrackBatch.column_names()},
            "track_id": np.arange(1, n + 1, dtype=np.int64),
            "t": np.full(n, t),
            "status": np.ones(n, np.uint8),
            "state": state,
            "covariance": np.tile(np.eye(6) * 100.0, (n, 1, 1)),
            "t_last_update": np.full(n, t),
            "n_updates": np.full(n, 5, np.int64),
            "sensor_kinds": np.zeros(n, np.uint16),
            "identity": np.full(n, "", object),
            "t_first": np.full(n, t - 10),
            "kind_updates": np.zeros((n, 7), np.int32),
            "class_evidence": np.zeros((n, 4)),
            "rf_stations": np.zeros(n, np.uint8),
            "existence": np.ones(n),
            "emitter_category": np.zeros(n, np.uint8),
            "rcs_dbsm": np.full(n, np.nan),
            "label_mask": np.array(masks, np.int64),
        }
    )
    return PictureFrame.build(t, tracks, None, None, None)


def _event(track_id: int) -> AlertEvent:
    return AlertEvent(EventKind.RAISED, 0.0, track_id, track_id, "s", 80.0, AlertState.NEW, "")


def test_each_recipient_receives_what_it_is_cleared_for() -> None:
    plan = parse_sharing(GOOD, "share.toml", FAKE)  # type: ignore[arg-type]
    assert [s.recipient.name for s in plan.shares] == ["PL-ADOC", "FR-CDAOA"]
    assert plan.shares[1].recipient.nation == "FRA"
    sharing = Sharing(plan, _sensors)
    sharing.start()
    # track 1: Polish sensor only; 2: German only; 3: both; 4: provenance unknown
    sharing.take_frame(_frame([0b01, 0b10, 0b11, -1]), 0.0, 1)
    sharing.take_events([_event(1), _event(2), _event(3), _event(4)])
    polish, french = (s.sinks for s in plan.shares)
    pl, fr, fr_up = polish[0], french[0], french[1]
    assert isinstance(pl, RecordingSink) and isinstance(fr, RecordingSink)
    assert isinstance(fr_up, RecordingSink) and pl.started and fr_up.started
    assert pl.frames[0].track_id.tolist() == [1, 2, 3, 4]  # Poland is cleared for both
    assert [e.track_id for e in pl.events] == [1, 2, 3, 4]
    for sink in (fr, fr_up):
        assert sink.frames[0].track_id.tolist() == [2]
        assert [e.track_id for e in sink.events] == [2]
    assert sharing.rows_withheld == 3
    sharing.close()
    assert pl.closed and fr_up.closed
    assert sharing.health()["recipients"][1]["outputs"]["sapient-up:127.0.0.1:3"] == {"frames": 1}


@pytest.mark.parametrize(
    ("text", "field", "line", "words"),
    [
        ('[[recipient]]\nname = "x"\nnation = "POLAND"\n[[recipient.output]]\nkind = "cot-udp"\n',
         "recipient[0].nation", 3, "alpha-3"),
        ('[[recipient]]\nname = "x"\nnation = "POL"\nclearance = "SEKRET"\n'
         '[[recipient.output]]\nkind = "cot-udp"\n', "recipient[0].clearance", 4, "SEKRET"),
        ('[[recipient]]\nname = "x"\nnation = "POL"\ncommunities = ["WARSAW"]\n'
         '[[recipient.output]]\nkind = "cot-udp"\n', "recipient[0].communities", 4, "WARSAW"),
        ('[[recipient]]\nname = "x"\nnation = "POL"\ncolour = "red"\n', "recipient[0].colour",
         4, "unknown key"),
        ('[[recipient]]\nname = "x"\nnation = "POL"\n', "recipient[0].output", 1, "output"),
        ('[[recipient]]\nname = "x"\nnation = "POL"\n[[recipient.output]]\nkind = "fax"\n',
         "recipient[0].output[0].kind", 5, "fax"),
        ('[[recipient]]\nnation = "POL"\n[[recipient.output]]\nkind = "cot-udp"\n',
         "recipient[0].name", 1, "name"),
        ("[[recipient]]\nname = \"a\"\nnation = \"POL\"\n[[recipient.output]]\nkind = \"cot-udp\""
         "\n[[recipient]]\nname = \"a\"\nnation = \"DEU\"\n[[recipient.output]]\n"
         "kind = \"cot-udp\"\n", "recipient[1].name", 7, "two recipients"),
        ('peers = 3\n', "peers", 1, "unknown key"),
    ],
)  # fmt: skip
def test_bad_files_name_the_key_and_line(text: str, field: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_sharing(text, "share.toml", FAKE)  # type: ignore[arg-type]
    assert err.value.field == field
    assert err.value.line == line
    assert str(err.value).startswith(f"share.toml:{line}: {field}: ")
    assert words in str(err.value)


def test_an_outputs_own_errors_name_the_key_and_line() -> None:
    """The real factories' errors (here cot-udp's and sapient-up's) come back with the file,
    the output's key and its line."""
    text = (
        '[[recipient]]\nname = "x"\nnation = "POL"\n[[recipient.output]]\n'
        'kind = "cot-udp"\naddress = "nowhere"\n'
    )
    with pytest.raises(ConfigError) as err:
        parse_sharing(text, "share.toml")
    assert err.value.field == "recipient[0].output[0].address" and err.value.line == 6
    assert "nowhere" in str(err.value)
    text = text.replace("cot-udp", "sapient-up").replace('"nowhere"', '"h:1"\nsite = 2')
    with pytest.raises(ConfigError) as err:
        parse_sharing(text, "share.toml")
    assert err.value.field == "recipient[0].output[0].site" and err.value.line == 7


def test_load_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the sharing file"):
        load_sharing(tmp_path / "none.toml")
    assert set(FACTORIES) == {
        "cot-udp", "cot-tcp", "tak-udp", "tak-tcp", "asterix062-udp", "sapient-up"
    }  # fmt: skip


def test_cursor_on_target_datagrams_carry_only_released_tracks(tmp_path: Path) -> None:
    """Two recipients, each a real cot-udp output to its own loopback port: the French one's
    datagrams never name a track the Polish sensor supports."""
    socks = []
    for _ in range(2):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(0.2)
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    path = tmp_path / "share.toml"
    path.write_text(
        f"""
[[recipient]]
name = "PL"
nation = "POL"
clearance = "SECRET"
communities = ["NATO"]
  [[recipient.output]]
  kind = "cot-udp"
  address = "127.0.0.1:{ports[0]}"
  interval_s = 0.5
[[recipient]]
name = "FR"
nation = "FRA"
clearance = "SECRET"
communities = ["NATO"]
  [[recipient.output]]
  kind = "cot-udp"
  address = "127.0.0.1:{ports[1]}"
  interval_s = 0.5
""",
        encoding="utf-8",
    )
    sharing = Sharing(load_sharing(path), _sensors)
    sharing.start()
    try:
        for k in range(3):
            sharing.take_frame(_frame([0b01, 0b10, 0b11], 1_700_000_000.0 + k), 0.0, k)
            time.sleep(0.1)
        got: list[set[int]] = []
        for s in socks:
            ids: set[int] = set()
            deadline = time.monotonic() + 5.0
            while time.monotonic() < deadline and len(ids) < 3:
                try:
                    data = s.recv(65536)
                except TimeoutError:
                    continue
                ids.update(int(m) for m in re.findall(rb'uid="dronewall-[^"]*?-(\d+)"', data))
            got.append(ids)
    finally:
        sharing.close(2.0)
        for s in socks:
            s.close()
    assert got[0] == {1, 2, 3}
    assert got[1] == {2}


def test_serve_share_sends_each_ally_what_it_may_have(tmp_path: Path) -> None:
    """``dronewall serve SCENARIO --share FILE`` end to end: the Copenhagen demo's sensors are
    releasable to NATO and the EU; a Polish recipient receives Cursor-on-Target tracks, a
    Swiss one (neither) receives none, from the same pipeline."""
    import subprocess
    import sys

    socks = []
    for _ in range(2):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(0.2)
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    with socket.socket() as probe:  # a free TCP port for the web server
        probe.bind(("127.0.0.1", 0))
        web_port = probe.getsockname()[1]
    share = tmp_path / "share.toml"
    share.write_text(
        "".join(
            f'[[recipient]]\nname = "{name}"\nnation = "{nation}"\nclearance = "SECRET"\n'
            f'[[recipient.output]]\nkind = "cot-udp"\naddress = "127.0.0.1:{port}"\n'
            for name, nation, port in (("PL", "POL", ports[0]), ("CH", "CHE", ports[1]))
        ),
        encoding="utf-8",
    )
    dronewall = str(Path(sys.executable).with_name("dronewall"))
    command = [
        dronewall, "serve", "copenhagen-2025-09", "--share", str(share), "--speed", "200",
        "--duration", "900", "--exit-when-done", "--port", str(web_port),
        "--store", f"sqlite:///{tmp_path / 'run.db'}", "--auth", "none",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    counts = [0, 0]
    try:
        deadline = time.monotonic() + 240.0
        while time.monotonic() < deadline and process.poll() is None:
            for i, s in enumerate(socks):
                try:
                    while True:
                        data = s.recv(65536)
                        counts[i] += len(re.findall(rb"<event ", data))
                except TimeoutError:
                    pass
    finally:
        if process.poll() is None:
            process.terminate()
        output = process.communicate(timeout=30)[0].decode(errors="replace")
        for s in socks:
            s.close()
    assert "sharing with PL" in output and "sharing with CH" in output, output
    assert counts[0] > 0, output
    assert counts[1] == 0
    # Each recipient the node shares with is in the audit log, by the system.
    shown = subprocess.run(
        [dronewall, "audit", "show", "--store", f"sqlite:///{tmp_path / 'run.db'}", "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    import json

    rows = [json.loads(line) for line in shown.stdout.splitlines() if line.strip()]  # JSON lines
    entries = [e for e in rows if e["action"] == "sharing.change"]
    assert sorted(e["subject"] for e in entries) == ["recipient:CH", "recipient:PL"]
    assert {e["actor"] for e in entries} == {"system"}
    assert entries[0]["detail"]["outputs"] and entries[0]["detail"]["clearance"] == "SECRET"


def test_sapient_up_outputs_report_each_ally_only_its_tracks() -> None:
    """Two allies' SAPIENT fusion nodes (here one real parent node, told apart by the
    reporting site's node id): the Polish output reports all three tracks, the French one
    only the track the German (NATO-releasable) sensor alone made."""
    from dronewall.sensors.sapient.ids import node_uuid
    from tests.runtime.upward_harness import ParentNode, wait_until

    parent = ParentNode()
    parent.start()
    text = "".join(
        f'[[recipient]]\nname = "{name}"\nnation = "{nation}"\nclearance = "SECRET"\n'
        f'communities = ["NATO"]\n[[recipient.output]]\nkind = "sapient-up"\n'
        f'address = "127.0.0.1:{parent.port}"\nsite_name = "{name}-site"\ninterval_s = 0.5\n'
        for name, nation in (("PL", "POL"), ("FR", "FRA"))
    )
    sharing = Sharing(parse_sharing(text, "share.toml"), _sensors)
    sharing.start()
    pl, fr = node_uuid("PL-site"), node_uuid("FR-site")

    def objects(node: str) -> set[str]:
        return {
            str(o)
            for k in list(parent.keys)
            for n, o in zip(k.node_id.tolist(), k.object_id.tolist(), strict=True)
            if n == node
        }

    try:
        t = 1_700_000_000.0
        deadline = time.monotonic() + 60.0
        while time.monotonic() < deadline and (len(objects(pl)) < 3 or not objects(fr)):
            sharing.take_frame(_frame([0b01, 0b10, 0b11], t), 0.0, int(t))
            t += 1.0
            time.sleep(0.2)
        wait_until(lambda: len(objects(pl)) >= 3, "the Polish site's three tracks")
        time.sleep(1.0)  # more pictures: the French site must still report one track only
    finally:
        sharing.close(5.0)
        parent.close()
    assert len(objects(pl)) == 3
    assert len(objects(fr)) == 1
