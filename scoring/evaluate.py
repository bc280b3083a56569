"""Run the programme's rules for one year: records + criteria -> the five output tables.

The work is done on dense (unit × year) matrices: a national set of 10,000 units over ten
years is 100,000 cells, and every rule is a few numpy operations over them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .criteria import RULE_IDS, Criteria, load_criteria
from .decisions import combine, decision_rows
from .keys import encode, positions, unit_codes
from .labels import MISSING, Scale
from .ledger import feed_ledger, finish_ledger
from .records import TABLE_NAMES, Records, ValidationError, year_problems
from .rules.head_of_unit import head_band_capped, streak
from .rules.late_dossiers import late_fires, late_rate, threshold_words
from .rules.party_org import party_cap
from .rules.reform_ranking import rank_in_group, unit_bands

OUTPUT_COLUMNS = {
    "unit_ranking": [
        "year",
        "unit_id",
        "unit_name",
        "group",
        "score",
        "rank_in_group",
        "band_by_score",
        "late_rate",
        "band",
        "emulation_eligible",
        "reasons",
    ],
    "official_ratings": [
        "year",
        "official_id",
        "full_name",
        "unit_id",
        "role",
        "late_rate",
        "proposed_rating",
        "final_rating",
        "capped_by",
        "discipline_review",
    ],
    "removal_triggers": [
        "year",
        "unit_id",
        "official_id",
        "streak_years",
        "streak_bands",
        "actions",
    ],
    "party_org_classifications": [
        "year",
        "party_org_id",
        "unit_id",
        "proposed_classification",
        "final_classification",
        "capped_by",
    ],
    "decisions": ["year", "subject_type", "subject_id", "rule_id", "clause", "outcome", "evidence"],
}
TABLES = tuple(OUTPUT_COLUMNS)


@dataclass
class Evaluation:
    """The outcome of one year: the five tables of SPEC §3 and what the run has to say."""

    year: int
    criteria: Criteria
    records: Records
    unit_ranking: pd.DataFrame
    official_ratings: pd.DataFrame
    removal_triggers: pd.DataFrame
    party_org_classifications: pd.DataFrame
    decisions: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}

    def counts(self) -> dict[str, int]:
        """The headline numbers: units per band, caps, triggers, party organisations capped."""
        out = {f"band:{b}": int((self.unit_ranking["band"] == b).sum()) for b in self.criteria.bands.labels}
        o = self.official_ratings
        capped = o["capped_by"] != ""
        out["heads_capped"] = int(o["capped_by"].astype(str).str.contains("head_reform_band").sum())
        out["officials_capped"] = int(capped.sum())
        out["discipline_review"] = int(o["discipline_review"].sum())
        out["removal_triggers"] = len(self.removal_triggers)
        out["party_orgs_capped"] = int((self.party_org_classifications["capped_by"] != "").sum())
        out["units_not_eligible"] = int((~self.unit_ranking["emulation_eligible"]).sum())
        if (
            getattr(self, "ledger", None) is not None and self.ledger.checked
        ):  # the II.2 finding (scoring.ledger)
            out["rescheduling_violations"] = int((self.decisions["rule_id"] == "overdue_rescheduling").sum())
        return out

    def summary(self) -> str:
        """A short Vietnamese summary of the year, as `make demo` prints it."""
        c = self.counts()
        bands = ", ".join(f"{b}: {c['band:' + b]}" for b in self.criteria.bands.labels)
        lines = [
            f"Năm {self.year}: {len(self.unit_ranking)} cơ quan, đơn vị — {bands}.",
            f"  Đơn vị không được xét thi đua, khen thưởng (trễ hạn, mục II.2): {c['units_not_eligible']}",
            f"  Người đứng đầu bị giới hạn xếp loại do đơn vị xếp loại thấp (mục II.4): {c['heads_capped']}",
            f"  Cán bộ, công chức bị giới hạn xếp loại (tổng): {c['officials_capped']}",
            f"  Cán bộ thuộc diện xem xét kỷ luật (trễ hạn trên ngưỡng): {c['discipline_review']}",
            f"  Người đứng đầu thuộc diện xử lý trách nhiệm, thay thế (mục II.4): {c['removal_triggers']}",
            f"  Tổ chức cơ sở đảng không được xếp loại mức cao nhất: {c['party_orgs_capped']}",
        ]
        if (
            getattr(self, "ledger", None) is not None
        ):  # a finding for the Board, not a cap (docs/ledger.md §5)
            lines.append(
                "  Đơn vị có hồ sơ quá hạn chưa được hẹn lại một lần, xin lỗi bằng văn bản (mục II.2): "
                + str(c.get("rescheduling_violations", "chưa có số liệu"))
            )
        return "\n".join(lines)

    def explain(self, subject_id: str) -> str:
        """Every rule that applied to a unit, official or party organisation, in Vietnamese."""
        sid = str(subject_id)
        parts = []
        u = self.unit_ranking[self.unit_ranking["unit_id"] == sid]
        if len(u):
            r = u.iloc[0]
            score = "không có điểm" if pd.isna(r["score"]) else f"điểm {format_score(r['score'])}"
            rank = "" if pd.isna(r["rank_in_group"]) else f", hạng {int(r['rank_in_group'])} trong khối"
            parts.append(
                f"Đơn vị {sid} — {r['unit_name']} ({r['group']}), năm {self.year}: {score}{rank}; "
                f"xếp loại theo điểm: {r['band_by_score'] or '—'}; xếp loại: {r['band'] or '—'}; "
                f"{'được' if r['emulation_eligible'] else 'không được'} xét thi đua, khen thưởng."
            )
        o = self.official_ratings[self.official_ratings["official_id"] == sid]
        if len(o):
            r = o.iloc[0]
            parts.append(
                f"Cán bộ {sid} — {r['full_name']} ({r['role']}, đơn vị {r['unit_id']}), năm {self.year}: "
                f"đề xuất «{r['proposed_rating']}», kết quả «{r['final_rating']}»"
                + (", thuộc diện xem xét kỷ luật." if r["discipline_review"] else ".")
            )
        p = self.party_org_classifications[self.party_org_classifications["party_org_id"] == sid]
        if len(p):
            r = p.iloc[0]
            parts.append(
                f"Tổ chức đảng {sid} (đơn vị {r['unit_id']}), năm {self.year}: đề xuất "
                f"«{r['proposed_classification']}», kết quả «{r['final_classification']}»."
            )
        if not parts:
            return f"Không có đơn vị, cán bộ hay tổ chức đảng nào mã {sid} trong năm {self.year}."
        d = self.decisions[self.decisions["subject_id"] == sid]
        if not len(d):
            parts.append("Không có quy tắc nào của Chương trình áp dụng.")
        for _, r in d.iterrows():
            rule = self.criteria.rule(r["rule_id"])
            parts.append(
                f"- {r['rule_id']} (mục {r['clause']} Chương trình hành động): {r['outcome']}\n"
                f"  Căn cứ số liệu: {r['evidence']}\n  Trích: «{rule.quote}»"
            )
        return "\n".join(parts)


def format_score(x: float) -> str:
    """95.2 -> '95,20' (Vietnamese decimal comma; scores are already exact to 2 decimals)."""
    return f"{x:.2f}".replace(".", ",")


def _labels(scale: Scale, levels: np.ndarray) -> np.ndarray:
    table = np.array([*scale.labels, ""], dtype=object)
    return table[np.asarray(levels, dtype=np.int64)]  # -1 picks the trailing ""


CAPPED_BY_OFFICIAL = (
    "",
    "official_late_dossiers",
    "head_reform_band",
    "official_late_dossiers;head_reform_band",
)


def _capped_words(scale: Scale, before: int, cap: int, what: str) -> str:
    """'tối đa «Khá»: xếp loại «Tốt» → «Khá»', or that the level stands as it is."""
    if before < 0:
        return f"mức tối đa «{scale.label(cap)}» (không có {what})"
    if before >= cap:
        return f"mức tối đa «{scale.label(cap)}»: {what} «{scale.label(before)}» giữ nguyên (không cao hơn mức tối đa)"
    return f"mức tối đa «{scale.label(cap)}»: {what} «{scale.label(before)}» → «{scale.label(cap)}»"


def _categorical(labels, codes: np.ndarray) -> pd.Categorical:
    """Labels by level code as a categorical (cheap for a million rows); -1 gives ''."""
    labels = list(labels)
    cats = labels if "" in labels else [*labels, ""]
    codes = np.asarray(codes, dtype=np.int64)
    return pd.Categorical.from_codes(np.where(codes >= 0, codes, cats.index("")), categories=cats)


def _rows(column: pd.Series, rows: np.ndarray):
    """Like `_take`, but a contiguous run of rows is sliced without copying."""
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows) and (len(rows) < 2 or np.all(np.diff(rows) == 1)):
        return column.array[rows[0] : rows[-1] + 1]
    return _take(column, rows)


def _take(column: pd.Series, rows: np.ndarray) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """Rows of a column without converting Arrow strings to Python objects."""
    return column.array.take(np.asarray(rows, dtype=np.int64))


def _run_lists(run: np.ndarray, values: np.ndarray) -> np.ndarray:
    """';'-joined values of the cells of each row's run, '' where a row has none.

    `values` is a (rows × years) matrix or one value per year. The loop is over the few
    years, not over subjects.
    """
    out = np.full(run.shape[0], "", dtype=object)
    for t in range(run.shape[1]):
        v = values[:, t] if np.ndim(values) == 2 else np.full(run.shape[0], values[t], dtype=object)
        out = np.where(run[:, t], np.where(out == "", v, out + ";" + v), out)
    return out


def _late_evidence(late: np.ndarray, handled: np.ndarray, words: str):
    """'late=11; handled=100; late_rate=0.110000; ngưỡng > 10%' for each row, built in Arrow.

    The rate is printed from integers (6 decimals, rounded half up), never via a float.
    """
    late = np.asarray(late, dtype=np.int64)
    handled = np.asarray(handled, dtype=np.int64)
    micro = (late * 2_000_000 + handled) // (2 * np.maximum(handled, 1))

    def text(a):
        return pc.cast(pa.array(a), pa.string())

    joined = pc.binary_join_element_wise(
        "late=",
        text(late),
        "; handled=",
        text(handled),
        "; late_rate=",
        text(micro // 1_000_000),
        ".",
        pc.utf8_lpad(text(micro % 1_000_000), 6, "0"),
        f"; ngưỡng {words}",
        "",
    )
    return pd.array(joined, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def _check_year(records: Records, year: int) -> None:
    """What evaluating `year` needs; `load_records(..., year=)` checks it in its own pass."""
    checked = records.__dict__.setdefault("_checked_years", set())
    if year in checked:
        return
    frames = {t: records.table(t) for t in TABLE_NAMES}
    problems = year_problems(frames, records.sources, year, records.origin)
    if problems:
        raise ValidationError(problems)
    checked.add(year)


TABLES_WITH_YEAR = ("reform_results", "unit_dossiers", "officials", "official_dossiers", "party_orgs")
UNIT_TABLES = ("reform_results", "unit_dossiers", "officials", "party_orgs")


def _codes(records: Records) -> dict:
    """Integer keys of the records, computed once per Records object (a what-if reuses them)."""
    cache = records.__dict__.get("_codes")
    if cache is None:
        cache = {}
        frames = [records.table(t)["unit_id"] for t in UNIT_TABLES]
        for t, c in zip(UNIT_TABLES, unit_codes(records.units["unit_id"], *frames), strict=True):
            cache[t] = c
        (off, od), n = encode(records.officials["official_id"], records.official_dossiers["official_id"])
        cache["official"], cache["official_dossier"], cache["n_officials"] = off, od, n
        records.__dict__["_codes"] = cache
    return cache


def evaluate(records: Records, year: int, criteria: Criteria | None = None) -> Evaluation:
    """Apply the five rules of SPEC §2 to `year`; earlier years drive the streaks."""
    crit = criteria or load_criteria()
    Y = int(year)
    _check_year(records, Y)
    records, ledger_run = feed_ledger(records, Y, crit)  # dossiers given: their counts (scoring.ledger)
    codes = _codes(records)
    units = records.units
    n_units = len(units)
    rr = records.reform_results
    rr_years = rr["year"].to_numpy()
    off_all = records.officials
    off_years = off_all["year"].to_numpy()
    off_role = off_all["role"].to_numpy()
    head_level = crit.roles.eras[0].level_of_key("head")
    head_rows = np.flatnonzero((off_years <= Y) & (off_role == head_level))
    # the matrices start at the earliest year with a result or a head: streaks look back
    starts = [Y]
    if (rr_years <= Y).any():
        starts.append(int(rr_years[rr_years <= Y].min()))
    if len(head_rows):
        starts.append(int(off_years[head_rows].min()))
    y0 = min(starts)
    years = np.arange(y0, Y + 1)
    T = len(years)

    def matrix(table, columns, dtype=np.int64):
        df = records.table(table)
        yrs = df["year"].to_numpy()
        keep = (yrs >= y0) & (yrs <= Y)
        rows, cols = codes[table][keep], yrs[keep] - y0
        out = []
        for column in columns:
            m = np.full((n_units, T), MISSING, dtype=dtype)
            m[rows, cols] = df[column].to_numpy()[keep]
            out.append(m)
        return out

    score, recorded = matrix("reform_results", ["score_cents", "band"])
    recorded = recorded.astype(np.int8)
    late_m, handled_m = matrix("unit_dossiers", ["late", "handled"])
    is_past = (years < Y)[None, :]
    by_score, late_fired, band = unit_bands(score, recorded, late_m, handled_m, is_past, crit)
    unit_streak = streak(band, None, crit)

    bands = crit.bands
    cadre = crit.scales("cadre").for_year(Y)
    party = crit.scales("party_org").for_year(Y)
    rules = {r: crit.rule(r) for r in RULE_IDS}
    decisions = []

    # -- units of the year: ranking, band, late cap (II.2), eligibility --------------------
    active = np.zeros(n_units, dtype=bool)
    for t in UNIT_TABLES:
        active[codes[t][records.table(t)["year"].to_numpy() == Y]] = True
    uidx = np.flatnonzero(active)
    u = units.iloc[uidx].reset_index(drop=True)
    s_cents = pd.Series(score[uidx, -1])
    fired = late_fired[uidx, -1]
    lr = late_rate(late_m[uidx, -1], handled_m[uidx, -1])
    ranking = pd.DataFrame(
        {
            "year": Y,
            "unit_id": u["unit_id"].to_numpy(),
            "unit_name": u["unit_name"].to_numpy(),
            "group": u["group"].to_numpy(),
            "score": np.where(s_cents >= 0, s_cents / 100.0, np.nan),
            "rank_in_group": rank_in_group(u["group_key"], s_cents, crit).to_numpy(),
            "band_by_score": _labels(bands, by_score[uidx, -1]),
            "late_rate": lr,
            "band": _labels(bands, band[uidx, -1]),
            "emulation_eligible": ~fired,
            "reasons": np.where(fired, "unit_late_dossiers", ""),
        }
    )
    group_order = {g: i for i, g in enumerate(crit.groups.eras[0].labels)}
    ranking["_g"] = [group_order.get(g, len(group_order)) for g in ranking["group"]]
    ranking = ranking.sort_values(
        ["_g", "group", "rank_in_group", "unit_id"], na_position="last", kind="stable"
    )
    table_pos = np.empty(len(ranking), dtype=np.int64)
    table_pos[ranking.index.to_numpy()] = np.arange(len(ranking))
    ranking = ranking.drop(columns="_g").reset_index(drop=True)
    ranking["rank_in_group"] = ranking["rank_in_group"].astype("Int64")
    base_band = np.where(by_score[uidx, -1] != MISSING, by_score[uidx, -1], recorded[uidx, -1])
    cap_u = crit.cap_level("unit_late_dossiers", bands)
    f = np.flatnonzero(fired)
    decisions.append(
        decision_rows(
            Y,
            "unit",
            u["unit_id"].to_numpy()[f],
            rules["unit_late_dossiers"],
            [
                "M"
                + _capped_words(bands, b, cap_u, "xếp loại")[1:]
                + "; không được công nhận danh hiệu thi đua, khen thưởng"
                for b in base_band[f]
            ],
            _late_evidence(late_m[uidx[f], -1], handled_m[uidx[f], -1], threshold_words("unit", crit)),
            order=table_pos[f],
        )
    )

    # -- officials of the year: II.2 (late dossiers) and II.4 (head of a weak unit) --------
    idx = np.flatnonzero(off_years == Y)  # rows of the officials table in the year
    od = records.official_dossiers
    od_idx = np.flatnonzero(od["year"].to_numpy() == Y)
    pos = positions(codes["official"][idx], codes["official_dossier"][od_idx], codes["n_officials"])
    has_d = pos >= 0
    d_rows = od_idx[np.where(has_d, pos, 0)] if len(od_idx) else np.zeros(len(idx), dtype=np.int64)
    o_late = np.where(has_d, od["late"].to_numpy()[d_rows] if len(od_idx) else MISSING, MISSING)
    o_handled = np.where(has_d, od["handled"].to_numpy()[d_rows] if len(od_idx) else MISSING, MISSING)
    o_fired = late_fires(o_late, o_handled, "official", crit)
    o_unit = codes["officials"][idx]
    o_role = off_role[idx]
    is_head = o_role == head_level
    unit_band_y = band[o_unit, -1]
    h_fired = is_head & head_band_capped(unit_band_y, crit)
    proposed = off_all["proposed_rating"].to_numpy()[idx].astype(np.int8)
    cap_late = crit.cap_level("official_late_dossiers", cadre)
    cap_head = crit.cap_level("head_reform_band", cadre)
    final = np.where(o_fired, np.maximum(proposed, cap_late), proposed)
    final = np.where(h_fired, np.maximum(final, cap_head), final)
    late_binds = o_fired & (cap_late > proposed)
    head_binds = h_fired & (cap_head > proposed)
    capped_code = late_binds.astype(np.int8) + 2 * head_binds.astype(np.int8)
    discipline = o_fired if crit["discipline_flag_when_unchanged"] else late_binds
    # officials are listed in the order of the input table (the analyst's own order)
    ratings = pd.DataFrame(
        {
            "year": np.full(len(idx), Y, dtype=np.int64),
            "official_id": _rows(off_all["official_id"], idx),
            "full_name": _rows(off_all["full_name"], idx),
            "unit_id": _take(units["unit_id"], o_unit),
            "role": _categorical(crit.roles.eras[0].keys, o_role),
            "late_rate": late_rate(o_late, o_handled),
            "proposed_rating": _categorical(cadre.labels, proposed),
            "final_rating": _categorical(cadre.labels, final),
            "capped_by": _categorical(CAPPED_BY_OFFICIAL, capped_code),
            "discipline_review": discipline,
        }
    )
    off_ids = off_all["official_id"]
    o_words = threshold_words("official", crit)
    f = np.flatnonzero(o_fired)
    outcome_by_level = np.array(
        [
            "M" + _capped_words(cadre, p, cap_late, "đề xuất")[1:] + "; xem xét kỷ luật nếu có vi phạm"
            for p in range(len(cadre.labels))
        ],
        dtype=object,
    )
    decisions.append(
        decision_rows(
            Y,
            "official",
            _take(off_ids, idx[f]),
            rules["official_late_dossiers"],
            outcome_by_level[proposed[f]],
            _late_evidence(o_late[f], o_handled[f], o_words),
            order=f,
        )
    )
    f = np.flatnonzero(h_fired)
    trigger_label = bands.label(crit.band_level(crit["head_band_trigger"]))
    decisions.append(
        decision_rows(
            Y,
            "official",
            _take(off_ids, idx[f]),
            rules["head_reform_band"],
            ["Người đứng đầu: " + _capped_words(cadre, p, cap_head, "đề xuất") for p in proposed[f]],
            [
                f"unit={uid}; band={bands.label(b)} ({Y}); ngưỡng: «{trigger_label}» trở xuống"
                for uid, b in zip(units["unit_id"].to_numpy()[o_unit[f]], unit_band_y[f], strict=True)
            ],
            order=f,
        )
    )

    # -- removal triggers: the head's own run (II.4) --------------------------------------
    h_idx = idx[is_head]  # heads of the year, rows of the officials table
    hp_unit = codes["officials"][h_idx]
    hp_off = codes["official"][h_idx]
    scope = None
    if crit["head_streak_own_years_only"]:
        # the years each (official, unit) pair of the year was listed as head
        scope = np.zeros((len(h_idx), T), dtype=bool)
        ha = head_rows[off_years[head_rows] >= y0]
        n_u = max(n_units, 1)
        pair_key = pd.Index(hp_off * n_u + hp_unit)
        p_idx = pair_key.get_indexer(codes["official"][ha] * n_u + codes["officials"][ha])
        ok = p_idx >= 0
        scope[p_idx[ok], off_years[ha][ok] - y0] = True
    hp = pd.DataFrame({"official_id": _take(off_ids, h_idx), "unit_id": units["unit_id"].to_numpy()[hp_unit]})
    hs = streak(band[hp_unit], scope, crit)
    trig = np.flatnonzero(hs.fires)
    s_years = _run_lists(hs.run[trig], years.astype(str).astype(object))
    s_bands = _run_lists(hs.run[trig], _labels(bands, band[hp_unit[trig]]))
    actions = ";".join(rules["head_removal_streak"].spec["actions"])
    triggers = pd.DataFrame(
        {
            "year": np.full(len(trig), Y, dtype=np.int64),
            "unit_id": hp["unit_id"].to_numpy()[trig],
            "official_id": np.asarray(hp["official_id"].to_numpy()[trig], dtype=object),
            "streak_years": s_years,
            "streak_bands": s_bands,
            "actions": actions,
        },
        columns=OUTPUT_COLUMNS["removal_triggers"],
    )
    streak_words = (
        f"ngưỡng: {crit['streak_years_average']} năm liên tục «{bands.label(crit.band_level(rules['head_removal_streak'].spec['average_band']))}»"
        + (" trở xuống" if crit["weak_counts_toward_average_streak"] else "")
        + f" hoặc {crit['streak_years_weak']} năm liên tục «{bands.label(crit.band_level(rules['head_removal_streak'].spec['weak_band']))}»"
    )
    decisions.append(
        decision_rows(
            Y,
            "official",
            triggers["official_id"].to_numpy(),
            rules["head_removal_streak"],
            [f"Người đứng đầu thuộc diện: {actions.replace(';', '; ')}"] * len(triggers),
            [
                f"unit={uid}; streak_years={sy}; streak_bands={sb}; {streak_words}"
                for uid, sy, sb in zip(
                    triggers["unit_id"], triggers["streak_years"], triggers["streak_bands"], strict=True
                )
            ],
            order=np.flatnonzero(is_head)[trig],
        )
    )

    # -- party organisations: the unit's run, whoever was head (II.4) ----------------------
    po = records.party_orgs
    po_in_year = po["year"].to_numpy() == Y
    po_unit = codes["party_orgs"][po_in_year]
    po = po[po_in_year].reset_index(drop=True)
    po_fires = unit_streak.fires[po_unit] if len(po) else np.zeros(0, dtype=bool)
    po_prop = po["proposed_classification"].to_numpy().astype(np.int8)
    po_final, po_capped = party_cap(po_prop, po_fires, party, crit)
    classes = pd.DataFrame(
        {
            "year": np.full(len(po), Y, dtype=np.int64),
            "party_org_id": po["party_org_id"].to_numpy(),
            "unit_id": po["unit_id"].to_numpy(),
            "proposed_classification": _labels(party, po_prop),
            "final_classification": _labels(party, po_final),
            "capped_by": np.where(po_capped, "party_org_streak", ""),
        },
        columns=OUTPUT_COLUMNS["party_org_classifications"],
    )
    f = np.flatnonzero(po_fires)
    u_run = unit_streak.run[po_unit[f]]
    u_years = _run_lists(u_run, years.astype(str).astype(object))
    u_bands = _run_lists(u_run, _labels(bands, band[po_unit[f]]))
    cap_p = crit.cap_level("party_org_streak", party)
    decisions.append(
        decision_rows(
            Y,
            "party_org",
            po["party_org_id"].to_numpy()[f],
            rules["party_org_streak"],
            [
                f"Không được xếp loại mức cao nhất («{party.label(0)}»): "
                + _capped_words(party, p, cap_p, "đề xuất")
                for p in po_prop[f]
            ],
            [
                f"unit={uid}; streak_years={sy}; streak_bands={sb}; {streak_words}"
                for uid, sy, sb in zip(po["unit_id"].to_numpy()[f], u_years, u_bands, strict=True)
            ],
            order=f,
        )
    )

    notes = list(records.notes) + _era_notes(records, Y, cadre, party)
    ev = Evaluation(
        year=Y,
        criteria=crit,
        records=records,
        unit_ranking=ranking[OUTPUT_COLUMNS["unit_ranking"]],
        official_ratings=ratings[OUTPUT_COLUMNS["official_ratings"]],
        removal_triggers=triggers,
        party_org_classifications=classes,
        decisions=combine(decisions, RULE_IDS),
        notes=notes,
    )
    return finish_ledger(ev, ledger_run)  # the II.2 rescheduling finding, evidence citing the ledger


def _era_notes(records: Records, Y: int, cadre: Scale, party: Scale) -> list[str]:
    notes = []
    for table, col, scale in (
        ("officials", "proposed_rating", cadre),
        ("party_orgs", "proposed_classification", party),
    ):
        df = records.table(table)
        other = df[(df["year"] == Y) & df[f"{col}_other_era"]]
        if len(other):
            rows = ", ".join(map(str, other["row"].to_numpy()[:10])) + (" …" if len(other) > 10 else "")
            src = records.sources.get(table)
            notes.append(
                f"{src.where if src else table}: {len(other)} nhãn {col} ghi theo thang của thời kỳ khác "
                f"(dòng {rows}); đã đọc theo mức tương ứng và in theo nhãn năm {Y} ({scale.source})."
            )
    return notes
