"""The margin of every consequence (mục II.4), exact, on both sides of every band bound; what
flips for people; the late-dossier cap (mục II.2) that no score moves; "Cận ngưỡng"."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import HT_2019, HTT, HTXS, HUYEN, KHA, SO, TB, TOT, YEU, make_dataset, only

import scoring
from scoring.index import load_settings
from scoring.index.margins import NEAR_COLUMNS, consequences, margins, near_threshold, near_threshold_section

UNITS = [
    ("S85", "Sở Tám Lăm", SO, "P85"),
    ("S8499", "Sở Tám Bốn", SO, "P8499"),
    ("S70", "Sở Bảy Mươi", SO, "P70"),
    ("S6999", "Sở Sáu Chín", SO, "P6999"),
    ("H50", "Huyện Năm Mươi", HUYEN, "P50"),
    ("H4999", "Huyện Bốn Chín", HUYEN, "P4999"),
    ("H_STREAK", "Huyện Ba Năm", HUYEN, "PST"),
    ("H_WEAK", "Huyện Yếu", HUYEN, "PWK"),
    ("S_LATE", "Sở Trễ Hạn", SO, "PLT"),
    ("S_FAR", "Sở Xa Ngưỡng", SO, "PFAR"),
]
SCORES_2020 = {
    "S85": "85.00",
    "S8499": "84.99",
    "S70": "70.00",
    "S6999": "69.99",
    "H50": "50.00",
    "H4999": "49.99",
    "H_STREAK": "70.00",  # Trung bình in 2018 and 2019: one hundredth from a 3-year run
    "H_WEAK": "50.00",  # Yếu in 2019: one hundredth from 2 Yếu years
    "S_LATE": "84.50",  # 10% late: capped at Khá whatever its score
    "S_FAR": "77.50",
}


def _data(tmp_path):
    results = [(2020, u, s, "") for u, s in SCORES_2020.items()]
    results += [(2018, "H_STREAK", "", TB), (2019, "H_STREAK", "", TB), (2018, "H_WEAK", "", KHA)]
    results += [(2019, "H_WEAK", "", YEU)]
    officials = [(2020, f"CB_{u}", f"Thủ trưởng {u}", u, "head", HTT) for u, *_ in UNITS]
    officials += [(y, "CB_H_STREAK", "Thủ trưởng H_STREAK", "H_STREAK", "head", HTT) for y in (2018, 2019)]
    officials += [(y, "CB_H_WEAK", "Thủ trưởng H_WEAK", "H_WEAK", "head", HT_2019) for y in (2018, 2019)]
    party = [(2020, p, u, HTXS) for u, _, _, p in UNITS]
    dossiers = [(2020, "S_LATE", 100, 10)]
    return make_dataset(
        tmp_path,
        units=UNITS,
        reform_results=results,
        officials=officials,
        party_orgs=party,
        unit_dossiers=dossiers,
    )


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    crit = scoring.load_criteria()
    recs = scoring.load_records(_data(tmp_path_factory.mktemp("margins")), crit)
    c = consequences(recs, 2020, crit)
    return recs, crit, c, margins(c, crit)


@pytest.mark.parametrize(
    ("unit", "gain", "band_up", "loss", "band_down"),
    [
        ("S85", None, None, 0.01, KHA),  # exactly on Tốt's bound: one hundredth less is Khá
        ("S8499", 0.01, TOT, 14.99 + 0.01, TB),  # one hundredth under it
        ("S70", 15.00, TOT, 0.01, TB),
        ("S6999", 0.01, KHA, 20.00, YEU),
        ("H50", 20.00, KHA, 0.01, YEU),
        ("H4999", 0.01, TB, None, None),  # the lowest band: nothing below
    ],
)
def test_the_gain_or_loss_that_changes_the_band_is_exact_on_both_sides_of_each_bound(
    sample, unit, gain, band_up, loss, band_down
):
    r = only(sample[3], unit_id=unit)
    assert (None if r["gain_to_band_up"] != r["gain_to_band_up"] else r["gain_to_band_up"]) == (
        None if gain is None else pytest.approx(gain)
    )
    assert (r["band_if_up"] or None) == band_up
    assert (None if r["loss_to_band_down"] != r["loss_to_band_down"] else r["loss_to_band_down"]) == (
        None if loss is None else pytest.approx(loss)
    )
    assert (r["band_if_down"] or None) == band_down


def test_the_signed_distance_to_every_bound_is_given(sample):
    r = only(sample[3], unit_id="S6999")
    assert (r["margin_tot"], r["margin_kha"], r["margin_trung_binh"]) == pytest.approx((-15.01, -0.01, 19.99))


def test_falling_to_trung_binh_caps_the_head_and_rising_from_it_lifts_the_cap(sample):
    m = sample[3]
    assert only(m, unit_id="S70")["flips_if_down"] == "head_reform_band"
    assert only(m, unit_id="H50")["flips_if_up"] == "head_reform_band"
    assert only(m, unit_id="H50")["flips_if_down"] == ""  # Yếu: the head is capped all the same
    assert only(m, unit_id="S85")["flips_if_down"] == ""  # Tốt → Khá: nothing for people


def test_the_hundredth_that_completes_three_trung_binh_years_flips_the_removal_and_the_party_class(sample):
    r = only(sample[3], unit_id="H_STREAK")
    assert r["loss_to_band_down"] == pytest.approx(0.01)
    assert r["flips_if_down"] == "head_removal_streak;head_reform_band;party_org_streak"
    assert r["heads"] == "Thủ trưởng H_STREAK (CB_H_STREAK)" and r["party_orgs"] == "PST"


def test_the_hundredth_that_makes_a_second_yeu_year_fires_the_removal(sample):
    r = only(sample[3], unit_id="H_WEAK")
    assert r["flips_if_down"] == "head_removal_streak;party_org_streak"  # the head is capped already
    assert r["band_if_down"] == YEU


def test_the_late_dossier_cap_stays_whatever_the_score(sample):
    r = only(sample[3], unit_id="S_LATE")
    assert r["late_capped"] and (r["band_by_score"], r["band"]) == (KHA, KHA)
    assert r["gain_to_band_up"] == pytest.approx(0.5) and r["band_if_up"] == KHA and r["flips_if_up"] == ""


def test_a_band_tried_by_a_counterfactual_evaluation_decides_as_the_years_own_evaluation(sample):
    recs, crit, c, _ = sample
    own = {k: v.copy() for k, v in c.fires.items()}, c.band.copy()
    again = consequences(recs, 2020, crit)
    again.known[:] = False  # forget what the year's evaluation said; try every band
    before = again.evaluations
    again.ensure(np.ones_like(again.known))
    rows = np.arange(len(c.unit_ids))
    for rule in own[0]:
        assert np.array_equal(again.fires[rule][rows, c.by_score], own[0][rule][rows, c.by_score]), rule
    assert np.array_equal(again.band[rows, c.by_score], own[1][rows, c.by_score])
    assert again.evaluations - before == 4  # 4 bands: one evaluation tries a band for every unit at once


def test_the_margins_need_only_the_bands_next_to_each_unit(sample):
    assert sample[2].evaluations <= 2  # up and down, every unit at once


def test_a_reading_of_the_programme_changes_what_flips(tmp_path):
    crit = scoring.load_criteria().with_overrides({"head_band_trigger": "kha"})
    recs = scoring.load_records(_data(tmp_path), crit)
    m = margins(consequences(recs, 2020, crit), crit)
    assert only(m, unit_id="S85")["flips_if_down"] == "head_reform_band"  # Khá now caps the head


def _far(folder, score: str, units=UNITS, extra=()):
    """Margins of a year where S_FAR has `score` (every unit has a head)."""
    crit = scoring.load_criteria()
    results = [(2020, u, s, "") for u, s in dict(SCORES_2020, S_FAR=score).items()] + list(extra)
    heads = [(2020, f"CB_{u}", f"Thủ trưởng {u}", u, "head", HTT) for u, *_ in units]
    folder = make_dataset(folder, units=units, reform_results=results, officials=heads)
    return margins(consequences(scoring.load_records(folder, crit), 2020, crit), crit)


def test_near_threshold_includes_a_distance_of_exactly_one_point_and_not_more(tmp_path):
    assert not only(_far(tmp_path / "a", "86.00"), unit_id="S_FAR")["near_threshold"]  # must lose 1,01
    assert only(_far(tmp_path / "b", "84.00"), unit_id="S_FAR")["near_threshold"]  # gains exactly 1,00


def test_the_near_threshold_distance_is_a_reading(sample):
    _, crit, c, _ = sample
    wide = near_threshold(c, crit, load_settings().with_overrides({"near_threshold_points": 16}))
    narrow = near_threshold(c, crit)
    assert "Sở Xa Ngưỡng" in set(wide["Cơ quan, đơn vị"]) and "Sở Xa Ngưỡng" not in set(
        narrow["Cơ quan, đơn vị"]
    )


def test_near_threshold_lists_the_people_a_crossing_affects_first(sample):
    _, crit, c, _ = sample
    t = near_threshold(c, crit)
    assert list(t.columns) == NEAR_COLUMNS
    first = t.iloc[0]
    assert first["Cơ quan, đơn vị"] == "Huyện Ba Năm" and first["Nếu điểm thay đổi"].startswith(
        "giảm 0,01 điểm"
    )
    assert (
        "áp dụng: Người đứng đầu đơn vị nhiều năm liên tục xếp loại thấp (mục II.4)"
        in first["Hệ quả thay đổi"]
    )
    assert "người đứng đầu: Thủ trưởng H_STREAK (CB_H_STREAK)" in first["Người, tổ chức liên quan"]
    assert "tổ chức cơ sở đảng: PST" in first["Người, tổ chức liên quan"]
    late = t[t["Cơ quan, đơn vị"] == "Sở Trễ Hạn"].iloc[0]
    assert "phụ thuộc số hồ sơ trễ hạn, không phụ thuộc điểm" in late["Hệ quả thay đổi"]
    quiet = t[t["Cơ quan, đơn vị"] == "Sở Tám Lăm"].iloc[0]
    assert quiet["Hệ quả thay đổi"].startswith("không thay đổi hệ quả")


def test_the_annex_section_gives_table_title_and_basis(sample):
    recs, crit, c, _ = sample
    table, title, basis = near_threshold_section(recs, 2020, crit, base=c.base)
    assert title == "Các cơ quan, đơn vị cận ngưỡng xếp loại" and len(table) > 0
    assert "mục II.4" in basis and "không quá 1,00 điểm" in basis and "mục II.2" in basis
    assert "«Tốt» từ 85,00" in basis


def test_heads_listed_are_the_years_heads(sample):
    assert only(sample[3], unit_id="S85")["heads"] == "Thủ trưởng S85 (CB_S85)"


def test_a_unit_without_a_score_has_no_margin(tmp_path):
    m = _far(tmp_path, "77.50", units=[*UNITS, ("X", "Sở Không Điểm", SO, "")], extra=[(2020, "X", "", KHA)])
    assert "X" not in set(m["unit_id"]) and "S_FAR" in set(m["unit_id"])
