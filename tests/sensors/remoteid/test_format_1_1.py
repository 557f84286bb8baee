"""Remote ID in report format 1.1: the vertical speed and the UA type's emitter category
reach the report, and identities of every ID type survive whole from the datagram through the
feed's batch into ``reports.parquet`` and the store and back — a 20-character ANSI/CTA-2063-A
serial, a UTM UUID (36 characters as text) and a specific session ID (38 hex digits)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dronewall.records import RecordWriter, read_reports, report_table
from dronewall.records.parquet import REPORT_SCHEMA
from dronewall.runtime.feeds import _batch
from dronewall.sensors.remoteid import RemoteIdAdapter
from dronewall.sensors.remoteid import encode as enc
from dronewall.sensors.remoteid.messages import BasicId
from dronewall.sensors.remoteid.reports import UA_CATEGORY, UAV
from dronewall.store import RunInfo, SQLiteStore
from tests.sensors.remoteid.test_adapter import HOUR, location

SERIAL_20 = "1581F5FJD23190000K7Z"  # CTA-2063-A: 4 MFR code, length char "F" (15), 15 chars
UUID = "0f8e2b7c-5d4a-49f6-b1e3-a2c4d5e6f708"
SESSION = "01" + "AB" * 18  # session ID type 1 and 18 bytes: 38 hex digits
IDS = [(1, SERIAL_20), (3, UUID), (4, SESSION)]


def _reports() -> RemoteIdAdapter:
    a = RemoteIdAdapter("rid-1")
    for i, (id_type, uas_id) in enumerate(IDS):
        pack = enc.encode_pack([enc.encode_basic_id(BasicId(id_type, 2, uas_id)), location()])
        a.receive(pack, HOUR + 601.0, source=f"10.0.0.{i}")
    return a


def test_every_id_type_names_its_reports_whole() -> None:
    got = [r.identity for r in _reports().output.reports]
    assert got == [uas_id for _, uas_id in IDS]
    assert [len(i) for i in got] == [20, 36, 38]


def test_vertical_speed_and_ua_type_category() -> None:
    (r, *_) = _reports().output.reports
    assert r.vertical_rate_mps == -1.5 and r.emitter_category == UAV  # multirotor
    assert UA_CATEGORY[8] == 0xB2 and UA_CATEGORY[11] == 0xB3 and len(UA_CATEGORY) == 16


def test_identities_survive_batch_parquet_and_store(tmp_path: Path) -> None:
    reports = _reports().output.reports
    batch = _batch([(r, 0) for r in reports], 0, HOUR + 602.0)
    assert batch.identity.tolist() == [uas_id for _, uas_id in IDS]
    assert batch.emitter_category.tolist() == [UAV] * 3
    np.testing.assert_array_equal(batch.vertical_rate_mps, [-1.5] * 3)

    path = tmp_path / "reports.parquet"
    with RecordWriter(path, REPORT_SCHEMA) as writer:
        writer.write(report_table(batch))
    assert read_reports(path).identity.tolist() == batch.identity.tolist()

    with SQLiteStore(tmp_path / "dw.db") as store:
        store.start_run(RunInfo("r", "test", HOUR, float("nan"), HOUR, {}))
        store.add_reports("r", batch)
        back = store.reports("r")
    assert back.identity.tolist() == batch.identity.tolist()
    assert back.emitter_category.tolist() == [UAV] * 3


@pytest.mark.parametrize("length", [20, 32, 64])
def test_json_ids_of_any_length(length: int) -> None:
    from dronewall.sensors.remoteid import RemoteIdJsonAdapter

    uas_id = ("1581F5FJD2" * 7)[:length]
    a = RemoteIdJsonAdapter("rid-json")
    line = f'{{"id": "{uas_id}", "lat": 52.2, "lon": 21.0, "alt": 150, "vspeed": 2.5}}\n'
    a.receive(line.encode(), HOUR + 601.0)
    (r,) = a.output.reports
    assert r.identity == uas_id and r.vertical_rate_mps == 2.5
