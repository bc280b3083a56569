"""Index structures as dated data: the shipped ones, and every way a structure file can be broken.

A broken structure is a clear error naming the file, the line and the item.
"""

from __future__ import annotations

import pytest
from index_fixtures import MINI

from scoring.criteria import CriteriaError
from scoring.index.structure import (
    IndexSettings,
    load_settings,
    load_structures,
    parse_structure,
)


def _broken(text: str) -> str:
    with pytest.raises(CriteriaError) as err:
        parse_structure(text, source="hong.yaml")
    return str(err.value)


# -- the shipped structures ------------------------------------------------------------------


def test_the_provincial_par_index_of_decision_2948_has_eight_fields_worth_100_points():
    s = {x.id: x for x in load_structures()}["par-index-2017"]
    assert [f.max_cents / 100 for f in s.fields] == [10, 10, 14.5, 11, 16, 7, 16, 15.5]
    assert s.max_cents == 10000 and s.level == "province" and not s.illustrative
    assert (s.year_from, s.year_to) == (2017, 2019)
    assert "2948/QĐ-BNV" in s.doc["structure"]["decision"]
    # the criteria lists were not verified: each field is one item of its published points
    assert all(f.leaf and f.method == "published" for f in s.fields)
    assert [s.doc["fields"][k]["criteria_count"] for k in range(8)] == [6, 4, 5, 4, 9, 3, 5, 3]


def test_the_unit_framework_is_70_appraised_and_30_surveyed_and_says_it_is_illustrative():
    s = {x.id: x for x in load_structures()}["khung-don-vi-70-30"]
    assert s.illustrative and "minh họa" in s.title
    assert s.max_of("appraisal") == 7000 and s.max_of("survey") == 3000
    assert s.covers(2015) and s.covers(2030) and not s.covers(2014)
    assert {i.method for i in s.leaves} == {"appraisal", "survey", "bonus", "deduction"}
    assert len({i.id for i in s.items}) == len(s.items)


def test_the_readings_file_gives_every_reading_its_basis_and_reason():
    settings = load_settings()
    assert settings["near_threshold_points"] == 1
    assert settings["rescale_without_survey"] is True
    assert settings["appraisal_tolerance_points"] == 0
    assert settings["survey_prior"] == "jeffreys"
    for row in settings.as_table():
        assert row["basis"] and row["reason"]


def test_a_reading_is_switched_for_one_run_and_the_baseline_stays():
    base = load_settings()
    alt = base.with_overrides(
        {"near_threshold_points": "0,5".replace(",", "."), "rescale_without_survey": "false"}
    )
    assert alt["near_threshold_points"] == 0.5 and alt["rescale_without_survey"] is False
    assert base["near_threshold_points"] == 1 and base["rescale_without_survey"] is True
    assert alt.overrides == (("near_threshold_points", 0.5), ("rescale_without_survey", False))


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("near_threshold_points", "-1", "từ 0 đến 100"),
        ("survey_prior", "laplace", "jeffreys, uniform"),
        ("survey_normal_min_count", "2.5", "số nguyên không âm"),
        ("rescale_without_survey", "maybe", "true hoặc false"),
        ("rank_interval_percent", "100", "nhỏ hơn 100"),
        ("near_treshold_points", "1", "near_threshold_points"),
    ],
)
def test_a_bad_override_of_a_reading_is_refused_with_what_is_accepted(name, value, words):
    with pytest.raises(CriteriaError, match=words):
        load_settings().with_overrides({name: value})


def test_a_readings_file_without_a_reason_is_refused(tmp_path):
    p = tmp_path / "parameters.yaml"
    p.write_text(
        "parameters:\n  near_threshold_points: {value: 1, kind: points, basis: x}\n", encoding="utf-8"
    )
    with pytest.raises(CriteriaError, match="dòng 2 .*thiếu 'reason'"):
        IndexSettings.load(p)


# -- broken structures ---------------------------------------------------------------------------


def test_the_mini_structure_reads():
    s = parse_structure(MINI)
    assert [i.id for i in s.leaves] == ["A.1", "A.2.a", "A.2.b", "B.1", "B.2", "T", "D"]
    assert s.item("A.2").max_cents == 400 and not s.item("A.2").leaf


def test_sub_criteria_that_do_not_add_up_to_their_criterion_name_the_criterion_and_its_line():
    msg = _broken(MINI.replace("max: 2.5}", "max: 2}"))
    assert "hong.yaml, dòng 20" in msg and "(mục A.2)" in msg
    assert "điểm tối đa 4 khác tổng điểm tối đa của các mục con (1,5 + 2 = 3,5)" in msg


def test_criteria_that_do_not_add_up_to_their_field_name_the_field():
    msg = _broken(MINI.replace('Người dân", max: 2}', 'Người dân", max: 3}'))
    assert "(mục B)" in msg and "(3 + 2 = 5)" in msg


def test_fields_that_do_not_add_up_to_the_total_say_so():
    msg = _broken(MINI.replace("max_points: 10", "max_points: 12"))
    assert "tổng điểm tối đa 12 khác tổng các lĩnh vực (6 + 4 = 10)" in msg


def test_an_id_used_twice_is_refused_with_the_first_line():
    msg = _broken(MINI.replace("{id: B.2,", "{id: B.1,"))
    assert "(mục B.1)" in msg and "trùng với mục ở dòng" in msg


def test_an_item_with_no_method_of_its_own_or_inherited_is_refused():
    msg = _broken(MINI.replace("    method: survey\n", ""))
    assert "(mục B.1)" in msg and "không có cách chấm" in msg


def test_an_unknown_method_is_refused():
    msg = _broken(MINI.replace("method: survey", "method: phong_van"))
    assert "(mục B)" in msg and "appraisal, survey, published" in msg


def test_a_misspelt_key_is_refused_with_the_likely_one():
    msg = _broken(MINI.replace('number: "2.1"', 'numbr: "2.1"'))
    assert "(mục B.1)" in msg and "«numbr» (có phải 'number'?)" in msg


@pytest.mark.parametrize("bad", ["0", "-1", "1.255", "hai"])
def test_a_maximum_that_is_not_a_positive_number_with_two_decimals_is_refused(bad):
    msg = _broken(
        MINI.replace('{id: T, number: "T", name: "Điểm thưởng", max: 1}', f"{{id: T, name: x, max: {bad}}}")
    )
    assert "(mục T)" in msg and "số dương" in msg


def test_years_ending_before_they_start_are_refused():
    assert "năm bắt đầu không sau năm kết thúc" in _broken(MINI.replace("to: 2020", "to: 2017"))


def test_a_structure_that_is_not_yaml_names_the_line():
    assert "hong.yaml, dòng" in _broken(MINI.replace("fields:", "fields: [unclosed"))


def test_two_structure_files_with_the_same_id_are_refused(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(MINI, encoding="utf-8")
    with pytest.raises(CriteriaError, match="mã bộ chỉ số «mini» trùng"):
        load_structures(tmp_path)
