"""Synthetic criterion points at scale (`synth --index`, the benchmark's 80-item structure)."""

from __future__ import annotations

import pandas as pd
import pytest

import scoring
from scoring import synth
from scoring.index import compute
from scoring.index.points import survey_cents
from scoring.index.synth import points_for, synthetic_structure


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    tables = synth.generate(60, 1_000, 3, seed=5, index=True)
    folder = tmp_path_factory.mktemp("synth")
    synth.write(tables, folder, "parquet")
    return tables, folder


def test_the_points_reproduce_every_synthetic_score_of_the_last_year(data):
    tables, folder = data
    crit = scoring.load_criteria()
    recs = scoring.load_records(folder, crit)
    yi = compute(recs, 2020, crit)
    rr = tables["reform_results"]
    want = rr[(rr["year"] == 2020) & rr["score"].notna()].set_index("unit_id")["score"]
    got = yi.table.set_index("unit_id")["index"]
    assert len(got) == len(want) and (got.reindex(want.index) == want).all()
    assert not [n for n in recs.notes if "tính lại" in n]


def test_self_assessed_points_are_never_below_the_appraised_ones_and_all_within_maxima(data):
    c = data[0]["criterion_scores"]
    assert (c["self_points"] >= c["appraised_points"]).all() and (c["appraised_points"] >= 0).all()
    s = data[0]["survey_results"]
    assert ((s["satisfied"] >= 0) & (s["satisfied"] <= s["respondents"])).all()


def test_the_same_seed_gives_the_same_points(data):
    again = points_for(data[0], seed=5)
    pd.testing.assert_frame_equal(again["criterion_scores"], data[0]["criterion_scores"])


def test_the_benchmark_structure_has_8_fields_and_80_items_70_appraised_30_surveyed():
    s = synthetic_structure()
    assert len(s.fields) == 8 and len(s.leaves) == 80
    assert (s.max_of("appraisal"), s.max_of("survey")) == (7000, 3000) and s.illustrative


def test_points_for_another_structure_reproduce_the_scores_too(data):
    s = synthetic_structure()
    pts = points_for(data[0], seed=1, structure=s)
    c, v = pts["criterion_scores"], pts["survey_results"]
    assert c["item_id"].nunique() == 70 and v["item_id"].nunique() == 10
    maxes = v["item_id"].map({i.id: i.max_cents for i in s.leaves})
    v = v.assign(
        cents=survey_cents(maxes.to_numpy(), v["satisfied"].to_numpy(), v["respondents"].to_numpy(), 2)
    )
    total = (c.groupby("unit_id")["appraised_points"].sum() * 100).round() + v.groupby("unit_id")[
        "cents"
    ].sum()
    rr = data[0]["reform_results"]
    want = (rr[rr["year"] == 2020].set_index("unit_id")["score"] * 100).round()
    assert (total.reindex(want.index) == want).all()  # a 100-point structure: the index is the points
