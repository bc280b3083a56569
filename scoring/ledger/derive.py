"""The producer: from the ledger to the year's counts, reconciled with recorded counts, and findings.

`derive(records, year, crit)` returns a `LedgerRun`: the `unit_dossiers` and
`official_dossiers` frames in the typed form `evaluate` reads (year, unit_id / official_id,
handled, late, row), the differences from the recorded counts, the II.2 rescheduling check per
unit (`compliance`) and per dossier (`violations`), and the run's notes.

Recorded counts next to a ledger (issue 13 §2): in every year the ledger covers and the
recorded table has rows for, each (year, unit) and (year, official) is compared; a subject
missing on one side counts as 0 handled, 0 late there. Neither side is silently preferred:
the reading `ledger_recorded_conflict` says what happens when they differ — `refuse` (the
default: a `ValidationError` listing every difference, nothing written), `ledger` or
`recorded` (that side is used, and the notes list the differences). A year the ledger does not
cover keeps its recorded counts, and the notes say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..criteria import Criteria
from ..records import MAX_ROWS_PER_PROBLEM, OPTIONAL_EFFECT, Problem, Records, ValidationError
from ..rules.overdue_rescheduling import LEDGER_RUN
from . import engine
from .core import Ledger, Readings, open_ledger
from .load import has_ledger

COMPLIANCE_COLUMNS = [
    "year",
    "unit_id",
    "handled",
    "late",
    "pending_overdue",
    "overdue",
    "not_rescheduled",
    "rescheduled_more_than_once",
    "no_apology",
    "new_due_missed",
    "compliant",
    "violations",
    "compliance_rate",
    "status",
]
VIOLATION_COLUMNS = [
    "year",
    "unit_id",
    "dossier_id",
    "kind",
    "received_at",
    "due_at",
    "resolved_at",
    "reschedules",
    "first_new_due_at",
    "apology_refs",
    "problems",
]
PROBLEM_CODES = ("not_rescheduled", "rescheduled_more_than_once", "no_apology", "new_due_missed")
DIFFERENCE_COLUMNS = [
    "year",
    "table",
    "subject_id",
    "recorded_handled",
    "recorded_late",
    "ledger_handled",
    "ledger_late",
]
CHECKED, NO_DATA = "checked", "no_data"


@dataclass
class LedgerRun:
    """What the ledger produced for one evaluated year, and what the run has to say."""

    year: int
    source: str
    readings: Readings
    counts: pd.DataFrame  # per (year, unit): handled, late, resolved, pending_overdue, overdue
    official_counts: pd.DataFrame | None
    unit_dossiers: pd.DataFrame  # what the rules read (typed, every year)
    official_dossiers: pd.DataFrame
    covered_years: tuple[int, ...]
    differences: pd.DataFrame
    used: str  # "ledger" or "recorded": which counts the rules read in the covered years
    compliance: pd.DataFrame
    violations: pd.DataFrame
    checked: bool  # whether dossier_reschedules was given
    ledger: Ledger
    notes: list[str] = field(default_factory=list)

    @property
    def year_counts(self) -> pd.DataFrame:
        """The evaluated year's counts per unit."""
        return self.counts[self.counts["year"] == self.year].reset_index(drop=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The ledger command's output tables (snake_case CSV contract, docs/ledger.md §4)."""
        y = self.year
        c = self.counts
        ud = c[(c["year"] == y) & (c["handled"] > 0)][["year", "unit_id", "handled", "late"]]
        out = {"unit_dossiers": ud.reset_index(drop=True)}
        if self.official_counts is not None:
            oc = self.official_counts
            out["official_dossiers"] = oc[oc["year"] == y][
                ["year", "official_id", "handled", "late"]
            ].reset_index(drop=True)
        out["reschedule_compliance"] = self.compliance
        out["reschedule_violations"] = self.violations
        out["reconciliation"] = self.differences
        return out


def _vn(n) -> str:
    return f"{int(n):,}".replace(",", ".")


def _pct(num: int, den: int) -> str:
    """num/den as a percentage with two decimals, rounded half up, decimal comma."""
    if den <= 0:
        return "—"
    hundredths = (num * 20000 + den) // (2 * den)
    return f"{hundredths // 100},{hundredths % 100:02d}%"


def reading_words(crit: Criteria) -> str:
    """The ledger readings in force, in words (notes and evidence)."""
    r = Readings.of(crit)
    parts = [
        "mẫu số: hồ sơ đã giải quyết"
        + (" và hồ sơ tồn quá hạn cuối năm" if r.with_pending else "")
        + " trong năm",
        "năm của hồ sơ: " + ("năm hết hạn" if r.year_by == "due" else "năm giải quyết"),
        "đúng hạn: " + ("trong ngày hết hạn" if r.granularity == "day" else "đến đúng thời điểm hết hạn"),
    ]
    if r.cure:
        parts.append("hồ sơ hẹn lại đúng quy định và đúng hẹn không tính trễ hạn")
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------


def derive(
    records: Records,
    year: int,
    crit: Criteria,
    config: engine.EngineConfig | None = None,
    ledger: Ledger | None = None,
) -> LedgerRun | None:
    """The ledger's counts and findings for `year`, reconciled; None when there is no ledger.

    Raises `ValidationError` for bad ledger rows, and for counts that differ from the recorded
    ones under the default reading `ledger_recorded_conflict = refuse`.
    """
    if ledger is None:
        if not has_ledger(records):
            return None
        ledger = open_ledger(records, config)
    Y = int(year)
    readings = Readings.of(crit)
    mode = crit["ledger_recorded_conflict"]
    # a what-if that changes no ledger reading gets the same run (the records do not change)
    runs = records.__dict__.setdefault("_ledger_runs", {})
    key = (Y, readings, mode, id(ledger))
    if key not in runs:
        runs[key] = _derive(records, Y, crit, ledger, readings)
    return runs[key]


def _derive(records: Records, Y: int, crit: Criteria, ledger: Ledger, readings: Readings) -> LedgerRun:
    counts = ledger.unit_counts(readings)
    ocounts = ledger.official_counts(readings)
    counted = counts[counts["handled"] > 0]  # (a unit with only uncounted overdue dossiers: 0/0)
    covered = tuple(sorted(int(y) for y in counted["year"].unique()))
    notes = _extent_notes(ledger, counts, Y, crit)
    diffs, problems = _reconcile(records, counted, ocounts, covered, ledger.where)
    mode = crit["ledger_recorded_conflict"]
    if len(diffs) and mode == "refuse":
        raise ValidationError(problems)
    used = "recorded" if mode == "recorded" else "ledger"
    if len(diffs):
        notes.append(
            f"Số liệu tổng hợp khác sổ theo dõi hồ sơ ở {_vn(len(diffs))} chỗ (xem bảng reconciliation); "
            + ("dùng số liệu tổng hợp" if used == "recorded" else "dùng số liệu tính từ sổ theo dõi")
            + f" theo tham số ledger_recorded_conflict = {mode}."
        )
    unit_frame, official_frame = _fed(records, counted, ocounts, covered, used)
    if ocounts is not None and used == "ledger":
        notes += _officials_not_listed(records, ocounts, Y)
    compliance, violations = _rescheduling(ledger, counts, Y, readings)
    if not ledger.has_reschedules:
        notes.append(
            "Không có bảng dossier_reschedules: việc hẹn lại một lần và xin lỗi bằng văn bản đối với "
            "hồ sơ quá hạn (mục II.2) chưa có số liệu để kiểm tra."
        )
    return LedgerRun(
        year=Y,
        source=ledger.where,
        readings=readings,
        counts=counts,
        official_counts=ocounts,
        unit_dossiers=unit_frame,
        official_dossiers=official_frame,
        covered_years=covered,
        differences=diffs,
        used=used,
        compliance=compliance,
        violations=violations,
        checked=ledger.has_reschedules,
        ledger=ledger,
        notes=notes,
    )


def _extent_notes(ledger: Ledger, counts: pd.DataFrame, Y: int, crit: Criteria) -> list[str]:
    y = counts[counts["year"] == Y]
    notes = [
        f"Sổ theo dõi hồ sơ một cửa ({ledger.where}): {_vn(ledger.dossiers)} hồ sơ. Năm {Y}: "
        f"{_vn(y['handled'].sum())} hồ sơ được tính ({reading_words(crit)}), {_vn(y['late'].sum())} trễ hạn"
        + (
            f", trong đó {_vn(y['pending_overdue'].sum())} hồ sơ tồn quá hạn cuối năm"
            if y["pending_overdue"].sum()
            else ""
        )
        + "."
    ]
    per_year = counts[counts["handled"] > 0].groupby("year")["handled"].sum()
    if len(per_year) > 1:
        listed = ", ".join(f"{int(y)} ({_vn(n)} hồ sơ)" for y, n in per_year.items())
        notes.append(
            f"Sổ theo dõi có hồ sơ tính vào các năm {listed}; ở mỗi năm này số liệu hồ sơ được tính từ sổ "
            "(một năm chỉ có một phần hồ sơ trong sổ sẽ khác số liệu tổng hợp: hãy xuất sổ theo trọn năm)."
        )
    if ledger.excluded:
        notes.append(
            f"{_vn(ledger.excluded)} hồ sơ bị từ chối hoặc hủy (cột status) không được tính vào số hồ sơ."
        )
    if not ledger.has_steps:
        notes.append(
            "Sổ theo dõi không có bảng dossier_steps: số liệu hồ sơ của cán bộ lấy theo bảng official_dossiers (nếu có)."
        )
    return notes


def _reconcile(records, counts, ocounts, covered, where) -> tuple[pd.DataFrame, list[Problem]]:
    """Every difference between recorded and derived counts, in the years both cover."""
    frames, problems = [], []
    pairs = [("unit_dossiers", "unit_id", counts)]
    if ocounts is not None:
        pairs.append(("official_dossiers", "official_id", ocounts))
    for table, key, derived in pairs:
        if table not in records.present:
            continue
        rec = records.table(table)
        years = sorted(set(covered) & {int(y) for y in rec["year"].unique()})
        if not years:
            continue
        a = rec[rec["year"].isin(years)][["year", key, "handled", "late", "row"]]
        b = derived[derived["year"].isin(years)][["year", key, "handled", "late"]]
        m = a.merge(b, on=["year", key], how="outer", suffixes=("_rec", "_led"))
        for c in ("handled_rec", "late_rec", "handled_led", "late_led"):
            m[c] = m[c].fillna(0).astype("int64")
        m = m[(m["handled_rec"] != m["handled_led"]) | (m["late_rec"] != m["late_led"])]
        m = m.sort_values(["year", key], kind="stable")
        frames.append(
            pd.DataFrame(
                {
                    "year": m["year"].astype("int64").to_numpy(),
                    "table": table,
                    "subject_id": m[key].astype(str).to_numpy(),
                    "recorded_handled": m["handled_rec"].to_numpy(),
                    "recorded_late": m["late_rec"].to_numpy(),
                    "ledger_handled": m["handled_led"].to_numpy(),
                    "ledger_late": m["late_led"].to_numpy(),
                }
            )
        )
        problems += _difference_problems(records, table, m, key, where)
    if not frames:
        return pd.DataFrame(
            {
                c: pd.Series(dtype="int64" if "hand" in c or "late" in c or c == "year" else "str")
                for c in DIFFERENCE_COLUMNS
            }
        ), []
    return pd.concat(frames, ignore_index=True)[DIFFERENCE_COLUMNS], problems


def _difference_problems(records, table, m, key, where) -> list[Problem]:
    src = records.sources.get(table)
    rec_where = src.where if src else table
    who = "đơn vị" if key == "unit_id" else "cán bộ"
    out = []
    for r in m.head(MAX_ROWS_PER_PROBLEM).itertuples(index=False):
        d = r._asdict()
        col = "handled" if d["handled_rec"] != d["handled_led"] else "late"
        row = None if pd.isna(d["row"]) else int(d["row"])
        recorded = f"{d[col + '_rec']}" if row is not None else None
        out.append(
            Problem(
                rec_where,
                row,
                col if row is not None else None,
                recorded,
                f"{who} {d[key]} năm {int(d['year'])}: số liệu tổng hợp {_vn(d['handled_rec'])} hồ sơ, "
                f"{_vn(d['late_rec'])} trễ hạn; sổ theo dõi ({where}) tính được {_vn(d['handled_led'])} hồ sơ, "
                f"{_vn(d['late_led'])} trễ hạn. Hai nguồn phải khớp, hoặc chọn nguồn bằng "
                "--set ledger_recorded_conflict=ledger (hoặc =recorded)",
            )
        )
    if len(m) > MAX_ROWS_PER_PROBLEM:
        out.append(
            Problem(
                rec_where, None, None, None, f"… và {_vn(len(m) - MAX_ROWS_PER_PROBLEM)} chỗ khác nhau khác"
            )
        )
    return out


def _typed(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """Counts in the typed form of records' frames (row 0: not a row of any file)."""
    return pd.DataFrame(
        {
            "row": np.zeros(len(df), dtype=np.int64),
            "year": df["year"].astype("int64").to_numpy(),
            key: pd.array(df[key].astype(str).to_numpy(), dtype="str"),
            "handled": df["handled"].astype("int64").to_numpy(),
            "late": df["late"].astype("int64").to_numpy(),
        }
    )


def _fed(records, counts, ocounts, covered, used) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the rules read: derived counts in the covered years, recorded ones elsewhere."""
    out = []
    for table, key, derived in (
        ("unit_dossiers", "unit_id", counts),
        ("official_dossiers", "official_id", ocounts),
    ):
        rec = records.table(table)
        if derived is None or used == "recorded":
            out.append(rec)
            continue
        keep = rec[~rec["year"].isin(covered)]
        cols = list(rec.columns)
        frame = pd.concat([keep[cols], _typed(derived, key)[cols]], ignore_index=True)
        out.append(frame)
    return out[0], out[1]


def _officials_not_listed(records: Records, ocounts: pd.DataFrame, Y: int) -> list[str]:
    o = records.officials
    # as object arrays: iterating Arrow-backed strings one by one costs three times as much
    listed = set(o.loc[o["year"] == Y, "official_id"].astype(str).to_numpy(dtype=object))
    ids = ocounts.loc[ocounts["year"] == Y, "official_id"].to_numpy(dtype=object)
    missing = sorted(set(ids) - listed)
    if not missing:
        return []
    shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
    return [
        f"{_vn(len(missing))} cán bộ có bước xử lý hồ sơ năm {Y} nhưng không có trong bảng officials năm {Y} "
        f"({shown}): số liệu của họ không được xét."
    ]


def _rescheduling(ledger: Ledger, counts: pd.DataFrame, Y: int, readings: Readings):
    """The II.2 check per unit of the year and per overdue dossier."""
    y = counts[counts["year"] == Y]
    base = y[y["overdue"] > 0][["year", "unit_id", "handled", "late", "pending_overdue", "overdue"]]
    base = base.reset_index(drop=True)
    if not ledger.has_reschedules:
        comp = base.assign(
            **{
                c: pd.array([pd.NA] * len(base), dtype="Int64")
                for c in (*PROBLEM_CODES, "compliant", "violations")
            },
            compliance_rate=np.full(len(base), np.nan),
            status=NO_DATA,
        )
        empty = pd.DataFrame({c: pd.Series(dtype="str") for c in VIOLATION_COLUMNS})
        return comp[COMPLIANCE_COLUMNS], empty
    od = ledger.overdue(Y, readings)
    flags = od[list(PROBLEM_CODES)].to_numpy(dtype=bool)
    od = od.assign(violation=flags.any(axis=1))
    per = od.groupby("unit_id", sort=True).agg(
        **{c: (c, "sum") for c in PROBLEM_CODES}, violations=("violation", "sum")
    )
    comp = base.merge(per.reset_index(), on="unit_id", how="left")
    for c in (*PROBLEM_CODES, "violations"):
        comp[c] = comp[c].fillna(0).astype("int64")
    comp["compliant"] = comp["overdue"] - comp["violations"]
    comp["compliance_rate"] = comp["compliant"] / comp["overdue"]
    comp["status"] = CHECKED
    bad = od[od["violation"]].reset_index(drop=True)
    words = np.full(len(bad), "", dtype=object)
    for c in PROBLEM_CODES:
        hit = bad[c].to_numpy(dtype=bool)
        words = np.where(hit, np.where(words == "", c, words + ";" + c), words)
    viol = pd.DataFrame(
        {
            "year": bad["year"].astype("int64").to_numpy(),
            "unit_id": bad["unit_id"].astype(str).to_numpy(),
            "dossier_id": bad["dossier_id"].astype(str).to_numpy(),
            "kind": np.where(bad["kind"] == "resolved", "resolved_late", "pending_overdue"),
            "received_at": _times(bad["received_at"]),
            "due_at": _times(bad["due_at"]),
            "resolved_at": _times(bad["resolved_at"]),
            "reschedules": bad["reschedules"].astype("int64").to_numpy(),
            "first_new_due_at": _times(bad["first_new_due"]),
            "apology_refs": bad["apology_refs"].fillna("").astype(str).to_numpy(),
            "problems": words,
        }
    )
    return comp[COMPLIANCE_COLUMNS], viol[VIOLATION_COLUMNS]


def _times(s: pd.Series) -> np.ndarray:
    """Local times as '2020-03-04 08:15:00' (to the second; '' when blank)."""
    t = pd.to_datetime(s)
    text = t.dt.strftime("%Y-%m-%d %H:%M:%S")
    return text.fillna("").astype(str).to_numpy()


# ---------------------------------------------------------------------------------------
# The evaluation's two hooks


def feed(records: Records, year: int, crit: Criteria) -> tuple[Records, LedgerRun | None]:
    """Records whose dossier counts come from the ledger (when the data holds one), and the run."""
    run = derive(records, year, crit)
    if run is None:
        return records, None
    fed = run.__dict__.get("_fed")  # the same run (a what-if on thresholds) feeds the same records
    if fed is not None:
        return fed, run
    fed = records.replace(unit_dossiers=run.unit_dossiers, official_dossiers=run.official_dossiers)
    tables = ["unit_dossiers"] + (["official_dossiers"] if run.official_counts is not None else [])
    stale = {f"Không có bảng {t}: {OPTIONAL_EFFECT[t]}." for t in tables if run.used == "ledger"}
    fed.notes = [n for n in fed.notes if n not in stale]
    # what the records carry besides their tables goes along; the caches of their columns, keys
    # and matrices do not (the dossier tables changed: scoring.columns, context, records.load)
    for name in CARRIED:
        if name in records.__dict__ and name not in fed.__dict__:
            fed.__dict__[name] = records.__dict__[name]
    fed.__dict__[LEDGER_RUN] = run  # for the rule overdue_rescheduling (scoring/rules)
    run.__dict__["_fed"] = fed
    return fed, run


# A scenario's corrections, the years checked at load, the raw text of the extra tables, the
# digits scores were read at, and the opened ledger with its runs.
CARRIED = ("corrections", "_checked_years", "_raw", "_read_digits", "_ledger", "_ledger_runs")
