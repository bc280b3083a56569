"""Finding the input files: a data folder of CSV/Parquet/.xlsx/.xls files, or one workbook.

A folder entry named like a table that is no readable file (a folder, a broken link) is an error,
never a silently missing table.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from ..labels import fold
from .files import Files, Source
from .problems import Problem
from .schema import EXTRA_TABLES, TABLE_NAMES
from .sheets import SheetError, sheet_names

WORKBOOK_SUFFIXES = (".xlsx", ".xls")


_TABLE_BY_FOLD = {fold(t): t for t in (*TABLE_NAMES, *EXTRA_TABLES)}
_SUFFIXES = (".csv", ".parquet", *WORKBOOK_SUFFIXES)
# Files that look like data but are not read: reported, since they are often misnamed tables.
_DATA_LIKE = (*_SUFFIXES, ".tsv", ".txt", ".ods", ".json")


def find_sources(data: Path, files: Files, problems: list[Problem], notes: list[str]) -> dict[str, Source]:
    sources: dict[str, Source] = {}

    def add(src: Source):
        if src.table in sources:
            problems.append(
                Problem.of_file(
                    src.where,
                    f"bảng {src.table} có hai nguồn ({sources[src.table].where} và {src.where}); chỉ giữ một",
                )
            )
        else:
            sources[src.table] = src

    if data.is_file():
        if data.suffix.lower() not in WORKBOOK_SUFFIXES:
            problems.append(
                Problem.of_file(
                    data.name,
                    "cần một thư mục chứa các tệp CSV/Parquet, hoặc một tệp .xlsx có mỗi bảng một trang",
                )
            )
            return sources
        _workbook_sources(data, files, add, problems, notes)
        return sources
    if not data.is_dir():
        problems.append(Problem.of_file(str(data), "không tìm thấy thư mục hoặc tệp dữ liệu"))
        return sources
    unknown = []
    for path in sorted(data.iterdir()):
        if path.name.startswith((".", "~$")):
            continue
        table = _TABLE_BY_FOLD.get(fold(path.stem))
        suffix = path.suffix.lower()
        if not path.is_file():
            if table is not None and suffix in _SUFFIXES:
                what = "một thư mục" if path.is_dir() else "một liên kết hỏng hoặc không phải tệp thường"
                problems.append(
                    Problem.of_file(
                        path.name, f"không đọc được bảng {table}: đây là {what}, không phải tệp dữ liệu"
                    )
                )
            continue
        if suffix not in _SUFFIXES:
            if suffix in _DATA_LIKE:
                unknown.append(path.name)
        elif table is not None:
            add(Source(table, path, path.name))
        elif suffix in WORKBOOK_SUFFIXES:
            _workbook_sources(path, files, add, problems, notes, strict=False, unknown=unknown)
        else:
            unknown.append(path.name)
    for name in unknown:
        close = difflib.get_close_matches(fold(Path(name).stem), list(_TABLE_BY_FOLD), n=1)
        hint = f"; có phải bảng {_TABLE_BY_FOLD[close[0]]}?" if close else ""
        notes.append(f"Tệp {name} trong thư mục dữ liệu không phải bảng nào đã biết (bỏ qua{hint}).")
    return sources


def _workbook_sources(path, files, add, problems, notes, strict=True, unknown=None):
    try:
        sheets = sheet_names(path, files)
    except SheetError as exc:  # a corrupt or non-workbook file
        problems.append(Problem.of_file(path.name, str(exc)))
        return
    except OSError as exc:
        problems.append(Problem.of_file(path.name, unreadable(exc)))
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


def unreadable(exc: OSError) -> str:
    """Why a file could not be read, in words (permissions, a folder, a vanished file …)."""
    why = {
        "PermissionError": "không có quyền đọc tệp",
        "IsADirectoryError": "đây là một thư mục, không phải tệp",
        "FileNotFoundError": "tệp không còn tồn tại (hoặc là một liên kết hỏng)",
    }.get(type(exc).__name__, f"lỗi hệ thống: {exc.strerror or exc}")
    return f"không đọc được tệp ({why}); hãy kiểm tra tệp rồi chạy lại"
