"""The compiled loop of ``grid.near_pairs``: cell keys, an open-addressing hash table of the
occupied cells, and the 2×2×2-cell search around each report (``grid`` explains the method).
Built with the other compiled loops (``compiled``)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_BITS = 21  # per axis: 3 × 21 bits of cell index in one int64 key
_OFFSET = 1 << (_BITS - 1)


@njit(cache=True, inline="always")
def _cell(v: float, cell: float) -> int:
    return math.floor(v / cell) + _OFFSET


@njit(cache=True, inline="always")
def _side(v: float, cell: float) -> int:
    """The neighbouring cell along an axis nearer to ``v``: +1 or −1."""
    s = v / cell
    return 1 if s - math.floor(s) >= 0.5 else -1


@njit(cache=True, inline="always")
def _key(ix: int, iy: int, iz: int) -> int:
    return (ix << (2 * _BITS)) | (iy << _BITS) | iz


@njit(cache=True, nogil=True, error_model="numpy")
def near_pairs(a, reach_a, b, reach_b, cell):  # type: ignore[no-untyped-def]
    nb = b.shape[0]
    keys = np.empty(nb, np.int64)
    for j in range(nb):
        keys[j] = _key(_cell(b[j, 0], cell), _cell(b[j, 1], cell), _cell(b[j, 2], cell))
    order = np.argsort(keys)
    sorted_keys = keys[order]
    # open-addressing table: occupied cell key → first index in sorted order (runs are
    # contiguous); a lookup is one hash and a probe or two instead of a bisection
    bits = 1
    while (1 << bits) < 2 * nb:
        bits += 1
    size = 1 << bits
    table_key = np.full(size, -1, np.int64)
    table_start = np.empty(size, np.int64)
    for t in range(nb):
        if t > 0 and sorted_keys[t] == sorted_keys[t - 1]:
            continue
        h = _hash(sorted_keys[t], bits)
        while table_key[h] != -1:
            h = (h + 1) & (size - 1)
        table_key[h] = sorted_keys[t]
        table_start[h] = t
    capacity = 4 * (a.shape[0] + nb)
    out_i = np.empty(capacity, np.int64)
    out_j = np.empty(capacity, np.int64)
    out_d = np.empty(capacity)
    n = 0
    for i in range(a.shape[0]):
        cx, cy, cz = _cell(a[i, 0], cell), _cell(a[i, 1], cell), _cell(a[i, 2], cell)
        sx, sy, sz = _side(a[i, 0], cell), _side(a[i, 1], cell), _side(a[i, 2], cell)
        for dx in range(2):
            for dy in range(2):
                for dz in range(2):
                    k = _key(cx + dx * sx, cy + dy * sy, cz + dz * sz)
                    h = _hash(k, bits)
                    while table_key[h] != -1 and table_key[h] != k:
                        h = (h + 1) & (size - 1)
                    if table_key[h] == -1:
                        continue
                    t = table_start[h]
                    while t < nb and sorted_keys[t] == k:
                        j = order[t]
                        t += 1
                        e0, e1, e2 = a[i, 0] - b[j, 0], a[i, 1] - b[j, 1], a[i, 2] - b[j, 2]
                        dist = math.sqrt(e0 * e0 + e1 * e1 + e2 * e2)
                        if dist > reach_a[i] + reach_b[j]:
                            continue
                        if n == capacity:
                            capacity *= 2
                            out_i = _grow(out_i, capacity)
                            out_j = _grow(out_j, capacity)
                            out_d = _grow(out_d, capacity)
                        out_i[n], out_j[n], out_d[n] = i, j, dist
                        n += 1
    return out_i[:n].copy(), out_j[:n].copy(), out_d[:n].copy()


@njit(cache=True, inline="always")
def _hash(key, bits):  # type: ignore[no-untyped-def]
    """Fibonacci hashing of a cell key to ``bits`` bits."""
    return np.int64((np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - bits))


@njit(cache=True)
def _grow(values, capacity):  # type: ignore[no-untyped-def]
    out = np.empty(capacity, values.dtype)
    out[: values.shape[0]] = values
    return out
