"""A problem with the input, as a clerk would need to find and fix it, and how problems are listed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .schema import EXTRA_TABLES, MAX_ROWS_PER_PROBLEM, SCHEMAS, TABLE_NAMES

if TYPE_CHECKING:
    from .files import Source


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, as a clerk would need to find and fix it."""

    where: str  # the file (and sheet) as the user knows it
    row: int | None
    column: str | None
    value: str | None
    expected: str

    @classmethod
    def of_file(cls, where: str, expected: str) -> Problem:
        """A problem with a whole file or sheet (no row, column or value)."""
        return cls(where, None, None, None, expected)

    def message(self) -> str:
        parts = [self.where]
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column is not None:
            parts.append(f"cột {self.column}")
        head = ", ".join(parts)
        if self.value is not None:
            return f"{head}: giá trị «{self.value}» — {self.expected}"
        return f"{head}: {self.expected}"


class ValidationError(ValueError):
    """The input cannot be evaluated; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.problems)
        lines = [f"Dữ liệu đầu vào có {n} lỗi; chưa ghi kết quả nào:"]
        lines += [f"  - {p.message()}" for p in self.problems]
        return "\n".join(lines)


class Collector:
    """Problems of one file: at most MAX_ROWS_PER_PROBLEM rows per column and kind, then a count.

    Values are materialised only for the rows that are reported, so a million good rows cost
    nothing here and a million bad ones make one readable line plus twenty.
    """

    def __init__(self, problems: list[Problem], where: str, rows: np.ndarray):
        self.problems = problems
        self.where = where
        self.rows = rows

    def add(self, column, values, expected, mask, rows=None):
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        rows = self.rows if rows is None else rows
        shown = idx[:MAX_ROWS_PER_PROBLEM]
        if values is None:
            vals = [None] * len(shown)
        elif isinstance(values, pd.Series):
            vals = [str(v) for v in values.iloc[shown].tolist()]
        else:
            vals = [str(v) for v in np.asarray(values, dtype=object)[shown]]
        for i, v in zip(shown, vals, strict=True):
            self.problems.append(Problem(self.where, int(rows[i]), column, v, expected))
        if len(idx) > MAX_ROWS_PER_PROBLEM:
            self.problems.append(
                Problem(
                    self.where,
                    None,
                    column,
                    None,
                    f"… và {len(idx) - MAX_ROWS_PER_PROBLEM:,} dòng khác có cùng lỗi ({expected})".replace(
                        ",", "."
                    ),
                )
            )


def sorted_problems(problems: list[Problem], sources: dict[str, Source]) -> list[Problem]:
    """Files in the order of the tables; in a file, file-level problems first, then by row and column."""
    table_order = {src.where: (*TABLE_NAMES, *EXTRA_TABLES).index(t) for t, src in sources.items()}
    col_order: dict[tuple[str, str], int] = {}
    for t, src in sources.items():
        for i, c in enumerate(SCHEMAS.get(t, ())):
            col_order[(src.where, c.name)] = i

    def key(p: Problem):
        summary = p.row is None and p.expected.startswith("…")  # "… and N more rows": last
        return (
            table_order.get(p.where, -1),
            p.where,
            2 if summary else p.row is not None,
            p.row or 0,
            col_order.get((p.where, p.column or ""), 99),
        )

    seen, out = set(), []
    for p in sorted(problems, key=key):
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out
