"""The monitor of the programme's measurable commitments (issue 10 §5).

Each commitment of criteria/commitments.yaml gets, for a year, one of four statuses — đạt, chưa
đạt, chưa có số liệu, chưa đến hạn — from the `indicators` table (or a core table it is derived
from), compared exactly with its target. Cases are named by the situation; every threshold is
tested on both sides and every reading in both positions.
"""

from __future__ import annotations

import csv
import functools
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import HTT, SO, baseline, make_dataset

import scoring
import scoring.cli
import scoring.export
import scoring.sample
from scoring.criteria import Criteria
from scoring.monitor import load_commitments, monitor_commitments
from scoring.monitor.indicators import parse_number

DAT, CHUA_DAT, KHONG_SO_LIEU, CHUA_DEN_HAN = "đạt", "chưa đạt", "chưa có số liệu", "chưa đến hạn"
KH = "KHANH_HOA"


def folder(tmp_path: Path, indicators=None, sep=",", unit_dossiers=None, years=(2018, 2019, 2020)) -> Path:
    """Two units, a result and an official a year, and an indicators table of `indicators` rows
    (dicts of the table's columns; None leaves the table out)."""
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO), ("U2", "Sở Hai", SO)],
        reform_results=[(y, u, "90", "") for y in years for u in ("U1", "U2")],
        officials=[(y, "O1", "Lê Văn An", "U1", "head", HTT) for y in years],
        unit_dossiers=unit_dossiers,
    )
    if indicators is not None:
        cols = ["year", "indicator_id", "subject_id", "value", "numerator", "denominator"]
        cols += [k for r in indicators for k in r if k not in cols]
        with open(data / "indicators.csv", "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter=sep)
            w.writerow(cols)
            w.writerows([[r.get(c, "") for c in cols] for r in indicators])
    return data


def row(year, indicator, subject, value="", numerator="", denominator="", **extra):
    return dict(
        year=year,
        indicator_id=indicator,
        subject_id=subject,
        value=value,
        numerator=numerator,
        denominator=denominator,
        **extra,
    )


def status(data: Path, year: int, commitment: str, criteria=None, **readings):
    m = monitor(data, year, criteria, **readings)
    return next(j for j in m.judgements if j.commitment.id == commitment), m


@functools.cache
def commitments_file():
    return load_commitments()


def monitor(data: Path, year: int, criteria=None, **readings):
    crit = criteria or baseline()
    commitments = commitments_file().with_overrides(readings)
    return monitor_commitments(scoring.load_records(data, crit), year, crit, commitments)


def word(m, j) -> str:
    return m.commitments.status(j.key)


# -- the commitments as data ------------------------------------------------------------------


def test_at_least_25_commitments_each_with_clause_quote_indicator_target_and_table():
    c = load_commitments()
    assert len(c.commitments) >= 25
    assert len({x.id for x in c.commitments}) == len(c.commitments)
    for x in c.commitments:
        assert x.clause and x.quote and x.title and x.table in ("indicators", "unit_dossiers"), x.id
        assert x.indicator.observed in ("province", "level", "unit", "enterprise", "facility", "organisation")
        assert x.target.comparison in (">", ">=", "<", "<=", "==", "rising", "falling")
        assert x.target.due in ("yearly", "undated") or isinstance(x.target.due, int)


def test_docs_list_every_commitment():
    text = (Path(__file__).resolve().parent.parent / "docs" / "monitor.md").read_text(encoding="utf-8")
    assert [c.id for c in load_commitments().commitments if f"`{c.id}`" not in text] == []


def test_the_status_words_are_exactly_the_four_of_the_issue():
    c = load_commitments()
    assert [c.status(k) for k in ("met", "not_met", "no_data", "not_due")] == [
        DAT,
        CHUA_DAT,
        KHONG_SO_LIEU,
        CHUA_DEN_HAN,
    ]


# Read from the programme (criteria/source/) by hand: every sentence that commits to something
# measurable, by clause and a phrase of it. Each must have an entry: a commitment of
# criteria/commitments.yaml or a rule of criteria/khanh-hoa-2017.yaml in that clause, whose quote
# holds the phrase. A commitment dropped from the criteria fails here.
MEASURABLE = [
    ("I.2", "tăng tỷ lệ hồ sơ được tiếp nhận, giải quyết trực tuyến"),
    ("I.2", "giải quyết hồ sơ theo đúng quy định và đúng hạn"),
    ("I.2", "đạt trên 80% vào năm 2020"),
    ("I.2", "năng lực cạnh tranh cấp tỉnh (PCI)"),
    ("I.2", "(PAPI) phải chuyển biến tích cực"),
    ("I.2", "đẩy mạnh thực hiện liên thông các thủ tục hành chính"),
    ("I.2", "triển khai đề án vị trí việc làm"),
    ("II.1", "không thanh tra, kiểm tra chồng chéo"),
    ("II.1", "không quá 01 lần trong năm đối với mỗi doanh nghiệp"),
    ("II.1", "ít nhất 02 lần/năm"),
    ("II.1", "xử lý có hiệu quả các kiến nghị"),
    ("II.1", "Công khai toàn bộ các quy định, chính sách"),
    ("II.1", "công bố rộng rãi địa chỉ đường dây nóng"),
    ("II.2", "tập trung, thống nhất tại một địa chỉ trên mạng Internet"),
    ("II.2", "có từ 10% hồ sơ trễ hạn trở lên"),
    ("II.2", "trễ hạn trên 10% hồ sơ"),
    ("II.2", "chỉ hẹn 01 lần và xin lỗi bằng văn bản"),
    ("II.3", "đúng và sớm hơn so với thời hạn quy định"),
    ("II.3", "tinh giản biên chế"),
    ("II.3", "tinh gọn đầu mối"),
    ("II.4", "có kỹ năng và kinh nghiệm giao tiếp làm việc tại bộ phận một cửa"),
    ("II.4", "đánh giá việc thực hiện chức trách, nhiệm vụ hàng năm"),
    ("II.4", "ưu tiên đề bạt, bổ nhiệm, nâng lương trước thời hạn"),
    ("II.4", "đạt mức trung bình trở xuống"),
    ("II.4", "03 năm liên tục xếp hạng trung bình"),
    ("II.4", "không được xếp loại trong sạch, vững mạnh"),
    ("II.4", "phải đẩy mạnh thanh tra công vụ"),
    ("II.4", "đề án thí điểm định lượng hóa công việc"),
    ("II.4", "tiêu chuẩn đầu ra để đào tạo, bồi dưỡng"),
    ("II.5", "tiêu chuẩn, định mức để xác định dự toán ngân sách"),
    ("II.5", "thí điểm giao dự toán ngân sách nhà nước"),
    ("II.5", "trực tuyến mức độ 4 trở lên"),
    ("II.5", "phải tự chủ hoàn toàn về kinh phí"),
    ("II.5", "khoảng 60 - 70% kinh phí chi thường xuyên"),
    ("II.6", "Trung tâm Dịch vụ hành chính công trực tuyến của tỉnh vào vận hành"),
    ("II.6", "trực tuyến hóa toàn bộ các giao dịch"),
    ("II.6", "giảm ít nhất 60% văn bản, hồ sơ giấy"),
    ("II.6", "TCVN ISO 9001:2008 đối với toàn bộ thủ tục hành chính"),
    ("III.1", "xây dựng kế hoạch cải cách hành chính tại địa phương, đơn vị"),
    ("III.1", "Phân công cấp ủy viên phụ trách"),
    ("III.2", "cụ thể hóa nội dung cải cách hành chính trong các tiêu chí đánh giá"),
    ("III.3", "Chương trình kiểm tra, giám sát hàng năm của Tỉnh ủy"),
    ("III.4", "thanh tra, kiểm tra việc thực hiện"),
    ("III.4", "báo cáo tình hình, kết quả thực hiện theo chế độ"),
    ("III.5", "xây dựng kế hoạch, giải pháp hàng năm"),
    ("III.6", "trong tháng 12 hàng năm"),
]


def _entries():
    crit = baseline()
    rules = [(crit.rule(r).clause, crit.rule(r).quote) for r in scoring.criteria.RULE_IDS]
    return rules + [(c.clause, c.quote) for c in load_commitments().commitments]


@pytest.mark.parametrize("clause, phrase", MEASURABLE, ids=[f"{c} {p}" for c, p in MEASURABLE])
def test_every_measurable_commitment_of_the_programme_has_an_entry(clause, phrase):
    assert any(c == clause and phrase in q for c, q in _entries()), f"mục {clause}: «{phrase}» has no entry"


def test_the_fidelity_list_covers_each_entry_of_the_criteria():
    """The other direction: no entry the hand-made list does not know (it would be untested)."""
    for clause, quote in _entries():
        assert any(c == clause and p in quote for c, p in MEASURABLE), (clause, quote)


@pytest.mark.parametrize(
    "edit, message",
    [
        (("indicator: sipas", "indicator: sipass"), "chỉ số không được biết"),
        (('comparison: ">", value: 80, due: 2020', 'comparison: "≥", value: 80, due: 2020'), "comparison"),
        (('    subjects: ["TINH"]\n', ""), "đúng một đối tượng"),
        (
            ("  flat_counts_as_rising:\n    value: false", "  flat_counts_as_rising:\n    value: maybe"),
            "true hoặc false",
        ),
    ],
    ids=["unknown-indicator", "bad-comparison", "direction-over-several-subjects", "bad-reading"],
)
def test_a_broken_commitments_file_is_refused_with_a_message(tmp_path, edit, message):
    from scoring.monitor.commitments import DEFAULT_COMMITMENTS

    text = DEFAULT_COMMITMENTS.read_text(encoding="utf-8")
    assert edit[0] in text
    path = tmp_path / "c.yaml"
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(scoring.CriteriaError, match=message):
        load_commitments(path)


def test_an_unknown_reading_is_refused_with_a_suggestion():
    with pytest.raises(scoring.CriteriaError, match="flat_counts_as_rising"):
        load_commitments().with_overrides({"flat_count_as_rising": "true"})


# -- the four statuses at the edges of their targets -----------------------------------------


@pytest.mark.parametrize(
    "value, expected", [("80", CHUA_DAT), ("80,00", CHUA_DAT), ("80.01", DAT), ("81,82", DAT)]
)
def test_satisfaction_must_be_above_80_percent_in_2020(tmp_path, value, expected):
    j, m = status(folder(tmp_path, [row(2020, "sipas", KH, value)]), 2020, "satisfaction_above_80")
    assert word(m, j) == expected  # "trên 80%": 80 exactly is not above


def test_satisfaction_before_2020_is_not_due_and_says_whether_it_is_already_met(tmp_path):
    data = folder(tmp_path, [row(2018, "sipas", KH, "85"), row(2019, "sipas", KH, "79")])
    j, m = status(data, 2018, "satisfaction_above_80")
    assert word(m, j) == CHUA_DEN_HAN and "hiện đã đạt" in m.table.loc[0, "note"]
    j, m = status(data, 2019, "satisfaction_above_80")
    assert word(m, j) == CHUA_DEN_HAN and "hiện chưa đạt" in m.table.loc[0, "note"]


def test_no_row_for_the_year_is_no_data_never_a_guess(tmp_path):
    j, m = status(folder(tmp_path, [row(2019, "sipas", KH, "85")]), 2020, "satisfaction_above_80")
    assert word(m, j) == KHONG_SO_LIEU and j.value is None


def test_without_an_indicators_table_every_commitment_it_carries_has_no_data(tmp_path):
    m = monitor(folder(tmp_path, None), 2020)
    carried = [j for j in m.judgements if j.commitment.table == "indicators"]
    assert carried and all(word(m, j) == KHONG_SO_LIEU for j in carried)
    assert any("không có bảng indicators" in n for n in m.notes)


@pytest.mark.parametrize("n, expected", [(2, DAT), (1, CHUA_DAT), (3, DAT)])
def test_at_least_two_dialogues_a_year(tmp_path, n, expected):
    j, m = status(folder(tmp_path, [row(2020, "business_dialogues", KH, n)]), 2020, "business_dialogues")
    assert word(m, j) == expected


@pytest.mark.parametrize("numerator, denominator, expected", [(80, 100, DAT), (79, 100, CHUA_DAT)])
def test_a_share_given_as_a_count_of_a_count_compares_exactly(tmp_path, numerator, denominator, expected):
    data = folder(tmp_path, [row(2020, "paper_reduction", KH, "", numerator, denominator)])
    j, m = status(data, 2020, "paper_reduction_60")
    assert word(m, j) == (DAT if numerator * 100 >= 60 * denominator else CHUA_DAT)
    j, m = status(data, 2020, "paper_reduction_60")
    assert j.value == Fraction(100 * numerator, denominator)


def test_a_share_just_below_the_target_is_not_rounded_up(tmp_path):
    # 5 999/10 000 = 59,99%: shown as 59,99, never rounded to 60
    j, m = status(
        folder(tmp_path, [row(2020, "paper_reduction", KH, "", 5999, 10000)]), 2020, "paper_reduction_60"
    )
    assert word(m, j) == CHUA_DAT
    j, m = status(
        folder(tmp_path / "b", [row(2020, "paper_reduction", KH, "", 6000, 10000)]),
        2020,
        "paper_reduction_60",
    )
    assert word(m, j) == DAT


# -- several subjects ---------------------------------------------------------------------------


def test_one_enterprise_inspected_twice_misses_the_once_a_year_target(tmp_path):
    rows = [row(2020, "inspections_per_enterprise", e, n) for e, n in (("DN1", 1), ("DN2", 0), ("DN3", 2))]
    j, m = status(folder(tmp_path, rows), 2020, "one_inspection_per_enterprise")
    assert word(m, j) == CHUA_DAT
    assert m.table.set_index("commitment_id").loc["one_inspection_per_enterprise", "subjects_met"] == "2/3"
    assert j.value == 2  # the worst subject
    assert j.trend_met == ((2020, 2, 3),)  # the trend line of several subjects: how many meet it


def test_every_enterprise_inspected_at_most_once_meets_it(tmp_path):
    rows = [row(2020, "inspections_per_enterprise", e, n) for e, n in (("DN1", 1), ("DN2", 0))]
    j, m = status(folder(tmp_path, rows), 2020, "one_inspection_per_enterprise")
    assert word(m, j) == DAT


def test_a_unit_without_a_row_leaves_an_every_unit_commitment_without_data(tmp_path):
    j, m = status(folder(tmp_path, [row(2020, "hotline_published", "U1", "có")]), 2020, "hotline_published")
    assert word(m, j) == KHONG_SO_LIEU and j.missing == ("U2",)
    assert "U2" in m.table.set_index("commitment_id").loc["hotline_published", "note"]


def test_one_unit_that_misses_is_enough_for_chua_dat_whatever_else_is_missing(tmp_path):
    j, m = status(
        folder(tmp_path, [row(2020, "hotline_published", "U1", "Không")]), 2020, "hotline_published"
    )
    assert word(m, j) == CHUA_DAT


def test_every_unit_with_a_yes_meets_it_in_any_written_form(tmp_path):
    rows = [row(2020, "hotline_published", "U1", "CÓ"), row(2020, "hotline_published", "U2", "1")]
    j, m = status(folder(tmp_path, rows), 2020, "hotline_published")
    assert word(m, j) == DAT


@pytest.mark.parametrize("target, expected", [(None, DAT), ("70", CHUA_DAT), ("62", DAT), ("64", CHUA_DAT)])
def test_mountain_hospitals_about_60_to_70_percent_both_readings(tmp_path, target, expected):
    rows = [
        row(2020, "self_financing_share", "BVDK_KHANHSON", "64"),
        row(2020, "self_financing_share", "BVDK_KHANHVINH", "62"),
    ]
    readings = {} if target is None else {"mountain_hospital_target_percent": target}
    j, m = status(folder(tmp_path, rows), 2020, "mountain_hospitals_self_financing", **readings)
    assert word(m, j) == expected


def test_the_mountain_hospitals_are_not_held_to_full_self_financing(tmp_path):
    rows = [
        row(2020, "self_financing_share", "BVDK_NINHHOA", "100"),
        row(2020, "self_financing_share", "BVDK_KHANHSON", "64"),
    ]
    j, m = status(folder(tmp_path, rows), 2020, "hospitals_self_financing")
    assert word(m, j) == DAT and j.subjects_met == (1, 1)


# -- directions -------------------------------------------------------------------------------


def _levels(tmp_path, before, now):
    rows = [
        row(2019, "online_dossier_share", "HUYEN", before),
        row(2020, "online_dossier_share", "HUYEN", now),
    ]
    return folder(tmp_path, rows)


@pytest.mark.parametrize(
    "before, now, flat_ok, expected",
    [
        ("5", "6", False, DAT),
        ("6", "5,5", False, CHUA_DAT),
        ("6", "6", False, CHUA_DAT),  # "tăng" is higher, not the same
        ("6", "6", True, DAT),  # the other reading
        ("6", "5,5", True, CHUA_DAT),
    ],
)
def test_a_rising_share_compares_with_the_year_before(tmp_path, before, now, flat_ok, expected):
    j, m = status(
        _levels(tmp_path, before, now),
        2020,
        "online_share_district_rising",
        flat_counts_as_rising=str(flat_ok),
    )
    assert word(m, j) == expected


def test_a_rising_share_without_the_year_before_has_no_data(tmp_path):
    data = folder(tmp_path, [row(2020, "online_dossier_share", "HUYEN", "6")])
    j, m = status(data, 2020, "online_share_district_rising")
    assert word(m, j) == KHONG_SO_LIEU and "2019" in j.reason


@pytest.mark.parametrize("before, now, expected", [(31250, 30880, DAT), (30880, 31000, CHUA_DAT)])
def test_staff_numbers_must_fall(tmp_path, before, now, expected):
    rows = [row(2019, "staff_headcount", KH, before), row(2020, "staff_headcount", KH, now)]
    j, m = status(folder(tmp_path, rows), 2020, "staff_reduction")
    assert word(m, j) == expected


# -- when a target falls due ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "year, due_year, expected",
    [(2019, None, CHUA_DEN_HAN), (2020, None, CHUA_DAT), (2019, "null", CHUA_DAT), (2019, "2019", CHUA_DAT)],
)
def test_an_undated_target_falls_due_at_the_end_of_the_period_both_readings(
    tmp_path, year, due_year, expected
):
    rows = [row(2019, "paper_reduction", KH, "41"), row(2020, "paper_reduction", KH, "58")]
    readings = {} if due_year is None else {"undated_due_year": due_year}
    j, m = status(folder(tmp_path, rows), year, "paper_reduction_60", **readings)
    assert word(m, j) == expected


def test_a_yearly_duty_is_judged_every_year(tmp_path):
    rows = [row(2018, "business_dialogues", KH, 1), row(2019, "business_dialogues", KH, 2)]
    data = folder(tmp_path, rows)
    assert word(*reversed(status(data, 2018, "business_dialogues"))) == CHUA_DAT
    assert word(*reversed(status(data, 2019, "business_dialogues"))) == DAT


def test_before_the_programme_is_in_force_every_commitment_is_not_due(tmp_path):
    base = scoring.load_criteria()
    crit = Criteria(base.doc, base.source, base.sha256, (), {**base.params, "in_force_from_year": 2017})
    data = folder(tmp_path, [row(2016, "business_dialogues", KH, 1)], years=(2016, 2017))
    j, m = status(data, 2016, "business_dialogues", crit)
    assert word(m, j) == CHUA_DEN_HAN and "2017" in j.reason
    j, m = status(data, 2017, "business_dialogues", crit)
    assert word(m, j) == KHONG_SO_LIEU  # in force: judged (and there is no 2017 figure)


# -- an indicator derived from the core tables -----------------------------------------------------


@pytest.mark.parametrize("late, expected", [(0, DAT), (1, CHUA_DAT)])
def test_dossiers_on_time_come_from_unit_dossiers(tmp_path, late, expected):
    data = folder(tmp_path, [], unit_dossiers=[(2020, "U1", 100, late), (2020, "U2", 50, 0)])
    j, m = status(data, 2020, "dossiers_on_time")
    assert word(m, j) == expected
    assert j.value == Fraction(100 * (150 - late), 150)


def test_without_unit_dossiers_the_on_time_share_has_no_data(tmp_path):
    j, m = status(folder(tmp_path, []), 2020, "dossiers_on_time")
    assert word(m, j) == KHONG_SO_LIEU


# -- bad input: a clear Vietnamese message per problem, nothing guessed -------------------------------


@pytest.mark.parametrize(
    "bad, column, expected",
    [
        (row(2020, "sipass", KH, "81"), "indicator_id", "có phải «sipas»"),
        (row(2020, "on_time_share", KH, "99"), "indicator_id", "tính từ bảng unit_dossiers"),
        (row(2020, "sipas", "", "81"), "subject_id", "không được để trống"),
        (row(2020, "sipas", "TINH", "81"), "subject_id", "KHANH_HOA"),
        (row(2020, "hotline_published", "U9", "có"), "subject_id", "không có trong bảng units"),
        (row(2020, "online_dossier_share", "TINH", "mười"), "value", "cần một số"),
        (row(2020, "sipas", KH, "101"), "value", "từ 0 đến 100"),
        (row(2020, "business_dialogues", KH, "2,5"), "value", "số nguyên không âm"),
        (row(2020, "hotline_published", "U1", "chưa"), "value", "«có» hoặc «không»"),
        (row(2020, "paper_reduction", KH, "", "7", "5"), "numerator", "tử số ≤ mẫu số"),
        (row(2020, "paper_reduction", KH, "", "7", "0"), "numerator", "mẫu số > 0"),
        (row(2020, "paper_reduction", KH, "60", "7", "10"), "value", "không khớp với tử số/mẫu số 7/10"),
        (row(2020, "sipas", KH, ""), "value", "không được để trống"),
        (row("2020a", "sipas", KH, "81"), "year", "cần năm"),
    ],
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_a_bad_cell_is_refused_naming_the_row_column_and_value(tmp_path, bad, column, expected):
    data = folder(tmp_path, [row(2020, "pci", KH, "63"), bad])
    with pytest.raises(scoring.ValidationError) as err:
        monitor(data, 2020)
    problems = err.value.problems
    assert len(problems) == 1, err.value.report()
    p = problems[0]
    assert (p.where, p.row, p.column) == ("indicators.csv", 3, column)
    assert expected in p.message()


def test_a_figure_given_twice_is_refused_naming_both_rows(tmp_path):
    data = folder(
        tmp_path, [row(2020, "sipas", KH, "81"), row(2020, "pci", KH, "63"), row(2020, "sipas", KH, "82")]
    )
    with pytest.raises(scoring.ValidationError, match="dòng 2") as err:
        monitor(data, 2020)
    assert err.value.problems[0].row == 4


def test_a_table_without_the_required_columns_is_refused(tmp_path):
    data = folder(tmp_path, [])
    (data / "indicators.csv").write_text(
        "nam,indicator_id,subject_id,value\n2020,sipas,KHANH_HOA,81\n", encoding="utf-8"
    )
    with pytest.raises(scoring.ValidationError, match="thiếu cột bắt buộc year"):
        monitor(data, 2020)
    (data / "indicators.csv").write_text(
        "year,indicator_id,subject_id\n2020,sipas,KHANH_HOA\n", encoding="utf-8"
    )
    with pytest.raises(scoring.ValidationError, match="cần cột value"):
        monitor(data, 2020)


def test_every_problem_is_listed_at_once(tmp_path):
    bad = [row(2020, "sipas", KH, "x"), row(2020, "pci", "", "1"), row(2020, "nope", KH, "1")]
    with pytest.raises(scoring.ValidationError) as err:
        monitor(folder(tmp_path, bad), 2020)
    assert len(err.value.problems) == 3


def test_vietnamese_regional_settings_semicolons_and_decimal_commas_are_read(tmp_path):
    rows = [
        row(2020, "sipas", KH, "80,01"),
        row(2020, "staff_headcount", KH, "29.960"),
        row(2019, "staff_headcount", KH, "30.410"),
    ]
    m = monitor(folder(tmp_path, rows, sep=";"), 2020)
    by_id = {j.commitment.id: j for j in m.judgements}
    assert by_id["satisfaction_above_80"].value == Fraction("80.01")
    assert by_id["staff_reduction"].value == 29960 and word(m, by_id["staff_reduction"]) == DAT


@pytest.mark.parametrize(
    "text, decimal_comma, expected",
    [
        ("81,82", False, "81.82"),
        ("81.82", False, "81.82"),
        ("1.234", True, "1234"),
        ("1.234,5", True, "1234.5"),
        ("1,2,3", False, None),
        ("", False, None),
    ],
)
def test_numbers_as_people_write_them(text, decimal_comma, expected):
    v = parse_number(text, decimal_comma)
    assert v == (None if expected is None else Fraction(expected))


def test_a_year_with_no_record_and_no_indicator_is_refused(tmp_path):
    with pytest.raises(scoring.ValidationError, match="dữ liệu không có năm này"):
        monitor(folder(tmp_path, [row(2020, "sipas", KH, "81")]), 2031)


def test_a_year_known_only_from_the_indicators_is_monitored(tmp_path):
    m = monitor(folder(tmp_path, [row(2021, "sipas", KH, "84,4")]), 2021)
    assert word(m, m.judgements[0]) == DAT


def test_columns_for_people_are_ignored_and_others_are_noted(tmp_path):
    rows = [row(2020, "sipas", KH, "81", source="published", note="Bộ Nội vụ", unit="%")]
    m = monitor(folder(tmp_path, rows), 2020)
    assert any("bỏ qua các cột không dùng đến: unit" in n for n in m.notes)
    assert not any("source" in n for n in m.notes)


# -- the report ---------------------------------------------------------------------------------


def test_monitor_csv_has_the_columns_of_the_contract(tmp_path):
    m = monitor(folder(tmp_path, [row(2019, "sipas", KH, "79"), row(2020, "sipas", KH, "81,82")]), 2020)
    t = m.table
    assert {"commitment_id", "clause", "indicator", "target", "value", "status"} <= set(t.columns)
    r = t.set_index("commitment_id").loc["satisfaction_above_80"]
    assert (r["clause"], r["indicator"], r["target"], r["due"], r["value"], r["status"]) == (
        "I.2",
        "sipas",
        ">80",
        "2020",
        "81.82",
        DAT,
    )
    assert (r["previous_value"], r["direction"], r["trend"]) == ("79.00", "up", "2019:79.00;2020:81.82")
    assert set(t["status"]) <= {DAT, CHUA_DAT, KHONG_SO_LIEU, CHUA_DEN_HAN}


def test_people_read_targets_and_values_in_their_own_form(tmp_path):
    from scoring.monitor import people_table

    m = monitor(
        folder(tmp_path, [row(2020, "sipas", KH, "81,82"), row(2020, "staff_headcount", KH, "29960")]), 2020
    )
    t = people_table(m).set_index("Chỉ tiêu")
    sipas = t.loc["Mức độ hài lòng của tổ chức, cá nhân trên 80% vào năm 2020"]
    assert (sipas["Mục tiêu"], sipas["Năm 2020"], sipas["Tình hình"]) == (
        "trên 80% vào năm 2020",
        "81,82%",
        DAT,
    )
    assert t.loc["Tinh giản biên chế: biên chế giảm", "Năm 2020"] == "29.960 người"
    assert list(people_table(m).columns[:3]) == ["Chỉ tiêu", "Mục", "Mục tiêu"]


def test_the_notebook_table_is_a_traffic_light_with_a_trend_line(tmp_path):
    from scoring.monitor import traffic_light_html

    rows = [row(y, "sipas", KH, v) for y, v in ((2018, "79"), (2019, "80"), (2020, "81,82"))]
    html = traffic_light_html(monitor(folder(tmp_path, rows), 2020))
    assert html.count("<tr>") == 1 + len(load_commitments().commitments)
    assert "<polyline" in html and "#2e7d32" in html and "#9e9e9e" in html  # a green and a grey light
    assert "2018: 79; 2019: 80; 2020: 81,82" in html


def test_the_annex_section_has_its_title_basis_and_a_row_per_commitment():
    from scoring.monitor import ANNEX_TITLE, annex_section

    crit = scoring.load_criteria()
    ev = scoring.evaluate(scoring.load_records(None, crit), 2020, crit)
    s = annex_section(ev)
    assert s.title == ANNEX_TITLE == "Tình hình thực hiện các chỉ tiêu của Chương trình"
    assert s.basis.startswith("Căn cứ: các mục I.2, II.1, II.2") and "III.6" in s.basis
    assert len(s.table) == len(load_commitments().commitments)
    assert list(s.table.columns) == ["STT", "Chỉ tiêu", "Mục", "Mục tiêu", "Năm 2020", "Tình hình", "Ghi chú"]
    assert all(isinstance(v, str) for v in s.table.to_numpy().ravel())


# -- the command ----------------------------------------------------------------------------------


def _cli(*args) -> int:
    return scoring.cli.main(["monitor", *map(str, args)])


def test_the_command_writes_the_report_the_series_and_the_stamp(tmp_path, capsys):
    out = tmp_path / "out"
    assert _cli(scoring.sample.sample_path(), "--year", 2020, "--out", out) == 0
    said = capsys.readouterr().out
    assert "Năm 2020: 43 chỉ tiêu của Chương trình — đạt:" in said and f"Đã ghi kết quả vào {out}" in said
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "monitor.csv", "monitor_series.csv"]
    body = (out / "monitor.csv").read_bytes()
    assert body.startswith("\ufeff".encode()) and b"\r\n" in body
    import json

    stamp = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert stamp["command"] == "monitor" and stamp["commitments"]["file"] == "commitments.yaml"
    assert "indicators.csv" in stamp["inputs"]["sha256"]


def test_the_same_inputs_give_the_same_bytes(tmp_path):
    for name in ("a", "b"):
        assert _cli(scoring.sample.sample_path(), "--year", 2019, "--out", tmp_path / name, "--quiet") == 0
    for f in ("monitor.csv", "monitor_series.csv", "manifest.json"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_a_reading_switched_on_the_command_line_changes_the_status(tmp_path):
    sample = scoring.sample.sample_path()
    assert _cli(sample, "--year", 2020, "--out", tmp_path / "a", "--quiet") == 0
    assert (
        _cli(
            sample, "--year", 2020, "--out", tmp_path / "b", "--quiet", "--set", "flat_counts_as_rising=true"
        )
        == 0
    )

    def interlinked(folder):
        text = (folder / "monitor.csv").read_text(encoding="utf-8-sig")
        return next(line for line in text.splitlines() if ",interlinked_procedures_rising," in line)

    assert interlinked(tmp_path / "a").endswith(f"{CHUA_DAT},2017:35;2018:48;2019:62;2020:62,,indicators")
    assert f",{DAT}," in interlinked(tmp_path / "b")


def test_bad_indicators_exit_2_and_write_nothing(tmp_path, capsys):
    data = folder(tmp_path, [row(2020, "sipas", KH, "abc")])
    assert _cli(data, "--year", 2020, "--out", tmp_path / "out") == 2
    assert "indicators.csv, dòng 2, cột value: giá trị «abc»" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_unknown_parameter_exits_2_naming_both_kinds(tmp_path, capsys):
    assert _cli(scoring.sample.sample_path(), "--year", 2020, "--out", tmp_path / "o", "--set", "x=1") == 2
    err = capsys.readouterr().err
    assert "flat_counts_as_rising" in err and "unit_late_threshold_percent" in err


def test_an_out_that_is_a_file_exits_2_and_an_unwritable_one_exits_1(tmp_path, capsys, monkeypatch):
    f = tmp_path / "out.txt"
    f.write_text("giữ", encoding="utf-8")
    assert _cli(scoring.sample.sample_path(), "--year", 2020, "--out", f) == 2
    assert f.read_text(encoding="utf-8") == "giữ"

    def refuse(*_args, **_kw):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(scoring.export, "write_files", refuse)
    assert _cli(scoring.sample.sample_path(), "--year", 2020, "--out", tmp_path / "o") == 1
    assert "Không ghi được kết quả" in capsys.readouterr().err


# -- the readings as notebook controls ---------------------------------------------------------------


def _status_of(panel, cid: str) -> str:
    j = next(j for j in panel.monitoring.judgements if j.commitment.id == cid)
    return panel.monitoring.commitments.status(j.key)


def test_a_control_per_reading_set_at_the_baseline_and_switching_each_redraws():
    from scoring.monitor.commitments import PARAM_KINDS
    from scoring.monitor.panel import NO_YEAR, MonitorPanel

    records = scoring.load_records(None, baseline())
    p = MonitorPanel(records, 2020, baseline(), commitments_file())
    assert set(p.controls) == set(PARAM_KINDS) and p.overrides == {}
    assert _status_of(p, "interlinked_procedures_rising") == CHUA_DAT  # 62 then 62
    p.controls["flat_counts_as_rising"].value = True
    assert _status_of(p, "interlinked_procedures_rising") == DAT
    assert "flat_counts_as_rising = True" in p.table.value
    assert _status_of(p, "mountain_hospitals_self_financing") == DAT  # 64% and 61,5% against 60
    p.controls["mountain_hospital_target_percent"].value = 70
    assert _status_of(p, "mountain_hospitals_self_financing") == CHUA_DAT
    p19 = MonitorPanel(records, 2019, baseline(), commitments_file())
    assert _status_of(p19, "paper_reduction_60") == CHUA_DEN_HAN
    p19.controls["undated_due_year"].value = NO_YEAR
    assert p19.overrides == {"undated_due_year": None}
    assert _status_of(p19, "paper_reduction_60") == CHUA_DAT
