"""``dronewall ingest`` through the installed command in fresh processes, as a person runs it:
a radar capture and an ADS-B recording made with the project's encoders become run
directories that ``dronewall track``, ``assess`` and ``score`` read; a recorded store run
too; malformed files answer one line and exit status 2."""

from __future__ import annotations

import datetime as dt
import json
import struct
from pathlib import Path

import numpy as np
import pyarrow as pa

from dronewall.records import read_reports
from dronewall.records.parquet import TRUTH_SCHEMA, time_array, write_table
from dronewall.records.tracks import read_tracks
from dronewall.runtime.feeds import spec_to_json
from dronewall.runtime.ingest_spec import Shortcuts, ingest_spec
from dronewall.store import RawMessage, RunInfo, SQLiteStore
from tests.app.test_cli_errors import assert_one_line_error, dronewall
from tests.records import captures as cap
from tests.runtime import ingest_data as data

RADAR_ARGS = ["--sac", str(data.SAC), "--sic", str(data.SIC), "--lat", str(data.RADAR[0]),
              "--lon", str(data.RADAR[1]), "--alt", str(data.RADAR[2])]  # fmt: skip


def _radar_capture(path: Path, seconds: int = 240) -> list[tuple[float, bytes]]:
    pieces = data.asterix(seconds)
    noise = [cap.Packet(data.T0 + 5, b"not for us", dport=5353)]
    packets = [cap.Packet(t + 0.05, block) for t, block in pieces] + noise
    path.write_bytes(cap.pcapng_udp(sorted(packets, key=lambda p: p.t), tsresol=9))
    return pieces


def _truth(path: Path, seconds: int) -> None:
    t = data.T0 + np.arange(seconds, dtype=float)
    where = np.array([data.aircraft(x) for x in t])
    zeros = np.zeros(t.size, np.float32)
    table = pa.table({
        "t": time_array(t), "object_id": np.zeros(t.size, np.int32), "lat_deg": where[:, 0],
        "lon_deg": where[:, 1], "alt_m": where[:, 2].astype(np.float32),
        "vel_east_mps": zeros, "vel_north_mps": zeros + data.SPEED, "vel_up_mps": zeros,
    }).cast(TRUTH_SCHEMA)  # fmt: skip
    path.mkdir()
    write_table(path / "truth.parquet", table)


def test_capture_to_tracks_alerts_and_scores(tmp_path: Path) -> None:
    capture = tmp_path / "radar.pcapng"
    pieces = _radar_capture(capture)
    run = tmp_path / "run"
    done = dronewall("ingest", str(capture), "--format", "asterix", "--port", "8600",
                     *RADAR_ARGS, "--out", str(run))  # fmt: skip
    assert done.code == 0, done
    plots = sum(1 for _, b in pieces if b[0] == 48)
    assert f"reports: {plots:,} (RADAR {plots:,})" in done.stdout
    assert "skipped in the file: other_port 1" in done.stdout
    assert "asterix:25/10 (RADAR, 52.00000, 4.50000)" in done.stdout
    manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert manifest["summary"]["messages"] == len(pieces)
    assert manifest["source"] == {"file": "radar.pcapng", "format": "asterix",
                                  "input": "pcapng", "port": 8600, "tz": "UTC"}  # fmt: skip

    done = dronewall("track", str(run), "--out", str(tmp_path / "tracks"))
    assert done.code == 0, done
    tracks = read_tracks(tmp_path / "tracks" / "tracks.parquet").to_pydict()
    assert set(tracks["identity"]) == {f"{data.ICAO:06X}"}
    last = int(np.argmax(tracks["t"]))
    t_last = tracks["t"][last].timestamp()
    lat, lon, _ = data.aircraft(t_last)
    assert abs(tracks["lat_deg"][last] - lat) < 0.01 and abs(tracks["lon_deg"][last] - lon) < 0.01

    done = dronewall("assess", str(tmp_path / "tracks"), "--out", str(tmp_path / "assessed"))
    assert done.code == 0, done
    assert (tmp_path / "assessed" / "classes.parquet").is_file()

    _truth(tmp_path / "truth", 240)
    done = dronewall("score", str(tmp_path / "tracks"), "--truth", str(tmp_path / "truth"),
                     "--json", str(tmp_path / "score.json"))  # fmt: skip
    assert done.code == 0, done
    figures = json.loads((tmp_path / "score.json").read_text(encoding="utf-8"))
    assert figures  # GOSPA and SIAP of the radar track against where the aircraft flew


def test_beast_recording_with_start_and_a_stored_run(tmp_path: Path) -> None:
    frames = data.modes_frames(60)
    (tmp_path / "rx.beast").write_bytes(data.beast(frames))
    start = dt.datetime.fromtimestamp(frames[0][0], dt.UTC).isoformat()
    done = dronewall("ingest", str(tmp_path / "rx.beast"), "--format", "beast", "--start",
                     start, "--name", "roof", "--out", str(tmp_path / "adsb"))  # fmt: skip
    assert done.code == 0, done
    reports = read_reports(tmp_path / "adsb" / "reports.parquet")
    np.testing.assert_allclose(reports.t_measured, [t for t, _ in frames[2:]], atol=1e-5)

    spec = ingest_spec("asterix", None, Shortcuts(lat=data.RADAR[0], lon=data.RADAR[1],
                       alt=data.RADAR[2], sac=data.SAC, sic=data.SIC))  # fmt: skip
    store = SQLiteStore(tmp_path / "dw.db")
    store.start_run(RunInfo("run-7", "feeds:asterix", data.T0, data.T0 + 60, data.T0,
                            {"feeds": [spec_to_json(spec)]}))  # fmt: skip
    store.add_raw("run-7", [RawMessage("asterix", t + 0.05, "192.0.2.1:40000", b)
                            for t, b in data.asterix(60)])  # fmt: skip
    store.end_run("run-7", data.T0 + 60)
    store.close()
    url = f"sqlite:///{tmp_path / 'dw.db'}"
    done = dronewall("ingest", "--store", url, "--run", "run-7", "--out", str(tmp_path / "s"))
    assert done.code == 0, done
    assert "run run-7 (store, asterix)" in done.stdout
    assert len(read_reports(tmp_path / "s" / "reports.parquet")) == 15
    done = dronewall("ingest", "--store", url, "--run", "run-8", "--out", str(tmp_path / "s"))
    assert_one_line_error(done, "run-8")


def test_malformed_files_answer_one_line(tmp_path: Path) -> None:
    good = cap.pcap_udp([cap.Packet(data.T0, b"x")])
    cases = {
        "cut.pcap": (good[:13], "truncated pcap file header"),
        "link.pcap": (good[:20] + struct.pack("<I", 147) + good[24:], "link type 147"),
        "text.pcap": (b"MSG,3,1,1,4840D6\n", "not a pcap or pcapng capture"),
    }
    for name, (content, words) in cases.items():
        (tmp_path / name).write_bytes(content)
        done = dronewall("ingest", str(tmp_path / name), "--format", "asterix",
                         "--out", str(tmp_path / "o"))  # fmt: skip
        assert_one_line_error(done, words)
    (tmp_path / "web.pcap").write_bytes(cap.pcap_udp([]) + cap.pcap([(1.0, b"\x00" * 60)])[24:])
    done = dronewall("ingest", str(tmp_path / "web.pcap"), "--format", "remoteid",
                     "--out", str(tmp_path / "o"))  # fmt: skip
    assert "nothing to decode" in done.stderr and done.code == 2, done
    assert_one_line_error(dronewall("ingest", "--out", str(tmp_path / "o")), "give a FILE")
    done = dronewall("ingest", str(tmp_path / "cut.pcap"), "--out", str(tmp_path / "o"))
    assert_one_line_error(done, "--format is needed")
    done = dronewall("ingest", str(tmp_path / "cut.pcap"), "--format", "beast", "--start",
                     "yesterday", "--out", str(tmp_path / "o"))  # fmt: skip
    assert_one_line_error(done, "--start must be an ISO 8601 time")
