"""``runtime.ingest``: every input format decoded into a run directory with the right times —
captures (pcap, pcapng, gzipped) of ASTERIX and Remote ID datagrams, raw ASTERIX blocks on a
running date across midnight, Beast/AVR by the 12 MHz counter (from ``start`` or the file's
modification time), SBS on its own clock in a zone, Remote ID messages on a running hour,
JSON lines (Remote ID, MQTT) at their stated times, and a store run's raw messages — plus
the clocks that stamp them."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import math
import os
import random
from pathlib import Path

import numpy as np
import pytest

from dronewall.core.errors import ConfigError, DataError
from dronewall.core.types import MeasurementKind, SensorKind
from dronewall.records import read_reports, read_sensors
from dronewall.runtime.feeds import spec_to_json
from dronewall.runtime.ingest import IngestOptions, ingest_file, ingest_store
from dronewall.runtime.ingest_clocks import DayClock, HourClock, SbsTime, TickClock
from dronewall.runtime.ingest_modes import avr_units, beast_units, sbs_messages, stamped_messages
from dronewall.runtime.ingest_sources import (
    REMOTEID_TIME_KEYS,
    InputStats,
    _time_of_day,
    asterix_messages,
    json_line_messages,
    remoteid_messages,
)
from dronewall.runtime.ingest_spec import Shortcuts, ingest_spec
from dronewall.store import RawMessage, RunInfo, SQLiteStore
from tests.records import captures as cap
from tests.runtime import ingest_data as data

RADAR = Shortcuts(lat=data.RADAR[0], lon=data.RADAR[1], alt=data.RADAR[2], sac=data.SAC,
                  sic=data.SIC)  # fmt: skip
RECEIVER = Shortcuts(lat=data.RADAR[0], lon=data.RADAR[1], alt=data.RADAR[2])
DELAY = 0.05  # from the radar to the capture point


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _ingest(
    tmp: Path, name: str, content: bytes, fmt: str, given: Shortcuts, **options: object
) -> tuple[object, Path]:
    path = _write(tmp / name, content)
    out = tmp / f"out-{name}"
    spec = ingest_spec(fmt, None, given)
    return ingest_file(path, spec, IngestOptions(**options), out), out  # type: ignore[arg-type]


def test_asterix_pcap_datagrams_at_capture_times(tmp_path: Path) -> None:
    pieces = data.asterix(60)
    packets = [cap.Packet(t + DELAY, block) for t, block in pieces]
    summary, out = _ingest(tmp_path, "radar.pcap", cap.pcap_udp(packets), "asterix", RADAR)
    assert summary.input == "pcap" and summary.units == len(pieces)  # type: ignore[attr-defined]
    assert summary.messages == len(pieces) and not summary.rejects  # type: ignore[attr-defined]
    reports = read_reports(out / "reports.parquet")
    plots = [t for t, b in pieces if b[0] == 48]
    assert len(reports) == len(plots)
    # the plot's own time of day (1/128 s), on the capture's date
    np.testing.assert_allclose(reports.t_measured, np.array(plots) - 0.01, atol=1 / 128)
    # t_arrival: the end of the 50 ms flush in which the datagram was captured
    captured = np.array(plots) + DELAY
    assert np.all(reports.t_arrival >= captured - 1e-6)
    assert np.all(reports.t_arrival <= captured + 0.05 + 1e-6)
    assert set(reports.measurement) == {int(MeasurementKind.RADAR)}
    assert set(reports.identity) == {f"{data.ICAO:06X}"}
    sensors = read_sensors(out / "sensors.parquet").to_pylist()
    assert [(s["sensor_id"], s["kind"], s["lat_deg"]) for s in sensors] == [
        ("asterix:25/10", "RADAR", data.RADAR[0])
    ]


def test_pcapng_filters_by_port_and_host_and_counts_the_rest(tmp_path: Path) -> None:
    pieces = data.asterix(20)
    packets = [cap.Packet(t + DELAY, b) for t, b in pieces]
    stranger = "198.51.100.7"
    others = [cap.Packet(data.T0 + 1, b"\x30\x00\x05xx", dport=9999),
              cap.Packet(data.T0 + 2, b"\x30\x00\x05xx", src=stranger, dst=stranger)]  # fmt: skip
    content = cap.pcapng_udp(packets + others, tsresol=9)
    content += cap.epb(0, 5, cap.ethernet(cap.ipv4(packets[0], protocol=6)))  # TCP
    summary, out = _ingest(tmp_path, "radar.pcapng", content, "asterix", RADAR, port=8600,
                           host="192.0.2.2")  # fmt: skip
    assert summary.input == "pcapng"  # type: ignore[attr-defined]
    assert summary.units == len(pieces)  # type: ignore[attr-defined]
    assert summary.problems == {"not_udp": 1, "other_port": 1, "other_host": 1}  # type: ignore[attr-defined]
    assert len(read_reports(out / "reports.parquet")) == len(pieces) // 2


def test_gzipped_capture(tmp_path: Path) -> None:
    packets = [cap.Packet(t + DELAY, b) for t, b in data.asterix(20)]
    summary, _ = _ingest(tmp_path, "radar.pcap.gz", gzip.compress(cap.pcap_udp(packets)),
                         "asterix", RADAR)  # fmt: skip
    assert summary.reports == len(packets) // 2  # type: ignore[attr-defined]


def test_raw_asterix_on_a_running_date_across_midnight(tmp_path: Path) -> None:
    t0 = data.DAY + 86_400 - 30  # 23:59:30, the day after T0's
    pieces = data.asterix(60, t0)
    garbage = b"\x30\x00\x04\xff" + b"\x99" * 7  # a cut block and octets out of step
    content = b"".join(b for _, b in pieces[:6]) + garbage + b"".join(b for _, b in pieces[6:])
    summary, out = _ingest(tmp_path, "radar.ast", content, "asterix", RADAR,
                           date=dt.date(2025, 10, 2))  # fmt: skip
    reports = read_reports(out / "reports.parquet")
    plots = np.array([t for t, b in pieces if b[0] == 48]) - 0.01
    np.testing.assert_allclose(reports.t_measured, plots, atol=1 / 128)
    assert reports.t_measured.max() > data.DAY + 86_400  # past midnight: 3 October
    assert sum(summary.rejects.values()) >= 1  # type: ignore[attr-defined]


def test_raw_asterix_date_defaults_to_the_files_modification_day(tmp_path: Path) -> None:
    path = _write(tmp_path / "radar.ast", b"".join(b for _, b in data.asterix(20)))
    os.utime(path, (data.T0 + 3600, data.T0 + 3600))
    spec = ingest_spec("asterix", None, RADAR)
    ingest_file(path, spec, IngestOptions(), tmp_path / "out")
    reports = read_reports(tmp_path / "out" / "reports.parquet")
    assert abs(reports.t_measured[0] - data.T0) < 1


@pytest.mark.parametrize("fmt", ["beast", "avr"])
def test_beast_and_avr_by_the_counter_from_start(tmp_path: Path, fmt: str) -> None:
    frames = data.modes_frames(120)
    content = data.beast(frames) if fmt == "beast" else data.avr(frames)
    summary, out = _ingest(tmp_path, f"rx.{fmt}", content, fmt, RECEIVER, start=data.T0)
    reports = read_reports(out / "reports.parquet")
    assert summary.messages == len(frames) and len(reports) == len(frames) - 1  # type: ignore[attr-defined]
    times = np.array([t for t, _ in frames[1:]])  # the identification gives no fix
    np.testing.assert_allclose(reports.t_measured, times, atol=1e-6)
    lat = np.array([data.aircraft(t)[0] for t in times])
    np.testing.assert_allclose(reports.lat_deg, lat, atol=1e-4)
    assert set(reports.sensor_kind) == {int(SensorKind.ADSB)}


def test_beast_start_defaults_to_the_last_frame_at_the_modification_time(tmp_path: Path) -> None:
    frames = data.modes_frames(30)
    path = _write(tmp_path / "rx.beast", data.beast(frames))
    os.utime(path, (frames[-1][0], frames[-1][0]))
    ingest_file(path, ingest_spec("beast", None, RECEIVER), IngestOptions(), tmp_path / "o")
    reports = read_reports(tmp_path / "o" / "reports.parquet")
    np.testing.assert_allclose(reports.t_measured, [t for t, _ in frames[1:]], atol=1e-5)


def test_sbs_lines_on_their_own_clock_in_a_zone(tmp_path: Path) -> None:
    lines = data.sbs(60, zone_s=7200)  # a dump1090-fa at UTC+2 writes local time
    _, out = _ingest(tmp_path, "rx.sbs", b"".join(b for _, b in lines), "sbs", RECEIVER,
                           tz="+02:00")  # fmt: skip
    reports = read_reports(out / "reports.parquet")
    assert len(reports) == len(lines)
    np.testing.assert_allclose(reports.t_measured, [t for t, _ in lines], atol=1e-3)
    assert np.all(reports.t_arrival >= reports.t_measured - 1e-6)


def test_remoteid_capture_and_raw_messages(tmp_path: Path) -> None:
    packs = data.remoteid_packs(60)
    packets = [cap.Packet(t + 0.3, p, dport=4242) for t, p in packs]
    _, out = _ingest(tmp_path, "rid.pcap", cap.pcap_udp(packets), "remoteid", RECEIVER)
    by_capture = read_reports(out / "reports.parquet")
    # the same messages in a raw file: timestamps after the hour, on an hour from --start
    raw = b"".join(p[3:] for _, p in packs[:30]) + b"".join(p for _, p in packs[30:])
    _, out = _ingest(tmp_path, "rid.bin", raw, "remoteid", RECEIVER, start=data.T0 + 1200)
    by_file = read_reports(out / "reports.parquet")
    for reports in (by_capture, by_file):
        assert len(reports) == len(packs)
        np.testing.assert_allclose(reports.t_measured, [t for t, _ in packs], atol=0.11)
        # (bare messages apart, with no sender to join them by, carry no UAS ID)
        assert {i[:16] for i in reports.identity[30:]} == {"1581F5FKD229400B"}


def test_remoteid_json_lines_at_their_times(tmp_path: Path) -> None:
    lines = data.remoteid_json(40)
    _, out = _ingest(tmp_path, "rid.jsonl", b"".join(b for _, b in lines), "remoteid-json",
                     RECEIVER)  # fmt: skip
    reports = read_reports(out / "reports.parquet")
    assert len(reports) == len(lines)
    np.testing.assert_allclose(reports.t_arrival - reports.t_measured, 0.025, atol=0.026)


def test_mqtt_recording(tmp_path: Path) -> None:
    lines = data.mqtt_lines(30)
    summary, out = _ingest(tmp_path, "nodes.jsonl", b"".join(b for _, b in lines), "mqtt",
                           Shortcuts())  # fmt: skip
    reports = read_reports(out / "reports.parquet")
    assert len(reports) == 30 and set(reports.measurement) == {int(MeasurementKind.BEARING)}
    np.testing.assert_allclose(reports.t_measured, [t - 0.2 for t, _ in lines[1:]], atol=1e-6)
    sensors = read_sensors(out / "sensors.parquet").to_pylist()
    assert [(s["kind"], s["lat_deg"]) for s in sensors] == [("ACOUSTIC", data.NODE_AT[0])]
    assert summary.messages == len(lines)  # type: ignore[attr-defined]


def test_a_store_runs_raw_messages_decode_as_the_file_does(tmp_path: Path) -> None:
    pieces = data.asterix(40)
    spec = ingest_spec("asterix", None, RADAR)
    store = SQLiteStore(tmp_path / "dw.db")
    info = RunInfo("run-1", "feeds:asterix", data.T0, data.T0 + 40, data.T0,
                   {"feeds": [spec_to_json(spec)]})  # fmt: skip
    store.start_run(info)
    store.add_raw("run-1", [RawMessage("asterix", t + DELAY, "192.0.2.1:40000", b)
                            for t, b in pieces])  # fmt: skip
    store.end_run("run-1", data.T0 + 40)
    summary = ingest_store(store, "run-1", tmp_path / "from-store")
    store.close()
    packets = [cap.Packet(t + DELAY, b) for t, b in pieces]
    _, out = _ingest(tmp_path, "radar.pcap", cap.pcap_udp(packets), "asterix", RADAR)
    a = read_reports(tmp_path / "from-store" / "reports.parquet")
    b = read_reports(out / "reports.parquet")
    assert summary.input == "store" and len(a) == len(b) == 10
    for name in ("t_measured", "t_arrival", "range_m", "azimuth_deg", "sensor_index"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_what_cannot_come_this_way(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.pcap", b"MSG,3,1,1,4840D6,1")
    with pytest.raises(DataError, match="not a pcap"):
        ingest_file(path, ingest_spec("sbs", None, Shortcuts()), IngestOptions(), tmp_path / "o")
    path = _write(tmp_path / "x.sbs", b"MSG,3,1,1,4840D6,1\n")
    with pytest.raises(ConfigError, match="filter captures"):
        ingest_file(path, ingest_spec("sbs", None, Shortcuts()), IngestOptions(port=1),
                    tmp_path / "o")  # fmt: skip
    path = _write(tmp_path / "m.pcap", cap.pcap_udp([cap.Packet(1.0, b"{}")]))
    with pytest.raises(ConfigError, match="MQTT"):
        ingest_file(path, ingest_spec("mqtt", None, Shortcuts()), IngestOptions(), tmp_path / "o")
    with pytest.raises(ConfigError, match="--lat, --lon and --alt"):
        ingest_spec("asterix", None, Shortcuts(sac=1, sic=2))


def test_feeds_file_picks_the_feed_of_the_format(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        '[[feed]]\nurl = "beast+tcp://rx:30005"\nname = "roof"\nlat = 52.1\nlon = 4.4\n'
        '[[feed]]\nurl = "asterix://239.1.1.1:8600"\nname = "psr"\n'
        '[[feed.sensor]]\nkey = "25/10"\nlat = 52.0\nlon = 4.5\nalt = 30.0\n',
        encoding="utf-8",
    )
    assert ingest_spec("beast", feeds, Shortcuts(alt=3.0)).lat_deg == 52.1
    assert ingest_spec("beast", feeds, Shortcuts(alt=3.0)).alt_m == 3.0
    assert ingest_spec("asterix", feeds, Shortcuts()).sensors[0]["key"] == "25/10"
    with pytest.raises(ConfigError, match="no \\[\\[feed\\]\\] of format sbs"):
        ingest_spec("sbs", feeds, Shortcuts())


# ---- clocks ------------------------------------------------------------------------------
def test_tick_clock_unwraps_restarts_and_ignores_a_corrupt_stamp() -> None:
    clock = TickClock()
    hz = 12_000_000
    base = (1 << 48) - 6 * hz + 1000  # wraps after 6 s
    stamps = [base + k * hz for k in range(10)]
    stamps[4] ^= 1 << 40  # one flipped bit: a jump of a day nobody confirms
    times = [clock.time(s % (1 << 48)) for s in stamps]
    assert times[:4] == pytest.approx([0, 1, 2, 3]) and times[5:] == pytest.approx([5, 6, 7, 8, 9])
    assert clock.outliers == 1
    restarted = [1000, hz + 1000, 2 * hz + 1000]  # the receiver started counting afresh
    times = [clock.time(t) for t in restarted]
    assert times == pytest.approx([9, 10, 11]) and clock.restarts == 1
    assert clock.time(0) == pytest.approx(11) and clock.unstamped == 1


def test_day_clock_and_block_times() -> None:
    clock = DayClock(dt.date(2025, 10, 2))
    midnight = dt.datetime(2025, 10, 2, tzinfo=dt.UTC).timestamp()
    assert clock.time(86_399.0) == midnight + 86_399
    assert clock.time(1.0) == midnight + 86_401  # after midnight: the next day …
    assert clock.time(2.0) == midnight + 86_402 and clock.days == 1  # … once confirmed
    assert clock.time(86_399.5) == midnight + 86_399.5  # a late block of the day before
    assert clock.time(None) == midnight + 86_402
    block = data.asterix(4)[0][1]
    assert _time_of_day(block) == pytest.approx((data.T0 - data.DAY) % 86_400)
    assert _time_of_day(data.asterix(4)[1][1]) == pytest.approx((data.T0 - data.DAY) % 86_400)
    assert _time_of_day(b"\x30\x00\x04\x80") is None


def test_hour_clock_and_sbs_time() -> None:
    clock = HourClock(data.T0 + 1500)  # 25 min off: the first stamp still picks the hour
    assert clock.time(5.0) == data.T0 + 5 and clock.time(math.nan) == data.T0 + 5
    assert clock.time(3599.0) == data.T0 + 5  # never backwards
    paris = SbsTime("Europe/Paris")
    assert paris("2025/10/02", "14:00:00.000") == data.T0  # CEST, UTC+2
    assert SbsTime("+02:00")("2025/10/02", "14:00:00.000") == data.T0
    assert SbsTime()("2025/10/02", "12:00:00.500") == data.T0 + 0.5
    assert SbsTime()("garbage", "12:00") is None
    with pytest.raises(ConfigError, match="time zone"):
        SbsTime("Mars/Olympus")


# ---- the cutters never lose, repeat or raise ----------------------------------------------
def _cut(fmt: str, content: bytes) -> list[RawMessage]:
    stream = io.BytesIO(content)
    stats = InputStats()
    if fmt == "asterix":
        return list(asterix_messages(stream, "f", DayClock(dt.date(2025, 10, 2)), stats))
    if fmt in ("beast", "avr"):
        units = beast_units if fmt == "beast" else avr_units
        return list(stamped_messages(stream, "f", units, data.T0, stats))
    if fmt == "sbs":
        return list(sbs_messages(stream, "f", SbsTime(), data.T0, stats))
    if fmt == "remoteid":
        return list(remoteid_messages(stream, "f", HourClock(data.T0), stats))
    return list(json_line_messages(stream, "f", data.T0, stats, REMOTEID_TIME_KEYS))


def test_fuzz_cutters_hand_on_every_byte_once_with_finite_times() -> None:
    rng = random.Random(7)
    frames = data.modes_frames(20)
    seeds = {
        "asterix": b"".join(b for _, b in data.asterix(40)),
        "beast": data.beast(frames),
        "avr": data.avr(frames),
        "sbs": b"".join(b for _, b in data.sbs(20)),
        "remoteid": b"".join(p for _, p in data.remoteid_packs(20)),
        "remoteid-json": b"".join(b for _, b in data.remoteid_json(20)),
    }
    n = 0
    for fmt, seed in seeds.items():
        for _ in range(3_000):
            content = bytearray(seed)
            for _ in range(rng.randint(1, 6)):
                i = rng.randrange(len(content))
                if rng.random() < 0.6:
                    content[i] = rng.randrange(256)
                else:
                    content[i:i] = rng.randbytes(rng.randint(1, 30))
            if rng.random() < 0.3:
                del content[rng.randrange(len(content)) :]
            messages = _cut(fmt, bytes(content))
            assert b"".join(m.data for m in messages) == content, fmt
            assert all(math.isfinite(m.t_receive) for m in messages), fmt
            n += 1
        noise = rng.randbytes(5000)
        assert b"".join(m.data for m in _cut(fmt, noise)) == noise
    assert n == 18_000
