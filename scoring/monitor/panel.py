"""The monitor's readings as notebook controls: switch one, the traffic-light table follows.

    from scoring.monitor.panel import MonitorPanel
    MonitorPanel(records, 2020, crit).box       # in a notebook cell

One control per reading of criteria/commitments.yaml (labels in Vietnamese, the reason as a
tooltip); each change re-judges the year with `Commitments.with_overrides` — the baseline file is
never changed — and redraws the table.
"""

from __future__ import annotations

import html

import ipywidgets as W

from ..criteria import Criteria
from ..records import Records
from . import monitor_commitments
from .commitments import Commitments, load_commitments
from .views import traffic_light_html

NO_YEAR = "không (xét từ năm đầu)"
LABELS = {
    "undated_due_year": "Mục tiêu không ghi năm: xét từ năm",
    "mountain_hospital_target_percent": "BV Khánh Sơn, Khánh Vĩnh tự chủ (%)",
    "flat_counts_as_rising": "Giữ nguyên được coi là tăng (giảm)",
}


class MonitorPanel:
    """Controls for the monitor's readings and the table they drive (`box` to display)."""

    def __init__(
        self, records: Records, year: int, criteria: Criteria, commitments: Commitments | None = None
    ):
        self.records, self.year, self.criteria = records, year, criteria
        self.baseline = commitments if commitments is not None else load_commitments()
        self.controls = {
            "undated_due_year": W.Dropdown(
                options=[NO_YEAR, *range(2016, 2026)], value=self.baseline["undated_due_year"] or NO_YEAR
            ),
            "mountain_hospital_target_percent": W.BoundedIntText(
                value=self.baseline["mountain_hospital_target_percent"], min=0, max=100
            ),
            "flat_counts_as_rising": W.Checkbox(value=self.baseline["flat_counts_as_rising"], indent=False),
        }
        for name, control in self.controls.items():
            control.description = LABELS[name]
            control.tooltip = self.baseline.parameter_info(name)["reason"]
            control.style = {"description_width": "initial"}
            control.observe(self._redraw, names="value")
        self.table = W.HTML()
        self.box = W.VBox([*self.controls.values(), self.table])
        self._redraw()

    @property
    def overrides(self) -> dict:
        """The readings changed from the baseline file."""
        out = {}
        for name, control in self.controls.items():
            value = None if control.value == NO_YEAR else control.value
            if value != self.baseline[name]:
                out[name] = value
        return out

    def _redraw(self, _change=None) -> None:
        commitments = self.baseline.with_overrides(self.overrides)
        self.monitoring = monitor_commitments(
            self.records, self.year, self.criteria, commitments, check_year=False
        )
        changed = ", ".join(f"{k} = {v}" for k, v in self.overrides.items())
        banner = f"<p><b>Đọc khác bản gốc:</b> {html.escape(changed)}</p>" if changed else ""
        self.table.value = banner + traffic_light_html(self.monitoring)
