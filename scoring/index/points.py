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
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
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
POINTS_HINT = "cần số điểm không âm, tối đa 2 chữ số thập phân (ví dụ 1,75)"


@dataclass
class Points:
    """The validated points of every year, in long form; `structures[year]` is the year's structure."""

    appraisal: pd.DataFrame  # year, unit_id, item_id, self_cents (-1 blank), appraised_cents, row
    survey: pd.DataFrame  # year, unit_id, item_id, respondents, satisfied (-1), points_cents (-1), row
    structures: dict[int, Structure] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # table -> file as the user knows it

    def years(self) -> list[int]:
        return sorted(self.structures)

    def pairs(self, year: int) -> set[str]:
        """The units with points in `year`."""
        a = self.appraisal.loc[self.appraisal["year"] == year, "unit_id"]
        return set(a.tolist())


class _Report:
    """Problems of one file: the first rows of each kind, then a count of the rest."""

    def __init__(self, problems: list[Problem], where: str, rows: np.ndarray):
        self.problems, self.where, self.rows = problems, where, rows

    def rows_where(self, mask, column: str, values, expected: str) -> None:
        hit = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(hit):
            return
        shown = hit[:MAX_ROWS_PER_PROBLEM]
        if values is None:
            vals = [None] * len(shown)
        elif isinstance(values, pd.Series):  # only the reported cells are materialised
            vals = values.iloc[shown].tolist()
        else:
            vals = np.asarray(values, dtype=object)[shown]
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

    def file(self, expected: str, column: str | None = None) -> None:
        self.problems.append(Problem(self.where, None, column, None, expected))


def positions(values: pd.Series, keys) -> np.ndarray:
    """Position of each value in `keys` (-1 where absent), by Arrow's hash join: fast on text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.index_in(pa.array(values, type=pa.string()), value_set=pa.array(list(keys), type=pa.string()))
    return np.asarray(found.fill_null(-1), dtype=np.int64)


def _texts(s: pd.Series) -> pd.Series:
    """Cells as written, trimmed ("" when blank), as Arrow-backed text; numbers of a Parquet file
    in the shortest form a spreadsheet shows."""
    if s.dtype.kind in "iu":  # Parquet integers: cast in Arrow, not one Python string per cell
        import pyarrow as pa

        return pd.Series(pd.array(pa.array(s).cast(pa.string()), dtype="str"), index=s.index)
    elif s.dtype.kind == "f":  # formatted once per distinct value (points repeat a lot)
        codes, uniq = pd.factorize(s)
        shown = np.array([f"{v:.15g}" for v in uniq] + [""], dtype=object)
        s = pd.Series(shown[codes], index=s.index, dtype="str")
    elif s.dtype != "str":
        s = s.astype("str")
    return s.fillna("").str.strip()


_CENTS = re.compile(r"^\+?(\d{1,6})(?:[.,](\d{0,2}))?$")
_FLOAT = re.compile(r"^\d{1,6}\.\d{3,}$")


def _cents(text: pd.Series, binary: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hundredths, blank, bad) of each cell; parsed once per distinct value.

    A binary source (xlsx, Parquet) shows a computed 0.30000000000000004 as 0,3: its value is
    read at 15 significant digits, as a spreadsheet displays it.
    """
    codes, uniq = pd.factorize(text)
    vals = np.full(len(uniq), -1, dtype=np.int64)
    blank = np.zeros(len(uniq), dtype=bool)
    for k, u in enumerate(uniq):
        u = str(u)
        if binary and _FLOAT.match(u):
            u = f"{float(u):.15g}"
        m = _CENTS.match(u)
        blank[k] = u == ""
        if m:
            vals[k] = int(m.group(1)) * 100 + int((m.group(2) or "").ljust(2, "0"))
    bad = (vals < 0) & ~blank
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    return vals[codes], blank[codes], bad[codes]


_INT = re.compile(r"^\d{1,12}$")
_INT_ZERO = re.compile(r"^(\d{1,12})[.,]0+$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")


def _ints(text: pd.Series, decimal_comma: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, blank, bad): digits; "12,0"; "1.234" as thousands only in a `;` (Vietnamese) file."""
    codes, uniq = pd.factorize(text)
    vals = np.full(len(uniq), -1, dtype=np.int64)
    blank = np.zeros(len(uniq), dtype=bool)
    for k, u in enumerate(uniq):
        u = str(u)
        blank[k] = u == ""
        if _INT.match(u):
            vals[k] = int(u)
        elif m := _INT_ZERO.match(u):
            vals[k] = int(m.group(1))
        elif decimal_comma and _THOUSANDS.match(u):
            vals[k] = int(u.replace(".", ""))
    bad = (vals < 0) & ~blank
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    return vals[codes], blank[codes], bad[codes]


def _columns(df: pd.DataFrame, table: str, report: _Report) -> dict[str, pd.Series] | None:
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
        out[name] = _texts(df.iloc[:, j])
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


def _common(cols: dict[str, pd.Series], report: _Report, units: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """Year, unit and item checks shared by both tables; returns (years, row is usable)."""
    years, blank, bad = _ints(cols["year"], False)
    bad |= (years >= 0) & ((years < 1900) | (years > 2100))
    report.rows_where(blank, "year", None, "cần năm (ví dụ 2018), không được để trống")
    report.rows_where(bad, "year", cols["year"], "cần năm là số nguyên từ 1900 đến 2100 (ví dụ 2018)")
    ok = ~blank & ~bad
    for col, what in (("unit_id", "mã đơn vị"), ("item_id", "mã mục (tiêu chí)")):
        empty = (cols[col] == "").to_numpy()
        report.rows_where(empty, col, None, f"cần {what}, không được để trống")
        ok &= ~empty
    unknown = (positions(cols["unit_id"], sorted(units)) < 0) & (cols["unit_id"] != "").to_numpy()
    report.rows_where(unknown, "unit_id", cols["unit_id"], "mã đơn vị không có trong bảng units")
    ok &= ~unknown
    return years, ok


def _duplicates(frame: pd.DataFrame, report: _Report) -> np.ndarray:
    later = frame.duplicated(list(KEY), keep="first").to_numpy()
    if later.any():
        first = frame.groupby(list(KEY), sort=False)["row"].transform("first").to_numpy()
        rows = _Report(report.problems, report.where, frame["row"].to_numpy())
        rows.each(
            np.flatnonzero(later),
            "item_id",
            lambda i: str(frame["item_id"].iat[i]),
            lambda i: (
                "trùng khóa (year, unit_id, item_id) — mỗi mục của một đơn vị chỉ có một dòng mỗi năm; "
                f"đã có ở dòng {int(first[i])}"
            ),
        )
    return ~later


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


def _typed(raw: pd.DataFrame, table: str, where: str, binary: bool, units: set[str], problems):
    """One table's typed rows (invalid rows dropped, each reported) or None when unusable."""
    rows = raw["__row__"].to_numpy()
    report = _Report(problems, where, rows)
    cols = _columns(raw, table, report)
    if cols is None:
        return None
    texts = list(cols.values())
    keep = ~np.logical_and.reduce([(t == "").to_numpy() for t in texts])  # blank lines are not records
    if not keep.all():
        cols = {k: v[keep].reset_index(drop=True) for k, v in cols.items()}
        rows = rows[keep]
        report = _Report(problems, where, rows)
    years, ok = _common(cols, report, units)
    out = {"year": years, "unit_id": cols["unit_id"].array, "item_id": cols["item_id"].array}
    if table == "criterion_scores":
        a, a_blank, a_bad = _cents(cols["appraised_points"], binary)
        report.rows_where(a_blank, "appraised_points", None, "cần điểm thẩm định, không được để trống")
        report.rows_where(a_bad, "appraised_points", cols["appraised_points"], POINTS_HINT)
        ok &= ~a_blank & ~a_bad
        s = np.full(len(rows), -1, dtype=np.int64)
        if "self_points" in cols:
            s, _, s_bad = _cents(cols["self_points"], binary)
            report.rows_where(s_bad, "self_points", cols["self_points"], POINTS_HINT + " hoặc để trống")
            ok &= ~s_bad
        out.update(self_cents=s, appraised_cents=a)
    else:
        n, n_blank, n_bad = _ints(cols["respondents"], raw.attrs.get("decimal_comma", False))
        n_bad |= n == 0
        report.rows_where(
            n_blank | n_bad, "respondents", cols["respondents"], "cần số người được hỏi, số nguyên dương"
        )
        ok &= ~n_blank & ~n_bad
        sat = np.full(len(rows), -1, dtype=np.int64)
        pts = np.full(len(rows), -1, dtype=np.int64)
        given = np.zeros(len(rows), dtype=bool)
        if "satisfied" in cols:
            sat, _, s_bad = _ints(cols["satisfied"], raw.attrs.get("decimal_comma", False))
            report.rows_where(
                s_bad, "satisfied", cols["satisfied"], "cần số người hài lòng, số nguyên không âm"
            )
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
        report.rows_where(
            ~given & ok, "satisfied", None, "cần số người hài lòng (satisfied) hoặc điểm (points)"
        )
        ok &= given
        out.update(respondents=n, satisfied=sat, points_cents=pts)
    frame = pd.DataFrame({**out, "row": rows})
    return frame, ok, report


def survey_cents(max_cents, satisfied, respondents, decimals: int):
    """A survey item's points: max × satisfied / respondents, rounded half up to `decimals` (exact)."""
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


def _check_against_structures(typed, where, structures, forced, problems) -> Points | None:
    empty_a = pd.DataFrame(
        {
            c: pd.Series(dtype="int64" if c not in ("unit_id", "item_id") else object)
            for c in ("year", "unit_id", "item_id", "self_cents", "appraised_cents", "row")
        }
    )
    empty_s = pd.DataFrame(
        {
            c: pd.Series(dtype="int64" if c not in ("unit_id", "item_id") else object)
            for c in ("year", "unit_id", "item_id", "respondents", "satisfied", "points_cents", "row")
        }
    )
    # the rows left after the cell checks, each reported at its own row of the file
    frames = {
        t: (f[ok].reset_index(drop=True), _Report(rep.problems, rep.where, rep.rows[ok]))
        for t, (f, ok, rep) in typed.items()
    }
    by_year: dict[int, set] = {}
    for f, _ in frames.values():
        for y, ids in f.groupby("year")["item_id"].unique().items():
            by_year.setdefault(int(y), set()).update(ids)
    chosen: dict[int, Structure] = {}
    for y, ids in sorted(by_year.items()):
        s, why = _choose(structures, y, ids, forced)
        if s is None:
            t = next(iter(frames))
            rows = frames[t][0].loc[frames[t][0]["year"] == y, "row"]
            problems.append(Problem(where[t], int(rows.min()) if len(rows) else None, "year", str(y), why))
        else:
            chosen[y] = s
    checked = {}
    for t, (f, report) in frames.items():
        keep = np.ones(len(f), dtype=bool)
        codes, uniq = pd.factorize(f["item_id"])
        # one pass per structure (usually one), so each kind of problem is listed once
        for s in {id(s): s for s in chosen.values()}.values():
            years = [y for y, x in chosen.items() if x is s]
            keep &= _check_items(f, codes, uniq, t, years, s, report)
        keep &= _duplicates(f, report)
        checked[t] = f[keep & f["year"].isin(list(chosen)).to_numpy()].reset_index(drop=True)
    a = checked.get("criterion_scores", empty_a)
    sv = checked.get("survey_results", empty_s)
    _complete(a, sv, chosen, where, problems)
    return Points(a, sv, chosen, where)


def _shown(mask: np.ndarray, make) -> np.ndarray:
    """Cell texts for the reported rows only (the others stay empty): `make(i)` for each hit."""
    out = np.full(len(mask), "", dtype=object)
    for i in np.flatnonzero(mask)[:MAX_ROWS_PER_PROBLEM]:
        out[i] = make(i)
    return out


def _check_items(
    f: pd.DataFrame, codes, uniq, table: str, years: list[int], s: Structure, report: _Report
) -> np.ndarray:
    """The rows of `years` (those of structure `s`) whose items exist, sit in the right table and
    stay within their maximum."""
    in_year = f["year"].isin(years).to_numpy()
    leaves = {i.id: i for i in s.leaves}
    ids = f["item_id"]
    found = [leaves.get(u) for u in uniq]
    known = np.array([i is not None for i in found] + [False], dtype=bool)[codes]
    unknown = in_year & ~known
    report.rows_where(unknown, "item_id", ids, _unknown_item(s, table, ids[unknown]))
    method = np.array([i.method if i else "" for i in found] + [""], dtype=object)[codes]
    maxes = np.array([i.max_cents if i else 0 for i in found] + [0], dtype=np.int64)[codes]
    wrong = in_year & known & ((method == "survey") if table == "criterion_scores" else (method != "survey"))
    other = "survey_results" if table == "criterion_scores" else "criterion_scores"
    rows = _Report(report.problems, report.where, f["row"].to_numpy())
    rows.each(
        np.flatnonzero(wrong),
        "item_id",
        lambda i: str(ids.iat[i]),
        lambda i: (
            f"mục này chấm bằng {METHOD_WORDS[method[i]]} theo bộ chỉ số «{s.id}»: ghi vào bảng {other}"
        ),
    )
    ok = ~unknown & ~wrong
    cols = ("appraised_points", "self_points") if table == "criterion_scores" else ("points",)
    for name in cols:
        v = f[CENTS_COLUMN[name]].to_numpy()
        over = in_year & ok & (v > maxes)
        text = _shown(over, lambda i, v=v: f"{_vn_points(v[i])} (tối đa {_vn_points(maxes[i])})")
        report.rows_where(over, name, text, "điểm không được lớn hơn điểm tối đa của mục")
        ok &= ~over
    if table == "survey_results":
        ok &= _survey_agrees(f, in_year & ok, maxes, s.survey_decimals, report)
    return ok | ~in_year


def _unknown_item(s: Structure, table: str, ids: pd.Series) -> str:
    wanted = [i.id for i in s.leaves if (i.method == "survey") == (table == "survey_results")]
    sample = ids.iloc[0] if len(ids) else ""
    close = difflib.get_close_matches(str(sample), wanted, n=1, cutoff=0.6)
    hint = f" (có phải «{close[0]}»?)" if close else ""
    return f"mã mục không có trong bộ chỉ số «{s.id}» ({s.years_text()}){hint}; các mã: {', '.join(wanted[:12])}{' …' if len(wanted) > 12 else ''}"


def _survey_agrees(
    f: pd.DataFrame, rows: np.ndarray, maxes: np.ndarray, decimals: int, report: _Report
) -> np.ndarray:
    both = rows & (f["satisfied"].to_numpy() >= 0) & (f["points_cents"].to_numpy() >= 0)
    computed = survey_cents(
        maxes, np.maximum(f["satisfied"].to_numpy(), 0), np.maximum(f["respondents"].to_numpy(), 1), decimals
    )
    given = f["points_cents"].to_numpy()
    differ = both & (np.abs(computed - given) > 1)
    shown = _shown(
        differ, lambda i: f"{_vn_points(given[i])} (tính từ satisfied/respondents: {_vn_points(computed[i])})"
    )
    report.rows_where(differ, "points", shown, "điểm không khớp với số người hài lòng / số người được hỏi")
    return ~differ


def _complete(a: pd.DataFrame, sv: pd.DataFrame, chosen: dict, where: dict, problems: list) -> None:
    """Every unit with points in a year has appraised points for every appraised item."""
    for y, s in chosen.items():
        needed = pd.Index([i.id for i in s.leaves if i.method in ("appraisal", "published")])
        ay = a[a["year"] == y]
        units = pd.Index(
            pd.unique(pd.concat([ay["unit_id"], sv.loc[sv["year"] == y, "unit_id"]]))
        ).sort_values()
        have = np.zeros((len(units), len(needed)), dtype=bool)
        col = positions(ay["item_id"], needed)
        hit = col >= 0
        have[positions(ay["unit_id"], units)[hit], col[hit]] = True
        for k in np.flatnonzero(~have.all(axis=1)):
            missing = list(needed[~have[k]])
            shown = ", ".join(missing[:10]) + (f" … ({len(missing)} mục)" if len(missing) > 10 else "")
            problems.append(
                Problem(
                    where.get("criterion_scores", "criterion_scores"),
                    None,
                    "item_id",
                    None,
                    f"đơn vị {units[k]} năm {y}: thiếu điểm thẩm định của {shown} (bộ chỉ số «{s.id}» cần "
                    "điểm thẩm định cho mọi mục chấm bằng thẩm định)",
                )
            )
