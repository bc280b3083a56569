#!/usr/bin/env python3
"""Benchmark of the monitor: the embedded sample, and a large synthetic indicators table.

    .venv/bin/python bench/monitor.py [--runs 3] [--enterprises 50000]

Prints median wall times: reading and checking the indicators, judging the 43 commitments, and
the whole `python -m scoring monitor` write path (the CSV files and the stamp). The large case
is the sample's records with an indicators table of one inspection count per enterprise per year
(synthetic, written into a temporary folder), the largest table a province would give the monitor.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scoring  # noqa: E402
from scoring.monitor import load_commitments, monitor_commitments, write_monitor  # noqa: E402
from scoring.monitor.indicators import read_indicators  # noqa: E402
from scoring.sample import sample_path  # noqa: E402


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _case(name: str, folder: Path, runs: int, out: Path) -> None:
    crit, commitments = scoring.load_criteria(), load_commitments()
    read_s = _median(lambda: scoring.load_records(folder, crit).raw_table("indicators"), runs)
    records = scoring.load_records(folder, crit)
    check_s = _median(lambda: read_indicators(scoring.load_records(folder, crit), commitments), runs)
    judge_s = _median(lambda: monitor_commitments(records, 2020, crit, commitments), runs)
    m = monitor_commitments(records, 2020, crit, commitments)
    write_s = _median(lambda: write_monitor(m, records, crit, out), runs)
    rows = len(records.raw_table("indicators"))
    print(
        f"{name}: {rows:,} indicator rows — load + read table {read_s * 1000:.0f} ms; "
        f"load + read + check {check_s * 1000:.0f} ms; monitor (check + judge 43) {judge_s * 1000:.0f} ms; "
        f"write {write_s * 1000:.0f} ms"
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--enterprises", type=int, default=50_000)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _case("sample", sample_path(), args.runs, tmp / "out-sample")
        big = tmp / "big"
        shutil.copytree(sample_path(), big)
        with open(big / "indicators.csv", "a", encoding="utf-8") as f:
            for year in (2017, 2018, 2019, 2020):
                for i in range(args.enterprises):
                    f.write(
                        f"{year},inspections_per_enterprise,MST{i:07d},{(i + year) % 3 // 2},,,synthetic,\n"
                    )
        _case(f"sample + {args.enterprises:,} enterprises × 4 years", big, args.runs, tmp / "out-big")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
