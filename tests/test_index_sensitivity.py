"""Weight sensitivity: another survey share or another field maximum, the rank changes sorted
like COINr's compare_coins, and Kendall's tau."""

from __future__ import annotations

import pytest
from conftest import only
from index_fixtures import load, mini_folder, mini_structures  # noqa: F401

import scoring
from scoring.index import compute
from scoring.index.sensitivity import COMPARE_COLUMNS, field_scales, sensitivity


@pytest.fixture
def mini(tmp_path, mini_structures):  # noqa: F811
    recs, crit = load(mini_folder(tmp_path / "data"))
    return compute(recs, 2020, crit)


def test_the_structures_own_survey_share_changes_nothing(mini):
    s = sensitivity(mini, survey_share=40)  # B is 4 of 10 points
    assert s.tau == 1.0 and (s.table["rank_change"] == 0).all() and (s.table["score_change"] == 0).all()


def test_no_survey_weight_leaves_each_unit_its_appraisal_share(mini):
    s = sensitivity(mini, survey_share=0)
    alt = dict(zip(s.table["unit_id"], s.table["score_alt"], strict=True))
    assert alt == {"U1": 87.50, "U2": 91.67, "U3": 100.0, "U4": 50.00}  # 5,25/6; 5,5/6; capped; 3/6


def test_a_field_maximum_doubled_weighs_the_units_achievement_on_it_twice(mini):
    s = sensitivity(mini, field_max={"A": 12})
    u1 = only(s.table, unit_id="U1")
    assert u1["score_alt"] == 83.31  # (5,25 × 2 + 2,83) / (12 + 4) = 13,33 / 16
    assert s.scales["A"] == 2.0 and s.scales["B"] == 1.0


def test_the_survey_share_scales_survey_fields_and_the_others_in_proportion(mini):
    scales = field_scales(mini, survey_share=50)
    assert scales["B"] == pytest.approx(5 / 4) and scales["A"] == pytest.approx(5 / 6)


def test_an_unknown_field_or_a_share_outside_0_to_100_is_refused(mini):
    with pytest.raises(KeyError, match="không có lĩnh vực «Z»"):
        sensitivity(mini, field_max={"Z": 3})
    with pytest.raises(ValueError, match="từ 0 đến 100"):
        sensitivity(mini, survey_share=120)


def test_on_the_sample_units_are_sorted_by_how_far_their_rank_moves_and_tau_falls():
    crit = scoring.load_criteria()
    yi = compute(scoring.load_records(None, crit), 2020, crit)
    s = sensitivity(yi, survey_share=60)
    moves = s.table["rank_change"].abs().to_list()
    assert moves == sorted(moves, reverse=True) and moves[0] > 0
    assert list(s.table.columns) == COMPARE_COLUMNS
    assert 0 < s.tau < 1 and set(s.tau_by_group) == set(yi.table["group"])
