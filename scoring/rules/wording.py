"""How the rules print: labels of levels, lists of a run's years, the words of a cap.

Shared by the rule modules so that every clause words its outcomes the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..labels import Scale


def labels(scale: Scale, levels: np.ndarray) -> np.ndarray:
    """The printed label of each level ('' for MISSING)."""
    table = np.array([*scale.labels, ""], dtype=object)
    return table[np.asarray(levels, dtype=np.int64)]  # -1 picks the trailing ""


def categorical(names, codes: np.ndarray) -> pd.Categorical:
    """Labels by level code as a categorical (cheap for a million rows); -1 gives ''."""
    names = list(names)
    cats = names if "" in names else [*names, ""]
    codes = np.asarray(codes, dtype=np.int64)
    return pd.Categorical.from_codes(np.where(codes >= 0, codes, cats.index("")), categories=cats)


def run_lists(run: np.ndarray, values: np.ndarray) -> np.ndarray:
    """';'-joined values of the cells of each row's run, '' where a row has none.

    `values` is a (rows × years) matrix or one value per year. The loop is over the few
    years, not over subjects.
    """
    out = np.full(run.shape[0], "", dtype=object)
    for t in range(run.shape[1]):
        v = values[:, t] if np.ndim(values) == 2 else np.full(run.shape[0], values[t], dtype=object)
        out = np.where(run[:, t], np.where(out == "", v, out + ";" + v), out)
    return out


def capped_words(scale: Scale, before: int, cap: int, what: str) -> str:
    """'tối đa «Khá»: xếp loại «Tốt» → «Khá»', or that the level stands as it is."""
    if before < 0:
        return f"mức tối đa «{scale.label(cap)}» (không có {what})"
    if before >= cap:
        return f"mức tối đa «{scale.label(cap)}»: {what} «{scale.label(before)}» giữ nguyên (không cao hơn mức tối đa)"
    return f"mức tối đa «{scale.label(cap)}»: {what} «{scale.label(before)}» → «{scale.label(cap)}»"


def late_evidence(late: np.ndarray, handled: np.ndarray, words: str):
    """'late=11; handled=100; late_rate=0.110000; ngưỡng > 10%' for each row, built in Arrow.

    The rate is printed from integers (6 decimals, rounded half up), never via a float.
    """
    late = np.asarray(late, dtype=np.int64)
    handled = np.asarray(handled, dtype=np.int64)
    micro = (late * 2_000_000 + handled) // (2 * np.maximum(handled, 1))

    def text(a):
        return pc.cast(pa.array(a), pa.string())

    joined = pc.binary_join_element_wise(
        "late=",
        text(late),
        "; handled=",
        text(handled),
        "; late_rate=",
        text(micro // 1_000_000),
        ".",
        pc.utf8_lpad(text(micro % 1_000_000), 6, "0"),
        f"; ngưỡng {words}",
        "",
    )
    return pd.array(joined, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
