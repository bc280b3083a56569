"""Mục II.2 — late one-stop dossiers, for units and for officials.

"Cơ quan, đơn vị có từ 10% hồ sơ trễ hạn trở lên trong năm không được xếp hạng tốt …
Cán bộ, công chức, viên chức trễ hạn trên 10% hồ sơ trong năm không được xếp loại hoàn
thành tốt nhiệm vụ trở lên, đồng thời xem xét kỷ luật nếu có vi phạm."

Rates compare exactly, in integers (late × 100 × q ≥ p × handled for a threshold p/q %),
never as rounded floats; `handled = 0` means no rate and no cap. The reading
`rate_rounding_decimals` rounds the percentage half up first, as a spreadsheet would.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from ..criteria import Criteria, Rule
from ..decisions import decision_rows
from . import Outcome
from .wording import (
    by_level,
    capped_words,
    coded_texts,
    exact_product,
    late_evidence,
    not_above,
    rounded_share,
    vn_decimal,
)

if TYPE_CHECKING:
    from ..context import YearContext


def late_fires(late: np.ndarray, handled: np.ndarray, who: str, crit: Criteria) -> np.ndarray:
    """Whether each (late, handled) pair reaches the `who` ("unit"/"official") threshold.

    Exact for any count: late × 100 × q against p × handled for a threshold of p/q percent,
    in int64 when the products fit and in Python integers otherwise. Missing counts are
    negative and never fire.
    """
    threshold = crit.fraction(f"{who}_late_threshold_percent")
    inclusive = crit[f"{who}_late_inclusive"]
    decimals = crit["rate_rounding_decimals"]
    late = np.asarray(late, dtype=np.int64)
    handled = np.asarray(handled, dtype=np.int64)
    has = (handled > 0) & (late >= 0)
    num, den = threshold.numerator, threshold.denominator
    if decimals is None:
        lhs = exact_product(late, 100 * den)
        rhs = exact_product(handled, num)
    else:
        # the percentage × 10^d rounded half up first, as a spreadsheet shows it
        lhs = exact_product(rounded_share(np.where(has, late, 0), handled, decimals), den)
        rhs = num * 10**decimals
    fires = lhs >= rhs if inclusive else lhs > rhs
    return has & np.asarray(fires, dtype=bool)


def late_rate(late: np.ndarray, handled: np.ndarray) -> np.ndarray:
    """late / handled as a float for display; NaN where there is no rate."""
    late = np.asarray(late, dtype=np.float64)
    handled = np.asarray(handled, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((handled > 0) & (late >= 0), late / np.where(handled > 0, handled, 1), np.nan)


def threshold_words(who: str, crit: Criteria) -> str:
    """'từ 10% trở lên' or 'trên 10%': the threshold in the programme's words."""
    pct = vn_decimal(crit.fraction(f"{who}_late_threshold_percent"))
    words = f"từ {pct}% trở lên" if crit[f"{who}_late_inclusive"] else f"trên {pct}%"
    rounding = crit["rate_rounding_decimals"]
    return words if rounding is None else f"{words} (tỷ lệ làm tròn đến {rounding} chữ số thập phân)"


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
    head = f"Không được xếp hạng {not_above(ctx.bands, cap)} về kết quả cải cách hành chính"
    tail = "; không được công nhận danh hiệu thi đua, khen thưởng"
    outcome = by_level(ctx.bands, cap, head, tail, what="xếp loại")
    base = ctx.base_band[rows[f]]
    words = np.array([f"{head}: {capped_words(ctx.bands, -1, cap, 'xếp loại')}{tail}"], dtype=object)
    texts = np.where(base >= 0, outcome[np.maximum(base, 0)], words[0])
    evidence = late_evidence(
        ctx.late[rows[f], -1],
        ctx.handled[rows[f], -1],
        threshold_words("unit", crit),
        crit["rate_rounding_decimals"],
    )
    decisions = decision_rows(
        ctx.year, "unit", ctx.unit_ids[rows[f]], rule, texts, evidence, order=ctx.ranking.position[f]
    )
    return Outcome(rule, "unit", fires, decisions, cap=cap, flags={"not_eligible": fires})


def official_late_dossiers(ctx: YearContext, rule: Rule) -> Outcome:
    """An official over the threshold: rating below Hoàn thành tốt nhiệm vụ, discipline review.

    The staff of a central agency (Cơ quan ngành dọc) are rated by their own ministry: the
    reading `central_agency_consequences` words it as a recommendation, or leaves them out.
    """
    crit = ctx.crit
    late, handled = ctx.official_counts
    may, recommended = ctx.official_scope
    fires = late_fires(late, handled, "official", crit) & may
    cap = crit.cap_level(rule.id, ctx.cadre)
    proposed = ctx.proposed
    # "đồng thời xem xét kỷ luật nếu có vi phạm": a flag for review, never a sanction
    review = fires if crit["discipline_flag_when_unchanged"] else fires & (cap > proposed)
    f = np.flatnonzero(fires)
    head = f"Không được xếp loại {not_above(ctx.cadre, cap)}"
    levels = by_level(ctx.cadre, cap, head, "; xem xét kỷ luật nếu có vi phạm")
    # as codes into the few texts (numpy's indexing: a missing level, -1, takes the last)
    texts, codes = ctx.recommended_codes(
        levels, proposed[f] % len(levels), recommended[f], ctx.official_unit[f]
    )
    outcome = coded_texts(texts, codes)
    ids = partial(ctx.official_ids, f)  # taken when read: compare keys officials by row
    # worded when the decisions are read: a national what-if compares outcomes, not evidence
    evidence = partial(
        late_evidence, late[f], handled[f], threshold_words("official", crit), crit["rate_rounding_decimals"]
    )
    decisions = decision_rows(ctx.year, "official", ids, rule, outcome, evidence, order=f)
    return Outcome(rule, "official", fires, decisions, cap=cap, flags={"discipline_review": review})
