"""A SYNTHETIC dossier ledger at national scale (`synth --dossiers N`), for speed and for edges.

Everything here is invented: dossier ids, procedure codes, times, steps, apology numbers. The
ledger belongs to the synthetic units and officials of `scoring.synth` and covers its last
year. It is written as Parquet partitioned hive-style by the year of receipt
(`dossiers/year=2020/part-0000.parquet`, likewise `dossier_steps/` and
`dossier_reschedules/`), in chunks, so that 100,000,000 dossiers never sit in memory at once.
Times are `timestamp[s]` in local time (Asia/Ho_Chi_Minh), as a one-stop export gives them.

Distributions (approximate):
- units: a skew — each unit's share of dossiers is lognormal (σ 1.2), so a few districts and
  departments carry most of the load; procedures: 500 codes with Zipf-like weights (s 1.1);
- received in office hours between 1 December of the year before and 31 December; the time
  allowed is 1–30 working days (×1.4 calendar days); 80% of due times are a bare date's end
  (23:59:59), the rest 17:00;
- a few percent late: each unit has a late propensity 8% · Beta(1.3, 2) (mean ≈ 3%), and 5% of
  units are late-prone (10–25%); a late dossier is resolved an exponential 3 days (at least one
  second) after its due; an on-time one between receipt and due;
- pending: whatever would be resolved after 15 January of the next year (the export's date)
  is left pending; 0.3% denied and 0.2% cancelled (left out of the counts); a dossier
  received in December of the year before and resolved then is not in the export (about 6%
  of the draws: more are drawn, so that the ledger holds exactly N dossiers);
- edges, each about 0.1% of dossiers: resolved exactly at the due second; one second after it;
  pending and due at 23:59:59 on 31 December;
- steps (`steps_per_dossier`, default 3): the time from receipt to resolution (or due) split in
  equal windows, each step handled by an official of the dossier's unit; the last step of a
  late dossier ends late in 80% of cases, other steps in 2%;
- reschedulings, for each late or still-overdue dossier: 90% once with an apology number (the
  new due met in 95% of them), 4% never, 3% twice, 3% once without an apology.

When the ledger is written, the recorded `unit_dossiers` and `official_dossiers` rows of its
year are dropped from the synthetic tables (the ledger is then the only source of that year's
counts; earlier years keep their recorded counts as history).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

CHUNK = 2_000_000
SECOND = np.int64(1)
DAY = np.int64(86_400)


def _epoch(d: datetime) -> np.int64:
    return np.int64(int((d - datetime(1970, 1, 1)).total_seconds()))


def without_recorded_year(tables: dict[str, pd.DataFrame], year: int) -> dict[str, pd.DataFrame]:
    """The synthetic tables less the recorded dossier counts of the ledger's year."""
    out = dict(tables)
    for name in ("unit_dossiers", "official_dossiers"):
        df = out[name]
        out[name] = df[df["year"] != year].reset_index(drop=True)
    return out


def write_ledger(
    out_dir: str | Path,
    tables: dict[str, pd.DataFrame],
    n_dossiers: int,
    seed: int = 0,
    steps_per_dossier: int = 3,
    chunk: int = CHUNK,
) -> list[Path]:
    """Write the ledger of the last year of `tables` into `out_dir`; returns the files written."""
    from ..synth import _ids

    out = Path(out_dir)
    year = int(tables["reform_results"]["year"].max())
    units = tables["units"]["unit_id"].astype(str).to_numpy()
    off = tables["officials"]
    off = off[off["year"] == year]
    off_unit = pd.Index(units).get_indexer(off["unit_id"].astype(str))
    order = np.argsort(off_unit, kind="stable")
    off_ids = off["official_id"].astype(str).to_numpy()[order]
    per_unit = np.bincount(off_unit, minlength=len(units))
    first_off = np.cumsum(per_unit) - per_unit
    seq = np.random.SeedSequence([seed, n_dossiers, 13])
    rng = np.random.default_rng(seq.spawn(1)[0])
    weight = rng.lognormal(0.0, 1.2, len(units))
    weight /= weight.sum()
    propensity = np.where(
        rng.random(len(units)) < 0.05,
        rng.uniform(0.10, 0.25, len(units)),
        0.08 * rng.beta(1.3, 2.0, len(units)),
    )
    codes = pa.array([f"1.00{i:04d}" for i in rng.choice(9000, 500, replace=False)])
    code_w = 1.0 / np.arange(1, 501) ** 1.1
    code_w /= code_w.sum()
    paths: list[Path] = []
    for k, start in enumerate(range(0, n_dossiers, chunk)):
        n = min(chunk, n_dossiers - start)
        crng = np.random.default_rng(seq.spawn(k + 2)[-1])
        d = _dossiers(crng, n, year, weight, propensity)
        dossier_ids = _ids("HS", np.arange(start + 1, start + n + 1), 10)
        part = {
            "dossier_id": dossier_ids,
            "unit_id": pa.array(units).take(pa.array(d["unit"])),
            "procedure_code": codes.take(pa.array(crng.choice(500, n, p=code_w))),
            "received_at": _ts(d["received"]),
            "due_at": _ts(d["due"]),
            "resolved_at": _ts(d["resolved"], d["pending"]),
            "status": pa.array(
                np.where(d["status"] == 1, "denied", np.where(d["status"] == 2, "cancelled", None))
            ),
            "online": pa.array(crng.random(n) < 0.4),
        }
        paths.append(_write(out, "dossiers", year, k, pa.table(part)))
        if steps_per_dossier > 0 and len(off_ids):
            steps = _steps(crng, d, dossier_ids, steps_per_dossier, off_ids, first_off, per_unit)
            paths.append(_write(out, "dossier_steps", year, k, steps))
        paths.append(_write(out, "dossier_reschedules", year, k, _reschedules(crng, d, dossier_ids, year)))
    return paths


def _dossiers(rng, n: int, year: int, weight, propensity) -> dict[str, np.ndarray]:
    """`n` dossiers of the export: draws are made a tenth more than needed (about 6% were
    resolved before the year and are not in it), and the first `n` kept."""
    parts = []
    while sum(len(p["unit"]) for p in parts) < n:
        parts.append(_draw(rng, n + n // 10 + 64, year, weight, propensity))
    return {k: np.concatenate([p[k] for p in parts])[:n] for k in parts[0]}


def _draw(rng, n: int, year: int, weight, propensity) -> dict[str, np.ndarray]:
    unit = rng.choice(len(weight), n, p=weight)
    t0, t1 = _epoch(datetime(year - 1, 12, 1)), _epoch(datetime(year, 12, 31))
    day = t0 + rng.integers(0, (t1 - t0) // DAY + 1, n) * DAY
    received = day + 7 * 3600 + 1800 + rng.integers(0, 570 * 60, n)
    allowed = rng.choice([1, 3, 5, 7, 10, 15, 20, 30], n, p=[0.1, 0.2, 0.2, 0.15, 0.15, 0.1, 0.05, 0.05])
    due_day = (received + (allowed * 1.4 * DAY).astype(np.int64)) // DAY * DAY
    bare = rng.random(n) < 0.8
    due = np.where(bare, due_day + DAY - SECOND, due_day + 17 * 3600)
    due = np.maximum(due, received + 3600)
    late = rng.random(n) < propensity[unit]
    on_time = received + ((due - received) * rng.uniform(0.1, 1.0, n)).astype(np.int64)
    late_at = due + SECOND + rng.exponential(3 * DAY, n).astype(np.int64)
    resolved = np.where(late, late_at, on_time)
    edge = rng.random(n)
    resolved = np.where(edge < 0.001, due, np.where(edge < 0.002, due + SECOND, resolved))
    year_end = _epoch(datetime(year, 12, 31, 23, 59, 59))
    last = (edge >= 0.002) & (edge < 0.003)
    due = np.where(last, year_end, due)  # pending and due at the year's last second
    received = np.minimum(received, due - 3600)
    export = _epoch(datetime(year + 1, 1, 15))
    pending = last | (resolved > export)
    status = np.where(rng.random(n) < 0.003, 1, np.where(rng.random(n) < 0.002, 2, 0))
    # the export holds the year's dossiers: one resolved before 1 January was last year's
    keep = pending | (resolved >= _epoch(datetime(year, 1, 1)))
    unit, received, due, resolved, pending, status = (
        a[keep] for a in (unit, received, due, resolved, pending, status)
    )
    return {
        "unit": unit,
        "received": received,
        "due": due,
        "resolved": resolved,
        "pending": pending,
        "status": status,
        "late": ~pending & (resolved > due),
        "overdue": (~pending & (resolved > due)) | (pending & (due < year_end + SECOND)),
    }


def _ts(seconds: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return pa.array(seconds.astype("datetime64[s]"), type=pa.timestamp("s"), mask=null)


def _steps(rng, d, dossier_ids, k: int, off_ids, first_off, per_unit) -> pa.Table:
    has = per_unit[d["unit"]] > 0
    rows = np.repeat(np.flatnonzero(has), k)
    j = np.tile(np.arange(k), int(has.sum()))
    unit = d["unit"][rows]
    official = first_off[unit] + (rng.random(len(rows)) * per_unit[unit]).astype(np.int64)
    end = np.where(d["pending"][rows], d["due"][rows], d["resolved"][rows])
    start_all = d["received"][rows]
    span = np.maximum(end - start_all, k)
    started = start_all + span * j // k
    due = start_all + span * (j + 1) // k
    late_last = d["late"][rows] & (j == k - 1) & (rng.random(len(rows)) < 0.8)
    late_other = rng.random(len(rows)) < 0.02
    done = np.where(
        late_last | late_other,
        due + 1 + (rng.random(len(rows)) * 2 * DAY).astype(np.int64),
        due - (span // k) // 3,
    )
    done_null = d["pending"][rows] & (j == k - 1)
    return pa.table(
        {
            "dossier_id": dossier_ids.take(pa.array(rows)),
            "step": pa.array((j + 1).astype(np.int64)),
            "official_id": pa.array(off_ids).take(pa.array(official)),
            "started_at": _ts(started),
            "due_at": _ts(due),
            "done_at": _ts(done, done_null),
        }
    )


def _reschedules(rng, d, dossier_ids, year: int) -> pa.Table:
    idx = np.flatnonzero(d["overdue"] & (d["status"] == 0))
    kind = rng.choice(4, len(idx), p=[0.90, 0.04, 0.03, 0.03])  # once; never; twice; no apology
    keep = kind != 1
    idx, kind = idx[keep], kind[keep]
    at = np.maximum(d["due"][idx] - rng.integers(3600, 2 * DAY, len(idx)), d["received"][idx] + 60)
    end = np.where(d["pending"][idx], d["due"][idx] + 30 * DAY, d["resolved"][idx])
    met = rng.random(len(idx)) < 0.95
    new_due = np.where(met, end + rng.integers(0, 3 * DAY, len(idx)), (d["due"][idx] + end) // 2)
    new_due = np.maximum(new_due, at + 60)
    twice = np.flatnonzero(kind == 2)
    rows = np.concatenate([idx, idx[twice]])
    at_all = np.concatenate([at, new_due[twice] - 3600])
    due_all = np.concatenate([new_due, new_due[twice] + 2 * DAY])
    ref_num = rng.integers(1, 999, len(rows))
    no_apology = np.concatenate([kind == 3, np.zeros(len(twice), dtype=bool)])
    refs = pc.if_else(pa.array(no_apology), pa.scalar(None, pa.string()), _refs(ref_num))
    return pa.table(
        {
            "dossier_id": dossier_ids.take(pa.array(rows)),
            "rescheduled_at": _ts(at_all),
            "new_due_at": _ts(due_all),
            "apology_ref": refs,
            "apology_at": _ts(at_all, no_apology),
        }
    )


def _refs(numbers: np.ndarray) -> pa.Array:
    """'123/XL' for each number, without a Python loop over rows."""
    return pc.binary_join_element_wise(pc.cast(pa.array(numbers), pa.string()), "XL", "/")


def _write(out: Path, table: str, year: int, k: int, data: pa.Table) -> Path:
    folder = out / table / f"year={year}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part-{k:04d}.parquet"
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(data, tmp, compression="zstd")
    tmp.replace(path)
    return path
