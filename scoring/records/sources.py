"""Finding the input files: a data folder of CSV/Parquet/.xlsx files, or one workbook.

Each input file is read once, as bytes; its SHA-256 is taken of exactly those bytes.
"""

from __future__ import annotations

import difflib
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from ..labels import fold
from .problems import Problem
from .schema import EXTRA_TABLES, TABLE_NAMES


@dataclass
class Source:
    table: str
    path: Path
    where: str  # e.g. "reform_results.csv" or "data.xlsx, trang reform_results"
    sheet: str | None = None


class Files:
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


def find_sources(data: Path, files: Files, problems: list[Problem], notes: list[str]) -> dict[str, Source]:
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


def open_workbook(path: Path, files: Files):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(files.read(path)), read_only=True, data_only=True)


def _workbook_sources(path, files, add, problems, notes, strict=True, unknown=None):
    try:
        wb = open_workbook(path, files)
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


def file_sha256(path: Path) -> str:
    """SHA-256 of a file read in chunks (an optional table may be larger than memory)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
