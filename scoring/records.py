"""The six input tables of SPEC §3: found, read, validated and typed.

Every problem of every table is collected in one pass and reported together, in Vietnamese,
with the file, the row as the user sees it, the column, the value and what was expected.
Nothing here changes an input file: each file is read once, as bytes, and its SHA-256 is taken
of exactly those bytes.

Rows "as seen in the file": in a CSV file and in an Excel sheet the header is row 1 and blank
lines count (a blank line is not a record, but the rows after it keep the number Excel shows);
a value spanning two lines inside quotes is one row, as in Excel. A sheet whose header is not
in row 1 is read from its first non-empty row, numbered as in the sheet. Parquet has no
header row: row 1 is the first record.

What is checked (every kind of problem in one pass; at most MAX_ROWS_PER_PROBLEM rows are
listed per file, column and kind, then a count of the rest):

- the file: empty; not UTF-8 (a Windows-1258, TCVN3 or UTF-16 export: a hint how to re-save
  it, never a traceback); not parseable (a row with more fields than the header);
- the header: a required column missing (with the likely misspelt one, "unit_idd" → unit_id);
  a column given twice; a required table missing; a required table with a header and no rows
  (an optional table with no rows is read as no data, and the run says so);
- cells: a year that is not an integer in 1900–2100; a count that is not a non-negative
  integer; a score that is not a number in 0–100; a blank id, name, group or role; a rating,
  classification, band or role label that no scale of any era knows (the accepted ones are
  listed); a result row with neither score nor band; `late > handled`;
- keys: a unit twice; an official, a unit's result, a unit's or an official's dossier counts,
  a party organisation twice in a year (rows whose key cells are themselves invalid are not
  compared, so one bad year does not also read as a duplicate);
- references: a unit id in any table that `units` does not list; an official id in
  `official_dossiers` that `officials` does not list for that year; a party organisation id in
  `units.party_org_id` that `party_orgs` never lists, or that `party_orgs` attaches to a
  different unit. `units.party_org_id` is optional and only cross-checked when `party_orgs` is
  given and has rows: without it there is nothing to check against (the run already says the
  table is missing, or empty). `party_orgs` is what the rules use (each year's row names its unit); the column
  in `units` is a declaration that must agree with it, so a typo in either is caught.

Numbers: CSV exported by Excel under Vietnamese regional settings uses `;` between fields, a
decimal comma and `.` between thousands ("1.234" handled dossiers). In a `;` file "1.234" is
read as 1234; in a `,` file it is ambiguous (one thousand two hundred, or one point two) and
reported. Integers written with zero decimals ("2018.0", "12,0") are accepted. A score may
carry a trailing "%". A group name that the criteria do not list is kept as written (it ranks
as a group of its own, as the criteria file says) and the run notes it, with the closest
known group, since it is often a misspelling.

Why hand-written vectorised checks and not pandera. Measured with pandera 0.35 and pandas 3.1
on the national synthetic set (`python -m scoring synth`: 1,090,000 officials, 817,317 official
dossiers, 100,000 rows in each of reform_results, unit_dossiers and party_orgs, 10,000 units),
medians of 5 runs on a shared machine: pandera works with pandas 3, and its lazy
`failure_cases` carry the frame index, so our messages could be built from them. But it only
checks: the typed values (level codes, hundredths of a score, integer counts) still have to be
parsed, and our parser already yields the mask of bad cells, so pandera is a second pass over
the same strings. The column-level checks written as pandera schemas (year/count regexes or
ranges, non-blank ids, scores and labels through our own parsers as custom checks, key
uniqueness, late <= handled) took 1.3 s on Parquet and 1.4 s on CSV with valid data, 1.9 s and
2.7 s with 1,090 bad cells (failure cases are collected row by row), against 0.9–1.1 s for all
of this module's per-table work (parse, type and check); the whole load_records takes
1.5–3 s (Parquet) and 2.5–3.2 s (CSV). `import pandera.pandas` adds 0.6 s to every run of
the command line. SPEC §5 wants the national set evaluated in under 10 s, evaluating costing no
more than loading; doubling the validation step for no check we do not already have is not
worth it, and labels, ids and keys need our folding, joint key codes and Vietnamese wording
anyway. So the checks stay here, vectorised: string columns stay Arrow-backed, labels and
scores are parsed once per distinct value, ids become integer codes once per key space, and
values are materialised only for the rows that are reported.
"""

from __future__ import annotations

import csv
import difflib
import functools
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .criteria import Criteria, load_criteria
from .keys import encode, positions
from .labels import MISSING, Parsed, fold, parse_labels

TABLE_NAMES = (
    "units",
    "reform_results",
    "unit_dossiers",
    "officials",
    "official_dossiers",
    "party_orgs",
)
REQUIRED_TABLES = ("units", "reform_results", "officials")
# Optional tables of the producers and the monitor (SPEC §3, "added as the toolkit grows"): found
# and hashed here with the six, read and validated by their own module (index, ledger, monitor)
# through `Records.raw_table`, since each has its own checks and the ledger may be too big to read
# into memory (it reads the files itself, by `Records.sources[name].path`).
EXTRA_TABLES = (
    "indicators",
    "criterion_scores",
    "survey_results",
    "dossiers",
    "dossier_steps",
    "dossier_reschedules",
)
# What each missing optional table means for the rules (said in the run's notes).
OPTIONAL_EFFECT = {
    "unit_dossiers": "không có số liệu hồ sơ của đơn vị: quy tắc unit_late_dossiers (mục II.2) không được áp dụng",
    "official_dossiers": "không có số liệu hồ sơ của cán bộ: quy tắc official_late_dossiers (mục II.2) không được áp dụng",
    "party_orgs": "không có số liệu tổ chức cơ sở đảng: quy tắc party_org_streak (mục II.4) không được áp dụng",
}


@dataclass(frozen=True)
class Col:
    name: str
    kind: str  # id, text, group, year, count, score, band, role, rating, classification
    required: bool = True  # the column must be present
    blank_ok: bool = False  # a cell may be blank


YEAR = Col("year", "year")
SCHEMAS: dict[str, tuple[Col, ...]] = {
    "units": (
        Col("unit_id", "id"),
        Col("unit_name", "text"),
        Col("group", "group"),
        Col("party_org_id", "id", required=False, blank_ok=True),
    ),
    "reform_results": (
        YEAR,
        Col("unit_id", "id"),
        # either column may be left out of the file, not both (a result is a score or a band)
        Col("score", "score", required=False, blank_ok=True),
        Col("band", "band", required=False, blank_ok=True),
    ),
    "unit_dossiers": (YEAR, Col("unit_id", "id"), Col("handled", "count"), Col("late", "count")),
    "officials": (
        YEAR,
        Col("official_id", "id"),
        Col("full_name", "text"),
        Col("unit_id", "id"),
        Col("role", "role"),
        Col("proposed_rating", "rating", blank_ok=True),
    ),
    "official_dossiers": (
        YEAR,
        Col("official_id", "id"),
        Col("handled", "count"),
        Col("late", "count"),
    ),
    "party_orgs": (
        YEAR,
        Col("party_org_id", "id"),
        Col("unit_id", "id"),
        Col("proposed_classification", "classification", blank_ok=True),
    ),
}
KEYS = {
    "units": ("unit_id",),
    "reform_results": ("year", "unit_id"),
    "unit_dossiers": ("year", "unit_id"),
    "officials": ("year", "official_id"),
    "official_dossiers": ("year", "official_id"),
    "party_orgs": ("year", "party_org_id"),
}
KEY_WORDS = {
    "units": "một đơn vị chỉ được khai một lần",
    "reform_results": "mỗi đơn vị chỉ có một kết quả mỗi năm",
    "unit_dossiers": "mỗi đơn vị chỉ có một dòng số liệu hồ sơ mỗi năm",
    "officials": "mỗi cán bộ chỉ có một dòng mỗi năm",
    "official_dossiers": "mỗi cán bộ chỉ có một dòng số liệu hồ sơ mỗi năm",
    "party_orgs": "mỗi tổ chức đảng chỉ có một dòng mỗi năm",
}
MAX_ROWS_PER_PROBLEM = 20
YEAR_RANGE = (1900, 2100)

UTF8_HINT = (
    "tệp không phải mã UTF-8 (có thể là Windows-1258 hoặc TCVN3). Hãy mở tệp trong Excel và "
    "lưu lại bằng «CSV UTF-8 (Comma delimited) (*.csv)», hoặc trong LibreOffice chọn bộ mã "
    "Unicode (UTF-8)"
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, as a clerk would need to find and fix it."""

    where: str  # the file (and sheet) as the user knows it
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def message(self) -> str:
        parts = [self.where]
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column is not None:
            parts.append(f"cột {self.column}")
        head = ", ".join(parts)
        if self.value is not None:
            return f"{head}: giá trị «{self.value}» — {self.expected}"
        return f"{head}: {self.expected}"


class ValidationError(ValueError):
    """The input cannot be evaluated; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.problems)
        lines = [f"Dữ liệu đầu vào có {n} lỗi; chưa ghi kết quả nào:"]
        lines += [f"  - {p.message()}" for p in self.problems]
        return "\n".join(lines)


@dataclass
class Source:
    table: str
    path: Path
    where: str  # e.g. "reform_results.csv" or "data.xlsx, trang reform_results"
    sheet: str | None = None


@dataclass
class Records:
    """Validated input: typed frames, their sources and what the run should say about them.

    Label columns hold level codes (int8, 0 the best, -1 blank); `*_other_era` flags a label
    read through another era's scale. Every frame keeps `row`, the row as seen in its file.
    """

    units: pd.DataFrame
    reform_results: pd.DataFrame
    unit_dossiers: pd.DataFrame
    officials: pd.DataFrame
    official_dossiers: pd.DataFrame
    party_orgs: pd.DataFrame
    present: frozenset[str]
    sources: dict[str, Source] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    input_sha256: dict[str, str] = field(default_factory=dict)
    origin: str = ""

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    def raw_table(self, name: str) -> pd.DataFrame | None:
        """An optional table of EXTRA_TABLES as written: text columns under the header's own
        names and `__row__`, the row as seen in the file; None when the data has no such table.

        Raises `ValidationError` when the file cannot be read (its producer validates the cells).
        """
        if name not in EXTRA_TABLES:
            raise KeyError(name)
        src = self.sources.get(name)
        if src is None:
            return None
        cache = self.__dict__.setdefault("_raw", {})
        if name not in cache:
            problems: list[Problem] = []
            df = _read(src, _Files(), problems)
            if problems:
                raise ValidationError(problems)
            cache[name] = df
        return cache[name]

    def years(self) -> list[int]:
        ys = set(self.reform_results["year"].unique()) | set(self.officials["year"].unique())
        return sorted(int(y) for y in ys)

    def replace(self, **tables) -> Records:
        """A copy with some tables replaced (for a scenario's corrected records)."""
        kw = {n: getattr(self, n) for n in TABLE_NAMES}
        kw.update(tables)
        return Records(
            **kw,
            present=self.present | frozenset(tables),
            sources=self.sources,
            notes=list(self.notes),
            input_sha256=self.input_sha256,
            origin=self.origin,
        )


# ---------------------------------------------------------------------------------------
# Finding the files


class _Files:
    """Each input file read once, as bytes; its SHA-256 is of exactly what was read."""

    def __init__(self):
        self.raw: dict[Path, bytes] = {}

    def read(self, path: Path) -> bytes:
        if path not in self.raw:
            self.raw[path] = path.read_bytes()
        return self.raw[path]

    def sha256(self, path: Path) -> str:
        return hashlib.sha256(self.read(path)).hexdigest()


_TABLE_BY_FOLD = {fold(t): t for t in (*TABLE_NAMES, *EXTRA_TABLES)}
_SUFFIXES = (".csv", ".parquet", ".xlsx")
# Files that look like data but are not read: reported, since they are often misnamed tables.
_DATA_LIKE = (*_SUFFIXES, ".xls", ".tsv", ".txt", ".ods", ".json")
# Extra columns kept for people (where a figure comes from, a remark): ignored without a word.
_DOC_COLUMNS = {"source", "note", "notes", "ghi chu", "nguon"}


def _find_sources(data: Path, files: _Files, problems: list[Problem], notes: list[str]) -> dict[str, Source]:
    sources: dict[str, Source] = {}

    def add(src: Source):
        if src.table in sources:
            problems.append(
                Problem(
                    src.where,
                    None,
                    None,
                    None,
                    f"bảng {src.table} có hai nguồn ({sources[src.table].where} và {src.where}); chỉ giữ một",
                )
            )
        else:
            sources[src.table] = src

    if data.is_file():
        if data.suffix.lower() != ".xlsx":
            problems.append(
                Problem(
                    data.name,
                    None,
                    None,
                    None,
                    "cần một thư mục chứa các tệp CSV/Parquet, hoặc một tệp .xlsx có mỗi bảng một trang",
                )
            )
            return sources
        _workbook_sources(data, files, add, problems, notes)
        return sources
    if not data.is_dir():
        problems.append(Problem(str(data), None, None, None, "không tìm thấy thư mục hoặc tệp dữ liệu"))
        return sources
    unknown = []
    for path in sorted(data.iterdir()):
        if path.name.startswith((".", "~$")) or not path.is_file():
            continue
        table = _TABLE_BY_FOLD.get(fold(path.stem))
        suffix = path.suffix.lower()
        if suffix not in _SUFFIXES:
            if suffix in _DATA_LIKE:
                unknown.append(path.name)
        elif table is not None:
            add(Source(table, path, path.name))
        elif suffix == ".xlsx":
            _workbook_sources(path, files, add, problems, notes, strict=False, unknown=unknown)
        else:
            unknown.append(path.name)
    for name in unknown:
        close = difflib.get_close_matches(fold(Path(name).stem), list(_TABLE_BY_FOLD), n=1)
        hint = f"; có phải bảng {_TABLE_BY_FOLD[close[0]]}?" if close else ""
        notes.append(f"Tệp {name} trong thư mục dữ liệu không phải bảng nào đã biết (bỏ qua{hint}).")
    return sources


def _open_workbook(path: Path, files: _Files):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(files.read(path)), read_only=True, data_only=True)


def _workbook_sources(path, files, add, problems, notes, strict=True, unknown=None):
    try:
        wb = _open_workbook(path, files)
        sheets = wb.sheetnames
        wb.close()
    except Exception as exc:  # a corrupt or non-xlsx file
        problems.append(Problem(path.name, None, None, None, f"không mở được bảng tính Excel ({exc})"))
        return
    found = False
    for sheet in sheets:
        table = _TABLE_BY_FOLD.get(fold(sheet))
        if table is None:
            (unknown if unknown is not None else []).append(f"{path.name} (trang {sheet})")
            if strict:
                notes.append(f"Trang {sheet} của {path.name} không phải bảng nào đã biết (bỏ qua).")
            continue
        found = True
        add(Source(table, path, f"{path.name}, trang {sheet}", sheet))
    if not found and not strict and unknown is not None:
        unknown.append(path.name)


# ---------------------------------------------------------------------------------------
# Reading: every reader returns a frame of text (or typed Parquet) columns, the header's own
# names, and `__row__`, the row as seen in the file. `attrs["decimal_comma"]` says whether
# numbers follow Vietnamese regional settings (`;` files).

_BOM = b"\xef\xbb\xbf"


def _frame(columns: list[str], data: dict[int, pd.Series] | list[pd.Series], first_row: int) -> pd.DataFrame:
    """A frame with the header's names kept as written (duplicates allowed) and `__row__`."""
    cols = list(data.values()) if isinstance(data, dict) else list(data)
    n = len(cols[0]) if cols else 0
    df = pd.concat([s.reset_index(drop=True) for s in cols], axis=1) if cols else pd.DataFrame(index=range(n))
    df.columns = columns
    df.insert(0, "__row__", np.arange(first_row, first_row + n, dtype=np.int64))
    return df


def _read_csv(src: Source, raw: bytes, problems: list[Problem]) -> pd.DataFrame | None:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(
            Problem(
                src.where,
                None,
                None,
                None,
                "tệp mã UTF-16 («Unicode Text» của Excel); hãy lưu lại bằng «CSV UTF-8 (Comma delimited) (*.csv)»",
            )
        )
        return None
    body = raw[len(_BOM) :] if raw.startswith(_BOM) else raw
    if not body.strip(b" \r\n\t"):
        problems.append(Problem(src.where, None, None, None, "tệp rỗng (cần dòng tiêu đề và dữ liệu)"))
        return None
    first = body.split(b"\n", 1)[0]
    sep = ";" if first.count(b";") > first.count(b",") else ","
    try:
        header_text = first.decode("utf-8")
    except UnicodeDecodeError:
        return _not_utf8(src, body, problems)
    header = [h.strip() for h in next(csv.reader([header_text.rstrip("\r")], delimiter=sep))]
    df = _csv_arrow(body, sep, header)
    if df is None:  # not UTF-8, or rows the fast reader refuses: the tolerant reader says which
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return _not_utf8(src, body, problems)
        df = _csv_pandas(src, body, sep, header, problems)
        if df is None:
            return None
    df.attrs["decimal_comma"] = sep == ";"
    return df


def _not_utf8(src: Source, body: bytes, problems: list[Problem]) -> None:
    try:
        body.decode("utf-8")
        line = None
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
    problems.append(Problem(src.where, line, None, None, UTF8_HINT))
    return None


def _csv_arrow(body: bytes, sep: str, header: list[str]) -> pd.DataFrame | None:
    """The fast path (pyarrow): every column as text, blank lines kept so rows keep their numbers."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pcsv.read_csv(
            io.BytesIO(body),
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pcsv.ParseOptions(delimiter=sep, ignore_empty_lines=False, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    df = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    df.columns = header
    df.insert(0, "__row__", np.arange(2, len(df) + 2, dtype=np.int64))
    return df


def _csv_pandas(src: Source, body: bytes, sep: str, header: list[str], problems) -> pd.DataFrame | None:
    """The tolerant path: short rows are padded; a row with too many fields is reported."""
    try:
        # no names given: pandas then takes the width from the header line and refuses a longer
        # row (with names, it would silently shift the row's values into an index)
        df = pd.read_csv(
            io.BytesIO(body),
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8",
            on_bad_lines="error",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        m = re.search(r"line (\d+), saw (\d+)", str(exc))
        if m:
            problems.append(
                Problem(
                    src.where,
                    int(m.group(1)),
                    None,
                    None,
                    f"dòng có {m.group(2)} ô, nhiều hơn {len(header)} cột của dòng tiêu đề "
                    "(thừa dấu phân cách, hoặc một giá trị có dấu phân cách mà không đặt trong ngoặc kép)",
                )
            )
        else:
            problems.append(Problem(src.where, None, None, None, f"không đọc được tệp CSV ({exc})"))
        return None
    df = df.iloc[1:].reset_index(drop=True)
    return _frame(header, [df[i] for i in range(len(header))], 2)


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def _read_sheet(src: Source, files: _Files, problems: list[Problem]) -> pd.DataFrame | None:
    wb = _open_workbook(src.path, files)
    try:
        ws = wb[src.sheet] if src.sheet else wb.worksheets[0]
        ws.reset_dimensions()  # a wrong stored dimension must not cut rows off
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    start = next((i for i, r in enumerate(rows) if any(v is not None and str(v).strip() for v in r)), None)
    if start is None:
        problems.append(Problem(src.where, None, None, None, "trang rỗng (cần dòng tiêu đề và dữ liệu)"))
        return None
    header = [_cell_text(v).strip() for v in rows[start]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    body = rows[start + 1 :]
    cols = [[""] * len(body) for _ in range(width)]
    for i, r in enumerate(body):
        for j, v in enumerate(r[:width]):
            if v is not None:
                cols[j][i] = _cell_text(v)
        if len(r) > width and any(v is not None for v in r[width:]):
            k = width + next(j for j, v in enumerate(r[width:]) if v is not None)
            problems.append(
                Problem(
                    src.where,
                    start + 2 + i,
                    None,
                    _cell_text(r[k]),
                    f"ô ở cột thứ {k + 1} nằm ngoài các cột có tiêu đề (dòng tiêu đề có {width} cột)",
                )
            )
    df = _frame(header, [pd.Series(c, dtype="str") for c in cols], start + 2)
    df.attrs["decimal_comma"] = False
    return df


def _read_parquet(src: Source, files: _Files, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        df = pd.read_parquet(io.BytesIO(files.read(src.path)))
    except Exception as exc:
        problems.append(Problem(src.where, None, None, None, f"không đọc được tệp Parquet ({exc})"))
        return None
    df = df.reset_index(drop=True)
    out = _frame([str(c) for c in df.columns], [df[c] for c in df.columns], 1)
    out.attrs["decimal_comma"] = False
    return out


def _read(src: Source, files: _Files, problems: list[Problem]) -> pd.DataFrame | None:
    suffix = src.path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(src, files.read(src.path), problems)
    if suffix == ".xlsx":
        return _read_sheet(src, files, problems)
    return _read_parquet(src, files, problems)


# ---------------------------------------------------------------------------------------
# Column parsers: each returns typed values and masks of blank and bad cells


def _as_text(s: pd.Series) -> pd.Series:
    """Cells as the user wrote them, trimmed; "" where blank. Numbers (Parquet) via Arrow's shortest form."""
    if s.dtype.kind in "iufb":
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(s, from_pandas=True)
        if s.dtype.kind == "b":
            arr = pc.if_else(arr, "true", "false")
        text = pd.Series(pd.array(pc.cast(arr, pa.string()), dtype="str"), index=s.index)
        return text.fillna("")
    if s.dtype != "str":
        s = s.astype("str")
    if s.hasnans:
        s = s.fillna("")
    return s.str.strip()


def _factorize(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(text)
    return codes, np.asarray(uniques, dtype=object)


def _labels(text: pd.Series, years: np.ndarray | None, scales) -> Parsed:
    """`parse_labels` on the distinct (label, year) pairs only, spread back to the rows."""
    codes, uniques = _factorize(text)
    if years is None:
        p = parse_labels(pd.Series(uniques, dtype=object), None, scales)
        inv = codes
    else:
        span = YEAR_RANGE[1] - YEAR_RANGE[0] + 1
        key = codes.astype(np.int64) * span + (np.clip(years, *YEAR_RANGE) - YEAR_RANGE[0])
        inv, keys = pd.factorize(key)
        keys = np.asarray(keys, dtype=np.int64)
        p = parse_labels(pd.Series(uniques[keys // span], dtype=object), keys % span + YEAR_RANGE[0], scales)
    return Parsed(p.levels[inv], p.unknown[inv], p.other_era[inv])


def _to_int64(text: pd.Series) -> np.ndarray:
    """Digit strings to int64, through Arrow (pandas' own cast of Arrow strings is slower)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return np.asarray(pc.cast(pa.array(text, from_pandas=True), pa.int64()), dtype=np.int64)


_INT = r"\d{1,15}"
_THOUSANDS = r"\d{1,3}(?:\.\d{3})+"
_ZERO_DECIMALS = r"\d{1,15}[.,]0+"


def _parse_int(s: pd.Series, text: pd.Series, decimal_comma: bool, low=None, high=None):
    """Integers as written by people and spreadsheets; `bad` and `ambiguous` are separate masks.

    "1.234" is 1234 in a `;` file (Vietnamese settings), ambiguous in a `,` file.
    """
    n = len(s)
    blank = np.zeros(n, dtype=bool)
    ambiguous = np.zeros(n, dtype=bool)
    if s.dtype.kind in "iu":
        blank = s.isna().to_numpy()
        vals = s.fillna(0).to_numpy(dtype=np.int64) if blank.any() else s.to_numpy(dtype=np.int64)
        bad = np.zeros(n, dtype=bool)
    else:
        blank = (text == "").to_numpy()
        plain = text.str.fullmatch(_INT).to_numpy(dtype=bool, na_value=False)
        vals = np.zeros(n, dtype=np.int64)
        if plain.all():
            vals = _to_int64(text)
            bad = np.zeros(n, dtype=bool)
        else:
            if plain.any():
                vals[plain] = _to_int64(text[plain])
            rest = ~plain & ~blank
            thousands = np.zeros(n, dtype=bool)
            if rest.any():
                thousands[rest] = text[rest].str.fullmatch(_THOUSANDS).to_numpy(dtype=bool, na_value=False)
            if decimal_comma and thousands.any():
                vals[thousands] = text[thousands].str.replace(".", "", regex=False).astype("int64").to_numpy()
                rest &= ~thousands
            elif thousands.any():
                ambiguous = thousands
                rest &= ~thousands
            zero_dec = np.zeros(n, dtype=bool)
            if rest.any():
                zero_dec[rest] = text[rest].str.fullmatch(_ZERO_DECIMALS).to_numpy(dtype=bool, na_value=False)
                if zero_dec.any():
                    vals[zero_dec] = text[zero_dec].str.split(r"[.,]", n=1, regex=True).str[0].astype("int64")
            bad = rest & ~zero_dec
    ok = ~blank & ~bad & ~ambiguous
    if low is not None:
        bad |= ok & (vals < low)
    if high is not None:
        bad |= ok & (vals > high)
    return vals, blank, bad, ambiguous


_SCORE = re.compile(r"^\+?(\d{1,3})(?:\.(\d*))?\s*%?$")


def _parse_score(text: pd.Series):
    """Score in hundredths, rounded half up on the decimal value as written (84.995 -> 8500).

    Parsed once per distinct value.
    """
    codes, uniques = _factorize(text)
    t = pd.Series(uniques, dtype="str").str.replace(",", ".", regex=False)
    blank = (t == "").to_numpy()
    m = t.str.extract(_SCORE)
    ok = m[0].notna().to_numpy()
    bad = ~ok & ~blank
    cents = np.full(len(t), -1, dtype=np.int64)
    if ok.any():
        ip = m.loc[ok, 0].astype("int64").to_numpy()
        frac = m.loc[ok, 1].fillna("").astype("str")
        digits = (frac + "000").str.slice(0, 3).astype("int64").to_numpy()
        c = ip * 100 + digits // 10 + (digits % 10 >= 5)
        rest_nonzero = frac.str.strip("0").str.len().to_numpy() > 0
        too_high = (ip > 100) | ((ip == 100) & rest_nonzero)
        bad[np.flatnonzero(ok)[too_high]] = True
        cents[ok] = np.where(too_high, -1, c)
    return cents[codes], blank[codes], bad[codes]


# ---------------------------------------------------------------------------------------
# Collecting problems


class _Collector:
    """Problems of one file: at most MAX_ROWS_PER_PROBLEM rows per column and kind, then a count.

    Values are materialised only for the rows that are reported, so a million good rows cost
    nothing here and a million bad ones make one readable line plus twenty.
    """

    def __init__(self, problems: list[Problem], where: str, rows: np.ndarray):
        self.problems = problems
        self.where = where
        self.rows = rows

    def add(self, column, values, expected, mask, rows=None):
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        rows = self.rows if rows is None else rows
        shown = idx[:MAX_ROWS_PER_PROBLEM]
        if values is None:
            vals = [None] * len(shown)
        elif isinstance(values, pd.Series):
            vals = [str(v) for v in values.iloc[shown].tolist()]
        else:
            vals = [str(v) for v in np.asarray(values, dtype=object)[shown]]
        for i, v in zip(shown, vals, strict=True):
            self.problems.append(Problem(self.where, int(rows[i]), column, v, expected))
        if len(idx) > MAX_ROWS_PER_PROBLEM:
            self.problems.append(
                Problem(
                    self.where,
                    None,
                    column,
                    None,
                    f"… và {len(idx) - MAX_ROWS_PER_PROBLEM:,} dòng khác có cùng lỗi ({expected})".replace(
                        ",", "."
                    ),
                )
            )


# ---------------------------------------------------------------------------------------
# One table: columns found, cells parsed and checked, typed frame


@dataclass
class _Typed:
    frame: pd.DataFrame  # the typed columns evaluate.py reads, plus `row`
    invalid: dict[str, np.ndarray]  # per column, the cells already reported (blank or bad)
    complete: bool  # every required column present
    where: str


def _column_map(df: pd.DataFrame, table: str, where: str, problems: list[Problem], notes):
    """Schema column -> position in `df`; reports missing (with a likely misspelling) and doubled columns."""
    schema = SCHEMAS[table]
    wanted = {fold(col.name): col for col in schema}
    positions: dict[str, list[int]] = {}
    for j, c in enumerate(df.columns[1:], start=1):
        positions.setdefault(fold(c), []).append(j)
    found: dict[str, int] = {}
    others = [df.columns[js[0]] for f, js in positions.items() if f not in wanted and f]
    for col in schema:
        js = positions.get(fold(col.name))
        if js:
            found[col.name] = js[0]
            if len(js) > 1:
                problems.append(
                    Problem(
                        where,
                        1,
                        col.name,
                        None,
                        f"cột {col.name} xuất hiện {len(js)} lần (các cột thứ {', '.join(str(j) for j in js)}); "
                        "chỉ được có một",
                    )
                )
        elif col.required:
            close = difflib.get_close_matches(
                fold(col.name), [fold(o) for o in others], n=1, cutoff=0.6
            ) or difflib.get_close_matches(col.name, [str(o) for o in others], n=1, cutoff=0.5)
            match = next((o for o in others if fold(o) == close[0] or o == close[0]), None) if close else None
            hint = f"; có cột «{match}» — có phải viết sai tên?" if match else ""
            listed = ", ".join(str(o) for o in df.columns[1:] if str(o)) or "không có cột nào"
            problems.append(
                Problem(
                    where,
                    1,
                    col.name,
                    None,
                    f"thiếu cột bắt buộc {col.name} (các cột cần có: "
                    + ", ".join(c.name for c in schema if c.required)
                    + f"; tệp có: {listed}){hint}",
                )
            )
    extra = [
        str(df.columns[js[0]])
        for f, js in positions.items()
        if f and f not in wanted and f not in _DOC_COLUMNS
    ]
    if extra:
        notes.append(f"{where}: bỏ qua các cột không dùng đến: {', '.join(extra)}.")
    return found


def _typed_table(table, df, where, crit: Criteria, problems, notes) -> _Typed | None:
    schema = SCHEMAS[table]
    found = _column_map(df, table, where, problems, notes)
    complete = all(c.name in found for c in schema if c.required)
    if table == "reform_results" and "score" not in found and "band" not in found:
        listed = ", ".join(str(o) for o in df.columns[1:] if str(o)) or "không có cột nào"
        problems.append(
            Problem(where, 1, "score", None, f"cần cột score hoặc cột band (hoặc cả hai); tệp có: {listed}")
        )
        complete = False
    decimal_comma = bool(df.attrs.get("decimal_comma", False))
    raw = {c.name: df.iloc[:, found[c.name]] for c in schema if c.name in found}
    kinds = {c.name: c.kind for c in schema}
    # integer columns of a Parquet file need no text: their values are shown only when reported
    texts = {
        name: s if kinds[name] in ("year", "count") and s.dtype.kind in "iu" else _as_text(s)
        for name, s in raw.items()
    }
    # lines with no value in any column we read are not records (blank lines, Excel's ";;;;")
    if texts:
        blank_line = np.logical_and.reduce(
            [(t.isna() if t.dtype.kind in "iu" else t == "").to_numpy() for t in texts.values()]
        )
        if blank_line.any():
            keep = ~blank_line
            df = df.loc[keep].reset_index(drop=True)
            raw = {k: s.loc[keep].reset_index(drop=True) for k, s in raw.items()}
            texts = {k: t.loc[keep].reset_index(drop=True) for k, t in texts.items()}
    if len(df) == 0:
        if table in REQUIRED_TABLES:
            problems.append(Problem(where, None, None, None, "không có dòng dữ liệu nào (bảng bắt buộc)"))
            return None
        if complete:
            notes.append(f"{where} không có dòng dữ liệu nào: coi như {OPTIONAL_EFFECT[table]}.")
        return _Typed(_empty(table), {}, complete, where) if complete else None
    rows = df["__row__"].to_numpy()
    col = _Collector(problems, where, rows)
    out: dict[str, object] = {"row": rows}
    invalid: dict[str, np.ndarray] = {}
    years = None
    for c in schema:
        if c.name not in found:
            if c.kind in ("id", "text", "group"):
                out[c.name] = pd.Series([""] * len(df), dtype="str")
            elif c.kind == "score":
                out["score_cents"] = np.full(len(df), -1, dtype=np.int64)
                out["score_blank"] = np.ones(len(df), dtype=bool)
            else:
                out[c.name] = np.full(len(df), MISSING, dtype=np.int8)
                out[c.name + "_other_era"] = np.zeros(len(df), dtype=bool)
                out[c.name + "_blank"] = np.ones(len(df), dtype=bool)
            continue
        text = texts[c.name]
        if c.kind in ("year", "count"):
            low, high = YEAR_RANGE if c.kind == "year" else (0, None)
            vals, blank, bad, ambiguous = _parse_int(raw[c.name], text, decimal_comma, low, high)
            if c.kind == "year":
                expected = f"cần năm là số nguyên từ {low} đến {high} (ví dụ 2018)"
            else:
                expected = "cần số nguyên không âm (số hồ sơ)"
            col.add(c.name, text, expected + ", không được để trống", blank)
            col.add(c.name, text, expected, bad)
            col.add(
                c.name,
                text,
                expected + "; «.» ở đây là dấu phân cách hàng nghìn hay dấu thập phân? "
                "Hãy ghi số không có dấu phân cách hàng nghìn",
                ambiguous,
            )
            invalid[c.name] = blank | bad | ambiguous
            out[c.name] = np.where(invalid[c.name], 0, vals)
            if c.kind == "year":
                years = np.where(invalid[c.name], -1, vals)
        elif c.kind == "score":
            cents, blank, bad = _parse_score(text)
            col.add(c.name, text, "cần điểm là một số từ 0 đến 100 (ví dụ 85,20)", bad)
            invalid[c.name] = bad
            out["score_cents"] = np.where(bad, -1, cents)
            out["score_blank"] = blank
        elif c.kind in ("id", "text"):
            blank = (text == "").to_numpy()
            if not c.blank_ok:
                what = "mã" if c.kind == "id" else "nội dung"
                col.add(c.name, None, f"cần {what}, không được để trống", blank)
            invalid[c.name] = blank
            out[c.name] = text
        elif c.kind == "group":
            blank = (text == "").to_numpy()
            col.add(c.name, None, "cần tên khối, không được để trống", blank)
            invalid[c.name] = blank
            gp = _labels(text, None, crit.groups)
            labels = np.array([*crit.groups.eras[0].labels, ""], dtype=object)
            known = gp.levels >= 0
            out[c.name] = pd.Series(
                np.where(known, labels[gp.levels], text.to_numpy(dtype=object)), dtype="str"
            )
            codes, uniq = pd.factorize(out[c.name])
            out["group_key"] = pd.Series(np.array([fold(g) for g in uniq], dtype=object)[codes], dtype="str")
            _note_unknown_groups(where, text[gp.unknown], crit, notes)
        else:
            fam = {"band": crit.band_scales, "role": crit.roles}.get(c.kind)
            if fam is None:
                fam = crit.scales("cadre" if c.kind == "rating" else "party_org")
            if c.kind in ("band", "role") or years is None:
                p = _labels(text, None, fam)
            else:
                p = _labels(text, np.where(years >= 0, years, YEAR_RANGE[1]), fam)
            blank = (text == "").to_numpy()
            accepted = _accepted_text(fam, c.kind)
            col.add(c.name, text, f"nhãn không được chấp nhận; cần một trong: {accepted}", p.unknown)
            if not c.blank_ok:
                col.add(c.name, None, f"không được để trống; cần một trong: {accepted}", blank)
            invalid[c.name] = p.unknown | (blank & (not c.blank_ok))
            out[c.name] = p.levels
            out[c.name + "_other_era"] = p.other_era
            out[c.name + "_blank"] = blank
    frame = pd.DataFrame(out)
    # checks across the columns of a row
    if table in ("unit_dossiers", "official_dossiers") and complete:
        both = ~invalid["late"] & ~invalid["handled"]
        col.add(
            "late",
            frame["late"].to_numpy(),
            "số hồ sơ trễ hạn (late) không được lớn hơn số hồ sơ đã giải quyết (handled)",
            both & (frame["late"].to_numpy() > frame["handled"].to_numpy()),
        )
    if table == "reform_results" and complete:
        neither = frame["score_blank"].to_numpy() & frame["band_blank"].to_numpy()
        col.add(
            "score/band",
            None,
            "cần điểm (score) hoặc xếp loại (band); không được để trống cả hai",
            neither,
        )
    return _Typed(frame, invalid, complete, where)


def _note_unknown_groups(where: str, names: pd.Series, crit: Criteria, notes: list[str]) -> None:
    if not len(names):
        return
    known = list(crit.groups.eras[0].labels)
    by_fold = {fold(k): k for k in known}
    parts = []
    for name in sorted(set(names.tolist())):
        close = difflib.get_close_matches(fold(name), list(by_fold), n=1, cutoff=0.6)
        parts.append(f"«{name}»" + (f" (có phải «{by_fold[close[0]]}»?)" if close else ""))
    notes.append(
        f"{where}: khối {', '.join(parts)} không có trong tiêu chí ({' / '.join(known)}); "
        "được xếp hạng như một khối riêng."
    )


def _accepted_text(fam, kind) -> str:
    if kind == "role":
        era = fam.eras[0]
        return "; ".join(f"{k} ({', '.join(_aliases(era, i))})" for i, k in enumerate(era.keys))
    parts = []
    for era in fam.eras:
        span = ""
        if era.valid_from or era.valid_to:
            span = (
                f" [{era.source}, "
                + (f"từ {era.valid_from}" if era.valid_from else "")
                + (f"đến {era.valid_to}" if era.valid_to else "")
                + "]"
            )
        parts.append(" / ".join(era.labels) + span)
    return "; ".join(parts) + " (hoặc chữ viết tắt thông dụng)"


def _aliases(era, level):
    return sorted({k for k, v in era.lookup.items() if v == level})


# ---------------------------------------------------------------------------------------
# Keys and references, across tables. Ids are turned into integer codes once per key space.


def _id_codes(typed: dict[str, _Typed], spec: list[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
    """Shared integer codes (-1 for a blank id) of the (table, column) pairs present."""
    spec = [(t, c) for t, c in spec if t in typed]
    cols = [typed[t].frame[c] for t, c in spec]
    codes, _ = encode(*cols)
    out = {}
    for (t, c), code, s in zip(spec, codes, cols, strict=True):
        out[(t, c)] = np.where((s == "").to_numpy(), -1, code)
    return out


def _with_year(codes: np.ndarray, t: _Typed) -> np.ndarray:
    """One integer per (id, year); -1 where the id is blank or the year invalid."""
    years = t.frame["year"].to_numpy()
    bad_year = t.invalid.get("year", np.zeros(len(years), dtype=bool))
    return np.where((codes >= 0) & ~bad_year, codes * 1024 + (years - YEAR_RANGE[0]), -1)


def _duplicates(table: str, typed: _Typed, key: np.ndarray, problems: list[Problem]) -> None:
    """Later rows of a key already seen; rows whose key cells are invalid are not compared."""
    t = typed
    valid = key >= 0
    for k in KEYS[table]:
        if k in t.invalid:
            valid &= ~t.invalid[k]
    s = pd.Series(np.where(valid, key, -1 - np.arange(len(key))))
    later = s.duplicated(keep="first").to_numpy()
    if not later.any():
        return
    first_pos = pd.Series(np.arange(len(s))).groupby(s.to_numpy()).transform("min").to_numpy()
    rows = t.frame["row"].to_numpy()
    last = KEYS[table][-1]
    idx = np.flatnonzero(later)
    values = t.frame[last].iloc[idx[:MAX_ROWS_PER_PROBLEM]].tolist()
    for i, v in zip(idx[:MAX_ROWS_PER_PROBLEM], values, strict=True):
        problems.append(
            Problem(
                t.where,
                int(rows[i]),
                last,
                str(v),
                f"trùng khóa ({', '.join(KEYS[table])}) — {KEY_WORDS[table]}; đã có ở dòng {int(rows[first_pos[i]])}",
            )
        )
    if len(idx) > MAX_ROWS_PER_PROBLEM:
        problems.append(
            Problem(
                t.where,
                None,
                last,
                None,
                f"… và {len(idx) - MAX_ROWS_PER_PROBLEM:,} dòng trùng khóa khác".replace(",", "."),
            )
        )


def _check_keys(typed: dict[str, _Typed], sources: dict[str, Source], problems: list[Problem]) -> dict:
    """Duplicate keys and unknown ids; returns the integer codes computed on the way."""
    # units and everything that names a unit
    unit_spec = [("units", "unit_id")] + [
        (t, "unit_id") for t in ("reform_results", "unit_dossiers", "officials", "party_orgs")
    ]
    ucodes = _id_codes(typed, unit_spec)
    for t in TABLE_NAMES:
        if t not in typed or not typed[t].complete:
            continue
        if t == "units":
            _duplicates(t, typed[t], ucodes[(t, "unit_id")], problems)
        elif t in ("reform_results", "unit_dossiers"):
            _duplicates(t, typed[t], _with_year(ucodes[(t, "unit_id")], typed[t]), problems)
    if "units" in typed and typed["units"].complete:
        known = np.unique(ucodes[("units", "unit_id")])
        for t in ("reform_results", "unit_dossiers", "officials", "party_orgs"):
            if (t, "unit_id") in ucodes and typed[t].complete:
                c = ucodes[(t, "unit_id")]
                _Collector(problems, typed[t].where, typed[t].frame["row"].to_numpy()).add(
                    "unit_id",
                    typed[t].frame["unit_id"],
                    "mã đơn vị không có trong bảng units",
                    (c >= 0) & ~np.isin(c, known),
                )
    # officials and their dossier counts
    ocodes = _id_codes(typed, [("officials", "official_id"), ("official_dossiers", "official_id")])
    okey = dkey = None
    if ("officials", "official_id") in ocodes and typed["officials"].complete:
        okey = _with_year(ocodes[("officials", "official_id")], typed["officials"])
        _duplicates("officials", typed["officials"], okey, problems)
    if ("official_dossiers", "official_id") in ocodes and typed["official_dossiers"].complete:
        d = typed["official_dossiers"]
        dkey = _with_year(ocodes[("official_dossiers", "official_id")], d)
        _duplicates("official_dossiers", d, dkey, problems)
        if okey is not None:
            dc = ocodes[("official_dossiers", "official_id")]
            checkable = dkey >= 0
            oc = ocodes[("officials", "official_id")]
            in_any = np.isin(dc, oc)
            in_year = pd.Series(dkey).isin(pd.Series(okey)).to_numpy()
            # an official whose year is unreadable in `officials` is reported there, not again here
            o_bad_year = typed["officials"].invalid.get("year")
            if o_bad_year is not None and o_bad_year.any():
                checkable &= ~np.isin(dc, oc[o_bad_year])
            col = _Collector(problems, d.where, d.frame["row"].to_numpy())
            col.add(
                "official_id",
                d.frame["official_id"],
                "mã cán bộ không có trong bảng officials",
                checkable & ~in_any,
            )
            col.add(
                "official_id",
                d.frame["official_id"],
                "mã cán bộ không có trong bảng officials của cùng năm (có ở năm khác)",
                checkable & in_any & ~in_year,
            )
    # party organisations
    pspec = [("party_orgs", "party_org_id"), ("units", "party_org_id")]
    pcodes = _id_codes(typed, pspec)
    if ("party_orgs", "party_org_id") in pcodes and typed["party_orgs"].complete:
        p = typed["party_orgs"]
        _duplicates("party_orgs", p, _with_year(pcodes[("party_orgs", "party_org_id")], p), problems)
    # only against a party_orgs table with rows: a header-only one is "no data", like no file
    has_decl = (
        "units" in typed
        and typed["units"].complete
        and (typed["units"].frame["party_org_id"] != "").any()
        and "party_orgs" in typed
        and len(typed["party_orgs"].frame) > 0
    )
    if ("party_orgs", "party_org_id") in pcodes and typed["party_orgs"].complete and has_decl:
        u, p = typed["units"], typed["party_orgs"]
        uc = pcodes[("units", "party_org_id")]
        pc = pcodes[("party_orgs", "party_org_id")]
        ucol = _Collector(problems, u.where, u.frame["row"].to_numpy())
        ucol.add(
            "party_org_id",
            u.frame["party_org_id"],
            "mã tổ chức đảng không có trong bảng party_orgs",
            (uc >= 0) & ~np.isin(uc, pc),
        )
        # the unit that units.party_org_id declares must be the unit party_orgs names
        decl = pd.DataFrame({"code": uc, "unit": u.frame["unit_id"], "row": u.frame["row"]})
        decl = decl[decl["code"] >= 0].drop_duplicates("code")
        pos = pd.Index(decl["code"]).get_indexer(pc)
        hit = np.flatnonzero(pos >= 0)
        declared_unit = decl["unit"].to_numpy(dtype=object)[pos[hit]]
        named_unit = p.frame["unit_id"].to_numpy(dtype=object)[hit]
        differs = np.zeros(len(pc), dtype=bool)
        differs[hit] = declared_unit != named_unit
        differs &= ~p.invalid.get("unit_id", np.zeros(len(pc), dtype=bool))
        for i in np.flatnonzero(differs)[:MAX_ROWS_PER_PROBLEM]:
            j = pos[i]
            problems.append(
                Problem(
                    p.where,
                    int(p.frame["row"].iat[i]),
                    "unit_id",
                    str(p.frame["unit_id"].iat[i]),
                    f"tổ chức đảng {p.frame['party_org_id'].iat[i]} thuộc đơn vị {decl['unit'].iat[j]} "
                    f"theo bảng units ({u.where}, dòng {int(decl['row'].iat[j])}, cột party_org_id)",
                )
            )
        if differs.sum() > MAX_ROWS_PER_PROBLEM:
            problems.append(
                Problem(
                    p.where,
                    None,
                    "unit_id",
                    None,
                    f"… và {int(differs.sum()) - MAX_ROWS_PER_PROBLEM} dòng khác có đơn vị khác với bảng units",
                )
            )

    return {**ucodes, **{("official", k[0]): v for k, v in ocodes.items()}}


# ---------------------------------------------------------------------------------------


def load_records(
    data: str | Path | None = None, criteria: Criteria | None = None, year: int | None = None
) -> Records:
    """Load and validate the input tables (SPEC §3). `None` loads the embedded sample.

    With `year`, what evaluating that year needs (records of the year, proposed ratings) is
    checked in the same pass, so every problem is listed at once.

    Raises `ValidationError` listing every problem found; nothing is returned half-read.
    """
    crit = criteria or load_criteria()
    if data is None:
        from .sample import sample_path

        data = sample_path()
    data = Path(data)
    problems: list[Problem] = []
    notes: list[str] = []
    files = _Files()
    sources = _find_sources(data, files, problems, notes)
    for t in REQUIRED_TABLES:
        if t not in sources and not any(p.expected.startswith("không tìm thấy") for p in problems):
            problems.append(
                Problem(
                    str(data.name or data),
                    None,
                    None,
                    None,
                    f"thiếu bảng bắt buộc {t} ({t}.csv, {t}.parquet hoặc trang {t} của tệp .xlsx)",
                )
            )
    typed: dict[str, _Typed] = {}
    for t in TABLE_NAMES:
        src = sources.get(t)
        if src is None:
            continue
        raw = _read(src, files, problems)
        if raw is None:
            continue
        got = _typed_table(t, raw, src.where, crit, problems, notes)
        if got is not None:
            typed[t] = got
    if "criterion_scores" in sources or "survey_results" in sources:  # reform index: scores from points
        from .index.producer import fill_loaded

        fill_loaded(typed, sources, crit, problems, notes)
    for t in OPTIONAL_EFFECT:
        if t not in sources:
            notes.append(f"Không có bảng {t}: {OPTIONAL_EFFECT[t]}.")
    codes = _check_keys(typed, sources, problems)
    if year is not None:
        frames = {t: typed[t].frame for t in typed if typed[t].complete}
        problems += year_problems(frames, sources, int(year), str(data))
    if problems:
        raise ValidationError(_sorted(problems, sources))
    frames = {t: typed[t].frame for t in typed}
    frames.update({t: _empty(t) for t in TABLE_NAMES if t not in frames})
    sha = {
        src.path.name: files.sha256(src.path) if t in TABLE_NAMES else _file_sha256(src.path)
        for t, src in sources.items()
    }
    records = Records(
        **frames,
        present=frozenset(t for t in sources),
        sources=sources,
        notes=notes,
        input_sha256=dict(sorted(sha.items())),
        origin=str(data),
    )
    _keep_codes(records, codes)
    if year is not None:
        records.__dict__.setdefault("_checked_years", set()).add(int(year))
    return records


def _file_sha256(path: Path) -> str:
    """SHA-256 of a file read in chunks (an optional table may be larger than memory)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _keep_codes(records: Records, codes: dict) -> None:
    """Keep the integer keys validation computed, so evaluating does not hash the ids again.

    The cache (`records._codes`) holds, for each table naming a unit, the row of `units` of
    each row; and the shared official-id codes of `officials` and `official_dossiers`.
    """
    unit_key = codes.get(("units", "unit_id"))
    if unit_key is None:
        return
    n = int(max([0, *[int(c.max()) + 1 for c in codes.values() if len(c)]]))
    cache: dict = {}
    for t in ("reform_results", "unit_dossiers", "officials", "party_orgs"):
        c = codes.get((t, "unit_id"), np.zeros(0, dtype=np.int64))
        cache[t] = positions(c, unit_key, n)
    cache["official"] = codes.get(("official", "officials"), np.zeros(0, dtype=np.int64))
    cache["official_dossier"] = codes.get(("official", "official_dossiers"), np.zeros(0, dtype=np.int64))
    cache["n_officials"] = n
    records.__dict__["_codes"] = cache


def year_problems(frames: dict[str, pd.DataFrame], sources: dict[str, Source], year: int, origin: str):
    """What is missing for evaluating `year`: any record at all, the proposed ratings."""
    problems = []
    with_year = ("reform_results", "unit_dossiers", "officials", "official_dossiers", "party_orgs")
    if not any((frames[t]["year"] == year).any() for t in with_year if t in frames):
        have = sorted({int(y) for t in with_year if t in frames for y in frames[t]["year"].unique()})
        problems.append(
            Problem(
                origin or "dữ liệu",
                None,
                "year",
                str(year),
                "năm đánh giá không có dữ liệu nào"
                + (f"; các năm có dữ liệu: {', '.join(map(str, have))}" if have else ""),
            )
        )
    for table, col in (("officials", "proposed_rating"), ("party_orgs", "proposed_classification")):
        if table not in frames:
            continue
        df = frames[table]
        blank_cell = df[col + "_blank"] if col + "_blank" in df else True
        blank = df[(df["year"] == year) & (df[col] == MISSING) & blank_cell]
        src = sources.get(table)
        _Collector(problems, src.where if src else table, blank["row"].to_numpy()).add(
            col,
            pd.Series([""] * len(blank)),
            f"cần xếp loại đề xuất cho năm đánh giá {year}",
            np.ones(len(blank), dtype=bool),
        )
    return problems


def _sorted(problems: list[Problem], sources: dict[str, Source]) -> list[Problem]:
    """Files in the order of the tables; in a file, file-level problems first, then by row and column."""
    table_order = {src.where: (*TABLE_NAMES, *EXTRA_TABLES).index(t) for t, src in sources.items()}
    col_order: dict[tuple[str, str], int] = {}
    for t, src in sources.items():
        for i, c in enumerate(SCHEMAS.get(t, ())):
            col_order[(src.where, c.name)] = i

    def key(p: Problem):
        summary = p.row is None and p.expected.startswith("…")  # "… and N more rows": last
        return (
            table_order.get(p.where, -1),
            p.where,
            2 if summary else p.row is not None,
            p.row or 0,
            col_order.get((p.where, p.column or ""), 99),
        )

    seen, out = set(), []
    for p in sorted(problems, key=key):
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _empty(table: str, crit: Criteria | None = None) -> pd.DataFrame:
    return _empty_cached(table).copy()


@functools.cache
def _empty_cached(table: str) -> pd.DataFrame:
    cols: dict[str, pd.Series] = {"row": pd.Series([], dtype="int64")}
    for c in SCHEMAS[table]:
        if c.kind in ("year", "count"):
            cols[c.name] = pd.Series([], dtype="int64")
        elif c.kind == "score":
            cols["score_cents"] = pd.Series([], dtype="int64")
            cols["score_blank"] = pd.Series([], dtype="bool")
        elif c.kind in ("id", "text", "group"):
            cols[c.name] = pd.Series([], dtype="str")
            if c.kind == "group":
                cols["group_key"] = pd.Series([], dtype="str")
        else:
            cols[c.name] = pd.Series([], dtype="int8")
            cols[c.name + "_other_era"] = pd.Series([], dtype="bool")
            cols[c.name + "_blank"] = pd.Series([], dtype="bool")
    return pd.DataFrame(cols)
