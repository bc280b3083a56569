"""The sample's synthetic ledger, made on demand, reproduces its recorded counts with no difference.

The package's sample folder carries no ledger (its evaluation reads the recorded counts);
`python -m scoring sample DIR --with-ledger` writes one beside a copy of it (fixture
`sample_with_ledger`, generated once per session).
"""

from __future__ import annotations

import errno
import json

import pandas as pd
import pytest

import scoring
from scoring.atomic import LOCK_NAME
from scoring.cli import main
from scoring.ledger import derive, has_ledger
from scoring.ledger.sample import CARELESS, LEDGER_FILES, build, sample_with_ledger
from scoring.sample import SAMPLE_LATEST_YEAR, sample_path

Y = SAMPLE_LATEST_YEAR


@pytest.fixture(scope="module")
def run(sample_with_ledger):
    return derive(scoring.load_records(sample_with_ledger), Y, scoring.load_criteria())


def _counted(df, key):
    df = df[(df["year"] == Y) & (df["handled"] > 0)]
    return sorted(zip(df[key].astype(str), df["handled"].astype(int), df["late"].astype(int), strict=True))


def test_the_embedded_sample_carries_no_ledger_and_evaluates_its_recorded_counts():
    assert not any((sample_path() / f"{t}.csv").exists() for t in LEDGER_FILES)
    recs = scoring.load_records()
    assert not has_ledger(recs)
    ev = scoring.evaluate(recs, Y, scoring.load_criteria())
    assert ev.ledger is None and "overdue_rescheduling" not in set(ev.decisions["rule_id"])


def test_the_sample_ledger_reproduces_the_recorded_unit_and_official_counts_exactly(run):
    assert run is not None and run.differences.empty
    assert Y in run.covered_years and run.used == "ledger"
    recs = scoring.load_records()
    assert _counted(run.counts, "unit_id") == _counted(recs.table("unit_dossiers"), "unit_id")
    assert _counted(run.official_counts, "official_id") == _counted(
        recs.table("official_dossiers"), "official_id"
    )


def test_the_sample_ledger_holds_every_edge(run):
    edges = run.ledger.con.execute(
        "SELECT count_if(resolved_at = due_at), count_if(resolved_at = due_at + INTERVAL 1 SECOND), "
        # resolved at 23:59:59 on a due date written without a time (due at the day's last instant)
        "count_if(resolved_at = date_trunc('second', due_at) AND resolved_at < due_at "
        "AND strftime(resolved_at, '%H:%M:%S') = '23:59:59'), "
        f"count_if(resolved_at IS NULL AND due_at = TIMESTAMP '{Y}-12-31 23:59:59'), "
        f"count_if(due_at = TIMESTAMP '{Y}-12-21 23:59:59.999999' AND year(resolved_at) = {Y + 1}), "
        "count_if(excluded) FROM dossiers"
    ).fetchone()
    assert all(n >= 1 for n in edges), edges


def test_overdue_rescheduling_fires_on_the_four_careless_units_only(sample_with_ledger):
    crit = scoring.load_criteria()
    ev = scoring.evaluate(scoring.load_records(sample_with_ledger, crit), Y, crit)
    fired = ev.decisions[ev.decisions["rule_id"] == "overdue_rescheduling"]
    assert sorted(fired["subject_id"]) == sorted(CARELESS)
    kinds = set(ev.ledger.violations["problems"].str.split(";").explode())
    assert kinds == {"not_rescheduled", "rescheduled_more_than_once", "no_apology", "new_due_missed"}
    # a finding, not a cap: the bands are the recorded counts' bands
    plain = scoring.evaluate(scoring.load_records(None, crit), Y, crit)
    assert ev.unit_ranking["band"].tolist() == plain.unit_ranking["band"].tolist()


def test_the_summary_counts_the_units_with_rescheduling_violations(sample_with_ledger):
    crit = scoring.load_criteria()
    ev = scoring.evaluate(scoring.load_records(sample_with_ledger, crit), Y, crit)
    assert ev.counts()["rescheduling_violations"] == len(CARELESS)
    assert "hẹn lại một lần, xin lỗi bằng văn bản (mục II.2): 4" in ev.summary()
    plain = scoring.evaluate(scoring.load_records(None, crit), Y, crit)
    assert "rescheduling_violations" not in plain.counts() and "xin lỗi bằng văn bản" not in plain.summary()


def test_the_generated_files_are_byte_identical_across_two_runs(sample_with_ledger, tmp_path):
    assert main(["sample", str(tmp_path), "--with-ledger"]) == 0
    for table in LEDGER_FILES:
        assert (tmp_path / f"{table}.csv").read_bytes() == (sample_with_ledger / f"{table}.csv").read_bytes()


def test_the_ledger_command_on_the_sample_writes_the_recorded_counts_and_no_difference(
    sample_with_ledger, tmp_path
):
    out = tmp_path / "out"
    assert main(["ledger", str(sample_with_ledger), "--year", str(Y), "--out", str(out), "--quiet"]) == 0
    assert pd.read_csv(out / "reconciliation.csv").empty
    got = pd.read_csv(out / "unit_dossiers.csv", encoding="utf-8-sig")
    assert _counted(got, "unit_id") == _counted(scoring.load_records().table("unit_dossiers"), "unit_id")
    assert "dossiers.csv" in json.loads((out / "manifest.json").read_text())["inputs"]["sha256"]


def test_the_sample_under_the_other_year_reading_differs_and_is_refused_by_default(sample_with_ledger):
    crit = scoring.load_criteria().with_overrides({"ledger_year_by": "due"})
    with pytest.raises(scoring.ValidationError, match="số liệu tổng hợp"):
        derive(scoring.load_records(sample_with_ledger), Y, crit)


def test_counts_that_no_ledger_can_reproduce_are_refused(tmp_path):
    scoring.sample.write_sample(tmp_path)
    od = pd.read_csv(tmp_path / "official_dossiers.csv")
    od.loc[od["year"] == Y, "handled"] = 10**6  # more dossiers than any unit has
    od.to_csv(tmp_path / "official_dossiers.csv", index=False)
    with pytest.raises(ValueError, match="cannot reproduce"):
        build(tmp_path)


def test_the_notebook_folder_is_made_once_outside_the_repository(tmp_path):
    first = sample_with_ledger(tmp_path)
    assert first.parent == tmp_path / "scoring-sample-ledger"
    stamp = (first / "dossiers.csv").stat().st_mtime_ns
    assert sample_with_ledger(tmp_path) == first
    assert (first / "dossiers.csv").stat().st_mtime_ns == stamp  # reused, not made again
    # one folder (the writers' lock file of scoring.atomic aside)
    made = [p.name for p in (tmp_path / "scoring-sample-ledger").iterdir() if p.name != LOCK_NAME]
    assert made == [first.name]


def test_a_sample_that_cannot_be_written_exits_1_with_a_message_and_writes_nothing(
    tmp_path, capsys, monkeypatch
):
    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(scoring.sample, "publish", full_disk)
    assert main(["sample", str(tmp_path / "mau"), "--with-ledger"]) == 1
    assert "Không ghi được kết quả" in capsys.readouterr().err
    assert not (tmp_path / "mau").exists()


def test_the_sample_with_its_ledger_refuses_to_overwrite_a_users_dossiers(tmp_path, capsys):
    (tmp_path / "dossiers.csv").write_text("dossier_id\nMINE\n", encoding="utf-8")
    assert main(["sample", str(tmp_path), "--with-ledger"]) == 2
    assert "dossiers.csv" in capsys.readouterr().err
    assert (tmp_path / "dossiers.csv").read_text(encoding="utf-8") == "dossier_id\nMINE\n"
    assert not (tmp_path / "units.csv").exists()  # all or nothing


def test_the_annex_lists_the_units_with_rescheduling_violations_in_its_ledger_section(sample_with_ledger):
    from scoring import annex

    crit = scoring.load_criteria()
    records = scoring.load_records(sample_with_ledger, crit)
    ev = scoring.evaluate(records, Y, crit)
    doc = annex.build_document(ev, sections=["monitor", "near_threshold", "ledger"], with_charts=False)
    keys = [s.key for _, s in doc.numbered()]
    assert keys[-3:] == ["monitor", "near_threshold", "ledger"]
    section = doc.section("ledger")
    assert section.landscape and section.basis[0].clause == "II.2"
    names = dict(zip(records.units["unit_id"], records.units["unit_name"], strict=True))
    listed = [row[1] for row in section.tables[0].rows]
    assert sorted(listed) == sorted(names[u] for u in CARELESS)  # by name, never by code
    assert "không phải mức giới hạn xếp loại" in " ".join(section.notes)
    # without a ledger (the embedded sample as shipped) the section has nothing to say: left out
    plain = scoring.evaluate(scoring.load_records(None, crit), Y, crit)
    assert "ledger" not in [
        s.key for s in annex.build_document(plain, sections=["ledger"], with_charts=False).sections
    ]
