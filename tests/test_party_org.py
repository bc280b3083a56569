"""Mục II.4 — the unit's party base organisation (tổ chức cơ sở đảng).

SPEC §2: the same streak condition on the unit (Trung bình or lower 3 consecutive years, or
Yếu 2), whoever was head, means the unit's party organisation cannot get the top
classification: "Trong sạch, vững mạnh" under Hướng dẫn 27 (up to 2017), "Hoàn thành xuất
sắc nhiệm vụ" under Quy định 132 (from 2018). A cap never raises a classification.
"""

import pytest
from conftest import HT_2020, HTT, HTXS, KHA, KHT, SO, TB, TOT, TSVM, YEU, make_dataset, only, rules_for, run

SCORE = {TOT: "90", KHA: "75", TB: "60", YEU: "40"}


def party_history(tmp_path, bands, proposed, heads="H1", party_orgs=True, **overrides):
    """One unit U1 with party organisation P1: `bands` maps a year to a band (None: no
    result); `heads` a year to its head (None: no head listed, only a staff member)."""
    years = sorted(bands)
    if heads is None or isinstance(heads, str):
        heads = {y: heads for y in years}
    officials = [(y, h or "S1", "Người", "U1", "head" if h else "staff", HTT) for y, h in heads.items()]
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO, "P1")],
        reform_results=[(y, "U1", SCORE[b], "") for y, b in bands.items() if b is not None],
        officials=officials,
        party_orgs=[(y, "P1", "U1", proposed) for y in years] if party_orgs else None,
    )
    return run(data, years[-1], **overrides)


def party(ev):
    p = only(ev.party_org_classifications, party_org_id="P1")
    return p["final_classification"], p["capped_by"]


THREE_TB = {2018: TB, 2019: TB, 2020: TB}


def test_unit_run_caps_the_top_classification_whoever_was_head(tmp_path):
    ev = party_history(tmp_path, THREE_TB, HTXS, heads={2018: "H1", 2019: "H2", 2020: "H2"})
    assert ev.removal_triggers.empty  # the new head has only two years
    p = only(ev.party_org_classifications, party_org_id="P1")
    assert (p["year"], p["unit_id"], p["proposed_classification"]) == (2020, "U1", HTXS)
    assert (p["final_classification"], p["capped_by"]) == (HTT, "party_org_streak")
    d = only(ev.decisions, subject_id="P1")
    assert (d["rule_id"], d["clause"], d["subject_type"]) == ("party_org_streak", "II.4", "party_org")
    assert "2018" in d["evidence"] and "2020" in d["evidence"]


def test_unit_run_caps_the_party_org_even_with_no_head_listed(tmp_path):
    assert party(party_history(tmp_path, THREE_TB, HTXS, heads=None)) == (HTT, "party_org_streak")


def test_two_yeu_years_cap_the_party_org(tmp_path):
    assert party(party_history(tmp_path, {2018: KHA, 2019: YEU, 2020: YEU}, HTXS)) == (
        HTT,
        "party_org_streak",
    )


@pytest.mark.parametrize("proposed", [HTT, HT_2020, KHT])
def test_proposed_already_below_the_top_is_kept_and_the_decision_recorded(tmp_path, proposed):
    ev = party_history(tmp_path, THREE_TB, proposed)
    assert party(ev) == (proposed, "")
    assert rules_for(ev, "P1") == ["party_org_streak"]


def test_two_trung_binh_years_leave_the_top_classification(tmp_path):
    ev = party_history(tmp_path, {2018: KHA, 2019: TB, 2020: TB}, HTXS)
    assert party(ev) == (HTXS, "")
    assert rules_for(ev, "P1") == []


def test_yeu_year_inside_the_run_counts_unless_read_literally(tmp_path):
    bands = {2018: TB, 2019: YEU, 2020: TB}
    assert party(party_history(tmp_path / "a", bands, HTXS)) == (HTT, "party_org_streak")
    ev = party_history(tmp_path / "b", bands, HTXS, weak_counts_toward_average_streak=False)
    assert party(ev) == (HTXS, "")


def test_year_without_result_breaks_the_unit_run_unless_switched(tmp_path):
    bands = {2017: TB, 2018: TB, 2019: None, 2020: TB}
    assert party(party_history(tmp_path / "a", bands, HTXS)) == (HTXS, "")
    ev = party_history(tmp_path / "b", bands, HTXS, missing_year_breaks_streak=False)
    assert party(ev) == (HTT, "party_org_streak")


def test_up_to_2017_the_top_level_is_trong_sach_vung_manh(tmp_path):
    # counting the years before the programme (2015, 2016) makes a run in 2017
    ev = party_history(tmp_path, {2015: TB, 2016: TB, 2017: TB}, TSVM, streak_counts_years_before_force=True)
    p = only(ev.party_org_classifications, party_org_id="P1")
    assert p["proposed_classification"] == TSVM
    assert (p["final_classification"], p["capped_by"]) == (HTT, "party_org_streak")


def test_up_to_2017_trong_sach_vung_manh_kept_without_a_run(tmp_path):
    assert party(party_history(tmp_path, {2015: TB, 2016: KHA, 2017: TB}, TSVM)) == (TSVM, "")


def test_without_a_party_orgs_table_there_are_no_rows_and_the_run_says_so(tmp_path):
    ev = party_history(tmp_path, THREE_TB, HTXS, party_orgs=False)
    assert ev.party_org_classifications.empty
    assert "party_org_streak" not in set(ev.decisions["rule_id"])
    assert any("party_orgs" in note for note in ev.notes)
    assert len(ev.removal_triggers) == 1  # the other rules still run


def test_every_party_org_of_the_year_appears_once(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO), ("U2", "Sở Hai", SO), ("U3", "Sở Ba", SO)],
        reform_results=[(2019, u, "80", "") for u in ("U1", "U2", "U3")] + [(2020, "U1", "80", "")],
        officials=[(2020, "H1", "Người Một", "U1", "head", HTT)],
        party_orgs=[
            (2019, "P1", "U1", HTXS),
            (2019, "P3", "U3", HTXS),
            (2020, "P1", "U1", HTXS),
            (2020, "P2", "U2", HTT),
        ],
    )
    classes = run(data, 2020).party_org_classifications
    assert sorted(classes["party_org_id"]) == ["P1", "P2"]
    assert list(classes.columns) == [
        "year",
        "party_org_id",
        "unit_id",
        "proposed_classification",
        "final_classification",
        "capped_by",
    ]


# -- the readings of "tổ chức cơ sở đảng đơn vị đó không được xếp loại trong sạch, vững mạnh" --


def test_one_trung_binh_year_leaves_the_party_org_by_default(tmp_path):
    ev = party_history(tmp_path, {2019: KHA, 2020: TB}, HTXS)
    assert party(ev) == (HTXS, "")
    assert ev.party_org_runs.empty


def test_year_band_reading_caps_the_party_org_of_a_trung_binh_year(tmp_path):
    ev = party_history(tmp_path, {2019: KHA, 2020: TB}, HTXS, party_org_condition="year_band")
    assert party(ev) == (HTT, "party_org_streak")
    run = only(ev.party_org_runs, party_org_id="P1")
    assert (run["unit_id"], run["streak_years"], run["streak_bands"]) == ("U1", "2020", TB)
    d = only(ev.decisions, subject_id="P1")
    assert "Sở Một: năm 2020 «Trung bình»" in d["evidence"]


def test_year_band_reading_leaves_a_kha_year(tmp_path):
    ev = party_history(tmp_path, {2019: TB, 2020: KHA}, HTXS, party_org_condition="year_band")
    assert party(ev) == (HTXS, "")


def test_party_org_runs_give_the_years_and_bands_of_the_unit_run(tmp_path):
    ev = party_history(tmp_path, {2018: TB, 2019: YEU, 2020: TB}, HTXS)
    run = only(ev.party_org_runs, party_org_id="P1")
    assert (run["streak_years"], run["streak_bands"]) == ("2018;2019;2020", f"{TB};{YEU};{TB}")


def test_tsvm_top_only_keeps_hoan_thanh_tot_nhiem_vu(tmp_path):
    assert party(party_history(tmp_path, THREE_TB, HTT)) == (HTT, "")


def test_tsvm_good_and_above_caps_hoan_thanh_tot_nhiem_vu(tmp_path):
    ev = party_history(tmp_path, THREE_TB, HTT, tsvm_levels="good_and_above")
    assert party(ev) == (HT_2020, "party_org_streak")
    d = only(ev.decisions, subject_id="P1")
    assert "không được xếp loại từ «Hoàn thành tốt nhiệm vụ» trở lên" in d["outcome"]
    assert "theo Quy định 132-QĐ/TW" in d["outcome"]


@pytest.mark.parametrize("reading", ["top_only", "good_and_above"])
def test_under_huong_dan_27_only_trong_sach_vung_manh_is_barred(tmp_path, reading):
    bands = {2015: TB, 2016: TB, 2017: TB}
    ev = party_history(tmp_path, bands, HTT, streak_counts_years_before_force=True, tsvm_levels=reading)
    assert party(ev) == (HTT, "")
    assert (
        "không được xếp loại «Trong sạch, vững mạnh»: đề xuất"
        in only(ev.decisions, subject_id="P1")["outcome"]
    )
