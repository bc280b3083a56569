"""Mục II.4 (xếp hạng kết quả cải cách hành chính) and II.2 (the unit's late-dossier cap).

Bands from the score: percent, rounded half up to 2 decimals (scores are held in integer
hundredths), lower bounds inclusive, bounds from criteria. Past results are not re-decided:
a band recorded for an earlier year is final (reading `past_bands_final`). In the evaluated
year the band comes from the score, a recorded band stands in when no score is given, and
the late-dossier cap applies to it. A year before the evaluated one with a score and no
recorded band is decided the same way, since that is what its own evaluation would have said.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..columns import column, texts
from ..criteria import Criteria
from ..labels import MISSING
from .late_dossiers import late_fires, late_rate
from .wording import label_column, text_column

if TYPE_CHECKING:
    from ..context import YearContext


def band_from_score(cents: np.ndarray, crit: Criteria) -> np.ndarray:
    """Band level of each score in hundredths (MISSING where there is no score)."""
    cents = np.asarray(cents, dtype=np.int64)
    n_bands = len(crit.bands.keys)
    level = np.full(cents.shape, n_bands - 1, dtype=np.int8)
    for i in range(n_bands - 2, -1, -1):
        bound = crit.band_min(i)
        level = np.where(cents * bound.denominator >= bound.numerator * 100, np.int8(i), level)
    return np.where(cents >= 0, level, np.int8(MISSING)).astype(np.int8)


def unit_bands(score_cents, recorded, late, handled, is_past, in_force, crit: Criteria):
    """Bands of every (unit, year) cell.

    Returns (band_by_score, late_fired, band): the band the score gives, whether the
    unit's late dossiers reach the threshold (only in a year the programme is in force:
    `in_force` is a mask of year columns), and the band that stands after the cap (or as
    recorded, for a past year).
    """
    by_score = band_from_score(score_cents, crit)
    base = np.where(by_score != MISSING, by_score, recorded)
    fired = late_fires(late, handled, "unit", crit) & in_force
    cap = crit.cap_level("unit_late_dossiers", crit.bands)
    derived = np.where(fired & (base != MISSING), np.maximum(base, cap), base)
    if crit["past_bands_final"]:
        band = np.where(is_past & (recorded != MISSING), recorded, derived)
    else:
        band = derived
    return by_score, fired, band.astype(np.int8)


def rank_in_group(group_key: pd.Series, score_cents: pd.Series, crit: Criteria) -> pd.Series:
    """Rank by score, descending, within each group; ties share the lowest rank (1, 2, 2, 4).

    A negative or missing score is unranked (NA). Used by the reform index on its own scores;
    the year's ranking goes through `rank_by_key` with the readings' key.
    """
    codes = pd.factorize(group_key.to_numpy())[0]
    cents = pd.to_numeric(score_cents, errors="coerce").to_numpy(dtype=np.float64)
    key = np.where(cents >= 0, -cents, np.nan)
    rank = rank_by_key(codes, key, crit["rank_ties"])
    return pd.Series(pd.arrays.IntegerArray(rank, rank == 0), index=score_cents.index)


def rank_by_key(group: np.ndarray, key: np.ndarray, method: str) -> np.ndarray:
    """Rank by `key`, ascending, within each group (integer codes); NaN keys are unranked (0).

    Ties share the lowest rank (`min`: 1, 2, 2, 4) or the next one (`dense`: 1, 2, 2, 3). Keys
    are whole numbers (hundredths of a score), so equal scores compare equal exactly.
    """
    out = np.zeros(len(key), dtype=np.int64)
    idx = np.flatnonzero(~np.isnan(key))
    if not len(idx):
        return out
    order = idx[np.lexsort((key[idx], group[idx]))]
    g, k = group[order], key[order]
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_key = new_group | np.r_[True, k[1:] != k[:-1]]
    pos = np.arange(len(order))
    start = np.maximum.accumulate(np.where(new_group, pos, 0))
    if method == "dense":
        c = np.cumsum(new_key)
        out[order] = c - c[start] + 1
    else:
        out[order] = np.maximum.accumulate(np.where(new_key, pos, 0)) - start + 1
    return out


def rank_key(ctx: YearContext, rows: np.ndarray) -> np.ndarray:
    """What the ranking orders by: the score, descending; a unit without a score is unranked.

    With `late_capped_rank: below_uncapped`, a unit capped for its late dossiers (the rule
    fires, whether or not its band changed) comes after every uncapped unit of its band.
    """
    cents = ctx.score[rows, -1].astype(np.float64)
    key = np.where(cents >= 0, -cents, np.nan)
    if ctx.crit["late_capped_rank"] == "below_uncapped":
        band = ctx.band[rows, -1].astype(np.float64)
        capped = ctx.late_fired[rows, -1]
        key = (band * 2 + capped) * 100_000 + key  # scores are at most 10,000 hundredths
    return key


@dataclass
class Ranking:
    """The year's units in table order: by group (the criteria file's order), then rank."""

    rows: np.ndarray  # unit rows (of `records.units`), in table order
    rank: np.ndarray  # rank_in_group in table order (0: unranked)
    position: np.ndarray  # for each unit of `ctx.unit_rows`, its position in the table


def ranking(ctx: YearContext) -> Ranking:
    """Rank within each group by score; the table lists groups in the criteria's order, then
    ranks (unranked last), then unit ids."""
    uidx = ctx.unit_rows
    group_code, group_sort, id_sort = _unit_sort_keys(ctx)
    rank = rank_by_key(group_code[uidx], rank_key(ctx, uidx), ctx.crit["rank_ties"])
    unranked_last = np.where(rank > 0, rank, np.iinfo(np.int64).max)
    order = np.lexsort((id_sort[uidx], unranked_last, group_sort[uidx]))
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    return Ranking(uidx[order], rank[order], position)


def _unit_sort_keys(ctx: YearContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per unit: its group's code (names folded), the group's place in the table (the
    criteria's order, then others by name) and the unit id's place in id order. Taken once
    per Records object and list of groups."""
    labels_ = ctx.crit.groups.eras[0].labels
    cache = ctx.records.__dict__.setdefault("_unit_sort", {})
    if labels_ not in cache:
        group_key = texts(ctx.records, "units", "group_key")
        group = texts(ctx.records, "units", "group")
        _, group_code = np.unique(group_key, return_inverse=True)
        known = {g: i for i, g in enumerate(labels_)}
        _, by_name = np.unique(group, return_inverse=True)
        group_sort = (
            np.array([known.get(g, len(known)) for g in group], dtype=np.int64) * (len(group) + 1) + by_name
        )
        _, id_sort = np.unique(texts(ctx.records, "units", "unit_id"), return_inverse=True)
        cache[labels_] = (group_code.ravel(), group_sort, id_sort.ravel())
    return cache[labels_]


def unit_ranking_table(ctx: YearContext, band: np.ndarray, eligible: np.ndarray, reasons) -> dict:
    """The columns of the `unit_ranking` table; `band`, `eligible` and `reasons` follow `ctx.unit_rows`.

    Texts are given as functions that make them (`scoring.held.Columns`): pandas' text
    columns cost more to build than the ranking itself, and a what-if reads few of them."""
    r = ctx.ranking
    take = np.argsort(r.position)  # table position -> index in ctx.unit_rows
    rows = r.rows
    s_cents = ctx.score[rows, -1]
    units = partial(column, ctx.records, "units")
    return {
        "year": np.full(len(rows), ctx.year, dtype=np.int64),
        "unit_id": lambda: units("unit_id").take(rows),
        "unit_name": lambda: units("unit_name").take(rows),
        "group": lambda: units("group").take(rows),
        "score": np.where(s_cents >= 0, s_cents / 100.0, np.nan),
        "rank_in_group": partial(pd.arrays.IntegerArray, r.rank, r.rank == 0),
        "band_by_score": partial(label_column, ctx.bands, ctx.by_score[rows, -1]),
        "late_rate": late_rate(ctx.late[rows, -1], ctx.handled[rows, -1]),
        "band": partial(label_column, ctx.bands, band[take]),
        "emulation_eligible": eligible[take],
        "reasons": lambda: text_column(np.asarray(reasons, dtype=object)[take]),
    }
