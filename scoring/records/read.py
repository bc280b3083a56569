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

from ..labels import fold
from .files import Files, Source
from .legacy import SOURCE_NAMES, legacy_encoding
from .problems import Problem
from .schema import LABEL_KINDS, SCHEMAS
from .sheets import SheetError, read_grid
from .sources import unreadable

UTF8_HINT = (
    "tệp không phải mã UTF-8 (có thể là Windows-1258 hoặc TCVN3). Hãy mở tệp trong Excel và "
    "lưu lại bằng «CSV UTF-8 (Comma delimited) (*.csv)», hoặc trong LibreOffice chọn bộ mã "
    "Unicode (UTF-8)"
)


_BOM = b"\xef\xbb\xbf"
# How far down a sheet the header is looked for, below a title block.
HEADER_SEARCH_ROWS = 10


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
    if b"\r" in body and b"\n" not in body:  # old Mac Excel ends lines with CR alone
        body = body.replace(b"\r", b"\n")
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
    hint = UTF8_HINT
    try:
        body.decode("utf-8")
        line = None
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        # text typed with a TCVN3 or VNI font and saved as bytes: say which, and what it reads as
        text = body.split(b"\n")[line - 1].decode("latin-1")
        found = next(filter(None, map(legacy_encoding, re.split(r"[,;\t]", text))), None)
        if found:
            hint = (
                f"tệp không phải mã UTF-8: chữ có vẻ được gõ bằng bảng mã {SOURCE_NAMES[found[0]]} "
                f"(ví dụ «{found[1]}»). Hãy chuyển sang Unicode bằng Unikey («Công cụ chuyển mã», nguồn "
                f"{SOURCE_NAMES[found[0]]}, đích Unicode), rồi lưu lại bằng «CSV UTF-8 (Comma delimited) (*.csv)»"
            )
    problems.append(Problem(src.where, line, None, None, hint))
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


def _read_sheet(
    src: Source, files: Files, problems: list[Problem], digits: int | None
) -> pd.DataFrame | None:
    try:
        grid = read_grid(src, files, digits)
    except SheetError as exc:
        problems.append(Problem.of_file(src.where, str(exc)))
        return None
    rows = grid.rows
    start = _header_row(rows, src.table)
    if start is None:
        problems.append(Problem.of_file(src.where, "trang rỗng (cần dòng tiêu đề và dữ liệu)"))
        return None
    header = [v.strip() for v in rows[start]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    body = rows[start + 1 :]
    cols = [[""] * len(body) for _ in range(width)]
    for i, r in enumerate(body):
        for j, v in enumerate(r[:width]):
            cols[j][i] = v
        if len(r) > width and any(r[width:]):
            k = width + next(j for j, v in enumerate(r[width:]) if v)
            problems.append(
                Problem(
                    src.where,
                    start + 2 + i,
                    None,
                    r[k],
                    f"ô ở cột thứ {k + 1} nằm ngoài các cột có tiêu đề (dòng tiêu đề có {width} cột)",
                )
            )
    covered = _sheet_problems(src, grid, start, header, problems)
    df = _frame(header, [pd.Series(c, dtype="str") for c in cols], start + 2)
    df.attrs["decimal_comma"] = False
    df.attrs["covered"] = covered
    return df


def _header_row(rows: list[list[str]], table: str) -> int | None:
    """The header: the first non-empty row, or, below a title block, the first of the next few
    rows that names two columns of the table (a sheet made for people often starts with a title).
    """
    filled = [i for i, r in enumerate(rows) if any(v.strip() for v in r)]
    if not filled:
        return None
    wanted = {fold(c.name) for c in SCHEMAS.get(table, ())}
    for i in filled[:HEADER_SEARCH_ROWS]:
        if len(wanted & {fold(v) for v in rows[i]}) >= 2:
            return i
    return filled[0]


def _sheet_problems(src: Source, grid, start: int, header: list[str], problems: list[Problem]) -> set:
    """Formulas with no saved value and merged cells, in the table (from its header row down).

    Returns the cells they cover, (row, column): what those cells then seem to say (blank) is
    not reported again.
    """

    def column(j: int) -> str | None:
        return header[j] if j < len(header) and header[j] else None

    covered = set()
    for i, j, address, formula in grid.uncached:
        if i >= start:
            covered.add((i + 1, column(j)))
            problems.append(
                Problem(
                    src.where,
                    i + 1,
                    column(j),
                    formula,
                    f"ô {address} chứa công thức nhưng không có giá trị đã tính (tệp do một chương trình "
                    "tạo ra và chưa từng được mở, lưu bằng Excel). Hãy mở tệp bằng Excel hoặc LibreOffice "
                    "rồi lưu lại, hoặc ghi giá trị thay cho công thức",
                )
            )
    for r1, c1, r2, c2, ref in grid.merged:
        if r2 >= start + 1 and c1 <= len(header):
            covered |= {
                (r, column(j)) for r in range(r1, r2 + 1) for j in range(c1 - 1, min(c2, len(header)))
            }
            problems.append(
                Problem(
                    src.where,
                    max(r1, start + 1),
                    column(c1 - 1),
                    None,
                    f"các ô {ref} được gộp (Merge Cells): mỗi dòng cần giá trị riêng trong ô của mình. "
                    "Hãy bỏ gộp ô (Merge & Center → Unmerge Cells) và ghi giá trị vào từng dòng",
                )
            )
    return covered


def _read_parquet(src: Source, files: Files, problems: list[Problem]) -> pd.DataFrame | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # label columns, stored by Parquet as a dictionary, read as one (a pandas Categorical): never
    # spelled out row by row, folded once per label
    labels = {fold(c.name) for c in SCHEMAS.get(src.table, ()) if c.kind in LABEL_KINDS}
    try:
        fields = pq.ParquetFile(files.mapped(src.path)).schema_arrow
    except Exception:  # no Parquet, or unreadable: the reader below says why, in its own words
        fields = []
    as_dictionary = [
        f.name
        for f in fields
        if fold(f.name) in labels and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
    ]
    try:
        df = pd.read_parquet(files.mapped(src.path), read_dictionary=as_dictionary or None)
    except OSError:
        raise
    except Exception as exc:  # pyarrow raises many kinds for a file that is no Parquet
        problems.append(
            Problem.of_file(src.where, f"không đọc được tệp Parquet ({type(exc).__name__}: {exc})")
        )
        return None
    # the frame as read, renamed and numbered in place (a copy through _frame costs 0.05 s a million rows)
    df = df.reset_index(drop=True)
    df.columns = [str(c) for c in df.columns]
    df.insert(0, "__row__", np.arange(1, len(df) + 1, dtype=np.int64))
    df.attrs = {"decimal_comma": False}  # not the attributes pandas may have stored in the file
    return df


def read_table(src: Source, files: Files, problems: list[Problem], digits: int | None) -> pd.DataFrame | None:
    """The table as text columns (typed for Parquet); None, with the problem said, when unreadable.

    `digits`: the significant digits at which a spreadsheet's numbers are read (the reading
    `binary_score_significant_digits`; None: exactly).
    """
    suffix = src.path.suffix.lower()
    try:
        if suffix == ".csv":
            return _read_csv(src, files.read(src.path), problems)
        if suffix in (".xlsx", ".xls"):
            return _read_sheet(src, files, problems, digits)
        return _read_parquet(src, files, problems)
    except OSError as exc:  # no permission, a file gone since it was listed, a disk error
        problems.append(Problem.of_file(src.where, unreadable(exc)))
        return None
