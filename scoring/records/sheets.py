"""Reading a sheet of a workbook (.xlsx, or Excel 97-2003 .xls) as the clerk sees it.

What a sheet holds is not always what it shows, and each difference is either read as shown or
refused with the cell's address:
- a percent-formatted number is the percentage it shows (0.9686 shown as 96,86% reads "96.86%");
- a number is written out at the significant digits a spreadsheet shows (`number_text`);
- a date is written dd/mm/yyyy, as shown (it is then no year, count or score, and says so);
- a formula is read through its cached value; a formula with none (a file written by a program
  and never opened in a spreadsheet) is refused with its sheet, cell and formula;
- merged cells over the table are refused: the rows they cover have no value of their own.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from .files import Files, Source
from .parse import number_text


@dataclass
class Grid:
    """A sheet's cells as text, row 1 first; what the reader saw that must be said."""

    rows: list[list[str]]
    # (row index, column index, cell address, formula): formulas with no cached value
    uncached: list[tuple[int, int, str, str]] = field(default_factory=list)
    # (first row, first column, last row, last column, "A2:A5"), 1-based
    merged: list[tuple[int, int, int, int, str]] = field(default_factory=list)


class SheetError(Exception):
    """The workbook cannot be opened or the sheet read; the message says why, in Vietnamese."""


def _percent(fmt: str | None) -> bool:
    """A number format that shows a percentage: a % outside quotes and escapes."""
    if not fmt or "%" not in fmt:
        return False
    return "%" in re.sub(r'"[^"]*"|\\.', "", fmt)


def _date_text(v: dt.datetime | dt.date | dt.time) -> str:
    if isinstance(v, dt.datetime):
        text = v.strftime("%d/%m/%Y")
        return text if v.time() == dt.time() else f"{text} {v.strftime('%H:%M:%S')}"
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    return str(v)


def _text(v, percent: bool, digits: int | None) -> str:
    if v is None:
        return ""
    if isinstance(v, int | float):
        return number_text(v, percent, digits)
    if isinstance(v, dt.date | dt.time):
        return _date_text(v)
    return str(v)


def sheet_names(path, files: Files) -> list[str]:
    if path.suffix.lower() == ".xls":
        return _xls_book(path, files).sheet_names()
    wb = _xlsx_book(path, files, data_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def read_grid(src: Source, files: Files, digits: int | None) -> Grid:
    """The sheet's cells as text. Raises SheetError when the file or sheet cannot be read."""
    if src.path.suffix.lower() == ".xls":
        return _xls_grid(src, files, digits)
    return _xlsx_grid(src, files, digits)


# -- .xlsx (openpyxl, read-only) ---------------------------------------------------------------


def _xlsx_book(path, files: Files, data_only: bool):
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(files.read(path)), read_only=True, data_only=data_only)
    except OSError:
        raise
    except Exception as exc:  # a corrupt file, or not a workbook at all (openpyxl raises many kinds)
        raise SheetError(f"không mở được bảng tính Excel ({type(exc).__name__}: {exc})") from None


def _xlsx_grid(src: Source, files: Files, digits: int | None) -> Grid:
    wb = _xlsx_book(src.path, files, data_only=False)
    try:
        ws = wb[src.sheet] if src.sheet else wb.worksheets[0]
        ws.reset_dimensions()  # a wrong stored dimension must not cut rows off
        grid = Grid([])
        formulas: dict[int, list[tuple[int, str, str, bool]]] = {}
        percent_of_style: dict[str, bool] = {}
        for i, row in enumerate(ws.iter_rows(min_row=1, min_col=1)):
            out = [""] * len(row)
            for j, c in enumerate(row):
                v = c.value
                if v is None:
                    continue
                fmt = c.number_format if isinstance(v, int | float) or c.data_type == "f" else None
                pct = percent_of_style.setdefault(fmt, _percent(fmt)) if fmt else False
                if c.data_type == "f":
                    formulas.setdefault(i, []).append((j, c.coordinate, str(getattr(v, "text", v)), pct))
                else:
                    out[j] = _text(v, pct, digits)
            grid.rows.append(out)
        grid.merged = _xlsx_merged(wb, ws)
    except (KeyError, IndexError):
        raise SheetError(f"không có trang «{src.sheet}»") from None
    except SheetError:
        raise
    except Exception as exc:  # a sheet part that does not parse
        raise SheetError(f"không đọc được trang tính ({type(exc).__name__}: {exc})") from None
    finally:
        wb.close()
    if formulas:
        _cached_values(src, files, digits, formulas, grid)
    return grid


def _cached_values(src, files, digits, formulas, grid: Grid) -> None:
    """The values a spreadsheet computed and saved for the formula cells (a second, lighter pass)."""
    wb = _xlsx_book(src.path, files, data_only=True)
    try:
        ws = wb[src.sheet] if src.sheet else wb.worksheets[0]
        ws.reset_dimensions()
        last = max(formulas)
        for i, values in enumerate(ws.iter_rows(min_row=1, min_col=1, max_row=last + 1, values_only=True)):
            for j, address, formula, pct in formulas.get(i, ()):
                v = values[j] if j < len(values) else None
                if v is None:
                    grid.uncached.append((i, j, address, formula))
                else:
                    grid.rows[i][j] = _text(v, pct, digits)
    finally:
        wb.close()


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def _xlsx_merged(wb, ws) -> list[tuple[int, int, int, int, str]]:
    # Read-only worksheets do not expose their merged ranges: they are read from the sheet's own
    # XML, which the read-only workbook keeps open (no second parse of the cells).
    archive, path = getattr(wb, "_archive", None), getattr(ws, "_worksheet_path", None)
    if archive is None or path is None:
        return []
    out = []
    for a, r1, b, r2 in _MERGE.findall(archive.read(path)):
        ref = f"{a.decode()}{int(r1)}:{b.decode()}{int(r2)}"
        out.append((int(r1), _column_number(a), int(r2), _column_number(b), ref))
    return out


# -- .xls (Excel 97-2003, xlrd) --------------------------------------------------------------


def _xls_book(path, files: Files):
    import xlrd

    try:
        return xlrd.open_workbook(file_contents=files.read(path), formatting_info=True, on_demand=True)
    except OSError:
        raise
    except Exception as exc:
        raise SheetError(
            f"không mở được bảng tính Excel 97-2003 (.xls) ({type(exc).__name__}: {exc}); "
            "hãy mở tệp bằng Excel hoặc LibreOffice và lưu lại dạng .xlsx"
        ) from None


def _xls_grid(src: Source, files: Files, digits: int | None) -> Grid:
    import xlrd

    book = _xls_book(src.path, files)
    try:
        sh = book.sheet_by_name(src.sheet) if src.sheet else book.sheet_by_index(0)
    except xlrd.XLRDError:
        raise SheetError(f"không có trang «{src.sheet}»") from None
    percent_of_xf: dict[int, bool] = {}

    def percent(xf_index: int) -> bool:
        if xf_index not in percent_of_xf:
            fmt = book.format_map.get(book.xf_list[xf_index].format_key)
            percent_of_xf[xf_index] = _percent(fmt.format_str if fmt else None)
        return percent_of_xf[xf_index]

    rows = []
    for i in range(sh.nrows):
        out = [""] * sh.ncols
        for j in range(sh.ncols):
            c = sh.cell(i, j)
            if c.ctype == xlrd.XL_CELL_NUMBER:
                v = c.value
                out[j] = number_text(int(v) if v.is_integer() else v, percent(c.xf_index), digits)
            elif c.ctype == xlrd.XL_CELL_DATE:
                out[j] = _date_text(xlrd.xldate_as_datetime(c.value, book.datemode))
            elif c.ctype == xlrd.XL_CELL_BOOLEAN:
                out[j] = "true" if c.value else "false"
            elif c.ctype == xlrd.XL_CELL_ERROR:
                out[j] = xlrd.error_text_from_code.get(c.value, "#ERR")
            elif c.ctype == xlrd.XL_CELL_TEXT:
                out[j] = c.value
        rows.append(out)
    merged = []
    for rlo, rhi, clo, chi in sh.merged_cells:
        ref = f"{_letters(clo + 1)}{rlo + 1}:{_letters(chi)}{rhi}"
        merged.append((rlo + 1, clo + 1, rhi, chi, ref))
    return Grid(rows, merged=merged)


def _letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s
