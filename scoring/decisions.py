"""The decision shape: one row per subject and rule whose condition holds (SPEC §3).

Every view — the tables, the annex, the what-if diff, the explanation — reads this shape.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DECISION_COLUMNS = ["year", "subject_type", "subject_id", "rule_id", "clause", "outcome", "evidence"]
SUBJECT_ORDER = {"unit": 0, "official": 1, "party_org": 2}


def decision_rows(year, subject_type, subject_ids, rule, outcome, evidence, order=None) -> pd.DataFrame:
    """Decisions of one rule: `subject_ids`, `outcome` and `evidence` are aligned sequences.

    `order` is each subject's position in its own output table; decisions follow it.
    """
    ids = subject_ids if hasattr(subject_ids, "dtype") else np.asarray(subject_ids, dtype=object)
    n = len(ids)
    frame = pd.DataFrame(
        {
            "year": np.full(n, year, dtype=np.int64),
            "subject_type": subject_type,
            "subject_id": ids,
            "rule_id": rule.id,
            "clause": rule.clause,
            "outcome": _texts(outcome, n),
            "evidence": _texts(evidence, n),
        },
        columns=DECISION_COLUMNS,
    )
    frame["_k"] = np.arange(n) if order is None else np.asarray(order, dtype=np.int64)
    return frame


def _texts(values, n: int):
    """A column of texts: an Arrow string array stays as it is (no Python objects)."""
    if isinstance(values, pd.api.extensions.ExtensionArray):
        return values
    return np.asarray(values, dtype=object) if n else np.array([], dtype=object)


def combine(frames: list[pd.DataFrame], rule_order: tuple[str, ...]) -> pd.DataFrame:
    """All decisions of a year in a stable order: subject type, subject (table order), rule."""
    frames = [f for f in frames if len(f)]
    if not frames:
        empty = pd.DataFrame({c: pd.Series([], dtype="object") for c in DECISION_COLUMNS})
        return empty.astype({"year": "int64"})
    rank = {r: i for i, r in enumerate(rule_order)}
    t = np.concatenate([np.full(len(f), SUBJECT_ORDER[f["subject_type"].iat[0]]) for f in frames])
    r = np.concatenate([np.full(len(f), rank[f["rule_id"].iat[0]]) for f in frames])
    d = pd.concat(frames, ignore_index=True)
    order = np.lexsort((r, d["_k"].to_numpy(), t))
    d = d.drop(columns="_k").take(order)
    return d.reset_index(drop=True)
