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

    Codes are dense (0 … keys − 1), -1 for a missing value; their order means nothing. Ids
    numbered the way registers number them (one prefix, a fixed count of digits: «CB0000147»)
    are coded from their number, without hashing (`_numbered`); any other ids by one Arrow
    dictionary encoding, straight from the Arrow arrays (pandas' strings are Arrow large
    strings, so nothing is cast or copied first).
    """
    if not columns:
        return [], 0
    chunks = []
    for s in columns:
        chunks.extend(_arrow(s).chunks)
    if not chunks:
        return [np.zeros(0, dtype=np.int64) for _ in columns], 0
    arr = pa.chunked_array(chunks, type=pa.large_string())
    got = _numbered(arr)
    if got is not None:
        codes, n_keys = got
    else:
        enc = arr.dictionary_encode()
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


# At most this many digits after the prefix (int64 holds 18 for certain).
_MAX_DIGITS = 18


def _numbered(arr: pa.ChunkedArray) -> tuple[np.ndarray, int] | None:
    """Dense codes of ids that are one prefix and a fixed number of digits; None for any others.

    With every id of the same length in bytes, beginning with the same prefix and ending in
    ASCII digits, the id and its number determine each other, so the numbers, laid out in a
    table of their range, give each distinct id its code: ten times faster than hashing a
    million ids. The ids' bytes are read in place, as a matrix of one row per id (ids of one
    length lie end to end in Arrow's buffer). A blank id ("") is one more key, a missing one
    (null) -1, as in the dictionary. None (the caller hashes) when any id differs in shape or
    the numbers spread over more than a few times the count of ids (the table would be larger
    than the hash).
    """
    lengths, missing, parts = [], [], []
    for c in arr.chunks:
        offsets = np.frombuffer(c.buffers()[1], dtype=np.int64)[c.offset : c.offset + len(c) + 1]
        lengths.append(np.diff(offsets))
        missing.append(c.is_null().to_numpy(zero_copy_only=False) if c.null_count else np.zeros(len(c), bool))
        if len(c) and offsets[-1] > offsets[0]:
            parts.append(np.frombuffer(c.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]])
    lengths, missing = np.concatenate(lengths), np.concatenate(missing)
    filled = (lengths > 0) & ~missing
    n_filled = int(np.count_nonzero(filled))
    if not n_filled:
        return None
    width = int(lengths[np.argmax(filled)])
    # every id of one width, and no bytes behind a missing one: the ids lie end to end
    if not np.where(filled, lengths == width, lengths == 0).all():
        return None
    # one row per byte position, copied straight from Arrow's buffers (contiguous, so each check
    # below is one pass over memory)
    by_place = np.empty((width, n_filled), dtype=np.uint8)
    at = 0
    for part in parts:
        rows = len(part) // width
        by_place[:, at : at + rows] = part.reshape(rows, width).T
        at += rows
    first = by_place[:, 0].tobytes()
    digits = len(first) - len(first.rstrip(b"0123456789"))
    if not 0 < digits <= _MAX_DIGITS:
        return None
    head = width - digits
    if head and not (by_place[:head] == by_place[:head, :1]).all():
        return None
    tail = by_place[head:]
    tail -= np.uint8(ord("0"))  # a byte below "0" wraps round above 9
    if (tail > 9).any():
        return None
    if digits % 2:  # pairs of digits as one number below 100 (fewer passes in int64)
        tail = np.concatenate([np.zeros((1, n_filled), dtype=np.uint8), tail])
    pairs = tail[0::2] * np.uint8(10) + tail[1::2]
    numbers = pairs[0].astype(np.int64)
    for p in pairs[1:]:
        numbers *= 100
        numbers += p
    low, high = int(numbers.min()), int(numbers.max())
    if high - low > 4 * n_filled + 65_536:
        return None
    numbers -= low
    seen = np.zeros(high - low + 1, dtype=bool)
    seen[numbers] = True
    dense = np.cumsum(seen, dtype=np.int64) - 1
    n_keys = int(dense[-1]) + 1
    if n_filled == len(lengths):  # no blank and no missing id: the usual case
        return dense[numbers], n_keys
    codes = np.full(len(lengths), -1, dtype=np.int64)
    codes[filled] = dense[numbers]
    empty = ~filled & ~missing
    if empty.any():
        codes[empty] = n_keys
        n_keys += 1
    return codes, n_keys


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
