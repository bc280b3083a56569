"""The programme's rules, one module per clause family.

A rule is a function named after its id, in the module of its family, that reads the year's
context and says what the clause decides for the evaluated year:

    def head_reform_band(ctx: YearContext, rule: Rule) -> Outcome: ...

The criteria file lists the rules in the order they run (`rules:`); a rule's module is its
`family` (`scoring/rules/<family>.py`), or a module named after the rule itself when no family
is given. Adding a rule is adding its entry to the criteria file and its function to a
module: no list in the code to edit. docs/architecture.md describes the contract.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..criteria import CriteriaError, Rule

if TYPE_CHECKING:
    from ..context import YearContext

SUBJECTS = ("unit", "official", "party_org")


@dataclass
class Outcome:
    """What one rule decided for the evaluated year.

    `fires` has one entry per subject of the year, in the context's order for that subject
    (`ctx.unit_rows`, `ctx.official_rows`, `ctx.party_rows`). Where it fires:
    - `cap`, when given, is the level the subject's band, rating or classification is capped
      at (a cap never raises a level: the final level is the lowest of all that apply);
    - `flags` are named booleans the subject's table reports (`discipline_review` of an
      official, `not_eligible` for emulation of a unit);
    - `decisions` holds one row per subject where the condition holds
      (`scoring.decisions.decision_rows`), worded in Vietnamese by the rule itself.
    `tables` are whole output tables a rule owns (`removal_triggers`); `extras` structured
    data the views read (`party_org_runs`), so that no view parses a decision's evidence.
    A rule that is a finding and not a cap leaves `cap` as None.
    """

    rule: Rule
    subject: str
    fires: np.ndarray
    decisions: pd.DataFrame
    cap: int | None = None
    flags: dict[str, np.ndarray] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)


RuleFunction = Callable[["YearContext", Rule], Outcome]


@cache
def rule_function(rule_id: str, family: str) -> RuleFunction:
    """The function that implements a rule: `scoring.rules.<family>.<rule_id>`."""
    try:
        module = importlib.import_module(f"{__name__}.{family}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{family}":
            raise
        raise CriteriaError(
            f"Quy tắc «{rule_id}»: không có mô-đun scoring/rules/{family}.py (family: {family})."
        ) from None
    fn = getattr(module, rule_id, None)
    if not callable(fn):
        raise CriteriaError(f"Quy tắc «{rule_id}»: mô-đun scoring/rules/{family}.py không có hàm {rule_id}.")
    return fn


def take_rows(values, rows: np.ndarray):
    """Some rows of an array (Arrow texts stay Arrow); a contiguous run is sliced, not copied."""
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows) and (len(rows) < 2 or np.all(np.diff(rows) == 1)):
        return values[rows[0] : rows[-1] + 1]
    return values.take(rows)


def lookup(keys: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each query, its position in `keys` (unique integers), and whether it is there."""
    keys = np.asarray(keys, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    at = np.searchsorted(keys[order], queries)
    at = np.minimum(at, max(len(keys) - 1, 0))
    found = (keys[order][at] == queries) if len(keys) else np.zeros(len(queries), dtype=bool)
    return (order[at] if len(keys) else np.zeros(len(queries), dtype=np.int64)), found


def run_rule(ctx: YearContext, rule: Rule) -> Outcome:
    """Run one rule of the criteria on the year's context."""
    outcome = rule_function(rule.id, rule.family)(ctx, rule)
    if outcome.subject not in SUBJECTS:
        raise CriteriaError(f"Quy tắc «{rule.id}»: đối tượng không hợp lệ «{outcome.subject}».")
    return outcome
