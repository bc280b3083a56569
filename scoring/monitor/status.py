"""Each commitment's status for a year: đạt, chưa đạt, chưa có số liệu, chưa đến hạn.

For one commitment and year the monitor finds the indicator's values for the subjects the
commitment is about, compares them with the target (exactly: values are fractions), and says:

- chưa đến hạn — the year is before the programme was in force, or before the target's year (the
  value and whether it already meets the target are still shown);
- chưa có số liệu — the value is not known: no row, a subject of the commitment without a row, or
  no previous year to compare a direction with. Never guessed;
- chưa đạt — a value misses the target (one subject that misses is enough, even when others are
  not known);
- đạt — every subject's value meets it.

A commitment about several subjects (every unit, every enterprise, the facilities) is shown by its
worst value and the count of subjects that meet the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import pandas as pd

from ..criteria import Criteria
from ..records import Records
from .commitments import Commitment, Commitments
from .indicators import IndicatorData

MET, NOT_MET, NO_DATA, NOT_DUE = "met", "not_met", "no_data", "not_due"

OUTPUT_COLUMNS = (
    "year",
    "commitment_id",
    "clause",
    "title",
    "indicator",
    "observed",
    "target",
    "due",
    "value",
    "previous_value",
    "direction",
    "subjects_met",
    "status",
    "trend",
    "note",
    "source_table",
)
SERIES_COLUMNS = ("year", "indicator", "subject_id", "value", "numerator", "denominator", "source_table")


@dataclass(frozen=True)
class Judgement:
    """One commitment in one year: the values behind the status, as exact fractions."""

    commitment: Commitment
    year: int
    key: str  # met, not_met, no_data, not_due
    value: Fraction | None  # the worst subject's value (or the one subject's)
    previous: Fraction | None
    target_value: Fraction | None
    due_year: int | None
    met_now: bool | None  # whether the value meets the target, whatever the status
    subjects_met: tuple[int, int] | None  # (meeting, expected) for several subjects
    missing: tuple[str, ...]  # subjects of the commitment without a value
    trend: tuple[tuple[int, Fraction], ...]  # the series up to the year
    reason: str  # why not due, or what is missing (in Vietnamese)
    trend_met: tuple[tuple[int, int, int], ...] = ()  # several subjects: (year, meeting, expected)


@dataclass
class Monitoring:
    """The monitor's result for a year: `table` (one row per commitment, the monitor.csv shape),
    `judgements` (the same with exact values, for views), `series` (the indicator values used,
    context indices included), `notes` (what the run has to say)."""

    year: int
    commitments: Commitments
    judgements: list[Judgement]
    data: IndicatorData
    notes: list[str] = field(default_factory=list)

    @property
    def table(self) -> pd.DataFrame:
        from .views import machine_table

        return machine_table(self)

    @property
    def series(self) -> pd.DataFrame:
        from .views import series_table

        return series_table(self)

    def counts(self) -> dict[str, int]:
        """How many commitments have each status, by the status's Vietnamese word."""
        out = {self.commitments.status(k): 0 for k in (MET, NOT_MET, NO_DATA, NOT_DUE)}
        for j in self.judgements:
            out[self.commitments.status(j.key)] += 1
        return out

    def summary(self) -> str:
        c = self.counts()
        parts = ", ".join(f"{word}: {n}" for word, n in c.items())
        return f"Năm {self.year}: {len(self.judgements)} chỉ tiêu của Chương trình — {parts}."


def judge_all(records: Records, year: int, criteria: Criteria, commitments: Commitments, data: IndicatorData):
    units = sorted(records.units["unit_id"].tolist())
    in_force = criteria.params.get("in_force_from_year")  # the engine's entry into force, when it has one
    return [judge(c, year, commitments, data, units, in_force) for c in commitments.commitments]


def _subjects(
    c: Commitment, commitments: Commitments, units: list[str], present: list[str]
) -> tuple[list[str], bool]:
    """(the subjects expected, whether the set is closed: a closed set's missing subject is no data)."""
    if c.subjects:
        return list(c.subjects), True
    fixed = commitments.observation(c.indicator.observed).get("subjects")
    if fixed:
        return [s for s in fixed if s not in c.exclude], True
    if c.indicator.observed == "unit":
        return [u for u in units if u not in c.exclude], True
    return [s for s in present if s not in c.exclude], False


def _meets(v: Fraction, comparison: str, target: Fraction) -> bool:
    return {
        ">": v > target,
        ">=": v >= target,
        "<": v < target,
        "<=": v <= target,
        "==": v == target,
    }[comparison]


def _worst(values: list[Fraction], comparison: str) -> Fraction:
    return max(values) if comparison in ("<", "<=") else min(values)


class _Values:
    """An indicator's values as {year: {subject: value}}."""

    def __init__(self, by_year: dict[int, dict[str, Fraction]]):
        self.by_year = by_year

    def at(self, year: int) -> dict[str, Fraction]:
        return self.by_year.get(year, {})


def _state(c, year, commitments, values: _Values, units, target):
    """(met or None, value, previous, subjects_met, missing) of a commitment in one year."""
    now = values.at(year)
    expected, closed = _subjects(c, commitments, units, sorted(now))
    if c.target.is_direction:
        s = expected[0]
        v, prev = now.get(s), values.at(year - 1).get(s)
        if v is None:
            return None, None, prev, None, (s,)
        if prev is None:
            return None, v, None, None, ()
        flat_ok = bool(commitments["flat_counts_as_rising"])
        up = v > prev or (flat_ok and v == prev)
        down = v < prev or (flat_ok and v == prev)
        return (up if c.target.comparison == "rising" else down), v, prev, None, ()
    got = [now[s] for s in expected if s in now]
    missing = tuple(s for s in expected if s not in now)
    if not got:
        return None, None, None, None, missing
    # compared once per distinct value: thousands of enterprises share a few counts (keyed by
    # numerator and denominator: a Fraction's own hash is slow)
    distinct = {(v.numerator, v.denominator): v for v in got}
    meets = {k: _meets(v, c.target.comparison, target) for k, v in distinct.items()}
    n_ok = sum(meets[(v.numerator, v.denominator)] for v in got)
    value = _worst(list(distinct.values()), c.target.comparison)
    before = values.at(year - 1)
    prev_vals = {(v.numerator, v.denominator): v for v in (before[s] for s in expected if s in before)}
    prev = _worst(list(prev_vals.values()), c.target.comparison) if prev_vals else None
    several = (n_ok, len(expected)) if (len(expected) > 1 or not closed) else None
    if n_ok < len(got):
        return False, value, prev, several, missing  # one miss is certain, whatever is missing
    return (None if missing else True), value, prev, several, missing


def judge(
    c: Commitment, year: int, commitments: Commitments, data: IndicatorData, units, in_force
) -> Judgement:
    values = _Values(data.values(c.indicator.id))
    target = commitments.target_value(c)
    due = c.due_year(commitments["undated_due_year"])
    met, value, prev, several, missing = _state(c, year, commitments, values, units, target)
    trend, trend_met = [], []
    for y in sorted(values.by_year):
        if y > year:
            break
        _m, v, _p, s, _miss = _state(c, y, commitments, values, units, target)
        if v is not None:
            trend.append((y, v))
        if s is not None:
            trend_met.append((y, *s))
    reason = ""
    if in_force is not None and year < in_force:
        key, reason = NOT_DUE, f"Chương trình có hiệu lực từ năm {in_force}"
    elif due is not None and year < due:
        key, reason = NOT_DUE, f"mục tiêu đến năm {due}"
    elif met is None:
        key = NO_DATA
        if c.target.is_direction and value is not None:
            reason = f"chưa có số liệu năm {year - 1} để so sánh"
        elif missing and value is not None:
            reason = _missing_text(missing, year)
        else:
            reason = f"không có số liệu năm {year}"
    else:
        key = MET if met else NOT_MET
    return Judgement(
        c, year, key, value, prev, target, due, met, several, missing, tuple(trend), reason, tuple(trend_met)
    )


def _missing_text(missing: tuple[str, ...], year: int) -> str:
    shown = ", ".join(missing[:5]) + (f" và {len(missing) - 5} đối tượng khác" if len(missing) > 5 else "")
    return f"thiếu số liệu năm {year} của {shown}"
