"""The validated records: typed frames, their sources and what the run should say about them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .problems import Problem, ValidationError
from .read import read_table
from .schema import EXTRA_TABLES, TABLE_NAMES
from .sources import Files, Source


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
            df = read_table(src, Files(), problems)
            if problems:
                raise ValidationError(problems)
            cache[name] = df
        return cache[name]

    def years(self) -> list[int]:
        ys = set(self.reform_results["year"].unique()) | set(self.officials["year"].unique())
        return sorted(int(y) for y in ys)

    def replace(self, **tables) -> Records:
        """A copy with some tables replaced (for a scenario's corrected records)."""
        kw = {n: getattr(self, n) for n in TABLE_NAMES}
        kw.update(tables)
        return Records(
            **kw,
            present=self.present | frozenset(tables),
            sources=self.sources,
            notes=list(self.notes),
            input_sha256=self.input_sha256,
            origin=self.origin,
        )
