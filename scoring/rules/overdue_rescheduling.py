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

Without the `dossier_reschedules` table the check has no data ("chưa có số liệu"): the rule
neither passes nor fails anyone, it does not fire.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..criteria import Criteria
from ..decisions import decision_rows

RULE_ID = "overdue_rescheduling"
# The check's parts, in the order the evidence names them.
PARTS = (
    ("not_rescheduled", "không được hẹn lại"),
    ("rescheduled_more_than_once", "hẹn lại từ 02 lần trở lên"),
    ("no_apology", "không có văn bản xin lỗi"),
    ("new_due_missed", "không giải quyết đúng ngày hẹn lại"),
)


def _vn(n) -> str:
    return f"{int(n):,}".replace(",", ".")


def _pct(num: int, den: int) -> str:
    hundredths = (int(num) * 20000 + int(den)) // (2 * int(den))
    return f"{hundredths // 100},{hundredths % 100:02d}%"


def overdue_rescheduling(
    year: int, compliance: pd.DataFrame, crit: Criteria, source: str = "", order=None
) -> pd.DataFrame:
    """Decisions for the units of `compliance` (one row per unit of the year) with violations.

    `compliance` has the columns of `scoring.ledger.COMPLIANCE_COLUMNS`; rows whose `status`
    is not "checked" (no dossier_reschedules) never fire. `order` gives each row's position
    in the unit table (decisions follow it).
    """
    rule = crit.rule(RULE_ID)
    checked = compliance["status"].to_numpy() == "checked"
    violations = compliance["violations"].fillna(0).to_numpy(dtype=np.int64)
    fires = checked & (violations > 0)
    f = np.flatnonzero(fires)
    rows = compliance.iloc[f]
    outcomes, evidence = [], []
    where = f" (sổ theo dõi {source})" if source else ""
    for r in rows.itertuples(index=False):
        overdue, bad = int(r.overdue), int(r.violations)
        outcomes.append(
            f"Phát hiện để Ban Tổ chức xem xét, không phải mức giới hạn xếp loại: {_vn(bad)}/{_vn(overdue)} "
            "hồ sơ quá hạn chưa được hẹn lại đúng một lần và xin lỗi bằng văn bản"
        )
        parts = [f"{_vn(getattr(r, c))} {words}" for c, words in PARTS if getattr(r, c)]
        evidence.append(
            f"{_vn(overdue)} hồ sơ quá hạn năm {int(year)}{where}: "
            + "; ".join(parts)
            + f"; thực hiện đúng {_vn(r.compliant)}/{_vn(overdue)} ({_pct(r.compliant, overdue)})"
        )
    return decision_rows(
        year,
        "unit",
        rows["unit_id"].astype(str).to_numpy(),
        rule,
        outcomes,
        evidence,
        order=None if order is None else np.asarray(order)[f],
    )
