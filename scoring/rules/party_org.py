"""Mục II.4 — the unit's party base organisation (tổ chức cơ sở đảng).

"… xử lý trách nhiệm, đưa ra khỏi quy hoạch, điều chuyển, thay thế người đứng đầu nếu kết quả
cải cách hành chính của đơn vị, địa phương 03 năm liên tục xếp hạng trung bình hoặc 02 năm liên
tục xếp hạng yếu; tổ chức cơ sở đảng đơn vị đó không được xếp loại trong sạch, vững mạnh."

Readings (criteria):
- `party_org_condition`: the cap follows the run of weak years of the unit, whoever was head
  (`streak`, default: the same clause of the sentence), or any year in which the unit is
  banded at or below `head_band_trigger` (`year_band`: the first clause of the sentence);
- `tsvm_levels`: Hướng dẫn 27-HD/BTCTW (up to 2017) names «Trong sạch, vững mạnh» as its top
  level; Quy định 132-QĐ/TW (2018) and 124-QĐ/TW (2023) have no such level, and "not trong
  sạch, vững mạnh" is read as "not the top level" (`top_only`, default) or "not Hoàn thành tốt
  nhiệm vụ or above" (`good_and_above`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..criteria import Rule
from ..decisions import decision_rows
from ..labels import Scale
from . import Outcome
from .head_of_unit import head_band_capped, streak, streak_words
from .wording import by_level, labels, not_above, run_lists, run_words, table

if TYPE_CHECKING:
    from ..context import YearContext

TSVM = "Trong sạch, vững mạnh"
RUN_COLUMNS = ["party_org_id", "unit_id", "streak_years", "streak_bands"]


def tsvm_cap(ctx: YearContext, rule: Rule, scale: Scale) -> tuple[int, str]:
    """(the level capped at, the cap in words) for the year's party scale."""
    if scale.meta.get("tsvm") == "named":
        cap = ctx.crit.cap_level(rule.id, scale)
        return cap, f"không được xếp loại «{TSVM}»"
    below = "top" if ctx.crit["tsvm_levels"] == "top_only" else "good"
    cap = scale.level_of_key(below) + 1
    return (
        cap,
        f"không được xếp loại «{TSVM}» (theo {scale.source}: không được xếp loại {not_above(scale, cap)})",
    )


def party_org_streak(ctx: YearContext, rule: Rule) -> Outcome:
    """The unit's weak years, whoever was head: the party organisation is not «trong sạch, vững mạnh»."""
    crit = ctx.crit
    po_unit = ctx.party_unit
    if crit["party_org_condition"] == "streak":
        unit_streak = streak(ctx.band, None, crit, ctx.countable)
        fires, run = unit_streak.fires[po_unit], unit_streak.run[po_unit]
        words = streak_words(crit)
    else:
        fires = head_band_capped(ctx.band[po_unit, -1], crit)
        run = np.zeros((len(po_unit), len(ctx.years)), dtype=bool)
        run[:, -1] = fires
        trigger = ctx.bands.label(crit.band_level(crit["head_band_trigger"]))
        words = f"ngưỡng: năm đánh giá xếp loại từ «{trigger}» trở xuống"
    cap, barred = tsvm_cap(ctx, rule, ctx.party)
    f = np.flatnonzero(fires)
    units = po_unit[f]
    run_years = run_lists(run[f], ctx.years.astype(str).astype(object))
    run_bands = run_lists(run[f], labels(ctx.bands, ctx.band[units]))
    ids = ctx.party_org_ids[f]
    runs = table(
        {
            "party_org_id": ids,
            "unit_id": ctx.unit_ids[units],
            "streak_years": run_years,
            "streak_bands": run_bands,
        }
    )
    outcome = by_level(ctx.party, cap, f"Tổ chức cơ sở đảng {barred}")[ctx.party_proposed[f]]
    names = ctx.unit_names[units]
    evidence = [
        f"{name}: {run_words(sy, sb)}; {words}"
        for name, sy, sb in zip(names, run_years, run_bands, strict=True)
    ]
    decisions = decision_rows(ctx.year, "party_org", ids, rule, outcome, evidence, order=f)
    return Outcome(rule, "party_org", fires, decisions, cap=cap, extras={"party_org_runs": runs})
