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

The cells are read in `cells.py`; here the rows are checked against the year's structure, the
keys and completeness, each as a mask over whole arrays (docs/index.md, "Speed"), and the valid
rows kept as arrays with units and items as codes.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cached_property
from types import SimpleNamespace

import numpy as np
import pandas as pd

from ..records import Problem, Records, ValidationError
from .cells import CENTS_COLUMN, FIRST_YEAR, LAST_YEAR, TABLES, VALUES, Report, Rows, typed_rows
from .structure import METHOD_WORDS, Structure, _vn_points


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


def positions(values: pd.Series, keys) -> np.ndarray:
    """Position of each value in `keys` (-1 where absent), by Arrow's hash join: fast on text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.index_in(pa.array(values, type=pa.string()), value_set=pa.array(list(keys), type=pa.string()))
    return np.asarray(found.fill_null(-1), dtype=np.int64)


def _duplicates(rows: Rows, report: Report) -> np.ndarray:
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
        got = typed_rows(raw, t, src.where, binary, units, problems)
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


def _check_items(rows: Rows, table: str, in_year: np.ndarray, s: Structure, report: Report) -> np.ndarray:
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
    rows: Rows, mask: np.ndarray, maxes: np.ndarray, decimals: int, report: Report
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


def _points(checked: dict[str, Rows], chosen: dict[int, Structure], where: dict) -> Points:
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
