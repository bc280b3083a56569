"""`synth --dossiers`: a synthetic ledger, partitioned by year, with every edge, that the ledger reads."""

from __future__ import annotations

import pytest

import scoring
from scoring.cli import main
from scoring.ledger import derive, open_ledger
from scoring.records import ValidationError


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


# Every reading, each in its non-default position (and the defaults), for the streamed ledger.
READINGS = (
    {},
    {"ledger_year_by": "due"},
    {"ledger_denominator": "resolved_and_pending_overdue"},
    {"ledger_on_time_granularity": "day"},
    {"ledger_reschedule_cures_lateness": "true"},
    {"ledger_year_by": "due", "ledger_denominator": "resolved_and_pending_overdue"},
)


@pytest.fixture(scope="module")
def without_steps(folder, tmp_path_factory):
    """The synthetic ledger without its steps: unit counts only, as for 100 million dossiers."""
    import shutil

    out = tmp_path_factory.mktemp("synth-without-steps")
    shutil.copytree(folder, out, dirs_exist_ok=True)
    shutil.rmtree(out / "dossier_steps")
    return out


def test_a_streamed_ledger_without_steps_is_read_once_and_counts_as_one_read_into_memory(
    without_steps, tmp_path, monkeypatch
):
    import shutil

    import scoring.ledger.load as load
    from scoring.ledger.core import Ledger, Readings

    kept = Ledger.open(scoring.load_records(without_steps))
    data = tmp_path / "data"
    shutil.copytree(without_steps, data)
    monkeypatch.setitem(load.ROW_BYTES, "dossiers", 10**12)
    streamed = Ledger.open(scoring.load_records(data))
    assert (kept.mode, streamed.mode) == ("memory", "counted")
    extent = ("dossiers", "excluded", "pending", "first_year", "last_year")
    assert [getattr(streamed, a) for a in extent] == [getattr(kept, a) for a in extent]
    # read once, when opened: the counts never go back to the dossiers' files
    shutil.rmtree(data / "dossiers")
    crit = scoring.load_criteria()
    units = sorted(set(kept.unit_counts(Readings())["unit_id"]))[:3]
    for overrides in READINGS:
        readings = Readings.of(crit.with_overrides(overrides))
        assert streamed.unit_counts(readings).equals(kept.unit_counts(readings)), overrides
        for year in (2020, 2021):
            assert streamed.overdue(year, readings).equals(kept.overdue(year, readings)), overrides
        for unit in units:
            assert streamed.monthly(2020, unit, readings).equals(kept.monthly(2020, unit, readings))
    assert len(kept.overdue(2020, Readings())) > 100  # the II.2 check has something to compare


def _as_partitioned_parquet(data, table: str) -> None:
    """The table's CSV file as a hive folder of Parquet text columns, as a big export comes."""
    import pandas as pd

    frame = pd.read_csv(data / f"{table}.csv", dtype=str, keep_default_na=False)
    (data / f"{table}.csv").unlink()
    (data / table / "year=2020").mkdir(parents=True)
    frame.to_parquet(data / table / "year=2020" / "part-0.parquet", index=False)


def _opened(data, monkeypatch, streamed: bool):
    import scoring.ledger.load as load
    from scoring.ledger.core import Ledger

    with monkeypatch.context() as m:
        if streamed:
            m.setitem(load.ROW_BYTES, "dossiers", 10**12)
        return Ledger.open(scoring.load_records(data))


def test_a_streamed_ledger_refuses_every_bad_row_as_one_read_into_memory(tmp_path, monkeypatch):
    from ledger_helpers import ledger_folder

    data = ledger_folder(
        tmp_path,
        [
            ("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-09", ""),
            ("D2", "U1", "2020-03-01", "2020-03-10", "hôm qua", ""),
            ("D1", "U2", "2020-03-01", "2020-03-10", "2020-03-12", ""),
            ("D3", "U9", "2020-03-01", "2020-03-10", "", ""),
        ],
        reschedules=[
            ("D1", "2020-03-09 10:00", "2020-03-12", "1/XL", ""),
            ("D7", "2020-03-09 10:00", "2020-03-12", "2/XL", ""),
            ("D3", "2020-03-09 10:00", "2020-03-08", "3/XL", ""),
        ],
    )
    for table in ("dossiers", "dossier_reschedules"):
        _as_partitioned_parquet(data, table)  # a Parquet file's rows are numbered from 1, no header
    messages = {}
    for streamed in (False, True):
        with pytest.raises(ValidationError) as err:
            _opened(data, monkeypatch, streamed)
        messages[streamed] = [p.message() for p in err.value.problems]
    assert messages[True] == messages[False]
    got = "\n".join(messages[True])
    for expected in (
        "dossiers/year=2020/part-0.parquet, dòng 2, cột resolved_at: giá trị «hôm qua»",
        "dossiers/year=2020/part-0.parquet, dòng 3, cột dossier_id: giá trị «D1» — trùng khóa",
        "dossiers/year=2020/part-0.parquet, dòng 4, cột unit_id: giá trị «U9»",
        "dossier_reschedules/year=2020/part-0.parquet, dòng 2, cột dossier_id: giá trị «D7» — mã hồ sơ không có",
        "dossier_reschedules/year=2020/part-0.parquet, dòng 3, cột new_due_at: giá trị «2020-03-08»",
    ):
        assert expected in got
    assert len(messages[True]) == 5


def test_a_streamed_ledger_joins_the_reschedulings_of_dossiers_on_time_or_left_out(tmp_path, monkeypatch):
    from ledger_helpers import ledger_folder

    from scoring.ledger.core import Readings

    data = ledger_folder(
        tmp_path,
        [
            ("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-09", ""),  # on time, yet rescheduled
            ("D2", "U1", "2020-03-01", "2020-03-10", "2020-03-11", "cancelled"),  # left out, rescheduled
            ("D3", "U1", "2020-03-01", "2020-03-10", "2020-03-12", ""),  # late, rescheduled without apology
            ("D4", "U2", "2020-03-01", "2020-03-10", "2020-03-10 23:59:59", ""),  # at the due second
            ("D5", "U2", "2020-12-01", "2020-12-10", "", ""),  # pending and overdue at the year's end
        ],
        reschedules=[
            ("D1", "2020-03-05 10:00", "2020-03-12", "1/XL", ""),
            ("D2", "2020-03-09 10:00", "2020-03-12", "2/XL", ""),
            ("D3", "2020-03-09 10:00", "2020-03-11", "", ""),
        ],
    )
    for table in ("dossiers", "dossier_reschedules"):
        _as_partitioned_parquet(data, table)
    kept, streamed = _opened(data, monkeypatch, False), _opened(data, monkeypatch, True)
    assert streamed.mode == "counted"
    crit = scoring.load_criteria()
    for overrides in READINGS:
        readings = Readings.of(crit.with_overrides(overrides))
        assert streamed.unit_counts(readings).equals(kept.unit_counts(readings)), overrides
        assert streamed.overdue(2020, readings).equals(kept.overdue(2020, readings)), overrides
    u = streamed.unit_counts(Readings()).set_index(["year", "unit_id"])
    assert u.loc[(2020, "U1"), ["handled", "late"]].tolist() == [2, 1]
    assert u.loc[(2020, "U2"), ["handled", "late"]].tolist() == [1, 0]
    d3, d5 = streamed.overdue(2020, Readings()).itertuples()
    assert (d3.dossier_id, d3.no_apology, d3.new_due_missed) == ("D3", True, True)
    assert (d5.dossier_id, d5.kind, d5.not_rescheduled) == ("D5", "pending_overdue", True)


def test_the_per_official_counts_sorted_in_numpy_equal_the_sql_aggregate_under_every_reading(
    folder, monkeypatch
):
    # official_counts.sql is the definition; under attribution 'step', with the dossiers in
    # memory, core.py counts by sorting official_steps.sql's packed numbers instead (the
    # synthetic ledger has officials doing two steps of one dossier, pending dossiers counted
    # in several years, and steps late by a second)
    from scoring.ledger import Ledger, Readings

    ledger = Ledger.open(scoring.load_records(folder))
    sorted_calls = []
    real = Ledger._official_counts_sorted
    monkeypatch.setattr(
        Ledger, "_official_counts_sorted", lambda self, *a: sorted_calls.append(a) or real(self, *a)
    )
    readings = [
        Readings(),
        Readings(year_by="due"),
        Readings(with_pending=True),
        Readings(year_by="due", with_pending=True),
        Readings(granularity="day"),
        Readings(cure=True),
    ]
    by_sorting = [ledger.official_counts(r) for r in readings]
    assert len(sorted_calls) == len(readings)
    pairs = ledger.con.execute(
        "SELECT count(*) FROM (SELECT did, oid FROM steps WHERE oid IS NOT NULL GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()[0]
    assert pairs > 0  # the case the sort must fold: one official, two steps, one dossier
    ledger._cache.clear()
    monkeypatch.setattr(Ledger, "SORTED_STEPS_MAX", -1)  # every count through the SQL file
    by_sql = [ledger.official_counts(r) for r in readings]
    assert len(sorted_calls) == len(readings)
    for r, a, b in zip(readings, by_sorting, by_sql, strict=True):
        assert len(a) > 100 and a.equals(b), r


def test_the_per_official_counts_are_sorted_only_when_the_numbers_fit(folder):
    from scoring.ledger import Ledger, Readings

    ledger = Ledger.open(scoring.load_records(folder))
    shifts = ledger._packing(Readings(), None)
    assert shifts is not None
    oid_shift, year_shift, oid_bits = shifts
    assert year_shift == oid_shift + oid_bits and year_shift + 7 <= 63
    assert ledger._packing(Readings(attribution="last_step"), None) is None  # one step per dossier: SQL
    assert ledger._packing(Readings(), 2200) is None  # a year beyond 7 bits
