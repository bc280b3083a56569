"""`python -m scoring index DATA --year Y --out OUT [--draws N] [--seed S]`: the index, its margins
and its odds, written like `evaluate`'s outputs (CSV with BOM, a manifest, atomically).

Files: `index.csv` (one row per unit with criterion points), `index_fields.csv` (per unit and
field), `margins.csv` (per ranked unit: the exact gain or loss that changes its band and the
consequences that flip), `odds.csv` (unless `--draws 0`), `manifest.json`.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..console import write_failure
from ..criteria import PARAM_KINDS, Criteria, CriteriaError, load_criteria
from ..evaluate import Evaluation, evaluate, format_score
from ..export import _write_atomically, manifest, neutralise
from ..records import Records, ValidationError, load_records
from . import compute
from .compute import YearIndex
from .margins import Consequences, consequences, margins, near_threshold
from .odds import DEFAULT_DRAWS, DEFAULT_SEED, Odds, odds
from .producer import fill_scores
from .structure import IndexSettings, Structure, load_settings, load_structures

TWO_DECIMALS = ("index", "points", "score", "margin", "gain", "loss", "self_", "recorded", "appraisal", "survey_p", "survey_max", "bonus", "deduction", "max_points", "sub_index")  # fmt: skip


class NoPointsError(ValueError):
    """The index cannot be computed for the year (no criterion points); the message is Vietnamese."""


def _decimals(column: str) -> int | None:
    if column.startswith("p_"):
        return 4
    if (
        column.startswith(TWO_DECIMALS)
        or column.endswith(("_points", "_low", "_high"))
        and "rank" not in column
    ):
        return 2
    return None


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as CSV: UTF-8 with BOM, CRLF; numbers with fixed decimals (negatives stay numbers);
    booleans true/false; text a spreadsheet would run as a formula neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(list(df.columns))
    cols = []
    for c in df.columns:
        s = df[c]
        d = _decimals(c)
        if s.dtype == bool:
            cols.append(np.where(s.to_numpy(), "true", "false"))
        elif d is not None and s.dtype.kind in "fi":
            v = s.to_numpy(dtype=np.float64)
            cols.append(["" if np.isnan(x) else f"{x:.{d}f}" for x in v])
        elif s.dtype.kind in "iu" or str(s.dtype) == "Int64":
            cols.append(s.astype("Int64").astype(str).replace("<NA>", "").tolist())
        elif s.dtype.kind == "f":
            cols.append(["" if np.isnan(x) else f"{x:g}" for x in s.to_numpy(dtype=np.float64)])
        else:
            cols.append([neutralise(str(x)) if not pd.isna(x) else "" for x in s.astype(object)])
    w.writerows(zip(*cols, strict=True))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@dataclass
class IndexRun:
    """Everything one run of the index computes for a year."""

    year: int
    criteria: Criteria
    settings: IndexSettings
    records: Records
    evaluation: Evaluation
    index: YearIndex
    consequences: Consequences
    margins: pd.DataFrame
    odds: Odds | None

    def near_threshold(self) -> pd.DataFrame:
        return near_threshold(self.consequences, self.criteria, self.settings)

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"index": self.index.table, "index_fields": self.index.fields, "margins": self.margins}
        if self.odds is not None:
            out["odds"] = self.odds.table
        return out


def split_overrides(pairs: list[str], crit: Criteria, settings: IndexSettings):
    """`--set name=value` pairs: the programme's parameters, and the index's readings."""
    prog, idx = {}, {}
    for pair in pairs or []:
        if "=" not in pair:
            raise CriteriaError(f"--set cần dạng tên=giá_trị, nhận được «{pair}»")
        k, v = (x.strip() for x in pair.split("=", 1))
        if k in settings.names():
            idx[k] = v
        elif k in PARAM_KINDS:
            prog[k] = v
        else:
            names = ", ".join([*PARAM_KINDS, *settings.names()])
            raise CriteriaError(f"Tham số không được biết: '{k}'. Các tham số: {names}")
    return crit.with_overrides(prog), settings.with_overrides(idx)


def find_structure(structure_id: str | None) -> Structure | None:
    if not structure_id:
        return None
    found = {s.id: s for s in load_structures()}
    if structure_id not in found:
        raise CriteriaError(f"Không có bộ chỉ số «{structure_id}»; các bộ chỉ số: {', '.join(found)}")
    return found[structure_id]


def run_index(
    records: Records,
    year: int,
    crit: Criteria,
    settings: IndexSettings | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    structure: Structure | None = None,
) -> IndexRun:
    """The index of `year`, its margins and (draws > 0) its odds."""
    settings = settings or load_settings()
    records, _ = fill_scores(records, crit, settings)  # scores the loader computed, under these readings
    yi = compute(records, year, crit, settings, structure)
    if yi is None:
        raise NoPointsError(
            f"Không có điểm tiêu chí (bảng criterion_scores) cho năm {year}: không tính được chỉ số cải cách hành chính."
        )
    base = evaluate(records, year, crit)
    c = consequences(records, year, crit, base)
    m = margins(c, crit, settings)
    o = odds(c, yi, crit, settings, draws, seed) if draws > 0 else None
    return IndexRun(year, crit, settings, records, base, yi, c, m, o)


def write_index(run: IndexRun, out: Path) -> list[str]:
    """Write the run's tables and manifest into `out`, all or nothing; returns the file names."""
    files: dict[str, bytes] = {f"{name}.csv": csv_bytes(df) for name, df in run.tables().items()}
    m = manifest(run.evaluation)
    s = run.index.structure
    m["index"] = {
        "structure": {
            "id": s.id,
            "file": Path(s.path).name,
            "sha256": s.sha256,
            "illustrative": s.illustrative,
        },
        "settings": {"file": Path(run.settings.source).name, "sha256": run.settings.sha256},
        "settings_overrides": dict(run.settings.overrides),
        "draws": run.odds.draws if run.odds else 0,
        "seed": run.odds.seed if run.odds else None,
    }
    m["files"] = sorted(files)
    files["manifest.json"] = (json.dumps(m, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    _write_atomically(out, files)
    return sorted(files)


def summary(run: IndexRun) -> str:
    """A short Vietnamese account of the run."""
    yi, s = run.index, run.index.structure
    t = yi.table
    lines = [
        f"Năm {run.year}: chỉ số cải cách hành chính của {len(t)} cơ quan, đơn vị theo bộ chỉ số «{s.title}»"
        + (" (khung minh họa)." if s.illustrative else ".")
    ]
    differ = t[t["recorded_minus_index"].abs() > 0.01]
    if len(differ):
        lines.append(
            f"  Điểm đã ghi nhận khác điểm tính lại (chênh trên 0,01): {len(differ)} đơn vị (xem index.csv)."
        )
    over = yi.over_scorers(3)
    if len(over):
        parts = [f"{r.unit_name} (+{format_score(r.self_gap_points)} điểm)" for r in over.itertuples()]
        lines.append("  Tự chấm cao hơn điểm thẩm định nhiều nhất: " + "; ".join(parts) + ".")
    m = run.margins
    near = m[m["near_threshold"]]
    d = float(run.settings["near_threshold_points"]) + 1e-9
    up = (near["gain_to_band_up"] <= d) & (near["flips_if_up"] != "")
    down = (near["loss_to_band_down"] <= d) & (near["flips_if_down"] != "")
    flips = near[up | down]  # a crossing within the distance changes something for people
    lines.append(
        f"  Cận ngưỡng (cách ngưỡng không quá {format_score(float(run.settings['near_threshold_points']))} điểm): "
        f"{len(near)} đơn vị; vượt hoặc tụt ngưỡng làm thay đổi hệ quả đối với người đứng đầu, tổ chức cơ sở đảng "
        f"của {len(flips)} đơn vị (xem margins.csv)."
    )
    if run.odds is not None:
        p = run.odds.table.filter(like="p_").iloc[:, : len(run.criteria.bands.keys)]
        unsure = int((p.max(axis=1) < 0.95).sum())
        lines.append(
            f"  Mô phỏng sai số điều tra xã hội học {run.odds.draws:,} lần (hạt giống {run.odds.seed}): {unsure} đơn vị "
            "có xếp loại không chắc chắn (xác suất của xếp loại khả dĩ nhất dưới 95%; xem odds.csv).".replace(
                ",", "."
            )
        )
    return "\n".join(lines)


def main(args) -> int:
    """The `index` subcommand; exit 0 done, 2 invalid input or usage, 1 write failure."""
    import sys

    try:
        crit, settings = split_overrides(args.set, load_criteria(args.criteria), load_settings())
        structure = find_structure(args.structure)
        if args.draws < 0:
            raise CriteriaError("--draws cần là số nguyên không âm (0: không mô phỏng)")
        records = load_records(args.data, crit, year=args.year)
        run = run_index(records, args.year, crit, settings, args.draws, args.seed, structure)
    except (ValidationError, CriteriaError, NoPointsError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        write_index(run, Path(args.out))
    except OSError as exc:
        return write_failure(args.out, exc)
    if not args.quiet:
        print(summary(run))
        for note in run.evaluation.notes:
            print(f"Lưu ý: {note}")
        print(f"Đã ghi kết quả vào {args.out}")
    return 0


def add_parser(sub) -> None:
    """The subcommand's arguments (scoring/cli.py adds it in one line)."""
    ix = sub.add_parser(
        "index", help="tính chỉ số cải cách hành chính từ điểm tiêu chí, khoảng cách tới ngưỡng và xác suất"
    )
    ix.add_argument("data", help="thư mục các tệp CSV/Parquet, hoặc tệp .xlsx (mỗi bảng một trang)")
    ix.add_argument("--year", type=int, required=True, help="năm đánh giá")
    ix.add_argument(
        "--out",
        required=True,
        help="thư mục ghi index.csv, index_fields.csv, margins.csv, odds.csv, manifest.json",
    )
    ix.add_argument("--draws", type=int, default=DEFAULT_DRAWS, help="số lần mô phỏng (0: không mô phỏng)")
    ix.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="hạt giống ngẫu nhiên (cùng hạt giống, cùng kết quả)"
    )
    ix.add_argument(
        "--structure", default=None, help="mã bộ chỉ số (mặc định: theo năm và mã các mục trong dữ liệu)"
    )
    ix.add_argument("--criteria", default=None, help="tệp tiêu chí (mặc định: criteria/khanh-hoa-2017.yaml)")
    ix.add_argument(
        "--set", action="append", default=[], metavar="TÊN=GIÁ_TRỊ", help="thay đổi một tham số; lặp lại được"
    )
    ix.add_argument("--quiet", action="store_true", help="không in tóm tắt")
