"""The decision shape: one row per subject and rule whose condition holds (SPEC §3).

Every view — the tables, the annex, the what-if diff, the explanation — reads this shape.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DECISION_COLUMNS = ["year", "subject_type", "subject_id", "rule_id", "clause", "outcome", "evidence"]
SUBJECT_ORDER = {"unit": 0, "official": 1, "party_org": 2}


def decision_rows(year, subject_type, subject_ids, rule, outcome, evidence) -> pd.DataFrame:
    """Decisions of one rule: `subject_ids`, `outcome` and `evidence` are aligned sequences."""
    ids = np.asarray(subject_ids, dtype=object)
    n = len(ids)
    return pd.DataFrame(
        {
            "year": np.full(n, year, dtype=np.int64),
            "subject_type": subject_type,
            "subject_id": ids,
            "rule_id": rule.id,
            "clause": rule.clause,
            "outcome": np.asarray(outcome, dtype=object) if n else np.array([], dtype=object),
            "evidence": np.asarray(evidence, dtype=object) if n else np.array([], dtype=object),
        },
        columns=DECISION_COLUMNS,
    )


def combine(frames: list[pd.DataFrame], rule_order: tuple[str, ...]) -> pd.DataFrame:
    """All decisions of a year in a stable order: subject type, subject, rule."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype="object") for c in DECISION_COLUMNS}).astype(
            {"year": "int64"}
        )
    d = pd.concat(frames, ignore_index=True)
    order = {r: i for i, r in enumerate(rule_order)}
    d["_t"] = d["subject_type"].map(SUBJECT_ORDER)
    d["_r"] = d["rule_id"].map(order)
    d = d.sort_values(["_t", "subject_id", "_r"], kind="stable").drop(columns=["_t", "_r"])
    return d.reset_index(drop=True)
