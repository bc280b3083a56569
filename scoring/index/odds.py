"""The odds: how sure each band, each consequence and each rank is, given the survey's sampling
error (and, optionally, an appraisal tolerance). Monte Carlo, seeded, vectorised.

The model (docs/index.md):
- each survey item's satisfaction rate p has a Beta posterior from its respondents n and
  satisfied s with Jeffreys' prior: Beta(s + ½, n − s + ½) (`survey_prior`: uniform gives
  Beta(s + 1, n − s + 1)); points given with respondents count as s = points / max × n;
- an item's drawn points are max × p; a unit's drawn score is its score plus the drawn change
  (drawn minus computed points) over the maximum, rounded half up to hundredths like a score;
- `survey_draw: pooled` (default): a unit's survey items are drawn together, as one Beta on
  [0, Σ max] with the mean and variance of Σ max × p — one draw per unit (tested against the
  item-by-item draw); `item`: each item from its own Beta, except that where both Beta
  parameters reach `survey_normal_min_count` the Beta is replaced by a normal of the same mean
  and variance (a sum of independent normals is normal: those items cost one draw per unit);
- `appraisal_tolerance_points` t > 0 adds to each appraised field a uniform change in [−t, t],
  kept within 0 and the field's maximum;
- items are independent; units without criterion points, or without survey and tolerance, keep
  their score in every draw (the degenerate case: probabilities 0 or 1, the deterministic band).

From each draw: the band by score, then — through the exact consequences (`margins`) — the band
that stands after the late-dossier cap, whether the head is capped, whether a removal trigger
fires, whether the party organisation loses the top class; and the rank in the group. No loop
over units: draws × units matrices, in chunks of a fixed size (so a seed gives the same numbers
whatever the machine).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..criteria import Criteria
from ..rules.reform_ranking import band_from_score
from .compute import YearIndex
from .margins import Consequences
from .structure import IndexSettings, load_settings

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 0
CHUNK_CELLS = 2_000_000  # draws × units per chunk: about 16 MB a float matrix
PRIORS = {"jeffreys": 0.5, "uniform": 1.0}
RULE_COLUMNS = {
    "head_reform_band": "p_head_capped",
    "head_removal_streak": "p_removal_trigger",
    "party_org_streak": "p_party_org_capped",
}


@dataclass
class Model:
    """What each ranked unit's score draws from: fixed score plus exact-Beta, normal and tolerance parts."""

    score: np.ndarray  # int64 hundredths (the ranking's score)
    scale: np.ndarray  # float: hundredths of the score per hundredth of a point (10000 / maximum)
    normal_mean: np.ndarray  # float: mean change (points, hundredths) of the normal-approximated items
    normal_sd: np.ndarray  # float
    beta_unit: np.ndarray  # int: the unit of each exact-Beta item
    beta_a: np.ndarray
    beta_b: np.ndarray
    beta_max: np.ndarray  # float: item maximum (hundredths)
    beta_det: np.ndarray  # float: the item's computed points (hundredths)
    tol_unit: np.ndarray  # int: the unit of each appraised field with a tolerance
    tol_points: np.ndarray  # float: the field's appraised points (hundredths)
    tol_max: np.ndarray  # float: the field's maximum (hundredths)
    tolerance: float  # hundredths
    survey_items: np.ndarray  # int: survey items with a result, per unit
    kind: np.ndarray  # object: "cố định", "beta (gộp)", "beta", "chuẩn", "beta+chuẩn" (and "+dung sai")


def build_model(c: Consequences, yi: YearIndex | None, settings: IndexSettings) -> Model:
    """The draw model of each ranked unit from its criterion points (none: a fixed score)."""
    U = len(c.unit_ids)
    pos = (
        pd.Index(yi.units["unit_id"].astype(str)).get_indexer(c.unit_ids)
        if yi is not None
        else np.full(U, -1)
    )
    has = pos >= 0
    scale = np.zeros(U)
    n_mean, n_var = np.zeros(U), np.zeros(U)
    kind = np.array(["cố định"] * U, dtype=object)
    survey_items = np.zeros(U, dtype=np.int64)
    b_unit = b_a = b_b = b_max = b_det = np.zeros(0)
    t_unit = t_pts = t_max = np.zeros(0)
    tol = float(settings["appraisal_tolerance_points"]) * 100
    if yi is not None and has.any():
        rows = pos[has]
        scale[has] = 10000.0 / np.maximum(yi.maxima[rows], 1)
        survey = yi.method_mask("survey")
        prior = PRIORS[settings["survey_prior"]]
        n = yi.respondents[rows][:, survey].astype(np.float64)
        s = yi.satisfied[rows][:, survey]
        ok = yi.present[rows][:, survey]
        a, b = s + prior, n - s + prior
        mx = np.array([i.max_cents for i in yi.leaves if i.method == "survey"], dtype=np.float64)[None, :]
        det = yi.appraised[rows][:, survey].astype(np.float64)
        mean = a / np.maximum(a + b, 1e-12)
        var = a * b / np.maximum((a + b) ** 2 * (a + b + 1), 1e-12)
        units = np.flatnonzero(has)
        survey_items[has] = ok.sum(axis=1)
        if settings["survey_draw"] == "pooled":
            b_unit, b_a, b_b, b_max, b_det = _pooled(units, ok, mx, mean, var, det)
            kind[b_unit] = "beta (gộp)"
        else:
            normal = ok & (np.minimum(a, b) >= settings["survey_normal_min_count"])
            exact = ok & ~normal
            n_mean[has] = np.where(normal, mx * mean - det, 0).sum(axis=1)
            n_var[has] = np.where(normal, mx**2 * var, 0).sum(axis=1)
            iu, ij = np.nonzero(exact)
            b_unit, b_a, b_b = units[iu], a[iu, ij], b[iu, ij]
            b_max, b_det = np.broadcast_to(mx, exact.shape)[iu, ij], det[iu, ij]
            has_n, has_b = normal.any(axis=1), exact.any(axis=1)
            kind[units] = np.where(
                has_n & has_b, "beta+chuẩn", np.where(has_b, "beta", np.where(has_n, "chuẩn", "cố định"))
            )
        if tol > 0:
            t_unit, t_pts, t_max = _tolerance_fields(yi, rows, units)
            kind[np.unique(t_unit)] = [
                k + "+dung sai" if k != "cố định" else "dung sai" for k in kind[np.unique(t_unit)]
            ]
    return Model(
        c.score_cents, scale, n_mean, np.sqrt(n_var), b_unit.astype(np.int64), b_a, b_b, b_max, b_det,
        t_unit.astype(np.int64), t_pts, t_max, tol, survey_items, kind,
    )  # fmt: skip


def _pooled(units, ok, mx, mean, var, det):
    """One Beta per unit for all its survey items: on [0, Σ max], with the mean and variance of
    Σ max × p over the items' posteriors (exact for one item; for a sum of similar Betas the
    skew shrinks as the fitted Beta's does). Returns the draw model's Beta columns."""
    total = np.where(ok, mx, 0).sum(axis=1)
    with_survey = total > 0
    mu = np.where(ok, mx * mean, 0).sum(axis=1)[with_survey] / total[with_survey]
    v = np.where(ok, mx**2 * var, 0).sum(axis=1)[with_survey] / total[with_survey] ** 2
    k = mu * (1 - mu) / v - 1  # > 0: a variable within [0, 1] has variance below mu(1 − mu)
    det_sum = np.where(ok, det, 0).sum(axis=1)[with_survey]
    return units[with_survey], mu * k, (1 - mu) * k, total[with_survey], det_sum


def _tolerance_fields(yi: YearIndex, rows: np.ndarray, units: np.ndarray):
    """(unit, appraised points, maximum) of every appraised field of every unit with points."""
    out_u, out_p, out_m = [], [], []
    appraised = yi.method_mask("appraisal", "published")
    for f in yi.structure.fields:
        k = np.array([i.field == f.id for i in yi.leaves]) & appraised
        if not k.any():
            continue
        out_u.append(units)
        out_p.append(yi.appraised[rows][:, k].sum(axis=1).astype(np.float64))
        out_m.append(
            np.full(
                len(rows),
                sum(i.max_cents for i, kk in zip(yi.leaves, k, strict=True) if kk),
                dtype=np.float64,
            )
        )
    if not out_u:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    return np.concatenate(out_u), np.concatenate(out_p), np.concatenate(out_m)


def draw_scores(m: Model, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` draws of every unit's score, hundredths (n × units), rounded half up like a score."""
    U = len(m.score)
    change = np.zeros((n, U))
    if m.normal_sd.any() or m.normal_mean.any():
        change += m.normal_mean[None, :] + m.normal_sd[None, :] * rng.standard_normal((n, U))
    if len(m.beta_unit):
        p = stats.beta.rvs(m.beta_a[None, :], m.beta_b[None, :], size=(n, len(m.beta_unit)), random_state=rng)
        _add_by_unit(change, m.beta_unit, p * m.beta_max[None, :] - m.beta_det[None, :])
    if len(m.tol_unit) and m.tolerance > 0:
        u = stats.uniform.rvs(-m.tolerance, 2 * m.tolerance, size=(n, len(m.tol_unit)), random_state=rng)
        moved = np.clip(m.tol_points[None, :] + u, 0, m.tol_max[None, :]) - m.tol_points[None, :]
        _add_by_unit(change, m.tol_unit, moved)
    drawn = np.floor(m.score[None, :] + change * m.scale[None, :] + 0.5)
    return np.clip(drawn, 0, 10000).astype(np.int64)


def _add_by_unit(change: np.ndarray, unit: np.ndarray, parts: np.ndarray) -> None:
    """change[:, unit[j]] += parts[:, j] for every column j, summed per unit in one pass."""
    order = np.argsort(unit, kind="stable")
    unit, parts = unit[order], parts[:, order]
    starts = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
    change[:, unit[starts]] += np.add.reduceat(parts, starts, axis=1)


def ranks_in_groups(cents: np.ndarray, groups: np.ndarray, ties: str) -> np.ndarray:
    """Rank of each unit in its group in every draw (draws × units), descending; `ties` min or dense."""
    D, U = cents.shape
    out = np.zeros((D, U), dtype=np.int32)
    for g in np.unique(groups):  # a loop over the few groups, never over units
        cols = np.flatnonzero(groups == g)
        v = cents[:, cols]
        k = len(cols)
        step = 20002  # > the range of a score in hundredths: rows never overlap once offset
        offset = (np.arange(D, dtype=np.int64) * step)[:, None]
        flat = np.sort(v + offset, axis=1).ravel()
        at = (
            np.searchsorted(flat, (v + offset).ravel(), side="right").reshape(D, k)
            - np.arange(D)[:, None] * k
        )
        if ties == "dense":
            new = np.ones(flat.shape, dtype=np.int64)
            new[1:] = flat[1:] != flat[:-1]
            new[::k] = 1
            distinct = np.cumsum(new).reshape(D, k)
            distinct -= distinct[:, :1] - 1
            out[:, cols] = distinct[:, -1:] - distinct[np.arange(D)[:, None], at - 1] + 1
        else:
            out[:, cols] = k - at + 1
    return out


@dataclass
class Odds:
    """The odds of the year: `table` (one row per ranked unit) and the draws' settings."""

    table: pd.DataFrame
    draws: int
    seed: int
    model: Model


def odds(
    c: Consequences,
    yi: YearIndex | None,
    crit: Criteria,
    settings: IndexSettings | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> Odds:
    """Band, consequence and rank odds of every ranked unit, from `draws` seeded draws."""
    settings = settings or load_settings()
    m = build_model(c, yi, settings)
    U, B = len(c.unit_ids), len(crit.bands.keys)
    rng = np.random.default_rng(seed)
    by_score = np.zeros((U, B), dtype=np.int64)
    ranks = np.zeros((draws, U), dtype=np.int32)
    score_draws = np.zeros((draws, U), dtype=np.int32)
    r = c.base.unit_ranking
    r = r[r["score"].notna()].reset_index(drop=True)
    groups = pd.factorize(r["group"])[0]
    chunk = max(1, CHUNK_CELLS // max(U, 1))
    for start in range(0, draws, chunk):
        n = min(chunk, draws - start)
        cents = draw_scores(m, n, rng)
        level = band_from_score(cents, crit).astype(np.int64)
        by_score += np.stack([(level == b).sum(axis=0) for b in range(B)], axis=1)
        ranks[start : start + n] = ranks_in_groups(cents, groups, crit["rank_ties"])
        score_draws[start : start + n] = cents
    p_level = by_score / max(draws, 1)  # P(band by score = level)
    c.ensure(p_level > 0)  # the consequences of every band some draw reached
    table = _table(c, r, p_level, ranks, score_draws, crit, settings, m)
    return Odds(table, draws, seed, m)


def _table(c, r, p_level, ranks, score_draws, crit, settings, m) -> pd.DataFrame:
    B = p_level.shape[1]
    keys = crit.bands.keys
    out = pd.DataFrame(
        {
            "year": c.year,
            "unit_id": c.unit_ids,
            "unit_name": r["unit_name"].to_numpy(),
            "group": r["group"].to_numpy(),
            "score": r["score"].to_numpy(),
            "band": r["band"].to_numpy(),
        }
    )
    # P(final band = b) = Σ over score bands L of P(L) · [the band that stands at L is b]
    for b in range(B):
        out[f"p_{keys[b]}"] = (p_level * (c.band == b)).sum(axis=1)
    for rule, col in RULE_COLUMNS.items():
        out[col] = (p_level * c.fires[rule]).sum(axis=1)
    width = float(settings["rank_interval_percent"]) / 100
    lo, hi = (1 - width) / 2, 1 - (1 - width) / 2
    if len(ranks):
        q = np.quantile(ranks, [lo, hi], axis=0, method="inverted_cdf")
        s = np.quantile(score_draws, [lo, hi], axis=0, method="inverted_cdf")
    else:
        q = s = np.zeros((2, len(c.unit_ids)))
    out["rank_in_group"] = r["rank_in_group"].to_numpy()
    out["rank_low"] = q[0].astype(np.int64)
    out["rank_high"] = q[1].astype(np.int64)
    out["score_low"] = s[0] / 100
    out["score_high"] = s[1] / 100
    out["survey_items"] = m.survey_items
    out["model"] = m.kind
    return out
