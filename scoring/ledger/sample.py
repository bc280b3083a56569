"""The embedded sample's SYNTHETIC dossier ledger, generated on demand from the sample's own counts.

    python -m scoring sample DIR --with-ledger           # the sample, and its ledger of 2020
    python -m scoring ledger DIR --year 2020 --out OUT   # then, on it
    python -m scoring evaluate DIR --year 2020 --out OUT

The sample folder inside the package (`scoring/sample_data/`) carries no ledger: `load_records()`
and the golden copy evaluate its recorded counts, in milliseconds. This module writes the three
ledger tables (`dossiers.csv`, `dossier_steps.csv`, `dossier_reschedules.csv`, about 11 MB of
CSV) into a copy of the sample when someone asks for them. The output is a function of the
data folder's count files (`units.csv`, `unit_dossiers.csv`, `official_dossiers.csv`,
`officials.csv`) and of `SEED` only: the same files give the same bytes.

CSV rather than Parquet, although Parquet would be about six times smaller: the sample is read
by people (in a spreadsheet too), the rest of the sample is CSV, and only text can carry the
forms a one-stop export really holds — a due date written without a time (the end of that day),
a time to the minute or to the second. Opening it costs about a second (docs/ledger.md §6).

Every dossier, step and rescheduling is invented (ids, procedure codes, times, apology numbers).
The ledger covers one year, the latest with unit and official counts. Per unit of that year with
H handled and L late dossiers:
- H dossiers resolved in the year, L of them after their due time; dues are mostly dates alone
  (the end of that day), the others at 17:00; about 1% more dossiers still pending at the year's
  end (some past due, some not yet due), and a few denied or cancelled ones (left out of counts);
- the edges, once: a dossier resolved exactly at its due second (on time), one resolved one
  second after it (late), one resolved at 23:59:59 on a bare due date (on time), one pending and
  due at 23:59:59 on 31/12 (overdue at the year's end), and — when the data has no counts for the
  next year — one due on 21/12 and resolved on 01/01 of the next year (it counts in the next year
  by default, in this one when dossiers belong to the year they are due);
- per official with h handled and l late dossiers: one step on each of h distinct dossiers of
  their unit, l of them ending after the step's due time (late dossiers first); three steps per
  unit with no official (the reception by the system);
- per overdue dossier: one rescheduling with an apology number and the new due met, except in
  the four `CARELESS` units, whose first four overdue dossiers show each violation of mục II.2
  (not rescheduled, rescheduled twice, no apology, new due missed) and 30% of the rest one of
  them at random, so that the rule `overdue_rescheduling` fires there.

Raises `ValueError` when the counts cannot be reproduced (an official handling more dossiers
than their unit has): the ledger must reconcile exactly or not be written.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ..atomic import publish

SEED = 20170405  # the programme's arrival at Sở Nội vụ, 05/4/2017
# Units whose overdue dossiers show every kind of II.2 violation (the rule fires for them).
CARELESS = ("UB_VANNINH", "SO_XD", "DH_KHANHHOA", "UB_NHATRANG")
LEDGER_FILES = {
    "dossiers": (
        "dossier_id",
        "unit_id",
        "procedure_code",
        "received_at",
        "due_at",
        "resolved_at",
        "status",
        "online",
    ),
    "dossier_steps": ("dossier_id", "step", "official_id", "started_at", "due_at", "done_at"),
    "dossier_reschedules": ("dossier_id", "rescheduled_at", "new_due_at", "apology_ref", "apology_at"),
}
COUNT_FILES = ("units.csv", "unit_dossiers.csv", "official_dossiers.csv", "officials.csv")
MINUTE, HOUR, DAY = 60, 3600, 86_400
OFFICE_START = 7 * HOUR + 30 * MINUTE  # 07:30; office hours last 570 minutes, to 17:00
ALLOWED_DAYS = np.array([1, 3, 5, 7, 10, 15, 20])
# The kinds of rescheduling of an overdue dossier; the first four are the II.2 violations.
NONE, TWICE, NO_APOLOGY, MISSED, OK = range(5)


def _day(y: int, m: int, d: int) -> int:
    """Seconds since 1970-01-01 at the start of that day (local time, as the ledger's times)."""
    return (date(y, m, d) - date(1970, 1, 1)).days * DAY


def _weekday(days: np.ndarray) -> np.ndarray:
    """Days (since 1970-01-01) moved off a weekend to the next Monday (1970-01-01 was a Thursday)."""
    wd = (days + 3) % 7  # 0 Monday … 6 Sunday
    return days + np.where(wd == 5, 2, np.where(wd == 6, 1, 0))


def _office(rng, days: np.ndarray) -> np.ndarray:
    """A time in office hours (07:30–17:00, whole minutes) on each day."""
    return days * DAY + OFFICE_START + rng.integers(0, 570, len(days)) * MINUTE


def _stamps(seconds: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(seconds, dtype=np.int64), type=pa.int64()).cast(pa.timestamp("s"))


def _text(seconds: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
    """'2020-03-04 08:15', or with ':SS' when the seconds are not zero; '' where `blank`."""
    full = _stamps(seconds).cast(pa.string())  # '2020-03-04 08:15:00' (strftime is far slower)
    short = pc.utf8_slice_codeunits(full, 0, 16)
    out = pc.if_else(pa.array(np.asarray(seconds) % MINUTE == 0), short, full)
    return out if blank is None else pc.if_else(pa.array(blank), "", out)


def _date_text(seconds: np.ndarray) -> pa.Array:
    return _stamps(seconds).cast(pa.date32()).cast(pa.string())


def _due_text(seconds: np.ndarray, bare: np.ndarray) -> pa.Array:
    """A due time as written: the date alone when it is the end of that day."""
    return pc.if_else(pa.array(bare), _date_text(seconds), _text(seconds))


def _refs(numbers: np.ndarray, unit: str) -> np.ndarray:
    """Apology letters' numbers, '123/XL-UNIT'."""
    return np.array([f"{n}/XL-{unit}" for n in numbers.tolist()], dtype=object)


def _columns(names, values, n: int) -> dict[str, pa.Array]:
    """Text columns of n rows (a single value is repeated)."""
    out = {}
    for name, v in zip(names, values, strict=True):
        if isinstance(v, str):
            v = pa.array(np.full(n, v, dtype=object), type=pa.string())
        elif not isinstance(v, pa.Array):
            v = pa.array(np.asarray(v, dtype=object), type=pa.string())
        out[name] = v
    return out


class _Ledger:
    """The rows being drawn, unit by unit (columns as lists of arrays, joined at the end)."""

    def __init__(self, year: int):
        self.year = year
        self.start = _day(year, 1, 1) // DAY
        self.year_end = _day(year + 1, 1, 1)
        self.next_id = 1
        self.edges_done = False
        self.parts: dict[str, list[dict[str, np.ndarray]]] = {t: [] for t in LEDGER_FILES}

    def ids(self, n: int) -> np.ndarray:
        seq = np.arange(self.next_id, self.next_id + n)
        self.next_id += n
        return np.array([f"HS{self.year % 100:02d}{i:06d}" for i in seq.tolist()], dtype=object)

    def resolved(self, rng, handled: int, late_n: int) -> dict[str, np.ndarray]:
        """`handled` dossiers resolved in the year, the first `late_n` of them late."""
        n = handled
        late = np.arange(n) < late_n
        days = self.start + np.where(late, 40, 3) + rng.integers(0, np.where(late, 320, 355))
        resolved = _office(rng, _weekday(days))
        bare = rng.random(n) < 0.8
        due = np.where(
            late,
            resolved - rng.integers(1, 24 * 15, n) * HOUR,
            resolved + rng.integers(0, 24 * 6, n) * HOUR,
        )
        bare &= ~late | (due // DAY < resolved // DAY)  # a late dossier's bare due is an earlier day
        due = due // DAY * DAY + np.where(bare, DAY - 1, 17 * HOUR)
        fix = ~late & (due < resolved)  # on time: due by the end of the resolution's day at least
        due, bare = np.where(fix, resolved // DAY * DAY + DAY - 1, due), bare | fix
        fix = late & (due >= resolved)
        due, bare = np.where(fix, resolved - 2 * HOUR, due), bare & ~fix
        allowed = (rng.choice(ALLOWED_DAYS, n) * 1.4 * DAY).astype(np.int64)
        received = _office(rng, (due - allowed) // DAY)
        received = np.minimum(received, np.minimum(due - HOUR, resolved - 2 * HOUR))
        if not self.edges_done and late_n and handled > late_n + 2:  # the exact-second edges, once
            self.edges_done = True
            due[0], bare[0] = resolved[0] - 1, False  # resolved one second after its due: late
            due[late_n], bare[late_n] = resolved[late_n], False  # at the due second: on time
            k = late_n + 1  # at 23:59:59 of a bare due date: on time
            resolved[k] = resolved[k] // DAY * DAY + DAY - 1
            due[k], bare[k] = resolved[k], True
        return {"received": received, "due": due, "bare": bare, "resolved": resolved, "late": late}

    def unit(self, rng, unit: str, handled: int, late_n: int, officials: pd.DataFrame) -> None:
        codes = np.array(
            [f"1.00{int(c):04d}" for c in rng.choice(9000, size=12, replace=False)], dtype=object
        )
        weights = 1 / np.arange(1, 13) ** 1.2  # a few procedures carry most dossiers
        d = self.resolved(rng, handled, late_n)
        ids = self.ids(handled)
        self._dossiers(
            ids,
            unit,
            codes[rng.choice(12, handled, p=weights / weights.sum())],
            _text(d["received"]),
            _due_text(d["due"], d["bare"]),
            _text(d["resolved"]),
            "",
            np.where(rng.random(handled) < 0.35, "1", "0"),
        )
        # pending at the year's end (not counted by default), then denied and cancelled ones
        m = max(1, handled // 100)
        p_received = _office(rng, _weekday(_day(self.year, 11, 1) // DAY + rng.integers(0, 55, m)))
        p_due = (p_received + rng.integers(3, 40, m) * DAY) // DAY * DAY + DAY - 1
        p_ids = self.ids(m)
        self._dossiers(p_ids, unit, codes[0], _text(p_received), _date_text(p_due), "", "", "1")
        statuses = np.array(("denied", "cancelled")[: 1 + handled // 2000], dtype=object)
        x_received = _office(rng, _weekday(self.start + rng.integers(0, 300, len(statuses))))
        x_due = (x_received + 5 * DAY) // DAY * DAY + DAY - 1
        self._dossiers(
            self.ids(len(statuses)),
            unit,
            codes[1],
            _text(x_received),
            _date_text(x_due),
            _text(x_received + DAY),
            statuses,
            "0",
        )
        self._steps(rng, ids, d, officials)
        overdue = p_due < self.year_end
        self._reschedules(
            rng,
            unit,
            np.concatenate([ids[d["late"]], p_ids[overdue]]),
            np.concatenate([d["received"][d["late"]], p_received[overdue]]),
            np.concatenate([d["due"][d["late"]], p_due[overdue]]),
            np.concatenate([d["resolved"][d["late"]], np.full(int(overdue.sum()), -1)]),
        )

    def _dossiers(self, ids, unit, code, received, due, resolved, status, online) -> None:
        n = len(ids)
        cols = (ids, unit, code, received, due, resolved, status, online)
        self.parts["dossiers"].append(_columns(LEDGER_FILES["dossiers"], cols, n))

    def _steps(self, rng, ids, d, officials: pd.DataFrame) -> None:
        """One step per (official, dossier): `late` of them late, the rest on time, on h distinct dossiers.

        Officials of a unit may share dossiers (their handled counts can add up to more than the
        unit's): each takes the next h dossiers round a shuffled list, its own step number on each.
        """
        n = len(ids)
        pool = rng.permutation(n)
        offset = 0
        rows = officials[["official_id", "handled", "late"]].itertuples(index=False)
        for j, (official, h, late_steps) in enumerate(rows):
            if h > n:
                raise ValueError(
                    f"official {official} handled {h} dossiers, more than the {n} of their unit: "
                    "the ledger cannot reproduce the counts"
                )
            chosen = pool[(offset + np.arange(h)) % n] if h else pool[:0]
            offset += h
            chosen = chosen[np.argsort(~d["late"][chosen], kind="stable")]  # late dossiers first
            is_late = np.arange(h) < late_steps
            received, resolved = d["received"][chosen], d["resolved"][chosen]
            started = received + ((resolved - received) * rng.uniform(0.05, 0.3, h)).astype(np.int64)
            step_due = started + (resolved - started) // 2
            late_by = np.maximum(1, ((resolved - step_due) * rng.uniform(0.2, 0.9, h)).astype(np.int64))
            on_time_by = ((step_due - started) * rng.uniform(0.3, 1.0, h)).astype(np.int64)
            done = np.where(is_late, step_due + late_by, started + on_time_by)
            self._step_rows(ids[chosen], str(2 + j), official, started, step_due, done)
        first = pool[:3]  # steps no official answers for (reception by the system)
        r = d["received"][first]
        self._step_rows(ids[first], "1", "", r, r + HOUR, r)

    def _step_rows(self, ids, step, official, started, due, done) -> None:
        n = len(ids)
        cols = (ids, step, official, _text(started), _text(due), _text(done))
        self.parts["dossier_steps"].append(_columns(LEDGER_FILES["dossier_steps"], cols, n))

    def _reschedules(self, rng, unit: str, ids, received, due, resolved) -> None:
        """Reschedulings of the unit's overdue dossiers (resolved = -1: pending), mostly as II.2 asks."""
        m = len(ids)
        k = np.arange(m)
        random_kind = rng.integers(0, 4, m)
        p = rng.random(m)
        if unit in CARELESS:
            kind = np.where(k < 4, k, np.where(p < 0.3, random_kind, OK))
        else:
            kind = np.full(m, OK)
        pending = resolved < 0
        at = np.maximum(due - rng.integers(1, 48, m) * HOUR, received + 10 * MINUTE)
        # a pending dossier is promised a date after the year, so the II.2 finding stays with the
        # careless units
        end = np.where(pending, np.maximum(due + 20 * DAY, self.year_end), resolved)
        new_due = end + rng.integers(0, 4, m) * DAY
        new_due = np.where((kind == MISSED) & ~pending, due + (resolved - due) // 2, new_due)
        numbers = rng.integers(1, 400, m)
        refs = _refs(numbers, unit)
        refs[kind == NO_APOLOGY] = ""
        keep = kind != NONE
        twice = np.flatnonzero(kind == TWICE)
        at2 = new_due[twice] - 2 * HOUR
        at2 = np.where(at2 == at[twice], at2 + MINUTE, at2)  # a dossier's reschedulings differ in time
        numbers2 = rng.integers(1, 400, len(twice))
        rows = {
            "dossier_id": np.concatenate([ids[keep], ids[twice]]),
            "rescheduled_at": np.concatenate([at[keep], at2]),
            "new_due_at": np.concatenate([new_due[keep], at2 + 2 * DAY]),
            "apology_ref": np.concatenate([refs[keep], _refs(numbers2, unit)]),
        }
        self._reschedule_rows(rows)

    def _reschedule_rows(self, rows: dict[str, np.ndarray]) -> None:
        at = rows["rescheduled_at"]
        apology = rows["apology_ref"] != ""
        cols = (
            rows["dossier_id"],
            _text(at),
            _text(rows["new_due_at"]),
            rows["apology_ref"],
            pc.if_else(pa.array(apology), _date_text(at), ""),
        )
        self.parts["dossier_reschedules"].append(_columns(LEDGER_FILES["dossier_reschedules"], cols, len(at)))

    def year_end_edges(self, unit: str, next_year_recorded: bool) -> None:
        """Pending and due at 23:59:59 on 31/12; and due 21/12, resolved 01/01 of the next year."""
        y = self.year
        edge = self.ids(1)
        self._dossiers(edge, unit, "1.000001", f"{y}-12-24 09:00", f"{y}-12-31 23:59:59", "", "", "1")
        self._reschedule_rows(
            {
                "dossier_id": edge,
                "rescheduled_at": np.array([_day(y, 12, 31) + 10 * HOUR]),
                "new_due_at": np.array([_day(y + 1, 1, 8) + 12 * HOUR]),
                "apology_ref": np.array([f"01/XL-{unit}"], dtype=object),
            }
        )
        if next_year_recorded:
            return
        edge = self.ids(1)
        self._dossiers(
            edge, unit, "1.000001", f"{y}-12-10 08:00", f"{y}-12-21", f"{y + 1}-01-01 09:30", "", "0"
        )
        self._reschedule_rows(
            {
                "dossier_id": edge,
                "rescheduled_at": np.array([_day(y, 12, 21) + 15 * HOUR]),
                "new_due_at": np.array([_day(y + 1, 1, 2) + 17 * HOUR]),
                "apology_ref": np.array([f"02/XL-{unit}"], dtype=object),
            }
        )

    def tables(self) -> dict[str, pa.Table]:
        return {
            table: pa.table({c: pa.concat_arrays([p[c] for p in self.parts[table]]) for c in columns})
            for table, columns in LEDGER_FILES.items()
        }


def build(data_dir: str | Path) -> tuple[int, dict[str, pa.Table]]:
    """The year and the ledger's three tables (text, as written) drawn from `data_dir`'s counts."""
    folder = Path(data_dir)
    read = {name: pd.read_csv(folder / name, dtype=str, keep_default_na=False) for name in COUNT_FILES}
    units, ud, od, off = (read[n] for n in COUNT_FILES)
    for df in (ud, od):
        df[["year", "handled", "late"]] = df[["year", "handled", "late"]].astype(int)
    year = int(min(ud["year"].max(), od["year"].max()))
    next_year_recorded = bool((ud["year"] == year + 1).any() or (od["year"] == year + 1).any())
    off_unit = off[off["year"] == str(year)].set_index("official_id")["unit_id"]
    od_y = od[od["year"] == year].assign(unit_id=lambda t: t["official_id"].map(off_unit))
    ud_y = ud[ud["year"] == year].set_index("unit_id")
    rng = np.random.default_rng(SEED)
    ledger = _Ledger(year)
    for unit in units["unit_id"]:
        if unit not in ud_y.index:
            continue
        ledger.unit(
            rng,
            unit,
            int(ud_y.at[unit, "handled"]),
            int(ud_y.at[unit, "late"]),
            od_y[od_y["unit_id"] == unit],
        )
    stray = od_y[~od_y["unit_id"].isin(ud_y.index) & (od_y["handled"] > 0)]
    if len(stray):
        raise ValueError(
            f"official {stray['official_id'].iloc[0]} handled dossiers in {year} in a unit with no "
            "dossier counts: the ledger cannot reproduce the counts"
        )
    ledger.year_end_edges(str(units["unit_id"].iloc[0]), next_year_recorded)
    return year, ledger.tables()


def sample_ledger_files(data_dir: str | Path | None = None) -> dict[str, bytes]:
    """The ledger's CSV files (name -> bytes) drawn from the counts of `data_dir` (default: the
    embedded sample)."""
    from ..sample import SAMPLE_DIR

    _, tables = build(data_dir or SAMPLE_DIR)
    # no value holds a comma, a quote or a line break (the writer refuses one): nothing is quoted
    options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
    files = {}
    for table, data in tables.items():
        body = io.BytesIO()
        body.write((",".join(data.column_names) + "\n").encode("utf-8"))
        pa_csv.write_csv(data, body, options)
        files[f"{table}.csv"] = body.getvalue()
    return files


def write_sample_ledger(data_dir: str | Path) -> list[Path]:
    """Write the synthetic ledger of `data_dir`'s latest year beside its count files (all or nothing)."""
    files = sample_ledger_files(data_dir)
    publish(data_dir, files)
    return [Path(data_dir) / name for name in files]


def sample_with_ledger(cache_dir: str | Path | None = None) -> Path:
    """A folder holding a copy of the embedded sample and its synthetic ledger, made once.

    It sits under the system's temporary folder (`<tmp>/scoring-sample-ledger/<key>`), never in
    the repository; the key is a hash of the sample's count files and of this generator, so a
    change of either makes a new folder. The notebook's ledger section reads it.
    """
    from ..sample import SAMPLE_DIR, write_sample

    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name in COUNT_FILES:
        digest.update((SAMPLE_DIR / name).read_bytes())
    root = Path(cache_dir or tempfile.gettempdir()) / "scoring-sample-ledger"
    folder = root / digest.hexdigest()[:16]
    if (folder / ".complete").exists():
        return folder
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".making-", dir=root))
    try:
        write_sample(tmp)
        write_sample_ledger(tmp)
        (tmp / ".complete").touch()
        os.replace(tmp, folder)
    except OSError:
        if not (folder / ".complete").exists():  # not another process that made it meanwhile
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder
