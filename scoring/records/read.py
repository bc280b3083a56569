"""Reading one table: every reader returns a frame of text (or typed Parquet) columns.

The frame keeps the header's own names and `__row__`, the row as seen in the file;
`attrs["decimal_comma"]` says whether numbers follow Vietnamese regional settings (`;` files).
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from .problems import Problem
from .sources import Files, Source, open_workbook

UTF8_HINT = (
    "tệp không phải mã UTF-8 (có thể là Windows-1258 hoặc TCVN3). Hãy mở tệp trong Excel và "
    "lưu lại bằng «CSV UTF-8 (Comma delimited) (*.csv)», hoặc trong LibreOffice chọn bộ mã "
    "Unicode (UTF-8)"
)


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


def _read_sheet(src: Source, files: Files, problems: list[Problem]) -> pd.DataFrame | None:
    wb = open_workbook(src.path, files)
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


def _read_parquet(src: Source, files: Files, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        df = pd.read_parquet(io.BytesIO(files.read(src.path)))
    except Exception as exc:
        problems.append(Problem(src.where, None, None, None, f"không đọc được tệp Parquet ({exc})"))
        return None
    df = df.reset_index(drop=True)
    out = _frame([str(c) for c in df.columns], [df[c] for c in df.columns], 1)
    out.attrs["decimal_comma"] = False
    return out


def read_table(src: Source, files: Files, problems: list[Problem]) -> pd.DataFrame | None:
    suffix = src.path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(src, files.read(src.path), problems)
    if suffix == ".xlsx":
        return _read_sheet(src, files, problems)
    return _read_parquet(src, files, problems)
