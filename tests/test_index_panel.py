"""The index's what-if panel: weights → rank changes and Kendall's tau; the index's readings."""

from __future__ import annotations

import numpy as np
import pytest

import scoring
from scoring.index.panel import IndexPanel


@pytest.fixture(scope="module")
def panel():
    crit = scoring.load_criteria()
    return IndexPanel(scoring.load_records(None, crit), crit, year=2020)


def _reset(p: IndexPanel) -> None:
    for key, value in p._defaults.items():
        p.controls[key].value = value
    for name in ("rescale_without_survey", "near_threshold_points"):
        p.controls[name].value = p.settings[name]


def test_the_structures_own_weights_move_nobody(panel):
    _reset(panel)
    assert panel.result.tau == 1.0 and (panel.result.table["rank_change"] == 0).all()
    assert "Không đơn vị nào đổi hạng" in panel.table_html.value and panel.error is None


def test_a_heavier_survey_moves_ranks_sorted_by_how_far_and_tau_falls(panel):
    _reset(panel)
    panel.controls["survey_share"].value = 60
    r = panel.result
    assert r.tau < 1 and "Kendall tau" in panel.tau_html.value
    moves = r.table["rank_change"].abs().tolist()
    assert moves == sorted(moves, reverse=True)
    first = r.table.iloc[0]["unit_name"]
    assert first in panel.table_html.value
    _reset(panel)


def test_a_fields_maximum_is_a_control(panel):
    _reset(panel)
    panel.controls["field:HDH"].value = 30
    assert panel.result.scales["HDH"] == 2.0 and panel.result.tau < 1
    _reset(panel)


def test_the_near_threshold_distance_is_a_control(panel):
    _reset(panel)
    narrow = len(panel.near)
    panel.controls["near_threshold_points"].value = 3
    assert len(panel.near) > narrow
    _reset(panel)


def test_rescaling_without_survey_is_a_control(panel):
    _reset(panel)
    panel.controls["year"].value = 2015  # some units have no survey that year
    rescaled = panel.index.table.set_index("unit_id")["index"]
    panel.controls["rescale_without_survey"].value = False
    zeroed = panel.index.table.set_index("unit_id")["index"]
    assert (zeroed < rescaled).sum() == (panel.index.table["survey_max_points"] == 0).sum() > 0
    panel.controls["year"].value = 2020
    _reset(panel)


def test_the_odds_are_computed_on_demand(panel):
    _reset(panel)
    assert panel.odds_table is None
    t = panel.compute_odds(draws=2000)
    assert np.allclose(t[["p_tot", "p_kha", "p_trung_binh", "p_yeu"]].sum(axis=1), 1)
    assert "không chắc chắn" in panel.odds_html.value
    panel.controls["survey_share"].value = 31  # any change clears them
    assert panel.odds_table is None and panel.odds_html.value == ""
    _reset(panel)


def test_data_without_points_is_refused_with_a_message(tmp_path):
    import shutil

    from scoring.sample import sample_path

    data = tmp_path / "data"
    shutil.copytree(sample_path(), data)
    for name in ("criterion_scores.csv", "survey_results.csv"):
        (data / name).unlink()
    crit = scoring.load_criteria()
    with pytest.raises(ValueError, match="không có điểm tiêu chí"):
        IndexPanel(scoring.load_records(data, crit), crit)
