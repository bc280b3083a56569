"""How the rules print what they decide: plain Vietnamese, in the form of the Board's documents.

Shared by the rule modules so that every clause words its outcomes and evidence the same way:
numbers with a decimal comma and a dot between thousands (1.234; 10,67%), levels in «», the
programme's own words for a cap ("không được xếp loại từ «…» trở lên"), subjects by name.
Percentages are computed from the integer counts (rounded half up), never from a float.
"""

from __future__ import annotations

from fractions import Fraction
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..held import Columns
from ..labels import Scale

INT64_HEADROOM = 2**62  # below this, a product of int64 values is exact
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # the text columns of the output tables
SMALL = 2_000  # fewer rows than this are worded in Python; more in Arrow (same text)


# ---------------------------------------------------------------------------------------
# Labels and lists


def labels(scale: Scale, levels: np.ndarray) -> np.ndarray:
    """The printed label of each level ('' for MISSING), as Python strings (any shape)."""
    table = np.array([*scale.labels, ""], dtype=object)
    return table[np.asarray(levels, dtype=np.int64)]  # -1 picks the trailing ""


def label_column(scale: Scale, levels: np.ndarray) -> pd.arrays.ArrowStringArray:
    """The printed label of each level as a text column of an output table."""
    levels = np.asarray(levels, dtype=np.int64)
    table = pa.array([*scale.labels, ""], type=pa.large_string())
    return text_column(table.take(np.where(levels >= 0, levels, len(scale.labels))))


def text_column(values) -> pd.arrays.ArrowStringArray:
    """Texts (Arrow, numpy or a list) as a text column of an output table, without inference."""
    if isinstance(values, pd.api.extensions.ExtensionArray) and values.dtype == TEXT:
        return values
    if not isinstance(values, pa.Array | pa.ChunkedArray):
        values = pa.array(np.asarray(values, dtype=object), type=pa.large_string())
    return pd.array(values, dtype=TEXT)


def coded_texts(texts: np.ndarray, codes: np.ndarray) -> pa.DictionaryArray:
    """Texts given as codes into a few distinct ones, as Arrow (decoded when the table is
    built): a national year's outcomes never become a million Python strings."""
    indices = pa.array(np.asarray(codes, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(texts), type=pa.large_string()))


def table(columns: dict) -> Columns:
    """An output table from columns: texts (object arrays, lists) become Arrow text columns
    without pandas inferring their type; numbers, flags and Arrow columns are kept as they are.
    Held as columns (`scoring.held`): texts are converted, and the DataFrame built, when read."""
    out = {}
    for name, values in columns.items():
        if isinstance(values, np.ndarray) and values.dtype == object or isinstance(values, list):
            values = partial(text_column, values)
        out[name] = values
    return Columns(out)


_DTYPES: dict[tuple, pd.CategoricalDtype] = {}


def categorical(names, codes: np.ndarray) -> pd.Categorical:
    """Labels by level code as a categorical (cheap for a million rows); -1 gives ''."""
    names = list(names)
    cats = tuple(names if "" in names else [*names, ""])
    dtype = _DTYPES.get(cats)
    if dtype is None:  # validating the categories costs more than a small table: once each
        dtype = _DTYPES[cats] = pd.CategoricalDtype(list(cats))
    codes = np.asarray(codes, dtype=np.int64)
    return pd.Categorical.from_codes(np.where(codes >= 0, codes, cats.index("")), dtype=dtype)


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


def run_words(years: str, bands: str) -> str:
    """'2018;2019', 'Trung bình;Yếu' -> 'năm 2018 «Trung bình», năm 2019 «Yếu»'."""
    pairs = zip(years.split(";"), bands.split(";"), strict=True)
    return ", ".join(f"năm {y} «{b}»" for y, b in pairs)


# ---------------------------------------------------------------------------------------
# Numbers


def vn_int(n: int) -> str:
    """12345 -> '12.345': a count as Vietnamese documents write it."""
    return f"{int(n):,}".replace(",", ".")


def vn_decimal(x: Fraction | int | float | str) -> str:
    """10 -> '10', 10.5 -> '10,5': a parameter as people write it, with a decimal comma."""
    f = x if isinstance(x, Fraction) else Fraction(str(x).replace(",", "."))
    if f.denominator == 1:
        return str(f.numerator)
    text = f"{float(f):.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def format_score(x: float) -> str:
    """95.2 -> '95,20' (Vietnamese decimal comma; scores are already exact to 2 decimals)."""
    return f"{x:.2f}".replace(".", ",")


def exact_product(a: np.ndarray, k: int) -> np.ndarray:
    """a × k exactly: in int64 when every product fits, in Python integers otherwise.

    Counts are bounded to 10^12 at load, so late × 100 × 10^d with d up to 6 may pass int64's
    range; the comparison must stay exact whatever the counts.
    """
    a = np.asarray(a, dtype=np.int64)
    top = int(np.abs(a).max()) if a.size else 0
    if top * abs(int(k)) < INT64_HEADROOM:
        return a * int(k)
    return a.astype(object) * int(k)


def rounded_share(late: np.ndarray, handled: np.ndarray, decimals: int) -> np.ndarray:
    """late / handled in percent × 10^decimals, rounded half up, exactly (0 where handled is 0)."""
    safe = np.where(np.asarray(handled) > 0, np.asarray(handled, dtype=np.int64), 1)
    num = exact_product(late, 200 * 10**decimals) + safe  # floor((2·late·100·10^d + h) / 2h)
    return num // (2 * safe)


def _ints(a: np.ndarray) -> pa.Array:
    """Arrow texts of non-negative integers with '.' between thousands: each distinct value is
    written once (counts repeat: a national year has far fewer distinct counts than rows)."""
    values, inverse = np.unique(np.asarray(a, dtype=np.int64), return_inverse=True)
    return pa.array([vn_int(v) for v in values.tolist()], type=pa.string()).take(inverse.ravel())


def _decimals(scaled: np.ndarray, decimals: int) -> pa.Array:
    """Arrow texts of scaled × 10^-decimals with a decimal comma: 1067, 2 -> '10,67'."""
    values, inverse = np.unique(np.asarray(scaled, dtype=np.int64), return_inverse=True)
    return pa.array([_scaled(v, decimals) for v in values.tolist()], type=pa.string()).take(inverse.ravel())


def late_evidence(late: np.ndarray, handled: np.ndarray, words: str, rounding: int | None = None):
    """'30/300 hồ sơ trễ hạn (10,00%), ngưỡng từ 10% trở lên' for each row.

    The share is printed to 2 decimals, rounded half up from the integer counts; with the
    reading `rate_rounding_decimals` the rounded share the comparison used is shown too. A few
    rows are worded in Python, many in Arrow (`late_evidence_arrow`): the same text.
    """
    late = np.asarray(late, dtype=np.int64)
    handled = np.asarray(handled, dtype=np.int64)
    if len(late) >= SMALL:
        return late_evidence_arrow(late, handled, words, rounding)
    shares = rounded_share(late, handled, 2)
    rounded = rounded_share(late, handled, rounding) if rounding is not None else shares
    out = []
    for n_late, n_handled, share, r in zip(
        late.tolist(), handled.tolist(), shares.tolist(), rounded.tolist(), strict=True
    ):
        pct = _scaled(share, 2) + ("" if rounding is None else f"%, làm tròn {_scaled(r, rounding)}")
        out.append(f"{vn_int(n_late)}/{vn_int(n_handled)} hồ sơ trễ hạn ({pct}%), ngưỡng {words}")
    return out


def _scaled(n: int, decimals: int) -> str:
    """1067, 2 -> '10,67': a number held × 10^decimals, with a decimal comma."""
    whole, frac = divmod(int(n), 10**decimals)
    return vn_int(whole) + (f",{frac:0{decimals}d}" if decimals else "")


def late_evidence_arrow(late: np.ndarray, handled: np.ndarray, words: str, rounding: int | None = None):
    """`late_evidence` built in Arrow, for many rows (no Python string per row until written)."""
    pct = _decimals(rounded_share(late, handled, 2).astype(np.int64), 2)
    if rounding is not None:
        shown = _decimals(rounded_share(late, handled, rounding).astype(np.int64), rounding)
        pct = pc.binary_join_element_wise(pct, "%, làm tròn ", shown, "")
    joined = pc.binary_join_element_wise(
        _ints(late), "/", _ints(handled), " hồ sơ trễ hạn (", pct, f"%), ngưỡng {words}", ""
    )
    return pd.array(joined, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


# ---------------------------------------------------------------------------------------
# Caps


def not_above(scale: Scale, cap: int) -> str:
    """The level a cap bars, in the programme's words: '«Tốt»' or 'từ «Hoàn thành tốt …» trở lên'."""
    barred = scale.label(cap - 1)
    return f"«{barred}»" if cap - 1 == 0 else f"từ «{barred}» trở lên"


def capped_words(scale: Scale, before: int, cap: int, what: str = "đề xuất") -> str:
    """'đề xuất «Tốt» hạ xuống «Khá»', or that the level stands as it is."""
    if before < 0:
        return f"chưa có {what}"
    if before >= cap:
        return f"{what} «{scale.label(before)}» giữ nguyên"
    return f"{what} «{scale.label(before)}» hạ xuống «{scale.label(cap)}»"


def by_level(scale: Scale, cap: int, head: str, tail: str = "", what: str = "đề xuất") -> np.ndarray:
    """The outcome for each proposed level: '{head}: đề xuất «…» hạ xuống «…»{tail}'."""
    return np.array(
        [f"{head}: {capped_words(scale, p, cap, what)}{tail}" for p in range(len(scale.labels))], dtype=object
    )


def recommend(outcome: str, unit_name: str) -> str:
    """A consequence for the staff of a central agency, worded as a recommendation (kiến nghị)."""
    return f"Kiến nghị cơ quan quản lý cấp trên của {unit_name} xem xét: {outcome[:1].lower()}{outcome[1:]}"


# ---------------------------------------------------------------------------------------
# Subjects by name


def party_org_names(names: np.ndarray | None, unit_names: np.ndarray) -> np.ndarray:
    """A party organisation's own name, or one after its unit ('Đảng bộ Sở Y tế') when blank."""
    after_unit = np.array([f"Đảng bộ {u}" for u in unit_names], dtype=object)
    if names is None:
        return after_unit
    own = np.asarray(pd.Series(names, dtype=object).fillna("").astype(str).str.strip(), dtype=object)
    return np.where(own != "", own, after_unit)
