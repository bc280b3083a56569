"""Mục II.4 — the unit's reform result: bands from the score, recorded bands, ranks in a group.

SPEC §2: bands from the score (percent, rounded half up to 2 decimals, lower bounds inclusive):
Tốt ≥ 85, Khá ≥ 70, Trung bình ≥ 50, Yếu below; a band recorded for an earlier year is final;
in the evaluated year a recorded band stands in when no score is given. Rank within a group by
score, descending; ties share the lowest rank (1, 2, 2, 4).
"""

import math

import pandas as pd
import pytest
from conftest import HTT, HTXS, HUYEN, KHA, SO, TB, TOT, YEU, make_dataset, only, run

import scoring

Y = 2019


def one_unit(tmp_path, score, band="", *, sep=",", **overrides):
    data = make_dataset(
        tmp_path / "data",
        sep=sep,
        units=[("U1", "Sở Một", SO)],
        reform_results=[(Y, "U1", score, band)],
        officials=[(Y, "H1", "Người Một", "U1", "head", HTT)],
    )
    return run(data, Y, **overrides)


BOUNDS = [
    ("100", TOT, 100.0),
    ("85.00", TOT, 85.0),
    ("85", TOT, 85.0),
    ("84.99", KHA, 84.99),
    ("84.995", TOT, 85.0),
    ("84.994", KHA, 84.99),
    ("70.00", KHA, 70.0),
    ("69.99", TB, 69.99),
    ("69.995", KHA, 70.0),
    ("50.00", TB, 50.0),
    ("49.99", YEU, 49.99),
    ("0", YEU, 0.0),
]
COMMA_BOUNDS = [("84,995", TOT, 85.0), ("84,99", KHA, 84.99), ("70,00", KHA, 70.0), ("49,99", YEU, 49.99)]


def bounds_ranking(folder, scores, sep):
    """One unit per score, evaluated once: unit id -> its unit_ranking row."""
    ids = [f"U{i}" for i in range(len(scores))]
    data = make_dataset(
        folder,
        sep=sep,
        units=[(uid, f"Đơn vị {uid}", SO) for uid in ids],
        reform_results=[(Y, uid, score, "") for uid, score in zip(ids, scores, strict=True)],
        officials=[(Y, "H1", "Người Một", "U0", "head", HTT)],
    )
    ranking = run(data, Y).unit_ranking
    return {score: only(ranking, unit_id=uid) for uid, score in zip(ids, scores, strict=True)}


@pytest.fixture(scope="module")
def by_score(tmp_path_factory):
    return bounds_ranking(tmp_path_factory.mktemp("bounds"), [b[0] for b in BOUNDS], ",")


@pytest.fixture(scope="module")
def by_comma_score(tmp_path_factory):
    return bounds_ranking(tmp_path_factory.mktemp("comma"), [b[0] for b in COMMA_BOUNDS], ";")


@pytest.mark.parametrize("score, band, printed", BOUNDS, ids=[b[0] for b in BOUNDS])
def test_band_from_score_lower_bounds_inclusive_after_rounding_half_up(by_score, score, band, printed):
    u = by_score[score]
    assert u["score"] == printed
    assert u["band_by_score"] == band
    assert u["band"] == band


def test_score_84_995_is_85_00_tot_never_a_binary_float_84_99(by_score):
    u = by_score["84.995"]
    assert f"{u['score']:.2f}" == "85.00"
    assert u["band"] == TOT


@pytest.mark.parametrize("score, band, printed", COMMA_BOUNDS, ids=[b[0] for b in COMMA_BOUNDS])
def test_decimal_comma_in_semicolon_csv_from_vietnamese_excel(by_comma_score, score, band, printed):
    u = by_comma_score[score]
    assert (u["score"], u["band"]) == (printed, band)


def test_decimal_comma_quoted_in_a_comma_separated_csv(tmp_path):
    u = only(one_unit(tmp_path, "84,995").unit_ranking, unit_id="U1")
    assert (u["score"], u["band"]) == (85.0, TOT)


def test_semicolon_csv_with_bom_reads_names_and_groups(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        sep=";",
        bom=True,
        units=[("U1", "Sở Tư pháp, tỉnh", SO)],
        reform_results=[(Y, "U1", "91,5", "")],
        officials=[(Y, "H1", "Người Một", "U1", "head", HTT)],
    )
    u = only(run(data, Y).unit_ranking, unit_id="U1")
    assert (u["unit_name"], u["group"], u["score"], u["band"]) == ("Sở Tư pháp, tỉnh", SO, 91.5, TOT)


def test_band_bounds_are_parameters(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO), ("U2", "Sở Hai", SO)],
        reform_results=[(Y, "U1", "86", ""), (Y, "U2", "89.99", "")],
        officials=[(Y, "H1", "Người Một", "U1", "head", HTT)],
    )
    ev = run(data, Y, band_min_tot=90, band_min_kha=80, band_min_trung_binh=60)
    assert only(ev.unit_ranking, unit_id="U1")["band"] == KHA
    assert only(ev.unit_ranking, unit_id="U2")["band"] == KHA
    ev = run(data, Y, band_min_tot="89,99")
    assert only(ev.unit_ranking, unit_id="U2")["band"] == TOT


# -- recorded bands -----------------------------------------------------------------------


def test_recorded_band_stands_in_when_the_evaluated_year_has_no_score(tmp_path):
    ev = one_unit(tmp_path, "", TB)
    u = only(ev.unit_ranking, unit_id="U1")
    assert u["band"] == TB
    assert math.isnan(u["score"])
    # and it has the effect of any Trung bình band: the head is capped
    assert only(ev.official_ratings, official_id="H1")["capped_by"] == "head_reform_band"


def test_score_decides_the_evaluated_year_over_a_recorded_band(tmp_path):
    u = only(one_unit(tmp_path, "90", TB).unit_ranking, unit_id="U1")
    assert (u["band_by_score"], u["band"]) == (TOT, TOT)


def test_recorded_tot_without_score_is_still_capped_by_late_dossiers(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO)],
        reform_results=[(Y, "U1", "", TOT)],
        unit_dossiers=[(Y, "U1", 300, 30)],
        officials=[(Y, "H1", "Người Một", "U1", "head", HTT)],
    )
    u = only(run(data, Y).unit_ranking, unit_id="U1")
    assert u["band"] == KHA
    assert not u["emulation_eligible"]


def test_result_with_neither_score_nor_band_is_invalid_input(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO)],
        reform_results=[(Y, "U1", "", "")],
        officials=[(Y, "H1", "Người Một", "U1", "head", HTT)],
    )
    with pytest.raises(scoring.ValidationError) as err:
        scoring.load_records(data)
    assert "reform_results" in str(err.value)


def streak_with_recorded_past(tmp_path):
    """Trung bình recorded for 2017 and 2018 next to scores that would say Tốt; 2019 scores 60."""
    return make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO, "P1")],
        reform_results=[(2017, "U1", "90", TB), (2018, "U1", "91", TB), (2019, "U1", "60", "")],
        officials=[(y, "H1", "Người Một", "U1", "head", HTT) for y in (2017, 2018, 2019)],
        party_orgs=[(2019, "P1", "U1", HTXS)],
    )


def test_past_recorded_band_is_final_even_when_its_score_says_otherwise(tmp_path):
    ev = run(streak_with_recorded_past(tmp_path), 2019)
    t = only(ev.removal_triggers, official_id="H1")
    assert t["streak_years"] == "2017;2018;2019"
    assert t["streak_bands"] == f"{TB};{TB};{TB}"
    assert only(ev.party_org_classifications, party_org_id="P1")["final_classification"] == HTT


def test_past_bands_final_false_re_decides_past_years_from_their_scores(tmp_path):
    ev = run(streak_with_recorded_past(tmp_path), 2019, past_bands_final=False)
    assert ev.removal_triggers.empty
    assert only(ev.party_org_classifications, party_org_id="P1")["final_classification"] == HTXS


def test_past_year_recorded_tot_is_not_re_capped_for_late_dossiers(tmp_path):
    # 2018 was recorded Tốt; its late dossiers do not re-decide it into a streak year
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO)],
        reform_results=[(2017, "U1", "", TB), (2018, "U1", "", TB), (2019, "U1", "60", "")],
        unit_dossiers=[(2018, "U1", 100, 50)],
        officials=[(y, "H1", "Người Một", "U1", "head", HTT) for y in (2017, 2018, 2019)],
    )
    assert only(run(data, 2019).removal_triggers, official_id="H1")["streak_years"] == "2017;2018;2019"


# -- ranks within a group -------------------------------------------------------------------


def ranked(tmp_path, rows, **overrides):
    units = [(uid, f"Đơn vị {uid}", group) for uid, group, _ in rows]
    results = [(Y, uid, score, "") for uid, _, score in rows]
    data = make_dataset(
        tmp_path / "data",
        units=units,
        reform_results=results,
        officials=[(Y, "H1", "Người Một", rows[0][0], "head", HTT)],
    )
    ev = run(data, Y, **overrides)
    return {r["unit_id"]: r["rank_in_group"] for r in ev.unit_ranking.to_dict("records")}, ev


def test_ties_share_the_lowest_rank_and_the_next_rank_is_skipped(tmp_path):
    ranks, _ = ranked(tmp_path, [("A", SO, "90"), ("B", SO, "80"), ("C", SO, "80"), ("D", SO, "70")])
    assert ranks == {"A": 1, "B": 2, "C": 2, "D": 4}


def test_rank_ties_dense_does_not_skip(tmp_path):
    rows = [("A", SO, "90"), ("B", SO, "80"), ("C", SO, "80"), ("D", SO, "70")]
    ranks, _ = ranked(tmp_path, rows, rank_ties="dense")
    assert ranks == {"A": 1, "B": 2, "C": 2, "D": 3}


def test_scores_tied_after_rounding_share_a_rank(tmp_path):
    ranks, _ = ranked(tmp_path, [("A", SO, "85.00"), ("B", SO, "84.995"), ("C", SO, "84.99")])
    assert ranks == {"A": 1, "B": 1, "C": 3}


def test_each_group_is_ranked_separately(tmp_path):
    rows = [("S1", SO, "80"), ("S2", SO, "95"), ("H1", HUYEN, "70"), ("H2", HUYEN, "60")]
    ranks, _ = ranked(tmp_path, rows)
    assert ranks == {"S2": 1, "S1": 2, "H1": 1, "H2": 2}


def test_group_names_differing_in_case_and_spacing_rank_together(tmp_path):
    rows = [("A", "Sở, ban, ngành", "90"), ("B", "SỞ,  BAN, NGÀNH", "80"), ("C", " sở ban ngành ", "70")]
    ranks, ev = ranked(tmp_path, rows)
    assert ranks == {"A": 1, "B": 2, "C": 3}
    assert set(ev.unit_ranking["group"]) == {SO}


def test_unlisted_group_names_are_folded_too(tmp_path):
    rows = [("A", "Khối Đặc biệt", "90"), ("B", "khối  đặc BIỆT", "80"), ("C", SO, "85")]
    ranks, _ = ranked(tmp_path, rows)
    assert ranks == {"A": 1, "B": 2, "C": 1}


def test_ids_are_strings_and_keep_their_leading_zeros(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("007", "Sở Bảy", SO, "0070")],
        reform_results=[(Y, "007", "60", "")],
        officials=[(Y, "00123", "Người Một", "007", "head", HTT)],
        party_orgs=[(Y, "0070", "007", HTXS)],
    )
    ev = run(data, Y)
    assert list(ev.unit_ranking["unit_id"]) == ["007"]
    assert only(ev.official_ratings, official_id="00123")["unit_id"] == "007"
    assert list(ev.party_org_classifications["party_org_id"]) == ["0070"]


def test_every_unit_of_the_year_appears_once_and_only_units_of_the_year(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("A", "A", SO), ("B", "B", SO), ("C", "C", HUYEN), ("OLD", "Đã giải thể", SO)],
        reform_results=[(2018, "OLD", "60", ""), (Y, "A", "90", ""), (Y, "B", "", KHA), (Y, "C", "55", "")],
        officials=[(Y, "H1", "Người Một", "A", "head", HTT)],
    )
    ranking = run(data, Y).unit_ranking
    assert sorted(ranking["unit_id"]) == ["A", "B", "C"]
    assert (ranking["year"] == Y).all()
    assert list(ranking.columns) == [
        "year",
        "unit_id",
        "unit_name",
        "group",
        "score",
        "rank_in_group",
        "band_by_score",
        "late_rate",
        "band",
        "emulation_eligible",
        "reasons",
    ]


def test_results_file_with_only_a_score_column_is_read(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO)],
        reform_results=[{"year": 2020, "unit_id": "U1", "score": "70"}],
        officials=[(2020, "H1", "Người Một", "U1", "head", HTT)],
    )
    assert only(run(data, 2020).unit_ranking, unit_id="U1")["band"] == KHA


def test_results_file_with_only_a_band_column_is_read(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO)],
        reform_results=[{"year": 2020, "unit_id": "U1", "band": "khá"}],
        officials=[(2020, "H1", "Người Một", "U1", "head", HTT)],
    )
    row = only(run(data, 2020).unit_ranking, unit_id="U1")
    assert (row["band"], math.isnan(row["score"])) == (KHA, True)


def test_results_file_with_neither_score_nor_band_column_is_refused(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO)],
        reform_results=[{"year": 2020, "unit_id": "U1"}],
        officials=[(2020, "H1", "Người Một", "U1", "head", HTT)],
    )
    with pytest.raises(scoring.ValidationError, match="cần cột score hoặc cột band"):
        scoring.load_records(data)


# -- a late-capped unit's place: late_capped_rank ----------------------------------------------

# unit -> (score, handled, late): A is capped Tốt -> Khá, D is capped but Khá anyway
CAPPED = {
    "A": ("90", 100, 12),
    "B": ("86", 100, 1),
    "C": ("80", 100, 1),
    "D": ("75", 100, 20),
    "E": ("60", 100, 0),
}


@pytest.fixture(scope="module")
def capped_data(tmp_path_factory):
    return make_dataset(
        tmp_path_factory.mktemp("capped") / "data",
        units=[(u, f"Sở {u}", SO) for u in CAPPED],
        reform_results=[(Y, u, s, "") for u, (s, _, _) in CAPPED.items()],
        unit_dossiers=[(Y, u, h, late) for u, (_, h, late) in CAPPED.items()],
        officials=[(Y, "H1", "Người Một", "A", "head", HTT)],
    )


def ranks(ev):
    return dict(zip(ev.unit_ranking["unit_id"], ev.unit_ranking["rank_in_group"], strict=True))


def test_a_late_capped_unit_keeps_its_place_in_score_order(capped_data):
    ev = run(capped_data, Y)
    assert ranks(ev) == {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}
    assert list(ev.unit_ranking["unit_id"]) == ["A", "B", "C", "D", "E"]
    assert only(ev.unit_ranking, unit_id="A")["band"] == KHA


def test_a_late_capped_unit_ranked_below_every_uncapped_unit_of_its_band(capped_data):
    ev = run(capped_data, Y, late_capped_rank="below_uncapped")
    assert ranks(ev) == {"B": 1, "C": 2, "A": 3, "D": 4, "E": 5}
    assert list(ev.unit_ranking["unit_id"]) == ["B", "C", "A", "D", "E"]


def test_a_unit_without_any_record_of_the_year_is_named_in_the_notes(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("A", "Sở A", SO), ("B", "Sở B", SO), ("OLD", "Đã giải thể", SO)],
        reform_results=[(2018, "OLD", "60", ""), (Y, "A", "90", "")],
        officials=[(Y, "H1", "Người Một", "B", "head", HTT)],
    )
    ev = run(data, Y)
    assert pd.isna(only(ev.unit_ranking, unit_id="B")["rank_in_group"])
    listed = [n for n in ev.notes if "Chưa có kết quả" in n]
    assert len(listed) == 1 and "(Sở B)" in listed[0]
    absent = [n for n in ev.notes if "Không có dữ liệu nào" in n]
    assert len(absent) == 1 and "(Đã giải thể)" in absent[0]
