"""`python -m scoring monitor DATA --year YEAR --out OUTDIR`: the commitments' statuses, written.

Writes monitor.csv (one row per commitment), monitor_series.csv (the indicator values behind
them) and manifest.json, all or nothing. Exit status as the other commands: 0 done; 2 invalid
input or usage (every problem listed, nothing written); 1 the files could not be written.
"""

from __future__ import annotations

import argparse
import sys

from ..console import EXIT_INVALID, EXIT_OK, write_failure
from ..criteria import PARAM_KINDS as PROGRAMME_PARAMS
from ..criteria import CriteriaError, load_criteria
from ..records import ValidationError, load_records
from .commitments import PARAM_KINDS as MONITOR_PARAMS
from .commitments import load_commitments
from .status import NOT_MET


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "monitor", help="tình hình thực hiện các chỉ tiêu đo được của Chương trình trong một năm"
    )
    p.add_argument("data", help="thư mục các tệp CSV/Parquet, hoặc tệp .xlsx; chỉ số trong bảng indicators")
    p.add_argument("--year", type=int, required=True, help="năm xét")
    p.add_argument("--out", required=True, help="thư mục ghi monitor.csv, monitor_series.csv, manifest.json")
    p.add_argument("--criteria", default=None, help="tệp tiêu chí (mặc định: criteria/khanh-hoa-2017.yaml)")
    p.add_argument("--commitments", default=None, help="tệp chỉ tiêu (mặc định: criteria/commitments.yaml)")
    p.add_argument("--set", action="append", default=[], metavar="TÊN=GIÁ_TRỊ", help="thay đổi một tham số")
    p.add_argument("--quiet", action="store_true", help="không in tóm tắt")
    return p


def _split(pairs: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """--set pairs into (the programme's parameters, the monitor's readings)."""
    programme, monitor = {}, {}
    for pair in pairs:
        if "=" not in pair:
            raise CriteriaError(f"--set cần dạng tên=giá_trị, nhận được «{pair}»")
        name, value = (x.strip() for x in pair.split("=", 1))
        if name in MONITOR_PARAMS:
            monitor[name] = value
        elif name in PROGRAMME_PARAMS:
            programme[name] = value
        else:
            raise CriteriaError(
                f"Tham số không được biết: '{name}'. Các tham số của chỉ tiêu: {', '.join(MONITOR_PARAMS)}; "
                f"của các quy tắc: {', '.join(PROGRAMME_PARAMS)}"
            )
    return programme, monitor


def run(args) -> int:
    from pathlib import Path

    from . import monitor_commitments, write_monitor

    try:
        programme, readings = _split(args.set)
        crit = load_criteria(args.criteria).with_overrides(programme)
        commitments = load_commitments(args.commitments).with_overrides(readings)
        records = load_records(args.data, crit)
        m = monitor_commitments(records, args.year, crit, commitments)
    except (ValidationError, CriteriaError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    try:
        write_monitor(m, records, crit, Path(args.out))
    except OSError as exc:
        return write_failure(args.out, exc)
    if not args.quiet:
        print(m.summary())
        for j in m.judgements:
            if j.key == NOT_MET:
                print(f"  - {commitments.status(NOT_MET)}: {j.commitment.title} (mục {j.commitment.clause})")
        for note in [*records.notes, *m.notes]:
            print(f"Lưu ý: {note}")
        print(f"Đã ghi kết quả vào {args.out}")
    return EXIT_OK
