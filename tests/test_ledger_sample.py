"""The embedded sample's synthetic ledger reproduces its recorded counts, with no difference."""

from __future__ import annotations

import pytest

import scoring
from scoring.ledger import derive
from scoring.sample import SAMPLE_LATEST_YEAR


@pytest.fixture(scope="module")
def run():
    return derive(scoring.load_records(), SAMPLE_LATEST_YEAR, scoring.load_criteria())


def test_the_sample_ledger_reconciles_with_the_recorded_counts_with_no_difference(run):
    assert run is not None and run.differences.empty
    assert SAMPLE_LATEST_YEAR in run.covered_years
    recs = scoring.load_records()
    for table, key, derived in (
        ("unit_dossiers", "unit_id", run.counts),
        ("official_dossiers", "official_id", run.official_counts),
    ):
        rec = recs.table(table)
        rec = rec[(rec["year"] == SAMPLE_LATEST_YEAR) & (rec["handled"] > 0)]
        got = derived[(derived["year"] == SAMPLE_LATEST_YEAR) & (derived["handled"] > 0)]
        assert sorted(zip(rec[key], rec["handled"], rec["late"], strict=True)) == sorted(
            zip(got[key], got["handled"], got["late"], strict=True)
        )


def test_the_sample_ledger_holds_every_edge(run):
    dossiers = run.ledger.con.execute(
        "SELECT count_if(resolved_at = due_at), count_if(resolved_at = due_at + INTERVAL 1 SECOND), "
        "count_if(resolved_at IS NULL AND due_at = TIMESTAMP '2020-12-31 23:59:59'), count_if(excluded) FROM dossiers"
    ).fetchone()
    assert all(n >= 1 for n in dossiers)


def test_the_sample_shows_the_rescheduling_finding_in_a_few_units(run):
    units = set(run.compliance.loc[run.compliance["violations"] > 0, "unit_id"])
    assert {"UB_VANNINH", "SO_XD", "DH_KHANHHOA", "UB_NHATRANG"} <= units
    assert set(run.violations["problems"].str.split(";").explode()) == {
        "not_rescheduled",
        "rescheduled_more_than_once",
        "no_apology",
        "new_due_missed",
    }


def test_the_sample_under_the_other_readings_differs_and_is_refused_by_default():
    crit = scoring.load_criteria().with_overrides({"ledger_year_by": "due"})
    with pytest.raises(scoring.ValidationError, match="số liệu tổng hợp"):
        derive(scoring.load_records(), SAMPLE_LATEST_YEAR, crit)
