"""Run the programme's rules for one year: records + criteria -> the five output tables.

The path of the data: the year's context is built once (`scoring.context`: matrices, the
subjects of the year, the scales and readings); each rule of the criteria file runs in its
order (`scoring.rules`: what fires, the cap, the decision rows in Vietnamese); the outcomes
are assembled into the tables of SPEC §3 (`Evaluation`).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pyarrow as pa

from .columns import column, year_rows
from .context import YearContext, _check_year, build_context
from .criteria import Criteria, load_criteria
from .decisions import DECISION_COLUMNS, combine_columns
from .evaluation import OUTPUT_COLUMNS, TABLES, Evaluation, format_score
from .held import Columns
from .labels import MISSING, Scale
from .ledger import feed_ledger, finish_ledger
from .records import Records
from .rules import Outcome, run_rule
from .rules.head_of_unit import REMOVAL_COLUMNS
from .rules.party_org import RUN_COLUMNS
from .rules.reform_ranking import unit_ranking_table
from .rules.wording import categorical, label_column, text_column

__all__ = ["OUTPUT_COLUMNS", "TABLES", "Evaluation", "evaluate", "format_score"]


def evaluate(records: Records, year: int, criteria: Criteria | None = None) -> Evaluation:
    """Apply the programme's rules to `year`; earlier years drive the streaks."""
    crit = criteria or load_criteria()
    _check_year(records, int(year))
    records, ledger_run = feed_ledger(records, int(year), crit)  # a producer: dossiers -> counts
    ctx = build_context(records, year, crit)
    # before the programme was in force (or after its end) no consequence fires
    outcomes = [run_rule(ctx, crit.rule(rid)) for rid in crit.rule_ids] if ctx.in_force else []
    by_subject = {s: [o for o in outcomes if o.subject == s] for s in ("unit", "official", "party_org")}
    triggers = [o.tables["removal_triggers"] for o in outcomes if "removal_triggers" in o.tables]
    runs = [o.extras["party_org_runs"] for o in outcomes if "party_org_runs" in o.extras]
    ev = Evaluation(
        year=ctx.year,
        criteria=crit,
        records=records,
        unit_ranking=_unit_ranking(ctx, by_subject["unit"]),
        official_ratings=_official_ratings(ctx, by_subject["official"]),
        removal_triggers=triggers[0] if triggers else _empty(REMOVAL_COLUMNS),
        party_org_classifications=_party_org_classifications(ctx, by_subject["party_org"]),
        decisions=Columns(combine_columns([o.decisions for o in outcomes], crit.rule_ids), DECISION_COLUMNS),
        notes=list(records.notes) + _year_notes(ctx) + _era_notes(records, ctx.year, ctx.cadre, ctx.party),
        party_org_runs=runs[0] if runs else _empty(RUN_COLUMNS),
    )
    return finish_ledger(ev, ledger_run)  # evidence citing the ledger, its notes, ev.ledger


def _capped(proposed: np.ndarray, outcomes: list[Outcome]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(final level, capped_by code, the capped_by names by code) of each subject.

    The final level is the lowest of the proposed one and every cap that applies; a cap never
    raises a level. `capped_by` names the rules whose cap is below the proposed level, in the
    criteria's order, as a bit code per subject (a categorical for a million officials).
    """
    final = proposed
    code = np.zeros(len(proposed), dtype=np.int64)
    capping = [o for o in outcomes if o.cap is not None]
    has = proposed != MISSING  # no level, nothing to cap
    for i, o in enumerate(capping):
        final = np.where(o.fires & has, np.maximum(final, o.cap), final)
        code |= (o.fires & has & (o.cap > proposed)).astype(np.int64) << i
    names = [
        ";".join(o.rule.id for i, o in enumerate(capping) if c >> i & 1) for c in range(1 << len(capping))
    ]
    return final.astype(np.int8), code, names


def _flag(outcomes: list[Outcome], name: str, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    for o in outcomes:
        if name in o.flags:
            out |= o.flags[name]
    return out


def _unit_ranking(ctx: YearContext, outcomes: list[Outcome]) -> Columns:
    """Band after every unit cap, eligibility, and the rules that changed either."""
    n = len(ctx.unit_rows)
    base = ctx.base_band[ctx.unit_rows]
    band, code, _ = _capped(base, outcomes)
    not_eligible = _flag(outcomes, "not_eligible", n)
    reasons = np.full(n, "", dtype=object)
    capping = [o for o in outcomes if o.cap is not None]
    for o in outcomes:
        binds = (code >> capping.index(o) & 1).astype(bool) if o in capping else False
        changed = o.fires & (binds | o.flags.get("not_eligible", False))
        reasons = np.where(changed, np.where(reasons == "", o.rule.id, reasons + ";" + o.rule.id), reasons)
    return Columns(unit_ranking_table(ctx, band, ~not_eligible, reasons), OUTPUT_COLUMNS["unit_ranking"])


def _official_ratings(ctx: YearContext, outcomes: list[Outcome]) -> Columns:
    """Officials in the order of the input table (the analyst's own order)."""
    n = len(ctx.official_rows)
    final, code, names = _capped(ctx.proposed, outcomes)
    return Columns(
        {
            "year": np.full(n, ctx.year, dtype=np.int64),
            **ctx.official_columns,
            "final_rating": categorical(ctx.cadre.labels, final),
            "capped_by": categorical(names, code),
            "discipline_review": _flag(outcomes, "discipline_review", n),
        },
        OUTPUT_COLUMNS["official_ratings"],
    )


def _party_org_classifications(ctx: YearContext, outcomes: list[Outcome]) -> Columns:
    rows = ctx.party_rows
    final, code, names = _capped(ctx.party_proposed, outcomes)
    party_orgs = partial(column, ctx.records, "party_orgs")
    return Columns(  # texts made when read (scoring.held)
        {
            "year": np.full(len(rows), ctx.year, dtype=np.int64),
            "party_org_id": lambda: party_orgs("party_org_id").take(rows),
            "unit_id": lambda: party_orgs("unit_id").take(rows),
            "proposed_classification": partial(label_column, ctx.party, ctx.party_proposed),
            "final_classification": partial(label_column, ctx.party, final),
            "capped_by": lambda: text_column(pa.array(names, type=pa.large_string()).take(code)),
        },
        OUTPUT_COLUMNS["party_org_classifications"],
    )


def _empty(columns: list[str]) -> Columns:
    return Columns({c: np.zeros(0, dtype=np.int64 if c == "year" else object) for c in columns})


def _year_notes(ctx: YearContext) -> list[str]:
    """What the run must say about the year itself: the programme in force, the scales."""
    crit, Y = ctx.crit, ctx.year
    notes = []
    if not ctx.in_force:
        start, until = crit["in_force_from_year"], crit["in_force_until_year"]
        when = (
            f"trước năm {start}, năm Chương trình hành động bắt đầu có hiệu lực"
            if Y < start
            else f"sau năm {until}, năm cuối áp dụng Chương trình hành động"
        )
        notes.append(
            f"Năm {Y} {when}: đã tính điểm, xếp hạng và xếp loại các cơ quan, đơn vị, nhưng không áp dụng "
            "hệ quả nào của Chương trình (giới hạn xếp loại, thi đua, khen thưởng, xem xét xử lý trách nhiệm)."
        )
    no_result = (ctx.score[:, -1] < 0) & (ctx.recorded[:, -1] < 0)
    listed = np.flatnonzero(no_result & ctx.active)
    # records loaded for this year already name the units without a result (scoring.records)
    said = any(n.startswith(f"Năm {Y}:") and "chưa có kết quả" in n for n in ctx.records.notes)
    if len(listed) and not said:
        notes.append(
            f"Chưa có kết quả cải cách hành chính năm {Y} của {_some(ctx.unit_names[listed])}: "
            "có trong bảng xếp hạng nhưng không có điểm, không xếp hạng, không xếp loại."
        )
    absent = np.flatnonzero(~ctx.active)
    if len(absent):
        notes.append(
            f"Không có dữ liệu nào năm {Y} (kết quả, hồ sơ, cán bộ, tổ chức đảng) của {_some(ctx.unit_names[absent])}: "
            "không đưa vào bảng xếp hạng năm này. Nếu đơn vị còn hoạt động, cần bổ sung kết quả của đơn vị."
        )
    for scale in (ctx.cadre, ctx.party):
        checked = scale.meta.get("checked_through")
        if checked is not None and Y > checked:
            notes.append(
                f"Thang xếp loại theo {scale.source} được đối chiếu với văn bản hiện hành đến năm {checked}; "
                f"năm {Y} vẫn áp dụng thang này — cần kiểm tra lại nếu đã có văn bản thay thế."
            )
    return notes


def _some(names: np.ndarray, shown: int = 10) -> str:
    """'3 cơ quan, đơn vị (A, B, C)', the first ten named."""
    more = f" và {len(names) - shown} đơn vị khác" if len(names) > shown else ""
    return f"{len(names)} cơ quan, đơn vị (" + ", ".join(map(str, names[:shown])) + more + ")"


def _era_notes(records: Records, Y: int, cadre: Scale, party: Scale) -> list[str]:
    notes = []
    for table, col, scale in (
        ("officials", "proposed_rating", cadre),
        ("party_orgs", "proposed_classification", party),
    ):
        in_year = year_rows(records, table, Y)
        other = in_year[column(records, table, f"{col}_other_era")[in_year]]
        if len(other):
            lines = column(records, table, "row")[other]
            rows = ", ".join(map(str, lines[:10])) + (" …" if len(other) > 10 else "")
            src = records.sources.get(table)
            notes.append(
                f"{src.where if src else table}: {len(other)} xếp loại đề xuất (cột {col}) ghi theo thang của "
                f"thời kỳ khác (dòng {rows}); đã đọc theo mức tương ứng và in theo nhãn năm {Y} ({scale.source})."
            )
    return notes
