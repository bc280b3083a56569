"""The programme in force: from 2017, never retroactive; dated scales with ends (SPEC §2).

The programme was issued in 2017 (received by Sở Nội vụ on 05/4/2017) for the period
2016–2020. For an evaluated year before it the ranking and bands are computed and no
consequence fires, and the run says why. By default a year before 2017 never counts toward a
run of weak years (`streak_counts_years_before_force`): the first possible 3-year trigger is
2019, the first 2-year Yếu trigger 2018. The end of the programme's period is a parameter
(none by default). The scales of ratings and classifications are dated with a start and an
end; a year outside every span is refused, never carried on silently.
"""

import pytest
from conftest import HT_2019, HT_2020, HTT, HTXS, KHA, SO, TB, TOT, TSVM, YEU, make_dataset, only, run

import scoring
from scoring.criteria import DEFAULT_CRITERIA, CriteriaError

SCORE = {TOT: "90", KHA: "75", TB: "60", YEU: "40"}


def one_year(tmp_path, year, **overrides):
    """A unit at 90 with 12% late dossiers (a capped Tốt), a head of a Trung bình unit, a staff
    member over the official threshold, a party organisation of a unit with no run."""
    data = make_dataset(
        tmp_path / "data",
        units=[("LATE", "Sở Trễ", SO, "P1"), ("WEAK", "Sở Yếu", SO)],
        reform_results=[(year, "LATE", "90", ""), (year, "WEAK", "60", "")],
        unit_dossiers=[(year, "LATE", 100, 12)],
        officials=[
            (year, "HEAD", "Trần Văn Đầu", "WEAK", "head", HTT),
            (year, "STAFF", "Lê Thị Trễ", "LATE", "staff", HTT),
        ],
        official_dossiers=[(year, "STAFF", 100, 11)],
        party_orgs=[(year, "P1", "LATE", HTXS if year >= 2018 else TSVM)],
    )
    return run(data, year, **overrides)


def test_2016_ranks_and_bands_but_no_consequence_fires(tmp_path):
    ev = one_year(tmp_path, 2016)
    late = only(ev.unit_ranking, unit_id="LATE")
    assert (late["score"], late["rank_in_group"], late["band"]) == (90.0, 1, TOT)
    assert late["emulation_eligible"] and late["reasons"] == ""
    assert late["late_rate"] == pytest.approx(0.12)
    assert only(ev.unit_ranking, unit_id="WEAK")["band"] == TB
    for oid in ("HEAD", "STAFF"):
        o = only(ev.official_ratings, official_id=oid)
        assert (o["final_rating"], o["capped_by"], o["discipline_review"]) == (HTT, "", False)
    assert ev.decisions.empty and ev.removal_triggers.empty
    assert any("trước năm 2017" in n and "không áp dụng hệ quả" in n for n in ev.notes)


def test_2017_the_same_situation_fires_every_consequence(tmp_path):
    ev = one_year(tmp_path, 2017)
    late = only(ev.unit_ranking, unit_id="LATE")
    assert (late["band"], late["emulation_eligible"]) == (KHA, False)
    assert only(ev.official_ratings, official_id="HEAD")["capped_by"] == "head_reform_band"
    staff = only(ev.official_ratings, official_id="STAFF")
    assert (staff["capped_by"], staff["discipline_review"]) == ("official_late_dossiers", True)
    assert not any("không áp dụng hệ quả" in n for n in ev.notes)


def test_in_force_from_2016_makes_2016_fire(tmp_path):
    ev = one_year(tmp_path, 2016, in_force_from_year=2016)
    assert only(ev.unit_ranking, unit_id="LATE")["band"] == KHA
    assert set(ev.decisions["rule_id"]) == {
        "unit_late_dossiers",
        "official_late_dossiers",
        "head_reform_band",
    }


def test_after_the_end_of_the_programme_no_consequence_fires(tmp_path):
    assert len(one_year(tmp_path / "a", 2020, in_force_until_year=2020).decisions) == 3
    ev = one_year(tmp_path / "b", 2021, in_force_until_year=2020)
    assert ev.decisions.empty
    assert only(ev.unit_ranking, unit_id="LATE")["band"] == TOT
    assert any("sau năm 2020" in n for n in ev.notes)


def test_by_default_the_programme_has_no_end(tmp_path):
    assert len(one_year(tmp_path, 2021).decisions) == 3


def test_an_end_before_the_start_is_refused():
    with pytest.raises(CriteriaError, match="in_force_until_year"):
        scoring.load_criteria().with_overrides({"in_force_until_year": 2015})


# -- runs of weak years and the years before the programme ------------------------------------


def history(tmp_path, bands, **overrides):
    """One unit with one head every year and a party organisation; evaluated at the last year."""
    years = sorted(bands)
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO, "P1")],
        reform_results=[(y, "U1", SCORE[b], "") for y, b in bands.items()],
        officials=[(y, "H1", "Người Một", "U1", "head", HTT) for y in years],
        party_orgs=[(y, "P1", "U1", HTXS if y >= 2018 else TSVM) for y in years],
    )
    return run(data, years[-1], **overrides)


def fired(ev):
    return sorted(set(ev.decisions["rule_id"]) - {"head_reform_band"})


def test_three_trung_binh_years_2015_to_2017_do_not_trigger_in_2017(tmp_path):
    assert fired(history(tmp_path, {2015: TB, 2016: TB, 2017: TB})) == []


def test_counting_the_years_before_the_programme_triggers_in_2017(tmp_path):
    ev = history(tmp_path, {2015: TB, 2016: TB, 2017: TB}, streak_counts_years_before_force=True)
    assert fired(ev) == ["head_removal_streak", "party_org_streak"]
    assert only(ev.removal_triggers, official_id="H1")["streak_years"] == "2015;2016;2017"


def test_two_yeu_years_2016_and_2017_do_not_trigger_in_2017(tmp_path):
    assert fired(history(tmp_path, {2016: YEU, 2017: YEU})) == []


def test_the_first_possible_two_year_yeu_trigger_is_2018(tmp_path):
    ev = history(tmp_path, {2016: YEU, 2017: YEU, 2018: YEU})
    assert fired(ev) == ["head_removal_streak", "party_org_streak"]
    assert only(ev.removal_triggers, official_id="H1")["streak_years"] == "2017;2018"


def test_three_trung_binh_years_2016_to_2018_do_not_trigger_in_2018(tmp_path):
    assert fired(history(tmp_path, {2016: TB, 2017: TB, 2018: TB})) == []


def test_the_first_possible_three_year_trigger_is_2019(tmp_path):
    ev = history(tmp_path, {2016: TB, 2017: TB, 2018: TB, 2019: TB})
    assert fired(ev) == ["head_removal_streak", "party_org_streak"]
    t = only(ev.removal_triggers, official_id="H1")
    assert (t["streak_years"], t["streak_bands"]) == ("2017;2018;2019", f"{TB};{TB};{TB}")


# -- dated scales with ends -------------------------------------------------------------------


def staff_rated(tmp_path, year, rating, past=None):
    rows = [(year, "S1", "Người Một", "U1", "staff", rating)]
    if past:
        rows.append((past[0], "S1", "Người Một", "U1", "staff", past[1]))
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO, "P1")],
        reform_results=[(year, "U1", "90", "")],
        officials=rows,
        party_orgs=[(year, "P1", "U1", "HTXSNV")],
    )
    return data


@pytest.mark.parametrize(
    "year, third_level, party_source",
    [
        (2019, HT_2019, "Quy định 132-QĐ/TW"),
        (2020, HT_2020, "Quy định 132-QĐ/TW"),
        (2023, HT_2020, "Quy định 124-QĐ/TW"),
    ],
)
def test_each_year_has_the_scales_in_force(tmp_path, year, third_level, party_source):
    ev = run(staff_rated(tmp_path, year, "HTNV"), year)
    assert only(ev.official_ratings, official_id="S1")["final_rating"] == third_level
    assert scoring.load_criteria().scales("party_org").for_year(year).source == party_source


def test_quy_dinh_124_replaces_132_from_2023():
    party = scoring.load_criteria().scales("party_org")
    assert (party.for_year(2022).id, party.for_year(2023).id) == ("qd132_tw", "qd124_tw")
    cadre = scoring.load_criteria().scales("cadre")
    assert "Nghị định 48/2023" in cadre.for_year(2023).source
    assert "48/2023" not in cadre.for_year(2022).source


def test_a_year_after_the_last_check_of_the_texts_is_evaluated_with_a_notice(tmp_path):
    assert not any("cần kiểm tra lại" in n for n in run(staff_rated(tmp_path / "a", 2025, HTT), 2025).notes)
    ev = run(staff_rated(tmp_path / "b", 2026, HTT), 2026)
    notes = [n for n in ev.notes if "cần kiểm tra lại" in n]
    assert len(notes) == 2 and "đến năm 2025" in notes[0]


def test_an_evaluated_year_before_every_scale_is_refused_naming_the_spans(tmp_path):
    data = staff_rated(tmp_path, 2014, HTT)
    with pytest.raises(scoring.ValidationError) as err:
        run(data, 2014)
    msg = str(err.value)
    assert "năm 2014 nằm ngoài các thang xếp loại cán bộ, công chức, viên chức" in msg
    assert "Nghị định 56/2015/NĐ-CP (2015–2019)" in msg


def test_a_past_label_of_a_year_outside_every_scale_is_still_read(tmp_path):
    ev = run(staff_rated(tmp_path, 2017, HTT, past=(2012, HTXS)), 2017)
    assert only(ev.official_ratings, official_id="S1")["final_rating"] == HTT


def test_two_scales_covering_one_year_are_refused(tmp_path):
    text = DEFAULT_CRITERIA.read_text(encoding="utf-8").replace(
        "valid_from: 2020        # ngày 13/8/2020", "valid_from: 2019        # ngày 13/8/2020"
    )
    with pytest.raises(CriteriaError, match="nd56_2015 và nd90_2020 cùng áp dụng"):
        scoring.criteria.Criteria.from_text(text)


def test_the_command_line_switches_the_start_and_the_readings(tmp_path):
    from scoring.cli import main
    from scoring.sample import sample_path

    def decisions(*sets):
        out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
        args = ["evaluate", str(sample_path()), "--year", "2016", "--out", str(out), "--quiet"]
        assert main(args + [a for s in sets for a in ("--set", s)]) == 0
        return (out / "decisions.csv").read_text(encoding="utf-8-sig").splitlines()[1:]

    assert decisions() == []
    moved = decisions("in_force_from_year=2016")
    assert moved and all(line.startswith("2016,") for line in moved)
    assert len(decisions("in_force_from_year=2016", "head_band_trigger=yeu")) < len(moved)
    assert main(["evaluate", str(sample_path()), "--year", "2016", "--out", str(tmp_path / "x"),
                 "--set", "tsvm_levels=all"]) == 2  # fmt: skip
