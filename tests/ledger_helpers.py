"""Builders for the ledger tests: a data folder with two units, their officials and a ledger."""

from __future__ import annotations

import csv
from pathlib import Path

from conftest import HTT, SO, make_dataset

import scoring
from scoring.ledger import derive

DOSSIER_COLUMNS = ("dossier_id", "unit_id", "received_at", "due_at", "resolved_at", "status")
STEP_COLUMNS = ("dossier_id", "step", "official_id", "started_at", "due_at", "done_at")
RESCHEDULE_COLUMNS = ("dossier_id", "rescheduled_at", "new_due_at", "apology_ref", "apology_at")


def write_csv(path: Path, columns, rows) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows(rows)
    return path


def ledger_folder(
    folder: Path, dossiers, steps=None, reschedules=None, unit_dossiers=None, official_dossiers=None
) -> Path:
    """Units U1, U2 (officials O1, O2 of U1; O3 of U2) in 2020 and 2021, and the ledger given."""
    make_dataset(
        folder,
        units=[("U1", "Sở Một", SO), ("U2", "Sở Hai", SO)],
        reform_results=[(y, u, "90") for y in (2020, 2021) for u in ("U1", "U2")],
        officials=[
            (y, o, name, u, role, HTT)
            for y in (2020, 2021)
            for o, name, u, role in (
                ("O1", "Lê An", "U1", "head"),
                ("O2", "Trần Bình", "U1", "staff"),
                ("O3", "Phạm Chi", "U2", "head"),
            )
        ],
        unit_dossiers=unit_dossiers,
        official_dossiers=official_dossiers,
    )
    write_csv(folder / "dossiers.csv", DOSSIER_COLUMNS, dossiers)
    if steps is not None:
        write_csv(folder / "dossier_steps.csv", STEP_COLUMNS, steps)
    if reschedules is not None:
        write_csv(folder / "dossier_reschedules.csv", RESCHEDULE_COLUMNS, reschedules)
    return folder


def run_ledger(folder: Path, year: int = 2020, **overrides):
    """The ledger's run for `year` under the default criteria and some overrides."""
    crit = scoring.load_criteria().with_overrides(overrides)
    return derive(scoring.load_records(folder, crit), year, crit)


def unit_counts(run, year: int = 2020) -> dict[str, tuple[int, int]]:
    """{unit: (handled, late)} of a year."""
    c = run.counts[run.counts["year"] == year]
    return {u: (int(h), int(lt)) for u, h, lt in zip(c["unit_id"], c["handled"], c["late"], strict=True)}


def official_counts(run, year: int = 2020) -> dict[str, tuple[int, int]]:
    c = run.official_counts[run.official_counts["year"] == year]
    return {o: (int(h), int(lt)) for o, h, lt in zip(c["official_id"], c["handled"], c["late"], strict=True)}
