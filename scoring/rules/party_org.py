"""Mục II.4 — the unit's party base organisation (tổ chức cơ sở đảng).

"… tổ chức cơ sở đảng đơn vị đó không được xếp loại trong sạch, vững mạnh." The condition
is the unit's own run (whoever was head); under Quy định 132-QĐ/TW (from 2018) "not trong
sạch, vững mạnh" means "not the top level" of the year's scale.
"""

from __future__ import annotations

import numpy as np

from ..criteria import Criteria
from ..labels import Scale


def party_cap(proposed: np.ndarray, unit_streak_fires: np.ndarray, scale: Scale, crit: Criteria):
    """(final level, capped_by fires) for each party organisation of the year."""
    cap = crit.cap_level("party_org_streak", scale)
    final = np.where(unit_streak_fires, np.maximum(proposed, cap), proposed)
    return final.astype(np.int8), unit_streak_fires & (proposed < cap)
