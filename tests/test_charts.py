"""Charts (SPEC §4): thresholds come from the criteria, colours follow the rules' decisions."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from matplotlib.figure import Figure

import scoring
from scoring import charts


@pytest.fixture(scope="module")
def records():
    return scoring.load_records()


def _ev(records, year, **overrides):
    crit = scoring.load_criteria().with_overrides(overrides)
    return scoring.evaluate(records, year, crit)


def _vlines(fig: Figure) -> set[float]:
    """x positions of the vertical reference lines drawn on the figure's axes."""
    xs = set()
    for ax in fig.axes:
        for line in ax.get_lines():
            x = np.unique(line.get_xdata())
            if len(x) == 1:
                xs.add(float(x[0]))
    return xs


def _bars(ax):
    return [p for p in ax.patches if p.get_width() > 0 and p.get_facecolor()[3] > 0]


def test_scores_chart_has_one_panel_per_group_and_the_band_bounds(records):
    ev = _ev(records, 2018)
    fig = charts.scores_by_group(ev)
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert [ax.get_title(loc="left") for ax in panels] == [
        "Sở, ban, ngành (21)",
        "Cơ quan ngành dọc (6)",
        "UBND cấp huyện (8)",
        "Đơn vị sự nghiệp (9)",
    ]
    assert _vlines(fig) == {85.0, 70.0, 50.0}
    labels = [t.get_text() for ax in panels for t in ax.get_yticklabels()]
    assert "Sở Thông tin và Truyền thông" in labels
    texts = [t.get_text() for ax in panels for t in ax.texts]
    assert "95,20" in texts  # decimal comma, as the annex prints it


def test_scores_chart_reads_band_bounds_from_the_criteria(records):
    fig = charts.scores_by_group(_ev(records, 2018, band_min_tot=90, band_min_kha=72.5))
    assert _vlines(fig) == {90.0, 72.5, 50.0}
    # the bounds are named on a secondary axis above the first group
    ticks = [t.get_text() for ax in fig.axes for sec in ax.child_axes for t in sec.get_xticklabels()]
    assert ticks == ["Tốt ≥ 90", "Khá ≥ 72,5", "Trung bình ≥ 50"]


def test_late_chart_marks_exactly_the_units_the_rule_caught(records):
    ev = _ev(records, 2020)
    fig = charts.late_rates(ev)
    ax = fig.axes[0]
    red = [
        p for p in _bars(ax) if p.get_facecolor()[:3] == pytest.approx((0xC6 / 255, 0x28 / 255, 0x28 / 255))
    ]
    fired = ev.decisions[ev.decisions["rule_id"] == "unit_late_dossiers"]
    assert len(red) == len(fired) == 3  # SO_XD at exactly 10%, UB_VANNINH, DH_KHANHHOA
    assert _vlines(fig) == {10.0}
    assert "10,00%" in [t.get_text() for t in ax.texts]  # SO_XD 30/300, rounded half up


def test_late_chart_threshold_follows_an_override(records):
    ev = _ev(records, 2020, unit_late_threshold_percent=12)
    fig = charts.late_rates(ev)
    assert _vlines(fig) == {12.0}
    red = [p for p in _bars(fig.axes[0]) if p.get_facecolor()[0] > 0.7]
    assert red == []  # 11.83% is below 12%: nobody is caught


def test_band_history_of_the_university_shows_the_streak(records):
    t = charts.band_history_table(records, "DH_KHANHHOA", last_year=2020)
    assert t["year"].tolist() == [2015, 2016, 2017, 2018, 2019, 2020]
    assert t["band"].tolist()[-3:] == ["Trung bình", "Yếu", "Trung bình"]
    assert t.loc[t["year"] == 2018, "score"].item() == pytest.approx(65.32)
    assert set(t["head_id"]) == {"CB00253"}
    fig = charts.band_history(records, "DH_KHANHHOA", last_year=2020)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Tốt", "Khá", "Trung bình", "Yếu"]
    assert "Trường Đại học Khánh Hòa" in ax.get_title()


def test_band_history_stops_at_the_evaluated_year(records):
    t = charts.band_history_table(records, "CD_YT", last_year=2018)
    assert t["year"].max() == 2018
    # the head changed in 2017: the x axis names each year's head
    assert t.loc[t["year"] == 2016, "head_id"].item() != t.loc[t["year"] == 2018, "head_id"].item()


def test_band_history_of_an_unknown_unit_says_so(records):
    with pytest.raises(KeyError, match="KHONG_CO"):
        charts.band_history_table(records, "KHONG_CO")


def test_percent_is_rounded_half_up_on_the_exact_share():
    assert charts.percent_text(30, 300) == "10,00%"
    assert charts.percent_text(1, 800) == "0,13%"  # 0.125% -> 0,13 (never half to even)
    assert charts.percent_text(0, 0) == ""
    assert charts.number(Fraction(145, 2)) == "72,5"
    assert charts.number(85) == "85"


def test_png_is_the_same_bytes_for_the_same_evaluation(records):
    ev = _ev(records, 2018)
    a = charts.png_bytes(charts.late_rates(ev), dpi=50)
    b = charts.png_bytes(charts.late_rates(ev), dpi=50)
    assert a[:8] == b"\x89PNG\r\n\x1a\n"
    assert a == b


def test_one_group_drawn_alone_keeps_the_common_score_axis(records):
    ev = _ev(records, 2018)
    whole = charts.scores_by_group(ev)
    alone = charts.scores_by_group(ev, groups=["UBND cấp huyện"], title=False)
    panels = [ax for ax in alone.axes if ax.get_title(loc="left")]
    assert [ax.get_title(loc="left") for ax in panels] == ["UBND cấp huyện (8)"]
    assert [t.get_text() for t in panels[0].get_yticklabels()][0] == "UBND huyện Khánh Vĩnh"
    assert panels[0].get_xlim() == whole.axes[0].get_xlim()  # the same scale as the other groups
    assert _vlines(alone) == {85.0, 70.0, 50.0}
    assert alone.get_suptitle() == "" and whole.get_suptitle().startswith("Điểm cải cách hành chính năm 2018")
    assert alone.get_size_inches()[1] < whole.get_size_inches()[1] / 2  # so that charts flow on a page


def test_the_late_chart_can_leave_its_title_to_a_caption(records):
    ev = _ev(records, 2018)
    assert charts.late_rates(ev).get_suptitle() == "Tỷ lệ hồ sơ trễ hạn năm 2018"
    untitled = charts.late_rates(ev, title=False)
    assert untitled.get_suptitle() == ""
    assert untitled.get_size_inches()[1] < charts.late_rates(ev).get_size_inches()[1]
