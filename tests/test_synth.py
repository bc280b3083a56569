"""The synthetic data generator: contract shape, keys, realism, label forms, files."""

import re
import unicodedata

import numpy as np
import pandas as pd
import pytest

from scoring import synth

N_UNITS, N_OFFICIALS, N_YEARS, SEED = 50, 2_000, 6, 7

COLUMNS = {
    "units": ["unit_id", "unit_name", "group", "party_org_id"],
    "reform_results": ["year", "unit_id", "score", "band"],
    "unit_dossiers": ["year", "unit_id", "handled", "late"],
    "officials": ["year", "official_id", "full_name", "unit_id", "role", "proposed_rating"],
    "official_dossiers": ["year", "official_id", "handled", "late"],
    "party_orgs": ["year", "party_org_id", "unit_id", "proposed_classification"],
}
KEYS = {
    "units": ["unit_id"],
    "reform_results": ["year", "unit_id"],
    "unit_dossiers": ["year", "unit_id"],
    "officials": ["year", "official_id"],
    "official_dossiers": ["year", "official_id"],
    "party_orgs": ["year", "party_org_id"],
}
GROUPS = {"Sở, ban, ngành", "Cơ quan ngành dọc", "UBND cấp huyện", "Đơn vị sự nghiệp"}


def fold(label: str) -> str:
    """Label folding as SPEC §2 describes it: NFC, case, whitespace and punctuation."""
    text = unicodedata.normalize("NFC", label).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def folded(*labels: str) -> set[str]:
    return {fold(label) for label in labels}


ROLES = {
    "head": folded("head", "Người đứng đầu", "Thủ trưởng", "Cấp trưởng"),
    "deputy": folded("deputy", "Cấp phó", "Phó thủ trưởng"),
    "staff": folded("staff", "Công chức", "Viên chức"),
}
CADRE_2015 = folded(
    "Hoàn thành xuất sắc nhiệm vụ",
    "HTXSNV",
    "Hoàn thành tốt nhiệm vụ",
    "HTTNV",
    "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực",
    "HTNV nhưng còn hạn chế về năng lực",
    "Không hoàn thành nhiệm vụ",
    "KHTNV",
)
CADRE_2020 = folded(
    "Hoàn thành xuất sắc nhiệm vụ",
    "HTXSNV",
    "Hoàn thành tốt nhiệm vụ",
    "HTTNV",
    "Hoàn thành nhiệm vụ",
    "HTNV",
    "Không hoàn thành nhiệm vụ",
    "KHTNV",
)
PARTY_2006 = folded(
    "Trong sạch, vững mạnh",
    "TSVM",
    "Hoàn thành tốt nhiệm vụ",
    "HTTNV",
    "Hoàn thành nhiệm vụ",
    "HTNV",
    "Yếu kém",
)
PARTY_2018 = CADRE_2020
BANDS = {"Tốt": "tốt", "Khá": "khá", "Trung bình": "trung bình", "Yếu": "yếu"}
BAND_FORMS = {**{fold(k): v for k, v in BANDS.items()}, "kém": "yếu"}


@pytest.fixture(scope="module")
def tables():
    return synth.generate(N_UNITS, N_OFFICIALS, N_YEARS, SEED)


def bands_by_unit_year(tables) -> pd.DataFrame:
    """Each unit-year's band (folded), from the score or else the recorded band."""
    results = tables["reform_results"]
    from_score = pd.cut(
        results["score"],
        [-np.inf, 50, 70, 85, np.inf],
        right=False,
        labels=["yếu", "trung bình", "khá", "tốt"],
    ).astype(object)
    recorded = results["band"].map(lambda b: BAND_FORMS.get(fold(b)) if b else None)
    return results.assign(folded_band=from_score.where(results["score"].notna(), recorded))


def heads(tables) -> pd.DataFrame:
    officials = tables["officials"]
    is_head = officials["role"].map(fold).isin(ROLES["head"])
    return officials[is_head]


# --- determinism ------------------------------------------------------------------------


def test_same_seed_gives_equal_tables(tables):
    again = synth.generate(N_UNITS, N_OFFICIALS, N_YEARS, SEED)
    assert again.keys() == tables.keys()
    for name in tables:
        pd.testing.assert_frame_equal(again[name], tables[name])


def test_another_seed_gives_other_tables(tables):
    other = synth.generate(N_UNITS, N_OFFICIALS, N_YEARS, SEED + 1)
    for name in ("reform_results", "unit_dossiers", "officials", "party_orgs"):
        assert not other[name].equals(tables[name]), name


# --- the data contract (SPEC §3) -------------------------------------------------------


def test_six_tables_with_the_contract_columns(tables):
    assert list(tables) == list(synth.TABLES)
    for name, columns in COLUMNS.items():
        assert list(tables[name].columns) == columns, name


def test_years_and_counts_are_int64_scores_float_ids_and_labels_strings(tables):
    for name, df in tables.items():
        for column in df.columns:
            if column in ("year", "handled", "late"):
                assert df[column].dtype == np.int64, (name, column)
            elif column == "score":
                assert df[column].dtype == np.float64
            else:
                assert pd.api.types.is_string_dtype(df[column]), (name, column)
                assert df[column].map(type).eq(str).all(), (name, column)


def test_ids_have_their_prefix_and_fixed_width(tables):
    assert tables["units"]["unit_id"].str.fullmatch(r"U\d{6}").all()
    assert tables["units"]["party_org_id"].str.fullmatch(r"DB\d{6}").all()
    assert tables["officials"]["official_id"].str.fullmatch(r"CB\d{7}").all()


def test_years_end_in_2020_by_default():
    years = synth.generate(5, 20, 4, 0)["reform_results"]["year"]
    assert sorted(years.unique()) == [2017, 2018, 2019, 2020]


def test_first_year_sets_the_span():
    tables = synth.generate(5, 20, 3, 0, first_year=2016)
    for name in ("reform_results", "unit_dossiers", "officials", "party_orgs"):
        assert sorted(tables[name]["year"].unique()) == [2016, 2017, 2018], name


def test_keys_are_unique(tables):
    for name, key in KEYS.items():
        assert not tables[name].duplicated(key).any(), name


def test_every_reference_points_to_a_known_unit_or_official(tables):
    unit_ids = set(tables["units"]["unit_id"])
    for name in ("reform_results", "unit_dossiers", "officials", "party_orgs"):
        assert set(tables[name]["unit_id"]) <= unit_ids, name
    official_years = set(zip(tables["officials"]["year"], tables["officials"]["official_id"], strict=True))
    dossiers = tables["official_dossiers"]
    assert set(zip(dossiers["year"], dossiers["official_id"], strict=True)) <= official_years


def test_each_unit_has_a_result_dossiers_and_one_party_org_every_year(tables):
    for name in ("reform_results", "unit_dossiers", "party_orgs"):
        assert len(tables[name]) == N_UNITS * N_YEARS, name
    party = tables["party_orgs"].merge(tables["units"], on="unit_id", suffixes=("", "_unit"))
    assert (party["party_org_id"] == party["party_org_id_unit"]).all()


def test_score_or_band_is_given_never_both_nor_neither(tables):
    results = tables["reform_results"]
    has_score = results["score"].notna()
    has_band = results["band"] != ""
    assert (has_score ^ has_band).all()


def test_scores_have_two_decimals_within_0_to_100(tables):
    score = tables["reform_results"]["score"].dropna()
    assert score.between(0, 100).all()
    assert np.allclose(score, score.round(2), rtol=0, atol=1e-9)


def test_recorded_bands_only_in_past_years_about_one_in_twenty(tables):
    results = tables["reform_results"]
    band_only = results[results["score"].isna()]
    assert band_only["year"].max() < results["year"].max()
    assert 0.01 < len(band_only) / (N_UNITS * (N_YEARS - 1)) < 0.12


def test_late_never_exceeds_handled_and_some_handled_nothing():
    tables = synth.generate(200, 5_000, 6, 3)
    for name in ("unit_dossiers", "official_dossiers"):
        dossiers = tables[name]
        assert (dossiers["late"] >= 0).all() and (dossiers["late"] <= dossiers["handled"]).all()
    assert (tables["official_dossiers"]["handled"] == 0).any()
    assert (tables["unit_dossiers"]["handled"] == 0).any()


def test_last_year_holds_the_population_and_past_years_only_heads(tables):
    officials = tables["officials"]
    per_year = officials.groupby("year").size()
    assert per_year.iloc[-1] == N_OFFICIALS
    assert (per_year.iloc[:-1] == N_UNITS).all()
    past = officials[officials["year"] < officials["year"].max()]
    assert past["role"].map(fold).isin(ROLES["head"]).all()


def test_every_unit_has_exactly_one_head_each_year(tables):
    per_unit_year = heads(tables).groupby(["year", "unit_id"]).size()
    assert len(per_unit_year) == N_UNITS * N_YEARS
    assert (per_unit_year == 1).all()


def test_a_person_keeps_one_name_across_years(tables):
    assert (tables["officials"].groupby("official_id")["full_name"].nunique() == 1).all()


def test_generate_refuses_fewer_officials_than_units():
    with pytest.raises(ValueError, match="n_officials"):
        synth.generate(10, 9, 3, 0)


# --- realistic distributions --------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_every_band_occurs(seed):
    tables = synth.generate(N_UNITS, N_OFFICIALS, N_YEARS, seed)
    assert set(bands_by_unit_year(tables)["folded_band"]) == set(BANDS.values())


def test_most_scores_lie_between_70_and_97(tables):
    score = tables["reform_results"]["score"].dropna()
    assert score.between(70, 97).mean() > 0.75
    assert score.min() < 55


def test_heads_change_in_about_one_unit_in_five_a_year():
    tables = synth.generate(300, 3_000, 8, 1)
    by_unit = heads(tables).sort_values(["unit_id", "year"]).groupby("unit_id")["official_id"]
    changed = by_unit.apply(lambda ids: (ids != ids.shift()).iloc[1:].sum()).sum()
    assert 0.12 < changed / (300 * 7) < 0.28


def test_some_former_heads_are_still_officials_in_the_last_year():
    tables = synth.generate(300, 3_000, 8, 1)
    officials = tables["officials"]
    last = officials[officials["year"] == officials["year"].max()]
    former = set(heads(tables)["official_id"]) - set(heads({"officials": last})["official_id"])
    assert former & set(last["official_id"])


def streaks_ending_in_last_year(tables, bands: set[str]) -> pd.Series:
    """Per unit: the consecutive years with a band in ``bands`` ending at the last year."""
    frame = bands_by_unit_year(tables).pivot(index="unit_id", columns="year", values="folded_band")
    hit = frame.isin(bands).to_numpy()[:, ::-1]
    return pd.Series(np.cumprod(hit, axis=1).sum(axis=1), index=frame.index)


@pytest.mark.parametrize("seed", range(4))
def test_some_unit_is_trung_binh_or_worse_three_years_running_under_one_head(seed):
    tables = synth.generate(N_UNITS, N_OFFICIALS, N_YEARS, seed)
    streak = streaks_ending_in_last_year(tables, {"trung bình", "yếu"})
    long_units = streak[streak >= 3].index
    assert len(long_units)
    last_three = heads(tables)[heads(tables)["year"] > tables["officials"]["year"].max() - 3]
    same_head = last_three.groupby("unit_id")["official_id"].nunique() == 1
    assert same_head[long_units].any()


@pytest.mark.parametrize("seed", range(4))
def test_some_unit_is_yeu_two_years_running(seed):
    tables = synth.generate(N_UNITS, N_OFFICIALS, N_YEARS, seed)
    assert (streaks_ending_in_last_year(tables, {"yếu"}) >= 2).any()


def test_unit_late_rates_sit_on_both_sides_of_ten_percent():
    dossiers = synth.generate(300, 3_000, 6, 2)["unit_dossiers"]
    dossiers = dossiers[dossiers["handled"] > 0]
    ten_late = dossiers["late"] * 10
    assert (ten_late == dossiers["handled"]).any()  # exactly 10%
    assert (ten_late == dossiers["handled"] - 1).any()  # k late of 10k + 1: just below
    units_at_or_above = dossiers[ten_late >= dossiers["handled"]]["unit_id"].nunique()
    assert 0.04 < units_at_or_above / 300 < 0.2
    assert (dossiers["late"] / dossiers["handled"]).median() < 0.08


def test_official_late_rates_include_exactly_and_just_above_ten_percent(tables):
    dossiers = tables["official_dossiers"]
    dossiers = dossiers[dossiers["handled"] > 0]
    ten_late = dossiers["late"] * 10
    assert (ten_late == dossiers["handled"]).any()
    assert (ten_late == dossiers["handled"] + 1).any()  # k late of 10k - 1: just above
    assert 0.03 < (ten_late > dossiers["handled"]).mean() < 0.2


# --- label forms -------------------------------------------------------------------------


def test_roles_come_in_english_and_vietnamese_forms(tables):
    roles = set(tables["officials"]["role"])
    assert {"head", "deputy", "staff"} <= roles
    assert roles & {"Người đứng đầu", "thủ trưởng", "Thủ trưởng"}
    assert roles & {"cấp phó", "Cấp phó"}
    assert {"công chức", "viên chức"} <= {r.lower() for r in roles}
    accepted = set().union(*ROLES.values())
    assert {fold(r) for r in roles} <= accepted


def test_ratings_use_the_scale_of_their_year():
    officials = synth.generate(300, 2_000, 6, 0)["officials"]  # 2015–2020
    old = officials[officials["year"] <= 2019]["proposed_rating"]
    new = officials[officials["year"] >= 2020]["proposed_rating"]
    assert {fold(r) for r in old} <= CADRE_2015
    assert {fold(r) for r in new} <= CADRE_2020
    assert "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực" in set(old)
    assert "Hoàn thành nhiệm vụ" in set(new)
    assert {"HTXSNV", "HTTNV", "HTNV", "KHTNV"} <= set(new)
    assert set(new) & {"hoàn thành tốt nhiệm vụ", "httnv"}
    assert "HOÀN THÀNH TỐT NHIỆM VỤ" in set(new)


def test_party_classifications_use_the_scale_of_their_year(tables):
    party = tables["party_orgs"]
    old = set(party[party["year"] <= 2017]["proposed_classification"])
    new = set(party[party["year"] >= 2018]["proposed_classification"])
    assert {fold(c) for c in old} <= PARTY_2006
    assert {fold(c) for c in new} <= PARTY_2018
    assert old & {"Trong sạch, vững mạnh", "Trong sạch vững mạnh", "TSVM"}
    assert any(fold(c) == "yếu kém" for c in old)
    assert "Hoàn thành xuất sắc nhiệm vụ" in new


def test_recorded_bands_come_in_several_forms():
    results = synth.generate(300, 1_000, 8, 0)["reform_results"]
    recorded = set(results["band"]) - {""}
    assert {fold(b) for b in recorded} <= set(BAND_FORMS)
    assert len(recorded) > len(BANDS)


def test_groups_are_the_four_khanh_hoa_groups(tables):
    assert set(tables["units"]["group"]) == GROUPS


def test_unit_names_say_they_are_synthetic(tables):
    assert tables["units"]["unit_name"].str.fullmatch(r"Đơn vị tổng hợp \d{6}").all()
    assert (tables["units"]["unit_name"].str[-6:] == tables["units"]["unit_id"].str[1:]).all()


def test_full_names_are_vietnamese_family_middle_given(tables):
    names = tables["officials"]["full_name"]
    assert names.str.split().str.len().eq(3).all()
    assert names.str.split().str[0].value_counts().index[0] == "Nguyễn"
    assert (names.map(lambda n: unicodedata.normalize("NFC", n)) == names).all()


# --- files -------------------------------------------------------------------------------


def read_back(paths, fmt: str) -> dict[str, pd.DataFrame]:
    if fmt == "parquet":
        return {p.stem: pd.read_parquet(p) for p in paths}
    string_columns = {c: str for c in ("unit_id", "official_id", "party_org_id", "band")}
    if fmt == "csv":
        return {
            p.stem: pd.read_csv(p, encoding="utf-8", dtype=string_columns, keep_default_na=False)
            for p in paths
        }
    return pd.read_excel(
        paths[0], sheet_name=None, engine="openpyxl", dtype=string_columns, keep_default_na=False
    )


def comparable(df: pd.DataFrame) -> pd.DataFrame:
    """Blank cells read back as '' or NaN depending on the format: compare them as NaN."""
    out = df.copy()
    for column in out.columns:
        if column == "score":
            out[column] = pd.to_numeric(out[column].replace("", np.nan)).astype(float)
        elif column in ("year", "handled", "late"):
            out[column] = out[column].astype(np.int64)
        else:
            out[column] = out[column].astype(object).replace("", np.nan)
    return out


@pytest.fixture(scope="module")
def small_tables():
    """Small enough for a quick workbook, with recorded bands and blank scores."""
    tables = synth.generate(12, 150, 6, 5)
    assert tables["reform_results"]["score"].isna().any()
    return tables


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx"])
def test_written_files_read_back_equal(small_tables, tmp_path, fmt):
    tables = small_tables
    out_dir = tmp_path / "nested" / fmt
    paths = synth.write(tables, out_dir, fmt)
    assert all(p.parent == out_dir and p.exists() for p in paths)
    expected_names = ["data.xlsx"] if fmt == "xlsx" else [f"{t}.{fmt}" for t in synth.TABLES]
    assert [p.name for p in paths] == expected_names
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(expected_names)
    back = read_back(paths, fmt)
    assert list(back) == list(synth.TABLES)
    for name, df in tables.items():
        pd.testing.assert_frame_equal(comparable(back[name]), comparable(df), obj=name)


def test_csv_is_utf8_with_commas(tables, tmp_path):
    paths = synth.write(tables, tmp_path, "csv")
    units = next(p for p in paths if p.stem == "units").read_bytes()
    assert not units.startswith(b"\xef\xbb\xbf")
    assert units.decode("utf-8").splitlines()[0] == "unit_id,unit_name,group,party_org_id"


def test_write_refuses_an_unknown_format(tables, tmp_path):
    with pytest.raises(ValueError, match="fmt"):
        synth.write(tables, tmp_path, "json")


def test_xlsx_refuses_a_table_longer_than_a_sheet(tables, tmp_path, monkeypatch):
    monkeypatch.setattr(synth, "XLSX_MAX_ROWS", 100)
    with pytest.raises(ValueError, match="officials"):
        synth.write(tables, tmp_path, "xlsx")
    assert not list(tmp_path.iterdir())
