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
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from ..columns import column
from ..criteria import Criteria, Rule
from ..decisions import decision_rows
from ..labels import MISSING
from . import Outcome, lookup
from .streaks import trailing_run
from .wording import by_level, labels, not_above, run_lists, run_words, table, text_column

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
    """The streak condition as the evidence states it, in the programme's words."""
    spec = crit.rule("head_removal_streak").spec
    bands = crit.bands
    average = bands.label(crit.band_level(spec["average_band"]))
    weak = bands.label(crit.band_level(spec["weak_band"]))
    lower = " trở xuống" if crit["weak_counts_toward_average_streak"] else ""
    return (
        f"ngưỡng: {crit['streak_years_average']:02d} năm liên tục «{average}»{lower} "
        f"hoặc {crit['streak_years_weak']:02d} năm liên tục «{weak}»"
    )


def cadre_columns(ctx: YearContext) -> slice:
    """The year columns the cadre consequences read: up to the evaluated year, or up to the
    latest published result with the reading `reform_result_lag_years`."""
    return slice(0, max(len(ctx.years) - ctx.lag, 0))


# ---------------------------------------------------------------------------------------
# The rules


def head_reform_band(ctx: YearContext, rule: Rule) -> Outcome:
    """The head of a unit banded Trung bình or lower: rating below Hoàn thành tốt nhiệm vụ.

    "Người đứng đầu … không được xếp loại hoàn thành tốt nhiệm vụ trở lên nếu xếp hạng kết quả
    cải cách hành chính đạt mức trung bình trở xuống". Which year's ranking: reading
    `reform_result_lag_years` (the same year, or the latest published, the previous year's).
    """
    crit = ctx.crit
    cols = cadre_columns(ctx)
    t = cols.stop - 1  # the year column read; none when the matrices do not reach back
    counts = t >= 0 and bool(ctx.countable[t])
    unit_band = ctx.band[ctx.official_unit, t] if counts else np.full(len(ctx.official_rows), -1)
    may, recommended = ctx.official_scope
    fires = ctx.is_head & head_band_capped(unit_band, crit) & may
    cap = crit.cap_level(rule.id, ctx.cadre)
    f = np.flatnonzero(fires)
    head = f"Người đứng đầu không được xếp loại {not_above(ctx.cadre, cap)}"
    outcome = ctx.recommended(
        by_level(ctx.cadre, cap, head)[ctx.proposed[f]], recommended[f], ctx.official_unit[f]
    )
    trigger = ctx.bands.label(crit.band_level(crit["head_band_trigger"]))
    year = int(ctx.years[t]) if t >= 0 else ctx.year
    when = f"năm {year}" + (" (kết quả đã công bố gần nhất)" if ctx.lag else "")
    names = ctx.unit_names
    evidence = [
        f"{names[u]} xếp loại «{ctx.bands.label(b)}» {when}; ngưỡng: từ «{trigger}» trở xuống"
        for u, b in zip(ctx.official_unit[f], unit_band[f], strict=True)
    ]
    ids = ctx.official_ids(f)
    decisions = decision_rows(ctx.year, "official", ids, rule, outcome, evidence, order=f)
    return Outcome(rule, "official", fires, decisions, cap=cap)


REMOVAL_COLUMNS = ["year", "unit_id", "official_id", "streak_years", "streak_bands", "actions"]


def head_removal_streak(ctx: YearContext, rule: Rule) -> Outcome:
    """The unit's run of weak years under this head: xử lý trách nhiệm … thay thế (a trigger).

    "xử lý trách nhiệm, đưa ra khỏi quy hoạch, điều chuyển, thay thế người đứng đầu nếu kết quả
    cải cách hành chính của đơn vị, địa phương 03 năm liên tục xếp hạng trung bình hoặc 02 năm
    liên tục xếp hạng yếu". A trigger for the competent body to consider, never a sanction.
    """
    crit = ctx.crit
    cols = cadre_columns(ctx)
    may, recommended = ctx.official_scope
    heads = np.flatnonzero(ctx.is_head & may)
    h_idx = ctx.official_rows[heads]  # heads of the year, rows of the officials table
    h_unit = ctx.codes["officials"][h_idx]
    scope = _head_years(ctx, h_idx, h_unit)[:, cols] if crit["head_streak_own_years_only"] else None
    band = ctx.band[h_unit][:, cols]
    hs = streak(band, scope, crit, ctx.countable[cols])
    trig = np.flatnonzero(hs.fires)
    years = ctx.years[cols].astype(str).astype(object)
    actions = ";".join(rule.spec["actions"])
    ids = ctx.official_ids(heads[trig])
    run_years = run_lists(hs.run[trig], years)
    run_bands = run_lists(hs.run[trig], labels(ctx.bands, band[trig]))
    triggers = table(
        {
            "year": np.full(len(trig), ctx.year, dtype=np.int64),
            "unit_id": ctx.unit_ids[h_unit[trig]],
            "official_id": partial(text_column, ids),
            "streak_years": run_years,
            "streak_bands": run_bands,
            "actions": np.full(len(trig), actions, dtype=object),
        }
    )
    words = streak_words(crit)
    own = ", dưới thời người đứng đầu này" if crit["head_streak_own_years_only"] else ""
    names = ctx.unit_names[h_unit[trig]]
    evidence = [
        f"{name}: {run_words(sy, sb)} — {len(sy.split(';'))} năm liên tục{own}; {words}"
        for name, sy, sb in zip(names, run_years, run_bands, strict=True)
    ]
    outcome = np.full(
        len(trig), "Người đứng đầu thuộc diện xem xét " + ", ".join(rule.spec["actions"]), dtype=object
    )
    outcome = ctx.recommended(outcome, recommended[heads[trig]], h_unit[trig])
    decisions = decision_rows(ctx.year, "official", ids, rule, outcome, evidence, order=heads[trig])
    fires = np.zeros(len(ctx.official_rows), dtype=bool)
    fires[heads[trig]] = True
    return Outcome(rule, "official", fires, decisions, tables={"removal_triggers": triggers})


def _head_years(ctx: YearContext, h_idx: np.ndarray, h_unit: np.ndarray) -> np.ndarray:
    """(head of the year × year): the years each (official, unit) pair was listed as head."""
    off_years = column(ctx.records, "officials", "year")
    y0 = int(ctx.years[0])
    scope = np.zeros((len(h_idx), len(ctx.years)), dtype=bool)
    ha = ctx.head_rows[off_years[ctx.head_rows] >= y0]
    n_u = max(len(ctx.records.units), 1)
    official = ctx.codes["official"]
    p_idx, ok = lookup(official[h_idx] * n_u + h_unit, official[ha] * n_u + ctx.codes["officials"][ha])
    scope[p_idx[ok], off_years[ha][ok] - y0] = True
    return scope
