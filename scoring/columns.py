"""Columns of the records as arrays, taken once per Records object.

A what-if evaluates the same records again and again; reading a column out of a DataFrame
costs more than most rules on the embedded sample, so each is taken once and kept on the
Records object (like the integer keys of `keys.py`). Records are never modified: a scenario
with corrected scores is a new Records object with its own cache.
"""

from __future__ import annotations

import numpy as np

from .records import Records


def column(records: Records, table: str, name: str):
    """A column of the records as an array, taken once per Records object (a what-if reuses it).

    Numbers and flags are numpy arrays; texts stay as they are held (Arrow-backed), so that a
    million ids are never turned into Python objects.
    """
    cache = records.__dict__.setdefault("_columns", {})
    key = (table, name)
    got = cache.get(key)
    if got is None:
        s = records.table(table)[name]
        got = s.to_numpy() if s.dtype.kind in "biuf" else s.array
        cache[key] = got
    return got


def texts(records: Records, table: str, name: str) -> np.ndarray:
    """A text column as a numpy array of Python strings (for the small tables: units, party
    organisations), taken once per Records object."""
    cache = records.__dict__.setdefault("_columns", {})
    key = (table, name, "texts")
    got = cache.get(key)
    if got is None:
        got = cache[key] = np.asarray(column(records, table, name), dtype=object)
    return got


def year_rows(records: Records, table: str, year: int) -> np.ndarray:
    """Rows of a table in one year (cached per Records object and year)."""
    cache = records.__dict__.setdefault("_year_rows", {})
    key = (table, year)
    got = cache.get(key)
    if got is None:
        got = cache[key] = np.flatnonzero(column(records, table, "year") == year)
    return got
