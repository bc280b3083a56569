"""Label folding and ordered scales.

SPEC §2: labels are matched after Unicode NFC normalisation, case folding, and folding of
whitespace and punctuation ("Trong sạch vững mạnh" = "Trong sạch, vững mạnh"), with the usual
abbreviations as aliases. Levels are integers, 0 the best; "capped below X" is a maximum of
level numbers. Folding is done once per distinct value, so a million rows cost a few hundred
distinct look-ups.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MISSING = -1  # level code of a blank label

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: object) -> str:
    """The matching key of a label: NFC, case-folded, punctuation and spacing folded."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    s = unicodedata.normalize("NFC", str(text)).casefold()
    s = unicodedata.normalize("NFC", s)
    return _NON_WORD.sub(" ", s).strip()


@dataclass(frozen=True)
class Scale:
    """One dated, ordered scale: levels best first, each with a printed label and aliases."""

    family: str
    id: str
    source: str
    valid_from: int | None
    valid_to: int | None
    keys: tuple[str, ...]
    labels: tuple[str, ...]
    lookup: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    meta: dict = field(default_factory=dict, compare=False, repr=False)  # the era's other keys

    def holds(self, year: int) -> bool:
        return (self.valid_from is None or year >= self.valid_from) and (
            self.valid_to is None or year <= self.valid_to
        )

    def level_of_key(self, key: str) -> int:
        return self.keys.index(key)

    def label(self, level: int) -> str:
        return self.labels[level] if level >= 0 else ""

    @property
    def span(self) -> str:
        """'2018–2022', 'từ 2023', 'đến 2019': the years the scale covers, in words."""
        if self.valid_from is not None and self.valid_to is not None:
            return f"{self.valid_from}–{self.valid_to}"
        if self.valid_from is not None:
            return f"từ {self.valid_from}"
        return f"đến {self.valid_to}" if self.valid_to is not None else "mọi năm"

    @classmethod
    def build(cls, family, id, source, valid_from, valid_to, levels, meta=None) -> Scale:
        keys = tuple(lv["key"] for lv in levels)
        labels = tuple(lv["label"] for lv in levels)
        lookup: dict[str, int] = {}
        for i, lv in enumerate(levels):
            for name in [lv["label"], lv["key"], *lv.get("aliases", [])]:
                lookup.setdefault(fold(name), i)
        return cls(family, id, source, valid_from, valid_to, keys, labels, lookup, dict(meta or {}))


@dataclass(frozen=True)
class DatedScales:
    """All eras of one family (cadre ratings, party classifications, bands, roles)."""

    family: str
    eras: tuple[Scale, ...]

    def for_year(self, year: int) -> Scale:
        era = self.find(year)
        if era is None:
            raise KeyError(f"no {self.family} scale in force in {year}")
        return era

    def find(self, year: int) -> Scale | None:
        """The scale in force in `year`, or None when the year is outside every span."""
        for era in self.eras:
            if era.holds(int(year)):
                return era
        return None

    def spans(self) -> str:
        """'Nghị định 56/2015/NĐ-CP (2015–2019); …': what the criteria cover, in words."""
        return "; ".join(f"{era.source} ({era.span})" for era in self.eras)

    def accepted(self, year: int) -> list[str]:
        return list(self.for_year(year).labels)


@dataclass
class Parsed:
    """The result of reading a column of labels: level codes and what needs saying."""

    levels: np.ndarray  # int8, MISSING where blank or unknown
    unknown: np.ndarray  # bool, a non-blank label that no era knows
    other_era: np.ndarray  # bool, a label read through another era's scale


def parse_labels(values: pd.Series, years: np.ndarray | None, scales: DatedScales) -> Parsed:
    """Read labels against the scale in force in each row's year, then the other eras.

    A label of another era is read as the level it has in its own scale (SPEC §2); the
    caller prints it with the evaluated year's label and says so.
    """
    n = len(values)
    codes, uniques = pd.factorize(values.astype("object").where(values.notna(), ""), sort=False)
    folded = [fold(u) for u in uniques]
    levels = np.full(n, MISSING, dtype=np.int8)
    unknown = np.zeros(n, dtype=bool)
    other = np.zeros(n, dtype=bool)
    if years is None:
        years = np.zeros(n, dtype=np.int64)
        eras_by_year = {0: scales.eras[0]}
    else:
        # a year outside every span has no scale of its own: every era's reading is "other"
        eras_by_year = {int(y): scales.find(int(y)) for y in np.unique(years)}
    for y, era in eras_by_year.items():
        in_year = years == y
        if era is None:
            own = np.full(len(folded), MISSING, dtype=np.int8)
        else:
            own = np.array([era.lookup.get(f, MISSING) for f in folded], dtype=np.int8)
        alt = np.full(len(folded), MISSING, dtype=np.int8)
        for other_era in scales.eras:
            if other_era is era:
                continue
            got = np.array([other_era.lookup.get(f, MISSING) for f in folded], dtype=np.int8)
            alt = np.where(alt == MISSING, got, alt)
        blank = np.array([f == "" for f in folded], dtype=bool)
        lv = np.where(own != MISSING, own, alt)
        row_codes = codes[in_year]
        levels[in_year] = lv[row_codes]
        other[in_year] = ((own == MISSING) & (alt != MISSING))[row_codes]
        unknown[in_year] = ((lv == MISSING) & ~blank)[row_codes]
    return Parsed(levels, unknown, other)
