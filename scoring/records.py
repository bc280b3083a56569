"""The six input tables of SPEC §3: found, read, validated and typed.

Every problem of every table is collected in one pass and reported together, in Vietnamese,
with the file, the row as the user sees it (the header is row 1), the column, the value and
what was expected. Nothing here changes an input file.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .criteria import Criteria, load_criteria
from .labels import MISSING, fold, parse_labels

TABLE_NAMES = (
    "units",
    "reform_results",
    "unit_dossiers",
    "officials",
    "official_dossiers",
    "party_orgs",
)
REQUIRED_TABLES = ("units", "reform_results", "officials")
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
        Col("score", "score", blank_ok=True),
        Col("band", "band", blank_ok=True),
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
# Finding and reading the files


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_TABLE_BY_FOLD = {fold(t): t for t in TABLE_NAMES}
_SUFFIXES = (".csv", ".parquet", ".xlsx")
# Files that look like data but are not read: reported, since they are often misnamed tables.
_DATA_LIKE = (*_SUFFIXES, ".xls", ".tsv", ".txt", ".ods", ".json")
# Extra columns kept for people (where a figure comes from, a remark): ignored without a word.
_DOC_COLUMNS = {"source", "note", "notes", "ghi chu", "nguon"}


def _find_sources(data: Path, problems: list[Problem], notes: list[str]) -> dict[str, Source]:
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
        _workbook_sources(data, add, problems, notes)
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
            _workbook_sources(path, add, problems, notes, strict=False, unknown=unknown)
        else:
            unknown.append(path.name)
    for name in unknown:
        close = difflib.get_close_matches(fold(Path(name).stem), list(_TABLE_BY_FOLD), n=1)
        hint = f"; có phải bảng {_TABLE_BY_FOLD[close[0]]}?" if close else ""
        notes.append(f"Tệp {name} trong thư mục dữ liệu không phải bảng nào đã biết (bỏ qua{hint}).")
    return sources


def _workbook_sources(path, add, problems, notes, strict=True, unknown=None):
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True)
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


def _read_csv(src: Source, problems: list[Problem]) -> pd.DataFrame | None:
    raw = src.path.read_bytes()
    if not raw.strip(b"\xef\xbb\xbf \r\n\t"):
        problems.append(Problem(src.where, None, None, None, "tệp rỗng (cần dòng tiêu đề và dữ liệu)"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(
                src.where,
                line,
                None,
                None,
                "tệp không phải mã UTF-8 (có thể là Windows-1258 hoặc TCVN3). Hãy mở tệp trong "
                "Excel và lưu lại bằng «CSV UTF-8 (Comma delimited)»",
            )
        )
        return None
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        problems.append(Problem(src.where, None, None, None, f"không đọc được tệp CSV ({exc})"))
        return None
    df.insert(0, "__row__", np.arange(2, len(df) + 2))
    return df


def _read_sheet(src: Source, problems: list[Problem]) -> pd.DataFrame | None:
    import openpyxl

    wb = openpyxl.load_workbook(src.path, read_only=True, data_only=True)
    ws = wb[src.sheet] if src.sheet else wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    if not rows or all(v is None for v in rows[0]):
        problems.append(Problem(src.where, None, None, None, "trang rỗng (cần dòng tiêu đề và dữ liệu)"))
        return None
    header = ["" if v is None else str(v) for v in rows[0]]

    def cell(v):
        if v is None:
            return ""
        if isinstance(v, bool):
            return str(v).lower()
        if isinstance(v, float):
            return str(int(v)) if v.is_integer() else repr(v)
        return str(v)

    body = [[cell(v) for v in r[: len(header)]] + [""] * (len(header) - len(r)) for r in rows[1:]]
    df = pd.DataFrame(body, columns=header, dtype=str) if body else pd.DataFrame(columns=header, dtype=str)
    df.insert(0, "__row__", np.arange(2, len(df) + 2))
    return df


def _read_parquet(src: Source, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        df = pd.read_parquet(src.path)
    except Exception as exc:
        problems.append(Problem(src.where, None, None, None, f"không đọc được tệp Parquet ({exc})"))
        return None
    df = df.reset_index(drop=True)
    df.insert(0, "__row__", np.arange(1, len(df) + 1))
    return df


def _read(src: Source, problems: list[Problem]) -> pd.DataFrame | None:
    suffix = src.path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(src, problems)
    if suffix == ".xlsx":
        return _read_sheet(src, problems)
    return _read_parquet(src, problems)


# ---------------------------------------------------------------------------------------
# Column parsers: each returns typed values and a mask of bad cells


def _as_text(s: pd.Series) -> pd.Series:
    if s.dtype.kind in "iub":
        return s.astype(str)
    if s.dtype.kind == "f":
        return s.map(lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else repr(v)))
    return s.astype("str").fillna("").str.strip()


def _parse_int(s: pd.Series, low: int | None = None, high: int | None = None):
    if s.dtype.kind in "iu":
        vals = s.to_numpy(dtype=np.int64)
        blank = np.zeros(len(s), dtype=bool)
        bad = np.zeros(len(s), dtype=bool)
    else:
        t = _as_text(s)
        blank = (t == "").to_numpy()
        ok = t.str.fullmatch(r"\d{1,15}(?:\.0+)?").to_numpy(dtype=bool, na_value=False)
        bad = ~ok & ~blank
        vals = np.zeros(len(s), dtype=np.int64)
        if ok.any():
            vals[ok] = t[ok].str.split(".", n=1).str[0].astype("int64").to_numpy()
    if low is not None:
        bad |= ~blank & ~bad & (vals < low)
    if high is not None:
        bad |= ~blank & ~bad & (vals > high)
    return vals, blank, bad


def _parse_score(s: pd.Series):
    """Score in hundredths, rounded half up on the decimal value as written (84.995 -> 8500)."""
    t = _as_text(s).str.replace(",", ".", regex=False)
    blank = (t == "").to_numpy()
    m = t.str.extract(r"^\+?(\d{1,3})(?:\.(\d*))?$")
    ok = m[0].notna().to_numpy()
    bad = ~ok & ~blank
    cents = np.full(len(s), -1, dtype=np.int64)
    too_high = np.zeros(len(s), dtype=bool)
    if ok.any():
        ip = m.loc[ok, 0].astype("int64").to_numpy()
        frac = m.loc[ok, 1].fillna("").astype("str")
        digits = (frac + "000").str.slice(0, 3).astype("int64").to_numpy()
        c = ip * 100 + digits // 10 + (digits % 10 >= 5)
        rest_nonzero = frac.str.strip("0").str.len().to_numpy() > 0
        too_high[ok] = (ip > 100) | ((ip == 100) & rest_nonzero)
        cents[ok] = c
    return cents, blank, bad, too_high


# ---------------------------------------------------------------------------------------


def _column_map(df: pd.DataFrame, table: str, where: str, problems: list[Problem], notes):
    schema = SCHEMAS[table]
    by_fold = {}
    for c in df.columns[1:]:
        by_fold.setdefault(fold(c), c)
    names = {}
    wanted = {fold(col.name): col for col in schema}
    for col in schema:
        got = by_fold.get(fold(col.name))
        if got is not None:
            names[col.name] = got
        elif col.required:
            others = [c for f, c in by_fold.items() if f not in wanted]
            close = difflib.get_close_matches(col.name, [str(o) for o in others], n=1, cutoff=0.5)
            hint = f"; có cột «{close[0]}» — có phải viết sai tên?" if close else ""
            problems.append(
                Problem(
                    where,
                    1,
                    col.name,
                    None,
                    f"thiếu cột bắt buộc {col.name} (các cột cần có: "
                    + ", ".join(c.name for c in schema if c.required)
                    + f"){hint}",
                )
            )
    extra = [str(c) for f, c in by_fold.items() if f not in wanted and f not in _DOC_COLUMNS]
    if extra:
        notes.append(f"{where}: bỏ qua các cột không dùng đến: {', '.join(extra)}.")
    return names


class _Collector:
    """Collects problems by (file, column, kind) so a million bad rows make one readable line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems

    def add(self, where, rows, column, values, expected, mask):
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        for i in idx[:MAX_ROWS_PER_PROBLEM]:
            self.problems.append(Problem(where, int(rows[i]), column, str(values[i]), expected))
        if len(idx) > MAX_ROWS_PER_PROBLEM:
            self.problems.append(
                Problem(
                    where,
                    None,
                    column,
                    None,
                    f"… và {len(idx) - MAX_ROWS_PER_PROBLEM} dòng khác có cùng lỗi ({expected})",
                )
            )


def _typed_table(table, df, where, crit: Criteria, problems, notes) -> pd.DataFrame | None:
    names = _column_map(df, table, where, problems, notes)
    schema = SCHEMAS[table]
    if any(col.required and col.name not in names for col in schema):
        return None
    col = _Collector(problems)
    # blank lines in the file are not records
    present = [names[c.name] for c in schema if c.name in names]
    texts = {c: _as_text(df[c]) for c in present}
    all_blank = np.logical_and.reduce([(texts[c] == "").to_numpy() for c in present])
    keep = ~all_blank
    df = df.loc[keep].reset_index(drop=True)
    texts = {c: t.loc[keep].reset_index(drop=True) for c, t in texts.items()}
    if len(df) == 0:
        problems.append(Problem(where, None, None, None, "không có dòng dữ liệu nào"))
        return None
    rows = df["__row__"].to_numpy()
    out = pd.DataFrame({"row": rows})
    years = None
    for c in schema:
        if c.name not in names:
            out[c.name] = "" if c.kind in ("id", "text") else MISSING
            continue
        raw = df[names[c.name]]
        shown = texts[names[c.name]].to_numpy()
        if c.kind == "year":
            vals, blank, bad = _parse_int(raw, 1900, 2100)
            col.add(where, rows, c.name, shown, "cần năm là số nguyên (ví dụ 2018)", bad | blank)
            out[c.name] = vals
            years = np.where(bad | blank, -1, vals)
        elif c.kind == "count":
            vals, blank, bad = _parse_int(raw, 0)
            col.add(where, rows, c.name, shown, "cần số nguyên không âm (số hồ sơ)", bad | blank)
            out[c.name] = vals
        elif c.kind == "score":
            cents, blank, bad, high = _parse_score(raw)
            col.add(where, rows, c.name, shown, "cần điểm là một số từ 0 đến 100 (ví dụ 85,20)", bad | high)
            out["score_cents"] = np.where(high, -1, cents)
            out["score_blank"] = blank
        elif c.kind in ("id", "text"):
            blank = texts[names[c.name]].to_numpy() == ""
            if not c.blank_ok:
                what = "mã" if c.kind == "id" else "nội dung"
                col.add(where, rows, c.name, shown, f"cần {what}, không được để trống", blank)
            out[c.name] = texts[names[c.name]].to_numpy()
        elif c.kind == "group":
            gp = parse_labels(texts[names[c.name]], None, crit.groups)
            blank = texts[names[c.name]].to_numpy() == ""
            col.add(where, rows, c.name, shown, "cần tên khối, không được để trống", blank)
            labels = np.array(crit.groups.eras[0].labels + ("",), dtype=object)
            known = labels[gp.levels]
            out[c.name] = np.where(gp.levels >= 0, known, shown)
            out["group_key"] = [fold(g) for g in out[c.name]]
        else:
            fam = {"band": crit.band_scales, "role": crit.roles}.get(c.kind)
            if fam is None:
                fam = crit.scales("cadre" if c.kind == "rating" else "party_org")
            if c.kind in ("band", "role"):
                p = parse_labels(texts[names[c.name]], None, fam)
            else:
                yrs = np.where(years >= 0, years, 2100) if years is not None else None
                p = parse_labels(texts[names[c.name]], yrs, fam)
            blank = shown == ""
            accepted = _accepted_text(fam, c.kind)
            col.add(
                where, rows, c.name, shown, f"nhãn không được chấp nhận; cần một trong: {accepted}", p.unknown
            )
            if not c.blank_ok:
                col.add(where, rows, c.name, shown, f"không được để trống; cần một trong: {accepted}", blank)
            out[c.name] = p.levels
            out[c.name + "_other_era"] = p.other_era
            out[c.name + "_blank"] = blank
    return out


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


def _duplicates(table, df, where, problems):
    keys = list(KEYS[table])
    dup = df.duplicated(keys, keep=False)
    if not dup.any():
        return df
    d = df.loc[dup]
    first_row = d.groupby(keys, sort=False)["row"].transform("min")
    later = d.loc[d["row"] != first_row]
    first_row = first_row.loc[later.index]
    coll = _Collector(problems)
    coll.add(
        where,
        later["row"].to_numpy(),
        keys[-1],
        later[keys[-1]].astype(str).to_numpy(),
        f"trùng khóa ({', '.join(keys)}) — {KEY_WORDS[table]}; đã có ở dòng "
        + ", ".join(map(str, sorted(set(first_row.to_numpy().tolist()))[:5])),
        np.ones(len(later), dtype=bool),
    )
    return df


def _unknown_refs(where, df, column, known: pd.Index, what, problems):
    missing = ~pd.Index(df[column]).isin(known) & (df[column] != "").to_numpy()
    _Collector(problems).add(
        where,
        df["row"].to_numpy(),
        column,
        df[column].to_numpy(),
        f"mã {what} không có trong bảng {'units' if what == 'đơn vị' else 'officials'}",
        np.asarray(missing),
    )


def load_records(data: str | Path | None = None, criteria: Criteria | None = None) -> Records:
    """Load and validate the input tables (SPEC §3). `None` loads the embedded sample.

    Raises `ValidationError` listing every problem found; nothing is returned half-read.
    """
    crit = criteria or load_criteria()
    if data is None:
        from .sample import sample_path

        data = sample_path()
    data = Path(data)
    problems: list[Problem] = []
    notes: list[str] = []
    sources = _find_sources(data, problems, notes)
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
    frames: dict[str, pd.DataFrame] = {}
    for t in TABLE_NAMES:
        src = sources.get(t)
        if src is None:
            continue
        raw = _read(src, problems)
        if raw is None:
            continue
        typed = _typed_table(t, raw, src.where, crit, problems, notes)
        if typed is not None:
            frames[t] = _duplicates(t, typed, src.where, problems)
    for t in OPTIONAL_EFFECT:
        if t not in sources:
            notes.append(f"Không có bảng {t}: {OPTIONAL_EFFECT[t]}.")
    if "units" in frames:
        unit_ids = pd.Index(frames["units"]["unit_id"])
        for t in ("reform_results", "unit_dossiers", "officials", "party_orgs"):
            if t in frames:
                _unknown_refs(sources[t].where, frames[t], "unit_id", unit_ids, "đơn vị", problems)
    if "officials" in frames and "official_dossiers" in frames:
        o = frames["officials"]
        keys = pd.MultiIndex.from_arrays([o["year"], o["official_id"]])
        d = frames["official_dossiers"]
        missing = ~pd.MultiIndex.from_arrays([d["year"], d["official_id"]]).isin(keys)
        _Collector(problems).add(
            sources["official_dossiers"].where,
            d["row"].to_numpy(),
            "official_id",
            d["official_id"].to_numpy(),
            "mã cán bộ không có trong bảng officials của cùng năm",
            np.asarray(missing),
        )
    for t in ("unit_dossiers", "official_dossiers"):
        if t in frames:
            d = frames[t]
            _Collector(problems).add(
                sources[t].where,
                d["row"].to_numpy(),
                "late",
                d["late"].astype(str).to_numpy(),
                "số hồ sơ trễ hạn (late) không được lớn hơn số hồ sơ đã giải quyết (handled)",
                (d["late"] > d["handled"]).to_numpy(),
            )
    if "reform_results" in frames:
        r = frames["reform_results"]
        neither = r["score_blank"].to_numpy() & r["band_blank"].to_numpy()
        _Collector(problems).add(
            sources["reform_results"].where,
            r["row"].to_numpy(),
            "score",
            np.array([""] * len(r), dtype=object),
            "cần điểm (score) hoặc xếp loại (band); không được để trống cả hai",
            neither,
        )
    if problems:
        raise ValidationError(_sorted(problems))
    empty = {t: _empty(t, crit) for t in TABLE_NAMES if t not in frames}
    frames.update(empty)
    sha = {src.where: _sha256(src.path) for src in sources.values()}
    return Records(
        **frames,
        present=frozenset(t for t in sources),
        sources=sources,
        notes=notes,
        input_sha256=dict(sorted(sha.items())),
        origin=str(data),
    )


def _sorted(problems: list[Problem]) -> list[Problem]:
    order = {name: i for i, name in enumerate(TABLE_NAMES)}

    def key(p: Problem):
        t = next((i for name, i in order.items() if p.where.split(".")[0].endswith(name)), 99)
        return (p.where, t, p.row or 0)

    seen, out = set(), []
    for p in sorted(problems, key=key):
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _empty(table: str, crit: Criteria) -> pd.DataFrame:
    cols: dict[str, pd.Series] = {"row": pd.Series([], dtype="int64")}
    for c in SCHEMAS[table]:
        if c.kind in ("year", "count"):
            cols[c.name] = pd.Series([], dtype="int64")
        elif c.kind == "score":
            cols["score_cents"] = pd.Series([], dtype="int64")
            cols["score_blank"] = pd.Series([], dtype="bool")
        elif c.kind in ("id", "text", "group"):
            cols[c.name] = pd.Series([], dtype="object")
        else:
            cols[c.name] = pd.Series([], dtype="int8")
            cols[c.name + "_other_era"] = pd.Series([], dtype="bool")
            cols[c.name + "_blank"] = pd.Series([], dtype="bool")
    return pd.DataFrame(cols)
