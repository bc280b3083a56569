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

    A what-if evaluates and compares without reading most tables: building a DataFrame costs
    pandas ~0.5 ms whatever its size, more than most rules on the sample. `compare` and the
    rules read the arrays themselves (`Evaluation.column`); the DataFrame, once built, is the
    table (what a reader may modify), and the arrays are not read again.
    """

    __slots__ = ("arrays", "names", "frame")

    def __init__(self, arrays: dict[str, Any], names: list[str] | None = None):
        self.arrays = arrays
        self.names = list(arrays) if names is None else names
        self.frame: pd.DataFrame | None = None

    def __len__(self) -> int:
        return len(next(iter(self.arrays.values()))) if self.arrays else 0

    def build(self) -> pd.DataFrame:
        if self.frame is None:
            self.frame = pd.DataFrame(self.arrays, columns=self.names, copy=False)
        return self.frame
