"""The validated records: typed frames, their sources and what the run should say about them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .files import Files, Source
from .problems import Problem, ValidationError
from .read import read_table
from .schema import EXTRA_TABLES, TABLE_NAMES

# The loader's own reading (SPEC §2): how a score from a binary format is read.
DIGITS = "binary_score_significant_digits"


@dataclass
class Records:
    """Validated input: typed frames, their sources and what the run should say about them.

    Label columns hold level codes (int8, 0 the best, -1 blank); `*_other_era` flags a label
    read through another era's scale. Every frame keeps `row`, the row as seen in its file.
    """

    units: pd.DataFrame
    reform_results: pd.DataFrame
    unit_dossiers: pd.DataFrame
    officials: pd.DataFrame
    official_dossiers: pd.DataFrame
    party_orgs: pd.DataFrame
    present: frozenset[str]
    sources: dict[str, Source] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    input_sha256: dict[str, str] = field(default_factory=dict)
    origin: str = ""

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    def raw_table(self, name: str) -> pd.DataFrame | None:
        """An optional table of EXTRA_TABLES as written: text columns under the header's own
        names and `__row__`, the row as seen in the file; None when the data has no such table.

        Raises `ValidationError` when the file cannot be read (its producer validates the cells).
        """
        if name not in EXTRA_TABLES:
            raise KeyError(name)
        src = self.sources.get(name)
        if src is None:
            return None
        cache = self.__dict__.setdefault("_raw", {})
        if name not in cache:
            problems: list[Problem] = []
            df = read_table(src, Files(), problems, self.read_digits())
            if problems:
                raise ValidationError(problems)
            cache[name] = df
        return cache[name]

    def read_digits(self) -> int | None:
        """The reading `binary_score_significant_digits` these records were read with."""
        if "_read_digits" not in self.__dict__:
            from ..criteria import load_criteria

            self.__dict__["_read_digits"] = load_criteria()[DIGITS]
        return self.__dict__["_read_digits"]

    def with_readings(self, criteria) -> Records:
        """These records, or the same data read again when `criteria` read binary scores otherwise.

        A what-if that switches `binary_score_significant_digits` changes what the files say, so
        it reads them again (only when a spreadsheet or Parquet file is among them).
        """
        binary = any(s.path.suffix.lower() != ".csv" for t, s in self.sources.items() if t in TABLE_NAMES)
        if not binary or not self.origin or criteria[DIGITS] == self.read_digits():
            return self
        from .load import load_records

        return load_records(self.origin, criteria)

    def year_notes(self, year: int) -> list[str]:
        """What the run must say about `year` (optional tables without it, units without a result).

        `load_records(..., year=Y)` adds these to `notes`; for another year, call this.
        """
        from .years import year_notes

        return year_notes(
            {t: self.table(t) for t in TABLE_NAMES if t in self.present}, self.sources, int(year)
        )

    def years(self) -> list[int]:
        ys = set(self.reform_results["year"].unique()) | set(self.officials["year"].unique())
        return sorted(int(y) for y in ys)

    def replace(self, **tables) -> Records:
        """A copy with some tables replaced (for a scenario's corrected records)."""
        kw = {n: getattr(self, n) for n in TABLE_NAMES}
        kw.update(tables)
        new = Records(
            **kw,
            present=self.present | frozenset(tables),
            sources=self.sources,
            notes=list(self.notes),
            input_sha256=self.input_sha256,
            origin=self.origin,
        )
        if "_read_digits" in self.__dict__:
            new.__dict__["_read_digits"] = self.__dict__["_read_digits"]
        return new
