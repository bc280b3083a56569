"""The what-if panel's ledger controls: the denominator and the year a dossier belongs to."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")

import scoring  # noqa: E402
from scoring.widgets import WhatIf  # noqa: E402


@pytest.fixture(scope="module")
def panel(sample_with_ledger):
    records = scoring.load_records(sample_with_ledger)
    return WhatIf(records, scoring.load_criteria(), year=2020, out_dir="/nonexistent")


def test_the_ledger_readings_are_controls_with_their_choices_in_words(panel):
    year_by = panel.controls["ledger_year_by"]
    assert dict(year_by.options) == {"năm giải quyết": "resolved", "năm hết hạn": "due"}
    assert dict(panel.controls["ledger_denominator"].options)["đã giải quyết và tồn quá hạn cuối năm"] == (
        "resolved_and_pending_overdue"
    )


def test_another_reading_that_disagrees_with_the_recorded_counts_is_refused_then_chosen(panel):
    panel.reset()
    panel.controls["ledger_year_by"].value = "due"
    assert panel.error and "số liệu tổng hợp" in panel.error
    panel.controls["ledger_recorded_conflict"].value = "ledger"
    assert panel.error is None
    assert panel.overrides == {"ledger_year_by": "due", "ledger_recorded_conflict": "ledger"}
    assert any(n.startswith("Số liệu tổng hợp khác sổ theo dõi") for n in panel.evaluation.notes)
    panel.reset()
    assert panel.error is None and panel.overrides == {}
