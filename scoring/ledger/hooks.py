"""How the ledger plugs into `evaluate`: a producer before the year context, a finish after.

    records, ledger_run = feed_ledger(records, Y, crit)   # before build_context: counts from the ledger
    ctx = build_context(records, Y, crit)                 # the rules never learn where a count came from
    ...                                                   # overdue_rescheduling reads the run (scoring/rules)
    return finish_ledger(Evaluation(...), ledger_run)     # evidence citing the ledger, notes, ev.ledger

`feed_ledger` (scoring.ledger.derive.feed) hands the year context records whose dossier counts
come from the dossiers, carrying the run for the rule `overdue_rescheduling` (a rule module of
the criteria's registry). `finish_ledger` makes the late-dossier decisions' evidence cite the
ledger ("số liệu tính từ N hồ sơ trong sổ theo dõi …"), appends the ledger's notes, and keeps the
run on the evaluation as `ev.ledger` for the views (notebook, annex section, ledger command).
Without a ledger both are no-ops (`ev.ledger` is None).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .derive import LedgerRun, _vn, feed

feed_ledger = feed

LATE_RULES = {"unit_late_dossiers": "unit_id", "official_late_dossiers": "official_id"}


def finish_ledger(ev, run: LedgerRun | None):
    """The evaluation with evidence citing the ledger and its notes (unchanged without a ledger)."""
    ev.ledger = run
    if run is None:
        return ev
    ev.decisions = _cite(ev.decisions, run)
    ev.notes = list(ev.notes) + [n for n in run.notes if n not in ev.notes]
    return ev


def _cite(decisions: pd.DataFrame, run: LedgerRun) -> pd.DataFrame:
    """The late-dossier decisions of a year counted from the ledger say so in their evidence."""
    if run.used != "ledger" or run.year not in run.covered_years or not len(decisions):
        return decisions
    out = decisions.copy()
    evidence = out["evidence"].astype(object).to_numpy(copy=True)
    for rule, key in LATE_RULES.items():
        counts = run.counts if key == "unit_id" else run.official_counts
        if counts is None:
            continue
        mask = (out["rule_id"] == rule).to_numpy()
        if not mask.any():
            continue
        y = counts[counts["year"] == run.year]
        handled = pd.Series(y["handled"].to_numpy(), index=y[key].astype(str))
        n = handled.reindex(out.loc[mask, "subject_id"].astype(str)).fillna(0).astype("int64").to_numpy()
        what = "hồ sơ" if key == "unit_id" else "hồ sơ có bước xử lý của cán bộ"
        suffix = np.array(
            [f"; số liệu tính từ {_vn(k)} {what} trong sổ theo dõi ({run.source})" for k in n], dtype=object
        )
        evidence[mask] = evidence[mask].astype(str) + suffix
    out["evidence"] = pd.array(evidence.astype(str), dtype=decisions["evidence"].dtype)
    return out
