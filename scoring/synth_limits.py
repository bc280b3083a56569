"""Whether a synthetic data set of the asked size can be made here, said before allocating anything.

`python -m scoring synth` and `python -m scoring.synth` refuse zero or negative sizes, years
before 1900, more rows than an Excel sheet holds for `--format xlsx`, and sizes whose
estimated memory or disk space exceeds what the machine has (exit 2, a Vietnamese message).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .synth import XLSX_MAX_ROWS

# Measured peak memory of generate() is 140-180 bytes a row (national scale: 0.49 GB); the
# estimate doubles it for the writing. Output bytes a row, measured on the national set.
BYTES_PER_ROW_MEMORY = 400
BYTES_PER_ROW_FILE = {"csv": 110, "parquet": 30, "xlsx": 160}
FIRST_POSSIBLE_YEAR = 1900


def _rows(n_units: int, n_officials: int, n_years: int) -> dict[str, int]:
    """The tables' sizes, as generate() makes them (see the module docstring)."""
    officials = n_officials + n_units * (n_years - 1)
    per_unit_year = n_units * n_years
    return {
        "units": n_units,
        "reform_results": per_unit_year,
        "unit_dossiers": per_unit_year,
        "officials": officials,
        "official_dossiers": officials * 3 // 4,
        "party_orgs": per_unit_year,
    }


def size_problems(
    n_units: int, n_officials: int, n_years: int, first_year: int, fmt: str, out_dir: str | Path
) -> list[str]:
    """Why these sizes cannot be generated here (Vietnamese), checked before allocating anything."""
    problems = []
    for name, n in (("--units", n_units), ("--officials", n_officials), ("--years", n_years)):
        if n < 1:
            problems.append(f"{name} phải là số nguyên dương, nhận được {n}.")
    if problems:
        return problems
    if n_officials < n_units:
        problems.append(
            f"--officials ({n_officials}) phải ít nhất bằng --units ({n_units}): mỗi đơn vị có người đứng đầu."
        )
    last = first_year + n_years - 1
    if first_year < FIRST_POSSIBLE_YEAR or last > 9999:
        problems.append(
            f"Các năm {first_year}–{last} nằm ngoài khoảng {FIRST_POSSIBLE_YEAR}–9999 (hãy xem lại --years và --last-year)."
        )
    rows = _rows(n_units, n_officials, n_years)
    if fmt == "xlsx" and max(rows.values()) > XLSX_MAX_ROWS:
        big = max(rows, key=rows.get)
        problems.append(
            f"Bảng {big} sẽ có {_vn(rows[big])} dòng, quá {_vn(XLSX_MAX_ROWS)} dòng của một trang Excel: "
            "hãy dùng --format parquet hoặc csv."
        )
    need, free = sum(rows.values()) * BYTES_PER_ROW_MEMORY, _available_memory()
    if free is not None and need > free:
        problems.append(
            f"Cần khoảng {_gb(need)} GB bộ nhớ, máy chỉ còn {_gb(free)} GB: hãy giảm --officials, --units hoặc --years."
        )
    disk, room = sum(rows.values()) * BYTES_PER_ROW_FILE.get(fmt, 160), _free_disk(Path(out_dir))
    if room is not None and disk > room:
        problems.append(f"Cần khoảng {_gb(disk)} GB trên đĩa, chỉ còn {_gb(room)} GB.")
    return problems


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None  # Windows: no cheap standard way; generate() then runs unchecked


def _free_disk(out: Path) -> int | None:
    p = out.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return shutil.disk_usage(p).free
    except OSError:
        return None


def _vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _gb(n: int) -> str:
    return f"{n / 2**30:.1f}".replace(".", ",")
