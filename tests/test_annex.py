"""The ranking annex (SPEC §4) as a Party document: its content model and its HTML.

No kernel, browser or office suite here (tests/test_annex_export.py runs the real pipeline):
the document is built from the sample's evaluation and read back as text — the header and
the signature of Hướng dẫn 36-HD/VPTW, names instead of codes, the audit stamp out of the
body, tables that fit their columns, and the hook for optional sections.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

import scoring
import scoring.sample
from scoring import annex
from scoring.annex.model import curly, parse_date
from scoring.annex.sections import party_org_runs
from scoring.cli import main
from scoring.criteria import RULE_IDS, Criteria
from scoring.export import manifest

GROUPS = ["Sở, ban, ngành", "Cơ quan ngành dọc", "UBND cấp huyện", "Đơn vị sự nghiệp"]
FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")


@pytest.fixture(scope="module")
def records():
    return scoring.load_records()


def _ev(records, year, **overrides):
    crit = scoring.load_criteria().with_overrides(overrides)
    return scoring.evaluate(records, year, crit)


@pytest.fixture(scope="module")
def doc_2018(records):
    return annex.build_document(_ev(records, 2018), with_charts=False)


@pytest.fixture(scope="module")
def doc_2020(records):
    return annex.build_document(_ev(records, 2020), with_charts=False)


def _text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def doc_texts(doc: annex.Document) -> list[str]:
    """Every piece of text the document prints."""
    h = doc.header
    out = [*h.issuer, h.number_line(), h.party, h.place_date(), doc.title, *doc.subtitle, h.attachment()]
    out += [doc.banner, doc.reference, *h.recipients, *h.signer_title, h.signer_name]
    for _, s in doc.numbered():
        out += [
            s.title,
            s.intro,
            s.empty,
            *s.notes,
            *(b.text for b in s.basis),
            *(f.caption for f in s.figures),
        ]
        for t in s.tables:
            out += [t.title, *t.headers, *(c for row in t.rows for c in row)]
    return [t for t in out if t]


def rows_of(table: annex.Table, column: str) -> list[str]:
    i = table.headers.index(column)
    return [r[i] for r in table.rows]


def row_with(table: annex.Table, needle: str) -> tuple[str, ...]:
    return next(r for r in table.rows if needle in r)


# -- the Party document's header and end (Hướng dẫn 36-HD/VPTW) -------------------------------


def test_header_follows_the_party_document_layout_with_dots_for_the_clerk(doc_2018):
    t = _text(annex.document_html(doc_2018))
    for part in [
        "TỈNH ỦY KHÁNH HÒA BAN TỔ CHỨC * ĐẢNG CỘNG SẢN VIỆT NAM",  # a row: issuer | party
        "Số …-BC/BTCTU Khánh Hòa, ngày … tháng … năm …",  # the next: number | place and date
        "PHỤ LỤC Kết quả xếp hạng cải cách hành chính năm 2018 và hệ quả đối với người đứng đầu, "
        "tổ chức cơ sở đảng, cán bộ, công chức, viên chức",
        "(Kèm theo Báo cáo số …-BC/BTCTU, ngày … tháng … năm … của Ban Tổ chức Tỉnh ủy)",
    ]:
        assert part in t, part
    assert "PHƯƠNG ÁN GIẢ ĐỊNH" not in t  # the baseline is not a scenario


def test_the_document_ends_with_recipients_and_the_signature_block(doc_2018):
    t = _text(annex.document_html(doc_2018))
    end = t[t.index("Nơi nhận:") :]
    assert end.startswith(
        "Nơi nhận: - Thường trực Tỉnh ủy (để báo cáo), - Sở Nội vụ, - Các cơ quan, đơn vị có tên trong "
        "phụ lục, - Lưu Văn phòng Ban. K/T TRƯỞNG BAN PHÓ TRƯỞNG BAN ………"
    )
    assert t.index("V. Cán bộ, công chức, viên chức") < t.index("Nơi nhận:")


def test_every_field_of_the_header_and_the_signature_can_be_given():
    h = annex.HeaderFields.from_params(
        number="15",
        date="2019-02-05",
        issuer="TỈNH ỦY KHÁNH HÒA; BAN TỔ CHỨC",
        signer_title="T/M BAN THƯỜNG VỤ; PHÓ BÍ THƯ",
        signer_name="Nguyễn Văn A",
        recipients=["Ban Thường vụ Tỉnh ủy", "Lưu Văn phòng"],
        unknown="ignored",
        place=None,  # not given: the default stays
    )
    assert h.number_line() == "Số 15-BC/BTCTU"  # no colon, a hyphen before the symbol
    assert h.place_date() == "Khánh Hòa, ngày 05 tháng 02 năm 2019"
    assert (
        h.attachment()
        == "(Kèm theo Báo cáo số 15-BC/BTCTU, ngày 05 tháng 02 năm 2019 của Ban Tổ chức Tỉnh ủy)"
    )
    assert h.signer_title == ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ")
    assert h.recipients == ("Ban Thường vụ Tỉnh ủy", "Lưu Văn phòng")
    assert annex.HeaderFields(number="15-BC/BTCTU").number_line() == "Số 15-BC/BTCTU"  # given whole


@pytest.mark.parametrize(
    "typed, words",
    [
        ("2021-02-05", "ngày 05 tháng 02 năm 2021"),  # a day below 10 and January-February take a 0
        ("5/2/2021", "ngày 05 tháng 02 năm 2021"),
        ("15-03-2021", "ngày 15 tháng 3 năm 2021"),  # other months do not
        ("20/11/2019", "ngày 20 tháng 11 năm 2019"),
        ("", "ngày … tháng … năm …"),
        ("…", "ngày … tháng … năm …"),
    ],
)
def test_dates_print_in_one_form(typed, words):
    assert annex.date_words(parse_date(typed, "Ngày")) == words


def test_dates_quoted_from_the_criteria_print_in_the_same_form():
    assert annex.model.dates_in_words(
        "(Báo Khánh Hòa, 11/02/2019); Quyết định 4044/QĐ-UBND ngày 08/11/2021"
    ) == ("(Báo Khánh Hòa, ngày 11 tháng 02 năm 2019); Quyết định 4044/QĐ-UBND ngày 08 tháng 11 năm 2021")
    assert annex.model.dates_in_words("31/02/2019 là không có") == "31/02/2019 là không có"


@pytest.mark.parametrize("bad", ["2019-13-01", "31/02/2019", "mùng 5"])
def test_an_impossible_date_is_refused_in_vietnamese(bad):
    with pytest.raises(ValueError, match="không phải ngày hợp lệ"):
        annex.HeaderFields(date=bad)


def test_no_date_in_the_document_is_written_with_slashes(records):
    h = annex.HeaderFields(date="5/2/2021")
    doc = annex.build_document(_ev(records, 2020), h, with_charts=False)
    assert not [t for t in doc_texts(doc) if re.search(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b", t)]


# -- sections I–V ----------------------------------------------------------------------------


def test_one_ranking_table_per_group_in_the_programme_order(doc_2018):
    ranking = doc_2018.section("ranking")
    assert [t.title for t in ranking.tables] == [
        "1. Sở, ban, ngành (21 cơ quan, đơn vị)",
        "2. Cơ quan ngành dọc (6 cơ quan, đơn vị)",
        "3. UBND cấp huyện (8 cơ quan, đơn vị)",
        "4. Đơn vị sự nghiệp (9 cơ quan, đơn vị)",
    ]
    assert ranking.tables[0].headers == [
        "STT",
        "Cơ quan, đơn vị",
        "Điểm (%)",
        "Xếp hạng",
        "Xếp loại",
        "Tỷ lệ hồ sơ trễ hạn",
        "Ghi chú",
    ]
    assert ranking.tables[0].rows[0] == (
        "1",
        "Sở Thông tin và Truyền thông",
        "95,20",
        "1",
        "Tốt",
        "1,94%",
        "",
    )


def test_unit_at_exactly_ten_percent_late_is_noted_with_its_clause(doc_2018):
    table = doc_2018.section("ranking").tables[0]
    row = row_with(table, "Sở Giáo dục và Đào tạo")
    assert row[2:6] == ("75,71", "21", "Khá", "10,00%")
    assert row[6] == "Không xét thi đua, khen thưởng (mục II.2)"
    assert row_with(table, "Sở Tài nguyên và Môi trường")[5:] == ("9,67%", "")  # just under: no note


def test_ties_missing_dossiers_and_cross_references_are_noted(doc_2018):
    sbn, _, _, dvsn = doc_2018.section("ranking").tables
    assert row_with(sbn, "Sở Công Thương")[2:] == ("88,75", "8", "Tốt", "4,46%", "Đồng hạng")
    assert row_with(sbn, "Sở Tài chính")[2:] == ("88,75", "8", "Tốt", "2,95%", "Đồng hạng")
    assert row_with(sbn, "Ban Dân tộc")[6] == "Không phát sinh hồ sơ"
    # its head is capped (II); its party organisation's run rests on 2016, before the programme
    assert row_with(dvsn, "Trường Cao đẳng Y tế Khánh Hòa")[6] == "Xem phần II"


def test_sections_are_numbered_and_each_cites_its_clause(doc_2018):
    numbered = [(num, s.key, [b.clause for b in s.basis]) for num, s in doc_2018.numbered()]
    assert numbered == [
        ("I", "ranking", ["II.4", "II.2"]),
        ("II", "heads_capped", ["II.4"]),
        ("III", "removal", ["II.4"]),
        ("IV", "party_orgs", ["II.4"]),
        ("V", "staff_late", ["II.2"]),
    ]
    t = _text(annex.document_html(doc_2018))
    for heading in [
        "I. Xếp hạng theo khối",
        "II. Người đứng đầu không được xếp loại từ “Hoàn thành tốt nhiệm vụ” trở lên",
        "III. Người đứng đầu thuộc diện xử lý trách nhiệm, đưa ra khỏi quy hoạch, điều chuyển, thay thế",
        "IV. Tổ chức cơ sở đảng không được xếp loại ở mức cao nhất",
        "V. Cán bộ, công chức, viên chức trễ hạn trên 10% hồ sơ",
    ]:
        after = t[t.index(heading) + len(heading) :]
        assert after.strip().startswith("Căn cứ: mục II."), heading


def test_the_ranking_rests_on_the_ranking_clause_first_not_the_heads_clause(doc_2018):
    crit = scoring.load_criteria()
    first = doc_2018.section("ranking").basis[0]
    assert first.quote == curly(crit.parameter_info("band_min_tot")["quote"])
    assert first.quote != curly(crit.rule("head_reform_band").quote)
    assert doc_2018.section("ranking").basis[1].quote == curly(crit.rule("unit_late_dossiers").quote)


def test_band_bounds_print_with_their_source_from_the_criteria(records):
    notes = annex.build_document(_ev(records, 2018), with_charts=False).section("ranking").notes
    reason = scoring.load_criteria().parameter_info("band_min_tot")["reason"]
    assert notes[0] == "Căn cứ các ngưỡng điểm xếp loại:"
    assert notes[1] == f"- Tốt từ 85 điểm: {annex.model.dates_in_words(curly(reason))}"
    assert "(Báo Khánh Hòa, ngày 11 tháng 02 năm 2019)" in notes[1]  # the source, its date in words
    # a regulation found later changes the criteria file's reason, and the annex follows it
    text = (
        Path(scoring.load_criteria().source)
        .read_text(encoding="utf-8")
        .replace(reason, "Theo quy chế đánh giá của UBND tỉnh (thử).")
    )
    crit = Criteria.from_text(text)
    ev = scoring.evaluate(records, 2018, crit)
    notes = annex.build_document(ev, with_charts=False).section("ranking").notes
    assert notes[1] == "- Tốt từ 85 điểm: Theo quy chế đánh giá của UBND tỉnh (thử)."


def test_2018_heads_capped_and_staff_late(doc_2018):
    heads = doc_2018.section("heads_capped").tables[0]
    assert row_with(heads, "Võ Hữu An")[2:6] == (
        "Trường Đại học Khánh Hòa",
        "Trung bình",
        "Hoàn thành tốt nhiệm vụ",
        "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực",
    )
    staff = doc_2018.section("staff_late").tables[0]
    assert row_with(staff, "Phạm Thị Hồng Trâm")[2:6] == (
        "Công chức, viên chức",
        "Kho bạc Nhà nước Khánh Hòa",
        "101/1.000",
        "10,10%",
    )
    assert row_with(staff, "Trần Công Lộc")[2] == "Người đứng đầu"  # a head late on his own dossiers
    # proposed already the third level: the rating does not change, and the row says so
    assert row_with(staff, "7/60")[-1] == "Giữ nguyên xếp loại đề xuất"
    assert "mọi trường hợp dưới đây đều được đánh dấu để xem xét" in doc_2018.section("staff_late").intro


def test_the_discipline_flag_reading_changes_what_section_v_says(records):
    doc = annex.build_document(_ev(records, 2018, discipline_flag_when_unchanged=False), with_charts=False)
    staff = doc.section("staff_late")
    assert "được đánh dấu khi mức giới hạn làm thay đổi xếp loại" in staff.intro
    row = row_with(staff.tables[0], "7/60")
    assert row[-1] == "Giữ nguyên xếp loại đề xuất; không đánh dấu xem xét kỷ luật"


def test_2018_has_no_removal_trigger_and_no_party_organisation_capped(records, doc_2018):
    assert not doc_2018.section("removal").tables
    assert "Không có trường hợp nào." in _text(annex.document_html(doc_2018))
    # the college's run starts in 2016, before the programme was in force (II.4 from 2017):
    # by default it does not count; it counts only with the reading that counts those years
    assert not doc_2018.section("party_orgs").tables
    ev = _ev(records, 2018, streak_counts_years_before_force=True)
    (table,) = annex.build_document(ev, with_charts=False).section("party_orgs").tables
    assert table.rows == (
        (
            "1",
            "Tổ chức cơ sở đảng Trường Cao đẳng Y tế Khánh Hòa",
            "2016: Trung bình\n2017: Trung bình\n2018: Trung bình",
            "Hoàn thành xuất sắc nhiệm vụ",
            "Hoàn thành tốt nhiệm vụ",
        ),
    )


def test_2020_removal_trigger_lists_the_whole_run(doc_2020):
    (table,) = doc_2020.section("removal").tables
    assert table.rows == (
        (
            "1",
            "Võ Hữu An",
            "Trường Đại học Khánh Hòa",
            "2018: Trung bình\n2019: Yếu\n2020: Trung bình",
            "Xử lý trách nhiệm; đưa ra khỏi quy hoạch; điều chuyển; thay thế",
        ),
    )


def test_section_frames_for_notebooks_are_the_annex_tables_numbered_from_one(records):
    ev = _ev(records, 2020)
    frames = annex.ranking_frames(ev)
    assert list(frames) == GROUPS
    assert frames["Sở, ban, ngành"].index.name == "STT" and frames["Sở, ban, ngành"].index[0] == 1
    assert annex.heads_capped_frame(ev).index.tolist() == [1, 2, 3, 4]
    run = annex.removal_frame(ev).iloc[0]["Kết quả CCHC của đơn vị các năm liên tục"]
    assert run == "2018: Trung bình; 2019: Yếu; 2020: Trung bình"  # no literal line break in a notebook


# -- names, never codes ------------------------------------------------------------------------


def _codes(ev) -> set[str]:
    r = ev.records
    crit = ev.criteria
    return (
        set(r.units["unit_id"])
        | set(r.officials["official_id"])
        | set(r.party_orgs["party_org_id"])
        | set(RULE_IDS)
        | set(crit.doc["parameters"])
    )


@pytest.mark.parametrize("year", [2018, 2019, 2020])
def test_no_internal_code_appears_anywhere_in_the_document(records, year):
    ev = _ev(records, year)
    doc = annex.build_document(ev, with_charts=False)
    text = " ".join(doc_texts(doc)) + " " + _text(annex.document_html(doc))
    found = {c for c in _codes(ev) if re.search(rf"(?<![\w]){re.escape(c)}(?![\w])", text)}
    assert not found


def test_a_scenario_says_so_by_names_and_meanings_not_codes(records):
    ev = annex.load_evaluation(
        None,
        2020,
        '{"official_late_threshold_percent": 12, "weak_counts_toward_average_streak": false}',
        corrections='[{"unit_id": "DH_KHANHHOA", "year": 2020, "score": "72,5"}]',
        scenario="thử",
    )
    doc = annex.build_document(ev, scenario="thử", with_charts=False)
    assert doc.banner == (
        "PHƯƠNG ÁN GIẢ ĐỊNH — không phải kết quả theo dữ liệu và bộ tiêu chí gốc ("
        "Ngưỡng tỷ lệ hồ sơ trễ hạn của cán bộ, công chức, viên chức (mục II.2): 12 (gốc: 10); "
        "Năm xếp loại Yếu được tính vào chuỗi 03 năm Trung bình (kết quả kém hơn không che chắn người "
        "đứng đầu) (mục II.4): không (gốc: có); "
        "điểm của Trường Đại học Khánh Hòa năm 2020 sửa thành 72,50)"
    )
    assert doc.section("staff_late").title == "Cán bộ, công chức, viên chức trễ hạn trên 12% hồ sơ"
    text = " ".join(doc_texts(doc))
    assert not {c for c in _codes(ev) if re.search(rf"(?<![\w]){re.escape(c)}(?![\w])", text)}
    # the verification page, for whoever checks the annex, keeps the machine names
    rows = dict(annex.verification(ev, "thử").rows)
    assert "official_late_threshold_percent = 12 (gốc: 10)" in rows["Tham số thay đổi"]
    assert rows["Điểm sửa"] == "điểm của DH_KHANHHOA năm 2020 sửa thành 72,50"
    assert rows["Phương án"] == "thử"


def test_a_choice_and_a_band_in_the_banner_are_words(records):
    ev = _ev(records, 2018, rank_ties="dense", head_band_trigger="kha")
    banner = annex.build_document(ev, with_charts=False).banner
    assert (
        "(mục II.4): đồng hạng, hạng sau liền kề (1, 2, 2, 3) (gốc: đồng hạng nhận hạng thấp nhất" in banner
    )
    assert "(mục II.4): Khá (gốc: Trung bình)" in banner
    assert not re.search(r"\b(dense|min|kha|trung_binh)\b", banner)


def _with_party_org_names(records, names: dict[str, str]):
    po = records.party_orgs.copy()
    po["party_org_name"] = po["party_org_id"].map(names).fillna("")
    return records.replace(party_orgs=po)


def test_a_party_organisation_is_named_after_its_unit_unless_the_data_name_it(records):
    ev = _ev(records, 2018)
    names = annex.party_org_names(ev)
    assert names["DB_CD_YT"] == "Tổ chức cơ sở đảng Trường Cao đẳng Y tế Khánh Hòa"
    assert names["DB_SO_YT"] == "Tổ chức cơ sở đảng Sở Y tế"
    given = _with_party_org_names(
        records, {"DB_CD_YT": "Đảng bộ Trường Cao đẳng Y tế Khánh Hòa", "DB_SO_YT": "Chi bộ Văn phòng"}
    )
    named = annex.party_org_names(scoring.evaluate(given, 2018))
    assert named["DB_CD_YT"] == "Đảng bộ Trường Cao đẳng Y tế Khánh Hòa"  # holds the unit's name
    assert named["DB_SO_YT"] == "Chi bộ Văn phòng (Sở Y tế)"  # the unit said after it
    assert named["DB_SO_NV"] == "Tổ chức cơ sở đảng Sở Nội vụ"  # blank cell: named after the unit


def test_a_party_organisation_named_in_the_data_file_is_printed_by_that_name(tmp_path):
    scoring.sample.write_sample(tmp_path)
    po = pd.read_csv(tmp_path / "party_orgs.csv", dtype=str)
    po["party_org_name"] = po["party_org_id"].map({"DB_DH_KHANHHOA": "Đảng bộ Trường Đại học Khánh Hòa"})
    po.to_csv(tmp_path / "party_orgs.csv", index=False)
    doc = annex.build_document(scoring.evaluate(scoring.load_records(tmp_path), 2020), with_charts=False)
    assert doc.section("party_orgs").tables[0].rows[0][1] == "Đảng bộ Trường Đại học Khánh Hòa"


def test_the_party_organisation_run_comes_from_structured_results_never_the_evidence(records):
    ev = _ev(records, 2020)
    before = party_org_runs(ev)
    assert before.to_dict("records") == [
        {
            "party_org_id": "DB_DH_KHANHHOA",
            "unit_id": "DH_KHANHHOA",
            "streak_years": "2018;2019;2020",
            "streak_bands": "Trung bình;Yếu;Trung bình",
        }
    ]
    ev.decisions = ev.decisions.assign(evidence="văn bản khác")  # the wording may change at will
    assert party_org_runs(ev).equals(before)
    # the engine's own table of runs is what the section prints
    ev.party_org_runs = pd.DataFrame(
        [["DB_DH_KHANHHOA", "DH_KHANHHOA", "2019;2020", "Yếu;Yếu"]],
        columns=["party_org_id", "unit_id", "streak_years", "streak_bands"],
    )
    table = annex.build_document(ev, with_charts=False).section("party_orgs").tables[0]
    assert table.rows[0][2] == "2019: Yếu\n2020: Yếu"


@pytest.mark.parametrize(
    "table, key, says",
    [
        ("party_orgs", "party_orgs", "Dữ liệu không có bảng tổ chức cơ sở đảng: quy định này chưa xét được."),
        (
            "official_dossiers",
            "staff_late",
            "Dữ liệu không có số liệu hồ sơ của từng cán bộ, công chức, viên chức",
        ),
    ],
)
def test_a_section_without_its_data_says_so_rather_than_no_case(tmp_path, table, key, says):
    scoring.sample.write_sample(tmp_path)
    (tmp_path / f"{table}.csv").unlink()
    doc = annex.build_document(scoring.evaluate(scoring.load_records(tmp_path), 2020), with_charts=False)
    section = doc.section(key)
    assert not section.tables and section.empty.startswith(says)
    assert says in _text(annex.document_html(doc))
    other = "staff_late" if key == "party_orgs" else "party_orgs"
    assert doc.section(other).tables  # the other sections are as before


# -- quotes, the stamp, the notes ----------------------------------------------------------


@pytest.mark.parametrize("year", [2018, 2020])
def test_quotes_are_typographic(records, year):
    doc = annex.build_document(_ev(records, year), with_charts=False)
    assert not [t for t in doc_texts(doc) if re.search(r'["«»]', t)]
    assert "“Hoàn thành tốt nhiệm vụ”" in doc.section("heads_capped").title


def test_the_audit_stamp_is_not_in_the_signed_document(records, doc_2018):
    ev = _ev(records, 2018)
    page = annex.document_html(doc_2018)
    assert "sha256" not in page.lower() and "SHA-256" not in page
    assert not re.search(r"[0-9a-f]{64}", page)
    digest = annex.input_digest(manifest(ev))
    assert doc_2018.reference == f"Lập bằng scoring {scoring.__version__} — mã kiểm tra dữ liệu {digest[:12]}"
    assert "@bottom-center" in page and digest[:12] in page  # the footer line of every printed page


def test_the_verification_page_holds_the_stamp_and_the_run_notes(records):
    ev = _ev(records, 2018)
    ev.notes = ["officials.csv, dòng 1628: xếp loại đề xuất ghi theo thang của năm khác"]
    doc = annex.build_document(ev, with_charts=False)
    body = _text(annex.document_html(doc))
    assert "dòng 1628" not in body and "officials.csv" not in body
    check = annex.verification(ev)
    assert check.notes == tuple(ev.notes)
    rows = dict(check.rows)
    assert rows["Mã kiểm tra dữ liệu"] == annex.input_digest(manifest(ev))
    assert dict(check.hashes)["officials.csv"] == ev.records.input_sha256["officials.csv"]
    last = _text(annex.annex_html(ev, with_charts=False, with_verification_page=True))
    assert "dòng 1628" in last[last.index("Thông tin kiểm tra") :]
    assert ev.records.input_sha256["units.csv"] in last


def test_the_digest_changes_with_any_input_parameter_or_correction(records):
    m = manifest(_ev(records, 2018))
    base = annex.input_digest(m)
    assert annex.input_digest({**m, "year": 2019}) != base
    assert annex.input_digest({**m, "overrides": {"band_min_tot": 90}}) != base
    assert annex.input_digest({**m, "inputs": {**m["inputs"], "sha256": {"units.csv": "0" * 64}}}) != base
    assert annex.input_digest({**m, "version": "9.9"}) == base  # the tool's version is printed beside it


def test_printed_rate_never_contradicts_the_decision():
    baseline = scoring.load_criteria()
    # 9.996% does not reach 10%: two decimals would show 10,00%, so more are shown
    assert annex.rate_text(9996, 100_000, False, "unit", baseline) == "9,996%"
    assert annex.rate_text(30, 300, True, "unit", baseline) == "10,00%"
    # an official needs more than 10%: 10.0001% is caught, and printed so
    assert annex.rate_text(100_001, 1_000_000, True, "official", baseline) == "10,0001%"
    assert annex.rate_text(10, 100, False, "official", baseline) == "10,00%"


def test_the_same_evaluation_gives_the_same_html(records):
    ev = _ev(records, 2018)
    assert annex.annex_html(ev, with_charts=False) == annex.annex_html(ev, with_charts=False)


# -- tables that fit --------------------------------------------------------------------------


def _wrapped_lines(text: str, width_mm: float, font) -> int:
    """How many lines a cell takes when its words are wrapped at `width_mm` (greedy, as browsers do)."""
    count = 0
    for para in text.split("\n"):
        line, count = "", count + 1
        for word in para.split(" "):
            trial = f"{line} {word}".strip()
            if font.getlength(trial) / 100 * 25.4 / 72 > width_mm and line:
                line, count = word, count + 1
            else:
                line = trial
    return count


@pytest.mark.parametrize("year", [2018, 2019, 2020])
def test_cells_fit_their_columns_a_band_never_wraps(records, year):
    if not FONT.exists():
        pytest.skip(f"{FONT} not found (apt install fonts-liberation2)")
    from PIL import ImageFont

    style = annex.page_style()
    size = style["size_pt"]["table"]
    font = ImageFont.truetype(str(FONT), size * 100)  # hundredths of a point, for precision
    m = style["margins_mm"]
    ev = _ev(records, year, discipline_flag_when_unchanged=False)
    doc = annex.build_document(ev, sections=["monitor", "near_threshold"], with_charts=False)
    for _, section in doc.numbered():
        page = style["paper"]["height_mm"] if section.landscape else style["paper"]["width_mm"]
        text_width = page - m["left"] - m["right"]
        for table in section.tables:
            total = sum(c.width for c in table.columns)
            for j, column in enumerate(table.columns):
                room = text_width * column.width / total - 3.0  # the cell's padding
                for row in table.rows:
                    lines = _wrapped_lines(row[j], room, font)
                    if column.nowrap:
                        assert font.getlength(row[j]) / 100 * 25.4 / 72 <= room, (column.header, row[j])
                    assert lines <= 4, (section.key, column.header, row[j], lines)
    heads = doc.section("heads_capped").tables[0]
    assert "Trung bình" in rows_of(heads, "Xếp loại CCHC năm " + str(year)) or year == 2019


def test_the_wide_sections_print_on_landscape_pages(doc_2018):
    assert [s.key for s in doc_2018.sections if s.landscape] == [
        "heads_capped",
        "removal",
        "party_orgs",
        "staff_late",
    ]
    page = annex.document_html(doc_2018)
    assert "@page landscape { size: A4 landscape; }" in page
    assert page.count('<section class="pl-section pl-landscape"') == 4
    assert '<table class="pl-end pl-landscape">' in page  # the signature stays on the last page


def test_page_numbers_start_on_page_two_at_the_top_centre(doc_2018):
    page = annex.document_html(doc_2018)
    assert re.search(r"@top-center \{\s*content: counter\(page\);", page)
    assert "@page :first { @top-center { content: none; } }" in page


# -- optional sections: the hook for other modules ---------------------------------------------


def monitor_section(ev) -> annex.Section:
    """An optional section as another module would supply it (used by the tests below)."""
    return annex.Section(
        key="monitor",
        title="Tình hình thực hiện các chỉ tiêu của Chương trình",
        basis=(annex.Basis("I.2", "Chương trình hành động", "tỷ lệ hài lòng đạt trên 80%"),),
        intro=f"Số liệu năm {ev.year} (thử).",
        tables=(
            annex.Table(
                (annex.Column("STT", "c", 11), annex.Column("Chỉ tiêu", "l", 80)), (("1", "Hài lòng"),)
            ),
        ),
        notes=("Nguồn: thử.",),
    )


def nothing_this_year(ev):
    return None


def test_an_optional_section_prints_after_v_numbered_on(records, monkeypatch):
    monkeypatch.setitem(annex.OPTIONAL_SECTIONS, "monitor", f"{__name__}:monitor_section")
    ev = _ev(records, 2018)
    doc = annex.build_document(ev, sections=["monitor", f"{__name__}:nothing_this_year"], with_charts=False)
    assert [(num, s.key) for num, s in doc.numbered()][-2:] == [("V", "staff_late"), ("VI", "monitor")]
    t = _text(annex.document_html(doc))
    assert "VI. Tình hình thực hiện các chỉ tiêu của Chương trình Căn cứ: mục I.2 Chương trình hành động" in t
    assert "Hài lòng" in t and t.index("Hài lòng") < t.index("Nơi nhận:")
    assert doc.section("monitor").tables[0].rows == (("1", "Hài lòng"),)
    # the same section given as an object or a function
    same = annex.build_document(ev, sections=[monitor_section(ev)], with_charts=False)
    assert same.section("monitor") == annex.build_document(
        ev, sections=[monitor_section], with_charts=False
    ).section("monitor")


def test_the_programme_monitor_plugs_in_as_section_vi(records):
    from scoring.monitor import annex_section

    ev = _ev(records, 2020)
    doc = annex.build_document(ev, sections=["monitor"], with_charts=False)
    assert [(num, s.key) for num, s in doc.numbered()][-1] == ("VI", "monitor")
    section = doc.section("monitor")
    given = annex_section(ev)
    assert section.title == given.title == "Tình hình thực hiện các chỉ tiêu của Chương trình"
    assert section.basis[0].text.startswith("Căn cứ: các mục I.2, II.1, II.2")
    assert section.tables[0].headers == list(given.table.columns)
    assert [r[1] for r in section.tables[0].rows] == list(given.table["Chỉ tiêu"])
    assert section.landscape and section.notes[0].startswith("“Chưa có số liệu”")
    text = " ".join(doc_texts(doc))
    assert not {c for c in _codes(ev) if re.search(rf"(?<![\w]){re.escape(c)}(?![\w])", text)}
    t = _text(annex.document_html(doc))
    assert t.index("VI. Tình hình thực hiện các chỉ tiêu") < t.index("Nơi nhận:")


def test_the_units_near_a_band_bound_plug_in_after_the_monitor(records):
    from scoring.index.margins import near_threshold_section

    ev = _ev(records, 2018)
    doc = annex.build_document(ev, sections=["monitor", "near_threshold"], with_charts=False)
    assert [(num, s.key) for num, s in doc.numbered()][-2:] == [("VI", "monitor"), ("VII", "near_threshold")]
    section = doc.section("near_threshold")
    df, title, _ = near_threshold_section(ev.records, 2018, ev.criteria)
    assert section.title == title == "Các cơ quan, đơn vị cận ngưỡng xếp loại"
    assert section.tables[0].headers == ["STT", *df.columns]
    assert [r[1] for r in section.tables[0].rows] == list(df["Cơ quan, đơn vị"])
    assert section.tables[0].rows[0][:5] == (
        "1",
        "Sở Lao động - Thương binh và Xã hội",
        "Sở, ban, ngành",
        "84,69",
        "Khá",
    )
    assert (
        "«" not in " ".join(doc_texts(doc)) and "(đạt ngưỡng 85,00 của “Tốt”)" in section.tables[0].rows[0][5]
    )


def test_an_unknown_optional_section_is_refused_with_what_exists(records):
    with pytest.raises(
        annex.SectionError,
        match="Không có phần bổ sung “khong_co” .các phần có sẵn: ledger, monitor, near_threshold",
    ):
        annex.build_document(_ev(records, 2018), sections=["khong_co"], with_charts=False)
    with pytest.raises(annex.SectionError, match="Không tìm thấy phần bổ sung"):
        annex.build_document(_ev(records, 2018), sections=["scoring.khong_co:ham"], with_charts=False)


# -- the command line: bad input is refused before anything runs -----------------------------


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--year", "2030"], "năm đánh giá không có dữ liệu"),
        (["--year", "2018", "--set", "unit_late_treshold_percent=12"], "Tham số không được biết"),
        (["--year", "2018", "--date", "31/02/2019"], "không phải ngày hợp lệ"),
        (["--year", "2018", "--correct", "KHONG_CO=80"], "KHONG_CO"),
        (["--year", "2018", "--section", "khong_co"], "Không có phần bổ sung"),
    ],
)
def test_invalid_input_exits_2_and_writes_nothing(tmp_path, capsys, extra, message):
    out = tmp_path / "out"
    assert main(["annex", str(scoring.sample.sample_path()), "--out", str(out), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
