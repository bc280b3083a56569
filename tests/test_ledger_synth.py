"""`synth --dossiers`: a synthetic ledger, partitioned by year, with every edge, that the ledger reads."""

from __future__ import annotations

import pytest

import scoring
from scoring.cli import main
from scoring.ledger import derive, open_ledger


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    args = ["synth", str(out), "--units", "30", "--officials", "300", "--years", "2", "--dossiers", "30000"]
    assert main(args) == 0
    return out


def test_the_ledger_is_parquet_partitioned_by_year(folder):
    for table in ("dossiers", "dossier_steps", "dossier_reschedules"):
        assert sorted(p.relative_to(folder).as_posix() for p in (folder / table).rglob("*.parquet")) == [
            f"{table}/year=2020/part-0000.parquet"
        ]


def test_it_reads_without_a_problem_and_replaces_the_recorded_counts_of_its_year(folder):
    recs = scoring.load_records(folder)
    assert not (recs.unit_dossiers["year"] == 2020).any()
    run = derive(recs, 2020, scoring.load_criteria())
    assert run.differences.empty and 2020 in run.covered_years  # (and January 2021, up to the export)
    y = run.year_counts
    assert 0.01 < y["late"].sum() / y["handled"].sum() < 0.10  # a few percent late
    assert (run.official_counts["year"] == 2020).sum() > 100


def test_it_holds_every_edge_and_each_kind_of_rescheduling(folder):
    ledger = open_ledger(scoring.load_records(folder))
    edges = ledger.con.execute(
        "SELECT count_if(resolved_at = due_at), count_if(resolved_at = due_at + INTERVAL 1 SECOND), "
        "count_if(resolved_at IS NULL AND due_at = TIMESTAMP '2020-12-31 23:59:59'), count_if(excluded), "
        "count_if(resolved_at IS NULL) FROM dossiers"
    ).fetchone()
    assert all(n > 0 for n in edges), edges
    run = derive(scoring.load_records(folder), 2020, scoring.load_criteria())
    kinds = set(run.violations["problems"].str.split(";").explode())
    assert {"not_rescheduled", "rescheduled_more_than_once", "no_apology", "new_due_missed"} <= kinds
    assert run.compliance["compliant"].sum() > run.compliance["violations"].sum()  # most comply


def test_the_same_seed_writes_the_same_ledger(folder, tmp_path):
    args = [
        "synth",
        str(tmp_path),
        "--units",
        "30",
        "--officials",
        "300",
        "--years",
        "2",
        "--dossiers",
        "30000",
    ]
    assert main(args) == 0
    for path in folder.rglob("*.parquet"):
        import pyarrow.parquet as pq

        assert pq.read_table(path).equals(pq.read_table(tmp_path / path.relative_to(folder)))


def test_a_ledger_streamed_from_its_files_counts_as_one_read_into_memory(folder, monkeypatch):
    import scoring.ledger.load as load
    from scoring.ledger.core import Ledger

    crit = scoring.load_criteria().with_overrides(
        {"ledger_denominator": "resolved_and_pending_overdue", "ledger_recorded_conflict": "ledger"}
    )
    kept = derive(scoring.load_records(folder), 2020, crit, ledger=Ledger.open(scoring.load_records(folder)))
    # as for 100 million dossiers: the dossiers stay in their files, every query streams them
    monkeypatch.setitem(load.ROW_BYTES, "dossiers", 10**12)
    streamed_ledger = Ledger.open(scoring.load_records(folder))
    assert not streamed_ledger.in_memory and kept.ledger.in_memory
    streamed = derive(scoring.load_records(folder), 2020, crit, ledger=streamed_ledger)
    for a, b in (
        (kept.counts, streamed.counts),
        (kept.official_counts, streamed.official_counts),
        (kept.violations, streamed.violations),
        (kept.compliance, streamed.compliance),
    ):
        assert a.equals(b)
