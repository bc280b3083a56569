"""The embedded sample's criterion points (synthetic) reproduce every recorded score, and the
script that derives them from reform_results.csv gives the same files again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import scoring
from scoring.index import compute, load_settings
from scoring.index.margins import consequences
from scoring.index.odds import odds
from scoring.sample import sample_path
from scoring.scenario import score_cents

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample():
    crit = scoring.load_criteria()
    return scoring.load_records(None, crit), crit


def test_the_points_reproduce_every_recorded_score_of_every_year_published_ones_included(sample):
    recs, crit = sample
    written = pd.read_csv(sample_path() / "reform_results.csv", dtype=str, keep_default_na=False)
    written = written[written["score"] != ""]
    indexes = {
        y: compute(recs, y, crit).table.set_index("unit_id")["index"]
        for y in sorted(set(written["year"].astype(int)))
    }
    for year, unit, score in zip(
        written["year"].astype(int), written["unit_id"], written["score"], strict=True
    ):
        assert indexes[year][unit] == score_cents(score) / 100, (year, unit, score)
    published = written[written["source"] == "published"]
    assert len(published) > 0 and len(written) > len(published)  # every scored row was checked above
    assert not [n for n in recs.notes if "điểm tính lại" in n]


def test_the_points_are_marked_synthetic():
    for name in ("criterion_scores.csv", "survey_results.csv"):
        lines = (sample_path() / name).read_text(encoding="utf-8").splitlines()
        assert lines[0].endswith(",source") and all(line.endswith(",synthetic") for line in lines[1:])


def test_the_sample_shows_a_unit_scored_without_a_survey_and_both_survey_forms(sample):
    recs, crit = sample
    yi = compute(recs, 2015, crit)
    assert (yi.table["survey_max_points"] == 0).any()  # rescaled over the appraisal
    text = (sample_path() / "survey_results.csv").read_text(encoding="utf-8")
    assert ",,synthetic" in text and ",synthetic" in text  # satisfied counts (later years)
    assert any(
        line.split(",")[4] == "" and line.split(",")[5] for line in text.splitlines()[1:]
    )  # points (2015)


def test_the_script_derives_the_same_files_from_reform_results(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_index_sample.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in ("criterion_scores.csv", "survey_results.csv"):
        assert (tmp_path / name).read_bytes() == (sample_path() / name).read_bytes(), name


def test_on_the_sample_the_quick_draws_change_no_band_probability_by_more_than_2_points():
    crit = scoring.load_criteria()
    recs = scoring.load_records(None, crit)
    yi, c = compute(recs, 2018, crit), consequences(recs, 2018, crit)
    exact = load_settings().with_overrides({"survey_draw": "item", "survey_normal_min_count": 10**9})
    reference = odds(c, yi, crit, exact, 20000, 1).table
    cols = ["p_tot", "p_kha", "p_trung_binh", "p_yeu"]
    for quick in ({}, {"survey_draw": "item"}):  # pooled per unit (default); item by item with normals
        got = odds(c, yi, crit, load_settings().with_overrides(quick), 20000, 2).table
        assert (reference[cols] - got[cols]).abs().max().max() < 0.02, quick


def test_the_loaders_pass_over_every_year_gives_the_index_each_year_computes(sample):
    from scoring.index.compute import compute_year, every_year
    from scoring.index.producer import points_of

    recs, crit = sample
    pts = points_of(recs.sources, set(recs.units["unit_id"]))
    for rescale in (True, False):
        settings = load_settings().with_overrides({"rescale_without_survey": rescale})
        scores = every_year(pts, settings)
        got = {(int(y), u): int(c) for y, u, c in zip(scores.year, scores.unit_id, scores.cents, strict=True)}
        want = {}
        for y in pts.years():
            yi = compute_year(pts, y, recs.units, settings, crit)
            want.update({(y, u): int(c) for u, c in zip(yi.units["unit_id"], yi.index_cents, strict=True)})
        assert got == want and len(got) == sum(len(pts.pairs(y)) for y in pts.years()) > 200
