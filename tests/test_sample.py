"""The embedded Khánh Hòa sample against the published facts of SPEC §6.

Published: 44 units a year in four groups; 2018 24 Tốt / 18 Khá / 2 Trung bình / 0 Yếu, and by
group with each group's first and last (Báo Khánh Hòa, 11/02/2019); 2019 24/19/0/1; 2020
29/11/4/0 with the first of each group and 12 more units above 90% than in 2019 (Báo Khánh Hòa,
15/01/2021). Everything else is synthetic and says so; the sample makes every rule of §2 fire
and shows cases near every threshold.
"""

import pandas as pd
import pytest
from conftest import KHA, TB, TOT, YEU

import scoring
from scoring.sample import sample_path

RULES = {
    "unit_late_dossiers",
    "official_late_dossiers",
    "head_reform_band",
    "head_removal_streak",
    "party_org_streak",
}
SO, DOC, HUYEN, SN = "Sở, ban, ngành", "Cơ quan ngành dọc", "UBND cấp huyện", "Đơn vị sự nghiệp"
GROUP_SIZES = {SO: 21, DOC: 6, HUYEN: 8, SN: 9}


@pytest.fixture(scope="module")
def evs():
    records = scoring.load_records(None)
    crit = scoring.load_criteria()
    return {y: scoring.evaluate(records, y, crit) for y in records.years()}


def unit(ev, name):
    """The unit whose name starts with `name` (as SPEC §6 names it)."""
    rows = ev.unit_ranking[ev.unit_ranking["unit_name"].str.startswith(name)]
    assert len(rows) == 1, f"{name}: {list(rows['unit_name'])}"
    return rows.iloc[0]


def test_sample_covers_2018_to_2020_and_earlier_years(evs):
    assert {2018, 2019, 2020} <= set(evs)
    assert min(evs) < 2018  # streaks need the years before


@pytest.mark.parametrize("year", [2018, 2019, 2020])
def test_44_units_a_year_in_four_groups(evs, year):
    ranking = evs[year].unit_ranking
    assert len(ranking) == 44 and ranking["unit_id"].is_unique
    assert ranking.groupby("group").size().to_dict() == GROUP_SIZES


@pytest.mark.parametrize(
    "year, counts",
    [(2018, (24, 18, 2, 0)), (2019, (24, 19, 0, 1)), (2020, (29, 11, 4, 0))],
)
def test_published_band_counts(evs, year, counts):
    bands = evs[year].unit_ranking["band"].value_counts()
    assert tuple(int(bands.get(b, 0)) for b in (TOT, KHA, TB, YEU)) == counts


@pytest.mark.parametrize(
    "year, name, score, band",
    [
        (2018, "Sở Thông tin và Truyền thông", 95.20, TOT),
        (2018, "Sở Giáo dục và Đào tạo", 75.71, KHA),
        (2018, "Ngân hàng Nhà nước", 91.49, TOT),
        (2018, "Công an tỉnh", 84.00, KHA),
        (2018, "UBND huyện Khánh Vĩnh", 91.31, TOT),
        (2018, "UBND huyện Vạn Ninh", 77.15, KHA),
        (2018, "Ban Quản lý dự án phát triển tỉnh", 94.59, TOT),
        (2018, "Trường Đại học Khánh Hòa", 65.32, TB),
        (2020, "Thanh tra tỉnh", 96.86, TOT),
        (2020, "Ngân hàng Nhà nước", 96.43, TOT),
        (2020, "UBND huyện Khánh Vĩnh", 91.04, TOT),
        (2020, "Ban Quản lý dự án phát triển tỉnh", 94.00, TOT),
    ],
)
def test_published_scores(evs, year, name, score, band):
    u = unit(evs[year], name)
    assert u["score"] == pytest.approx(score, abs=1e-9)
    assert u["band"] == band


@pytest.mark.parametrize(
    "group, counts",
    [(SO, (12, 9, 0, 0)), (DOC, (5, 1, 0, 0)), (HUYEN, (3, 5, 0, 0)), (SN, (4, 3, 2, 0))],
)
def test_published_band_counts_of_each_group_in_2018(evs, group, counts):
    ranking = evs[2018].unit_ranking
    bands = ranking.loc[ranking["group"] == group, "band"].value_counts()
    assert tuple(int(bands.get(b, 0)) for b in (TOT, KHA, TB, YEU)) == counts


def test_the_one_kha_of_the_central_agencies_in_2018_is_the_police(evs):
    ranking = evs[2018].unit_ranking
    kha = ranking[(ranking["group"] == DOC) & (ranking["band"] == KHA)]
    assert kha["unit_name"].str.startswith("Công an tỉnh").tolist() == [True]


@pytest.mark.parametrize(
    "year, name, place",
    [
        (2018, "Sở Thông tin và Truyền thông", "first"),
        (2018, "Sở Giáo dục và Đào tạo", "last"),
        (2018, "Ngân hàng Nhà nước", "first"),
        (2018, "UBND huyện Khánh Vĩnh", "first"),
        (2018, "UBND huyện Vạn Ninh", "last"),
        (2018, "Ban Quản lý dự án phát triển tỉnh", "first"),
        (2018, "Trường Đại học Khánh Hòa", "last"),
        (2020, "Thanh tra tỉnh", "first"),
        (2020, "Ngân hàng Nhà nước", "first"),
        (2020, "UBND huyện Khánh Vĩnh", "first"),
        (2020, "Ban Quản lý dự án phát triển tỉnh", "first"),
    ],
)
def test_published_places_in_their_group(evs, year, name, place):
    ranking = evs[year].unit_ranking
    u = unit(evs[year], name)
    group = ranking[ranking["group"] == u["group"]]
    if place == "first":
        assert u["rank_in_group"] == 1
        assert (group["rank_in_group"] == 1).sum() == 1
    else:
        assert u["rank_in_group"] == group["rank_in_group"].max() == len(group)


def test_2020_has_12_more_units_above_90_percent_than_2019(evs):
    above = {y: int((evs[y].unit_ranking["score"] > 90).sum()) for y in (2019, 2020)}
    assert above[2020] - above[2019] == 12


def test_every_rule_fires_in_some_year(evs):
    fired = {rule for ev in evs.values() for rule in ev.decisions["rule_id"]}
    assert fired == RULES
    assert any(len(ev.removal_triggers) for ev in evs.values())
    assert any((ev.party_org_classifications["capped_by"] != "").any() for ev in evs.values())
    assert any((~ev.unit_ranking["emulation_eligible"]).any() for ev in evs.values())
    assert any(ev.official_ratings["discipline_review"].any() for ev in evs.values())


def test_sample_shows_cases_on_both_sides_of_every_band_bound(evs):
    scores = pd.concat([ev.unit_ranking["score"] for ev in evs.values()]).dropna()
    for bound in (85, 70, 50):
        assert (scores == bound).any(), bound
        assert ((scores >= bound - 0.01) & (scores < bound)).any(), bound


def test_sample_shows_late_rates_at_exactly_10_percent(evs):
    units = pd.concat([ev.unit_ranking for ev in evs.values()])
    at_10 = units[(units["late_rate"] - 0.1).abs() < 1e-12]
    assert len(at_10) and not at_10["emulation_eligible"].any()
    officials = pd.concat([ev.official_ratings for ev in evs.values()])
    at_10 = officials[(officials["late_rate"] - 0.1).abs() < 1e-12]
    assert len(at_10) and not at_10["discipline_review"].any()


def test_every_result_says_whether_it_is_published_or_synthetic():
    results = pd.read_csv(sample_path() / "reform_results.csv", dtype=str, keep_default_na=False)
    assert set(results["source"]) == {"published", "synthetic"}
    published = results[results["source"] == "published"]
    assert set(published["year"]) <= {"2018", "2019", "2020"}
    assert len(published) >= 12  # the named 2018 and 2020 scores


# -- the indicators of the monitor (issue 10 §5) -------------------------------------------------


def test_published_indices_are_kept_with_their_source_and_the_rest_says_synthetic():
    rows = pd.read_csv(sample_path() / "indicators.csv", dtype=str, keep_default_na=False)
    assert set(rows["source"]) == {"published", "synthetic"}
    assert set(rows["year"]) == {"2017", "2018", "2019", "2020"}
    published = rows[rows["source"] == "published"].set_index(["indicator_id", "year"])
    assert published.loc[("sipas", "2020"), "value"] == "81.82"
    assert published.loc[("par_index", "2019"), "value"] == "80.91"
    assert published.loc[("par_index_rank", "2019"), "value"] == "34"
    assert all(published["note"].str.len() > 0)  # each published figure names its source


def test_the_sample_shows_every_status_of_the_monitor():
    records = scoring.load_records(None)
    seen = set()
    for year in (2017, 2018, 2019, 2020):
        seen |= set(scoring.monitor_commitments(records, year).table["status"])
    assert seen == {"đạt", "chưa đạt", "chưa có số liệu", "chưa đến hạn"}


def test_satisfaction_above_80_percent_is_met_in_2020_on_the_published_figure():
    table = scoring.monitor_commitments(scoring.load_records(None), 2020).table.set_index("commitment_id")
    assert (table.loc["satisfaction_above_80", "value"], table.loc["satisfaction_above_80", "status"]) == (
        "81.82",
        "đạt",
    )
