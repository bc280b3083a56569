"""The decision shape: one row per subject and rule whose condition holds (SPEC §3).

Every view — the tables, the annex, the what-if diff, the explanation — reads this shape.
A rule words its decisions with `decision_rows`; `combine` makes the year's one table of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .held import Columns

DECISION_COLUMNS = ["year", "subject_type", "subject_id", "rule_id", "clause", "outcome", "evidence"]
SUBJECT_ORDER = {"unit": 0, "official": 1, "party_org": 2}
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


@dataclass
class DecisionRows:
    """The decisions of one rule, as aligned columns: what `decision_rows` returns.

    Kept as arrays, not a DataFrame, so that a year's decisions become one table in one step
    (`combine`); `frame` gives the DataFrame of these rows alone.
    """

    year: int
    subject_type: str
    rule_id: str
    clause: str
    subject_ids: Any  # a sequence of texts (numpy, Arrow, list), or a function that makes it
    outcome: Any
    evidence: Any  # or a function of no arguments that words it, called when the table is read
    order: np.ndarray  # each subject's position in its own output table

    def __len__(self) -> int:
        return len(self.order)

    @property
    def frame(self) -> pd.DataFrame:
        return combine([self], (self.rule_id,))


def decision_rows(year, subject_type, subject_ids, rule, outcome, evidence, order=None) -> DecisionRows:
    """Decisions of one rule: `subject_ids`, `outcome` and `evidence` are aligned sequences.

    `order` is each subject's position in its own output table; decisions follow it. With an
    `order`, the ids and the evidence may be given as functions of no arguments that make them
    when the decisions are read (`scoring.held`).
    """
    keys = np.arange(len(subject_ids)) if order is None else np.asarray(order, dtype=np.int64)
    return DecisionRows(int(year), subject_type, rule.id, rule.clause, subject_ids, outcome, evidence, keys)


def _arrow(values, n: int) -> pa.Array:
    """A column of texts as an Arrow string array (Arrow-backed columns are not copied to Python)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values.cast(pa.large_string())
    if isinstance(values, pd.api.extensions.ExtensionArray):
        return pa.array(values, type=pa.large_string())
    return pa.array(np.asarray(values, dtype=object) if n else [], type=pa.large_string())


def combine(parts: list[DecisionRows | pd.DataFrame], rule_order: tuple[str, ...]) -> pd.DataFrame:
    """All decisions of a year in a stable order: subject type, subject (table order), rule.

    Parts are `DecisionRows`, or DataFrames of the decision columns with the order in `_k`.
    """
    return Columns(combine_columns(parts, rule_order), DECISION_COLUMNS).build()


def combine_columns(parts: list[DecisionRows | pd.DataFrame], rule_order: tuple[str, ...]) -> dict:
    """The columns of `combine`'s table (what `evaluate` holds until the table is read), and
    three that are not the table's: `_type` (`SUBJECT_ORDER`), `_order` (the `order` given)
    and `_held` (`HeldDecisions`, what `compare` reads)."""
    parts = [p if isinstance(p, DecisionRows) else _from_frame(p) for p in parts]
    parts = [p for p in parts if len(p)]
    rank = {r: i for i, r in enumerate(rule_order)}

    def ints(get) -> np.ndarray:
        return np.concatenate(
            [np.full(len(p), get(p), dtype=np.int64) for p in parts] or [np.zeros(0, np.int64)]
        )

    t = ints(lambda p: SUBJECT_ORDER[p.subject_type])
    r = ints(lambda p: rank.get(p.rule_id, len(rank)))
    k = np.concatenate([p.order for p in parts] or [np.zeros(0, np.int64)])
    positions = np.lexsort((r, k, t))
    order = pa.array(positions)

    def texts(name: str) -> pd.arrays.ArrowStringArray:
        got = [getattr(p, name) for p in parts]
        chunks = [_arrow(v() if callable(v) else v, len(p)) for v, p in zip(got, parts, strict=True)]
        chunks = chunks or [pa.array([], type=pa.large_string())]
        return pd.array(pa.concat_arrays(chunks).take(order), dtype=TEXT)

    def repeat(name: str) -> pd.arrays.ArrowStringArray:
        values = pa.array([getattr(p, name) for p in parts], type=pa.large_string())
        return pd.array(values.take(pa.array(which[positions])), dtype=TEXT)

    which = np.repeat(np.arange(len(parts)), [len(p) for p in parts])  # each row's part
    # texts are made when read (`scoring.held.Columns`): a what-if's compare reads few
    return {
        "year": ints(lambda p: p.year)[positions],
        "subject_type": partial(repeat, "subject_type"),
        "subject_id": partial(texts, "subject_ids"),
        "rule_id": partial(repeat, "rule_id"),
        "clause": partial(repeat, "clause"),
        "outcome": partial(texts, "outcome"),
        "evidence": partial(texts, "evidence"),
        # not columns of the table: each decision's subject type and position in its own table,
        # which `compare` matches officials on instead of hashing their ids, and the parts
        "_type": t[positions],
        "_order": k[positions],
        "_held": HeldDecisions(parts, positions),
    }


ATTRIBUTES = ("subject_type", "rule_id", "clause")  # one value per part


class HeldDecisions:
    """The decisions of a year as the rules gave them (`DecisionRows` parts) and the table's
    order: what `compare` reads, a few rows or codes at a time, without building the columns."""

    def __init__(self, parts: list[DecisionRows], positions: np.ndarray):
        self.parts = parts
        sizes = [len(p) for p in parts]
        starts = (
            np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if parts else np.zeros(0, np.int64)
        )
        self.positions = positions  # each row's place in the parts laid end to end
        self.part = np.repeat(np.arange(len(parts)), sizes)[positions]  # each row's part
        self.within = positions - starts[self.part] if len(positions) else positions  # its row in the part
        self._values: dict[tuple[int, str], pa.Array] = {}

    def _part(self, i: int, name: str) -> pa.Array:
        """A part's column as Arrow (outcomes given as codes stay a dictionary)."""
        key = (i, name)
        if key not in self._values:
            v = getattr(self.parts[i], "subject_ids" if name == "subject_id" else name)
            v = v() if callable(v) else v
            self._values[key] = v if isinstance(v, pa.DictionaryArray) else _arrow(v, len(self.parts[i]))
        return self._values[key]

    def texts(self, name: str, rows: np.ndarray) -> np.ndarray:
        """The values of a column at some rows of the table, as Python strings."""
        part = self.part[rows]
        if name in ATTRIBUTES:
            return np.array([getattr(self.parts[i], name) for i in part.tolist()], dtype=object)
        out = np.empty(len(rows), dtype=object)
        for i in np.unique(part).tolist():
            at = np.flatnonzero(part == i)
            got = self._part(i, name).take(pa.array(self.within[rows[at]]))
            out[at] = got.cast(pa.large_string()).to_pylist()
        return out

    def codes(self, name: str) -> tuple[np.ndarray, list]:
        """(a code per row, the texts by code) of a column: equal texts may have two codes."""
        if name in ATTRIBUTES:
            texts = [getattr(p, name) for p in self.parts]
            return self.part.astype(np.int64), texts
        texts: list = []
        laid = []  # each part's codes, offset past the texts of the parts before it
        for i in range(len(self.parts)):
            v = self._part(i, name)
            if not isinstance(v, pa.DictionaryArray):
                v = v.dictionary_encode(null_encoding="encode")
            laid.append(v.indices.to_numpy(zero_copy_only=False).astype(np.int64) + len(texts))
            texts.extend(v.dictionary.to_pylist())
        return np.concatenate(laid or [np.zeros(0, np.int64)])[self.positions], texts


def _from_frame(df: pd.DataFrame) -> DecisionRows:
    """A rule's decisions given as a DataFrame (one subject type and rule, `_k` the order)."""
    if not len(df):
        return DecisionRows(0, "unit", "", "", [], [], [], np.zeros(0, np.int64))
    keys = df["_k"].to_numpy() if "_k" in df else np.arange(len(df))
    return DecisionRows(
        int(df["year"].iat[0]),
        str(df["subject_type"].iat[0]),
        str(df["rule_id"].iat[0]),
        str(df["clause"].iat[0]),
        df["subject_id"].array,
        df["outcome"].array,
        df["evidence"].array,
        np.asarray(keys, dtype=np.int64),
    )
