"""Binary column frames: the same values as the JSON frame, served on /ws?format=columns,
and malformed messages rejected with a clear error."""

from __future__ import annotations

import contextlib
import json
import struct
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewall.runtime.pipeline import Pipeline
from dronewall.server import ServerSettings, create_app
from dronewall.server.columns import ColumnsError, decode_columns, decode_header, encode_columns
from dronewall.server.encode import frame_columns
from dronewall.store.sqlite import SQLiteStore

SCALARS = {"type": "frame", "run_id": "r", "t": 1.0, "seq": 3, "wall_ingest": 2.0,
           "wall_sent": 2.5}  # fmt: skip


@pytest.fixture(scope="module")
def client(finished_run: tuple[Pipeline, SQLiteStore]) -> Iterator[TestClient]:
    pipeline, store = finished_run
    with TestClient(create_app(ServerSettings(), store=store, feed=pipeline)) as c:
        yield c


def test_columns_carry_the_json_frame(finished_run: tuple[Pipeline, SQLiteStore]) -> None:
    pipeline, _ = finished_run
    frame = pipeline.latest
    assert len(frame) > 0
    data = encode_columns(frame, SCALARS)
    got = decode_columns(data)
    ref = frame_columns(frame)
    assert got["n"] == ref["n"] == len(frame)
    assert {k: got[k] for k in SCALARS} == SCALARS
    for name, values in ref.items():
        if name == "n":
            continue
        if isinstance(got[name], list):  # text: exactly the same strings
            assert got[name] == [str(v) for v in values], name
        else:  # numbers: the JSON rounds them, the columns keep float32 or float64
            expected = np.array([np.nan if v is None else v for v in values], float)
            np.testing.assert_allclose(got[name], expected, rtol=1e-6, atol=0.51)
    np.testing.assert_array_equal(got["id"], frame.track_id)
    np.testing.assert_allclose(got["lat"], frame.lat_deg, rtol=0, atol=1e-5)  # float32, < 1 m


def test_ids_beyond_32_bits_keep_float64() -> None:
    from dronewall.server.columns import _ids

    assert _ids(np.array([1, 2**32 - 1])).dtype == np.uint32
    big = _ids(np.array([1, 2**40 + 3]))
    assert big.dtype == np.float64 and big[1] == 2**40 + 3


def test_columns_are_aligned_for_typed_array_views(
    finished_run: tuple[Pipeline, SQLiteStore],
) -> None:
    data = encode_columns(finished_run[0].latest, SCALARS)
    header = decode_header(data)
    body = 8 + struct.unpack_from("<I", data, 4)[0]
    assert body % 8 == 0
    assert all(c["offset"] % 8 == 0 for c in header["columns"])


def test_websocket_serves_columns_on_request(client: TestClient) -> None:
    with client.websocket_connect("/ws?format=columns") as ws:
        assert ws.receive_json()["type"] == "hello"
        assert ws.receive_json()["type"] == "alerts"
        raw = ws.receive()
        frame = decode_columns(raw["bytes"])
        assert frame["type"] == "frame" and frame["n"] == len(frame["id"]) > 0
    with client.websocket_connect("/ws") as ws:  # the default stays JSON
        ws.receive_json()
        ws.receive_json()
        assert json.loads(ws.receive()["bytes"])["type"] == "frame"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "shorter than its prefix"),
        (b"XXXX\x00\x00\x00\x00", "not b'DWC1'"),
        (b"DWC1\xff\x00\x00\x00{}", "runs past"),
        (b"DWC1\x02\x00\x00\x00{x", "not UTF-8 JSON"),
        (b"DWC1\x02\x00\x00\x00[]", "not a JSON object"),
        (b'DWC1\x09\x00\x00\x00{"n": -1}', "integer n"),
    ],
)
def test_malformed_column_frames_are_rejected(data: bytes, message: str) -> None:
    with pytest.raises(ColumnsError, match=message):
        decode_columns(data)


def test_a_column_beyond_the_message_is_rejected(
    finished_run: tuple[Pipeline, SQLiteStore],
) -> None:
    data = encode_columns(finished_run[0].latest, SCALARS)
    with pytest.raises(ColumnsError, match="does not fit"):
        decode_columns(data[:-64])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.integers(0, 300))
def test_fuzzed_column_frames_fail_cleanly(noise: bytes, cut: int) -> None:
    """Random and truncated messages: a ColumnsError or a decoded frame, never anything else."""
    header = json.dumps({"n": 2, "columns": [{"name": "x", "dtype": "f8", "offset": 0}]})
    padded = header.encode() + b" " * (-len(header) % 8)
    good = b"DWC1" + struct.pack("<I", len(padded)) + padded + np.arange(2.0).tobytes()
    for data in (noise, b"DWC1" + noise, good[:cut] + noise):
        with contextlib.suppress(ColumnsError):
            decode_columns(data)
    np.testing.assert_array_equal(decode_columns(good)["x"], [0.0, 1.0])
