"""A table held as its columns until someone reads it as a DataFrame.

The engine's tables are built from arrays; a what-if evaluates and compares without reading
most of them, and pandas costs ~0.5 ms per DataFrame whatever its size (more than most rules
on the embedded sample). `Evaluation` keeps its tables as `Columns` and builds each DataFrame
the first time it is read (`scoring.evaluation`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd


class Columns:
    """A table held as its columns (the arrays a DataFrame of it would hold), built into a
    DataFrame the first time it is read.

    A column may be given as a function of no arguments that makes it (a text column worded
    or converted for pandas): it is called when the column or the table is first read. A
    what-if evaluates and compares without reading most tables or columns: `compare` and the
    rules read the arrays they need (`Evaluation.column`); the DataFrame, once built, is the
    table (what a reader may modify), and the arrays are not read again. Arrays named in
    `arrays` but not in `names` are held beside the table, not part of it.
    """

    __slots__ = ("arrays", "names", "frame")

    def __init__(self, arrays: dict[str, Any], names: list[str] | None = None):
        self.arrays = arrays
        self.names = list(arrays) if names is None else names
        self.frame: pd.DataFrame | None = None

    def __len__(self) -> int:
        return len(self.get(self.names[0])) if self.names else 0

    def get(self, name: str):
        """One column (or held array), made now if it was given as a function."""
        got = self.arrays[name]
        if callable(got):
            got = self.arrays[name] = got()
        return got

    def build(self) -> pd.DataFrame:
        if self.frame is None:
            self.frame = pd.DataFrame({n: self.get(n) for n in self.names}, columns=self.names, copy=False)
        return self.frame

    def __reduce__(self):
        # a copy or pickle of a held table is its DataFrame (functions and parts stay behind)
        return (_frame, (self.build(),))


def _frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame
