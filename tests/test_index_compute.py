"""From criterion points to the index and into the ranking: hand-computed on a small structure.

The numbers below are worked out in tests/index_fixtures.py, line by line.
"""

from __future__ import annotations

import pytest
from conftest import only
from index_fixtures import CRITERION_SCORES, EXPECTED, SURVEY_RESULTS, load, mini_folder, mini_structures  # noqa: F401

import scoring
from scoring.index import compute, fill_scores, load_settings

pytestmark = pytest.mark.usefixtures("mini_structures")


def _index(tmp_path, **settings):
    recs, crit = load(mini_folder(tmp_path / "data"))
    return compute(recs, 2020, crit, load_settings().with_overrides(settings)), recs, crit


def test_the_index_is_the_points_over_the_maximum_rounded_half_up(tmp_path):
    yi, _, _ = _index(tmp_path)
    got = dict(zip(yi.table["unit_id"], yi.table["index"], strict=True))
    assert got == EXPECTED


def test_a_unit_without_a_survey_is_rescaled_over_its_appraisal_by_default(tmp_path):
    yi, _, _ = _index(tmp_path)
    u2 = only(yi.table, unit_id="U2")
    assert (u2["points"], u2["max_points"], u2["index"]) == (5.5, 6.0, 91.67)
    assert u2["survey_max_points"] == 0


def test_without_rescaling_an_unsurveyed_item_counts_as_zero(tmp_path):
    yi, _, _ = _index(tmp_path, rescale_without_survey=False)
    got = dict(zip(yi.table["unit_id"], yi.table["index"], strict=True))
    assert got["U2"] == 55.00  # 5,5 of 10
    assert got["U4"] == 35.00  # 3,5 of 10: B.2 not surveyed
    assert got["U1"] == 80.80  # fully surveyed: the same either way


def test_a_unit_missing_one_survey_item_is_rescaled_over_what_was_surveyed(tmp_path):
    yi, _, _ = _index(tmp_path)
    assert only(yi.table, unit_id="U4")["max_points"] == 8.0
    b = only(yi.fields, unit_id="U4", field_id="B")
    assert (b["points"], b["max_points"], b["sub_index"]) == (0.5, 2.0, 25.0)


def test_survey_points_are_max_times_satisfied_over_respondents_rounded_to_hundredths(tmp_path):
    yi, _, _ = _index(tmp_path)
    u1 = only(yi.table, unit_id="U1")
    assert u1["survey_points"] == 2.83  # 1,5 + 1,33 (2 × 2/3 = 1,333…)
    assert u1["appraisal_points"] == 5.25


def test_bonus_and_deductions_apply_after_the_sum_and_the_index_stays_within_100(tmp_path):
    yi, _, _ = _index(tmp_path)
    u3 = only(yi.table, unit_id="U3")
    assert (u3["bonus_points"], u3["deduction_points"], u3["points"]) == (0.5, 0.25, 10.25)
    assert u3["index"] == 100.0


def test_the_self_assessment_gap_is_given_per_field_and_the_over_scorers_listed(tmp_path):
    yi, _, _ = _index(tmp_path)
    u1 = only(yi.table, unit_id="U1")
    assert (u1["self_gap_points"], u1["self_index"]) == (0.75, 88.30)
    a = only(yi.fields, unit_id="U1", field_id="A")
    assert (a["points"], a["self_points"], a["self_gap_points"], a["sub_index"]) == (5.25, 6.0, 0.75, 87.5)
    assert yi.over_scorers()["unit_id"].tolist() == ["U1"]  # U2 gave no self-assessment, U3 and U4 none over


def test_units_are_ranked_in_their_group_by_the_index(tmp_path):
    yi, _, _ = _index(tmp_path)
    ranks = dict(zip(yi.table["unit_id"], yi.table["rank_in_group"], strict=True))
    assert ranks == {"U1": 2, "U2": 1, "U3": 1, "U4": 2}


# -- feeding the ranking -------------------------------------------------------------------------


def test_a_result_left_blank_or_absent_is_computed_and_ranked_like_a_recorded_score(tmp_path):
    recs, crit = load(mini_folder(tmp_path / "data"))
    ev = scoring.evaluate(recs, 2020, crit)
    scores = dict(zip(ev.unit_ranking["unit_id"], ev.unit_ranking["score"], strict=True))
    assert scores == EXPECTED  # U1 blank, U2 absent: computed; U3, U4 recorded and equal
    assert only(ev.unit_ranking, unit_id="U4")["band"] == "Yếu"
    # and the rules read it: the head of a Yếu unit is capped (mục II.4)
    assert only(ev.official_ratings, official_id="H4")["capped_by"] == "head_reform_band"
    assert any("Năm 2020: điểm của 2 cơ quan, đơn vị được tính từ điểm tiêu chí" in n for n in ev.notes)


def test_a_recorded_score_that_differs_by_more_than_a_hundredth_is_reported_side_by_side_and_kept(tmp_path):
    results = [(2020, "U1", "", ""), (2020, "U3", "100", ""), (2020, "U4", "44.00", "")]
    recs, crit = load(mini_folder(tmp_path / "data", results=results))
    ev = scoring.evaluate(recs, 2020, crit)
    assert only(ev.unit_ranking, unit_id="U4")["score"] == 44.00  # never silently replaced
    note = next(n for n in ev.notes if "U4" in n)
    assert "điểm đã ghi nhận 44,00" in note and "điểm tính lại từ điểm tiêu chí 43,75" in note
    assert "chênh −0,25" in note and "reform_results, dòng 4" in note
    yi = compute(recs, 2020, crit)
    assert only(yi.table, unit_id="U4")["recorded_minus_index"] == 0.25


def test_a_recorded_score_within_a_hundredth_of_the_index_is_not_reported(tmp_path):
    results = [
        (2020, "U1", "80.81", ""),
        (2020, "U2", "91.67", ""),
        (2020, "U3", "100", ""),
        (2020, "U4", "43.75", ""),
    ]
    recs, crit = load(mini_folder(tmp_path / "data", results=results))
    assert not [n for n in recs.notes if "tiêu chí" in n]


def test_a_recorded_band_without_score_stays_and_a_different_computed_band_is_noted(tmp_path):
    results = [(2020, "U1", "", "Tốt"), (2020, "U3", "100", ""), (2020, "U4", "43.75", "")]
    recs, crit = load(mini_folder(tmp_path / "data", results=results))
    ev = scoring.evaluate(recs, 2020, crit)
    assert only(ev.unit_ranking, unit_id="U1")["band"] == "Tốt"
    assert any("xếp loại đã ghi nhận «Tốt»" in n and "80,80" in n and "«Khá»" in n for n in ev.notes)


def test_a_result_with_neither_score_nor_band_is_still_refused_where_no_points_are_given(tmp_path):
    results = [(2020, "U1", "", ""), (2020, "U3", "", "")]
    folder = mini_folder(
        tmp_path / "data", results=results, criterion_scores=CRITERION_SCORES[:3], survey_results=[]
    )
    with pytest.raises(scoring.ValidationError) as err:
        load(folder)
    msgs = [p.message() for p in err.value.problems]
    assert any("reform_results.csv, dòng 3, cột score/band" in m for m in msgs)  # U3: no points
    assert not any("dòng 2, cột score/band" in m for m in msgs)  # U1: its points give the score


def test_without_points_tables_the_loader_refuses_a_blank_result_as_before(tmp_path):
    folder = mini_folder(tmp_path / "data", results=[(2020, "U1", "", "")])
    for name in ("criterion_scores.csv", "survey_results.csv"):
        (folder / name).unlink()
    with pytest.raises(scoring.ValidationError, match="không được để trống cả hai"):
        load(folder)


def test_fill_scores_on_loaded_records_gives_the_same_scores_and_notes(tmp_path):
    recs, crit = load(mini_folder(tmp_path / "data"))
    again, notes = fill_scores(recs, crit)
    assert again is recs  # nothing left to fill
    assert notes == []


def test_another_reading_recomputes_the_scores_the_loader_computed_and_never_a_recorded_one(tmp_path):
    from scoring.index.command import run_index

    recs, crit = load(mini_folder(tmp_path / "data"))
    run = run_index(
        recs, 2020, crit, load_settings().with_overrides({"rescale_without_survey": False}), draws=0
    )
    ranked = dict(
        zip(run.evaluation.unit_ranking["unit_id"], run.evaluation.unit_ranking["score"], strict=True)
    )
    assert ranked["U2"] == 55.00  # its row was absent: the index gives its score, now unrescaled
    assert ranked["U4"] == 43.75  # recorded: stays, and the index beside it says 35,00
    u4 = only(run.index.table, unit_id="U4")
    assert (u4["index"], u4["recorded_score"]) == (35.00, 43.75)


# -- the loader's one pass over every year gives the index of each year's own computation ---------


@pytest.mark.parametrize("rescale", [True, False])
def test_the_loaders_pass_over_every_year_gives_each_unit_the_index_its_year_computes(tmp_path, rescale):
    from scoring.index.compute import compute_year, every_year
    from scoring.index.producer import points_of

    # 2019: other points for the same units (U2 without survey, U4 missing B.2) beside 2020's
    later = [(2019, u, i, s, a) for _, u, i, s, a in CRITERION_SCORES if u != "U3"]
    survey = [*SURVEY_RESULTS, (2019, "U1", "B.1", 20, 7, ""), (2019, "U4", "B.1", 9, 9, "")]
    folder = mini_folder(
        tmp_path / "data", criterion_scores=[*CRITERION_SCORES, *later], survey_results=survey,
        results=[(2019, "U1", "", ""), *[(2020, u, "", "") for u in ("U1", "U3", "U4")]],
    )  # fmt: skip
    recs, crit = load(folder)
    settings = load_settings().with_overrides({"rescale_without_survey": rescale})
    pts = points_of(recs.sources, set(recs.units["unit_id"]))
    scores = every_year(pts, settings)
    got = {(int(y), u): int(c) for y, u, c in zip(scores.year, scores.unit_id, scores.cents, strict=True)}
    want = {}
    for y in (2019, 2020):
        yi = compute_year(pts, y, recs.units, settings, crit)
        want.update({(y, u): int(c) for u, c in zip(yi.units["unit_id"], yi.index_cents, strict=True)})
    assert got == want and len(got) == 7  # 2019: U1, U2, U4; 2020: all four
