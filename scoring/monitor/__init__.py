"""The monitor of the programme's measurable commitments (issue 10 §5; docs/monitor.md).

A sibling of the rules: it reads the optional `indicators` table (and the core tables an indicator
is derived from) and says, for each commitment of `criteria/commitments.yaml`, whether the year
meets it — đạt, chưa đạt, chưa có số liệu, chưa đến hạn — with the value against the target, the
trend over the years and the clause.

    import scoring
    records = scoring.load_records()          # the embedded sample has indicator data 2017–2020
    m = scoring.monitor_commitments(records, 2020)
    m.table                                   # the monitor.csv shape
    m.summary()

The function is `monitor_commitments` (not `monitor`, the name of this package).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..criteria import Criteria, load_criteria
from ..records import Problem, Records, ValidationError
from .commitments import DEFAULT_COMMITMENTS, Commitment, Commitments, Indicator, load_commitments
from .indicators import IndicatorData, read_indicators
from .status import Judgement, Monitoring, judge_all
from .views import ANNEX_TITLE, AnnexSection, people_table, traffic_light_html

__all__ = [
    "ANNEX_TITLE",
    "DEFAULT_COMMITMENTS",
    "AnnexSection",
    "Commitment",
    "Commitments",
    "Indicator",
    "IndicatorData",
    "Judgement",
    "Monitoring",
    "annex_section",
    "load_commitments",
    "monitor_commitments",
    "people_table",
    "traffic_light_html",
    "write_monitor",
]


def monitor_commitments(
    records: Records,
    year: int,
    criteria: Criteria | None = None,
    commitments: Commitments | None = None,
    *,
    check_year: bool = True,
) -> Monitoring:
    """Each commitment's status in `year`. Raises `ValidationError` for a bad indicators table, or
    (with `check_year`) for a year with no record and no indicator at all."""
    criteria = criteria if criteria is not None else load_criteria()
    commitments = commitments if commitments is not None else load_commitments()
    data = read_indicators(records, commitments)
    if check_year and year not in set(records.years()) | data.years():
        known = sorted(set(records.years()) | data.years())
        span = f"{known[0]}–{known[-1]}" if known else "không có năm nào"
        raise ValidationError(
            [
                Problem(
                    "--year", None, None, str(year), f"dữ liệu không có năm này (các năm có số liệu: {span})"
                )
            ]
        )
    notes = list(data.notes)
    if not data.present:
        notes.append(
            "không có bảng indicators: các chỉ tiêu đo bằng bảng này là «"
            + commitments.status("no_data")
            + "» (xem docs/monitor.md)."
        )
    return Monitoring(year, commitments, judge_all(records, year, criteria, commitments, data), data, notes)


def annex_section(ev, commitments: Commitments | None = None) -> AnnexSection:
    """The annex's optional section «Tình hình thực hiện các chỉ tiêu của Chương trình» for an
    Evaluation's records, year and criteria (the shape of the annex's section hook)."""
    m = monitor_commitments(ev.records, ev.year, ev.criteria, commitments, check_year=False)
    from .views import annex_section as build

    return build(m, ev.criteria.programme["short"])


@dataclass(frozen=True)
class _Stamp:
    """What export.manifest reads of a run: the criteria, the year, the records."""

    criteria: Criteria
    year: int
    records: Records


def write_monitor(m: Monitoring, records: Records, criteria: Criteria, out_dir: str | Path) -> list[str]:
    """Write monitor.csv, monitor_series.csv and manifest.json into `out_dir`, all or nothing, with
    the project's writer and stamp (scoring.export). Returns the names written."""
    from ..export import csv_bytes, manifest, write_files

    files = {
        "monitor.csv": csv_bytes(m.table),
        "monitor_series.csv": csv_bytes(m.series),
    }
    stamp = manifest(_Stamp(criteria, m.year, records))
    stamp["command"] = "monitor"
    stamp["commitments"] = {
        "file": Path(m.commitments.source).name,
        "version": m.commitments.version,
        "sha256": m.commitments.sha256,
        "overrides": dict(m.commitments.overrides),
    }
    stamp["files"] = sorted(files)  # as export lists them: the manifest itself not among them
    files["manifest.json"] = (json.dumps(stamp, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    write_files(out_dir, files)
    return sorted(files)
