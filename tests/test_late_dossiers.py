"""Mục II.2 — late one-stop dossiers, for units ("từ 10% … trở lên") and officials ("trên 10%").

SPEC §2: rates compare exactly (`late * 10 >= handled` for units, `late * 10 > handled` for
officials), never as rounded floats; `handled = 0` means no rate and no cap. A unit that
fires is capped below Tốt (at most Khá) and is not eligible for emulation titles; an
official who fires is capped below Hoàn thành tốt nhiệm vụ (the third level) and flagged
for discipline review whether or not the cap changed the rating.
"""

import math

import numpy as np
import pytest
from conftest import HT_2020, HTT, HTXS, KHA, KHT, SO, TB, TOT, YEU, make_dataset, only, rules_for, run

import scoring
from scoring.rules import wording
from scoring.rules.late_dossiers import late_fires

Y = 2020

# unit id -> (score, handled, late); None counts: no unit_dossiers row
UNITS = {
    "AT_10": ("90", 300, 30),
    "BELOW_10": ("90", 300, 29),
    "ABOVE_10": ("90", 300, 33),
    "AT_12": ("90", 300, 36),
    "ALL_LATE": ("90", 300, 300),
    "NONE_HANDLED": ("90", 0, 0),
    "NO_ROW": ("90", None, None),
    "KHA_AT_10": ("75", 300, 30),
    "TB_AT_10": ("60", 300, 30),
    "YEU_AT_10": ("40", 300, 30),
    "R_9_96": ("90", 2500, 249),  # 9.96 %
    "R_9_94": ("90", 25000, 2485),  # 9.94 %
    "R_9_4": ("90", 2500, 235),  # 9.4 %
}


@pytest.fixture(scope="module")
def unit_data(tmp_path_factory):
    return make_dataset(
        tmp_path_factory.mktemp("units") / "data",
        units=[(uid, f"Đơn vị {uid}", SO) for uid in UNITS],
        reform_results=[(Y, uid, score, "") for uid, (score, _, _) in UNITS.items()],
        unit_dossiers=[(Y, uid, h, late) for uid, (_, h, late) in UNITS.items() if h is not None],
        officials=[(Y, "H1", "Người Một", "AT_10", "staff", HTT)],
    )


@pytest.fixture(scope="module")
def units(unit_data):
    return run(unit_data, Y)


def unit(ev, uid):
    return only(ev.unit_ranking, unit_id=uid)


def fired_units(ev):
    return set(ev.unit_ranking.loc[~ev.unit_ranking["emulation_eligible"], "unit_id"])


def test_unit_at_exactly_10_percent_late_loses_tot_and_emulation(units):
    u = unit(units, "AT_10")
    assert (u["band_by_score"], u["band"]) == (TOT, KHA)
    assert not u["emulation_eligible"]
    assert u["reasons"] == "unit_late_dossiers"
    assert u["late_rate"] == pytest.approx(0.1, abs=1e-12)


def test_unit_just_below_10_percent_keeps_tot(units):
    u = unit(units, "BELOW_10")
    assert (u["band"], bool(u["emulation_eligible"]), u["reasons"]) == (TOT, True, "")
    assert u["late_rate"] == pytest.approx(29 / 300)
    assert rules_for(units, "BELOW_10") == []


def test_unit_above_10_percent_loses_tot(units):
    u = unit(units, "ABOVE_10")
    assert (u["band"], bool(u["emulation_eligible"])) == (KHA, False)


def test_unit_all_late_is_capped_at_kha_not_lower(units):
    u = unit(units, "ALL_LATE")
    assert u["band"] == KHA
    assert u["late_rate"] == 1.0


def test_unit_with_nothing_handled_has_no_rate_and_no_cap(units):
    u = unit(units, "NONE_HANDLED")
    assert math.isnan(u["late_rate"])
    assert (u["band"], bool(u["emulation_eligible"]), u["reasons"]) == (TOT, True, "")
    assert rules_for(units, "NONE_HANDLED") == []


def test_unit_without_dossier_counts_has_no_rate_and_no_cap(units):
    u = unit(units, "NO_ROW")
    assert math.isnan(u["late_rate"])
    assert (u["band"], bool(u["emulation_eligible"])) == (TOT, True)


@pytest.mark.parametrize("uid, band", [("KHA_AT_10", KHA), ("TB_AT_10", TB), ("YEU_AT_10", YEU)])
def test_unit_below_tot_at_10_percent_keeps_its_band_but_loses_eligibility(units, uid, band):
    u = unit(units, uid)
    assert (u["band_by_score"], u["band"]) == (band, band)
    assert not u["emulation_eligible"]
    assert u["reasons"] == "unit_late_dossiers"
    assert rules_for(units, uid) == ["unit_late_dossiers"]


def test_without_a_unit_dossiers_table_no_unit_is_capped_and_the_run_says_so(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO)],
        reform_results=[(Y, "U1", "90", "")],
        officials=[(Y, "O1", "Người Một", "U1", "staff", HTT)],
        official_dossiers=[(Y, "O1", 100, 50)],
    )
    ev = run(data, Y)
    u = unit(ev, "U1")
    assert (u["band"], bool(u["emulation_eligible"])) == (TOT, True)
    assert math.isnan(u["late_rate"])
    assert any("unit_dossiers" in n for n in ev.notes)
    assert only(ev.official_ratings, official_id="O1")["capped_by"] == "official_late_dossiers"


def test_without_an_official_dossiers_table_no_official_is_capped_and_the_run_says_so(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO)],
        reform_results=[(Y, "U1", "90", "")],
        unit_dossiers=[(Y, "U1", 100, 50)],
        officials=[(Y, "O1", "Người Một", "U1", "staff", HTT)],
    )
    ev = run(data, Y)
    o = only(ev.official_ratings, official_id="O1")
    assert (o["final_rating"], o["capped_by"], bool(o["discipline_review"])) == (HTT, "", False)
    assert any("official_dossiers" in n for n in ev.notes)
    assert unit(ev, "U1")["band"] == KHA


def test_unit_decisions_one_per_unit_that_reaches_the_threshold_clause_ii_2(units):
    d = units.decisions[units.decisions["rule_id"] == "unit_late_dossiers"]
    expected = {"AT_10", "ABOVE_10", "AT_12", "ALL_LATE", "KHA_AT_10", "TB_AT_10", "YEU_AT_10"}
    assert sorted(d["subject_id"]) == sorted(expected)
    assert set(d["subject_type"]) == {"unit"}
    assert set(d["clause"]) == {"II.2"}
    assert fired_units(units) == expected
    at10 = only(d, subject_id="AT_10")
    assert "30" in at10["evidence"] and "300" in at10["evidence"]


def test_rate_is_not_rounded_by_default_9_96_percent_does_not_fire(units):
    assert {"R_9_96", "R_9_94", "R_9_4"}.isdisjoint(fired_units(units))


def test_rate_rounding_to_whole_percent_makes_9_96_percent_fire(unit_data):
    ev = run(unit_data, Y, rate_rounding_decimals=0)
    fired = fired_units(ev)
    assert {"R_9_96", "R_9_94"} <= fired
    assert "R_9_4" not in fired
    assert "BELOW_10" in fired  # 9.67 % rounds to 10 %
    assert unit(ev, "R_9_96")["band"] == KHA


def test_rate_rounding_to_one_decimal(unit_data):
    fired = fired_units(run(unit_data, Y, rate_rounding_decimals=1))
    assert "R_9_96" in fired  # 9.96 -> 10.0
    assert "R_9_94" not in fired  # 9.94 -> 9.9


def test_unit_threshold_raised_to_12_percent(unit_data):
    ev = run(unit_data, Y, unit_late_threshold_percent=12)
    fired = fired_units(ev)
    assert {"AT_12", "ALL_LATE"} <= fired
    assert {"AT_10", "ABOVE_10", "KHA_AT_10"}.isdisjoint(fired)
    assert unit(ev, "AT_10")["band"] == TOT


def test_unit_threshold_exclusive_reading_spares_exactly_10_percent(unit_data):
    ev = run(unit_data, Y, unit_late_inclusive=False)
    fired = fired_units(ev)
    assert "AT_10" not in fired and "ABOVE_10" in fired
    assert unit(ev, "AT_10")["band"] == TOT


# -- officials ------------------------------------------------------------------------------

# official id -> (role, proposed, handled, late); None counts: no official_dossiers row
OFFICIALS = {
    "AT_10": ("staff", HTT, 100, 10),
    "ABOVE_10": ("staff", HTT, 100, 11),
    "JUST_ABOVE": ("staff", HTXS, 1000, 101),
    "AT_13": ("staff", HTT, 100, 13),
    "THIRD": ("staff", HT_2020, 100, 11),
    "FOURTH": ("staff", KHT, 100, 20),
    "ALL_LATE": ("staff", HTXS, 100, 100),
    "NONE_HANDLED": ("staff", HTT, 0, 0),
    "NO_ROW": ("staff", HTT, None, None),
    "HEAD": ("head", HTXS, 100, 11),
    "DEPUTY": ("deputy", HTT, 100, 11),
    "HEAD_AT_10": ("head", HTXS, 100, 10),
}
# The unit is Tốt, so only the late-dossier rule can touch its head.
FIRING = {"ABOVE_10", "JUST_ABOVE", "AT_13", "THIRD", "FOURTH", "ALL_LATE", "HEAD", "DEPUTY"}


@pytest.fixture(scope="module")
def official_data(tmp_path_factory):
    ids = list(OFFICIALS)
    return make_dataset(
        tmp_path_factory.mktemp("officials") / "data",
        units=[("U1", "Sở Một", SO), ("U2", "Sở Hai", SO)],
        reform_results=[(Y, "U1", "90", ""), (Y, "U2", "92", "")],
        # two heads in one unit would be odd: the second head leads U2
        officials=[
            (Y, oid, f"Cán bộ {oid}", "U2" if oid == "HEAD_AT_10" else "U1", role, prop)
            for oid, (role, prop, _, _) in OFFICIALS.items()
        ],
        official_dossiers=[
            (Y, oid, OFFICIALS[oid][2], OFFICIALS[oid][3]) for oid in ids if OFFICIALS[oid][2] is not None
        ],
    )


@pytest.fixture(scope="module")
def officials(official_data):
    return run(official_data, Y)


def official(ev, oid):
    return only(ev.official_ratings, official_id=oid)


def outcome(ev, oid):
    o = official(ev, oid)
    return o["final_rating"], o["capped_by"], bool(o["discipline_review"])


def test_official_at_exactly_10_percent_keeps_httnv(officials):
    assert outcome(officials, "AT_10") == (HTT, "", False)
    assert official(officials, "AT_10")["late_rate"] == pytest.approx(0.1, abs=1e-12)
    assert rules_for(officials, "AT_10") == []


def test_official_just_above_10_percent_is_capped_and_flagged(officials):
    assert outcome(officials, "ABOVE_10") == (HT_2020, "official_late_dossiers", True)
    assert official(officials, "ABOVE_10")["late_rate"] == pytest.approx(0.11)


def test_official_at_10_1_percent_is_capped_from_the_top_level(officials):
    assert outcome(officials, "JUST_ABOVE") == (HT_2020, "official_late_dossiers", True)
    assert official(officials, "JUST_ABOVE")["proposed_rating"] == HTXS


def test_official_all_late_is_capped_at_the_third_level_not_lower(officials):
    assert outcome(officials, "ALL_LATE") == (HT_2020, "official_late_dossiers", True)


def test_official_proposed_third_level_keeps_it_but_is_still_flagged(officials):
    assert outcome(officials, "THIRD") == (HT_2020, "", True)
    assert rules_for(officials, "THIRD") == ["official_late_dossiers"]


def test_official_proposed_fourth_level_is_never_raised_by_a_cap(officials):
    assert outcome(officials, "FOURTH") == (KHT, "", True)


@pytest.mark.parametrize("oid", ["NONE_HANDLED", "NO_ROW"])
def test_official_without_dossiers_has_no_rate_and_no_cap(officials, oid):
    assert outcome(officials, oid) == (HTT, "", False)
    assert math.isnan(official(officials, oid)["late_rate"])


@pytest.mark.parametrize("oid, role", [("HEAD", "head"), ("DEPUTY", "deputy"), ("ABOVE_10", "staff")])
def test_heads_deputies_and_staff_alike_are_capped_above_10_percent(officials, oid, role):
    o = official(officials, oid)
    assert o["role"] == role
    assert (o["final_rating"], o["capped_by"], bool(o["discipline_review"])) == (
        HT_2020,
        "official_late_dossiers",
        True,
    )


def test_head_at_exactly_10_percent_of_a_tot_unit_keeps_the_top_level(officials):
    assert outcome(officials, "HEAD_AT_10") == (HTXS, "", False)


def test_official_decisions_one_per_official_above_the_threshold_clause_ii_2(officials):
    d = officials.decisions[officials.decisions["rule_id"] == "official_late_dossiers"]
    assert sorted(d["subject_id"]) == sorted(FIRING)
    assert set(d["subject_type"]) == {"official"}
    assert set(d["clause"]) == {"II.2"}
    assert (
        set(officials.official_ratings.loc[officials.official_ratings["discipline_review"], "official_id"])
        == FIRING
    )
    assert "11" in only(d, subject_id="ABOVE_10")["evidence"]


def test_discipline_flag_only_when_the_cap_changed_the_rating_if_switched(official_data):
    ev = run(official_data, Y, discipline_flag_when_unchanged=False)
    assert outcome(ev, "THIRD") == (HT_2020, "", False)
    assert outcome(ev, "FOURTH") == (KHT, "", False)
    assert outcome(ev, "ABOVE_10") == (HT_2020, "official_late_dossiers", True)


def test_official_inclusive_reading_caps_exactly_10_percent(official_data):
    ev = run(official_data, Y, official_late_inclusive=True)
    assert outcome(ev, "AT_10") == (HT_2020, "official_late_dossiers", True)
    assert outcome(ev, "HEAD_AT_10") == (HT_2020, "official_late_dossiers", True)


def test_official_threshold_raised_to_12_percent(official_data):
    ev = run(official_data, Y, official_late_threshold_percent=12)
    assert outcome(ev, "ABOVE_10") == (HTT, "", False)
    assert outcome(ev, "AT_13") == (HT_2020, "official_late_dossiers", True)


def test_unit_threshold_does_not_move_the_official_threshold(official_data):
    ev = run(official_data, Y, unit_late_threshold_percent=50, unit_late_inclusive=False)
    assert outcome(ev, "ABOVE_10") == (HT_2020, "official_late_dossiers", True)
    assert outcome(ev, "AT_10") == (HTT, "", False)


# -- the evidence in words, and exact arithmetic for any count up to 10^12 ---------------------


def test_unit_evidence_gives_the_counts_the_share_and_the_threshold_in_words(units):
    d = units.decisions.set_index("subject_id")
    assert d.loc["AT_10", "evidence"] == "30/300 hồ sơ trễ hạn (10,00%), ngưỡng từ 10% trở lên"
    assert d.loc["AT_10", "outcome"] == (
        "Không được xếp hạng «Tốt» về kết quả cải cách hành chính: xếp loại «Tốt» hạ xuống «Khá»; "
        "không được công nhận danh hiệu thi đua, khen thưởng"
    )
    assert d.loc["TB_AT_10", "outcome"].startswith(
        "Không được xếp hạng «Tốt» về kết quả cải cách hành chính: xếp loại «Trung bình» giữ nguyên"
    )


def test_official_evidence_gives_the_counts_the_share_and_the_threshold_in_words(officials):
    d = only(officials.decisions, subject_id="ABOVE_10")
    assert d["evidence"] == "11/100 hồ sơ trễ hạn (11,00%), ngưỡng trên 10%"
    assert d["outcome"].startswith("Không được xếp loại từ «Hoàn thành tốt nhiệm vụ» trở lên: đề xuất «")
    assert d["outcome"].endswith("; xem xét kỷ luật nếu có vi phạm")


def test_rounded_share_is_shown_beside_the_exact_one(unit_data):
    ev = run(unit_data, Y, rate_rounding_decimals=0)
    d = only(ev.decisions, subject_id="R_9_96")
    assert d["evidence"] == (
        "249/2.500 hồ sơ trễ hạn (9,96%, làm tròn 10%), ngưỡng từ 10% trở lên "
        "(tỷ lệ làm tròn đến 0 chữ số thập phân)"
    )


BOUND = 10**12  # the largest count the loader accepts


@pytest.mark.parametrize(
    "late, handled, fires",
    [
        (BOUND // 10, BOUND, True),  # exactly 10%
        (BOUND // 10 - 1, BOUND, False),  # one dossier under
        (BOUND, BOUND, True),
        (0, BOUND, False),
    ],
)
def test_unit_threshold_is_exact_at_the_count_bound(late, handled, fires):
    crit = scoring.load_criteria()
    assert late_fires(np.array([late]), np.array([handled]), "unit", crit).tolist() == [fires]


@pytest.mark.parametrize("decimals", [None, 0, 2, 6])
def test_a_threshold_with_many_decimals_is_exact_at_the_count_bound(decimals):
    # 10.000001% of 10^12 is 100,000,010,000 dossiers: late × 100 × 10^6 passes int64. Rounded to
    # 6 decimals one dossier under reads 10.000001% too; to 0 or 2 decimals both read 10%.
    crit = scoring.load_criteria().with_overrides(
        {"unit_late_threshold_percent": "10.000001", "rate_rounding_decimals": decimals}
    )
    late = np.array([100_000_010_000, 100_000_009_999])
    got = late_fires(late, np.array([BOUND, BOUND]), "unit", crit).tolist()
    assert got == {None: [True, False], 0: [False, False], 2: [False, False], 6: [True, True]}[decimals]


def test_evidence_at_the_count_bound(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("BIG", "Sở Lớn", SO)],
        reform_results=[(Y, "BIG", "90", "")],
        unit_dossiers=[(Y, "BIG", BOUND, BOUND // 10)],
        officials=[(Y, "S1", "Người Một", "BIG", "staff", HTT)],
        official_dossiers=[(Y, "S1", BOUND, BOUND // 10 + 1)],
    )
    d = run(data, Y).decisions.set_index("subject_id")
    assert (
        d.loc["BIG", "evidence"]
        == "100.000.000.000/1.000.000.000.000 hồ sơ trễ hạn (10,00%), ngưỡng từ 10% trở lên"
    )
    # one dossier over 10% of 10^12 is over the threshold, though its share prints as 10,00%
    assert (
        d.loc["S1", "evidence"] == "100.000.000.001/1.000.000.000.000 hồ sơ trễ hạn (10,00%), ngưỡng trên 10%"
    )
    ev = run(data, Y, rate_rounding_decimals=6)
    d = ev.decisions.set_index("subject_id")
    assert d.loc["BIG", "evidence"] == (
        "100.000.000.000/1.000.000.000.000 hồ sơ trễ hạn (10,00%, làm tròn 10,000000%), ngưỡng từ 10% "
        "trở lên (tỷ lệ làm tròn đến 6 chữ số thập phân)"
    )
    assert "S1" not in d.index  # rounded to 6 decimals its share is exactly 10%
    assert unit(ev, "BIG")["late_rate"] == pytest.approx(0.1)


@pytest.mark.parametrize("rounding", [None, 0, 1, 6])
def test_many_rows_are_worded_like_a_few(rounding):
    # above SMALL rows the evidence is built in Arrow: the same text as the Python path
    rng = np.random.default_rng(7)
    handled = np.concatenate([rng.integers(1, 10**6, 3000), [1, 999, 1000, 1001, BOUND, BOUND]])
    late = (handled * rng.random(len(handled))).astype(np.int64)
    late[-6:] = [1, 100, 100, 1000, BOUND // 10, BOUND]
    words = "từ 10% trở lên"
    arrow = wording.late_evidence_arrow(late, handled, words, rounding)
    python = [
        wording.late_evidence(late[i : i + 1], handled[i : i + 1], words, rounding)[0]
        for i in range(len(late))
    ]
    assert list(arrow) == python
    assert python[-3].startswith("1.000/1.001 hồ sơ trễ hạn (99,90%")
