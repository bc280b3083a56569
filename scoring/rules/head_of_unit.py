"""Mục II.4 — the head of a unit (người đứng đầu).

"Người đứng đầu … không được xếp loại hoàn thành tốt nhiệm vụ trở lên nếu xếp hạng kết quả
cải cách hành chính đạt mức trung bình trở xuống; xử lý trách nhiệm, đưa ra khỏi quy hoạch,
điều chuyển, thay thế người đứng đầu nếu kết quả cải cách hành chính của đơn vị, địa phương
03 năm liên tục xếp hạng trung bình hoặc 02 năm liên tục xếp hạng yếu."

Readings (criteria): a Yếu year counts toward the 3-year Trung bình run
(`weak_counts_toward_average_streak`); a year with no result breaks a run
(`missing_year_breaks_streak`); for the head, only the years this official was listed as head
of the unit count, and a year under another head breaks the run (`head_streak_own_years_only`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..criteria import Criteria, Rule
from ..decisions import decision_rows
from ..labels import MISSING
from . import Outcome, take
from .streaks import trailing_run
from .wording import capped_words, labels, run_lists

if TYPE_CHECKING:
    from ..context import YearContext


def head_band_capped(unit_band: np.ndarray, crit: Criteria) -> np.ndarray:
    """The head's rating is capped when the unit's band is at or below the trigger band."""
    trigger = crit.band_level(crit["head_band_trigger"])
    return (unit_band != MISSING) & (unit_band >= trigger)


@dataclass
class Streak:
    """Runs ending at the evaluated year, for each row of a (subject × year) matrix."""

    fires: np.ndarray  # bool per row
    run: np.ndarray  # bool matrix: the years of the run that is reported


def streak(
    band: np.ndarray, scope: np.ndarray | None, crit: Criteria, countable: np.ndarray | None = None
) -> Streak:
    """The removal condition on a (rows × years) band matrix, last column the evaluated year.

    `scope` marks the cells that may count (a head's own years); None means every cell.
    `countable` marks the year columns that may count at all: a year before the programme
    was in force breaks a run unless the reading `streak_counts_years_before_force` says so.
    """
    rule = crit.rule("head_removal_streak").spec
    avg = crit.band_level(rule["average_band"])
    weak = crit.band_level(rule["weak_band"])
    has = band != MISSING
    bad_avg = has & ((band >= avg) if crit["weak_counts_toward_average_streak"] else (band == avg))
    bad_weak = has & (band >= weak)
    skips = ~has & (not crit["missing_year_breaks_streak"])
    if countable is not None:
        bad_avg, bad_weak, skips = bad_avg & countable, bad_weak & countable, skips & countable
    if scope is not None:
        bad_avg, bad_weak, skips = bad_avg & scope, bad_weak & scope, skips & scope
    run_avg = trailing_run(bad_avg, skips)
    run_weak = trailing_run(bad_weak, skips)
    fires_avg = run_avg.sum(axis=1) >= crit["streak_years_average"]
    fires_weak = run_weak.sum(axis=1) >= crit["streak_years_weak"]
    # the reported run is the whole consecutive run: with the default reading the run of
    # Trung bình-or-worse years, which holds the Yếu run; literally read, the run that fired
    whole = fires_avg | (fires_weak & crit["weak_counts_toward_average_streak"])
    run = np.where(whole[:, None], run_avg, run_weak)
    return Streak(fires_avg | fires_weak, run)


def streak_words(crit: Criteria) -> str:
    """The streak condition as the evidence states it."""
    spec = crit.rule("head_removal_streak").spec
    bands = crit.bands
    return (
        f"ngưỡng: {crit['streak_years_average']} năm liên tục «{bands.label(crit.band_level(spec['average_band']))}»"
        + (" trở xuống" if crit["weak_counts_toward_average_streak"] else "")
        + f" hoặc {crit['streak_years_weak']} năm liên tục «{bands.label(crit.band_level(spec['weak_band']))}»"
    )


# ---------------------------------------------------------------------------------------
# The rules


def head_reform_band(ctx: YearContext, rule: Rule) -> Outcome:
    """The head of a unit banded Trung bình or lower: rating below Hoàn thành tốt nhiệm vụ."""
    crit = ctx.crit
    unit_band = ctx.band[ctx.official_unit, -1]
    fires = ctx.is_head & head_band_capped(unit_band, crit)
    cap = crit.cap_level(rule.id, ctx.cadre)
    f = np.flatnonzero(fires)
    trigger = ctx.bands.label(crit.band_level(crit["head_band_trigger"]))
    ids = take(ctx.records.officials["official_id"], ctx.official_rows[f])
    outcome = ["Người đứng đầu: " + capped_words(ctx.cadre, p, cap, "đề xuất") for p in ctx.proposed[f]]
    evidence = [
        f"unit={uid}; band={ctx.bands.label(b)} ({ctx.year}); ngưỡng: «{trigger}» trở xuống"
        for uid, b in zip(ctx.unit_ids[ctx.official_unit[f]], unit_band[f], strict=True)
    ]
    decisions = decision_rows(ctx.year, "official", ids, rule, outcome, evidence, order=f)
    return Outcome(rule, "official", fires, decisions, cap=cap)


REMOVAL_COLUMNS = ["year", "unit_id", "official_id", "streak_years", "streak_bands", "actions"]


def head_removal_streak(ctx: YearContext, rule: Rule) -> Outcome:
    """The unit's run of weak years under this head: xử lý trách nhiệm … thay thế (a trigger)."""
    crit = ctx.crit
    off = ctx.records.officials
    heads = np.flatnonzero(ctx.is_head)
    h_idx = ctx.official_rows[heads]  # heads of the year, rows of the officials table
    h_unit = ctx.codes["officials"][h_idx]
    scope = _head_years(ctx, h_idx, h_unit) if crit["head_streak_own_years_only"] else None
    hs = streak(ctx.band[h_unit], scope, crit, ctx.countable)
    trig = np.flatnonzero(hs.fires)
    years = ctx.years.astype(str).astype(object)
    actions = ";".join(rule.spec["actions"])
    triggers = pd.DataFrame(
        {
            "year": np.full(len(trig), ctx.year, dtype=np.int64),
            "unit_id": ctx.unit_ids[h_unit[trig]],
            "official_id": np.asarray(take(off["official_id"], h_idx[trig]), dtype=object),
            "streak_years": run_lists(hs.run[trig], years),
            "streak_bands": run_lists(hs.run[trig], labels(ctx.bands, ctx.band[h_unit[trig]])),
            "actions": actions,
        },
        columns=REMOVAL_COLUMNS,
    )
    words = streak_words(crit)
    evidence = [
        f"unit={uid}; streak_years={sy}; streak_bands={sb}; {words}"
        for uid, sy, sb in zip(
            triggers["unit_id"], triggers["streak_years"], triggers["streak_bands"], strict=True
        )
    ]
    outcome = [f"Người đứng đầu thuộc diện: {actions.replace(';', '; ')}"] * len(triggers)
    decisions = decision_rows(
        ctx.year, "official", triggers["official_id"].to_numpy(), rule, outcome, evidence, order=heads[trig]
    )
    fires = np.zeros(len(ctx.official_rows), dtype=bool)
    fires[heads[trig]] = True
    return Outcome(rule, "official", fires, decisions, tables={"removal_triggers": triggers})


def _head_years(ctx: YearContext, h_idx: np.ndarray, h_unit: np.ndarray) -> np.ndarray:
    """(head of the year × year): the years each (official, unit) pair was listed as head."""
    off_years = ctx.records.officials["year"].to_numpy()
    y0 = int(ctx.years[0])
    scope = np.zeros((len(h_idx), len(ctx.years)), dtype=bool)
    ha = ctx.head_rows[off_years[ctx.head_rows] >= y0]
    n_u = max(len(ctx.records.units), 1)
    official = ctx.codes["official"]
    pair_key = pd.Index(official[h_idx] * n_u + h_unit)
    p_idx = pair_key.get_indexer(official[ha] * n_u + ctx.codes["officials"][ha])
    ok = p_idx >= 0
    scope[p_idx[ok], off_years[ha][ok] - y0] = True
    return scope
