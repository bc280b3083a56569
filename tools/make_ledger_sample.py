"""Write the embedded sample's SYNTHETIC dossier ledger, derived from the sample's own counts.

    .venv/bin/python tools/make_ledger_sample.py            # from the repository root

Reads `scoring/sample_data/unit_dossiers.csv`, `official_dossiers.csv` and `officials.csv` and
writes `dossiers.csv`, `dossier_steps.csv` and `dossier_reschedules.csv` beside them, so that
the ledger's counts for the sample's latest year reproduce the recorded ones exactly (under
the default readings; tests/test_ledger_sample.py proves it). Re-run it whenever the sample's
counts change: the output is a function of those files and the seed only.

Every dossier, step and rescheduling is invented (ids, procedure codes, times, apology
numbers); the ledger covers one year (the latest with unit and official counts), since the
province's one-stop records are not public and a year of ~100,000 dossiers is already 8 MB.

What it holds, per unit of that year with H handled and L late dossiers:
- H dossiers resolved in the year, L of them after their due time; dues are mostly dates alone
  (the end of that day), some at 17:00; about 1% more dossiers still pending at the year's end
  (some past due, some not yet due) and a few denied or cancelled ones (left out of the counts);
- edges: a dossier resolved exactly at its due second (on time), one resolved one second
  after it (late), one resolved at 23:59:59 on a bare due date (on time), one pending and due
  at 23:59:59 on 31/12 (overdue at the year's end), and — when the sample has no counts for the
  next year — one due on 21/12 and resolved on 01/01 of the next year (it counts in the next
  year by default, in this one when dossiers belong to the year they are due);
- per official with h handled and l late dossiers: one step on h distinct dossiers of their
  unit, l of them ending after the step's due time; a few steps with no official (the
  applicant's or the system's);
- per overdue dossier: mostly one rescheduling with an apology number and the new due met, and
  some of each violation of mục II.2 (not rescheduled, rescheduled twice, no apology, new due
  missed), concentrated in a few units so that the rule `overdue_rescheduling` fires there.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "scoring" / "sample_data"
SEED = 20170405  # the programme's arrival at Sở Nội vụ, 05/4/2017
DAY = timedelta(days=1)
# Units whose overdue dossiers show every kind of II.2 violation (the rule fires for them).
CARELESS = ("UB_VANNINH", "SO_XD", "DH_KHANHHOA", "UB_NHATRANG")


def _time(t: datetime, seconds: bool = False) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _due(t: datetime, bare: bool) -> str:
    return t.strftime("%Y-%m-%d") if bare else _time(t)


def _office_time(rng, day: datetime) -> datetime:
    """A time in office hours (07:30–17:00) on `day`."""
    return day.replace(hour=7, minute=30) + timedelta(minutes=int(rng.integers(0, 570)))


def _weekday(rng, start: datetime, span_days: int) -> datetime:
    d = start + timedelta(days=int(rng.integers(0, span_days)))
    while d.weekday() >= 5:
        d += DAY
    return d


def main() -> int:
    ud = pd.read_csv(SAMPLE / "unit_dossiers.csv", dtype={"unit_id": str})
    od = pd.read_csv(SAMPLE / "official_dossiers.csv", dtype={"official_id": str})
    off = pd.read_csv(SAMPLE / "officials.csv", dtype=str)
    units = pd.read_csv(SAMPLE / "units.csv", dtype=str)
    year = int(min(ud["year"].max(), od["year"].max()))
    next_year_recorded = (ud["year"] == year + 1).any() or (od["year"] == year + 1).any()
    rng = np.random.default_rng(SEED)
    start = datetime(year, 1, 1)
    dossiers, steps, reschedules = [], [], []
    counter = iter(range(1, 10**7))
    edges_done = False

    def new_id() -> str:
        return f"HS{year % 100:02d}{next(counter):06d}"

    off_y = off[off["year"] == str(year)].set_index("official_id")["unit_id"]
    od_y = od[od["year"] == year]
    ud_y = ud[ud["year"] == year].set_index("unit_id")
    for unit in units["unit_id"]:
        if unit not in ud_y.index:
            continue
        handled, late = int(ud_y.at[unit, "handled"]), int(ud_y.at[unit, "late"])
        codes = [f"1.00{int(c):04d}" for c in rng.choice(9000, size=12, replace=False)]
        weights = 1 / np.arange(1, 13) ** 1.2  # a few procedures carry most dossiers
        mine = []  # [id, received, due, resolved, is_late, bare due]
        for k in range(handled):
            is_late = k < late
            resolved = _office_time(
                rng, _weekday(rng, start + (40 * DAY if is_late else 3 * DAY), 320 if is_late else 355)
            )
            bare = rng.random() < 0.8
            if is_late:
                due = resolved - timedelta(hours=int(rng.integers(1, 24 * 15)))
                bare = bare and due.date() < resolved.date()
            else:
                due = resolved + timedelta(hours=int(rng.integers(0, 24 * 6)))
            due = (
                due.replace(hour=23, minute=59, second=59)
                if bare
                else due.replace(hour=17, minute=0, second=0)
            )
            if not is_late and due < resolved:
                due, bare = resolved.replace(hour=23, minute=59, second=59), True
            if is_late and due >= resolved:
                due, bare = resolved - timedelta(hours=2), False
            allowed = int(rng.choice([1, 3, 5, 7, 10, 15, 20]))
            received = _office_time(rng, (due - allowed * 1.4 * DAY).replace(hour=0, minute=0))
            received = min(received, due - timedelta(hours=1), resolved - timedelta(hours=2))
            mine.append([new_id(), received, due, resolved, is_late, bare])
        if not edges_done and late and handled > late + 2:  # the exact-second edges, once
            edges_done = True
            r = mine[0]
            r[2], r[5] = r[3] - timedelta(seconds=1), False  # resolved one second late
            r = mine[late]
            r[2], r[5] = r[3], False  # resolved at the due second: on time
            r = mine[late + 1]
            r[3] = r[3].replace(hour=23, minute=59, second=59)  # at the last second of a bare due date
            r[2], r[5] = r[3], True
        for d_id, received, due, resolved, _is_late, bare in mine:
            dossiers.append(
                (
                    d_id,
                    unit,
                    codes[int(rng.choice(12, p=weights / weights.sum()))],
                    _time(received),
                    _due(due, bare) if bare else _time(due, seconds=due.second != 0),
                    _time(resolved, seconds=resolved.second != 0),
                    "",
                    "1" if rng.random() < 0.35 else "0",
                )
            )
        overdue = [(m[0], m[1], m[2], m[3]) for m in mine if m[4]]
        # pending at the year's end (not counted by default), and denied/cancelled ones
        for _ in range(max(1, handled // 100)):
            received = _office_time(rng, _weekday(rng, datetime(year, 11, 1), 55))
            due = received + timedelta(days=int(rng.integers(3, 40)))
            due = due.replace(hour=23, minute=59, second=59)
            d_id = new_id()
            dossiers.append((d_id, unit, codes[0], _time(received), _due(due, True), "", "", "1"))
            if due < datetime(year + 1, 1, 1):
                overdue.append((d_id, received, due, None))
        for status in ("denied", "cancelled")[: 1 + handled // 2000]:
            received = _office_time(rng, _weekday(rng, start, 300))
            due = received + 5 * DAY
            dossiers.append(
                (
                    new_id(),
                    unit,
                    codes[1],
                    _time(received),
                    _due(due, True),
                    _time(received + DAY),
                    status,
                    "0",
                )
            )
        _steps(rng, unit, mine, od_y, off_y, steps)
        _reschedules(rng, unit, overdue, reschedules)
    # a dossier pending and due at 23:59:59 on 31/12: overdue at the year's end
    first = units["unit_id"].iloc[0]
    edge = new_id()
    dossiers.append((edge, first, "1.000001", f"{year}-12-24 09:00", f"{year}-12-31 23:59:59", "", "", "1"))
    reschedules.append((edge, f"{year}-12-31 10:00", f"{year + 1}-01-08", f"01/XL-{first}", f"{year}-12-31"))
    if not next_year_recorded:  # due 21/12, resolved 01/01 of the next year
        edge = new_id()
        dossiers.append(
            (
                edge,
                first,
                "1.000001",
                f"{year}-12-10 08:00",
                f"{year}-12-21",
                f"{year + 1}-01-01 09:30",
                "",
                "0",
            )
        )
        reschedules.append(
            (edge, f"{year}-12-21 15:00", f"{year + 1}-01-02", f"02/XL-{first}", f"{year}-12-21")
        )
    _write(
        "dossiers",
        [
            "dossier_id",
            "unit_id",
            "procedure_code",
            "received_at",
            "due_at",
            "resolved_at",
            "status",
            "online",
        ],
        dossiers,
    )
    _write("dossier_steps", ["dossier_id", "step", "official_id", "started_at", "due_at", "done_at"], steps)
    _write(
        "dossier_reschedules",
        ["dossier_id", "rescheduled_at", "new_due_at", "apology_ref", "apology_at"],
        reschedules,
    )
    print(f"{year}: {len(dossiers)} dossiers, {len(steps)} steps, {len(reschedules)} reschedulings")
    return 0


def _steps(rng, unit, mine, od_y, off_y, steps) -> None:
    """One step per (official, dossier): l late and h - l on time, on h distinct dossiers of the unit.

    Officials of a unit may share dossiers (their handled counts can add up to more than the
    unit's): each takes the next dossiers round the unit's list, its own step number on each.
    """
    pool = list(range(len(mine)))
    rng.shuffle(pool)
    late_first = sorted(pool, key=lambda i: not mine[i][4])  # late steps go to late dossiers first
    offset = 0
    officials = od_y[od_y["official_id"].map(off_y) == unit]
    for j, row in enumerate(officials.itertuples(index=False)):
        h, lt = int(row.handled), int(row.late)
        ring = late_first[offset % len(pool) :] + late_first[: offset % len(pool)] if pool else []
        late_pick = ring[:lt]
        chosen = set(late_pick)
        rest = [i for i in pool[offset % len(pool) :] + pool[: offset % len(pool)] if i not in chosen][
            : h - lt
        ]
        offset += h
        for i, is_late in [(i, True) for i in late_pick] + [(i, False) for i in rest]:
            d_id, received, due, resolved = mine[i][:4]
            started = received + timedelta(minutes=30 + j)
            span = max((resolved - started).total_seconds(), 120)
            step_due = started + timedelta(seconds=int(span * 0.5))
            if is_late:
                late_by = max(1, int((resolved - step_due).total_seconds() * rng.uniform(0.2, 0.9)))
                done = step_due + timedelta(seconds=late_by)
            else:
                done = started + timedelta(
                    seconds=int((step_due - started).total_seconds() * rng.uniform(0.3, 1.0))
                )
            steps.append(
                (
                    d_id,
                    str(2 + j),
                    row.official_id,
                    _time(started, True),
                    _time(step_due, True),
                    _time(done, True),
                )
            )
    for i in pool[:3]:  # steps no official answers for (reception by the system)
        d_id, received = mine[i][:2]
        stamp = (_time(received, True), _time(received + timedelta(hours=1), True), _time(received, True))
        steps.append((d_id, "1", "", *stamp))


def _reschedules(rng, unit, overdue, out) -> None:
    """Reschedulings of the unit's overdue dossiers, mostly as mục II.2 asks."""
    careless = unit in CARELESS
    for n, (d_id, received, due, resolved) in enumerate(overdue):
        p = rng.random()
        kind = "ok"
        if careless and n < 4:
            kind = ("none", "twice", "no_apology", "missed")[n]
        elif careless and p < 0.3:
            kind = ("none", "twice", "no_apology", "missed")[int(rng.integers(0, 4))]
        if kind == "none":
            continue
        at = max(due - timedelta(hours=int(rng.integers(1, 48))), received + timedelta(minutes=10))
        end = resolved or max(due + 20 * DAY, datetime(due.year + 1, 1, 1))  # pending: a date after the year
        new_due = end + timedelta(days=int(rng.integers(0, 4)))
        if kind == "missed" and resolved is not None:
            new_due = due + (resolved - due) / 2
        ref = "" if kind == "no_apology" else f"{int(rng.integers(1, 400))}/XL-{unit}"
        out.append((d_id, _time(at), _time(new_due), ref, at.strftime("%Y-%m-%d") if ref else ""))
        if kind == "twice":
            at2 = new_due - timedelta(hours=2)
            out.append(
                (
                    d_id,
                    _time(at2),
                    _time(at2 + 2 * DAY),
                    f"{int(rng.integers(1, 400))}/XL-{unit}",
                    at2.strftime("%Y-%m-%d"),
                )
            )


def _write(name: str, columns: list[str], rows: list[tuple]) -> None:
    df = pd.DataFrame(rows, columns=columns)
    df.to_csv(SAMPLE / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
