"""Labels and dated scales (SPEC §2, §3).

Cadre ratings: Nghị định 56/2015 up to 2019 (third level "Hoàn thành nhiệm vụ nhưng còn hạn
chế về năng lực"), Nghị định 90/2020 from 2020 ("Hoàn thành nhiệm vụ"). Party organisations:
Hướng dẫn 27 up to 2017, Quy định 132 from 2018. Labels match after NFC, case folding and
folding of whitespace and punctuation, with the usual abbreviations; a label of the other era
is read as its level, printed with this year's label, and the run says so; an unknown label
is a validation error listing the accepted ones. Roles, group names and table file names are
matched the same way.
"""

import unicodedata

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
    TSVM,
    YEU,
    make_dataset,
    only,
    run,
)

import scoring


def nfd(text):
    return unicodedata.normalize("NFD", text)


YEARS = (2017, 2018, 2019, 2020)
# official id -> (year, role, proposed, late of 100 handled)
OFFICIALS = {
    "LATE_2019": (2019, "staff", HTT, 11),
    "LATE_2020": (2020, "staff", HTT, 11),
    "HTNV_2019": (2019, "staff", "HTNV", 0),
    "OLD_ERA_2020": (2020, "staff", HT_2019, 0),
    "NFD": (2020, "staff", nfd(HTT), 0),
    "UPPER": (2020, "staff", HTT.upper(), 0),
    "SPACES": (2020, "staff", "  Hoàn   thành  tốt nhiệm vụ ", 0),
    "PUNCT": (2020, "staff", "Hoàn thành tốt nhiệm vụ.", 0),
    "NBSP": (2020, "staff", "Hoàn\xa0thành tốt\xa0nhiệm vụ", 0),
    "HTXSNV": (2020, "staff", "HTXSNV", 0),
    "HTTNV": (2020, "staff", "HTTNV", 0),
    "httnv": (2020, "staff", "httnv", 0),
    "HTNV": (2020, "staff", "HTNV", 0),
    "KHTNV": (2020, "staff", "KHTNV", 0),
}
CADRE_FORMS = {
    "NFD": HTT,
    "UPPER": HTT,
    "SPACES": HTT,
    "PUNCT": HTT,
    "NBSP": HTT,
    "HTXSNV": HTXS,
    "HTTNV": HTT,
    "httnv": HTT,
    "HTNV": HT_2020,
    "KHTNV": KHT,
}
# party organisation id -> (year, proposed, printed)
PARTY = {
    "P_COMMA_2017": (2017, "Trong sạch vững mạnh", TSVM),
    "P_TSVM_2017": (2017, "TSVM", TSVM),
    "P_DASH_2017": (2017, "trong sạch - vững mạnh", TSVM),
    "P_UPPER_2017": (2017, "TRONG SẠCH, VỮNG MẠNH", TSVM),
    "P_NFD_2017": (2017, nfd(TSVM), TSVM),
    "P_NEW_ERA_2017": (2017, HTXS, TSVM),
    "P_HTXSNV_2018": (2018, "HTXSNV", HTXS),
    "P_FULL_2018": (2018, HTXS, HTXS),
    "P_OLD_ERA_2019": (2019, TSVM, HTXS),
    "P_HTTNV_2019": (2019, "httnv", HTT),
}
# recorded bands in the evaluated year, without a score: unit id -> (form, printed)
BANDS = {
    "B_TOT": ("TỐT", TOT),
    "B_KHA": (" khá ", KHA),
    "B_TB": ("trung  bình", TB),
    "B_TB_NFD": (nfd(TB), TB),
    "B_YEU": ("YẾU", YEU),
}
# role forms (SPEC §2): each official heads or serves in a Trung bình unit of their own
ROLES = {
    "R_NGUOI_DUNG_DAU": ("Người đứng đầu", "head"),
    "R_NGUOI_DUNG_DAU_UPPER": ("NGƯỜI ĐỨNG ĐẦU", "head"),
    "R_THU_TRUONG": ("thủ trưởng", "head"),
    "R_CAP_TRUONG": ("Cấp trưởng", "head"),
    "R_HEAD": (" Head ", "head"),
    "R_CAP_PHO": ("cấp phó", "deputy"),
    "R_CONG_CHUC": ("Công chức", "staff"),
    "R_VIEN_CHUC": ("viên chức", "staff"),
}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    units = [("U1", "Sở Một", SO)] + [(u, u, SO) for u in [*BANDS, *ROLES]]
    results = [(y, "U1", "90", "") for y in YEARS]
    results += [(2020, u, "", form) for u, (form, _) in BANDS.items()]
    results += [(2020, r, "60", "") for r in ROLES]
    officials = [(y, oid, oid, "U1", role, p) for oid, (y, role, p, _) in OFFICIALS.items()]
    officials += [(2020, f"O_{r}", r, r, form, HTT) for r, (form, _) in ROLES.items()]
    return make_dataset(
        tmp_path_factory.mktemp("labels") / "data",
        units=units,
        reform_results=results,
        officials=officials,
        official_dossiers=[(y, oid, 100, late) for oid, (y, _, _, late) in OFFICIALS.items()],
        party_orgs=[(y, pid, "U1", p) for pid, (y, p, _) in PARTY.items()],
    )


@pytest.fixture(scope="module")
def evs(data):
    return {y: run(data, y) for y in YEARS}


def official(evs, oid):
    return only(evs[OFFICIALS[oid][0]].official_ratings, official_id=oid)


# -- dated cadre scales -------------------------------------------------------------------------


def test_2019_prints_the_nghi_dinh_56_third_level(evs):
    o = official(evs, "LATE_2019")
    assert (o["final_rating"], o["capped_by"]) == (HT_2019, "official_late_dossiers")


def test_2020_prints_the_nghi_dinh_90_third_level(evs):
    o = official(evs, "LATE_2020")
    assert (o["final_rating"], o["capped_by"]) == (HT_2020, "official_late_dossiers")


def test_htnv_in_2019_is_read_as_the_third_level(evs):
    o = official(evs, "HTNV_2019")
    assert (o["proposed_rating"], o["final_rating"]) == (HT_2019, HT_2019)


def test_2019_label_in_a_2020_record_is_read_as_its_level_and_printed_with_the_2020_label(evs):
    o = official(evs, "OLD_ERA_2020")
    assert (o["proposed_rating"], o["final_rating"]) == (HT_2020, HT_2020)


def test_2019_label_in_a_2020_record_is_noted(tmp_path):
    def notes(proposed):
        folder = make_dataset(
            tmp_path / proposed[:4],
            units=[("U1", "Sở Một", SO)],
            reform_results=[(2020, "U1", "90", "")],
            officials=[(2020, "O1", "Người Một", "U1", "staff", proposed)],
            unit_dossiers=[(2020, "U1", 10, 0)],
            official_dossiers=[(2020, "O1", 10, 0)],
            party_orgs=[(2020, "P1", "U1", HTXS)],
        )
        return run(folder, 2020).notes

    added = [n for n in notes(HT_2019) if n not in notes(HT_2020)]
    assert added, "a label of the other era must be noted"
    assert any("officials" in n for n in added)


@pytest.mark.parametrize("oid", list(CADRE_FORMS))
def test_cadre_label_forms_and_abbreviations_print_canonically(evs, oid):
    o = official(evs, oid)
    assert o["proposed_rating"] == CADRE_FORMS[oid]
    assert o["final_rating"] == CADRE_FORMS[oid]


# -- dated party scales -------------------------------------------------------------------------


@pytest.mark.parametrize("pid", list(PARTY))
def test_party_label_forms_print_with_the_scale_of_the_year(evs, pid):
    year, _, printed = PARTY[pid]
    p = only(evs[year].party_org_classifications, party_org_id=pid)
    assert p["proposed_classification"] == printed
    assert p["final_classification"] == printed
    assert p["capped_by"] == ""


def test_party_label_of_the_other_era_is_noted(evs):
    assert any("party_orgs" in n for n in evs[2019].notes)
    assert any("party_orgs" in n for n in evs[2017].notes)
    assert not any("party_orgs" in n for n in evs[2018].notes)


# -- bands, roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("uid", list(BANDS))
def test_recorded_band_forms_print_canonically(evs, uid):
    assert only(evs[2020].unit_ranking, unit_id=uid)["band"] == BANDS[uid][1]


@pytest.mark.parametrize("rid", list(ROLES))
def test_vietnamese_role_forms(evs, rid):
    o = only(evs[2020].official_ratings, official_id=f"O_{rid}")
    role = ROLES[rid][1]
    assert o["role"] == role
    # the unit is Trung bình: only a head is capped (II.4)
    assert o["capped_by"] == ("head_reform_band" if role == "head" else "")
    assert o["final_rating"] == (HT_2020 if role == "head" else HTT)


# -- unknown labels ---------------------------------------------------------------------------------


def small(tmp_path, proposed=HTT, role="staff", band="", party=HTXS):
    return make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO)],
        reform_results=[(2020, "U1", "" if band else "90", band)],
        officials=[(2020, "O1", "Người Một", "U1", role, proposed)],
        party_orgs=[(2020, "P1", "U1", party)],
    )


def validation_message(folder):
    with pytest.raises(scoring.ValidationError) as err:
        scoring.load_records(folder)
    return str(err.value)


def test_unknown_rating_is_an_error_that_lists_the_accepted_labels(tmp_path):
    msg = validation_message(small(tmp_path, proposed="Xuất sắc lắm"))
    assert "Xuất sắc lắm" in msg
    assert "officials" in msg and "proposed_rating" in msg
    for label in (HTXS, HTT, HT_2020, KHT):
        assert label in msg


def test_unknown_party_classification_is_an_error_that_lists_the_accepted_labels(tmp_path):
    msg = validation_message(small(tmp_path, party="Tốt lắm"))
    assert "Tốt lắm" in msg and "proposed_classification" in msg
    assert HTXS in msg and TSVM in msg


def test_unknown_band_is_an_error_that_lists_the_accepted_labels(tmp_path):
    msg = validation_message(small(tmp_path, band="Rất tốt"))
    assert "Rất tốt" in msg and "band" in msg
    for label in (TOT, KHA, TB, YEU):
        assert label in msg


def test_unknown_role_is_an_error(tmp_path):
    msg = validation_message(small(tmp_path, role="giám đốc"))
    assert "giám đốc" in msg and "role" in msg
    assert "head" in msg and "deputy" in msg and "staff" in msg


# -- table file names ---------------------------------------------------------------------------------


def test_table_file_names_are_folded(tmp_path):
    folder = make_dataset(
        tmp_path / "data",
        names={
            "units": "UNITS.csv",
            "reform_results": "Reform_Results.CSV",
            "officials": "Officials.Csv",
            "unit_dossiers": "unit dossiers.csv",
        },
        units=[("U1", "Sở Một", SO)],
        reform_results=[(2020, "U1", "90", "")],
        unit_dossiers=[(2020, "U1", 300, 30)],
        officials=[(2020, "O1", "Người Một", "U1", "head", HTT)],
    )
    u = only(run(folder, 2020).unit_ranking, unit_id="U1")
    assert (u["score"], u["band"]) == (90.0, KHA)  # the late dossiers were read too


def test_a_file_that_is_no_known_table_is_reported(tmp_path):
    folder = small(tmp_path)
    (folder / "unit_dosiers.csv").write_text("year,unit_id,handled,late\n2020,U1,300,30\n", encoding="utf-8")
    ev = run(folder, 2020)
    assert any("unit_dosiers" in n for n in ev.notes)
    assert bool(only(ev.unit_ranking, unit_id="U1")["emulation_eligible"])
