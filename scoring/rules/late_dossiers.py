"""Mục II.2 — late one-stop dossiers, for units and for officials.

"Cơ quan, đơn vị có từ 10% hồ sơ trễ hạn trở lên trong năm không được xếp hạng tốt …
Cán bộ, công chức, viên chức trễ hạn trên 10% hồ sơ trong năm không được xếp loại hoàn
thành tốt nhiệm vụ trở lên, đồng thời xem xét kỷ luật nếu có vi phạm."

Rates compare exactly, in integers (late × 100 × q ≥ p × handled for a threshold p/q %),
never as rounded floats; `handled = 0` means no rate and no cap. The reading
`rate_rounding_decimals` rounds the percentage half up first, as a spreadsheet would.
"""

from __future__ import annotations

import numpy as np

from ..criteria import Criteria


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
