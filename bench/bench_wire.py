"""Benchmark: the picture frame on the wire — JSON, DWC1 binary columns, Arrow IPC.

Usage: python bench/bench_wire.py [--tracks 1000 10000] [--repeat 20]

A synthetic picture of ``--tracks`` tracks (drones of each kind, aircraft, unknowns, some
threatening a site, some with an identity) is encoded as the server does (``encode.py``
JSON through orjson, ``columns.py`` DWC1) and as an Arrow IPC stream with the same column
types (uint32 ids, float32 numbers, dictionary-encoded text; the frame's scalars in the
schema's metadata): median milliseconds and bytes. Then the browser side is estimated in
Node (``bench/wire_decode.mjs``): ``JSON.parse``, the map's DWC1 reader, and apache-arrow's
``tableFromIPC`` with every column read out (typed arrays; text as string arrays).

``--routes`` also times ``GET /api/tracks`` through FastAPI with and without the declared
``response_model`` (the route answers orjson bytes either way), and what validating the
frame at run time would cost (``Frame.model_validate_json``)."""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from dronewall.server.columns import _categorical, _ids, _text, encode_columns
from dronewall.server.encode import Categorical, encode_frame, frame_arrays, frame_message
from dronewall.store import PictureFrame

T0 = 1_796_688_000.0
HERE = Path(__file__).resolve().parent


def picture(n: int, seed: int = 1) -> PictureFrame:
    rng = np.random.default_rng(seed)
    label = rng.choice([0, 1, 2, 3], n, p=[0.15, 0.55, 0.1, 0.2]).astype(np.uint8)
    kind = np.where(label == 1, rng.integers(1, 5, n), 0).astype(np.uint8)
    affiliation = np.where(label == 1, rng.choice(["S", "H"], n), np.where(label == 3, "N", "U"))
    threat = np.arange(n) % 10 == 0
    return PictureFrame(
        t=T0,
        track_id=np.arange(1, n + 1, dtype=np.int64),
        lat_deg=rng.uniform(49.0, 55.0, n),
        lon_deg=rng.uniform(14.0, 24.0, n),
        alt_m=rng.uniform(50.0, 3000.0, n),
        speed_mps=rng.uniform(0.0, 120.0, n),
        course_deg=rng.uniform(0.0, 360.0, n),
        climb_mps=rng.normal(0.0, 2.0, n),
        sigma_m=rng.uniform(5.0, 200.0, n),
        label=label,
        probabilities=rng.dirichlet(np.ones(4), n),
        drone_kind=kind,
        affiliation=affiliation.astype("<U1"),
        priority=np.where(threat, rng.uniform(20.0, 90.0, n), 0.0),
        site_id=np.where(threat, rng.choice(["EPWA", "EKCH", "EYVI", "EETN"], n), "").astype(str),
        time_to_site_s=np.where(threat, rng.uniform(30.0, 900.0, n), np.nan),
        identity=np.array([f"{i:06X}" if x == 3 else "" for i, x in enumerate(label)], np.str_),
        sensor_kinds=np.zeros(n, np.uint16),
        alert_id=np.where(threat, np.arange(n) // 10 + 1, 0).astype(np.int64),
        class_reasons=[""] * n,
        threat_reasons=[""] * n,
    )


def scalars(seq: int = 7) -> dict[str, Any]:
    return {"type": "frame", "run_id": "r-bench", "t": T0, "seq": seq, "wall_ingest": T0,
            "wall_sent": T0 + 0.01}  # fmt: skip


def encode_arrow(f: PictureFrame, head: dict[str, Any]) -> bytes:
    """The frame as one Arrow IPC stream message, the same column types as DWC1."""
    names: list[str] = []
    arrays: list[pa.Array] = []
    for name, values in frame_arrays(f).items():
        if isinstance(values, Categorical):
            codes, distinct = _categorical(values)
            array: pa.Array = pa.DictionaryArray.from_arrays(codes, pa.array(distinct))
        elif values.dtype.kind in "US":
            codes, distinct = _text(values)
            array = pa.DictionaryArray.from_arrays(codes, pa.array(distinct))
        elif values.dtype.kind in "iu":
            array = pa.array(_ids(values))
        else:
            array = pa.array(values.astype(np.float32))
        names.append(name)
        arrays.append(array)
    batch = pa.RecordBatch.from_arrays(arrays, names=names)
    schema = batch.schema.with_metadata({"frame": orjson.dumps({**head, "n": len(f)})})
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_batch(batch.replace_schema_metadata(schema.metadata))
    return sink.getvalue()


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def best_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1e3


def server_side(f: PictureFrame, repeat: int, out: Path) -> dict[str, tuple[float, float, int]]:
    head = scalars()
    encoders: dict[str, Callable[[], bytes]] = {
        "json": lambda: encode_frame(frame_message(f, "r-bench", 7, T0), T0 + 0.01),
        "dwc1": lambda: encode_columns(f, head),
        "arrow": lambda: encode_arrow(f, head),
    }
    results = {}
    for name, encode in encoders.items():
        data = encode()
        (out / f"frame.{name}").write_bytes(data)
        results[name] = (median_ms(encode, repeat), best_ms(encode, repeat), len(data))
    return results


def browser_side(out: Path, repeat: int) -> dict[str, list[float]] | None:
    node = shutil.which("node")
    arrow = HERE.parent / "web" / "node_modules" / "apache-arrow" / "Arrow.node.mjs"
    if node is None or not arrow.exists():
        print("  (node or web/node_modules/apache-arrow missing: no decode figures)")
        return None
    script = HERE / "wire_decode.mjs"
    done = subprocess.run(
        [node, str(script), str(out), str(arrow), str(repeat)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    decoded: dict[str, list[float]] = json.loads(done.stdout)
    return decoded


def routes(f: PictureFrame, repeat: int) -> None:
    from fastapi import FastAPI
    from fastapi.responses import Response
    from fastapi.testclient import TestClient

    from dronewall.server.schemas import Frame

    def answer() -> Response:
        return Response(orjson.dumps(frame_message(f, "r", 1, float("nan"))),
                        media_type="application/json")  # fmt: skip

    plain, declared = FastAPI(), FastAPI()
    plain.get("/api/tracks")(answer)
    declared.get("/api/tracks", response_model=Frame)(answer)
    times: dict[str, list[float]] = {"no response_model": [], "response_model=Frame": []}
    with TestClient(plain) as a, TestClient(declared) as b:
        a.get("/api/tracks"), b.get("/api/tracks")
        for _ in range(repeat):  # interleaved, so that load on the machine hits both alike
            for name, c in (("no response_model", a), ("response_model=Frame", b)):
                start = time.perf_counter()
                c.get("/api/tracks")
                times[name].append(time.perf_counter() - start)
    for name, seconds in times.items():
        ms = statistics.median(seconds) * 1e3
        print(f"  GET /api/tracks, {name:22s}: median {ms:7.2f} ms")
    body = answer().body
    ms = median_ms(lambda: Frame.model_validate_json(body), repeat)
    print(f"  validating it at run time (Frame.model_validate_json): {ms:7.2f} ms more")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--routes", action="store_true")
    args = parser.parse_args()
    for n in args.tracks:
        f = picture(n)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            enc = server_side(f, args.repeat, out)
            dec = browser_side(out, args.repeat)
        print(f"{n} tracks")
        for name, (ms, best, size) in enc.items():
            decode = (
                f", decode {dec[name][0]:6.2f} ms (best {dec[name][1]:5.2f}, node)" if dec else ""
            )
            print(
                f"  {name:5s}: encode {ms:6.2f} ms (best {best:5.2f}), {size / 1e3:7.1f} kB{decode}"
            )
        if args.routes:
            routes(f, args.repeat)


if __name__ == "__main__":
    main()
