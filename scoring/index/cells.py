"""The cells of the index's tables (`criterion_scores`, `survey_results`): columns found by
name, every cell read and checked, in the project's message style (file, row as seen in the file,
column, value, what was expected). `points.py` then checks the rows against the structures.

Every sample load runs this, so it works on whole arrays (docs/index.md, "Speed"): each column
is dictionary-encoded once (integers by their range) and its cells parsed once per distinct text;
every check is a mask over all rows; messages are made only for the rows reported.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..labels import fold
from ..records import MAX_ROWS_PER_PROBLEM, Problem

TABLES = ("criterion_scores", "survey_results")
COLUMNS = {
    "criterion_scores": ("year", "unit_id", "item_id", "self_points", "appraised_points"),
    "survey_results": ("year", "unit_id", "item_id", "respondents", "satisfied", "points"),
}
REQUIRED = {
    "criterion_scores": ("year", "unit_id", "item_id", "appraised_points"),
    "survey_results": ("year", "unit_id", "item_id", "respondents"),
}
CENTS_COLUMN = {"appraised_points": "appraised_cents", "self_points": "self_cents", "points": "points_cents"}
# The values each table keeps beside year, unit, item and row (-1 where not given).
VALUES = {
    "criterion_scores": ("self_cents", "appraised_cents"),
    "survey_results": ("respondents", "satisfied", "points_cents"),
}
POINTS_HINT = "cần số điểm không âm, tối đa 2 chữ số thập phân (ví dụ 1,75)"
FIRST_YEAR, LAST_YEAR = 1900, 2100


@dataclass(frozen=True)
class Col:
    """A column as codes into its distinct trimmed texts: row i reads `texts[codes[i]]`."""

    codes: np.ndarray  # int64
    texts: np.ndarray  # object, distinct
    empty: int  # the code of "" (a blank cell)

    def take(self, idx) -> list[str]:
        return self.texts[self.codes[np.asarray(idx, dtype=np.int64)]].tolist()

    def text(self, i: int) -> str:
        return str(self.texts[self.codes[i]])

    def blank(self) -> np.ndarray:
        return self.codes == self.empty

    def used(self) -> np.ndarray:
        """The texts some row holds (a mask over `texts`)."""
        out = np.zeros(len(self.texts), dtype=bool)
        out[self.codes] = True
        return out

    def subset(self, keep: np.ndarray) -> Col:
        return Col(self.codes[keep], self.texts, self.empty)


def _coded(s: pd.Series) -> Col:
    """Cells as written, trimmed ("" when blank), factorized; numbers of a Parquet file in the
    shortest form a spreadsheet shows. Each distinct value is formatted and trimmed once."""

    kind = s.dtype.kind
    if kind == "i" and isinstance(s.dtype, np.dtype) and len(s):  # integers without blanks
        codes, texts = _small_ints(s.to_numpy())
    else:
        codes, texts = _encoded(s)
    # one code per trimmed text (two cells that differ only by spaces are the same); a blank
    # cell (code -1) reads the last entry, the code of ""
    first: dict[str, int] = {}
    remap = np.array([first.setdefault(t, len(first)) for t in [*texts, ""]], dtype=np.int64)
    if len(first) == len(remap) and not (codes < 0).any():  # nothing merged, nothing blank
        return Col(codes.astype(np.int64, copy=False), np.array(list(first), dtype=object), first[""])
    return Col(remap[codes], np.array(list(first), dtype=object), first[""])


def _encoded(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(codes, -1 where blank; the distinct texts) by Arrow's dictionary encoding."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = s.dtype.kind
    if kind == "f":
        s = s + 0.0  # -0.0 is 0, as a spreadsheet shows it
    elif kind not in "iu" and s.dtype != "str":
        s = s.astype("str")
    arr = pa.array(s.array, from_pandas=True)  # NaN and NA become null
    enc = pc.dictionary_encode(arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr)
    idx = enc.indices
    codes = idx.to_numpy() if idx.null_count == 0 else np.asarray(idx.fill_null(-1))
    if kind == "f":  # computed points: at 15 significant digits, as a spreadsheet shows them
        return codes, [f"{v:.15g}" for v in enc.dictionary.to_pylist()]
    if kind in "iu":  # as Arrow writes integers
        return codes, enc.dictionary.cast(pa.string()).to_pylist()
    return codes, pc.utf8_trim_whitespace(enc.dictionary).to_pylist()  # what str.strip() does


def _small_ints(v: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(codes, the distinct values as text) of integers; by their range when it is small (years,
    counts: no hashing), else by Arrow."""
    lo, hi = int(v.min()), int(v.max())
    if hi - lo > 4 * len(v) + 4096:
        return _encoded(pd.Series(v))
    present = np.zeros(hi - lo + 1, dtype=bool)
    present[v - lo] = True
    return (np.cumsum(present) - 1)[v - lo], [str(x) for x in (np.flatnonzero(present) + lo).tolist()]


class Report:
    """Problems of one file: the first rows of each kind, then a count of the rest."""

    def __init__(self, problems: list[Problem], where: str, rows: np.ndarray):
        self.problems, self.where, self.rows = problems, where, rows

    def rows_where(self, mask, column: str, values, expected: str) -> None:
        """`values`: None, the column (`Col`), or `value(i)` for a reported row."""
        hit = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(hit):
            return
        shown = hit[:MAX_ROWS_PER_PROBLEM]
        if values is None:
            vals = [None] * len(shown)
        elif isinstance(values, Col):  # only the reported cells are materialised
            vals = values.take(shown)
        else:
            vals = [values(i) for i in shown]
        self.problems += [
            Problem(self.where, int(self.rows[i]), column, None if v is None else str(v), expected)
            for i, v in zip(shown, vals, strict=True)
        ]
        if len(hit) > len(shown):
            rest = f"{len(hit) - len(shown):,}".replace(",", ".")
            self.problems.append(
                Problem(self.where, None, column, None, f"… và {rest} dòng khác có cùng lỗi ({expected})")
            )

    def each(self, hits: np.ndarray, column: str, value, expected) -> None:
        """One problem per hit row (the first ones), with its own value and words: `value(i)`, `expected(i)`."""
        for i in np.asarray(hits)[:MAX_ROWS_PER_PROBLEM]:
            self.problems.append(Problem(self.where, int(self.rows[i]), column, value(i), expected(i)))

    def subset(self, keep: np.ndarray) -> Report:
        if keep.all():
            return self
        return Report(self.problems, self.where, self.rows[keep])


_CENTS = re.compile(r"^\+?(\d{1,6})(?:[.,](\d{0,2}))?$")
_FLOAT = re.compile(r"^\d{1,6}\.\d{3,}$")


def _cents(col: Col, binary: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hundredths, blank, bad) of each cell; parsed once per distinct text.

    A binary source (xlsx, Parquet) shows a computed 0.30000000000000004 as 0,3: its value is
    read at 15 significant digits, as a spreadsheet displays it.
    """
    vals = np.full(len(col.texts), -1, dtype=np.int64)
    blank = np.zeros(len(col.texts), dtype=bool)
    for k, u in enumerate(col.texts):
        u = str(u)
        if binary and _FLOAT.match(u):
            u = f"{float(u):.15g}"
        m = _CENTS.match(u)
        blank[k] = u == ""
        if m:
            vals[k] = int(m.group(1)) * 100 + int((m.group(2) or "").ljust(2, "0"))
    bad = (vals < 0) & ~blank
    return _per_row(col, vals, blank, bad)


def _per_row(col: Col, vals: np.ndarray, blank: np.ndarray, bad: np.ndarray):
    """Per-text (value, blank, bad) spread over the rows (masks no text raises stay all false)."""
    n = len(col.codes)
    return tuple(
        a[col.codes] if a.dtype != bool or a.any() else np.zeros(n, dtype=bool) for a in (vals, blank, bad)
    )


_INT = re.compile(r"^\d{1,12}$")
_INT_ZERO = re.compile(r"^(\d{1,12})[.,]0+$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")


def _ints(col: Col, decimal_comma: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, blank, bad): digits; "12,0"; "1.234" as thousands only in a `;` (Vietnamese) file."""
    vals = np.full(len(col.texts), -1, dtype=np.int64)
    blank = np.zeros(len(col.texts), dtype=bool)
    for k, u in enumerate(col.texts):
        u = str(u)
        blank[k] = u == ""
        if _INT.match(u):
            vals[k] = int(u)
        elif m := _INT_ZERO.match(u):
            vals[k] = int(m.group(1))
        elif decimal_comma and _THOUSANDS.match(u):
            vals[k] = int(u.replace(".", ""))
    bad = (vals < 0) & ~blank
    return _per_row(col, vals, blank, bad)


def _columns(df: pd.DataFrame, table: str, report: Report) -> dict[str, Col] | None:
    """Column name -> trimmed text, matched with case and spacing folded; None when unusable."""
    by_fold: dict[str, int] = {}
    for j, c in enumerate(df.columns):
        if c != "__row__":
            by_fold.setdefault(fold(str(c)), j)
    out, missing = {}, []
    for name in COLUMNS[table]:
        j = by_fold.get(fold(name))
        if j is None:
            if name in REQUIRED[table]:
                missing.append(name)
            continue
        out[name] = _coded(df.iloc[:, j])
    others = [
        str(c) for c in df.columns if c != "__row__" and fold(str(c)) not in {fold(n) for n in COLUMNS[table]}
    ]
    for name in missing:
        close = difflib.get_close_matches(name, others, n=1, cutoff=0.6)
        hint = f"; có cột «{close[0]}» — có phải viết sai tên?" if close else ""
        report.problems.append(
            Problem(
                report.where,
                1,
                name,
                None,
                f"thiếu cột bắt buộc {name} (các cột cần có: {', '.join(REQUIRED[table])}"
                f"; tệp có: {', '.join(others) or 'không có cột nào'}){hint}",
            )
        )
    if table == "survey_results" and "satisfied" not in out and "points" not in out:
        report.problems.append(
            Problem(
                report.where,
                1,
                "satisfied",
                None,
                "cần cột satisfied (số người hài lòng) hoặc cột points (điểm)",
            )
        )
        return None
    return None if missing else out


def _common(cols: dict[str, Col], report: Report, units: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """Year, unit and item checks shared by both tables; returns (years, row is usable)."""
    years, blank, bad = _ints(cols["year"], False)
    bad |= (years >= 0) & ((years < FIRST_YEAR) | (years > LAST_YEAR))
    report.rows_where(blank, "year", None, "cần năm (ví dụ 2018), không được để trống")
    report.rows_where(bad, "year", cols["year"], "cần năm là số nguyên từ 1900 đến 2100 (ví dụ 2018)")
    ok = ~blank & ~bad
    for col, what in (("unit_id", "mã đơn vị"), ("item_id", "mã mục (tiêu chí)")):
        empty = cols[col].blank()
        report.rows_where(empty, col, None, f"cần {what}, không được để trống")
        ok &= ~empty
    u = cols["unit_id"]
    listed = np.array([t == "" or t in units for t in u.texts], dtype=bool)
    unknown = ~listed[u.codes]
    report.rows_where(unknown, "unit_id", u, "mã đơn vị không có trong bảng units")
    ok &= ~unknown
    return years, ok


@dataclass
class Rows:
    """One table's rows as arrays: the year, the unit and item columns, the values, the file's row."""

    year: np.ndarray
    unit: Col
    item: Col
    values: dict[str, np.ndarray]
    row: np.ndarray

    def subset(self, keep: np.ndarray) -> Rows:
        if keep.all():
            return self
        return Rows(
            self.year[keep],
            self.unit.subset(keep),
            self.item.subset(keep),
            {k: v[keep] for k, v in self.values.items()},
            self.row[keep],
        )


def typed_rows(raw: pd.DataFrame, table: str, where: str, binary: bool, units: set[str], problems):
    """One table's rows, the mask of those whose cells are valid (each problem reported), and
    its report; or None when unusable."""
    rows = raw["__row__"].to_numpy()
    report = Report(problems, where, rows)
    cols = _columns(raw, table, report)
    if cols is None:
        return None
    keep = ~np.logical_and.reduce([c.blank() for c in cols.values()])  # blank lines are not records
    if not keep.all():
        cols = {k: v.subset(keep) for k, v in cols.items()}
        rows = rows[keep]
        report = Report(problems, where, rows)
    years, ok = _common(cols, report, units)
    n = len(rows)
    if table == "criterion_scores":
        a, a_blank, a_bad = _cents(cols["appraised_points"], binary)
        report.rows_where(a_blank, "appraised_points", None, "cần điểm thẩm định, không được để trống")
        report.rows_where(a_bad, "appraised_points", cols["appraised_points"], POINTS_HINT)
        ok &= ~a_blank & ~a_bad
        s = np.full(n, -1, dtype=np.int64)
        if "self_points" in cols:
            s, _, s_bad = _cents(cols["self_points"], binary)
            report.rows_where(s_bad, "self_points", cols["self_points"], POINTS_HINT + " hoặc để trống")
            ok &= ~s_bad
        values = {"self_cents": s, "appraised_cents": a}
    else:
        values, ok = _survey_cells(cols, report, ok, raw.attrs.get("decimal_comma", False), binary)
    return Rows(years, cols["unit_id"], cols["item_id"], values, rows), ok, report


def _survey_cells(cols: dict[str, Col], report: Report, ok: np.ndarray, decimal_comma: bool, binary: bool):
    """respondents, satisfied and points of `survey_results`, each checked; (values, ok)."""
    n, n_blank, n_bad = _ints(cols["respondents"], decimal_comma)
    n_bad |= n == 0
    report.rows_where(
        n_blank | n_bad, "respondents", cols["respondents"], "cần số người được hỏi, số nguyên dương"
    )
    ok &= ~n_blank & ~n_bad
    sat = np.full(len(n), -1, dtype=np.int64)
    pts = np.full(len(n), -1, dtype=np.int64)
    given = np.zeros(len(n), dtype=bool)
    if "satisfied" in cols:
        sat, _, s_bad = _ints(cols["satisfied"], decimal_comma)
        report.rows_where(s_bad, "satisfied", cols["satisfied"], "cần số người hài lòng, số nguyên không âm")
        over = (sat > n) & (n > 0)
        report.rows_where(
            over,
            "satisfied",
            cols["satisfied"],
            "số người hài lòng không được lớn hơn số người được hỏi (respondents)",
        )
        ok &= ~s_bad & ~over
        given |= sat >= 0
    if "points" in cols:
        pts, _, p_bad = _cents(cols["points"], binary)
        report.rows_where(p_bad, "points", cols["points"], POINTS_HINT)
        ok &= ~p_bad
        given |= pts >= 0
    report.rows_where(~given & ok, "satisfied", None, "cần số người hài lòng (satisfied) hoặc điểm (points)")
    ok &= given
    return {"respondents": n, "satisfied": sat, "points_cents": pts}, ok
