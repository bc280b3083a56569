"""Shared builders for the behavioural tests: a data folder from Python rows, one evaluation.

A test states its situation in a few rows; `make_dataset` writes them as the CSV files of
SPEC §3 (rows are tuples in the contract's column order, or dicts for other columns or
forms), and `run` evaluates the folder for a year under the default criteria with
overrides, as a what-if would.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import pandas as pd
import pytest

import scoring

# The input contract of SPEC §3: the columns of each table, in order.
COLUMNS = {
    "units": ("unit_id", "unit_name", "group", "party_org_id"),
    "reform_results": ("year", "unit_id", "score", "band"),
    "unit_dossiers": ("year", "unit_id", "handled", "late"),
    "officials": ("year", "official_id", "full_name", "unit_id", "role", "proposed_rating"),
    "official_dossiers": ("year", "official_id", "handled", "late"),
    "party_orgs": ("year", "party_org_id", "unit_id", "proposed_classification"),
    # the reform index's optional tables (scoring/index)
    "criterion_scores": ("year", "unit_id", "item_id", "self_points", "appraised_points"),
    "survey_results": ("year", "unit_id", "item_id", "respondents", "satisfied", "points"),
}

# Canonical labels, as SPEC §2 prints them.
TOT, KHA, TB, YEU = "Tốt", "Khá", "Trung bình", "Yếu"
HTXS = "Hoàn thành xuất sắc nhiệm vụ"
HTT = "Hoàn thành tốt nhiệm vụ"
HT_2019 = "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực"  # Nghị định 56/2015, up to 2019
HT_2020 = "Hoàn thành nhiệm vụ"  # Nghị định 90/2020, from 2020
KHT = "Không hoàn thành nhiệm vụ"
TSVM = "Trong sạch, vững mạnh"  # Hướng dẫn 27-HD/BTCTW top level, up to 2017
SO = "Sở, ban, ngành"
HUYEN = "UBND cấp huyện"


def make_dataset(folder: Path, *, sep: str = ",", bom: bool = False, names=None, **tables) -> Path:
    """Write `tables` (name -> rows) as CSV files in `folder`; a table given as None is left out.

    `names` maps a table to another file name (e.g. "Reform_Results.CSV").
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        if rows is None:
            continue
        rows = list(rows)
        if rows and isinstance(rows[0], dict):
            header = [c for c in COLUMNS[table] if any(c in r for r in rows)]
            header += [k for r in rows for k in r if k not in header]
            body = [[r.get(c, "") for c in header] for r in rows]
        else:
            width = max((len(r) for r in rows), default=len(COLUMNS[table]))
            header = list(COLUMNS[table][:width])
            body = [list(r) + [""] * (width - len(r)) for r in rows]
        path = folder / (names or {}).get(table, f"{table}.csv")
        with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            writer = csv.writer(f, delimiter=sep)
            writer.writerow(header)
            writer.writerows(["" if v is None else v for v in r] for r in body)
    return folder


@functools.cache
def baseline() -> scoring.Criteria:
    """The default criteria, read once (a what-if never mutates it)."""
    return scoring.load_criteria()


def run(folder: Path, year: int, **overrides) -> scoring.Evaluation:
    """Evaluate a data folder for `year` with the default criteria and some overrides."""
    crit = baseline().with_overrides(overrides)
    return scoring.evaluate(scoring.load_records(folder, crit), year, crit)


def only(df: pd.DataFrame, **where) -> dict:
    """The single row of `df` matching `where` (column=value), as a dict."""
    mask = pd.Series(True, index=df.index)
    for col, value in where.items():
        mask &= df[col] == value
    rows = df[mask]
    assert len(rows) == 1, f"expected one row with {where}, found {len(rows)}:\n{df}"
    return rows.iloc[0].to_dict()


def rules_for(ev: scoring.Evaluation, subject_id: str) -> list[str]:
    """The rule ids of the decisions about one subject."""
    return ev.decisions.loc[ev.decisions["subject_id"] == subject_id, "rule_id"].tolist()


@pytest.fixture(scope="session")
def sample_with_ledger(tmp_path_factory) -> Path:
    """A copy of the embedded sample with its synthetic ledger of 2020, generated once per session
    (the package's sample folder carries no ledger: scoring.ledger.sample)."""
    from scoring.cli import main

    folder = tmp_path_factory.mktemp("sample-with-ledger")
    assert main(["sample", str(folder), "--with-ledger"]) == 0
    return folder
