"""The margin of every consequence: how many points a unit must gain or lose for its band to
change, and what changes then for its people — exact arithmetic on the thresholds, no sampling.

What a band means for people is what the rules decide, so it is asked of the engine itself: the
year is evaluated once per band, every ranked unit's score set inside that band (at its lower
bound; the lowest band one hundredth under the next bound). A unit's consequences depend only on
its own band (its head's cap and removal trigger, its party organisation's class: mục II.4), so
these few evaluations give, for every unit and every band, exactly what the rules would decide —
whatever the readings say (the streaks, the year the programme came into force, the lag of
results). The late-dossier cap (mục II.2) is a function of dossiers, not of the score: a capped
unit that gains points past the Tốt bound stays Khá, and the tables say so.

"Cận ngưỡng": the units within `near_threshold_points` (default 1 point) of a bound either way,
with the people and organisations a crossing would affect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..criteria import Criteria
from ..evaluate import Evaluation, evaluate, format_score
from ..records import Records
from ..rules.reform_ranking import band_from_score
from .structure import IndexSettings, load_settings

# The consequences for people that hang on the unit's band (mục II.4), most serious first.
CONSEQUENCES = ("head_removal_streak", "head_reform_band", "party_org_streak")
MARGIN_COLUMNS = [
    "year",
    "unit_id",
    "unit_name",
    "group",
    "score",
    "band_by_score",
    "band",
    "late_capped",
    "gain_to_band_up",
    "band_if_up",
    "flips_if_up",
    "loss_to_band_down",
    "band_if_down",
    "flips_if_down",
    "near_threshold",
    "heads",
    "party_orgs",
]


def bound_cents(crit: Criteria, level: int) -> int:
    """Lower bound (inclusive) of band `level`, in hundredths: the lowest score that reaches it."""
    return math.ceil(crit.band_min(level) * 100)


def representative_cents(crit: Criteria, level: int) -> int:
    """A score inside band `level`: its lower bound; the lowest band, just under the next bound."""
    last = len(crit.bands.keys) - 1
    return bound_cents(crit, level) if level < last else bound_cents(crit, last - 1) - 1


@dataclass
class Consequences:
    """For each ranked unit of the year (rows) and each band level (columns): what the rules decide.

    Filled as needed (`known`): a unit's own band from the year's evaluation; other bands by
    counterfactual evaluations (`ensure`), each serving every unit at once — a unit's
    consequences depend only on its own band, so one evaluation can try a different band for
    each unit, and the few bands anyone needs (the adjacent ones, those the draws reach) cost a
    few evaluations, not one per band.
    """

    year: int
    unit_ids: np.ndarray  # object: the ranked units, in the order of the year's ranking
    score_cents: np.ndarray  # int64: the score the ranking uses
    by_score: np.ndarray  # int8: band level the score gives
    band: np.ndarray  # int8 (units × bands): the band that stands (after the late-dossier cap)
    fires: dict[str, np.ndarray]  # rule id -> bool (units × bands)
    known: np.ndarray  # bool (units × bands): the cell has been decided by an evaluation
    heads: list[str]  # per unit: its heads of the year, "Name (id)"; "; "-joined
    party_orgs: list[str]  # per unit: its party organisations of the year
    late_capped: np.ndarray  # bool: the unit's late-dossier cap fires this year
    base: Evaluation
    records: Records = field(repr=False)
    evaluations: int = 0  # counterfactual evaluations run so far

    def _fill(self, ev: Evaluation, level: np.ndarray) -> None:
        labels = list(self.base.criteria.bands.labels)
        got = ev.unit_ranking.set_index(ev.unit_ranking["unit_id"].astype(str))["band"]
        rows = np.arange(len(self.unit_ids))
        self.band[rows, level] = [labels.index(b) for b in got.reindex(self.unit_ids).to_numpy()]
        ids = pd.Index(self.unit_ids)
        for c in CONSEQUENCES:
            self.fires[c][rows, level] = ids.isin(_fired(ev, c))
        self.known[rows, level] = True

    def ensure(self, needed: np.ndarray) -> None:
        """Decide every needed (unit, band) cell: each evaluation gives each unit one band it lacks."""
        crit = self.base.criteria
        rep = np.array([representative_cents(crit, lv) for lv in range(self.band.shape[1])])
        while True:
            todo = needed & ~self.known
            if not todo.any():
                return
            has = todo.any(axis=1)
            level = np.where(has, np.argmax(todo, axis=1), self.by_score).astype(np.int64)
            cents = np.where(has, rep[level], self.score_cents)
            recs = _with_scores(self.records, self.year, self.unit_ids, cents)
            self._fill(evaluate(recs, self.year, crit), level)
            self.evaluations += 1


def adjacent_levels(c: Consequences) -> np.ndarray:
    """Each unit's own band by score and the bands just above and below it (the margins' needs)."""
    B = c.band.shape[1]
    lv = c.by_score.astype(np.int64)
    out = np.zeros((len(lv), B), dtype=bool)
    rows = np.arange(len(lv))
    for d in (-1, 0, 1):
        ok = (lv + d >= 0) & (lv + d < B)
        out[rows[ok], (lv + d)[ok]] = True
    return out


def _with_scores(records: Records, year: int, units: np.ndarray, cents) -> Records:
    """Records whose `year` results give `cents` (one per unit) to `units`; same rows, so the
    engine's integer keys hold."""
    rr = records.reform_results
    pos = pd.Index(units).get_indexer(rr["unit_id"].astype(str))
    hit = (rr["year"].to_numpy() == year) & (pos >= 0)
    target = np.broadcast_to(np.asarray(cents, dtype=np.int64), (len(units),))[np.maximum(pos, 0)]
    new = records.replace(
        reform_results=rr.assign(
            score_cents=np.where(hit, target, rr["score_cents"].to_numpy()),
            score_blank=rr["score_blank"].to_numpy() & ~hit,
        )
    )
    if "_codes" in records.__dict__:
        new.__dict__["_codes"] = records.__dict__["_codes"]
    if "_checked_years" in records.__dict__:
        new.__dict__["_checked_years"] = set(records.__dict__["_checked_years"])
    return new


def _fired(ev: Evaluation, rule_id: str) -> set[str]:
    """The units whose people a rule applies to in `ev` (the rule's condition holds)."""
    d = ev.decisions[ev.decisions["rule_id"] == rule_id]
    if rule_id == "head_removal_streak":
        return set(ev.removal_triggers["unit_id"].astype(str))
    if rule_id == "party_org_streak":
        po = ev.party_org_classifications
        return set(po.loc[po["party_org_id"].isin(d["subject_id"]), "unit_id"].astype(str))
    o = ev.official_ratings
    return set(o.loc[o["official_id"].isin(d["subject_id"]), "unit_id"].astype(str))


def _joined(keys: pd.Series, texts: pd.Series) -> dict[str, str]:
    """key -> its texts joined with "; ", in table order (a plain loop: a few rows per key)."""
    out: dict[str, str] = {}
    for k, t in zip(keys.astype(str).tolist(), texts.astype(str).tolist(), strict=True):
        out[k] = f"{out[k]}; {t}" if k in out else t
    return out


def consequences(
    records: Records,
    year: int,
    crit: Criteria,
    base: Evaluation | None = None,
    needed: np.ndarray | None = None,
) -> Consequences:
    """What the rules decide for every ranked unit's people: in its own band (the year's
    evaluation), the bands next to it, and any other `needed` (units × bands) cells."""
    base = base or evaluate(records, year, crit)
    r = base.unit_ranking
    ranked = r[r["score"].notna()].reset_index(drop=True)
    ids = ranked["unit_id"].astype(str).to_numpy(dtype=object)
    cents = np.rint(ranked["score"].to_numpy(dtype=np.float64) * 100).astype(np.int64)
    B = len(crit.bands.labels)
    o = base.official_ratings
    heads = o[(o["role"] == "head").to_numpy()]
    head_text = _joined(
        heads["unit_id"], heads["full_name"].astype(str) + " (" + heads["official_id"].astype(str) + ")"
    )
    po = base.party_org_classifications
    po_text = _joined(po["unit_id"], po["party_org_id"])
    c = Consequences(
        year=int(year),
        unit_ids=ids,
        score_cents=cents,
        by_score=band_from_score(cents, crit),
        band=np.zeros((len(ids), B), dtype=np.int8),
        fires={k: np.zeros((len(ids), B), dtype=bool) for k in CONSEQUENCES},
        known=np.zeros((len(ids), B), dtype=bool),
        heads=[head_text.get(u, "") for u in ids],
        party_orgs=[po_text.get(u, "") for u in ids],
        late_capped=~ranked["emulation_eligible"].to_numpy(dtype=bool),
        base=base,
        records=records,
    )
    c._fill(base, c.by_score.astype(np.int64))  # the year as evaluated: each unit in its own band
    c.ensure(adjacent_levels(c) | (needed if needed is not None else False))
    return c


def _flips(c: Consequences, k: int, a: int, b: int) -> str:
    """';'-joined rules whose condition differs between band levels a and b for unit row k."""
    return ";".join(rule for rule in CONSEQUENCES if c.fires[rule][k, a] != c.fires[rule][k, b])


def margins(c: Consequences, crit: Criteria, settings: IndexSettings | None = None) -> pd.DataFrame:
    """One row per ranked unit: the exact gain or loss that changes its band, and what flips."""
    settings = settings or load_settings()
    labels = list(crit.bands.labels)
    B = len(labels)
    near = round(float(settings["near_threshold_points"]) * 100)
    r = c.base.unit_ranking
    r = r[r["score"].notna()].reset_index(drop=True)
    rows = []
    for k in range(len(c.unit_ids)):
        s, lv = int(c.score_cents[k]), int(c.by_score[k])
        up = bound_cents(crit, lv - 1) - s if lv > 0 else None
        down = s - bound_cents(crit, lv) + 1 if lv < B - 1 else None
        rows.append(
            {
                "gain_to_band_up": np.nan if up is None else up / 100,
                "band_if_up": "" if up is None else labels[c.band[k, lv - 1]],
                "flips_if_up": "" if up is None else _flips(c, k, lv, lv - 1),
                "loss_to_band_down": np.nan if down is None else down / 100,
                "band_if_down": "" if down is None else labels[c.band[k, lv + 1]],
                "flips_if_down": "" if down is None else _flips(c, k, lv, lv + 1),
                "near_threshold": (up is not None and up <= near) or (down is not None and down <= near),
            }
        )
    out = pd.DataFrame(rows)
    out.insert(0, "year", c.year)
    for i, col in enumerate(("unit_id", "unit_name", "group", "score", "band_by_score", "band"), start=1):
        out.insert(i, col, r[col].to_numpy())
    out.insert(7, "late_capped", c.late_capped)
    out["heads"] = c.heads
    out["party_orgs"] = c.party_orgs
    for lv in range(B - 1):
        out[f"margin_{crit.bands.keys[lv]}"] = (c.score_cents - bound_cents(crit, lv)) / 100
    return out[MARGIN_COLUMNS + [f"margin_{crit.bands.keys[lv]}" for lv in range(B - 1)]]


# ---------------------------------------------------------------------------------------
# "Cận ngưỡng": what people read


NEAR_COLUMNS = [
    "Cơ quan, đơn vị",
    "Khối",
    "Điểm",
    "Xếp loại",
    "Nếu điểm thay đổi",
    "Xếp loại mới",
    "Hệ quả thay đổi",
    "Người, tổ chức liên quan",
]
NEAR_TITLE = "Các cơ quan, đơn vị cận ngưỡng xếp loại"


def _points_text(x: float) -> str:
    return format_score(x)


def _consequence_words(c: Consequences, k: int, a: int, b: int, crit: Criteria, late: bool) -> str:
    parts = []
    for rule in CONSEQUENCES:
        before, after = c.fires[rule][k, a], c.fires[rule][k, b]
        if before != after:
            parts.append(f"{'áp dụng' if after else 'không còn áp dụng'}: {crit.rule(rule).label}")
    if not parts:
        words = "không thay đổi hệ quả đối với người đứng đầu, tổ chức cơ sở đảng"
        if late and c.band[k, a] == c.band[k, b]:
            words += (
                "; xếp loại vẫn giữ do trễ hạn hồ sơ (mục II.2): giới hạn này phụ thuộc số hồ sơ trễ hạn, "
                "không phụ thuộc điểm"
            )
        return words
    return "; ".join(parts)


def near_threshold(c: Consequences, crit: Criteria, settings: IndexSettings | None = None) -> pd.DataFrame:
    """The units within `near_threshold_points` of a band bound (either way), in Vietnamese.

    One row per unit and direction; the most serious consequence a crossing changes first (a removal
    trigger, then a head's cap, then a party organisation's class, then none), then by the distance.
    """
    settings = settings or load_settings()
    m = margins(c, crit, settings)
    near = float(settings["near_threshold_points"])
    labels = list(crit.bands.labels)
    rows = []
    for k, r in m.iterrows():
        lv = int(c.by_score[k])
        for direction, col, other in (
            ("tăng", "gain_to_band_up", lv - 1),
            ("giảm", "loss_to_band_down", lv + 1),
        ):
            d = r[col]
            if pd.isna(d) or d > near + 1e-9:
                continue
            flips = _flips(c, k, lv, other)
            people = []
            if any(f.startswith("head_") for f in flips.split(";") if f):
                people.append(f"người đứng đầu: {r['heads'] or 'chưa có trong danh sách'}")
            if "party_org_streak" in flips:
                people.append(f"tổ chức cơ sở đảng: {r['party_orgs'] or 'chưa có trong danh sách'}")
            severity = min((CONSEQUENCES.index(f) for f in flips.split(";") if f), default=len(CONSEQUENCES))
            rows.append(
                (
                    severity,
                    float(d),
                    {
                        "Cơ quan, đơn vị": r["unit_name"],
                        "Khối": r["group"],
                        "Điểm": _points_text(r["score"]),
                        "Xếp loại": r["band"],
                        "Nếu điểm thay đổi": f"{direction} {_points_text(d)} điểm "
                        f"({'đạt' if direction == 'tăng' else 'dưới'} ngưỡng "
                        f"{_points_text(bound_cents(crit, min(lv, other)) / 100)} của «{labels[min(lv, other)]}»)",
                        "Xếp loại mới": labels[c.band[k, other]],
                        "Hệ quả thay đổi": _consequence_words(c, k, lv, other, crit, bool(r["late_capped"])),
                        "Người, tổ chức liên quan": "; ".join(people),
                    },
                )
            )
    rows.sort(key=lambda t: (t[0], t[1]))
    return pd.DataFrame([t[2] for t in rows], columns=NEAR_COLUMNS)


def near_threshold_basis(crit: Criteria, settings: IndexSettings | None = None) -> str:
    """The section's basis (căn cứ), from the criteria: the clause, the bounds, the distance."""
    settings = settings or load_settings()
    bounds = ", ".join(
        f"«{crit.bands.label(lv)}» từ {_points_text(bound_cents(crit, lv) / 100)}"
        for lv in range(len(crit.bands.keys) - 1)
    )
    return (
        f"Căn cứ: mục II.4 {crit.programme.get('short', 'Chương trình hành động')} (xếp hạng kết quả cải cách "
        f"hành chính và trách nhiệm của người đứng đầu, tổ chức cơ sở đảng); ngưỡng xếp loại: {bounds} điểm; "
        f"cận ngưỡng: cách ngưỡng không quá {_points_text(float(settings['near_threshold_points']))} điểm. "
        "Giới hạn xếp loại do trễ hạn hồ sơ (mục II.2) phụ thuộc số hồ sơ trễ hạn, không phụ thuộc điểm."
    )


def near_threshold_section(
    records: Records,
    year: int,
    crit: Criteria,
    settings: IndexSettings | None = None,
    base: Evaluation | None = None,
) -> tuple[pd.DataFrame, str, str]:
    """The annex's optional "Cận ngưỡng" section: (table, title, basis) — the hook for the annex."""
    c = consequences(records, year, crit, base)
    return near_threshold(c, crit, settings), NEAR_TITLE, near_threshold_basis(crit, settings)
