"""What-if scenarios: other parameters, other readings, corrected records — and what changes.

A scenario is a name, overrides of criteria parameters (thresholds, band bounds, the open
readings of SPEC §2) and corrections to records (a unit's appraised score). Like an
OpenFisca reform it is a pure function of the baseline: `apply` returns new records and new
criteria and never touches the ones it was given. `compare(base, alt)` lists the decisions
that differ, the biggest consequences first:

    import scoring
    from scoring.scenario import Correction, Scenario, compare, run

    crit, recs = scoring.load_criteria(), scoring.load_records()
    base = scoring.evaluate(recs, 2020, crit)
    sc = Scenario("ngưỡng 12%", {"unit_late_threshold_percent": 12},
                  (Correction("DH_KHANHHOA", 2020, "72.00"),))
    alt = run(recs, 2020, crit, sc)
    compare(base, alt)   # subject, rule, clause, before, after, change

A corrected score goes back into the records, so everything the engine derives from a score
(band, rank, the late-dossier cap, streaks of later years) is derived again.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .compare import (  # noqa: F401 (the what-if's diff, re-exported: scoring.scenario.compare)
    CHANGE_CHANGED,
    CHANGE_COLUMNS,
    CHANGE_GONE,
    CHANGE_NEW,
    SEVERITY,
    compare,
)
from .criteria import Criteria
from .evaluate import Evaluation, evaluate
from .export import (
    MAX_SPREADSHEET_ROWS,
    _manifest_properties,
    fits_spreadsheet,
    manifest,
    write_outputs,
)
from .labels import MISSING
from .records import Records
from .workbook import scenario_workbook


class ScenarioError(ValueError):
    """A scenario that cannot be applied (an unknown unit, a score out of range); Vietnamese."""


# ---------------------------------------------------------------------------------------
# The scenario


@dataclass(frozen=True)
class Correction:
    """A corrected appraised score of one unit in one year (hundredths, as records.py reads it).

    `score` may be text as a clerk writes it ("72,5", "84.995") or a number; it is rounded
    half up on its decimal value to 2 decimals, exactly as the input files are.
    """

    unit_id: str
    year: int
    score: str | float | int

    @property
    def score_cents(self) -> int:
        text = self.score if isinstance(self.score, str) else repr(float(self.score))
        cents = score_cents(text)
        if cents is None:
            raise ScenarioError(
                f"Điểm sửa của đơn vị {self.unit_id} năm {self.year} không hợp lệ: «{self.score}» — "
                "cần một số từ 0 đến 100 (ví dụ 85,20)."
            )
        return cents

    @property
    def score_text(self) -> str:
        c = self.score_cents
        return f"{c // 100}.{c % 100:02d}"

    def to_dict(self) -> dict:
        return {"unit_id": self.unit_id, "year": int(self.year), "score": self.score_text}


@dataclass(frozen=True)
class Scenario:
    """A named what-if: parameter overrides and record corrections."""

    name: str = "kịch bản"
    overrides: dict[str, Any] = field(default_factory=dict)
    corrections: tuple[Correction, ...] = ()

    @property
    def is_baseline(self) -> bool:
        return not self.overrides and not self.corrections

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "overrides": dict(self.overrides),
            "corrections": [c.to_dict() for c in self.corrections],
        }

    def describe(self, criteria: Criteria | None = None) -> str:
        """One Vietnamese line per change, with the baseline value when criteria are given."""
        lines = [f"Kịch bản «{self.name}»:"]
        for k, v in self.overrides.items():
            was = f" (gốc: {_value_text(criteria.parameter_info(k)['value'])})" if criteria else ""
            lines.append(f"  - {k} = {_value_text(v)}{was}")
        for c in self.corrections:
            lines.append(f"  - điểm của {c.unit_id} năm {c.year} sửa thành {c.score_text.replace('.', ',')}")
        if self.is_baseline:
            lines.append("  (không thay đổi gì so với phương án gốc)")
        return "\n".join(lines)

    @classmethod
    def from_strings(
        cls, name: str, sets: list[str] | None = None, corrects: list[str] | None = None, year: int = 0
    ) -> Scenario:
        """From command-line forms: `name=value` overrides; `UNIT=SCORE` or `UNIT:YEAR=SCORE`."""
        overrides: dict[str, Any] = {}
        for pair in sets or []:
            if "=" not in pair:
                raise ScenarioError(f"--set cần dạng tên=giá_trị, nhận được «{pair}»")
            k, v = pair.split("=", 1)
            # read as the criteria file reads a value: "12" -> 12, "false" -> False, "null" -> None
            overrides[k.strip()] = _read_value(v.strip())
        corrections = []
        for pair in corrects or []:
            if "=" not in pair:
                raise ScenarioError(
                    f"--correct cần dạng MÃ_ĐƠN_VỊ=ĐIỂM (hoặc MÃ:NĂM=ĐIỂM), nhận được «{pair}»"
                )
            who, score = (s.strip() for s in pair.split("=", 1))
            unit, _, y = who.partition(":")
            if y and not y.strip().isdigit():
                raise ScenarioError(f"--correct: năm «{y}» không phải số nguyên (trong «{pair}»)")
            corrections.append(Correction(unit.strip(), int(y) if y else int(year), score))
        return cls(name, overrides, tuple(corrections))


_SCORE = re.compile(r"^\+?(\d{1,3})(?:\.(\d*))?\s*%?$")


def score_cents(text: str) -> int | None:
    """A score as written -> hundredths, by the rule records.py reads the input files with.

    Decimal comma or point; rounded half up on the decimal value as written (84.995 -> 8500,
    84.994 -> 8499, never a binary float); None when it is not a number from 0 to 100.
    """
    m = _SCORE.match(str(text).strip().replace(",", "."))
    if not m:
        return None
    whole, frac = int(m.group(1)), m.group(2) or ""
    digits = int((frac + "000")[:3])
    cents = whole * 100 + digits // 10 + (digits % 10 >= 5)
    if whole > 100 or (whole == 100 and frac.strip("0")):
        return None
    return cents


def _read_value(text: str) -> Any:
    if not text:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text  # with_overrides says what is wrong with it


def _value_text(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


# ---------------------------------------------------------------------------------------
# Applying and running


def apply(records: Records, criteria: Criteria, scenario: Scenario) -> tuple[Records, Criteria]:
    """The scenario's records and criteria; the baseline ones are never modified.

    With no corrections the records are returned as they are (the same object), so what the
    engine caches on them — integer keys — serves every what-if of the same data.
    """
    crit = criteria.with_overrides(scenario.overrides)
    records = records.with_readings(crit)  # a reading of how files are read: read them again
    if not scenario.corrections:
        return records, crit
    units = pd.Index(records.units["unit_id"])
    rr = records.reform_results
    score = rr["score_cents"].to_numpy().copy()
    blank = rr["score_blank"].to_numpy().copy()
    years = rr["year"].to_numpy()
    ids = rr["unit_id"].to_numpy(dtype=object)
    bands = rr["band"].to_numpy()
    added, notes, applied = [], [], []
    for c in scenario.corrections:
        if c.unit_id not in units:
            raise ScenarioError(f"Không có đơn vị mã «{c.unit_id}» trong bảng units (điểm sửa năm {c.year}).")
        cents = c.score_cents
        hit = np.flatnonzero((years == int(c.year)) & (ids == c.unit_id))
        recorded = ""
        if len(hit):
            was = "không có điểm" if blank[hit[0]] else f"điểm {_cents_text(score[hit[0]])}"
            score[hit] = cents
            blank[hit] = False
            if bands[hit[0]] != MISSING and criteria["past_bands_final"]:
                # SPEC §2: a band recorded for an earlier year is final; the score does not reopen it
                recorded = (
                    f" Năm này có xếp loại đã ghi nhận «{criteria.bands.label(int(bands[hit[0]]))}»: nếu là "
                    "năm trước năm đánh giá, xếp loại đó vẫn là chính thức (past_bands_final = true)."
                )
        else:
            was = "chưa có kết quả"
            added.append((int(c.year), c.unit_id, cents))
        notes.append(
            f"Kịch bản «{scenario.name}»: đơn vị {c.unit_id} năm {c.year} ({was}) được tính với điểm "
            f"sửa {_cents_text(cents)}.{recorded}"
        )
        applied.append(c.to_dict())
    new_rr = rr.assign(score_cents=score, score_blank=blank)
    if added:
        extra = pd.DataFrame(
            {
                "row": np.zeros(len(added), dtype=np.int64),
                "year": np.array([a[0] for a in added], dtype=np.int64),
                "unit_id": pd.array([a[1] for a in added], dtype=rr["unit_id"].dtype),
                "score_cents": np.array([a[2] for a in added], dtype=np.int64),
                "score_blank": False,
                "band": np.int8(MISSING),
                "band_other_era": False,
                "band_blank": True,
            },
            columns=rr.columns,
        ).astype(rr.dtypes.to_dict())
        new_rr = pd.concat([new_rr, extra], ignore_index=True)
    new = records.replace(reform_results=new_rr)
    new.notes.extend(notes)
    new.corrections = applied  # stamped into the export's manifest
    cached = records.__dict__.get("_codes")
    if cached is not None and not added:
        # the same rows in the same order: the engine's integer keys still hold
        new.__dict__["_codes"] = cached
    return new, crit


def _cents_text(c: int) -> str:
    return f"{int(c) // 100},{int(c) % 100:02d}"


def run(records: Records, year: int, criteria: Criteria, scenario: Scenario) -> Evaluation:
    """Evaluate `year` under the scenario."""
    recs, crit = apply(records, criteria, scenario)
    return evaluate(recs, year, crit)


# ---------------------------------------------------------------------------------------
# The scenario's decisions as a workbook for people (scoring/workbook.py)


def workbook_bytes(
    ev: Evaluation, changes: pd.DataFrame | None = None, scenario: Scenario | None = None
) -> bytes:
    """The scenario's decisions as .xlsx bytes (deterministic: equal content, equal bytes)."""
    sc = scenario or Scenario("phương án gốc")
    return scenario_workbook(ev, changes, sc, _manifest_properties(manifest(ev, sc.name)))


def write_workbook(
    ev: Evaluation, path: str | Path, changes: pd.DataFrame | None = None, scenario: Scenario | None = None
) -> Path:
    """Write `workbook_bytes` to `path` atomically (a complete file or none)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, workbook_bytes(ev, changes, scenario))
    return path


def _atomic_write(path: Path, body: bytes) -> None:
    from .atomic import write_file

    write_file(path, body)


def changes_csv_bytes(changes: pd.DataFrame, sep: str = ",") -> bytes:
    """`changes.csv`: UTF-8 with BOM, the column names of `CHANGE_COLUMNS` (a script's contract)."""
    from .export import csv_frame

    buf = io.StringIO()
    csv_frame(changes[CHANGE_COLUMNS]).to_csv(buf, sep=sep, index=False, lineterminator="\r\n")
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def write_scenario(
    records: Records,
    year: int,
    criteria: Criteria,
    scenario: Scenario,
    out_dir: str | Path,
    fmt: str = "csv",
    max_spreadsheet_rows: int | None = None,
    csv_dialect: str = "standard",
) -> tuple[Evaluation, pd.DataFrame, list[str]]:
    """Evaluate the baseline and the scenario, write the scenario's tables and its changes.

    `out_dir` gets what `evaluate` writes (the five tables, `decisions.xlsx`, `manifest.json`,
    stamped with the scenario), plus `changes.csv` and `scenario_decisions.xlsx`. Everything
    is written into a temporary folder first and moved into place when complete.
    Returns (the scenario's evaluation, the changes, the export's notices).
    """
    base = evaluate(records, year, criteria)
    alt = run(records, year, criteria, scenario)
    changes = compare(base, alt)
    limit = MAX_SPREADSHEET_ROWS if max_spreadsheet_rows is None else max_spreadsheet_rows
    extra = {"changes.csv": changes_csv_bytes(changes, sep=";" if csv_dialect == "vn" else ",")}
    if fits_spreadsheet(alt, limit):
        extra["scenario_decisions.xlsx"] = workbook_bytes(alt, changes, scenario)
    notices = write_outputs(
        alt,
        Path(out_dir),
        fmt=fmt,
        max_spreadsheet_rows=limit,
        scenario=scenario.name,
        extra=extra,
        manifest_extra={"changes": len(changes)},
        csv_dialect=csv_dialect,
    )
    return alt, changes, notices
