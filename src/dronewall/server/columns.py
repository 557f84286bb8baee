"""The picture frame as binary columns: what the web map reads without parsing JSON.

A 10,000-track frame is 1.2 MB of JSON; parsing it took the browser 25–36 ms per picture under
software rendering (most of the map's per-update cost) and encoding it took the server ~20 ms.
As columns it is 0.65 MB, encoded in 3–4 ms and read with typed-array views.

Layout of one WebSocket binary message (all numbers little-endian):

* 4 bytes: magic ``DWC1``;
* 4 bytes: unsigned length ``H`` of the header;
* ``H`` bytes: a UTF-8 JSON header, padded with spaces to a multiple of 8 bytes (``8 + H`` is
  where the body starts);
* the body: the columns, one after the other, each starting at a multiple of 8 bytes.

The header holds the frame's scalars (``type`` = "frame", ``run_id``, ``t``, ``seq``,
``wall_ingest``, ``wall_sent``, ``n``) and ``columns``: a list of ``{"name", "dtype",
"offset"}`` (``dtype`` one of ``f8``, ``f4``, ``u1``, ``u2``, ``u4``; ``offset`` in bytes from
the start of the body; each column holds ``n`` values) and, for text columns, ``"values"``: the
distinct strings, which the column's unsigned codes index. Names and meanings are those of the
JSON frame (``encode.frame_arrays``, docs/live-api.md); missing numbers are NaN instead of
null. Ids are uint32 (float64 if one does not fit), every other number float32 (positions at
most 0.5 m off in Europe).
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from dronewall.server.encode import Categorical, frame_arrays
from dronewall.store import PictureFrame

MAGIC = b"DWC1"
_PREFIX = struct.Struct("<4sI")
_DTYPES: dict[str, np.dtype[Any]] = {
    name: np.dtype(code) for name, code in (("f8", "<f8"), ("f4", "<f4"), ("u1", "u1"),
                                            ("u2", "<u2"), ("u4", "<u4"))
}  # fmt: skip
_NAME_OF = {d.str: name for name, d in _DTYPES.items()}
MAX_ROWS = 10_000_000


class ColumnsError(ValueError):
    """A binary frame that does not follow the layout above."""


def _text(values: npt.NDArray[Any]) -> tuple[npt.NDArray[np.unsignedinteger[Any]], list[str]]:
    """Dictionary encoding: unsigned codes into the distinct strings."""
    values = np.ascontiguousarray(values.astype(str))
    if values.dtype.itemsize in (4, 8):  # one or two characters (affiliation codes): sort
        keys = values.view(_DTYPES["u4"] if values.dtype.itemsize == 4 else np.uint64)
        distinct_keys, codes = np.unique(keys, return_inverse=True)  # them as numbers
        distinct = distinct_keys.view(values.dtype)
    else:
        distinct, codes = np.unique(values, return_inverse=True)
    width = "u1" if distinct.size <= 256 else "u2" if distinct.size <= 65536 else "u4"
    return codes.astype(_DTYPES[width]), [str(v) for v in distinct.tolist()]


def _categorical(c: Categorical) -> tuple[npt.NDArray[np.uint8], list[str]]:
    """Dictionary encoding of an enum column straight from its codes: only the names that
    occur, in code order."""
    present = np.flatnonzero(np.bincount(c.codes, minlength=len(c.names)))
    remap = np.zeros(len(c.names), _DTYPES["u1"])
    remap[present] = np.arange(present.size)
    return remap[c.codes], [str(v) for v in c.names[present].tolist()]


def _ids(ids: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    """Unsigned 32-bit while every id fits, else float64 (exact to 2**53, as JavaScript's
    numbers are)."""
    if ids.size == 0 or (ids.min() >= 0 and ids.max() < 2**32):
        return ids.astype(_DTYPES["u4"])
    return ids.astype(_DTYPES["f8"])


def encode_columns(f: PictureFrame, scalars: dict[str, Any]) -> bytes:
    """One binary message: ``scalars`` (type, run_id, t, seq, wall_ingest, wall_sent) and the
    frame's columns."""
    specs: list[dict[str, Any]] = []
    blobs: list[bytes] = []
    offset = 0
    for name, values in frame_arrays(f).items():
        spec: dict[str, Any] = {"name": name}
        if isinstance(values, Categorical):
            values, spec["values"] = _categorical(values)
        elif values.dtype.kind in "US":
            values, spec["values"] = _text(values)
        elif values.dtype.kind in "iu":
            values = _ids(values)
        else:  # float32: positions within 0.5 m in Europe, finer than the JSON's 1e-5°
            values = values.astype(_DTYPES["f4"])
        spec["dtype"] = _NAME_OF[values.dtype.str]
        spec["offset"] = offset
        data = values.tobytes()
        data += b"\0" * (-len(data) % 8)
        offset += len(data)
        specs.append(spec)
        blobs.append(data)
    text = orjson.dumps({**scalars, "n": len(f), "columns": specs})
    text += b" " * (-len(text) % 8)
    return b"".join([_PREFIX.pack(MAGIC, len(text)), text, *blobs])


def decode_header(data: bytes) -> dict[str, Any]:
    """The header alone (cheap: what a latency probe needs)."""
    if len(data) < _PREFIX.size:
        raise ColumnsError(f"binary frame of {len(data)} bytes is shorter than its prefix")
    magic, length = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise ColumnsError(f"binary frame starts with {magic!r}, not {MAGIC!r}")
    if _PREFIX.size + length > len(data):
        raise ColumnsError(f"header of {length} bytes runs past the {len(data)}-byte message")
    try:
        header = json.loads(data[_PREFIX.size : _PREFIX.size + length])
    except (UnicodeDecodeError, ValueError) as e:
        raise ColumnsError(f"header is not UTF-8 JSON: {e}") from e
    if not isinstance(header, dict):
        raise ColumnsError("header is not a JSON object")
    return header


def decode_columns(data: bytes) -> dict[str, Any]:
    """Header scalars plus every column (numbers as arrays, text as lists of strings).
    Raises ColumnsError on anything that does not follow the layout."""
    header = decode_header(data)
    n = header.get("n")
    columns = header.get("columns")
    if not isinstance(n, int) or not 0 <= n <= MAX_ROWS or not isinstance(columns, list):
        raise ColumnsError("header needs an integer n and a list of columns")
    out: dict[str, Any] = {k: v for k, v in header.items() if k != "columns"}
    body = _PREFIX.size + _PREFIX.unpack_from(data)[1]
    for spec in columns:
        if not isinstance(spec, dict):
            raise ColumnsError("a column spec is not an object")
        name, dtype, offset = spec.get("name"), spec.get("dtype"), spec.get("offset")
        if not isinstance(name, str) or dtype not in _DTYPES or not isinstance(offset, int):
            raise ColumnsError(f"column spec {spec!r} needs a name, a known dtype and an offset")
        size = _DTYPES[dtype].itemsize * n
        if offset < 0 or offset % 8 or body + offset + size > len(data):
            raise ColumnsError(f"column {name!r} at {offset} does not fit the message")
        values = np.frombuffer(data, _DTYPES[dtype], n, body + offset)
        if "values" in spec:
            distinct = spec["values"]
            if not isinstance(distinct, list) or (n and int(values.max()) >= len(distinct)):
                raise ColumnsError(f"text column {name!r} has codes beyond its values")
            out[name] = [str(distinct[c]) for c in values.tolist()]
        else:
            out[name] = values.astype(float)
    return out
