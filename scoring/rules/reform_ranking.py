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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..criteria import Criteria
from ..labels import MISSING
from .late_dossiers import late_fires, late_rate
from .wording import labels

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


def rank_in_group(group_key: pd.Series, key: pd.Series, crit: Criteria) -> pd.Series:
    """Rank by `key`, ascending, within each group; ties share the lowest rank (1, 2, 2, 4).

    `key` is the negated score in hundredths (NaN where there is no score), or with the reading
    `late_capped_rank` a composite that puts late-capped units after the uncapped ones of
    their band.
    """
    ranks = key.groupby(group_key.to_numpy()).rank(method=crit["rank_ties"], ascending=True)
    return ranks.astype("Int64")


def rank_key(ctx: YearContext, rows: np.ndarray) -> pd.Series:
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
    return pd.Series(key)


@dataclass
class Ranking:
    """The year's units in table order: by group (the criteria file's order), then rank."""

    rows: np.ndarray  # unit rows (of `records.units`), in table order
    rank: pd.Series  # rank_in_group (Int64), in table order
    position: np.ndarray  # for each unit of `ctx.unit_rows`, its position in the table


def ranking(ctx: YearContext) -> Ranking:
    """Rank within each group by score; the table lists groups in the criteria's order."""
    crit = ctx.crit
    uidx = ctx.unit_rows
    u = ctx.records.units.iloc[uidx].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "unit_id": u["unit_id"].to_numpy(),
            "group": u["group"].to_numpy(),
            "rank_in_group": rank_in_group(u["group_key"], rank_key(ctx, uidx), crit).to_numpy(),
        }
    )
    group_order = {g: i for i, g in enumerate(crit.groups.eras[0].labels)}
    frame["_g"] = [group_order.get(g, len(group_order)) for g in frame["group"]]
    frame = frame.sort_values(["_g", "group", "rank_in_group", "unit_id"], na_position="last", kind="stable")
    order = frame.index.to_numpy()
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    return Ranking(uidx[order], frame["rank_in_group"].astype("Int64").reset_index(drop=True), position)


def unit_ranking_table(ctx: YearContext, band: np.ndarray, eligible: np.ndarray, reasons) -> pd.DataFrame:
    """The `unit_ranking` table; `band`, `eligible` and `reasons` follow `ctx.unit_rows`."""
    r = ctx.ranking
    take = np.argsort(r.position)  # table position -> index in ctx.unit_rows
    rows = r.rows
    units = ctx.records.units
    s_cents = ctx.score[rows, -1]
    return pd.DataFrame(
        {
            "year": ctx.year,
            "unit_id": units["unit_id"].to_numpy()[rows],
            "unit_name": units["unit_name"].to_numpy()[rows],
            "group": units["group"].to_numpy()[rows],
            "score": np.where(s_cents >= 0, s_cents / 100.0, np.nan),
            "rank_in_group": r.rank,
            "band_by_score": labels(ctx.bands, ctx.by_score[rows, -1]),
            "late_rate": late_rate(ctx.late[rows, -1], ctx.handled[rows, -1]),
            "band": labels(ctx.bands, band[take]),
            "emulation_eligible": eligible[take],
            "reasons": np.asarray(reasons, dtype=object)[take],
        }
    )
