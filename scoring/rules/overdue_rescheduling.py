"""Mục II.2 — every overdue dossier rescheduled once, with a written apology.

"Toàn bộ hồ sơ quá hạn phải được lãnh đạo cơ quan, đơn vị, địa phương hẹn lại thời gian rõ
ràng, chỉ hẹn 01 lần và xin lỗi bằng văn bản theo quy định."

The clause sets a duty and names no consequence, so this rule is a finding for the Board
(Ban Tổ chức), not a cap: no band, rating or eligibility changes, and the outcome says so.
One decision per unit with at least one overdue dossier of the year (resolved after its
original due, or pending and past due at the year's end) that was not rescheduled exactly
once, had no apology reference, or missed its new due. Which dossiers are overdue, and when,
follows the ledger's readings (docs/readings.md); the check of each dossier is
`scoring/ledger/sql/overdue.sql`.

The data comes from the dossier ledger, a producer upstream of the year context: when the
data holds one, `scoring.ledger.feed` hands `evaluate` records that carry the year's run as
`records._ledger_run` (its `compliance` table: one row per unit with overdue dossiers). Without
a ledger, or without the `dossier_reschedules` table ("chưa có số liệu"), the rule neither
passes nor fails anyone: it does not fire.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..criteria import Rule
from ..decisions import decision_rows
from . import Outcome
from .wording import vn_int

if TYPE_CHECKING:
    from ..context import YearContext

# Where the ledger's producer leaves the year's run on the records it feeds (scoring.ledger.derive).
LEDGER_RUN = "_ledger_run"
# The check's parts, in the order the evidence names them.
PARTS = (
    ("not_rescheduled", "không được hẹn lại"),
    ("rescheduled_more_than_once", "hẹn lại từ 02 lần trở lên"),
    ("no_apology", "không có văn bản xin lỗi"),
    ("new_due_missed", "không giải quyết đúng ngày hẹn lại"),
)


def _pct(num: int, den: int) -> str:
    """num/den as a percentage with two decimals, rounded half up, decimal comma."""
    hundredths = (int(num) * 20000 + int(den)) // (2 * int(den))
    return f"{hundredths // 100},{hundredths % 100:02d}%"


def overdue_rescheduling(ctx: YearContext, rule: Rule) -> Outcome:
    """A unit with overdue dossiers not rescheduled once with a written apology: a finding."""
    n = len(ctx.unit_rows)
    run = ctx.records.__dict__.get(LEDGER_RUN)
    if run is None or not run.checked or run.year != ctx.year:
        return Outcome(
            rule, "unit", np.zeros(n, dtype=bool), decision_rows(ctx.year, "unit", [], rule, [], [])
        )
    comp = run.compliance
    comp = comp[(comp["status"].to_numpy() == "checked") & (comp["violations"].fillna(0).to_numpy() > 0)]
    # each unit's place among the year's units (a unit whose only dossiers are overdue ones not
    # counted under the denominator reading may have no other record of the year: listed last)
    year_units = pd.Index(ctx.unit_ids[ctx.unit_rows])
    at = year_units.get_indexer(comp["unit_id"].astype(str))
    fires = np.zeros(n, dtype=bool)
    fires[at[at >= 0]] = True
    order = np.where(at >= 0, ctx.ranking.position[np.maximum(at, 0)], n + np.arange(len(comp)))
    outcome, evidence = _words(comp, ctx.year, run.source)
    decisions = decision_rows(
        ctx.year, "unit", comp["unit_id"].astype(str).to_numpy(), rule, outcome, evidence, order=order
    )
    return Outcome(rule, "unit", fires, decisions)  # no cap, no flag: a finding for the Board


def _words(comp: pd.DataFrame, year: int, source: str) -> tuple[list[str], list[str]]:
    outcomes, evidence = [], []
    where = f" (sổ theo dõi {source})" if source else ""
    for r in comp.itertuples(index=False):
        overdue, bad = int(r.overdue), int(r.violations)
        outcomes.append(
            f"Phát hiện để Ban Tổ chức xem xét, không phải mức giới hạn xếp loại: {vn_int(bad)}/{vn_int(overdue)} "
            "hồ sơ quá hạn chưa được hẹn lại đúng một lần và xin lỗi bằng văn bản"
        )
        parts = [f"{vn_int(getattr(r, c))} {words}" for c, words in PARTS if getattr(r, c)]
        evidence.append(
            f"{vn_int(overdue)} hồ sơ quá hạn năm {int(year)}{where}: "
            + "; ".join(parts)
            + f"; thực hiện đúng {vn_int(r.compliant)}/{vn_int(overdue)} ({_pct(r.compliant, overdue)})"
        )
    return outcomes, evidence
