"""How the ledger plugs into `evaluate`: two calls, one at its entry and one at its end.

    records, ledger_run = feed_ledger(records, Y, crit)   # entry: counts from the ledger
    ...
    return finish_ledger(Evaluation(...), ledger_run)     # end: the II.2 finding, evidence, notes

`feed_ledger` (scoring.ledger.derive.feed) hands the rules the counts derived from the
dossiers; the rules never learn where a count came from. `finish_ledger` adds the
`overdue_rescheduling` decisions (one per unit with violations, in the decisions' order),
makes the late-dossier decisions' evidence cite the ledger ("tính từ N hồ sơ của sổ theo dõi
…"), appends the ledger's notes, and keeps the run on the evaluation as `ev.ledger` for the
views (notebook, annex section, ledger command). Without a ledger both are no-ops.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..criteria import RULE_IDS
from ..decisions import SUBJECT_ORDER
from ..rules.overdue_rescheduling import overdue_rescheduling
from .derive import LedgerRun, _vn, feed

feed_ledger = feed

LATE_RULES = {"unit_late_dossiers": "unit_id", "official_late_dossiers": "official_id"}


def finish_ledger(ev, run: LedgerRun | None):
    """The evaluation with the ledger's finding, citations and notes (unchanged without a ledger)."""
    if "ledger" not in ev.__dict__:
        ev.ledger = run
    if run is None:
        return ev
    ranking_pos = pd.Index(ev.unit_ranking["unit_id"].astype(str))
    comp = run.compliance
    pos = ranking_pos.get_indexer(comp["unit_id"].astype(str))
    pos = np.where(pos >= 0, pos, len(ranking_pos) + np.arange(len(comp)))
    new = overdue_rescheduling(ev.year, comp, ev.criteria, run.source, order=pos)
    decisions = _cite(ev.decisions, run)
    ev.decisions = _merged(decisions, new, ranking_pos)
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


def _merged(decisions: pd.DataFrame, new: pd.DataFrame, ranking_pos: pd.Index) -> pd.DataFrame:
    """Decisions in their stable order (subject type, subject's place, rule) with the new rows."""
    new = new.drop(columns="_k")
    if not len(new):
        return decisions
    both = pd.concat([decisions, new], ignore_index=True)
    rank = {r: i for i, r in enumerate(RULE_IDS)}
    t = both["subject_type"].map(SUBJECT_ORDER).to_numpy()
    r = both["rule_id"].map(rank).to_numpy()
    unit_pos = ranking_pos.get_indexer(both["subject_id"].astype(str))
    # other subjects keep the order they already have (their rows come first, in order)
    place = np.where(t == SUBJECT_ORDER["unit"], unit_pos, np.arange(len(both)))
    order = np.lexsort((r, place, t))
    return both.take(order).reset_index(drop=True)
