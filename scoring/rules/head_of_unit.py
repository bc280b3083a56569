"""Mục II.4 — the head of a unit (người đứng đầu).

"Người đứng đầu … không được xếp loại hoàn thành tốt nhiệm vụ trở lên nếu xếp hạng kết quả
cải cách hành chính đạt mức trung bình trở xuống; xử lý trách nhiệm, đưa ra khỏi quy hoạch,
điều chuyển, thay thế người đứng đầu nếu kết quả cải cách hành chính của đơn vị, địa phương
03 năm liên tục xếp hạng trung bình hoặc 02 năm liên tục xếp hạng yếu."

Readings (criteria): a Yếu year counts toward the 3-year Trung bình run
(`weak_counts_toward_average_streak`); a year with no result breaks a run
(`missing_year_breaks_streak`); for the head, only the years this official was listed as head
of the unit count, and a year under another head breaks the run (`head_streak_own_years_only`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..criteria import Criteria
from ..labels import MISSING
from .streaks import trailing_run


def head_band_capped(unit_band: np.ndarray, crit: Criteria) -> np.ndarray:
    """The head's rating is capped when the unit's band is at or below the trigger band."""
    trigger = crit.band_level(crit["head_band_trigger"])
    return (unit_band != MISSING) & (unit_band >= trigger)


@dataclass
class Streak:
    """Runs ending at the evaluated year, for each row of a (subject × year) matrix."""

    fires: np.ndarray  # bool per row
    run: np.ndarray  # bool matrix: the years of the run that is reported


def streak(band: np.ndarray, scope: np.ndarray | None, crit: Criteria) -> Streak:
    """The removal condition on a (rows × years) band matrix, last column the evaluated year.

    `scope` marks the years that may count (a head's own years); None means every year.
    """
    rule = crit.rule("head_removal_streak").spec
    avg = crit.band_level(rule["average_band"])
    weak = crit.band_level(rule["weak_band"])
    has = band != MISSING
    bad_avg = has & ((band >= avg) if crit["weak_counts_toward_average_streak"] else (band == avg))
    bad_weak = has & (band >= weak)
    skips = ~has & (not crit["missing_year_breaks_streak"])
    if scope is not None:
        bad_avg, bad_weak, skips = bad_avg & scope, bad_weak & scope, skips & scope
    run_avg = trailing_run(bad_avg, skips)
    run_weak = trailing_run(bad_weak, skips)
    fires_avg = run_avg.sum(axis=1) >= crit["streak_years_average"]
    fires_weak = run_weak.sum(axis=1) >= crit["streak_years_weak"]
    # the reported run is the whole consecutive run: with the default reading the run of
    # Trung bình-or-worse years, which holds the Yếu run; literally read, the run that fired
    whole = fires_avg | (fires_weak & crit["weak_counts_toward_average_streak"])
    run = np.where(whole[:, None], run_avg, run_weak)
    return Streak(fires_avg | fires_weak, run)
