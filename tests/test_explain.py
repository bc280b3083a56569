"""Explanations and evidence in plain Vietnamese (issue 9 §4).

`ev.explain(id)`, the decisions' outcome and evidence never show English tokens to a user:
rules by their title and clause (the id in a small "mã quy tắc" note), evidence in words with
exact shares and a decimal comma, people and units by name, party organisations named after
their unit when they have no name of their own, another era's label beside the level it was
read as. An unknown id is told apart from a known one.
"""

import re

import numpy as np
import pytest
from conftest import HTT, HTXS, SO, TB, TSVM, make_dataset, run

import scoring

ENGLISH = re.compile(
    r"\b(late|handled|late_rate|streak_years|streak_bands|unit|band|head|staff|deputy)\b\s*[=,)]"
)
CRIT = scoring.load_criteria()
RECS = scoring.load_records(None, CRIT)


@pytest.fixture(scope="module")
def evs():
    return {y: scoring.evaluate(RECS, y, CRIT) for y in RECS.years()}


@pytest.mark.parametrize("year", [2015, 2016, 2017, 2018, 2019, 2020])
def test_no_english_token_in_any_explanation_or_decision(evs, year):
    ev = evs[year]
    for sid in set(ev.decisions["subject_id"]) | {"DH_KHANHHOA", "CB00253", "DB_DH_KHANHHOA"}:
        text = ev.explain(sid)
        assert not ENGLISH.search(text), text
    for col in ("outcome", "evidence"):
        for text in ev.decisions[col]:
            assert not ENGLISH.search(text), text


def test_no_english_token_under_any_reading(evs):
    readings = {
        "party_org_condition": "year_band",
        "tsvm_levels": "good_and_above",
        "reform_result_lag_years": 1,
        "central_agency_consequences": "apply",
        "rate_rounding_decimals": 1,
        "weak_counts_toward_average_streak": False,
    }
    for y in (2018, 2019, 2020):
        ev = scoring.evaluate(RECS, y, CRIT.with_overrides(readings))
        for text in [*ev.decisions["outcome"], *ev.decisions["evidence"]]:
            assert not ENGLISH.search(text), text


def test_a_unit_is_explained_by_name_with_its_rule_in_words(evs):
    text = evs[2020].explain("SO_XD")
    assert text.found
    assert text.startswith("Cơ quan, đơn vị: Sở Xây dựng (khối Sở, ban, ngành), năm 2020")
    score = evs[2020].unit_ranking.set_index("unit_id").loc["SO_XD", "score"]
    assert f"Điểm {score:.2f}".replace(".", ",") in text
    assert "- Trễ hạn hồ sơ của cơ quan, đơn vị (mục II.2): Không được xếp hạng «Tốt»" in text
    assert "Căn cứ số liệu: 30/300 hồ sơ trễ hạn (10,00%), ngưỡng từ 10% trở lên." in text
    assert "(mã quy tắc: unit_late_dossiers)" in text


def test_a_head_is_explained_with_the_role_and_the_run_in_words(evs):
    text = evs[2020].explain("CB00253")
    assert "Cán bộ, công chức, viên chức: Võ Hữu An — Người đứng đầu, Trường Đại học Khánh Hòa" in text
    assert "Người đứng đầu thuộc diện xem xét xử lý trách nhiệm, đưa ra khỏi quy hoạch" in text
    assert "năm 2018 «Trung bình», năm 2019 «Yếu», năm 2020 «Trung bình» — 3 năm liên tục" in text
    assert "ngưỡng: 03 năm liên tục «Trung bình» trở xuống hoặc 02 năm liên tục «Yếu»" in text
    assert "bị xử lý" not in text


def test_a_party_org_without_a_name_is_named_after_its_unit(evs):
    text = evs[2020].explain("DB_DH_KHANHHOA")
    assert text.startswith("Tổ chức cơ sở đảng: Đảng bộ Trường Đại học Khánh Hòa, năm 2020")
    assert "không được xếp loại «Trong sạch, vững mạnh» (theo Quy định 132-QĐ/TW" in text


def test_a_party_org_with_its_own_name_is_called_by_it(evs):
    po = RECS.party_orgs.copy()
    po["party_org_name"] = np.where(po["party_org_id"] == "DB_DH_KHANHHOA", "Đảng bộ Trường ĐH Khánh Hòa", "")
    ev = scoring.evaluate(RECS.replace(party_orgs=po), 2020, CRIT)
    assert ev.explain("DB_DH_KHANHHOA").startswith(
        "Tổ chức cơ sở đảng: Đảng bộ Trường ĐH Khánh Hòa, năm 2020"
    )
    assert ev.explain("DB_SO_XD").startswith("Tổ chức cơ sở đảng: Đảng bộ Sở Xây dựng,")


def test_a_recommendation_to_a_central_agency_is_explained(evs):
    d = evs[2018].decisions.set_index("subject_id")
    assert d.loc["CB00185", "outcome"].startswith("Kiến nghị cơ quan quản lý cấp trên của Kho bạc Nhà nước")


def test_a_year_before_the_programme_says_so(evs):
    text = evs[2016].explain("CB00240")
    assert "Chương trình hành động chưa (hoặc không còn) được áp dụng" in text


def test_an_unknown_id_is_said_in_vietnamese_and_told_apart(evs):
    text = evs[2020].explain("KHONG_CO")
    assert not text.found and not evs[2020].has_subject("KHONG_CO")
    assert (
        text
        == "Không có cơ quan, đơn vị, cán bộ, công chức, viên chức hay tổ chức cơ sở đảng nào mang mã «KHONG_CO» trong năm 2020."
    )
    assert evs[2020].explain("SO_XD").found and evs[2020].has_subject("CB00253")


def test_a_label_of_another_era_is_shown_as_read(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO, "P1")],
        reform_results=[(2019, "U1", "60", "")],
        officials=[(2019, "H1", "Người Một", "U1", "head", HTT)],
        party_orgs=[(2019, "P1", "U1", TSVM)],
    )
    ev = run(data, 2019)
    read_as = f"(nhãn của Hướng dẫn 27-HD/BTCTW), đọc là mức «{HTXS}» của Quy định 132-QĐ/TW"
    assert f"Xếp loại đề xuất «{TSVM}» {read_as}" in ev.explain("P1")
    assert any("thang của thời kỳ khác" in n for n in ev.notes)
    # records that do not keep the label as written still say it was read from another scale
    recs = ev.records.replace(party_orgs=ev.records.party_orgs.drop(columns="proposed_classification_text"))
    text = scoring.evaluate(recs, 2019).explain("P1")
    assert f"«{HTXS}» (ghi theo nhãn của thời kỳ khác, đọc là mức tương ứng của Quy định 132-QĐ/TW)" in text


def test_the_band_of_a_unit_without_result_is_said_plainly(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO), ("U2", "Sở Hai", SO)],
        reform_results=[(2020, "U1", "60", "")],
        officials=[(2020, "H2", "Người Hai", "U2", "head", HTT)],
    )
    text = run(data, 2020).explain("U2")
    assert "Chưa có kết quả cải cách hành chính năm 2020: không có điểm, không xếp hạng." in text
    assert TB not in text


def test_a_label_of_another_era_kept_as_written_is_shown_beside_its_reading(tmp_path):
    # the loader may keep a label as written in `<column>_text`: the explanation shows it
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO, "P1")],
        reform_results=[(2019, "U1", "60", "")],
        officials=[(2019, "H1", "Người Một", "U1", "head", HTT)],
        party_orgs=[(2019, "P1", "U1", "TSVM")],
    )
    recs = scoring.load_records(data)
    po = recs.party_orgs.assign(proposed_classification_text="Trong sạch vững mạnh")
    ev = scoring.evaluate(recs.replace(party_orgs=po), 2019)
    assert (
        f"Xếp loại đề xuất «Trong sạch vững mạnh» (nhãn của Hướng dẫn 27-HD/BTCTW), đọc là mức «{HTXS}» "
        "của Quy định 132-QĐ/TW"
    ) in ev.explain("P1")


def test_the_views_get_party_organisations_by_name(evs):
    names = evs[2020].party_org_names()
    assert names["DB_DH_KHANHHOA"] == "Đảng bộ Trường Đại học Khánh Hòa"
    assert len(names) == len(evs[2020].party_org_classifications)
