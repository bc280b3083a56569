"""The reform index: from criterion points to the ranking, its margins and its odds.

    from scoring.index import compute
    yi = compute(records, 2020, crit)        # YearIndex: .table (per unit), .fields (per field)

The package is a producer (STYLE.md): `load_records` already fills the scores that
`reform_results` leaves blank from the criterion points (`producer.fill_loaded`), so every rule
downstream reads them as recorded scores. `scoring.reform_index(records, year, criteria)` is the
same as `compute` (a function of the top-level package; `scoring.index` is this package).
"""

from __future__ import annotations

from ..criteria import Criteria, load_criteria
from ..records import Records
from .compute import YearIndex, compute_year
from .producer import fill_scores, points_of, recorded_scores
from .structure import IndexSettings, Structure, load_settings, load_structure, load_structures


def compute(
    records: Records,
    year: int,
    criteria: Criteria | None = None,
    settings: IndexSettings | None = None,
    structure: Structure | None = None,
) -> YearIndex | None:
    """The index of `year` for every unit with criterion points (None when the year has none).

    Raises `ValidationError` for points that cannot be used (with every problem listed).
    """
    crit = criteria or load_criteria()
    pts = points_of(
        records.sources, set(records.units["unit_id"]), structure=structure, digits=records.read_digits()
    )
    if pts is None:
        return None
    rec = recorded_scores(records).get(int(year), {})
    return compute_year(pts, int(year), records.units, settings or load_settings(), crit, rec)


__all__ = [
    "IndexSettings",
    "Structure",
    "YearIndex",
    "compute",
    "fill_scores",
    "load_settings",
    "load_structure",
    "load_structures",
]
