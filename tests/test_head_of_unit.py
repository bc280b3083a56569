"""Mục II.4 — the head of a unit (người đứng đầu): the rating cap and the removal trigger.

SPEC §2: the head of a unit whose band is Trung bình or lower is capped below Hoàn thành tốt
nhiệm vụ. The removal trigger fires when the unit's band is Trung bình or lower 3 consecutive
years, or Yếu 2 consecutive years, ending at the evaluated year, all under this head. By
default a Yếu year counts toward the Trung bình run, a year with no result breaks a run,
and only the years this official was listed as head count.
"""

import pytest
from conftest import (
    HT_2019,
    HT_2020,
    HTT,
    HTXS,
    KHA,
    KHT,
    SO,
    TB,
    TOT,
    YEU,
    make_dataset,
    only,
    rules_for,
    run,
)

ACTIONS = "xử lý trách nhiệm;đưa ra khỏi quy hoạch;điều chuyển;thay thế"

# -- head_reform_band -------------------------------------------------------------------------

Y = 2019
# unit id -> (score, recorded band, handled, late)
UNITS = {
    "U_TB": ("60", "", 0, 0),
    "U_TB_THIRD": ("60", "", 0, 0),
    "U_TB_BOTH": ("60", "", 0, 0),
    "U_TB_FOURTH": ("60", "", 0, 0),
    "U_YEU": ("40", "", 0, 0),
    "U_6999": ("69.99", "", 0, 0),
    "U_70": ("70.00", "", 0, 0),
    "U_KHA": ("75", "", 0, 0),
    "U_TOT": ("90", "", 0, 0),
    "U_TOT_LATE": ("90", "", 300, 30),  # capped to Khá by its late dossiers
    "U_RECORDED_TB": ("", TB, 0, 0),
}
# official id -> (unit, role, proposed, handled, late)
OFFICIALS = {
    "H_TB": ("U_TB", "head", HTT, 0, 0),
    "D_TB": ("U_TB", "deputy", HTT, 0, 0),
    "S_TB": ("U_TB", "staff", HTXS, 0, 0),
    "H_TB_THIRD": ("U_TB_THIRD", "head", HT_2019, 0, 0),
    "H_TB_BOTH": ("U_TB_BOTH", "head", HTXS, 100, 11),
    "H_TB_FOURTH": ("U_TB_FOURTH", "head", KHT, 0, 0),
    "H_YEU": ("U_YEU", "head", HTXS, 0, 0),
    "H_6999": ("U_6999", "head", HTT, 0, 0),
    "H_70": ("U_70", "head", HTT, 0, 0),
    "H_KHA": ("U_KHA", "head", HTT, 0, 0),
    "H_TOT": ("U_TOT", "head", HTXS, 0, 0),
    "H_TOT_LATE": ("U_TOT_LATE", "head", HTT, 0, 0),
    "H_RECORDED_TB": ("U_RECORDED_TB", "head", HTT, 0, 0),
}


@pytest.fixture(scope="module")
def band_data(tmp_path_factory):
    return make_dataset(
        tmp_path_factory.mktemp("heads") / "data",
        units=[(uid, f"Đơn vị {uid}", SO) for uid in UNITS],
        reform_results=[(Y, uid, s, b) for uid, (s, b, _, _) in UNITS.items()],
        unit_dossiers=[(Y, uid, h, late) for uid, (_, _, h, late) in UNITS.items()],
        officials=[(Y, oid, f"Cán bộ {oid}", u, role, p) for oid, (u, role, p, _, _) in OFFICIALS.items()],
        official_dossiers=[(Y, oid, h, late) for oid, (_, _, _, h, late) in OFFICIALS.items()],
    )


@pytest.fixture(scope="module")
def heads(band_data):
    return run(band_data, Y)


def outcome(ev, oid):
    o = only(ev.official_ratings, official_id=oid)
    return o["final_rating"], o["capped_by"]


def capped_heads(ev):
    o = ev.official_ratings
    return set(o.loc[o["capped_by"].str.contains("head_reform_band"), "official_id"])


def test_head_of_trung_binh_unit_is_capped_to_the_third_level(heads):
    assert outcome(heads, "H_TB") == (HT_2019, "head_reform_band")
    assert not only(heads.official_ratings, official_id="H_TB")["discipline_review"]


def test_head_of_yeu_unit_is_capped_from_the_top_level(heads):
    assert outcome(heads, "H_YEU") == (HT_2019, "head_reform_band")


def test_head_of_unit_at_69_99_is_capped(heads):
    assert outcome(heads, "H_6999") == (HT_2019, "head_reform_band")


@pytest.mark.parametrize("oid", ["H_KHA", "H_70"])
def test_head_of_kha_unit_is_not_capped(heads, oid):
    assert outcome(heads, oid) == (HTT, "")
    assert rules_for(heads, oid) == []


def test_head_of_tot_unit_keeps_the_top_level(heads):
    assert outcome(heads, "H_TOT") == (HTXS, "")


def test_head_of_unit_capped_to_kha_for_late_dossiers_is_not_capped(heads):
    assert only(heads.unit_ranking, unit_id="U_TOT_LATE")["band"] == KHA
    assert outcome(heads, "H_TOT_LATE") == (HTT, "")


def test_head_of_unit_with_recorded_trung_binh_and_no_score_is_capped(heads):
    assert outcome(heads, "H_RECORDED_TB") == (HT_2019, "head_reform_band")


@pytest.mark.parametrize("oid, role", [("D_TB", "deputy"), ("S_TB", "staff")])
def test_deputy_and_staff_of_trung_binh_unit_are_not_capped(heads, oid, role):
    o = only(heads.official_ratings, official_id=oid)
    assert o["role"] == role
    assert o["final_rating"] == o["proposed_rating"]
    assert o["capped_by"] == ""
    assert rules_for(heads, oid) == []


def test_head_already_at_the_third_level_is_unchanged_but_the_decision_is_recorded(heads):
    assert outcome(heads, "H_TB_THIRD") == (HT_2019, "")
    assert rules_for(heads, "H_TB_THIRD") == ["head_reform_band"]


def test_head_proposed_the_fourth_level_is_never_raised_by_the_cap(heads):
    assert outcome(heads, "H_TB_FOURTH") == (KHT, "")
    assert rules_for(heads, "H_TB_FOURTH") == ["head_reform_band"]


def test_head_late_and_of_trung_binh_unit_names_both_caps(heads):
    o = only(heads.official_ratings, official_id="H_TB_BOTH")
    assert o["final_rating"] == HT_2019
    assert set(o["capped_by"].split(";")) == {"official_late_dossiers", "head_reform_band"}
    assert o["discipline_review"]
    assert sorted(rules_for(heads, "H_TB_BOTH")) == ["head_reform_band", "official_late_dossiers"]


def test_head_reform_band_decisions_one_per_head_clause_ii_4(heads):
    d = heads.decisions[heads.decisions["rule_id"] == "head_reform_band"]
    expected = {"H_TB", "H_TB_THIRD", "H_TB_BOTH", "H_TB_FOURTH", "H_YEU", "H_6999", "H_RECORDED_TB"}
    assert sorted(d["subject_id"]) == sorted(expected)
    assert set(d["clause"]) == {"II.4"}
    assert set(d["subject_type"]) == {"official"}
    assert capped_heads(heads) == expected - {"H_TB_THIRD", "H_TB_FOURTH"}


def test_head_band_trigger_kha_caps_heads_of_kha_units(band_data):
    ev = run(band_data, Y, head_band_trigger="kha")
    assert {"H_KHA", "H_70", "H_TOT_LATE", "H_TB", "H_YEU"} <= capped_heads(ev)
    assert "H_TOT" not in capped_heads(ev)


def test_head_band_trigger_yeu_spares_heads_of_trung_binh_units(band_data):
    ev = run(band_data, Y, head_band_trigger="yeu")
    assert capped_heads(ev) == {"H_YEU"}


# -- head_removal_streak ----------------------------------------------------------------------

SCORE = {TOT: "90", KHA: "75", TB: "60", YEU: "40"}


def history(tmp_path, bands, heads="H1", year=None, recorded=False, **overrides):
    """One unit: `bands` maps a year to its band (None: no result that year); `heads` maps a
    year to its head (a single id: the same head every year). Evaluated at the last year."""
    years = sorted(bands)
    if isinstance(heads, str):
        heads = {y: heads for y in years}
    results = [
        (y, "U1", "", f" {b.upper()} ") if recorded and y != years[-1] else (y, "U1", SCORE[b], "")
        for y, b in bands.items()
        if b is not None
    ]
    officials = [(y, h, f"Người {h}", "U1", "head", HTT) for y, h in heads.items()]
    officials += [(y, "D1", "Phó Một", "U1", "deputy", HTT) for y in years]
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO)],
        reform_results=results,
        officials=officials,
    )
    return run(data, year or years[-1], **overrides)


def trigger(ev, oid="H1"):
    t = only(ev.removal_triggers, official_id=oid)
    return t["streak_years"], t["streak_bands"]


def test_three_consecutive_trung_binh_years_trigger_removal(tmp_path):
    ev = history(tmp_path, {2017: KHA, 2018: TB, 2019: TB, 2020: TB})
    t = only(ev.removal_triggers, official_id="H1")
    assert (t["year"], t["unit_id"]) == (2020, "U1")
    assert t["streak_years"] == "2018;2019;2020"
    assert t["streak_bands"] == f"{TB};{TB};{TB}"
    assert t["actions"] == ACTIONS
    d = only(ev.decisions, subject_id="H1", rule_id="head_removal_streak")
    assert (d["clause"], d["subject_type"]) == ("II.4", "official")
    assert "2018" in d["evidence"] and "2020" in d["evidence"]


def test_recorded_past_bands_in_any_form_make_the_run(tmp_path):
    ev = history(tmp_path, {2018: TB, 2019: TB, 2020: TB}, recorded=True)
    assert trigger(ev) == ("2018;2019;2020", f"{TB};{TB};{TB}")


def test_streak_years_list_the_whole_run_ending_at_the_evaluated_year(tmp_path):
    # the run starts in 2017, the year the programme came into force: 2016 does not count
    bands = {2015: TOT, 2016: TB, 2017: TB, 2018: TB, 2019: TB, 2020: TB}
    assert trigger(history(tmp_path / "a", bands)) == ("2017;2018;2019;2020", ";".join([TB] * 4))
    ev = history(tmp_path / "b", bands, streak_counts_years_before_force=True)
    assert trigger(ev) == ("2016;2017;2018;2019;2020", ";".join([TB] * 5))


def test_two_trung_binh_years_do_not_trigger(tmp_path):
    ev = history(tmp_path, {2018: KHA, 2019: TB, 2020: TB})
    assert ev.removal_triggers.empty
    assert "head_removal_streak" not in set(ev.decisions["rule_id"])


def test_two_consecutive_yeu_years_trigger_removal(tmp_path):
    ev = history(tmp_path, {2018: KHA, 2019: YEU, 2020: YEU})
    assert trigger(ev) == ("2019;2020", f"{YEU};{YEU}")


def test_one_yeu_year_does_not_trigger(tmp_path):
    assert history(tmp_path, {2018: KHA, 2019: TB, 2020: YEU}).removal_triggers.empty


def test_yeu_year_counts_toward_the_trung_binh_run(tmp_path):
    ev = history(tmp_path, {2017: KHA, 2018: TB, 2019: YEU, 2020: TB})
    assert trigger(ev) == ("2018;2019;2020", f"{TB};{YEU};{TB}")


def test_literal_reading_yeu_does_not_count_toward_the_trung_binh_run(tmp_path):
    ev = history(
        tmp_path, {2017: KHA, 2018: TB, 2019: YEU, 2020: TB}, weak_counts_toward_average_streak=False
    )
    assert ev.removal_triggers.empty


def test_trung_binh_twice_then_yeu_triggers_unless_read_literally(tmp_path):
    bands = {2017: KHA, 2018: TB, 2019: TB, 2020: YEU}
    assert trigger(history(tmp_path / "a", bands)) == ("2018;2019;2020", f"{TB};{TB};{YEU}")
    assert history(tmp_path / "b", bands, weak_counts_toward_average_streak=False).removal_triggers.empty


def test_literal_reading_still_triggers_on_two_yeu_years(tmp_path):
    ev = history(tmp_path, {2018: TB, 2019: YEU, 2020: YEU}, weak_counts_toward_average_streak=False)
    assert trigger(ev) == ("2019;2020", f"{YEU};{YEU}")


def test_year_without_result_breaks_the_run(tmp_path):
    ev = history(tmp_path, {2017: TB, 2018: TB, 2019: None, 2020: TB})
    assert ev.removal_triggers.empty


def test_year_without_result_bridged_when_missing_years_do_not_break(tmp_path):
    ev = history(tmp_path, {2017: TB, 2018: TB, 2019: None, 2020: TB}, missing_year_breaks_streak=False)
    assert trigger(ev)[0] == "2017;2018;2020"


def test_yeu_years_around_a_gap(tmp_path):
    bands = {2017: KHA, 2018: YEU, 2019: None, 2020: YEU}
    assert history(tmp_path / "a", bands).removal_triggers.empty
    ev = history(tmp_path / "b", bands, missing_year_breaks_streak=False)
    assert trigger(ev)[0] == "2018;2020"


def test_new_head_inside_the_run_is_not_triggered_for_the_predecessors_years(tmp_path):
    bands = {2018: TB, 2019: TB, 2020: TB}
    ev = history(tmp_path, bands, heads={2018: "H1", 2019: "H2", 2020: "H2"})
    assert ev.removal_triggers.empty
    assert "head_removal_streak" not in rules_for(ev, "H2")


def test_whole_unit_run_counts_for_the_current_head_when_switched(tmp_path):
    bands = {2018: TB, 2019: TB, 2020: TB}
    ev = history(
        tmp_path, bands, heads={2018: "H1", 2019: "H2", 2020: "H2"}, head_streak_own_years_only=False
    )
    assert list(ev.removal_triggers["official_id"]) == ["H2"]
    assert trigger(ev, "H2")[0] == "2018;2019;2020"


def test_streak_years_of_a_head_list_only_the_years_under_that_head(tmp_path):
    bands = {y: TB for y in range(2015, 2021)}
    heads = {2015: "H1", 2016: "H1", 2017: "H1", 2018: "H2", 2019: "H2", 2020: "H2"}
    ev = history(tmp_path, bands, heads=heads)
    assert list(ev.removal_triggers["official_id"]) == ["H2"]
    assert trigger(ev, "H2") == ("2018;2019;2020", f"{TB};{TB};{TB}")


def test_head_back_after_another_head_counts_only_the_years_since_returning(tmp_path):
    bands = {y: TB for y in range(2016, 2021)}
    heads = {2016: "H1", 2017: "H1", 2018: "H2", 2019: "H1", 2020: "H1"}
    assert history(tmp_path, bands, heads=heads).removal_triggers.empty


def test_promoted_deputy_counts_only_the_years_as_head(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO)],
        reform_results=[(y, "U1", SCORE[TB], "") for y in (2018, 2019, 2020)],
        officials=[
            (2018, "H1", "Người Một", "U1", "head", HTT),
            (2018, "P1", "Người Hai", "U1", "deputy", HTT),
            (2019, "H1", "Người Một", "U1", "head", HTT),
            (2019, "P1", "Người Hai", "U1", "cấp phó", HTT),
            (2020, "P1", "Người Hai", "U1", "Người đứng đầu", HTT),
        ],
    )
    assert run(data, 2020).removal_triggers.empty


def test_head_years_given_in_vietnamese_role_forms_count(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO)],
        reform_results=[(y, "U1", SCORE[TB], "") for y in (2018, 2019, 2020)],
        officials=[
            (2018, "H1", "Người Một", "U1", "Thủ trưởng", HTT),
            (2019, "H1", "Người Một", "U1", "cấp trưởng", HTT),
            (2020, "H1", "Người Một", "U1", "head", HTT),
        ],
    )
    assert trigger(run(data, 2020)) == ("2018;2019;2020", f"{TB};{TB};{TB}")


def test_head_who_moved_from_another_unit_counts_only_the_years_heading_this_unit(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO), ("U2", "Sở Hai", SO)],
        reform_results=[(y, u, SCORE[TB], "") for y in (2018, 2019, 2020) for u in ("U1", "U2")],
        officials=[
            (2018, "H1", "Người Một", "U2", "head", HTT),
            (2019, "H1", "Người Một", "U2", "head", HTT),
            (2020, "H1", "Người Một", "U1", "head", HTT),
        ],
    )
    assert run(data, 2020).removal_triggers.empty


def test_run_not_ending_at_the_evaluated_year_does_not_trigger(tmp_path):
    assert history(tmp_path, {2017: TB, 2018: TB, 2019: TB, 2020: KHA}).removal_triggers.empty


def test_evaluating_an_earlier_year_ignores_later_results(tmp_path):
    ev = history(tmp_path, {2017: TB, 2018: TB, 2019: TB, 2020: KHA}, year=2019)
    assert trigger(ev) == ("2017;2018;2019", f"{TB};{TB};{TB}")
    assert set(ev.removal_triggers["year"]) == {2019}


def test_deputy_of_a_streak_unit_is_not_triggered(tmp_path):
    ev = history(tmp_path, {2018: TB, 2019: TB, 2020: TB})
    assert list(ev.removal_triggers["official_id"]) == ["H1"]
    assert rules_for(ev, "D1") == []


def test_every_official_of_the_year_appears_once_and_only_officials_of_the_year(tmp_path):
    heads = {2018: "H1", 2019: "H2", 2020: "H3"}
    ev = history(tmp_path, {2018: KHA, 2019: KHA, 2020: KHA}, heads=heads)
    assert sorted(ev.official_ratings["official_id"]) == ["D1", "H3"]
    assert set(ev.official_ratings["year"]) == {2020}


def test_streak_years_average_two_triggers_on_two_trung_binh_years(tmp_path):
    ev = history(tmp_path, {2018: KHA, 2019: TB, 2020: TB}, streak_years_average=2)
    assert trigger(ev)[0] == "2019;2020"


def test_streak_years_weak_three_spares_two_yeu_years(tmp_path):
    ev = history(tmp_path, {2018: KHA, 2019: YEU, 2020: YEU}, streak_years_weak=3)
    assert ev.removal_triggers.empty


def test_streak_years_weak_one_triggers_on_a_single_yeu_year(tmp_path):
    ev = history(tmp_path, {2019: KHA, 2020: YEU}, streak_years_weak=1)
    assert trigger(ev) == ("2020", YEU)


def test_two_yeu_years_after_trung_binh_years_list_the_whole_run(tmp_path):
    # only the two-Yếu condition holds (the 3-year condition is raised to 5), yet the
    # reported run is the whole consecutive run of Trung bình-or-worse years
    ev = history(tmp_path, {2016: KHA, 2017: TB, 2018: TB, 2019: YEU, 2020: YEU}, streak_years_average=5)
    assert trigger(ev) == ("2017;2018;2019;2020", f"{TB};{TB};{YEU};{YEU}")


def test_literal_reading_two_yeu_years_after_trung_binh_list_only_the_yeu_run(tmp_path):
    ev = history(
        tmp_path,
        {2016: KHA, 2017: TB, 2018: TB, 2019: YEU, 2020: YEU},
        weak_counts_toward_average_streak=False,
    )
    assert trigger(ev) == ("2019;2020", f"{YEU};{YEU}")


# -- which year's ranking: reform_result_lag_years ---------------------------------------------


def test_by_default_the_head_is_capped_on_the_same_years_band(tmp_path):
    ev = history(tmp_path, {2019: TB, 2020: KHA})
    assert outcome(ev, "H1") == (HTT, "")


def test_latest_published_band_caps_the_head_on_the_previous_years_band(tmp_path):
    ev = history(tmp_path, {2019: TB, 2020: KHA}, reform_result_lag_years=1)
    assert outcome(ev, "H1") == (HT_2020, "head_reform_band")
    d = only(ev.decisions, subject_id="H1", rule_id="head_reform_band")
    assert "Sở Một xếp loại «Trung bình» năm 2019 (kết quả đã công bố gần nhất)" in d["evidence"]


def test_latest_published_band_spares_a_head_whose_unit_was_kha_last_year(tmp_path):
    ev = history(tmp_path, {2019: KHA, 2020: TB}, reform_result_lag_years=1)
    assert outcome(ev, "H1") == (HTT, "")


def test_latest_published_band_triggers_on_a_run_ending_the_previous_year(tmp_path):
    bands = {2017: TB, 2018: TB, 2019: TB, 2020: KHA}
    assert history(tmp_path / "a", bands).removal_triggers.empty
    ev = history(tmp_path / "b", bands, reform_result_lag_years=1)
    assert trigger(ev) == ("2017;2018;2019", f"{TB};{TB};{TB}")
    assert set(ev.removal_triggers["year"]) == {2020}


def test_latest_published_band_of_a_year_before_the_programme_does_not_count(tmp_path):
    bands = {2016: TB, 2017: KHA}
    assert outcome(history(tmp_path / "a", bands, reform_result_lag_years=1), "H1") == (HTT, "")
    ev = history(tmp_path / "b", bands, reform_result_lag_years=1, streak_counts_years_before_force=True)
    assert outcome(ev, "H1") == (HT_2019, "head_reform_band")


# -- central agencies (Cơ quan ngành dọc): central_agency_consequences ---------------------------

NGANH_DOC = "Cơ quan ngành dọc"


@pytest.fixture(scope="module")
def central_data(tmp_path_factory):
    return make_dataset(
        tmp_path_factory.mktemp("central") / "data",
        units=[("KB", "Kho bạc Nhà nước tỉnh", NGANH_DOC), ("SO", "Sở Một", SO)],
        reform_results=[(y, u, SCORE[TB], "") for y in (2018, 2019, 2020) for u in ("KB", "SO")],
        officials=[
            (y, f"H_{u}", f"Người đứng đầu {u}", u, "head", HTT)
            for y in (2018, 2019, 2020)
            for u in ("KB", "SO")
        ]
        + [(2020, "S_KB", "Lê Văn Trễ", "KB", "staff", HTT)],
        official_dossiers=[(2020, "S_KB", 100, 20)],
    )


def test_central_agency_consequences_are_recommendations_by_default(central_data):
    ev = run(central_data, 2020)
    for oid in ("H_KB", "S_KB"):
        assert only(ev.official_ratings, official_id=oid)["final_rating"] == HT_2020
    d = ev.decisions[ev.decisions["subject_id"].isin(["H_KB", "S_KB"])]
    assert len(d) == 3  # the head's cap and trigger, the staff member's late dossiers
    assert (
        d["outcome"]
        .str.startswith("Kiến nghị cơ quan quản lý cấp trên của Kho bạc Nhà nước tỉnh xem xét: ")
        .all()
    )
    assert len(ev.removal_triggers) == 2
    province = ev.decisions[ev.decisions["subject_id"] == "H_SO"]
    assert not province["outcome"].str.startswith("Kiến nghị").any()


def test_central_agency_consequences_applied_as_for_the_province(central_data):
    ev = run(central_data, 2020, central_agency_consequences="apply")
    d = ev.decisions[ev.decisions["subject_id"].isin(["H_KB", "S_KB"])]
    assert len(d) == 3 and not d["outcome"].str.startswith("Kiến nghị").any()
    assert only(ev.official_ratings, official_id="S_KB")["final_rating"] == HT_2020


def test_central_agency_consequences_left_out(central_data):
    ev = run(central_data, 2020, central_agency_consequences="none")
    for oid in ("H_KB", "S_KB"):
        o = only(ev.official_ratings, official_id=oid)
        assert (o["final_rating"], o["capped_by"], o["discipline_review"]) == (HTT, "", False)
    assert rules_for(ev, "H_KB") == [] and rules_for(ev, "S_KB") == []
    assert list(ev.removal_triggers["official_id"]) == ["H_SO"]
    assert only(ev.official_ratings, official_id="H_SO")["capped_by"] == "head_reform_band"
