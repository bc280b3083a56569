"""Mục II.4 — the unit's party base organisation (tổ chức cơ sở đảng).

"… tổ chức cơ sở đảng đơn vị đó không được xếp loại trong sạch, vững mạnh." The condition
is the unit's own run (whoever was head); under Quy định 132-QĐ/TW (from 2018) "not trong
sạch, vững mạnh" means "not the top level" of the year's scale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..criteria import Rule
from ..decisions import decision_rows
from . import Outcome
from .head_of_unit import streak, streak_words
from .wording import capped_words, labels, run_lists

if TYPE_CHECKING:
    from ..context import YearContext


def party_org_streak(ctx: YearContext, rule: Rule) -> Outcome:
    """The unit's run of weak years, whoever was head: the party organisation is not top level."""
    crit = ctx.crit
    unit_streak = streak(ctx.band, None, crit, ctx.countable)
    po_unit = ctx.party_unit
    fires = unit_streak.fires[po_unit] if len(po_unit) else np.zeros(0, dtype=bool)
    cap = crit.cap_level(rule.id, ctx.party)
    f = np.flatnonzero(fires)
    run = unit_streak.run[po_unit[f]]
    years = run_lists(run, ctx.years.astype(str).astype(object))
    bands = run_lists(run, labels(ctx.bands, ctx.band[po_unit[f]]))
    po = ctx.records.party_orgs
    rows = ctx.party_rows[f]
    words = streak_words(crit)
    outcome = [
        f"Không được xếp loại mức cao nhất («{ctx.party.label(0)}»): "
        + capped_words(ctx.party, p, cap, "đề xuất")
        for p in ctx.party_proposed[f]
    ]
    evidence = [
        f"unit={uid}; streak_years={sy}; streak_bands={sb}; {words}"
        for uid, sy, sb in zip(po["unit_id"].to_numpy()[rows], years, bands, strict=True)
    ]
    decisions = decision_rows(
        ctx.year, "party_org", po["party_org_id"].to_numpy()[rows], rule, outcome, evidence, order=f
    )
    return Outcome(rule, "party_org", fires, decisions, cap=cap)
