"""SYNTHETIC criterion-level data at national scale, for the benchmark and `synth --index`.

Everything here is invented: random points whose index equals, to the hundredth, the synthetic
score each unit already has in `reform_results` for the last year (so the loader's
reconciliation finds nothing to say, and the ranking is the same with or without the points).

- `points_for(tables, seed, structure)`: `criterion_scores` and `survey_results` for the last
  year of a synthetic data set (`scoring.synth.generate`), under `structure` (by default the
  shipped illustrative 70 + 30 framework, so the data load as they are);
- `synthetic_structure(fields, items_per_field)`: a SYNTHETIC structure of the size the
  benchmark wants (8 fields, 80 items: 7 appraised fields of 10 sub-criteria, one survey field
  of 10 items), 70 + 30 points.

Vectorised: units × items matrices; the loops are over items or a few passes, never over units.
Survey: a people's survey (150–320 respondents a unit) for the first half of the survey items,
the unit's officials (25–60) for the rest; satisfaction near the unit's score. Appraisal: the
points the unit lost spread over the appraised items by random weights, each within its maximum.
Self-assessment: 0–40% of each lost point claimed back (units over-score themselves).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .points import survey_cents
from .structure import Structure, load_structures, parse_structure


def synthetic_structure(fields: int = 8, items_per_field: int = 10) -> Structure:
    """A SYNTHETIC structure: `fields − 1` appraised fields (70 points) and one survey field (30)."""
    return parse_structure(synthetic_structure_text(fields, items_per_field), source="<cấu trúc tổng hợp>")


def synthetic_structure_text(fields: int = 8, items_per_field: int = 10) -> str:
    """The YAML of `synthetic_structure` (the benchmark writes it into a criteria/index folder)."""
    appraised = fields - 1
    per_field = 7000 // appraised
    lines = [
        "structure:",
        "  id: tong-hop",
        '  title: "Bộ chỉ số tổng hợp (giả lập) để đo tốc độ"',
        "  level: unit",
        "  illustrative: true",
        "  years: {from: 1900, to: null}",
        "  max_points: 100",
        "fields:",
    ]
    for f in range(appraised):
        fmax = per_field if f < appraised - 1 else 7000 - per_field * (appraised - 1)
        lines += [
            f"  - {{id: F{f + 1}, name: Lĩnh vực {f + 1}, max: {fmax / 100}, method: appraisal, criteria: ["
        ]
        crits = items_per_field // 2
        cmax = [fmax // crits] * crits
        cmax[-1] += fmax - sum(cmax)
        for c, m in enumerate(cmax):
            a = m // 2
            lines.append(
                f"      {{id: F{f + 1}.{c + 1}, name: Tiêu chí {c + 1}, max: {m / 100}, sub: ["
                f"{{id: F{f + 1}.{c + 1}.a, name: a, max: {a / 100}}}, {{id: F{f + 1}.{c + 1}.b, name: b, max: {(m - a) / 100}}}]}},"
            )
        lines.append("    ]}")
    lines += ["  - {id: XH, name: Điều tra xã hội học, max: 30, method: survey, criteria: ["]
    smax = [3000 // items_per_field] * items_per_field
    smax[-1] += 3000 - sum(smax)
    lines += [
        f"      {{id: XH.{k + 1}, name: Nội dung {k + 1}, max: {m / 100}}}," for k, m in enumerate(smax)
    ]
    lines.append("    ]}")
    return "\n".join(lines) + "\n"


def _survey(rng, target: np.ndarray, s: Structure):
    """(respondents, satisfied) per unit and survey item, near each unit's target score."""
    items = [i for i in s.leaves if i.method == "survey"]
    U, k = len(target), len(items)
    n = np.where(
        np.arange(k)[None, :] < (k + 1) // 2,
        rng.integers(150, 321, U)[:, None],
        rng.integers(25, 61, U)[:, None],
    )
    base = np.clip(target / 10000 + rng.normal(0.015, 0.035, U), 0.5, 0.985)
    p = np.clip(base[:, None] + rng.normal(0, 0.03, (U, k)), 0.3, 1.0)
    return n.astype(np.int64), np.rint(p * n).astype(np.int64), np.array([i.max_cents for i in items])


def _spread(rng, loss: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Take `loss` hundredths from each row's items, each at most its `room`, by random weights."""
    taken = np.zeros_like(room)
    w = rng.random(room.shape) ** 2 + 0.02
    for _ in range(6):  # a few proportional passes, then the last hundredths one by one
        left = loss - taken.sum(axis=1)
        free = room - taken
        weight = w * (free > 0) * free
        share = np.floor(left[:, None] * weight / np.maximum(weight.sum(axis=1, keepdims=True), 1e-12))
        taken += np.minimum(share.astype(np.int64), free)
    left = loss - taken.sum(axis=1)
    while (left > 0).any():
        k = np.argmax(room - taken, axis=1)
        rows = np.flatnonzero(left > 0)
        taken[rows, k[rows]] += 1
        left = loss - taken.sum(axis=1)
    return taken


def points_for(
    tables: dict[str, pd.DataFrame], seed: int, structure: Structure | None = None
) -> dict[str, pd.DataFrame]:
    """`criterion_scores` and `survey_results` for the last year of a synthetic data set."""
    s = structure or {x.id: x for x in load_structures()}["khung-don-vi-70-30"]
    rr = tables["reform_results"]
    year = int(rr["year"].max())
    last = rr[(rr["year"] == year) & rr["score"].notna()]
    units = last["unit_id"].to_numpy(dtype=object)
    target = np.rint(last["score"].to_numpy(dtype=np.float64) * 100).astype(np.int64)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2948]))
    n, sat, smax = _survey(rng, target, s)
    appraised_items = [i for i in s.leaves if i.method == "appraisal"]
    a_max = sum(i.max_cents for i in appraised_items)
    while True:  # the survey's points must leave the appraisal a share it can hold
        v = survey_cents(smax[None, :], sat, n, s.survey_decimals).sum(axis=1)
        a = target - v
        high, low = a > a_max, a < 0
        if not (high.any() or low.any()):
            break
        ratio = sat / n
        up = np.argmin(np.where(sat < n, ratio, 2), axis=1)
        down = np.argmax(np.where(sat > 0, ratio, -1), axis=1)
        sat[np.flatnonzero(high), up[high]] += 1
        sat[np.flatnonzero(low), down[low]] -= 1
    room = np.broadcast_to(
        np.array([i.max_cents for i in appraised_items]), (len(units), len(appraised_items))
    )
    lost = _spread(rng, a_max - a, np.ascontiguousarray(room))
    points = room - lost
    claimed = np.floor(lost * rng.uniform(0, 0.4, (len(units), 1))).astype(np.int64)
    ids = [i.id for i in appraised_items]
    crit = pd.DataFrame(
        {
            "year": year,
            "unit_id": np.repeat(units, len(ids)),
            "item_id": np.tile(np.array(ids, dtype=object), len(units)),
            "self_points": ((points + claimed) / 100).ravel(),
            "appraised_points": (points / 100).ravel(),
        }
    )
    sids = [i.id for i in s.leaves if i.method == "survey"]
    survey = pd.DataFrame(
        {
            "year": year,
            "unit_id": np.repeat(units, len(sids)),
            "item_id": np.tile(np.array(sids, dtype=object), len(units)),
            "respondents": n.ravel(),
            "satisfied": sat.ravel(),
        }
    )
    return {"criterion_scores": crit, "survey_results": survey}
