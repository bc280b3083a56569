"""Weight sensitivity: another survey share, or another maximum for a field — whose rank moves?

Like COINr's `compare_coins`, the result lists every unit with its baseline and alternative
score and rank, sorted by how far the rank moves; Kendall's tau (`scipy.stats.kendalltau`,
tau-b, ties counted) measures how much of the baseline order survives, over all units and in
each group.

How a weight change works: each unit keeps its achievement in each field (points over the
field's maximum, as it was scored); the field's maximum is changed, and the index is the sum of
the re-weighted fields over their new maximum. A survey share of 40% scales the survey fields to
40% of the structure's total and the other fields to 60%, each in proportion to its maximum.
Bonus and deduction points are kept as they are. A unit without a survey stays rescaled over the
fields it has.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..rules.reform_ranking import band_from_score, rank_in_group
from .compute import YearIndex

COMPARE_COLUMNS = [
    "unit_id",
    "unit_name",
    "group",
    "score_base",
    "score_alt",
    "score_change",
    "rank_base",
    "rank_alt",
    "rank_change",
    "band_base",
    "band_alt",
]


def field_scales(yi: YearIndex, survey_share: float | None = None, field_max: dict[str, float] | None = None):
    """{field id: new maximum / old maximum} for a survey share (percent) and field maxima (points)."""
    fields = yi.structure.fields
    old = {f.id: f.max_cents / 100 for f in fields}
    new = dict(old)
    for fid, value in (field_max or {}).items():
        if fid not in new:
            raise KeyError(f"không có lĩnh vực «{fid}» trong bộ chỉ số «{yi.structure.id}»")
        if value < 0:
            raise ValueError(f"điểm tối đa của lĩnh vực «{fid}» không được âm")
        new[fid] = float(value)
    if survey_share is not None:
        if not 0 <= survey_share <= 100:
            raise ValueError("tỷ trọng điều tra xã hội học cần từ 0 đến 100 (%)")
        survey = {i.field for i in yi.leaves if i.method == "survey"}
        total = yi.structure.max_cents / 100
        s_sum = sum(new[f] for f in survey)
        o_sum = sum(v for f, v in new.items() if f not in survey)
        for f in new:
            if f in survey and s_sum > 0:
                new[f] *= total * survey_share / 100 / s_sum
            elif f not in survey and o_sum > 0:
                new[f] *= total * (100 - survey_share) / 100 / o_sum
    return {f: (new[f] / old[f] if old[f] else 0.0) for f in old}


def reweighted_cents(yi: YearIndex, scales: dict[str, float]) -> np.ndarray:
    """Each unit's index (hundredths) with every field's maximum multiplied by its scale."""
    counted = yi.counted
    item_max = np.array([i.max_cents for i in yi.leaves], dtype=np.float64)
    core = ~yi.method_mask("bonus", "deduction")
    pts = np.zeros(len(yi.units))
    mx = np.zeros(len(yi.units))
    for f in yi.structure.fields:
        k = np.array([i.field == f.id for i in yi.leaves]) & core
        fm = np.where(counted[:, k], item_max[k][None, :], 0).sum(axis=1)
        fp = yi.appraised[:, k].sum(axis=1)
        w = scales.get(f.id, 1.0)
        pts += fp * w  # the unit keeps its achievement fp / fm on the field
        mx += fm * w
    extra = yi.appraised[:, yi.method_mask("bonus")].sum(axis=1) - yi.appraised[
        :, yi.method_mask("deduction")
    ].sum(axis=1)
    idx = 10000 * (pts + extra) / np.maximum(mx, 1e-9)
    return np.clip(np.floor(idx + 0.5 + 1e-9), 0, 10000).astype(np.int64)


@dataclass
class Sensitivity:
    """A weight scenario against the baseline index: the units sorted by rank change, and tau."""

    table: pd.DataFrame  # COMPARE_COLUMNS, largest rank change first
    tau: float  # Kendall's tau-b between baseline and scenario scores, all units
    tau_by_group: dict[str, float]
    scales: dict[str, float]


def _tau(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's tau-b; 1 for identical scores (where tau-b itself is undefined: all tied)."""
    if np.array_equal(a, b):
        return 1.0
    return float(stats.kendalltau(a, b).statistic)


def sensitivity(
    yi: YearIndex, survey_share: float | None = None, field_max: dict[str, float] | None = None
) -> Sensitivity:
    """Compare the baseline index with the index under another survey share or field maxima."""
    scales = field_scales(yi, survey_share, field_max)
    base, alt = yi.index_cents, reweighted_cents(yi, scales)
    keys = yi.units["group_key"]
    rb = rank_in_group(keys, pd.Series(base), yi.crit).to_numpy()
    ra = rank_in_group(keys, pd.Series(alt), yi.crit).to_numpy()
    labels = np.array(list(yi.crit.bands.labels), dtype=object)
    t = pd.DataFrame(
        {
            "unit_id": yi.units["unit_id"].to_numpy(dtype=object),
            "unit_name": yi.units["unit_name"].to_numpy(dtype=object),
            "group": yi.units["group"].to_numpy(dtype=object),
            "score_base": base / 100,
            "score_alt": alt / 100,
            "score_change": (alt - base) / 100,
            "rank_base": rb,
            "rank_alt": ra,
            "rank_change": (rb.astype(np.int64) - ra.astype(np.int64)),  # positive: moved up
            "band_base": labels[band_from_score(base, yi.crit)],
            "band_alt": labels[band_from_score(alt, yi.crit)],
        },
        columns=COMPARE_COLUMNS,
    )
    t["_abs"] = t["rank_change"].abs()
    t["_d"] = t["score_change"].abs()
    t = t.sort_values(["_abs", "_d", "unit_id"], ascending=[False, False, True], kind="stable")
    t = t.drop(columns=["_abs", "_d"]).reset_index(drop=True)
    by_group = {
        str(g): _tau(base[idx], alt[idx])
        for g, idx in pd.Series(np.arange(len(base))).groupby(yi.units["group"]).groups.items()
    }
    return Sensitivity(t, _tau(base, alt), by_group, scales)
