"""scoring — the Khánh Hòa administrative-reform programme (2017) as code.

import scoring
crit = scoring.load_criteria()
recs = scoring.load_records()          # the embedded sample, or a folder / .xlsx
ev = scoring.evaluate(recs, 2020, crit)
print(ev.explain("DH_KHANHHOA"))
print(scoring.monitor_commitments(recs, 2020).summary())  # the programme's other commitments
"""

from .criteria import Criteria, CriteriaError, load_criteria
from .evaluate import Evaluation, evaluate
from .records import Records, ValidationError, load_records

__version__ = "0.1.0"


def reform_index(records, year, criteria=None, **options):
    """The reform index of `year` from criterion points (`scoring.index.compute`; docs/index.md)."""
    from .index import compute

    return compute(records, year, criteria, **options)


def __getattr__(name):
    # the monitor is imported when first used: an `evaluate` run does not pay for it
    if name == "monitor_commitments":
        from .monitor import monitor_commitments

        return monitor_commitments
    raise AttributeError(f"module 'scoring' has no attribute {name!r}")


__all__ = [
    "Criteria",
    "CriteriaError",
    "Evaluation",
    "Records",
    "ValidationError",
    "evaluate",
    "load_criteria",
    "load_records",
    "monitor_commitments",
    "reform_index",
    "__version__",
]
