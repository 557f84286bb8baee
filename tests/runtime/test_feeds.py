"""The live-feed source: transports into adapters, adapters into ReportBatches with indices
from the live sensor table, raw bytes kept, rejects counted, a pipeline fed to tracks."""

from __future__ import annotations

import math
import socket
import time
from collections.abc import Iterator

import numpy as np
import pytest

from dronewall.assess import protected_zones
from dronewall.core.types import MeasurementKind, SensorKind
from dronewall.runtime.feeds import FeedSource, FeedStartError, RawReplaySource
from dronewall.runtime.feedspec import FeedSpec, parse_feed_url
from dronewall.runtime.pipeline import Pipeline, PipelineSettings
from dronewall.sensors.feed import FeedOutput, Report, SensorInfo
from dronewall.store import open_store
from dronewall.world import load_world


class LineAdapter:
    """A test format: ``key,t,lat,lon,alt`` lines, one report each (or ``radar,…`` to say
    where a radar stands: ``radar,key,lat,lon``)."""

    def __init__(self, spec: FeedSpec):
        self.output = FeedOutput()
        self.spec = spec

    def receive(self, data: bytes, t_receive: float) -> None:
        for line in data.decode(errors="replace").splitlines():
            parts = line.split(",")
            try:
                if parts[0] == "radar":
                    self.output.sensors.append(
                        SensorInfo(parts[1], SensorKind.RADAR, float(parts[2]), float(parts[3]))
                    )
                    continue
                key, t, lat, lon, alt = parts[0], *map(float, parts[1:])
            except (ValueError, IndexError):
                self.output.reject("syntax", line[:40])
                continue
            self.output.messages += 1
            self.output.reports.append(
                Report(key, SensorKind.REMOTE_ID, MeasurementKind.POSITION, t, lat, lon, alt,
                       20.0, 20.0, identity="UA1")
            )  # fmt: skip


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _send(port: int, lines: list[str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for line in lines:
            s.sendto(line.encode(), ("127.0.0.1", port))


def _source(port: int, **kw: object) -> FeedSource:
    spec = parse_feed_url(f"remoteid+udp://127.0.0.1:{port}?name=rx&lat=55.6&lon=12.6")
    return FeedSource([spec], {"remoteid": LineAdapter}, flush_s=0.02, **kw)  # type: ignore[arg-type]


def _collect(chunks: Iterator[object], want: int, timeout: float = 10.0) -> list[object]:
    got, deadline = [], time.monotonic() + timeout
    for batch in chunks:
        got.append(batch)
        if sum(len(b) for b in got) >= want or time.monotonic() > deadline:  # type: ignore[arg-type]
            break
    return got


def test_udp_feed_gives_batches_with_table_indices_and_keeps_raw_bytes() -> None:
    port = _free_udp_port()
    source = _source(port)
    source.open()
    try:
        now = time.time()
        _send(port, [f"rx,{now},55.6,12.6,100", "garbage", f"other,{now},55.7,12.7,90"])
        batches = _collect(source.chunks(), 2)
    finally:
        source.close()
    reports = [b for b in batches if len(b)]  # type: ignore[arg-type]
    rows = sum(len(b) for b in reports)  # type: ignore[arg-type]
    assert rows == 2
    state = source.feeds["rx"]
    assert state.rejects == {"syntax": 1}
    assert state.messages == 2
    keys = {r.info.key: r.index for r in source.table.rows()}
    assert keys["rx"] == 0 and "other" in keys  # the receiver is declared from the URL first
    raw = source.take_raw()
    assert [m.data for m in raw] == [f"rx,{now},55.6,12.6,100".encode(), b"garbage",
                                     f"other,{now},55.7,12.7,90".encode()]  # fmt: skip
    assert all(m.feed == "rx" and m.peer.startswith("127.0.0.1:") for m in raw)
    health = {row["key"]: row for row in source.table.snapshot(time.time())}
    assert health["rx"]["state"] == "ok" and health["rx"]["reports"] == 1


def test_a_port_in_use_is_one_clear_error() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        source = _source(port)
        with pytest.raises(FeedStartError, match=f"feed rx .*{port}"):
            source.open()


def test_radar_reports_need_the_radar_position() -> None:
    source = _source(_free_udp_port())
    adapter = source.feeds["rx"].adapter
    out = adapter.output
    out.reports.append(Report("r1", SensorKind.RADAR, MeasurementKind.RADAR, 1.0, range_m=1e3,
                              azimuth_deg=10, elevation_deg=1, sigma_range_m=10,
                              sigma_azimuth_deg=1, sigma_elevation_deg=1))  # fmt: skip
    assert len(source._batch_now(1.0)) == 0
    assert source.feeds["rx"].rejects == {"sensor_position_unknown": 1}
    adapter.receive(b"radar,r1,54.0,18.0", 2.0)
    out.reports.append(Report("r1", SensorKind.RADAR, MeasurementKind.RADAR, 2.0, range_m=1e3,
                              azimuth_deg=10, elevation_deg=1, sigma_range_m=10,
                              sigma_azimuth_deg=1, sigma_elevation_deg=1))  # fmt: skip
    batch = source._batch_now(2.0)
    assert len(batch) == 1 and source.sensors.lat_deg[batch.sensor_index[0]] == 54.0


def _track_lines(t0: float, n: int) -> list[str]:
    # A drone flying east at 20 m/s, one fix a second.
    return [f"rx,{t0 + i},55.6,{12.6 + i * 20 / 63_000:.7f},100" for i in range(n)]


def test_pipeline_on_a_live_feed_tracks_records_raw_and_reprocesses_the_same() -> None:
    port = _free_udp_port()
    store = open_store("sqlite:///:memory:")
    settings = PipelineSettings(speed=math.inf)
    source = _source(port)
    source.open()  # bound before anything is sent, as feeds_pipeline does
    pipeline = Pipeline(source, protected_zones(load_world()), store, settings)
    pipeline.start()
    t0, sent = time.time() - 5, 0  # a drone reporting once a second, a little in the past
    deadline = time.monotonic() + 30  # (the first run compiles the tracker's kernels)
    while pipeline.summary.tracks == 0 and time.monotonic() < deadline:
        while t0 + sent < time.time():
            _send(port, [_track_lines(t0, sent + 1)[-1]])
            sent += 1
        time.sleep(0.05)
    time.sleep(0.5)  # the last datagram is received before the stop
    pipeline.stop()
    assert pipeline.join(20)
    assert pipeline.summary.tracks == 1, pipeline.summary
    assert pipeline.latest.identity[0] == "UA1"
    raw = store.raw(pipeline.run_id)
    assert len(raw) == sent
    # The same bytes through the same decoders: the same reports.
    recorded = store.run(pipeline.run_id).settings["feeds"]
    assert recorded[0]["name"] == "rx"
    again = RawReplaySource(_source(_free_udp_port()), store, pipeline.run_id)
    replayed = [b for b in again.chunks() if len(b)]
    first = store.reports(pipeline.run_id)
    assert sum(len(b) for b in replayed) == len(first) == sent
    joined = type(first).concat(replayed)
    np.testing.assert_array_equal(joined.lon_deg, first.lon_deg)
    np.testing.assert_array_equal(joined.t_measured, first.t_measured)
    store.close()
