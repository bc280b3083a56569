"""The year's context: everything the rules read, built once per evaluation.

A rule never goes back to the records for what the context already holds: the (unit × year)
matrices of scores, recorded bands, dossier counts and the bands they give; the subjects of
the evaluated year (units, officials, party organisations) with their integer keys; the
scales of the year; the criteria (thresholds and readings). A national set of 10,000 units
over ten years is 100,000 cells per matrix, and every rule is a few numpy operations over
them.

Matrices have one row per unit of `records.units` and one column per year from the first
year with a result or a head (streaks look back) to the evaluated year, the last column.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .columns import column, texts, year_rows
from .criteria import Criteria
from .keys import encode, positions, unit_codes
from .labels import MISSING, Scale
from .records import TABLE_NAMES, Problem, Records, ValidationError, year_problems
from .rules import reform_ranking, take_rows
from .rules.late_dossiers import late_rate
from .rules.wording import categorical, recommend

UNIT_TABLES = ("reform_results", "unit_dossiers", "officials", "party_orgs")


def year_cached(fn):
    """A property of the context that depends on the records and the year only, not on the
    criteria: computed once per Records object and year, so that a what-if reuses it."""
    name = fn.__name__

    def get(self):
        cache = self.records.__dict__.setdefault("_year_cache", {})
        key = (self.year, name)
        if key not in cache:
            cache[key] = fn(self)
        return cache[key]

    get.__doc__ = fn.__doc__
    return property(get)


@dataclass
class YearContext:
    """What one evaluated year's rules read. Built by `build_context`; read-only for rules."""

    year: int
    crit: Criteria
    records: Records
    codes: dict  # integer keys of the records (see `_codes`)
    years: np.ndarray  # the matrices' columns, the evaluated year last
    # (unit × year) matrices; MISSING (-1) where there is no value
    score: np.ndarray  # score in hundredths
    recorded: np.ndarray  # recorded band level
    late: np.ndarray  # the unit's late dossiers
    handled: np.ndarray  # the unit's dossiers handled
    by_score: np.ndarray  # band level the score gives
    late_fired: np.ndarray  # the unit's late dossiers reach the II.2 threshold
    band: np.ndarray  # the band that stands (after the late cap; as recorded for past years)
    bands: Scale  # reform-result bands
    cadre: Scale  # cadre ratings of the year
    party: Scale  # party classifications of the year
    head_level: int  # the role level of a head (người đứng đầu)
    head_rows: np.ndarray  # rows of the officials table listing a head, up to the evaluated year
    in_force: bool  # the programme's consequences apply to the evaluated year
    countable: np.ndarray  # per year column: may count toward a consequence (in force, or the reading)

    # -- readings -------------------------------------------------------------------------
    @property
    def lag(self) -> int:
        """Columns back from the evaluated year to the band the cadre consequences read."""
        return int(self.crit["reform_result_lag_years"])

    @cached_property
    def central(self) -> np.ndarray:
        """Per unit: its group is marked central (Cơ quan ngành dọc) in the criteria."""
        groups = self.crit.central_groups
        return np.array([g in groups for g in texts(self.records, "units", "group")], dtype=bool)

    def central_scope(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For cadres of these unit rows: (a consequence may fire, it is worded as a recommendation).

        Reading `central_agency_consequences`: the staff of a central agency are rated by their
        own ministry, so the province recommends (default), applies, or leaves them out.
        """
        central = self.central[units]
        mode = self.crit["central_agency_consequences"]
        none = np.zeros(len(units), dtype=bool)
        if mode == "none":
            return ~central, none
        return ~none, central if mode == "recommend" else none

    @cached_property
    def official_scope(self) -> tuple[np.ndarray, np.ndarray]:
        """`central_scope` of the year's officials: three rules read it, a million entries each."""
        return self.central_scope(self.official_unit)

    def recommended(self, outcome: np.ndarray, mask: np.ndarray, units: np.ndarray) -> np.ndarray:
        """The outcomes, those of `mask` worded as a recommendation to the unit's managing body."""
        if not mask.any():
            return outcome
        codes, texts_ = pd.factorize(np.asarray(outcome, dtype=object))
        worded, codes = self.recommended_codes(np.asarray(texts_, dtype=object), codes, mask, units)
        return worded[codes]

    def recommended_codes(
        self, texts_: np.ndarray, codes: np.ndarray, mask: np.ndarray, units: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """`recommended` on outcomes given as codes into a few texts: (texts, codes) with the
        recommendations added to the texts, worded once per (unit, outcome) pair (a central
        agency may have thousands of staff), so that no row becomes a Python string."""
        if not mask.any():
            return texts_, codes
        rows = np.flatnonzero(mask)
        n = len(texts_)
        pairs, inverse = np.unique(units[rows].astype(np.int64) * n + codes[rows], return_inverse=True)
        names = self.unit_names
        worded = [recommend(texts_[p % n], names[p // n]) for p in pairs.tolist()]
        out = np.asarray(codes, dtype=np.int64).copy()
        out[rows] = n + inverse.ravel()
        return np.concatenate([texts_, np.array(worded, dtype=object)]), out

    @property
    def unit_names(self) -> np.ndarray:
        return texts(self.records, "units", "unit_name")

    # -- the subjects of the year ---------------------------------------------------------
    @year_cached
    def active(self) -> np.ndarray:
        """Per unit of `records.units`: it has any record in the evaluated year."""
        active = np.zeros(len(self.records.units), dtype=bool)
        for t in UNIT_TABLES:
            active[self.codes[t][year_rows(self.records, t, self.year)]] = True
        return active

    @year_cached
    def unit_rows(self) -> np.ndarray:
        """Rows of `records.units` in the year's ranking: the units with any record in the year.

        One with no result is listed unranked; one with no record at all is left out (a unit
        dissolved in an earlier year stays in `units` for its history) and the run names both.
        """
        return np.flatnonzero(self.active)

    @year_cached
    def official_rows(self) -> np.ndarray:
        """Rows of the officials table in the evaluated year (the analyst's own order)."""
        return year_rows(self.records, "officials", self.year)

    @year_cached
    def official_unit(self) -> np.ndarray:
        """Unit row of each official of the year."""
        return self.codes["officials"][self.official_rows]

    @year_cached
    def official_role(self) -> np.ndarray:
        return column(self.records, "officials", "role")[self.official_rows]

    @year_cached
    def is_head(self) -> np.ndarray:
        return self.official_role == self.head_level

    @year_cached
    def proposed(self) -> np.ndarray:
        """Proposed rating level of each official of the year."""
        return column(self.records, "officials", "proposed_rating")[self.official_rows].astype(np.int8)

    @year_cached
    def official_late_rate(self) -> np.ndarray:
        """Each official's share of late dossiers, as a float for display (NaN: no rate)."""
        return late_rate(*self.official_counts)

    @year_cached
    def official_columns(self) -> dict:
        """The columns of `official_ratings` that no reading changes (ids, names, role, rate)."""
        rows = self.official_rows
        return {
            "official_id": _one_chunk(take_rows(column(self.records, "officials", "official_id"), rows)),
            "full_name": take_rows(column(self.records, "officials", "full_name"), rows),
            "unit_id": column(self.records, "units", "unit_id").take(self.official_unit),
            "role": categorical(self.crit.roles.eras[0].keys, self.official_role),
            "late_rate": self.official_late_rate,
            "proposed_rating": categorical(self.cadre.labels, self.proposed),
        }

    @year_cached
    def official_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """(late, handled) of each official of the year; MISSING where there is no row."""
        idx = self.official_rows
        od_idx = year_rows(self.records, "official_dossiers", self.year)
        if not len(od_idx):
            missing = np.full(len(idx), MISSING, dtype=np.int64)
            return missing, missing.copy()
        c = self.codes
        pos = positions(c["official"][idx], c["official_dossier"][od_idx], c["n_officials"])
        has = pos >= 0
        rows = od_idx[np.where(has, pos, 0)]
        late = np.where(has, column(self.records, "official_dossiers", "late")[rows], MISSING)
        handled = np.where(has, column(self.records, "official_dossiers", "handled")[rows], MISSING)
        return late, handled

    @year_cached
    def party_rows(self) -> np.ndarray:
        """Rows of the party_orgs table in the evaluated year."""
        return year_rows(self.records, "party_orgs", self.year)

    @year_cached
    def party_unit(self) -> np.ndarray:
        return self.codes["party_orgs"][self.party_rows]

    @year_cached
    def party_proposed(self) -> np.ndarray:
        return column(self.records, "party_orgs", "proposed_classification")[self.party_rows].astype(np.int8)

    @cached_property
    def ranking(self) -> reform_ranking.Ranking:
        """The year's units in table order, with their rank in the group."""
        return reform_ranking.ranking(self)

    @cached_property
    def base_band(self) -> np.ndarray:
        """Each unit's band of the year before any cap: from the score, else as recorded."""
        b = self.by_score[:, -1]
        return np.where(b != MISSING, b, self.recorded[:, -1])

    @year_cached
    def party_org_ids(self) -> np.ndarray:
        """Ids of the party organisations of the year."""
        return texts(self.records, "party_orgs", "party_org_id")[self.party_rows]

    @year_cached
    def _official_id_array(self) -> pa.Array:
        ids = self.official_columns["official_id"]
        got = pa.array(ids, type=pa.large_string()) if not isinstance(ids, pa.Array) else ids
        return got.combine_chunks() if isinstance(got, pa.ChunkedArray) else got

    def official_ids(self, officials: np.ndarray) -> pa.Array:
        """Ids of some officials of the year (positions in `official_rows`), as Arrow texts."""
        return self._official_id_array.take(np.asarray(officials, dtype=np.int64))

    @property
    def unit_ids(self) -> np.ndarray:
        return texts(self.records, "units", "unit_id")


def _one_chunk(values):
    """Arrow-backed texts in one chunk (a Parquet file gives one per row group): Arrow's `take`
    on several chunks of texts first joins them, a copy of a million ids for every take."""
    if not isinstance(values, pd.arrays.ArrowStringArray):
        return values
    got = pa.array(values)
    if not isinstance(got, pa.ChunkedArray) or got.num_chunks <= 1:
        return values
    return pd.array(got.combine_chunks(), dtype=values.dtype)


def build_context(records: Records, year: int, crit: Criteria) -> YearContext:
    """The context of `year`: matrices from the earliest year a streak can look back to."""
    Y = int(year)
    _check_year(records, Y)
    codes = _codes(records)
    head_level = crit.roles.eras[0].level_of_key("head")
    cache = records.__dict__.setdefault("_year_cache", {})
    if (Y, "matrices") not in cache:  # the records' own numbers: the same for every what-if
        cache[(Y, "matrices")] = _records_matrices(records, codes, Y, head_level)
    years, head_rows, score, recorded, late, handled = cache[(Y, "matrices")]
    is_past = (years < Y)[None, :]
    in_force = np.array([crit.in_force(int(y)) for y in years], dtype=bool)
    by_score, late_fired, band = reform_ranking.unit_bands(
        score, recorded, late, handled, is_past, in_force[None, :], crit
    )
    return YearContext(
        year=Y,
        crit=crit,
        records=records,
        codes=codes,
        years=years,
        score=score,
        recorded=recorded,
        late=late,
        handled=handled,
        by_score=by_score,
        late_fired=late_fired,
        band=band,
        bands=crit.bands,
        cadre=_scale(crit, "cadre", Y),
        party=_scale(crit, "party_org", Y),
        head_level=head_level,
        head_rows=head_rows,
        in_force=bool(in_force[-1]),
        countable=in_force | bool(crit["streak_counts_years_before_force"]),
    )


FAMILY_WORDS = {"cadre": "xếp loại cán bộ, công chức, viên chức", "party_org": "xếp loại tổ chức cơ sở đảng"}


def _scale(crit: Criteria, family: str, year: int) -> Scale:
    """The scale of `family` in force in `year`; a year outside every span is refused."""
    scales = crit.scales(family)
    era = scales.find(year)
    if era is None:
        where = Path(crit.source).name
        raise ValidationError(
            [
                Problem(
                    where,
                    None,
                    "year",
                    str(year),
                    f"năm {year} nằm ngoài các thang {FAMILY_WORDS[family]} mà tệp tiêu chí quy định "
                    f"({scales.spans()}); cần bổ sung thang của năm đó vào tệp tiêu chí",
                )
            ]
        )
    return era


def _records_matrices(records: Records, codes: dict, Y: int, head_level: int) -> tuple:
    """(years, head rows, score, recorded band, late, handled): what the records say up to Y."""
    rr_years = column(records, "reform_results", "year")
    off_years = column(records, "officials", "year")
    head_rows = np.flatnonzero((off_years <= Y) & (column(records, "officials", "role") == head_level))
    starts = [Y]
    if (rr_years <= Y).any():
        starts.append(int(rr_years[rr_years <= Y].min()))
    if len(head_rows):
        starts.append(int(off_years[head_rows].min()))
    years = np.arange(min(starts), Y + 1)
    score, recorded = _matrix(records, codes, "reform_results", ("score_cents", "band"), years)
    late, handled = _matrix(records, codes, "unit_dossiers", ("late", "handled"), years)
    return years, head_rows, score, recorded.astype(np.int8), late, handled


def _matrix(records: Records, codes: dict, table: str, columns, years: np.ndarray) -> list[np.ndarray]:
    """(unit × year) matrices of some columns of a table keyed by (year, unit_id)."""
    yrs = column(records, table, "year")
    y0, Y = int(years[0]), int(years[-1])
    keep = (yrs >= y0) & (yrs <= Y)
    rows, cols = codes[table][keep], yrs[keep] - y0
    out = []
    for name in columns:
        m = np.full((len(records.units), len(years)), MISSING, dtype=np.int64)
        m[rows, cols] = column(records, table, name)[keep]
        out.append(m)
    return out


def _check_year(records: Records, year: int) -> None:
    """What evaluating `year` needs; `load_records(..., year=)` checks it in its own pass."""
    checked = records.__dict__.setdefault("_checked_years", set())
    if year in checked:
        return
    frames = {t: records.table(t) for t in TABLE_NAMES}
    problems = year_problems(frames, records.sources, year, records.origin)
    if problems:
        raise ValidationError(problems)
    checked.add(year)


def _codes(records: Records) -> dict:
    """Integer keys of the records, computed once per Records object (a what-if reuses them)."""
    cache = records.__dict__.get("_codes")
    if cache is None:
        cache = {}
        frames = [records.table(t)["unit_id"] for t in UNIT_TABLES]
        for t, c in zip(UNIT_TABLES, unit_codes(records.units["unit_id"], *frames), strict=True):
            cache[t] = c
        (off, od), n = encode(records.officials["official_id"], records.official_dossiers["official_id"])
        cache["official"], cache["official_dossier"], cache["n_officials"] = off, od, n
        records.__dict__["_codes"] = cache
    return cache
