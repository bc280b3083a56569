"""From criterion points to the index: per unit the index (%), each field's sub-index, the
self-versus-appraised gap, and the rank in its group.

    index = 100 × (appraised + published + surveyed points + bonus − deductions) / maximum

in integer hundredths, rounded half up to 2 decimals like every score, kept within 0–100. The
maximum is the structure's, less the survey items a unit has no result for when the reading
`rescale_without_survey` holds (Hà Nội: without a survey "kết quả thẩm định điểm tự chấm là kết
quả chỉ số, được quy về thang điểm 100"). A survey item's points are its maximum × satisfied /
respondents, rounded half up to the structure's decimals, or the points given with respondents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..criteria import Criteria
from ..rules.reform_ranking import rank_in_group
from .points import Points, positions, survey_cents
from .structure import IndexSettings, Item, Structure

INDEX_COLUMNS = [
    "year",
    "unit_id",
    "unit_name",
    "group",
    "structure",
    "index",
    "rank_in_group",
    "points",
    "max_points",
    "appraisal_points",
    "survey_points",
    "survey_max_points",
    "bonus_points",
    "deduction_points",
    "self_index",
    "self_gap_points",
    "recorded_score",
    "recorded_minus_index",
]
FIELD_COLUMNS = [
    "year",
    "unit_id",
    "field_id",
    "field_no",
    "field_name",
    "method",
    "max_points",
    "points",
    "sub_index",
    "self_points",
    "self_gap_points",
]


def half_up(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """round(num / den) half up, exactly, for non-negative integers (den > 0)."""
    num = np.asarray(num, dtype=np.int64)
    den = np.asarray(den, dtype=np.int64)
    return (2 * num + den) // (2 * den)


@dataclass
class YearIndex:
    """The index of one year: the tables people read and the arrays the odds draw from.

    Matrices are units × leaves (the structure's scored items, in file order); points in
    hundredths; `units` in the order of the `units` table.
    """

    year: int
    structure: Structure
    settings: IndexSettings
    units: pd.DataFrame  # unit_id, unit_name, group, group_key
    leaves: tuple[Item, ...]
    appraised: np.ndarray  # int64; survey columns hold the survey points
    self_points: np.ndarray  # int64, -1 where not given (and for survey items)
    present: np.ndarray  # bool: the item has a result for the unit
    respondents: np.ndarray  # int64, 0 outside survey items
    satisfied: np.ndarray  # float64 (points given with respondents: the equivalent count)
    totals: np.ndarray  # int64 points (hundredths), bonus added and deductions taken
    maxima: np.ndarray  # int64 maximum (hundredths) the index is taken over
    index_cents: np.ndarray  # int64 index in hundredths of a percent
    crit: Criteria = field(repr=False)
    recorded: dict[str, int] = field(default_factory=dict, repr=False)  # unit -> recorded score

    def method_mask(self, *methods: str) -> np.ndarray:
        return np.array([i.method in methods for i in self.leaves], dtype=bool)

    @cached_property
    def counted(self) -> np.ndarray:
        """The items each unit's maximum counts: all but the unsurveyed ones when rescaling."""
        if not self.settings["rescale_without_survey"]:
            return np.ones(self.present.shape, dtype=bool)
        return self.present | ~self.method_mask("survey")[None, :]

    @cached_property
    def gap(self) -> np.ndarray:
        """Self-assessed minus appraised points, per unit and item (0 where no self-assessment)."""
        given = (self.self_points >= 0) & ~self.method_mask("survey")[None, :]
        return np.where(given, self.self_points - self.appraised, 0)

    @cached_property
    def table(self) -> pd.DataFrame:
        """One row per unit: INDEX_COLUMNS."""
        return _unit_table(self)

    @cached_property
    def fields(self) -> pd.DataFrame:
        """One row per unit and field: FIELD_COLUMNS."""
        return _field_table(self)

    def over_scorers(self, n: int = 5) -> pd.DataFrame:
        """The units that over-score themselves most (self-assessed minus appraised points)."""
        t = self.table[self.table["self_gap_points"] > 0]
        return t.sort_values(["self_gap_points", "unit_id"], ascending=[False, True], kind="stable").head(n)


def compute_year(
    points: Points,
    year: int,
    units: pd.DataFrame,
    settings: IndexSettings,
    crit: Criteria,
    recorded: dict[str, int] | None = None,
) -> YearIndex | None:
    """The index of `year` for the units with points (None when the year has none).

    `units` is the typed `units` table (unit_id, unit_name, group, group_key); `recorded` the
    recorded scores (hundredths) by unit, shown beside the recomputed index.
    """
    if year not in points.structures:
        return None
    s = points.structures[year]
    leaves = s.leaves
    a, sv = points.in_year("criterion_scores", year), points.in_year("survey_results", year)
    order, row_of = _units_of(points, units, np.concatenate([a["unit"], sv["unit"]]))
    col = points.leaf_positions(s)  # the checks kept only the rows whose item is a leaf of `s`
    U, L = len(order), len(leaves)
    appraised = np.zeros((U, L), dtype=np.int64)
    self_pts = np.full((U, L), -1, dtype=np.int64)
    present = np.zeros((U, L), dtype=bool)
    n = np.zeros((U, L), dtype=np.int64)
    sat = np.zeros((U, L), dtype=np.float64)
    r, c = row_of[a["unit"]], col[a["item"]]
    appraised[r, c] = a["appraised_cents"]
    self_pts[r, c] = a["self_cents"]
    present[r, c] = True
    if len(sv["unit"]):
        r, c = row_of[sv["unit"]], col[sv["item"]]
        maxes = np.array([i.max_cents for i in leaves], dtype=np.int64)[c]
        resp, given_sat, given_pts = sv["respondents"], sv["satisfied"], sv["points_cents"]
        pts = np.where(
            given_sat >= 0, survey_cents(maxes, np.maximum(given_sat, 0), resp, s.survey_decimals), given_pts
        )
        appraised[r, c] = pts
        present[r, c] = True
        n[r, c] = resp
        sat[r, c] = np.where(given_sat >= 0, given_sat, given_pts / maxes * resp)
    result = YearIndex(
        year, s, settings, order, leaves, appraised, self_pts, present, n, sat,
        totals=np.zeros(U, dtype=np.int64), maxima=np.zeros(U, dtype=np.int64),
        index_cents=np.zeros(U, dtype=np.int64), crit=crit, recorded=recorded or {},
    )  # fmt: skip
    core = ~result.method_mask("bonus", "deduction")
    item_max = np.array([i.max_cents for i in leaves], dtype=np.int64)
    result.maxima = np.where(result.counted & core[None, :], item_max[None, :], 0).sum(axis=1)
    result.totals = (
        np.where(core[None, :], appraised, 0).sum(axis=1)
        + appraised[:, result.method_mask("bonus")].sum(axis=1)
        - appraised[:, result.method_mask("deduction")].sum(axis=1)
    )
    result.index_cents = index_of(result.totals, result.maxima)
    return result


def _units_of(
    points: Points, units: pd.DataFrame, with_points: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows of `units` with points (in the table's order) and, per unit code of `points`,
    its row among them."""
    cache = points.__dict__.setdefault("_unit_rows", {})
    if id(units) not in cache or cache[id(units)][0] is not units:
        cache[id(units)] = (units, positions(units["unit_id"], points.unit_ids))  # each row's unit code
    pos = cache[id(units)][1]
    wanted = np.zeros(len(points.unit_ids) + 1, dtype=bool)
    wanted[with_points] = True
    idx = np.flatnonzero(wanted[pos])  # a code of -1 reads the last, never set: not wanted
    row_of = np.full(len(points.unit_ids), -1, dtype=np.int64)
    # a unit listed twice (the loader refuses it) keeps its first row, as a lookup by id would
    codes, first = np.unique(pos[idx], return_index=True)
    row_of[codes] = first
    return units.iloc[idx].reset_index(drop=True), row_of


@dataclass(frozen=True)
class Scores:
    """The index of every unit with points in every year: one entry per (year, unit)."""

    year: np.ndarray  # int64
    unit_id: np.ndarray  # object
    cents: np.ndarray  # int64: the index in hundredths of a percent
    structures: dict[int, Structure]


def every_year(points: Points, settings: IndexSettings) -> Scores:
    """The index of every unit with points, every year in one pass — what the loader needs.

    The arithmetic of `compute_year` with the points summed over (year, unit) codes instead of
    laid out in a units × items matrix per year (tests hold the two equal): the total is every
    item's points, deductions taken away; the maximum is every scored item's but the bonus and
    deductions, less the survey items without a result when `rescale_without_survey` holds.
    """
    years = points.years()
    Y, U, n_items = len(years), len(points.unit_ids), len(points.item_ids)
    sign = np.zeros((Y, n_items), dtype=np.int64)  # per year and item code: +1, or -1 (deduction)
    item_max = np.zeros((Y, n_items), dtype=np.int64)
    base_max = np.zeros(Y, dtype=np.int64)  # the maximum every unit of the year counts
    decimals = np.zeros(Y, dtype=np.int64)
    rescale = bool(settings["rescale_without_survey"])
    for k, y in enumerate(years):
        s = points.structures[y]
        method = np.array([i.method for i in s.leaves], dtype=object)
        mx = np.array([i.max_cents for i in s.leaves], dtype=np.int64)
        pos = points.leaf_positions(s)
        at = pos >= 0
        sign[k, at] = np.where(method == "deduction", -1, 1)[pos[at]]
        item_max[k, at] = mx[pos[at]]
        core = (method != "bonus") & (method != "deduction")
        base_max[k] = mx[core & (method != "survey")].sum() if rescale else mx[core].sum()
        decimals[k] = s.survey_decimals
    totals = np.zeros(Y * U, dtype=np.int64)
    maxima = np.repeat(base_max, U)
    has = np.zeros(Y * U, dtype=bool)
    a, sv = points.rows["criterion_scores"], points.rows["survey_results"]
    ka = points.slots("criterion_scores")
    np.add.at(totals, ka * U + a["unit"], sign[ka, a["item"]] * a["appraised_cents"])
    has[ka * U + a["unit"]] = True
    ks = points.slots("survey_results")
    smax, sat, given = item_max[ks, sv["item"]], sv["satisfied"], sv["points_cents"]
    pts = np.where(sat >= 0, survey_cents(smax, np.maximum(sat, 0), sv["respondents"], decimals[ks]), given)
    np.add.at(totals, ks * U + sv["unit"], pts)
    if rescale:
        np.add.at(maxima, ks * U + sv["unit"], smax)
    has[ks * U + sv["unit"]] = True
    p = np.flatnonzero(has)
    return Scores(
        np.array(years, dtype=np.int64)[p // U] if Y else np.zeros(0, dtype=np.int64),
        points.unit_ids[p % U] if U else np.zeros(0, dtype=object),
        index_of(totals[p], maxima[p]),
        dict(points.structures),
    )


def index_of(totals, maxima) -> np.ndarray:
    """Index in hundredths of a percent: 100 × points / maximum, rounded half up, within 0–100."""
    return np.clip(half_up(10000 * np.maximum(totals, 0), np.maximum(maxima, 1)), 0, 10000)


def _points(cents) -> np.ndarray:
    return np.asarray(cents, dtype=np.int64) / 100.0


def _unit_table(r: YearIndex) -> pd.DataFrame:
    survey, bonus, deduct = r.method_mask("survey"), r.method_mask("bonus"), r.method_mask("deduction")
    item_max = np.array([i.max_cents for i in r.leaves], dtype=np.int64)
    s_max = np.where(r.present & survey[None, :], item_max[None, :], 0).sum(axis=1)
    ranks = rank_in_group(r.units["group_key"], pd.Series(r.index_cents), r.crit)
    rec = r.units["unit_id"].map(r.recorded).astype("Int64").to_numpy(dtype=np.float64, na_value=np.nan)
    gap = r.gap.sum(axis=1)
    return pd.DataFrame(
        {
            "year": r.year,
            "unit_id": r.units["unit_id"].to_numpy(dtype=object),
            "unit_name": r.units["unit_name"].to_numpy(dtype=object),
            "group": r.units["group"].to_numpy(dtype=object),
            "structure": r.structure.id,
            "index": _points(r.index_cents),
            "rank_in_group": ranks.to_numpy(),
            "points": _points(r.totals),
            "max_points": _points(r.maxima),
            "appraisal_points": _points(np.where(~survey & ~bonus & ~deduct, r.appraised, 0).sum(axis=1)),
            "survey_points": _points(np.where(survey, r.appraised, 0).sum(axis=1)),
            "survey_max_points": _points(s_max),
            "bonus_points": _points(r.appraised[:, bonus].sum(axis=1)),
            "deduction_points": _points(r.appraised[:, deduct].sum(axis=1)),
            "self_index": _points(index_of(r.totals + gap, r.maxima)),
            "self_gap_points": _points(gap),
            "recorded_score": rec / 100.0,
            "recorded_minus_index": (rec - r.index_cents) / 100.0,
        },
        columns=INDEX_COLUMNS,
    )


def _field_table(r: YearIndex) -> pd.DataFrame:
    """One row per unit and field: points, maximum (rescaled as the index is), sub-index, gap."""
    gap, counted = r.gap, r.counted
    item_max = np.array([i.max_cents for i in r.leaves], dtype=np.int64)
    parts = []
    for f in r.structure.fields:
        k = np.array([i.field == f.id for i in r.leaves], dtype=bool)
        mx = np.where(counted[:, k], item_max[k][None, :], 0).sum(axis=1)
        pts = r.appraised[:, k].sum(axis=1)
        given = (r.self_points[:, k] >= 0).any(axis=1)
        methods = sorted({i.method for i, kk in zip(r.leaves, k, strict=True) if kk})
        parts.append(
            pd.DataFrame(
                {
                    "year": r.year,
                    "unit_id": r.units["unit_id"].to_numpy(dtype=object),
                    "field_id": f.id,
                    "field_no": f.no,
                    "field_name": f.name,
                    "method": ";".join(methods),
                    "max_points": _points(mx),
                    "points": _points(pts),
                    "sub_index": np.where(mx > 0, half_up(10000 * pts, np.maximum(mx, 1)) / 100.0, np.nan),
                    "self_points": np.where(given, _points(pts + gap[:, k].sum(axis=1)), np.nan),
                    "self_gap_points": np.where(given, _points(gap[:, k].sum(axis=1)), np.nan),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    pos = {u: i for i, u in enumerate(r.units["unit_id"])}
    out["_u"] = out["unit_id"].map(pos)
    return out.sort_values(["_u"], kind="stable").drop(columns="_u").reset_index(drop=True)[FIELD_COLUMNS]
