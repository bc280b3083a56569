"""Integer codes for string keys, computed once per set of records.

Ids are strings (SPEC §3). Hashing a million of them costs more than every rule together,
so it is done once, here, with Arrow's dictionary encoding over all the columns that share
a key space; the rules then join by integer look-ups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _arrow(s: pd.Series) -> pa.ChunkedArray:
    """The column's own Arrow data (no copy for pandas' Arrow-backed strings)."""
    if s.dtype == object:
        return pa.chunked_array([pa.array(s.to_numpy(dtype=object), type=pa.large_string())])
    got = pa.array(s)
    arr = got if isinstance(got, pa.ChunkedArray) else pa.chunked_array([got])
    return arr if pa.types.is_large_string(arr.type) else arr.cast(pa.large_string())


def encode(*columns: pd.Series) -> tuple[list[np.ndarray], int]:
    """Codes for each column in one shared key space, and the number of distinct keys.

    Encoded straight from the Arrow arrays: pandas' strings are Arrow large strings, so nothing
    is cast or copied before the one dictionary encoding.
    """
    if not columns:
        return [], 0
    chunks = []
    for s in columns:
        chunks.extend(_arrow(s).chunks)
    if not chunks:
        return [np.zeros(0, dtype=np.int64) for _ in columns], 0
    enc = pa.chunked_array(chunks, type=pa.large_string()).dictionary_encode()
    codes = np.concatenate(
        [pc.fill_null(c.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64) for c in enc.chunks]
        or [np.zeros(0, np.int64)]
    )
    n_keys = len(enc.chunks[0].dictionary) if enc.num_chunks else 0
    out, start = [], 0
    for s in columns:
        out.append(codes[start : start + len(s)])
        start += len(s)
    return out, n_keys


def positions(codes: np.ndarray, target_codes: np.ndarray, n_keys: int) -> np.ndarray:
    """For each code, the row of `target_codes` holding it (-1 where none; last one wins).

    A code of -1 (a blank key) finds nothing.
    """
    lookup = np.full(n_keys + 1, -1, dtype=np.int64)
    ok = target_codes >= 0
    lookup[target_codes[ok]] = np.flatnonzero(ok)
    return lookup[np.where(codes >= 0, codes, n_keys)]


def unit_codes(units: pd.Series, *columns: pd.Series) -> list[np.ndarray]:
    """Row of `units` for each unit id in each column (-1 where unknown)."""
    codes, n = encode(units, *columns)
    return [positions(c, codes[0], n) for c in codes[1:]]
