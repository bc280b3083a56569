"""The index's what-if panel (notebooks/what_if.ipynb): weight sensitivity and the index's readings.

    from scoring.index.panel import IndexPanel
    p = IndexPanel(records, criteria, year=2020)
    p                                            # shows the panel in a notebook
    p.controls["survey_share"].value = 50
    p.result.tau, p.result.table                 # Kendall's tau; units sorted by rank change

Change the survey's share of the index or a field's maximum and see whose rank moves, sorted as
COINr's `compare_coins` sorts them, with Kendall's tau between the baseline and the scenario
ranking (`scipy.stats.kendalltau`). The index's readings (rescaling without survey, the
near-threshold distance, the odds' model) have controls too; the odds are computed on demand
(a button), the rest at every change. Plain Python state, so the wiring is tested without a browser.
"""

from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd

from ..criteria import Criteria, load_criteria
from ..evaluate import format_score
from ..records import Records, ValidationError, load_records
from . import compute
from .margins import consequences, near_threshold
from .odds import odds
from .sensitivity import Sensitivity, sensitivity
from .structure import IndexSettings, load_settings

READING_LABELS = {
    "rescale_without_survey": "Đơn vị không có điều tra xã hội học: quy về thang 100 trên phần có kết quả",
    "near_threshold_points": "Khoảng cận ngưỡng (điểm)",
    "appraisal_tolerance_points": "Sai số điểm thẩm định (± điểm mỗi lĩnh vực)",
    "survey_prior": "Phân phối tiên nghiệm của tỷ lệ hài lòng",
    "survey_draw": "Rút ngẫu nhiên điều tra xã hội học: chung cho đơn vị (pooled) hay từng nội dung (item)",
    "survey_normal_min_count": "Xấp xỉ chuẩn khi số người (hài lòng và không) từ",
    "rank_interval_percent": "Độ rộng khoảng thứ hạng (%)",
}
MAX_ROWS_SHOWN = 60


def _table_html(df: pd.DataFrame) -> str:
    head = "".join(
        f"<th style='text-align:left;padding:2px 6px'>{html.escape(str(c))}</th>" for c in df.columns
    )
    rows = "".join(
        "<tr>" + "".join(f"<td style='padding:2px 6px'>{html.escape(str(v))}</td>" for v in r) + "</tr>"
        for r in df.itertuples(index=False, name=None)
    )
    return f"<table style='border-collapse:collapse;font-size:12px'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


class IndexPanel:
    """Weights and readings of the reform index → index, rank changes, tau, near-threshold, odds."""

    def __init__(
        self, records: Records | None = None, criteria: Criteria | None = None, year: int | None = None
    ):
        self.criteria = criteria or load_criteria()
        self.records = records if records is not None else load_records(None, self.criteria)
        self.settings: IndexSettings = load_settings()
        years = [y for y in self.records.years() if compute(self.records, y, self.criteria) is not None]
        if not years:
            raise ValueError("Dữ liệu không có điểm tiêu chí (criterion_scores): không có chỉ số để thử.")
        self.controls: dict[str, W.ValueWidget] = {
            "year": W.Dropdown(
                options=years, value=int(year) if year in years else years[-1], layout=W.Layout(width="120px")
            )
        }
        self.result: Sensitivity | None = None
        self.near: pd.DataFrame = pd.DataFrame()
        self.odds_table: pd.DataFrame | None = None
        self.error: str | None = None
        self._consequences: dict[int, object] = {}
        self.status, self.tau_html, self.table_html, self.near_html, self.odds_html = (
            W.HTML() for _ in range(5)
        )
        self.odds_button = W.Button(description="Tính xác suất (10.000 lần)", icon="random")
        self.odds_button.on_click(lambda _: self.compute_odds())
        self._build_weight_controls()
        for name in READING_LABELS:
            self.controls[name] = self._reading_control(name)
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = self._layout()
        self.refresh()

    # -- controls ------------------------------------------------------------------------
    @property
    def index(self):
        return compute(self.records, self.year, self.criteria, self.current_settings())

    @property
    def year(self) -> int:
        return int(self.controls["year"].value)

    def _build_weight_controls(self) -> None:
        yi = compute(self.records, self.year, self.criteria)
        s = yi.structure
        share = s.max_of("survey") / s.max_cents * 100
        self.controls["survey_share"] = W.BoundedFloatText(
            value=round(share, 2), min=0, max=100, step=1, layout=W.Layout(width="90px")
        )
        self.field_ids = [f.id for f in s.fields]
        for f in s.fields:
            self.controls[f"field:{f.id}"] = W.BoundedFloatText(
                value=f.max_cents / 100,
                min=0,
                max=100,
                step=0.5,
                layout=W.Layout(width="90px"),
                tooltip=f.name,
            )
        self._defaults = {k: c.value for k, c in self.controls.items()}
        self._field_names = {f.id: f"{f.no}. {f.name}" for f in s.fields}

    def _reading_control(self, name: str) -> W.ValueWidget:
        info, value = self.settings.info(name), self.settings[name]
        if info["kind"] == "bool":
            return W.Checkbox(value=bool(value), indent=False)
        if info["kind"] == "choice":
            return W.Dropdown(options=list(info["choices"]), value=value, layout=W.Layout(width="140px"))
        if info["kind"] == "count":
            return W.BoundedIntText(value=int(value), min=0, max=10**9, layout=W.Layout(width="120px"))
        return W.BoundedFloatText(
            value=float(value),
            min=0,
            max=99.9 if info["kind"] == "percent" else 100,
            step=0.5,
            layout=W.Layout(width="90px"),
        )

    def _label(self, text: str, tip: str = "", width: str = "420px") -> W.HTML:
        return W.HTML(
            f"<div title='{html.escape(tip, quote=True)}'>{html.escape(text)}</div>",
            layout=W.Layout(width=width),
        )

    def _layout(self) -> W.Widget:
        weights = [W.HBox([self._label("Tỷ trọng điều tra xã hội học (%)"), self.controls["survey_share"]])]
        weights += [
            W.HBox([self._label(f"Điểm tối đa — {self._field_names[f]}"), self.controls[f"field:{f}"]])
            for f in self.field_ids
        ]
        readings = [
            W.HBox([self._label(READING_LABELS[n], self.settings.info(n)["reason"]), self.controls[n]])
            for n in READING_LABELS
        ]
        return W.VBox(
            [
                W.HBox([W.HTML("<b>Năm</b>&nbsp;"), self.controls["year"]]),
                W.HTML("<h4 style='margin:6px 0 2px'>Trọng số của bộ chỉ số</h4>"),
                *weights,
                W.HTML("<h4 style='margin:6px 0 2px'>Cách tính chỉ số, cận ngưỡng và xác suất</h4>"),
                *readings,
                self.status,
                self.tau_html,
                W.HTML(
                    "<h4 style='margin:6px 0 2px'>Thay đổi thứ hạng (đơn vị thay đổi nhiều nhất trước)</h4>"
                ),
                self.table_html,
                W.HTML("<h4 style='margin:6px 0 2px'>Cận ngưỡng</h4>"),
                self.near_html,
                self.odds_button,
                self.odds_html,
            ]
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # -- state ---------------------------------------------------------------------------
    def current_settings(self) -> IndexSettings:
        return self.settings.with_overrides({n: self.controls[n].value for n in READING_LABELS})

    def field_max(self) -> dict[str, float]:
        return {
            f: self.controls[f"field:{f}"].value
            for f in self.field_ids
            if self.controls[f"field:{f}"].value != self._defaults[f"field:{f}"]
        }

    def survey_share(self) -> float | None:
        v = self.controls["survey_share"].value
        return None if v == self._defaults["survey_share"] else float(v)

    def _on_change(self, change) -> None:
        if change["owner"] is self.controls["year"]:
            self._consequences.clear()
        self.odds_table = None
        self.odds_html.value = ""
        self.refresh()

    def refresh(self) -> None:
        try:
            settings = self.current_settings()
            yi = compute(self.records, self.year, self.criteria, settings)
            self.result = sensitivity(yi, self.survey_share(), self.field_max())
            if self.year not in self._consequences:
                self._consequences[self.year] = consequences(self.records, self.year, self.criteria)
            self.near = near_threshold(self._consequences[self.year], self.criteria, settings)
            self.error = None
        except (ValueError, KeyError, ValidationError) as exc:
            self.error = str(exc)
            self.status.value = f"<span style='color:#c62828'>{html.escape(self.error)}</span>"
            return
        self.status.value = ""
        r = self.result
        groups = "; ".join(f"{g}: {format_score(t).replace(',00', '')}" for g, t in r.tau_by_group.items())
        moved = int((r.table["rank_change"] != 0).sum())
        self.tau_html.value = (
            f"<p>Hệ số Kendall tau giữa xếp hạng gốc và kịch bản: <b>{r.tau:.3f}</b>".replace(".", ",")
            + f" (theo khối: {html.escape(groups)}); {moved} đơn vị đổi hạng trong khối.</p>"
        )
        shown = r.table[r.table["rank_change"] != 0].head(MAX_ROWS_SHOWN)
        self.table_html.value = (
            _table_html(self.vietnamese(shown)) if len(shown) else "<p>Không đơn vị nào đổi hạng.</p>"
        )
        self.near_html.value = (
            _table_html(self.near) if len(self.near) else "<p>Không có đơn vị cận ngưỡng.</p>"
        )

    @staticmethod
    def vietnamese(t: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "Cơ quan, đơn vị": t["unit_name"],
                "Khối": t["group"],
                "Chỉ số gốc": t["score_base"].map(format_score),
                "Chỉ số kịch bản": t["score_alt"].map(format_score),
                "Hạng gốc": t["rank_base"],
                "Hạng kịch bản": t["rank_alt"],
                "Thay đổi hạng": [f"{'+' if d > 0 else ''}{d}" for d in t["rank_change"]],
                "Xếp loại gốc → kịch bản": [
                    a if a == b else f"{a} → {b}" for a, b in zip(t["band_base"], t["band_alt"], strict=True)
                ],
            }
        )

    def compute_odds(self, draws: int = 10_000, seed: int = 0) -> pd.DataFrame:
        """The odds under the current readings (the weights do not change the recorded scores)."""
        settings = self.current_settings()
        c = self._consequences.get(self.year) or consequences(self.records, self.year, self.criteria)
        self.odds_table = odds(
            c, compute(self.records, self.year, self.criteria, settings), self.criteria, settings, draws, seed
        ).table
        t = self.odds_table
        unsure = t[t.filter(like="p_").iloc[:, : len(self.criteria.bands.keys)].max(axis=1) < 0.95]
        self.odds_html.value = (
            f"<p>{len(unsure)} đơn vị có xếp loại không chắc chắn (xác suất của xếp loại khả dĩ nhất dưới 95%).</p>"
            + (
                _table_html(
                    unsure[
                        ["unit_name", "group", "score", "band", *[c for c in t.columns if c.startswith("p_")]]
                    ]
                )
                if len(unsure)
                else ""
            )
        )
        return self.odds_table
