"""What-if scenarios (SPEC §1.2): other thresholds, other readings, a corrected score — and
exactly which decisions change, the biggest consequences first.

Cases use the embedded sample, whose README says where each rule fires, plus a few rows of
their own where an edge needs it.
"""

from __future__ import annotations

import json
from functools import cache

import openpyxl
import pandas as pd
import pytest
from conftest import HTT, SO, make_dataset

import scoring
from scoring.cli import main
from scoring.scenario import (
    CHANGE_COLUMNS,
    CHANGE_GONE,
    CHANGE_NEW,
    SEVERITY,
    Correction,
    Scenario,
    ScenarioError,
    apply,
    compare,
    run,
    score_cents,
    workbook_bytes,
    write_scenario,
)

CRIT = scoring.load_criteria()
RECS = scoring.load_records(None, CRIT)


@cache
def baseline(year: int) -> scoring.Evaluation:
    return scoring.evaluate(RECS, year, CRIT)


def changes(year: int, overrides=None, corrections=(), base=None) -> pd.DataFrame:
    """Changes of a scenario against the baseline (or against the readings `base`, when given)."""
    before = baseline(year) if not base else run(RECS, year, CRIT, Scenario("gốc", base))
    scenario = Scenario("thử", {**(base or {}), **(overrides or {})}, tuple(corrections))
    return compare(before, run(RECS, year, CRIT, scenario))


def rows(ch: pd.DataFrame, **where) -> pd.DataFrame:
    mask = pd.Series(True, index=ch.index)
    for col, value in where.items():
        mask &= ch[col] == value
    return ch[mask]


# -- the baseline is never touched ------------------------------------------------------


def test_a_scenario_leaves_records_criteria_and_baseline_as_they_were():
    before = {t: RECS.table(t).copy() for t in ("reform_results", "units", "officials")}
    params = dict(CRIT.params)
    base = scoring.evaluate(RECS, 2020, CRIT)
    base_tables = {n: df.copy() for n, df in base.tables().items()}
    sc = Scenario("thử", {"unit_late_threshold_percent": 12}, (Correction("DH_KHANHHOA", 2020, "72"),))
    alt = run(RECS, 2020, CRIT, sc)
    assert alt.unit_ranking.set_index("unit_id").loc["DH_KHANHHOA", "score"] == 72.0
    for t, df in before.items():
        pd.testing.assert_frame_equal(RECS.table(t), df)
    assert CRIT.params == params and CRIT.overrides == ()
    for n, df in base.tables().items():
        pd.testing.assert_frame_equal(df, base_tables[n])
    assert not hasattr(RECS, "corrections")
    assert not any("Kịch bản" in n for n in RECS.notes)


def test_overrides_only_reuse_the_loaded_records():
    recs, crit = apply(RECS, CRIT, Scenario("thử", {"band_min_tot": 90}))
    assert recs is RECS
    assert crit is not CRIT and crit["band_min_tot"] == 90 and CRIT["band_min_tot"] == 85


def test_a_correction_keeps_the_engine_keys_of_unchanged_rows():
    baseline(2020)  # the engine has cached its integer keys on the records
    recs, _ = apply(RECS, CRIT, Scenario("thử", corrections=(Correction("SO_TP", 2020, "80"),)))
    assert recs is not RECS
    assert recs.__dict__.get("_codes") is RECS.__dict__.get("_codes")
    assert recs.corrections == [{"unit_id": "SO_TP", "year": 2020, "score": "80.00"}]


def test_an_empty_scenario_changes_nothing():
    ch = changes(2020)
    assert list(ch.columns) == CHANGE_COLUMNS and ch.empty


# -- corrected scores: parsed like the input files --------------------------------------

SCORES = ["84.995", "84.994", "84,995", "72,5", "100", "0", "69.9950", "+85", "50.004"]


def test_corrected_scores_round_like_the_input_files(tmp_path):
    data = make_dataset(
        tmp_path / "d",
        units=[(f"U{i}", f"Sở {i}", SO) for i in range(len(SCORES))],
        reform_results=[(2020, f"U{i}", s, "") for i, s in enumerate(SCORES)],
        officials=[(2020, "H0", "Người Một", "U0", "head", HTT)],
    )
    loaded = scoring.load_records(data, CRIT).reform_results.sort_values("row")["score_cents"].tolist()
    assert [score_cents(s) for s in SCORES] == loaded
    assert score_cents("84.995") == 8500 and score_cents("84.994") == 8499
    assert Correction("U", 2020, 84.995).score_cents == 8500  # a float is read as its decimal text


@pytest.mark.parametrize("bad", ["100.01", "101", "-1", "abc", "", "1e-05"])
def test_a_score_outside_0_to_100_is_refused(bad):
    with pytest.raises(ScenarioError, match="từ 0 đến 100"):
        run(RECS, 2020, CRIT, Scenario("thử", corrections=(Correction("SO_TP", 2020, bad),)))


def test_a_correction_of_an_unknown_unit_is_refused():
    with pytest.raises(ScenarioError, match="NOPE"):
        apply(RECS, CRIT, Scenario("thử", corrections=(Correction("NOPE", 2020, "80"),)))


# -- corrected scores: everything is derived again --------------------------------------


def test_a_corrected_score_lifts_the_head_cap_the_removal_trigger_and_the_party_cap():
    # DH_KHANHHOA 2018 Trung bình, 2019 Yếu, 2020 Trung bình (62.15): at 72.00 it is Khá in 2020
    ch = changes(2020, corrections=[Correction("DH_KHANHHOA", 2020, "72")])
    first = ch.iloc[0]
    assert (first["rule_id"], first["subject_id"], first["change"]) == (
        "head_removal_streak",
        "CB00253",
        CHANGE_GONE,
    )
    assert first["unit_id"] == "DH_KHANHHOA" and first["clause"] == "II.4"
    assert len(rows(ch, subject_id="CB00253", rule_id="head_reform_band", field="decision")) == 1
    rating = rows(ch, subject_id="CB00253", field="final_rating").iloc[0]
    assert (rating["before"], rating["after"]) == ("Hoàn thành nhiệm vụ", HTT)
    party = rows(ch, subject_id="DB_DH_KHANHHOA", field="final_classification").iloc[0]
    assert party["after"] == "Hoàn thành xuất sắc nhiệm vụ" and party["unit_id"] == "DH_KHANHHOA"
    band = rows(ch, subject_id="DH_KHANHHOA", field="band").iloc[0]
    assert (band["before"], band["after"]) == ("Trung bình", "Khá")


def test_a_corrected_score_moves_the_rank_in_the_group():
    alt = run(RECS, 2020, CRIT, Scenario("thử", corrections=(Correction("DH_KHANHHOA", 2020, "99"),)))
    base = baseline(2020).unit_ranking.set_index("unit_id")
    new = alt.unit_ranking.set_index("unit_id")
    assert base.loc["DH_KHANHHOA", "rank_in_group"] > 1
    assert new.loc["DH_KHANHHOA", "rank_in_group"] == 1
    assert new.loc["DH_KHANHHOA", "band_by_score"] == "Tốt"


def test_a_corrected_past_score_breaks_the_streak():
    # 2019 was Yếu (47.80); corrected to 75 it is Khá, so 2020 ends no 3-year run
    ch = changes(2020, corrections=[Correction("DH_KHANHHOA", 2019, "75")])
    assert len(rows(ch, subject_id="CB00253", rule_id="head_removal_streak", change=CHANGE_GONE)) == 1
    assert len(rows(ch, subject_id="DB_DH_KHANHHOA", rule_id="party_org_streak", change=CHANGE_GONE)) == 1
    assert rows(ch, subject_id="CB00253", rule_id="head_reform_band").empty  # 2020 itself is still Trung bình


def test_a_corrected_score_does_not_reopen_a_recorded_past_band():
    # CD_YT: 2016 recorded TRUNG BÌNH, 2017 69.99, 2018 61.87: DB_CD_YT is capped in 2018 when
    # the years before the programme count toward a run (2016 is before 2017)
    before = {"streak_counts_years_before_force": True}
    fix = [Correction("CD_YT", 2016, "90")]
    assert changes(2018, corrections=fix, base=before).empty
    note = run(RECS, 2018, CRIT, Scenario("thử", corrections=tuple(fix))).notes
    assert any("xếp loại đã ghi nhận «Trung bình»" in n for n in note)
    reopened = changes(2018, {"past_bands_final": False}, fix, base=before)
    gone = rows(reopened, subject_id="DB_CD_YT", rule_id="party_org_streak", field="decision")
    assert gone["change"].tolist() == [CHANGE_GONE]


def test_a_score_for_a_year_without_a_result_fills_the_gap():
    # BQL_VINHNT: 2015 Yếu, no result in 2016, 2017 Yếu: the gap breaks the run; a Yếu 2016 closes
    # it when the years before the programme count (2016 is before 2017)
    before = {"streak_counts_years_before_force": True}
    ch = changes(2017, corrections=[Correction("BQL_VINHNT", 2016, "40")], base=before)
    trig = rows(ch, rule_id="head_removal_streak", subject_id="CB00293")
    assert trig["change"].tolist() == [CHANGE_NEW]
    assert "thay thế" in trig["after"].iloc[0]


# -- other thresholds and readings -------------------------------------------------------


def test_a_higher_unit_threshold_restores_eligibility_but_not_a_score_band():
    ch = changes(2020, {"unit_late_threshold_percent": 12})
    gone = rows(ch, rule_id="unit_late_dossiers", field="decision")
    assert set(gone["subject_id"]) == {"SO_XD", "UB_VANNINH", "DH_KHANHHOA"}  # 10.0%, 11.8%, 11.7%
    assert set(gone["change"]) == {CHANGE_GONE}
    eligible = rows(ch, field="emulation_eligible")
    assert set(eligible["after"]) == {"được xét thi đua, khen thưởng"}
    assert rows(ch, field="band").empty  # Khá by score, Trung bình by score: the cap did not bind


def test_a_lower_unit_threshold_takes_tot_from_a_unit_below_10_percent():
    ch = changes(2020, {"unit_late_threshold_percent": 9})
    assert rows(ch, subject_id="SO_TNMT", rule_id="unit_late_dossiers", field="decision")[
        "change"
    ].tolist() == [CHANGE_NEW]
    band = rows(ch, subject_id="SO_TNMT", field="band").iloc[0]
    assert (band["before"], band["after"], band["rule_id"]) == ("Tốt", "Khá", "unit_late_dossiers")


def test_unit_at_exactly_10_percent_keeps_eligibility_when_the_threshold_is_exclusive():
    ch = changes(2020, {"unit_late_inclusive": False})
    assert set(rows(ch, field="decision")["subject_id"]) == {"SO_XD"}  # 30 of 300


def test_rounding_the_rate_as_a_spreadsheet_does_catches_9_67_percent():
    ch = changes(2020, {"rate_rounding_decimals": 0})
    assert rows(ch, subject_id="SO_TNMT", rule_id="unit_late_dossiers", field="decision")[
        "change"
    ].tolist() == [CHANGE_NEW]


def test_an_official_cap_that_does_not_bind_changes_the_decision_only():
    # CB00323: 16.7% late, proposed Hoàn thành nhiệm vụ: the cap never lowered the rating
    ch = changes(2020, {"official_late_threshold_percent": 20})
    assert rows(ch, subject_id="CB00323", field="decision")["change"].tolist() == [CHANGE_GONE]
    assert rows(ch, subject_id="CB00323", field="final_rating").empty
    assert len(rows(ch, subject_id="CB00207", field="final_rating")) == 1  # proposed HTXSNV: it did bind


def test_literal_reading_of_the_average_streak_spares_the_head():
    ch = changes(2020, {"weak_counts_toward_average_streak": False})
    assert ch.iloc[0]["rule_id"] == "head_removal_streak" and ch.iloc[0]["change"] == CHANGE_GONE


def test_higher_band_bounds_show_bands_that_no_decision_mentions():
    ch = changes(2020, {"band_min_tot": 90})
    band = rows(ch, field="band")
    assert len(band) > 0 and set(band["after"]) == {"Khá"}
    assert set(band["rule_id"]) == {""} and set(band["clause"]) == {"II.4"}


def test_inconsistent_band_bounds_are_refused():
    with pytest.raises(scoring.CriteriaError, match="giảm dần"):
        run(RECS, 2020, CRIT, Scenario("thử", {"band_min_kha": 90}))


# -- ordering ----------------------------------------------------------------------------


def test_the_biggest_consequences_come_first():
    ch = changes(
        2020,
        {"unit_late_threshold_percent": 12, "official_late_threshold_percent": 12},
        [Correction("DH_KHANHHOA", 2020, "72")],
    )
    severity = [
        min(SEVERITY.get(r, 4) for r in (rid.split(";") if rid else ["unit_late_dossiers"]))
        for rid in ch["rule_id"]
    ]
    assert severity == sorted(severity)
    kinds = ch.drop_duplicates("rule_id")["rule_id"].tolist()
    assert kinds[0] == "head_removal_streak" and kinds[-1] in ("unit_late_dossiers", "")


def test_compare_needs_one_year():
    with pytest.raises(ValueError):
        compare(baseline(2019), baseline(2020))


# -- exports -----------------------------------------------------------------------------


def test_whatif_command_writes_the_scenario_changes_and_workbook(tmp_path, capsys):
    out = tmp_path / "out"
    args = [
        "whatif", str(scoring.sample.sample_path()), "--year", "2020", "--out", str(out),
        "--set", "unit_late_threshold_percent=12", "--correct", "DH_KHANHHOA=72", "--name", "ngưỡng 12%",
    ]  # fmt: skip
    assert main(args) == 0
    assert "Số thay đổi so với phương án gốc: 12" in capsys.readouterr().out
    names = {p.name for p in out.iterdir()}
    assert {
        "unit_ranking.csv",
        "decisions.csv",
        "changes.csv",
        "scenario_decisions.xlsx",
        "manifest.json",
    } <= names
    raw = (out / "changes.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    ch = pd.read_csv(out / "changes.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(ch.columns) == CHANGE_COLUMNS and ch.loc[0, "rule_id"] == "head_removal_streak"
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["scenario"] == "ngưỡng 12%" and m["overrides"] == {"unit_late_threshold_percent": 12}
    assert m["corrections"] == [{"unit_id": "DH_KHANHHOA", "year": 2020, "score": "72.00"}]
    assert "changes.csv" in m["files"] and m["changes"] == 12
    wb = openpyxl.load_workbook(out / "scenario_decisions.xlsx")
    assert wb.sheetnames[:3] == ["Kịch bản", "Thay đổi so với gốc", "Xếp hạng đơn vị"]
    assert len(wb.sheetnames) == 7
    headers = [c.value for c in wb["Thay đổi so với gốc"][1]]
    assert headers[:4] == ["Năm", "Loại đối tượng", "Mã đối tượng", "Tên đối tượng"]
    assert "Phương án gốc" in headers
    assert [c.value for c in wb["Xếp hạng đơn vị"][1]][4] == "Điểm (%)"
    again = tmp_path / "again"
    assert main([*args[:5], str(again), *args[6:]]) == 0
    for name in names:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--set", "unit_late_treshold=12"], "unit_late_threshold_percent"),
        (["--set", "band_min_kha=90"], "giảm dần"),
        (["--correct", "NOPE=72"], "NOPE"),
        (["--correct", "SO_TP=101"], "từ 0 đến 100"),
        (["--correct", "SO_TP"], "MÃ_ĐƠN_VỊ=ĐIỂM"),
    ],
)
def test_whatif_command_refuses_bad_scenarios_and_writes_nothing(tmp_path, capsys, extra, message):
    out = tmp_path / "out"
    code = main(["whatif", str(scoring.sample.sample_path()), "--year", "2020", "--out", str(out), *extra])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_write_scenario_into_an_existing_folder_replaces_the_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    sc = Scenario("thử", {"unit_late_inclusive": False})
    ev, ch, _ = write_scenario(RECS, 2020, CRIT, sc, out)
    assert (out / "keep.txt").exists() and (out / "changes.csv").exists()
    # no staging folder left behind; the writers' lock file stays (docs/exports.md)
    assert [p.name for p in tmp_path.iterdir() if p.suffix != ".lock"] == ["out"]


def test_workbook_cells_that_look_like_formulas_are_text(tmp_path):
    data = make_dataset(
        tmp_path / "d",
        units=[("U1", '=HYPERLINK("http://x")', SO)],
        reform_results=[(2020, "U1", "80", "")],
        officials=[(2020, "H1", "Người Một", "U1", "head", HTT)],
    )
    recs = scoring.load_records(data, CRIT)
    ev = scoring.evaluate(recs, 2020, CRIT)
    path = tmp_path / "w.xlsx"
    path.write_bytes(workbook_bytes(ev))
    ws = openpyxl.load_workbook(path)["Xếp hạng đơn vị"]
    cell = ws.cell(2, 3)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
