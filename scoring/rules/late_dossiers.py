"""Mục II.2 — late one-stop dossiers, for units and for officials.

"Cơ quan, đơn vị có từ 10% hồ sơ trễ hạn trở lên trong năm không được xếp hạng tốt …
Cán bộ, công chức, viên chức trễ hạn trên 10% hồ sơ trong năm không được xếp loại hoàn
thành tốt nhiệm vụ trở lên, đồng thời xem xét kỷ luật nếu có vi phạm."

Rates compare exactly, in integers (late × 100 × q ≥ p × handled for a threshold p/q %),
never as rounded floats; `handled = 0` means no rate and no cap. The reading
`rate_rounding_decimals` rounds the percentage half up first, as a spreadsheet would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..criteria import Criteria, Rule
from ..decisions import decision_rows
from . import Outcome, take
from .wording import capped_words, late_evidence

if TYPE_CHECKING:
    from ..context import YearContext


def late_fires(late: np.ndarray, handled: np.ndarray, who: str, crit: Criteria) -> np.ndarray:
    """Whether each (late, handled) pair reaches the `who` ("unit"/"official") threshold.

    Missing counts are negative and never fire.
    """
    threshold = crit.fraction(f"{who}_late_threshold_percent")
    inclusive = crit[f"{who}_late_inclusive"]
    decimals = crit["rate_rounding_decimals"]
    late = np.asarray(late, dtype=np.int64)
    handled = np.asarray(handled, dtype=np.int64)
    has = (handled > 0) & (late >= 0)
    num, den = threshold.numerator, threshold.denominator
    if decimals is None:
        lhs = late * 100 * den
        rhs = handled * num
    else:
        scale = 10**decimals
        safe = np.where(has, handled, 1)
        # percentage × 10^d, rounded half up: floor((2·late·100·10^d + handled) / (2·handled))
        pct = (2 * late * 100 * scale + safe) // (2 * safe)
        lhs = pct * den
        rhs = np.full_like(lhs, num * scale)
    fires = lhs >= rhs if inclusive else lhs > rhs
    return has & fires


def late_rate(late: np.ndarray, handled: np.ndarray) -> np.ndarray:
    """late / handled as a float for display; NaN where there is no rate."""
    late = np.asarray(late, dtype=np.float64)
    handled = np.asarray(handled, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((handled > 0) & (late >= 0), late / np.where(handled > 0, handled, 1), np.nan)


def threshold_words(who: str, crit: Criteria) -> str:
    """'≥ 10%' or '> 10%', as the evidence shows the threshold."""
    op = "≥" if crit[f"{who}_late_inclusive"] else ">"
    pct = crit[f"{who}_late_threshold_percent"]
    rounding = crit["rate_rounding_decimals"]
    extra = "" if rounding is None else f", làm tròn {rounding} chữ số thập phân"
    return f"{op} {pct}%{extra}"


# ---------------------------------------------------------------------------------------
# The rules


def unit_late_dossiers(ctx: YearContext, rule: Rule) -> Outcome:
    """A unit with late dossiers at or over the threshold: band at most Khá, no emulation title.

    The band matrix of the context already holds the cap (the band of every year is capped
    the same way: `reform_ranking.unit_bands`); this rule says so for the evaluated year.
    """
    crit = ctx.crit
    rows = ctx.unit_rows
    fires = ctx.late_fired[rows, -1]
    cap = crit.cap_level(rule.id, ctx.bands)
    f = np.flatnonzero(fires)
    outcome = [
        "M"
        + capped_words(ctx.bands, b, cap, "xếp loại")[1:]
        + "; không được công nhận danh hiệu thi đua, khen thưởng"
        for b in ctx.base_band[rows[f]]
    ]
    evidence = late_evidence(ctx.late[rows[f], -1], ctx.handled[rows[f], -1], threshold_words("unit", crit))
    decisions = decision_rows(
        ctx.year, "unit", ctx.unit_ids[rows[f]], rule, outcome, evidence, order=ctx.ranking.position[f]
    )
    return Outcome(rule, "unit", fires, decisions, cap=cap, flags={"not_eligible": fires})


def official_late_dossiers(ctx: YearContext, rule: Rule) -> Outcome:
    """An official over the threshold: rating below Hoàn thành tốt nhiệm vụ, discipline review."""
    crit = ctx.crit
    late, handled = ctx.official_counts
    fires = late_fires(late, handled, "official", crit)
    cap = crit.cap_level(rule.id, ctx.cadre)
    proposed = ctx.proposed
    # "đồng thời xem xét kỷ luật nếu có vi phạm": a flag for review, never a sanction
    review = fires if crit["discipline_flag_when_unchanged"] else fires & (cap > proposed)
    f = np.flatnonzero(fires)
    by_level = np.array(
        [
            "M" + capped_words(ctx.cadre, p, cap, "đề xuất")[1:] + "; xem xét kỷ luật nếu có vi phạm"
            for p in range(len(ctx.cadre.labels))
        ],
        dtype=object,
    )
    ids = take(ctx.records.officials["official_id"], ctx.official_rows[f])
    evidence = late_evidence(late[f], handled[f], threshold_words("official", crit))
    decisions = decision_rows(ctx.year, "official", ids, rule, by_level[proposed[f]], evidence, order=f)
    return Outcome(rule, "official", fires, decisions, cap=cap, flags={"discipline_review": review})
