"""Consecutive-year runs ending at the evaluated year, over whole (subject × year) matrices.

Columns are years in order, the last one the evaluated year. A cell counts toward the run,
is skipped (a year with no result, when the reading lets the run go across it), or breaks it.
No loop over subjects: the run is where no break has yet occurred, walking back in time.
"""

from __future__ import annotations

import numpy as np


def trailing_run(counts: np.ndarray, skips: np.ndarray) -> np.ndarray:
    """Boolean matrix of the cells in the run that ends at the last column.

    `counts[i, t]`: the cell counts toward the run; `skips[i, t]`: neither counts nor breaks.
    Anything else breaks. The last column must count, or the run is empty.
    """
    counts = np.asarray(counts, dtype=bool)
    breaks = ~counts & ~np.asarray(skips, dtype=bool)
    alive = np.cumsum(breaks[:, ::-1], axis=1)[:, ::-1] == 0
    run = alive & counts
    if run.shape[1]:
        run &= counts[:, -1:]
    return run
