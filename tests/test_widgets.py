"""The what-if panel's wiring, without a browser: move a control, the outputs follow."""

from __future__ import annotations

import ipywidgets as W
import openpyxl
import pytest

import scoring
from scoring.criteria import PARAM_KINDS
from scoring.vietnamese import sort_key
from scoring.widgets import WhatIf, show, unit_options

CRIT = scoring.load_criteria()
RECS = scoring.load_records(None, CRIT)


@pytest.fixture
def w(tmp_path):
    return WhatIf(RECS, CRIT, year=2020, out_dir=tmp_path)


def test_a_control_for_every_parameter_set_at_the_baseline(w):
    assert set(PARAM_KINDS) <= set(w.controls)
    kinds = {
        "unit_late_threshold_percent": W.BoundedFloatText,
        "band_min_tot": W.BoundedFloatText,
        "streak_years_average": W.BoundedIntText,
        "weak_counts_toward_average_streak": W.Checkbox,
        "rank_ties": W.Dropdown,
        "head_band_trigger": W.Dropdown,
        "rate_rounding_decimals": W.Dropdown,
    }
    for name, cls in kinds.items():
        assert isinstance(w.controls[name], cls), name
    assert w.controls["unit_late_threshold_percent"].value == 10
    assert w.overrides == {} and w.corrections == ()
    assert w.changes.empty and w.error is None
    assert "Không có quyết định nào khác" in w.changes_html.value


def test_moving_the_unit_threshold_updates_changes_counts_and_tables(w):
    w.controls["unit_late_threshold_percent"].value = 12
    assert w.overrides == {"unit_late_threshold_percent": 12}
    assert set(w.changes["subject_id"]) == {"SO_XD", "UB_VANNINH", "DH_KHANHHOA"}
    counts = w.counts
    assert counts.loc["units_not_eligible", "Phương án gốc"] == 3
    assert counts.loc["units_not_eligible", "Kịch bản"] == 0
    assert counts.loc["units_not_eligible", "Chênh lệch"] == -3
    assert "SO_XD" in w.changes_html.value and "không còn áp dụng" in w.changes_html.value
    assert "−3" in w.counts_html.value or "-3" in w.counts_html.value
    assert "12" in w.status.value


def test_a_reading_switch_lifts_the_removal_trigger(w):
    w.controls["weak_counts_toward_average_streak"].value = False
    assert w.changes.iloc[0]["rule_id"] == "head_removal_streak"
    assert w.counts.loc["removal_triggers", "Kịch bản"] == 0
    assert w.evaluation.criteria["weak_counts_toward_average_streak"] is False


def test_choosing_a_unit_shows_its_score_and_corrects_only_once_edited(w):
    w.controls["unit"].value = "Trường Đại học Khánh Hòa"  # picked by name
    assert w.unit_id == "DH_KHANHHOA"
    assert w.controls["score"].value == pytest.approx(62.15)
    assert "62,15" in w.score_note.value
    assert w.corrections == () and w.changes.empty
    w.controls["score"].value = 72
    assert [c.to_dict() for c in w.corrections] == [
        {"unit_id": "DH_KHANHHOA", "year": 2020, "score": "72.00"}
    ]
    assert w.changes.iloc[0]["subject_id"] == "CB00253"
    band = w.evaluation.unit_ranking.set_index("unit_id").loc["DH_KHANHHOA", "band"]
    assert band == "Khá"
    assert w.counts.loc["band:Trung bình", "Chênh lệch"] == -1


def test_another_year_uses_its_own_baseline_kept_once(w):
    first = w.baseline
    w.controls["year"].value = 2018
    assert w.baseline.year == 2018 and w.evaluation.year == 2018
    w.controls["year"].value = 2020
    assert w.baseline is first
    w.controls["unit_late_threshold_percent"].value = 12
    assert w.evaluation.year == 2020 and len(w.changes) > 0


def test_inconsistent_bounds_show_an_error_not_a_crash(w):
    w.controls["band_min_kha"].value = 90
    assert w.error and "giảm dần" in w.error
    assert w.evaluation is None and w.changes.empty
    assert "Không tính được kịch bản" in w.status.value
    w.controls["band_min_kha"].value = 70
    assert w.error is None and w.evaluation is not None


def test_reset_goes_back_to_the_baseline(w):
    w.controls["unit_late_threshold_percent"].value = 12
    w.controls["rank_ties"].value = "dense"
    w.controls["rate_rounding_decimals"].value = 0
    w.controls["unit"].value = "Sở Tư pháp"
    w.controls["score"].value = 40
    assert len(w.overrides) == 3 and len(w.corrections) == 1
    w.reset_button.click()
    assert w.overrides == {} and w.corrections == () and w.changes.empty
    assert w.evaluation is w.baseline


def test_the_export_button_writes_the_scenario_decisions(w, tmp_path):
    w.controls["unit_late_threshold_percent"].value = 12
    w.export_button.click()
    path = w.exported
    assert path is not None and path.exists() and path.parent == tmp_path.resolve()
    assert str(path) in w.export_status.value
    wb = openpyxl.load_workbook(path)
    assert "Thay đổi so với gốc" in wb.sheetnames
    ws = wb["Thay đổi so với gốc"]
    assert ws.max_row - 1 == len(w.changes)
    info = {r[0]: r[1:] for r in wb["Kịch bản"].iter_rows(values_only=True) if r and r[0]}
    assert info["unit_late_threshold_percent"][:2] == (10, 12)
    w.controls["unit_late_threshold_percent"].value = 11  # a new scenario: the old path no longer applies
    assert w.exported is None and w.export_status.value == ""


def test_the_panel_displays_as_one_widget(w):
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "whatif-changes" in w.changes_html._dom_classes


@pytest.mark.parametrize(
    "name, cls, baseline, other",
    [
        ("in_force_from_year", W.BoundedIntText, 2017, 2016),
        ("in_force_until_year", W.Dropdown, None, 2019),
        ("streak_counts_years_before_force", W.Checkbox, False, True),
        ("party_org_condition", W.Dropdown, "streak", "year_band"),
        ("tsvm_levels", W.Dropdown, "top_only", "good_and_above"),
        ("reform_result_lag_years", W.Dropdown, 0, 1),
        ("central_agency_consequences", W.Dropdown, "recommend", "none"),
        ("late_capped_rank", W.Dropdown, "score_order", "below_uncapped"),
    ],
)
def test_each_reading_of_the_programme_has_a_control_on_both_sides(w, name, cls, baseline, other):
    control = w.controls[name]
    assert isinstance(control, cls)
    assert w.overrides == {}
    assert w.evaluation.criteria[name] == baseline
    control.value = other
    assert w.overrides == {name: other} and w.error is None
    assert w.evaluation.criteria[name] == other
    w.reset_button.click()
    assert w.overrides == {} and w.evaluation.criteria[name] == baseline


def test_ending_the_programme_in_2019_lifts_the_2020_consequences(w):
    w.controls["in_force_until_year"].value = 2019
    assert w.counts.loc["removal_triggers", "Kịch bản"] == 0
    assert set(w.changes["change"]) <= {"không còn áp dụng", "thay đổi"}


def test_units_are_picked_by_name_from_a_searchable_list_in_vietnamese_order(w):
    picker = w.controls["unit"]
    assert isinstance(picker, W.Combobox) and picker.ensure_option
    names = list(picker.options)
    assert names == sorted(names, key=sort_key) and "Sở Tư pháp" in names
    assert not any(n == n.upper() for n in names), "names, not codes"
    # Đ is the letter after D, not after Z as in code-point order
    assert names.index("Cục Thuế tỉnh Khánh Hòa") < names.index("Đài Phát thanh và Truyền hình Khánh Hòa")
    assert names.index("Đài Phát thanh và Truyền hình Khánh Hòa") < names.index("Kho bạc Nhà nước Khánh Hòa")
    picker.value = "Sở Tư"  # typing part of a name is no choice yet
    assert w.unit_id == "" and w.controls["score"].disabled
    picker.value = "Sở Tư pháp"
    assert w.unit_id == "SO_TP" and not w.controls["score"].disabled


def test_two_units_of_one_name_show_their_codes(tmp_path):
    from conftest import HTT, SO, make_dataset

    data = make_dataset(
        tmp_path / "d",
        units=[("A1", "Phòng Nội vụ", SO), ("A2", "Phòng Nội vụ", SO), ("B", "Ban Dân tộc", SO)],
        reform_results=[(2020, "A1", "90", ""), (2020, "A2", "80", ""), (2020, "B", "70", "")],
        officials=[(2020, "CB1", "An", "A1", "head", HTT)],
    )
    assert unit_options(scoring.load_records(data, CRIT)) == [
        ("Ban Dân tộc", "B"), ("Phòng Nội vụ (A1)", "A1"), ("Phòng Nội vụ (A2)", "A2"),
    ]  # fmt: skip


def test_tables_show_whole_texts_people_in_vietnamese_order_and_decimal_commas():
    import pandas as pd

    long = "Người đứng đầu đơn vị xếp loại cải cách hành chính trung bình trở xuống (mục II.4) " * 2
    df = pd.DataFrame(
        {
            "Họ và tên": ["Trần Văn Bình", "Nguyễn Thị Ánh", "Lê Đức Anh", "Phạm Văn Đạt"],
            "Điểm (%)": [95.2, 62.15, None, 70.0],
            "Ghi chú": [long, "dòng 1\ndòng 2", "", "x"],
        }
    )
    page = show(df).data
    order = [page.index(n) for n in ("Lê Đức Anh", "Nguyễn Thị Ánh", "Trần Văn Bình", "Phạm Văn Đạt")]
    assert order == sorted(order)  # Anh, Ánh, Bình, Đạt: given name first, Đ after D
    assert long.strip() in page and "dòng 1<br>dòng 2" in page and "\\n" not in page
    assert "95,20" in page and "62,15" in page and "text-align:right" in page
    assert "text-align:left" in page
