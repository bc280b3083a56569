"""`python -m scoring ledger DATA --year Y --out OUT`: the year's counts from the dossier ledger.

Writes, atomically (all or nothing), in the CSV machine contract of SPEC §3 (UTF-8 with BOM):
`unit_dossiers.csv` and `official_dossiers.csv` for the year in exactly the shape `evaluate`
reads (the latter only when the ledger has steps), `reschedule_compliance.csv` (the II.2 check
per unit), `reschedule_violations.csv` (per dossier), `reconciliation.csv` (every difference
from recorded counts, empty when none) and `manifest.json`. With `--format parquet`, Parquet
files instead.

The command reports differences from recorded counts and writes them; it does not refuse
(its job is to produce the counts). `evaluate` is what refuses under the default reading
`ledger_recorded_conflict = refuse`, and the command says so when it applies.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from .. import __version__
from ..console import EXIT_INVALID, EXIT_OK, write_failure
from ..criteria import CriteriaError, load_criteria
from ..records import ValidationError, load_records
from .core import open_ledger
from .derive import _vn, derive
from .engine import EngineConfig
from .load import has_ledger


def add_parser(sub, overrides_help: str) -> None:
    """The `ledger` subcommand's arguments (called by scoring/cli.py)."""
    lg = sub.add_parser("ledger", help="tính số hồ sơ, số hồ sơ trễ hạn của năm từ sổ theo dõi hồ sơ một cửa")
    lg.add_argument("data", help="thư mục dữ liệu có bảng dossiers (và dossier_steps, dossier_reschedules)")
    lg.add_argument("--year", type=int, required=True, help="năm cần tính")
    lg.add_argument("--out", required=True, help="thư mục ghi kết quả")
    lg.add_argument("--criteria", default=None, help="tệp tiêu chí (mặc định: criteria/khanh-hoa-2017.yaml)")
    lg.add_argument("--set", action="append", default=[], metavar="TÊN=GIÁ_TRỊ", help=overrides_help)
    lg.add_argument("--format", choices=["csv", "parquet"], default="csv", help="định dạng bảng kết quả")
    lg.add_argument("--memory-limit", default=None, help="giới hạn bộ nhớ của DuckDB (mặc định 2GB)")
    lg.add_argument("--threads", type=int, default=None, help="số luồng của DuckDB (mặc định: số lõi)")
    lg.add_argument("--temp-dir", default=None, help="thư mục tạm khi dữ liệu vượt giới hạn bộ nhớ")
    lg.add_argument("--quiet", action="store_true", help="không in tóm tắt")


def run(args, overrides: dict[str, str]) -> int:
    """Run the `ledger` command; the exit status of SPEC §3."""
    from ..export import _csv_bytes, _write_atomically

    try:
        crit = load_criteria(args.criteria).with_overrides(overrides)
        config = EngineConfig.from_env(
            memory_limit=args.memory_limit, threads=args.threads, temp_directory=args.temp_dir
        )
        why = config.check()
        if why:
            raise CriteriaError(f"Thiết lập DuckDB không hợp lệ: {why}.")
        records = load_records(args.data, crit)
        ledger = open_ledger(records, config) if has_ledger(records) else None
        if ledger is None:
            raise CriteriaError(
                f"{args.data}: không có bảng dossiers (sổ theo dõi hồ sơ: dossiers.csv, dossiers.parquet, "
                "thư mục dossiers/ các tệp Parquet, hoặc trang dossiers của tệp .xlsx)"
            )
        resolved = crit.with_overrides({"ledger_recorded_conflict": "ledger"})
        result = derive(records, args.year, resolved, ledger=ledger)
    except (ValidationError, CriteriaError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    tables = result.tables()
    files: dict[str, bytes | pd.DataFrame] = {}
    for name, df in tables.items():
        df = _printable(df)
        files[f"{name}.{args.format}"] = df if args.format == "parquet" else _csv_bytes(df)
    m = {
        "tool": "scoring",
        "command": "ledger",
        "version": __version__,
        "year": int(args.year),
        "criteria": {"file": Path(crit.source).name, "version": crit.version, "sha256": crit.sha256},
        "overrides": {k: v for k, v in crit.overrides},
        "inputs": {"origin": Path(records.origin).name, "sha256": records.input_sha256},
        "files": sorted(files),
    }
    files["manifest.json"] = (json.dumps(m, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    try:
        _write_atomically(Path(args.out), files)
    except OSError as exc:
        return write_failure(args.out, exc)
    if not args.quiet:
        for line in _summary(result, crit):
            print(line)
        print(f"Đã ghi kết quả vào {args.out}")
    return EXIT_OK


def _printable(df: pd.DataFrame) -> pd.DataFrame:
    """Shares as text with 6 decimals, rounded as late_rate is written, counts as integers."""
    from ..export import fixed_text

    out = df.copy()
    if "compliance_rate" in out:
        out["compliance_rate"] = fixed_text(out["compliance_rate"], 6).to_pylist()
    return out


def _summary(run, crit) -> list[str]:
    y = run.year_counts
    lines = [
        f"Năm {run.year}: {_vn(y['handled'].sum())} hồ sơ của {_vn(len(y))} đơn vị, "
        f"{_vn(y['late'].sum())} trễ hạn (sổ theo dõi {run.source})."
    ]
    comp = run.compliance
    if run.checked:
        lines.append(
            f"Hẹn lại và xin lỗi (mục II.2): {_vn(comp['overdue'].sum())} hồ sơ quá hạn, "
            f"{_vn(comp['violations'].sum())} chưa đúng quy định, ở {_vn((comp['violations'] > 0).sum())} đơn vị."
        )
    diffs = run.differences
    if len(diffs):
        refuse = crit["ledger_recorded_conflict"] == "refuse"
        lines.append(
            f"Số liệu tổng hợp khác sổ theo dõi ở {_vn(len(diffs))} chỗ (reconciliation.csv)"
            + (
                "; evaluate sẽ không tính cho đến khi hai nguồn khớp, hoặc chọn nguồn bằng "
                "--set ledger_recorded_conflict=ledger (hoặc =recorded)."
                if refuse
                else "."
            )
        )
    lines += [f"Lưu ý: {n}" for n in run.notes if not n.startswith("Số liệu tổng hợp khác")]
    return lines
