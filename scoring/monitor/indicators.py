"""The monitor's input: the optional `indicators` table, read, checked and typed; derived indicators.

`indicators` is one long table (SPEC §3): year, indicator_id, subject_id, value, and optionally
numerator and denominator (a percent may be given as a count of a count). Records hands it over
as written (`Records.raw_table`); every problem is reported in the project's Vietnamese form (file,
row as seen in the file, column, value, what was expected) and nothing is guessed. Indicators the
programme's own records already carry (`derived_from`, e.g. the on-time share from
`unit_dossiers`) are computed here and may not be given in the table.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np
import pandas as pd
import pyarrow as pa

from ..labels import fold
from ..records import Problem, Records, ValidationError
from .commitments import Commitments, Indicator

COLUMNS = ("year", "indicator_id", "subject_id", "value", "numerator", "denominator")
REQUIRED = ("year", "indicator_id", "subject_id")
# Extra columns kept for people (where a figure comes from, a remark): ignored without a word.
DOC_COLUMNS = {"source", "note", "notes", "ghi chu", "nguon"}
YEAR_RANGE = (1900, 2100)
MAX_PER_KIND = 20  # rows listed per kind of problem, then a count

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_THOUSANDS_VN = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234,5 under Vietnamese settings
_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")  # 81,82


@dataclass
class IndicatorData:
    """Indicator values by (year, indicator, subject): `frame` has year, indicator_id, subject_id,
    value (an exact Fraction), numerator, denominator (None when not given), row (None for a
    derived value) and table (where the value comes from)."""

    frame: pd.DataFrame
    present: bool  # the indicators table was given
    notes: list[str] = field(default_factory=list)

    def values(self, indicator_id: str) -> dict[int, dict[str, Fraction]]:
        """An indicator's values as {year: {subject: value}}."""
        if "_by_indicator" not in self.__dict__:
            by: dict[str, dict[int, dict[str, Fraction]]] = {}
            f = self.frame
            cols = (_objects(f[c]) for c in ("indicator_id", "year", "subject_id", "value"))
            for i, y, s, v in zip(*cols, strict=True):
                by.setdefault(i, {}).setdefault(int(y), {})[str(s)] = v
            self.__dict__["_by_indicator"] = by
        return self.__dict__["_by_indicator"].get(indicator_id, {})

    def years(self) -> set[int]:
        return {int(y) for y in self.frame["year"].unique()}


def parse_number(text: str, decimal_comma: bool) -> Fraction | None:
    """A number as people write it: '81,82' or '81.82', '1.234' in a `;` file; None if it is not one."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if decimal_comma and _THOUSANDS_VN.match(t):
        t = t.replace(".", "")
    if (decimal_comma or _COMMA_DECIMAL.match(t)) and "," in t:
        if t.count(",") != 1 or "." in t:
            return None
        t = t.replace(",", ".")
    if not _DECIMAL.match(t):
        return None
    try:
        return Fraction(Decimal(t))
    except InvalidOperation:
        return None


class _Report:
    """Problems of the table, at most MAX_PER_KIND rows per column and kind, then a count."""

    def __init__(self, where: str):
        self.where = where
        self.problems: list[Problem] = []
        self.counts: dict[tuple[str, str], int] = {}

    def add(self, row: int | None, column: str | None, value: str | None, expected: str) -> None:
        key = (column or "", expected)
        self.counts[key] = self.counts.get(key, 0) + 1
        if self.counts[key] <= MAX_PER_KIND:
            self.problems.append(Problem(self.where, row, column, value, expected))

    def finish(self) -> None:
        for (column, expected), n in self.counts.items():
            if n > MAX_PER_KIND:
                more = f"{n - MAX_PER_KIND:,}".replace(",", ".")
                self.problems.append(
                    Problem(
                        self.where,
                        None,
                        column or None,
                        None,
                        f"… và {more} dòng khác có cùng lỗi ({expected})",
                    )
                )


def read_indicators(records: Records, commitments: Commitments) -> IndicatorData:
    """The indicator values of the data: the `indicators` table checked, plus the derived ones.

    Raises `ValidationError` listing every problem of the table.
    """
    raw = records.raw_table("indicators")
    given = _empty()
    notes: list[str] = []
    if raw is not None:
        given = _check(raw, records, commitments, notes)
    frame = pd.concat([given, _derived(records, commitments)], ignore_index=True)
    frame = frame.sort_values(["indicator_id", "subject_id", "year"], kind="stable").reset_index(drop=True)
    return IndicatorData(frame, raw is not None, notes)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": pd.Series([], dtype="int64"),
            "indicator_id": pd.Series([], dtype=object),
            "subject_id": pd.Series([], dtype=object),
            "value": pd.Series([], dtype=object),
            "numerator": pd.Series([], dtype=object),
            "denominator": pd.Series([], dtype=object),
            "row": pd.Series([], dtype=object),
            "table": pd.Series([], dtype=object),
        }
    )


def _columns(raw: pd.DataFrame, rep: _Report, notes: list[str]) -> dict[str, str]:
    """Our column -> the header as written; missing and doubled columns reported."""
    by_fold: dict[str, list[str]] = {}
    for c in raw.columns[1:]:
        by_fold.setdefault(fold(c), []).append(c)
    found = {}
    for name in COLUMNS:
        cols = by_fold.get(fold(name), [])
        if len(cols) > 1:
            rep.add(1, name, None, f"cột {name} xuất hiện {len(cols)} lần; chỉ được có một")
        if cols:
            found[name] = cols[0]
    listed = ", ".join(str(c) for c in raw.columns[1:] if str(c)) or "không có cột nào"
    for name in REQUIRED:
        if name not in found:
            close = difflib.get_close_matches(name, [str(c) for c in raw.columns[1:]], n=1, cutoff=0.6)
            hint = f"; có cột «{close[0]}» — có phải viết sai tên?" if close else ""
            rep.add(1, name, None, f"thiếu cột bắt buộc {name} (tệp có: {listed}){hint}")
    if "value" not in found and not {"numerator", "denominator"} <= set(found):
        rep.add(1, "value", None, f"cần cột value, hoặc hai cột numerator và denominator (tệp có: {listed})")
    extra = [
        str(c)
        for f, cs in by_fold.items()
        for c in cs[:1]
        if f and f not in map(fold, COLUMNS) and f not in DOC_COLUMNS
    ]
    if extra:
        notes.append(f"{rep.where}: bỏ qua các cột không dùng đến: {', '.join(extra)}.")
    return found


def _objects(s: pd.Series) -> list:
    """A column as Python objects in one vectorised step (iterating Arrow strings one by one is slow)."""
    if s.dtype == object:
        return s.tolist()
    return pa.array(s, from_pandas=True).to_pylist()


def _text(raw: pd.DataFrame, col: str | None) -> list[str]:
    if col is None:
        return [""] * len(raw)
    s = raw[col]
    if s.dtype.kind in "iufb":  # a Parquet file's numbers: as text, blanks empty
        s = s.astype(object).where(s.notna(), "")
    values = _objects(s)
    return ["" if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v).strip() for v in values]


def _check(raw: pd.DataFrame, records: Records, commitments: Commitments, notes: list[str]) -> pd.DataFrame:
    where = records.sources["indicators"].where
    rep = _Report(where)
    found = _columns(raw, rep, notes)
    if any(p.row == 1 and p.column in (*REQUIRED, "value") for p in rep.problems):
        rep.finish()
        raise ValidationError(rep.problems)
    decimal_comma = bool(raw.attrs.get("decimal_comma", False))
    cells = {name: _text(raw, found.get(name)) for name in COLUMNS}
    rows = raw["__row__"].tolist()
    units = set(records.units["unit_id"].tolist())
    yes_no = _yes_no_words(commitments)
    by_fold = {fold(k): v for k, v in commitments.indicators.items()}
    out: dict[str, list] = {name: [] for name in _FRAME_COLUMNS}
    seen: dict[tuple[int, str, str], int] = {}
    # a row's cells but its subject are checked once per distinct combination (a table of
    # inspections per enterprise repeats the same few), the problems replayed with each row
    typed: dict[tuple[str, ...], tuple] = {}
    subjects_ok: dict[tuple[str, str], list] = {}
    for row, y_text, i_text, subject, v_text, n_text, d_text in zip(
        rows, *(cells[n] for n in COLUMNS), strict=True
    ):
        key = (y_text, i_text, v_text, n_text, d_text)
        if not subject and not any(key):
            continue  # a blank line is not a record
        if key not in typed:
            c = dict(zip(COLUMNS, (y_text, i_text, subject, v_text, n_text, d_text), strict=True))
            typed[key] = _typed(c, decimal_comma, commitments, by_fold, yes_no)
        year, ind, value, num, den, head, tail = typed[key]
        problems = list(head)
        if not subject:
            problems.append(("subject_id", None, "cần mã đối tượng, không được để trống"))
        elif ind is not None:
            if (ind.id, subject) not in subjects_ok:
                subjects_ok[(ind.id, subject)] = _subject_problems(subject, ind, commitments, units)
            problems += subjects_ok[(ind.id, subject)]
        if not problems:
            problems = tail
        for column, shown, expected in problems:
            rep.add(int(row), column, shown, expected)
        if problems:
            continue
        dup = (year, ind.id, subject)
        if dup in seen:
            rep.add(
                int(row),
                "subject_id",
                subject,
                f"đã có số liệu của {ind.id} cho đối tượng này năm {year} ở dòng {seen[dup]}: "
                "mỗi chỉ số chỉ có một giá trị mỗi đối tượng mỗi năm",
            )
            continue
        seen[dup] = int(row)
        for name, v in zip(_FRAME_COLUMNS, (year, ind.id, subject, value, num, den, int(row)), strict=True):
            out[name].append(v)
    rep.finish()
    if rep.problems:
        raise ValidationError(rep.problems)
    if not out["year"]:
        return _empty()
    return pd.DataFrame({**out, "table": ["indicators"] * len(out["year"])}, columns=list(_empty().columns))


_FRAME_COLUMNS = ("year", "indicator_id", "subject_id", "value", "numerator", "denominator", "row")


class _Problems:
    """Problems of one row's cells, without the row (the caller adds it)."""

    def __init__(self):
        self.items: list[tuple[str, str | None, str]] = []

    def add(self, _row, column, value, expected) -> None:
        self.items.append((column, value, expected))


def _yes_no_words(commitments: Commitments) -> dict[str, int]:
    words = commitments.doc.get("yes_no_words", {})
    return {fold(w): 1 for w in words.get("yes", [])} | {fold(w): 0 for w in words.get("no", [])}


def _typed(c, decimal_comma, commitments, by_fold, yes_no) -> tuple:
    """(year, indicator, value, numerator, denominator, problems of year and indicator, problems of
    the value) of a row's cells but its subject."""
    head, tail = _Problems(), _Problems()
    year = None
    if not c["year"]:
        head.add(None, "year", None, "cần năm (ví dụ 2020), không được để trống")
    else:
        y = parse_number(c["year"], decimal_comma)
        if y is None or y.denominator != 1 or not YEAR_RANGE[0] <= y <= YEAR_RANGE[1]:
            head.add(None, "year", c["year"], f"cần năm là số nguyên từ {YEAR_RANGE[0]} đến {YEAR_RANGE[1]}")
        else:
            year = int(y)
    ind = _indicator(None, c["indicator_id"], commitments, by_fold, head)
    value = num = den = None
    if ind is not None:
        value, num, den = _value(None, c, ind, decimal_comma, yes_no, tail)
    return year, ind, value, num, den, head.items, tail.items


def _indicator(row, text, commitments: Commitments, by_fold: dict, rep) -> Indicator | None:
    if not text:
        rep.add(row, "indicator_id", None, "cần mã chỉ số, không được để trống")
        return None
    ind = by_fold.get(fold(text))
    if ind is None:
        close = difflib.get_close_matches(text, list(commitments.indicators), n=1, cutoff=0.6)
        hint = f" (có phải «{close[0]}»?)" if close else ""
        rep.add(
            row,
            "indicator_id",
            text,
            f"mã chỉ số không có trong tệp chỉ tiêu{hint}; các mã: " + ", ".join(commitments.indicators),
        )
        return None
    if ind.derived_from:
        rep.add(
            row,
            "indicator_id",
            text,
            f"chỉ số này được tính từ bảng {ind.derived_from}, không khai trong bảng indicators",
        )
        return None
    return ind


def _subject_problems(subject, ind: Indicator, commitments: Commitments, units: set[str]) -> list:
    fixed = commitments.observation(ind.observed).get("subjects")
    if fixed and subject not in fixed:
        label = commitments.observation(ind.observed)["label"]
        return [("subject_id", subject, f"chỉ số {ind.id} đo theo {label}: cần một trong {', '.join(fixed)}")]
    if ind.observed == "unit" and subject not in units:
        return [
            (
                "subject_id",
                subject,
                f"chỉ số {ind.id} đo theo cơ quan, đơn vị: mã đơn vị không có trong bảng units",
            )
        ]
    return []


def _value(row, c, ind: Indicator, decimal_comma, yes_no, rep):
    """(value, numerator, denominator), or (None, …) with the problem reported."""
    num = den = None
    if c["numerator"] or c["denominator"]:
        if ind.kind != "percent":
            rep.add(
                row,
                "numerator",
                c["numerator"],
                f"chỉ số {ind.id} không phải tỷ lệ: không khai tử số, mẫu số",
            )
            return None, None, None
        num = parse_number(c["numerator"], decimal_comma) if c["numerator"] else None
        den = parse_number(c["denominator"], decimal_comma) if c["denominator"] else None
        for name, v in (("numerator", num), ("denominator", den)):
            if v is None or v.denominator != 1 or v < 0:
                rep.add(row, name, c[name] or None, "cần số nguyên không âm (cả tử số và mẫu số)")
                return None, None, None
        if den == 0 or num > den:
            rep.add(
                row,
                "numerator",
                f"{c['numerator']}/{c['denominator']}",
                "cần 0 ≤ tử số ≤ mẫu số và mẫu số > 0",
            )
            return None, None, None
    text = c["value"]
    if not text:
        if num is None:
            rep.add(row, "value", None, "cần giá trị (hoặc tử số và mẫu số), không được để trống")
            return None, None, None
        return Fraction(100) * num / den, int(num), int(den)
    if ind.kind == "yes_no":
        v = yes_no.get(fold(text))
        if v is None:
            rep.add(row, "value", text, f"chỉ số {ind.id} là có/không: cần «có» hoặc «không» (hoặc 1, 0)")
            return None, None, None
        return Fraction(v), None, None
    value = parse_number(text.removesuffix("%") if ind.kind == "percent" else text, decimal_comma)
    if value is None:
        rep.add(
            row,
            "value",
            text,
            "cần một số (dấu phẩy hoặc dấu chấm thập phân, không có dấu phân cách hàng nghìn)",
        )
        return None, None, None
    why = _out_of_range(value, ind)
    if why:
        rep.add(row, "value", text, why)
        return None, None, None
    if num is not None:
        exact = Fraction(100) * num / den
        places = len(text.split(",")[-1].split(".")[-1]) if ("," in text or "." in text) else 0
        if abs(exact - value) > Fraction(1, 2 * 10**places):
            rep.add(
                row,
                "value",
                text,
                f"không khớp với tử số/mẫu số {num}/{den} = {float(exact):.2f}%".replace(".", ","),
            )
            return None, None, None
        return exact, int(num), int(den)
    return value, None, None


def _out_of_range(value: Fraction, ind: Indicator) -> str | None:
    if ind.kind == "percent" and not 0 <= value <= 100:
        return "tỷ lệ phần trăm cần từ 0 đến 100"
    if ind.kind == "count" and (value < 0 or value.denominator != 1):
        return "cần số nguyên không âm"
    if ind.kind == "rank" and (value < 1 or value.denominator != 1):
        return "thứ hạng cần là số nguyên từ 1"
    return None


def _derived(records: Records, commitments: Commitments) -> pd.DataFrame:
    """Indicators computed from the core tables (today: the on-time share from unit_dossiers)."""
    rows = []
    for ind in commitments.indicators.values():
        if ind.derived_from != "unit_dossiers" or "unit_dossiers" not in records.present:
            continue
        d = records.unit_dossiers
        if not len(d):
            continue
        by_year = d.groupby("year")[["handled", "late"]].sum()
        province = commitments.observation("province")["subjects"][0]
        for year, r in by_year.iterrows():
            handled, late = int(r["handled"]), int(r["late"])
            if handled == 0:
                continue  # no dossiers: no share
            rows.append(
                dict(
                    year=int(year),
                    indicator_id=ind.id,
                    subject_id=province,
                    value=Fraction(100) * (handled - late) / handled,
                    numerator=handled - late,
                    denominator=handled,
                    row=None,
                    table="unit_dossiers",
                )
            )
    return pd.DataFrame(rows, columns=list(_empty().columns)) if rows else _empty()
