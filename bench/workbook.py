#!/usr/bin/env python3
"""How fast each .xlsx writer writes the real `decisions.xlsx` content of a province-size year.

    .venv/bin/python bench/workbook.py [DATA] [--year 2020] [--repeat 3]

DATA defaults to a synthetic province made once in a temporary folder (`python -m scoring
synth DIR --units 200 --officials 20000 --years 6 --seed 1 --format csv`). Every writer gets
the same Vietnamese tables (`scoring.workbook.people_table`) with the same number formats; the
figures are the best of `--repeat` runs, CPU time and wall time, and the file size. openpyxl,
xlsxwriter and rustpy-xlsxwriter are measured when installed (they are not dependencies).
A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import scoring  # noqa: E402
from scoring.workbook import NUMBER_FORMATS, PEOPLE_COLUMNS, SHEETS, _tables, decisions_workbook, people_table  # noqa: E402


def province(folder: Path) -> Path:
    cmd = [sys.executable, "-m", "scoring", "synth", str(folder), "--units", "200", "--officials", "20000"]
    cmd += ["--years", "6", "--seed", "1", "--format", "csv"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return folder


def frames(ev):
    """Per sheet: its name, then (header, Python values, number format) per column: what a
    writer that takes Python values is given (the conversion is not timed)."""
    out = []
    for name, df in _tables(ev).items():
        table = people_table(name, df, ev)
        cols = []
        for key, header in zip(PEOPLE_COLUMNS[name], table.columns, strict=True):
            values = table[header].astype(object).where(table[header].notna(), None).tolist()
            cols.append((header, values, NUMBER_FORMATS.get(key)))
        out.append((SHEETS[name], cols))
    return out


def with_openpyxl(sheets) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name, cols in sheets:
        ws = wb.create_sheet(name)
        ws.append([h for h, _, _ in cols])
        for row in zip(*(v for _, v, _ in cols), strict=True):
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_xlsxwriter(sheets) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True, "strings_to_formulas": False})
    for name, cols in sheets:
        ws = wb.add_worksheet(name)
        for j, (header, _, _) in enumerate(cols):
            ws.write_string(0, j, header)
        formats = [wb.add_format({"num_format": f}) if f else None for _, _, f in cols]
        for i, row in enumerate(zip(*(v for _, v, _ in cols), strict=True), start=1):
            for j, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(i, j, v)
                else:
                    ws.write_number(i, j, v, formats[j])
    wb.close()
    return buf.getvalue()


def with_rustpy(sheets) -> bytes:
    import pandas as pd
    from rustpy_xlsxwriter import FastExcel

    buf = io.BytesIO()
    fe = FastExcel(buf)
    for name, cols in sheets:
        fe.sheet(name, pd.DataFrame({h: v for h, v, _ in cols}), autofilter=True)
    fe.save()
    return buf.getvalue()


def measure(fn, repeat: int):
    best_cpu, best_wall, size = np.inf, np.inf, 0
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        size = len(fn())
        best_cpu, best_wall = min(best_cpu, time.process_time() - c), min(best_wall, time.perf_counter() - w)
    return best_cpu, best_wall, size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?")
    ap.add_argument("--year", type=int, default=2020)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(args.data) if args.data else province(Path(tmp) / "province")
        crit = scoring.load_criteria()
        ev = scoring.evaluate(scoring.load_records(data, crit, year=args.year), args.year, crit)
    rows = sum(len(df) for df in ev.tables().values())
    print(f"decisions.xlsx of {data.name} {args.year}: {rows:,} rows in 5 tables")
    sheets = frames(ev)
    writers = [
        ("scoring.xlsx (ours, everything: formats, widths, print setup)", lambda: decisions_workbook(ev, {}))
    ]
    for name, fn, module in (
        ("openpyxl 3 write_only (values only)", with_openpyxl, "openpyxl"),
        ("xlsxwriter constant_memory (values, number formats)", with_xlsxwriter, "xlsxwriter"),
        ("rustpy-xlsxwriter (values, autofilter)", with_rustpy, "rustpy_xlsxwriter"),
    ):
        try:
            __import__(module)
        except ImportError:
            print(f"  {name}: not installed")
            continue
        writers.append((name, lambda fn=fn: fn(sheets)))
    for name, fn in writers:
        cpu, wall, size = measure(fn, args.repeat)
        print(f"  {name:62s} cpu {cpu:6.3f} s  wall {wall:6.3f} s  {size / 1e6:5.2f} MB")


if __name__ == "__main__":
    main()
