"""The index's input tables, read and validated: `criterion_scores` and `survey_results` (SPEC §3).

    criterion_scores: year, unit_id, item_id, self_points (may be blank), appraised_points
    survey_results:   year, unit_id, item_id, respondents, satisfied — or points with respondents

The loader hands them over as written (`Records.raw_table`: text columns, `__row__` the row as
seen in the file, `attrs["decimal_comma"]`); they are checked here in the project's message
style (file, row, column, value, what was expected), every problem in one pass:

- the columns: a required one missing (with the likely misspelling), `satisfied` and `points`
  both missing;
- cells: a year that is not an integer in 1900–2100; a blank unit or item id; points that are
  not a non-negative number with at most two decimals, or above the item's maximum; respondents
  that are not a positive integer; satisfied above respondents; satisfied and points that
  disagree;
- references: a unit `units` does not list; an item the year's structure does not have, or one
  entered in the wrong table (a survey item in `criterion_scores`);
- keys: a (year, unit, item) twice;
- completeness: a unit with any points in a year must have appraised points for every appraised
  (and published) item of that year's structure. Survey items may be missing: the index is then
  rescaled over what was surveyed (reading `rescale_without_survey`).

Which structure a year uses: among the structures whose years cover it (`criteria/index/`),
the one whose items the data name. Two that fit equally are an error, never a silent choice.

Every sample load runs this, so it works on whole arrays (docs/index.md, "Speed"): each column
is factorized once and its cells parsed once per distinct text; every check is a mask over all
rows; messages are made only for the rows reported; the result keeps units and items as codes.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cached_property
from types import SimpleNamespace

import numpy as np
import pandas as pd

from ..labels import fold
from ..records import MAX_ROWS_PER_PROBLEM, Problem, Records, ValidationError
from .structure import METHOD_WORDS, Structure, _vn_points

TABLES = ("criterion_scores", "survey_results")
COLUMNS = {
    "criterion_scores": ("year", "unit_id", "item_id", "self_points", "appraised_points"),
    "survey_results": ("year", "unit_id", "item_id", "respondents", "satisfied", "points"),
}
REQUIRED = {
    "criterion_scores": ("year", "unit_id", "item_id", "appraised_points"),
    "survey_results": ("year", "unit_id", "item_id", "respondents"),
}
KEY = ("year", "unit_id", "item_id")
CENTS_COLUMN = {"appraised_points": "appraised_cents", "self_points": "self_cents", "points": "points_cents"}
# The values each table keeps beside year, unit, item and row (-1 where not given).
VALUES = {
    "criterion_scores": ("self_cents", "appraised_cents"),
    "survey_results": ("respondents", "satisfied", "points_cents"),
}
POINTS_HINT = "cần số điểm không âm, tối đa 2 chữ số thập phân (ví dụ 1,75)"
FIRST_YEAR, LAST_YEAR = 1900, 2100


@dataclass
class Points:
    """The validated points of every year; `structures[year]` is the year's structure.

    `rows[table]` holds one array per column over the table's valid rows: `year`, `unit` (a code
    into `unit_ids`, sorted, the same in both tables), `item` (a code into `item_ids`), the
    values of VALUES (hundredths or counts; -1 where not given) and `row` (as seen in the file).
    """

    rows: dict[str, dict[str, np.ndarray]]
    unit_ids: np.ndarray  # object: the units with points, sorted
    item_ids: np.ndarray  # object: the items named, sorted
    structures: dict[int, Structure] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # table -> file as the user knows it

    def years(self) -> list[int]:
        return sorted(self.structures)

    def pairs(self, year: int) -> set[str]:
        """The units with appraised points in `year`."""
        a = self.rows["criterion_scores"]
        return set(self.unit_ids[np.unique(a["unit"][a["year"] == year])].tolist())

    def slots(self, table: str) -> np.ndarray:
        """Each row's year as its position in `years()`."""
        cache = self.__dict__.setdefault("_slots", {})
        if table not in cache:
            year, years = self.rows[table]["year"], np.array(self.years(), dtype=np.int64)
            if len(years) == 1:  # one year: no look-up
                cache[table] = np.zeros(len(year), dtype=np.int64)
            else:
                at = np.full(LAST_YEAR - FIRST_YEAR + 1, -1, dtype=np.int64)
                at[years - FIRST_YEAR] = np.arange(len(years))
                cache[table] = at[year - FIRST_YEAR]
        return cache[table]

    def in_year(self, table: str, year: int) -> dict[str, np.ndarray]:
        """The columns of `table` over its rows of `year`."""
        t = self.rows[table]
        hit = t["year"] == year
        return {k: v[hit] for k, v in t.items()}

    def leaf_positions(self, s: Structure) -> np.ndarray:
        """For each item code, its position among `s.leaves` (-1 where `s` has no such leaf)."""
        cache = self.__dict__.setdefault("_leaf_positions", {})
        if s.id not in cache:
            pos = {i.id: k for k, i in enumerate(s.leaves)}
            cache[s.id] = np.array([pos.get(i, -1) for i in self.item_ids], dtype=np.int64)
        return cache[s.id]

    def _frame(self, table: str) -> pd.DataFrame:
        t = self.rows[table]
        ids = {"unit_id": self.unit_ids[t["unit"]], "item_id": self.item_ids[t["item"]]}
        cols = {"year": t["year"], **{k: pd.array(v, dtype="str") for k, v in ids.items()}}
        return pd.DataFrame({**cols, **{k: t[k] for k in (*VALUES[table], "row")}})

    @cached_property
    def appraisal(self) -> pd.DataFrame:
        """year, unit_id, item_id, self_cents (-1 blank), appraised_cents, row (a table to read)."""
        return self._frame("criterion_scores")

    @cached_property
    def survey(self) -> pd.DataFrame:
        """year, unit_id, item_id, respondents, satisfied (-1), points_cents (-1), row."""
        return self._frame("survey_results")


@dataclass(frozen=True)
class _Col:
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

    def subset(self, keep: np.ndarray) -> _Col:
        return _Col(self.codes[keep], self.texts, self.empty)


def _coded(s: pd.Series) -> _Col:
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
        return _Col(codes.astype(np.int64, copy=False), np.array(list(first), dtype=object), first[""])
    return _Col(remap[codes], np.array(list(first), dtype=object), first[""])


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


class _Report:
    """Problems of one file: the first rows of each kind, then a count of the rest."""

    def __init__(self, problems: list[Problem], where: str, rows: np.ndarray):
        self.problems, self.where, self.rows = problems, where, rows

    def rows_where(self, mask, column: str, values, expected: str) -> None:
        """`values`: None, the column (`_Col`), or `value(i)` for a reported row."""
        hit = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(hit):
            return
        shown = hit[:MAX_ROWS_PER_PROBLEM]
        if values is None:
            vals = [None] * len(shown)
        elif isinstance(values, _Col):  # only the reported cells are materialised
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

    def subset(self, keep: np.ndarray) -> _Report:
        if keep.all():
            return self
        return _Report(self.problems, self.where, self.rows[keep])


def positions(values: pd.Series, keys) -> np.ndarray:
    """Position of each value in `keys` (-1 where absent), by Arrow's hash join: fast on text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.index_in(pa.array(values, type=pa.string()), value_set=pa.array(list(keys), type=pa.string()))
    return np.asarray(found.fill_null(-1), dtype=np.int64)


_CENTS = re.compile(r"^\+?(\d{1,6})(?:[.,](\d{0,2}))?$")
_FLOAT = re.compile(r"^\d{1,6}\.\d{3,}$")


def _cents(col: _Col, binary: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def _per_row(col: _Col, vals: np.ndarray, blank: np.ndarray, bad: np.ndarray):
    """Per-text (value, blank, bad) spread over the rows (masks no text raises stay all false)."""
    n = len(col.codes)
    return tuple(
        a[col.codes] if a.dtype != bool or a.any() else np.zeros(n, dtype=bool) for a in (vals, blank, bad)
    )


_INT = re.compile(r"^\d{1,12}$")
_INT_ZERO = re.compile(r"^(\d{1,12})[.,]0+$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")


def _ints(col: _Col, decimal_comma: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def _columns(df: pd.DataFrame, table: str, report: _Report) -> dict[str, _Col] | None:
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


def _common(cols: dict[str, _Col], report: _Report, units: set[str]) -> tuple[np.ndarray, np.ndarray]:
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
class _Rows:
    """One table's rows as arrays: the year, the unit and item columns, the values, the file's row."""

    year: np.ndarray
    unit: _Col
    item: _Col
    values: dict[str, np.ndarray]
    row: np.ndarray

    def subset(self, keep: np.ndarray) -> _Rows:
        if keep.all():
            return self
        return _Rows(
            self.year[keep],
            self.unit.subset(keep),
            self.item.subset(keep),
            {k: v[keep] for k, v in self.values.items()},
            self.row[keep],
        )


def _typed(raw: pd.DataFrame, table: str, where: str, binary: bool, units: set[str], problems):
    """One table's rows, the mask of those whose cells are valid (each problem reported), and
    its report; or None when unusable."""
    rows = raw["__row__"].to_numpy()
    report = _Report(problems, where, rows)
    cols = _columns(raw, table, report)
    if cols is None:
        return None
    keep = ~np.logical_and.reduce([c.blank() for c in cols.values()])  # blank lines are not records
    if not keep.all():
        cols = {k: v.subset(keep) for k, v in cols.items()}
        rows = rows[keep]
        report = _Report(problems, where, rows)
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
    return _Rows(years, cols["unit_id"], cols["item_id"], values, rows), ok, report


def _survey_cells(cols: dict[str, _Col], report: _Report, ok: np.ndarray, decimal_comma: bool, binary: bool):
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


def _duplicates(rows: _Rows, report: _Report) -> np.ndarray:
    """The rows whose (year, unit, item) is the first of its key; the later ones are reported
    with the first one's row."""
    slot, years = _year_slots(rows.year)
    nu, ni = len(rows.unit.texts), len(rows.item.texts)
    key = (slot * nu + rows.unit.codes) * ni + rows.item.codes
    n = len(key)
    if len(years) * nu * ni > 4 * n + 4096:  # a sparse key space: number the keys densely first
        key = np.unique(key, return_inverse=True)[1].reshape(-1)
    first_at = np.full(int(key.max(initial=-1)) + 1, n, dtype=np.int64)
    np.minimum.at(first_at, key, np.arange(n))
    first = first_at[key] == np.arange(n)
    if not first.all():
        report.each(
            np.flatnonzero(~first),
            "item_id",
            rows.item.text,
            lambda i: (
                "trùng khóa (year, unit_id, item_id) — mỗi mục của một đơn vị chỉ có một dòng mỗi năm; "
                f"đã có ở dòng {int(report.rows[first_at[key[i]]])}"
            ),
        )
    return first


def _year_slots(year: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each row's position among the distinct years, the distinct years in order)."""
    if len(year) and year.min() == year.max():  # one year: no look-up
        return np.zeros(len(year), dtype=np.int64), year[:1].copy()
    present = np.zeros(LAST_YEAR - FIRST_YEAR + 1, dtype=bool)
    present[year - FIRST_YEAR] = True
    return (np.cumsum(present) - 1)[year - FIRST_YEAR], np.flatnonzero(present) + FIRST_YEAR


def _choose(structures, year: int, ids: set[str], forced: Structure | None) -> tuple[Structure | None, str]:
    """The structure of `year` that knows the data's items; or None and why not."""
    pool = [forced] if forced is not None else [s for s in structures if s.covers(year)]
    if forced is not None and not forced.covers(year):
        return (
            None,
            f"bộ chỉ số «{forced.id}» chỉ áp dụng {forced.years_text()}, không áp dụng cho năm {year}",
        )
    if not pool:
        return None, f"không có bộ chỉ số nào (criteria/index/) áp dụng cho năm {year}"
    known = [(len(ids & {i.id for i in s.leaves}), s) for s in pool]
    best = max(k for k, _ in known)
    fit = [s for k, s in known if k == best]
    if len(fit) > 1:
        names = ", ".join(s.id for s in fit)
        return (
            None,
            f"các mã mục của năm {year} khớp với nhiều bộ chỉ số ({names}); hãy chọn một (--structure)",
        )
    return fit[0], ""


def survey_cents(max_cents, satisfied, respondents, decimals):
    """A survey item's points: max × satisfied / respondents, rounded half up to `decimals` (exact;
    `decimals` one number or one per item)."""
    step = 10 ** (2 - decimals)  # hundredths per unit of the last kept decimal
    num = np.asarray(max_cents, dtype=np.int64) * np.asarray(satisfied, dtype=np.int64)
    den = np.asarray(respondents, dtype=np.int64) * step
    return ((2 * num + den) // (2 * den)) * step


def read_points(
    sources_or_records,
    units: set[str],
    structures,
    forced: Structure | None = None,
    problems=None,
    digits: int | None = 15,
):
    """Validated `Points` from the data's optional tables, or None when there are none.

    `sources_or_records` is a `Records` or the loader's `{table: Source}` (then `digits`: the
    significant digits the loader reads a spreadsheet's numbers at); problems are appended
    to `problems` when given (the loader's one pass), else raised as a `ValidationError`.
    """
    own = problems is None
    problems = [] if own else problems
    if isinstance(sources_or_records, Records):
        holder, sources = sources_or_records, sources_or_records.sources
    else:
        sources = sources_or_records
        # Records.raw_table reads `sources` and the digits spreadsheet numbers are read at
        holder = SimpleNamespace(sources=sources, read_digits=lambda: digits)
    if "criterion_scores" not in sources and "survey_results" not in sources:
        return None
    typed, where = {}, {}
    for t in TABLES:
        if t not in sources:
            continue
        try:
            raw = Records.raw_table(holder, t)
        except ValidationError as exc:
            problems += exc.problems
            continue
        src = sources[t]
        where[t] = src.where
        binary = src.path.suffix.lower() in (".xlsx", ".parquet")
        got = _typed(raw, t, src.where, binary, units, problems)
        if got is not None:
            typed[t] = got
    pts = _check_against_structures(typed, where, structures, forced, problems)
    if own and problems:
        raise ValidationError(problems)
    return pts


def _check_against_structures(typed, where, structures, forced, problems) -> Points:
    """The rows left after the cell checks, checked against each year's structure: items, maxima,
    survey agreement, keys and completeness; the valid ones as `Points`."""
    kept = {t: (rows.subset(ok), report.subset(ok)) for t, (rows, ok, report) in typed.items()}
    by_year: dict[int, set] = {}
    for rows, _ in kept.values():
        slot, years = _year_slots(rows.year)
        for k, y in enumerate(years.tolist()):
            named = rows.item.subset(slot == k).used() if len(years) > 1 else rows.item.used()
            by_year.setdefault(y, set()).update(rows.item.texts[named].tolist())
    chosen: dict[int, Structure] = {}
    for y, ids in sorted(by_year.items()):
        s, why = _choose(structures, y, ids, forced)
        if s is None:
            rows, report = next(iter(kept.values()))
            at = report.rows[rows.year == y]
            problems.append(
                Problem(where[next(iter(kept))], int(at.min()) if len(at) else None, "year", str(y), why)
            )
        else:
            chosen[y] = s
    distinct = list({id(s): s for s in chosen.values()}.values())
    struct_of = np.full(LAST_YEAR - FIRST_YEAR + 1, -1, dtype=np.int64)  # year -> its structure
    for y, s in chosen.items():
        struct_of[y - FIRST_YEAR] = next(k for k, x in enumerate(distinct) if x is s)
    checked = {}
    for t, (rows, report) in kept.items():
        keep = np.ones(len(rows.year), dtype=bool)
        of_row = struct_of[rows.year - FIRST_YEAR]
        # one pass per structure (usually one), so each kind of problem is listed once
        for k, s in enumerate(distinct):
            keep &= _check_items(rows, t, of_row == k, s, report)
        keep &= _duplicates(rows, report)
        checked[t] = rows.subset(keep & (of_row >= 0))
    pts = _points(checked, chosen, where)
    _complete(pts, problems)
    return pts


def _check_items(rows: _Rows, table: str, in_year: np.ndarray, s: Structure, report: _Report) -> np.ndarray:
    """The rows of `in_year` (those of structure `s`) whose items exist, sit in the right table
    and stay within their maximum (and the rows of other years)."""
    leaves = {i.id: i for i in s.leaves}
    found = [leaves.get(u) for u in rows.item.texts]
    codes = rows.item.codes
    names = list(METHOD_WORDS)
    method = np.array([names.index(i.method) if i else -1 for i in found], dtype=np.int64)[codes]
    maxes = np.array([i.max_cents if i else 0 for i in found], dtype=np.int64)[codes]
    known = method >= 0
    survey = method == names.index("survey")
    unknown = in_year & ~known
    first = rows.item.text(int(np.argmax(unknown))) if unknown.any() else ""
    report.rows_where(unknown, "item_id", rows.item, _unknown_item(s, table, first))
    wrong = in_year & known & (survey if table == "criterion_scores" else ~survey)
    other = "survey_results" if table == "criterion_scores" else "criterion_scores"
    report.each(
        np.flatnonzero(wrong),
        "item_id",
        rows.item.text,
        lambda i: (
            f"mục này chấm bằng {METHOD_WORDS[names[method[i]]]} theo bộ chỉ số «{s.id}»: ghi vào bảng {other}"
        ),
    )
    ok = ~unknown & ~wrong
    cols = ("appraised_points", "self_points") if table == "criterion_scores" else ("points",)
    for name in cols:
        v = rows.values[CENTS_COLUMN[name]]
        over = in_year & ok & (v > maxes)
        report.rows_where(
            over,
            name,
            lambda i, v=v: f"{_vn_points(v[i])} (tối đa {_vn_points(maxes[i])})",
            "điểm không được lớn hơn điểm tối đa của mục",
        )
        ok &= ~over
    if table == "survey_results":
        ok &= _survey_agrees(rows, in_year & ok, maxes, s.survey_decimals, report)
    return ok | ~in_year


def _unknown_item(s: Structure, table: str, sample: str) -> str:
    wanted = [i.id for i in s.leaves if (i.method == "survey") == (table == "survey_results")]
    close = difflib.get_close_matches(str(sample), wanted, n=1, cutoff=0.6)
    hint = f" (có phải «{close[0]}»?)" if close else ""
    return f"mã mục không có trong bộ chỉ số «{s.id}» ({s.years_text()}){hint}; các mã: {', '.join(wanted[:12])}{' …' if len(wanted) > 12 else ''}"


def _survey_agrees(
    rows: _Rows, mask: np.ndarray, maxes: np.ndarray, decimals: int, report: _Report
) -> np.ndarray:
    sat, n, given = (rows.values[k] for k in ("satisfied", "respondents", "points_cents"))
    both = mask & (sat >= 0) & (given >= 0)
    computed = survey_cents(maxes, np.maximum(sat, 0), np.maximum(n, 1), decimals)
    differ = both & (np.abs(computed - given) > 1)
    report.rows_where(
        differ,
        "points",
        lambda i: f"{_vn_points(given[i])} (tính từ satisfied/respondents: {_vn_points(computed[i])})",
        "điểm không khớp với số người hài lòng / số người được hỏi",
    )
    return ~differ


def _points(checked: dict[str, _Rows], chosen: dict[int, Structure], where: dict) -> Points:
    """`Points` of the checked rows: unit and item texts as codes shared by both tables."""
    unit_ids = sorted({t for r in checked.values() for t in r.unit.texts[r.unit.used()].tolist()})
    item_ids = sorted({t for r in checked.values() for t in r.item.texts[r.item.used()].tolist()})
    at_unit, at_item = {u: k for k, u in enumerate(unit_ids)}, {u: k for k, u in enumerate(item_ids)}
    out = {}
    for t in TABLES:
        r = checked.get(t)
        if r is None:
            out[t] = {c: np.zeros(0, dtype=np.int64) for c in ("year", "unit", "item", *VALUES[t], "row")}
            continue
        unit = np.array([at_unit.get(u, -1) for u in r.unit.texts], dtype=np.int64)[r.unit.codes]
        item = np.array([at_item.get(u, -1) for u in r.item.texts], dtype=np.int64)[r.item.codes]
        out[t] = {"year": r.year, "unit": unit, "item": item, **r.values, "row": r.row}
    return Points(out, np.array(unit_ids, dtype=object), np.array(item_ids, dtype=object), chosen, where)


def _complete(pts: Points, problems: list) -> None:
    """Every unit with points in a year has appraised points for every appraised item."""
    years = list(pts.structures)
    if not years:
        return
    needed = [
        [i.id for i in s.leaves if i.method in ("appraisal", "published")] for s in pts.structures.values()
    ]
    # (year, unit) pairs as one code, years in order and units sorted: the order of the messages
    U = len(pts.unit_ids)
    has = np.zeros(len(years) * U, dtype=bool)
    for t in TABLES:
        has[pts.slots(t) * U + pts.rows[t]["unit"]] = True
    col = np.full((len(years), len(pts.item_ids)), -1, dtype=np.int64)  # item -> position in needed
    for k, ids in enumerate(needed):
        at = {i: j for j, i in enumerate(ids)}
        col[k] = [at.get(i, -1) for i in pts.item_ids]
    a, ka = pts.rows["criterion_scores"], pts.slots("criterion_scores")
    pair = ka * U + a["unit"]
    j = col[ka, a["item"]]
    # the keys are unique by now, so a unit has every needed item when it has as many as needed
    count = np.bincount(pair[j >= 0], minlength=len(has))
    lacking = np.flatnonzero(has & (count < np.repeat([len(n) for n in needed], U)))
    if not len(lacking):
        return
    have = np.zeros((len(lacking), max(len(n) for n in needed)), dtype=bool)
    hit = (j >= 0) & np.isin(pair, lacking)
    have[np.searchsorted(lacking, pair[hit]), j[hit]] = True
    where = pts.where.get("criterion_scores", "criterion_scores")
    for row, p in enumerate(lacking.tolist()):
        k, u = divmod(p, U)
        s, ids = pts.structures[years[k]], needed[k]
        missing = [ids[m] for m in np.flatnonzero(~have[row, : len(ids)]).tolist()]
        shown = ", ".join(missing[:10]) + (f" … ({len(missing)} mục)" if len(missing) > 10 else "")
        problems.append(
            Problem(
                where,
                None,
                "item_id",
                None,
                f"đơn vị {pts.unit_ids[u]} năm {years[k]}: thiếu điểm thẩm định của {shown} (bộ chỉ số «{s.id}» cần "
                "điểm thẩm định cho mọi mục chấm bằng thẩm định)",
            )
        )
