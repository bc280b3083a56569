"""The what-if panel of the notebook: controls for every parameter, live counts and changes.

    from scoring.widgets import WhatIf
    w = WhatIf(scoring.load_records(), scoring.load_criteria(), year=2020)
    w                                            # shows the panel in a notebook
    w.controls["unit_late_threshold_percent"].value = 12
    w.changes                                    # the decisions that differ (scoring.scenario.compare)

Everything is ordinary Python state, so the wiring is tested without a browser: set a
control's value, read `changes`, `counts`, `evaluation`. The records are loaded and validated
once; baselines are kept per year; a move of a control re-evaluates only the scenario.
"""

from __future__ import annotations

import hashlib
import html
import json
import time
from pathlib import Path
from typing import Any

import ipywidgets as W
import numpy as np
import pandas as pd

from .criteria import PARAM_KINDS, Criteria, CriteriaError, load_criteria
from .evaluate import Evaluation, evaluate
from .records import Records, ValidationError, load_records
from .scenario import (
    Correction,
    Scenario,
    ScenarioError,
    compare,
    run,
    write_workbook,
)
from .vietnamese import person_key, sort_key
from .workbook import people_table

# Short Vietnamese labels of the parameters (the long reason, from the criteria file, is the tooltip).
PARAM_LABELS = {
    "in_force_from_year": "Năm Chương trình bắt đầu có hiệu lực",
    "in_force_until_year": "Năm cuối áp dụng Chương trình",
    "streak_counts_years_before_force": "Tính cả các năm trước khi Chương trình có hiệu lực",
    "party_org_condition": "Tổ chức cơ sở đảng bị giới hạn khi",
    "tsvm_levels": "«Trong sạch, vững mạnh» theo Quy định 132-QĐ/TW, 124-QĐ/TW là",
    "reform_result_lag_years": "Xếp loại cán bộ căn cứ kết quả xếp hạng",
    "central_agency_consequences": "Hệ quả đối với cán bộ cơ quan ngành dọc",
    "late_capped_rank": "Thứ hạng của đơn vị bị giới hạn do trễ hạn",
    "unit_late_threshold_percent": "Ngưỡng hồ sơ trễ hạn của đơn vị (%)",
    "unit_late_inclusive": "Đơn vị trễ đúng ngưỡng cũng bị áp dụng («từ … trở lên»)",
    "official_late_threshold_percent": "Ngưỡng hồ sơ trễ hạn của cán bộ (%)",
    "official_late_inclusive": "Cán bộ trễ đúng ngưỡng cũng bị áp dụng (câu chữ: «trên»)",
    "rate_rounding_decimals": "Làm tròn tỷ lệ trễ hạn trước khi so sánh",
    "band_min_tot": "Điểm tối thiểu xếp loại Tốt",
    "band_min_kha": "Điểm tối thiểu xếp loại Khá",
    "band_min_trung_binh": "Điểm tối thiểu xếp loại Trung bình",
    "head_band_trigger": "Người đứng đầu bị giới hạn khi đơn vị xếp loại từ mức",
    "streak_years_average": "Số năm liên tục Trung bình (xử lý người đứng đầu)",
    "streak_years_weak": "Số năm liên tục Yếu (xử lý người đứng đầu)",
    "weak_counts_toward_average_streak": "Năm Yếu được tính vào chuỗi năm Trung bình",
    "missing_year_breaks_streak": "Năm không có kết quả làm đứt chuỗi «liên tục»",
    "head_streak_own_years_only": "Chỉ tính những năm người đó là người đứng đầu",
    "past_bands_final": "Xếp loại đã ghi nhận của các năm trước là chính thức",
    "discipline_flag_when_unchanged": "Đánh dấu xem xét kỷ luật cả khi xếp loại không đổi",
    "rank_ties": "Xếp hạng khi bằng điểm",
    # the dossier ledger (scoring.ledger): used when the data holds the one-stop dossiers
    "ledger_denominator": "Sổ theo dõi hồ sơ: mẫu số của tỷ lệ trễ hạn",
    "ledger_year_by": "Sổ theo dõi hồ sơ: hồ sơ thuộc năm",
    "ledger_reschedule_cures_lateness": "Hồ sơ hẹn lại đúng quy định và đúng hẹn không tính trễ hạn",
    "ledger_on_time_granularity": "Sổ theo dõi hồ sơ: đúng hạn tính theo",
    "ledger_official_attribution": "Sổ theo dõi hồ sơ: hồ sơ trễ hạn của cán bộ",
    "ledger_recorded_conflict": "Khi số liệu tổng hợp khác sổ theo dõi hồ sơ",
}
THRESHOLDS = (
    "unit_late_threshold_percent",
    "official_late_threshold_percent",
    "band_min_tot",
    "band_min_kha",
    "band_min_trung_binh",
    "streak_years_average",
    "streak_years_weak",
)
COUNT_LABELS = {
    "units_not_eligible": "Đơn vị không được xét thi đua, khen thưởng (II.2)",
    "heads_capped": "Người đứng đầu bị giới hạn xếp loại",
    "officials_capped": "Cán bộ bị giới hạn xếp loại (tổng)",
    "discipline_review": "Cán bộ thuộc diện xem xét kỷ luật (II.2)",
    "removal_triggers": "Người đứng đầu thuộc diện xử lý, thay thế (II.4)",
    "party_orgs_capped": "Tổ chức cơ sở đảng không được mức cao nhất (II.4)",
}
# The options of the readings that are a choice, in words (value first, as the criteria name it).
CHOICE_LABELS = {
    "party_org_condition": [
        ("đơn vị nhiều năm liên tục xếp loại thấp", "streak"),
        ("đơn vị xếp loại thấp trong năm đánh giá", "year_band"),
    ],
    "tsvm_levels": [
        ("chỉ mức cao nhất (Hoàn thành xuất sắc nhiệm vụ)", "top_only"),
        ("từ Hoàn thành tốt nhiệm vụ trở lên", "good_and_above"),
    ],
    "reform_result_lag_years": [("của chính năm đó", 0), ("đã công bố gần nhất (năm trước)", 1)],
    "central_agency_consequences": [
        ("kiến nghị cơ quan quản lý cấp trên", "recommend"),
        ("áp dụng như đơn vị của tỉnh", "apply"),
        ("không áp dụng", "none"),
    ],
    "late_capped_rank": [
        ("giữ thứ hạng theo điểm", "score_order"),
        ("xếp sau các đơn vị cùng xếp loại không bị giới hạn", "below_uncapped"),
    ],
    "rank_ties": [("1, 2, 2, 4 (bỏ qua hạng kế tiếp)", "min"), ("1, 2, 2, 3 (không bỏ hạng)", "dense")],
    # the dossier ledger (scoring.ledger)
    "ledger_denominator": [
        ("hồ sơ đã giải quyết trong năm", "resolved"),
        ("đã giải quyết và tồn quá hạn cuối năm", "resolved_and_pending_overdue"),
    ],
    "ledger_year_by": [("năm giải quyết", "resolved"), ("năm hết hạn", "due")],
    "ledger_on_time_granularity": [("đúng thời điểm (giây)", "second"), ("trong ngày hết hạn", "day")],
    "ledger_official_attribution": [("bước do cán bộ xử lý", "step"), ("người xử lý bước cuối", "last_step")],
    "ledger_recorded_conflict": [
        ("không tính, liệt kê chỗ khác nhau", "refuse"),
        ("dùng sổ theo dõi", "ledger"),
        ("dùng số liệu tổng hợp", "recorded"),
    ],
}
NO_END = 0  # the end-year Dropdown's "no end" option (None would show as no selection)
ROUNDING_EXACT = "exact"  # a Dropdown cannot hold None as an option value
MAX_ROWS_SHOWN = 200
NO_UNIT = ""  # the unit Dropdown's "no correction" option (None would show as no selection)

_TABLE = "border-collapse:collapse;font-size:12px;line-height:1.35;margin:4px 0"
_TH = "border:1px solid #bbb;padding:2px 6px;background:#eef2f7;text-align:left;vertical-align:top"
_TD = "border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top"
_CHANGE_COLOURS = {"mới áp dụng": "#fdecea", "không còn áp dụng": "#e8f5e9", "thay đổi": "#fff8e1"}


_TD_NUMBER = _TD.replace("text-align:left", "text-align:right")
PERSON_COLUMNS = ("Họ và tên",)  # lists of people: by given name, then family name


def _cell_html(v) -> tuple[str, bool]:
    """A cell for people: text as written (line breaks kept, never cut), numbers with a
    decimal comma; True when it is a number (right-aligned)."""
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return "", False
    if isinstance(v, bool):
        return ("Có" if v else "Không"), False
    if isinstance(v, int | np.integer):
        return str(int(v)), True
    if isinstance(v, float | np.floating):
        return f"{float(v):.2f}".replace(".", ","), True
    return html.escape(str(v)).replace("\n", "<br>"), False


def _html_table(df: pd.DataFrame, row_styles: list[str] | None = None, css_class: str = "") -> str:
    head = "".join(f'<th style="{_TH}">{html.escape(str(c))}</th>' for c in df.columns)
    body = []
    for i, values in enumerate(df.itertuples(index=False, name=None)):
        style = f' style="background:{row_styles[i]}"' if row_styles and row_styles[i] else ""
        cells = ""
        for v in values:
            text, number = _cell_html(v)
            cells += f'<td style="{_TD_NUMBER if number else _TD}">{text}</td>'
        body.append(f"<tr{style}>{cells}</tr>")
    cls = f' class="{css_class}"' if css_class else ""
    return (
        f'<table{cls} style="{_TABLE}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def show(df: pd.DataFrame, sort_people: bool = True) -> W.HTML | object:
    """A table as people read it in a notebook: every text whole (no 50-character cut, line
    breaks as breaks), names left-aligned, numbers right-aligned with a decimal comma; a list
    of people in Vietnamese order (given name, then family name).

    Returns an object the notebook displays as HTML.
    """
    from IPython.display import HTML

    person = next((c for c in PERSON_COLUMNS if c in df.columns), None)
    if sort_people and person is not None and len(df):
        df = df.iloc[sorted(range(len(df)), key=lambda i: person_key(df[person].iloc[i]))]
    return HTML(_html_table(df, css_class="scoring-table"))


def unit_options(records: Records) -> list[tuple[str, str]]:
    """(name shown, unit_id) of every unit, in Vietnamese alphabetical order of the names;
    a name that two units share shows its code too."""
    units = records.units
    names = [str(n) for n in units["unit_name"]]
    ids = [str(u) for u in units["unit_id"]]
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    shown = [f"{n} ({u})" if seen[n] > 1 else n for n, u in zip(names, ids, strict=True)]
    return sorted(zip(shown, ids, strict=True), key=lambda p: sort_key(p[0]))


class WhatIf:
    """A what-if on loaded records: controls → scenario → evaluation → changes vs baseline."""

    def __init__(
        self,
        records: Records | None = None,
        criteria: Criteria | None = None,
        year: int | None = None,
        out_dir: str | Path = "out/what-if",
        name: str = "kịch bản",
    ):
        self.criteria = criteria or load_criteria()
        self.records = records if records is not None else load_records(None, self.criteria)
        self.out_dir = Path(out_dir)
        self.name = name
        self._baselines: dict[int, Evaluation] = {}
        self._busy = False
        self._score_touched = False
        self.evaluation: Evaluation | None = None
        self.changes: pd.DataFrame = pd.DataFrame()
        self.error: str | None = None
        self.last_refresh_ms = 0.0
        self.exported: Path | None = None

        years = self.records.years()
        if year is None:
            year = years[-1]
        if int(year) not in years:
            raise ValueError(f"Năm {year} không có trong dữ liệu; các năm có dữ liệu: {years}")
        self.controls: dict[str, W.ValueWidget] = {}
        self.controls["year"] = W.Dropdown(options=years, value=int(year), layout=W.Layout(width="120px"))
        for pname in PARAM_KINDS:
            self.controls[pname] = self._control(pname)
        self._units = dict(unit_options(self.records))
        # a unit is picked by name: typing filters the list (ipywidgets Combobox)
        self.controls["unit"] = W.Combobox(
            options=list(self._units),
            value="",
            placeholder="gõ tên cơ quan, đơn vị để tìm",
            ensure_option=True,
            layout=W.Layout(width="420px"),
        )
        self.controls["score"] = W.BoundedFloatText(
            value=0.0, min=0.0, max=100.0, step=0.01, layout=W.Layout(width="120px")
        )
        self.score_note = W.HTML()
        self._prefill_score()
        self.reset_button = W.Button(description="Khôi phục phương án gốc", icon="undo")
        self.export_button = W.Button(
            description="Xuất Excel các quyết định của kịch bản", icon="download", button_style="primary"
        )
        self.export_button.layout.width = "300px"
        self.reset_button.layout.width = "220px"
        for b in (self.reset_button, self.export_button):
            b.layout.margin = "0 0 0 12px"
        self.export_status = W.HTML()
        self.status = W.HTML()
        self.counts_html = W.HTML()
        self.changes_html = W.HTML()
        self.counts_html.add_class("whatif-counts")
        self.changes_html.add_class("whatif-changes")
        self.status.add_class("whatif-status")

        for key, control in self.controls.items():
            control.observe(self._on_change, names="value")
            control.add_class(f"whatif-{key.replace('_', '-')}")
        self.reset_button.on_click(lambda _: self.reset())
        self.export_button.on_click(lambda _: self.export())
        self.widget = self._layout()
        self.refresh()

    # -- controls ------------------------------------------------------------------------
    def _control(self, name: str) -> W.ValueWidget:
        kind = PARAM_KINDS[name]["kind"]
        value = self.criteria[name]
        if kind in ("percent", "score"):
            return W.BoundedFloatText(
                value=float(str(value).replace(",", ".")), min=0.0, max=100.0, step=0.5, layout=_narrow()
            )
        if kind == "years":
            return W.BoundedIntText(value=int(value), min=1, max=20, step=1, layout=_narrow())
        if kind == "bool":
            return W.Checkbox(value=bool(value), indent=False, layout=W.Layout(width="auto"))
        if kind == "decimals":
            options = [("không làm tròn (so sánh chính xác)", ROUNDING_EXACT)] + [
                (f"làm tròn {d} chữ số thập phân", d) for d in range(7)
            ]
            return W.Dropdown(
                options=options,
                value=ROUNDING_EXACT if value is None else value,
                layout=W.Layout(width="280px"),
            )
        if name == "head_band_trigger":
            bands = self.criteria.bands
            options = [
                (f"{label} trở xuống", key) for key, label in zip(bands.keys, bands.labels, strict=True)
            ]
            return W.Dropdown(options=options, value=value, layout=W.Layout(width="200px"))
        if kind == "year":
            return W.BoundedIntText(value=int(value), min=1900, max=2100, step=1, layout=_narrow())
        if kind == "year_or_null":
            years = [(str(y), y) for y in range(2016, 2031)]
            return W.Dropdown(
                options=[("không giới hạn", NO_END), *years],
                value=NO_END if value is None else value,
                layout=W.Layout(width="160px"),
            )
        if name in CHOICE_LABELS:
            return W.Dropdown(options=CHOICE_LABELS[name], value=value, layout=W.Layout(width="340px"))
        choices = self.criteria.param_spec(name).get("choices") or [value]
        return W.Dropdown(options=list(choices), value=value)

    def _row(self, name: str, width: str) -> W.Widget:
        info = self.criteria.parameter_info(name)
        tip = html.escape(f"{info['reason']} (gốc: {_text(info['value'])})", quote=True)
        label = W.HTML(
            f'<div title="{tip}" style="line-height:1.3;padding-top:4px">'
            f"{html.escape(PARAM_LABELS.get(name, name))} "
            f'<small style="color:#666">— mục {html.escape(str(info["clause"]))}</small></div>',
            layout=W.Layout(width=width),
        )
        return W.HBox([label, self.controls[name]], layout=W.Layout(align_items="flex-start"))

    def _layout(self) -> W.Widget:
        readings = [p for p in PARAM_KINDS if p not in THRESHOLDS]
        head = W.HBox(
            [
                W.HTML("<b>Năm đánh giá</b>&nbsp;"),
                self.controls["year"],
                self.reset_button,
                self.export_button,
                self.export_status,
            ],
            layout=W.Layout(align_items="center", flex_flow="row wrap"),
        )
        thresholds = W.VBox(
            [W.HTML("<h4 style='margin:4px 0'>Ngưỡng</h4>")] + [self._row(p, "330px") for p in THRESHOLDS],
            layout=W.Layout(width="470px", margin="0 24px 0 0"),
        )
        reading_box = W.VBox(
            [
                W.HTML(
                    "<h4 style='margin:4px 0'>Hiệu lực và cách hiểu các quy định (mục II.2, II.4, III.1)</h4>"
                )
            ]
            + [self._row(p, "400px") for p in readings],
            layout=W.Layout(width="700px"),
        )
        correction = W.VBox(
            [
                W.HTML("<h4 style='margin:4px 0'>Sửa điểm thẩm định của một đơn vị (năm đánh giá)</h4>"),
                W.HBox([self.controls["unit"], W.HTML("&nbsp;Điểm sửa&nbsp;"), self.controls["score"]]),
                self.score_note,
            ]
        )
        return W.VBox(
            [
                head,
                W.HBox([thresholds, reading_box], layout=W.Layout(flex_flow="row wrap")),
                correction,
                self.status,
                W.HTML("<h4 style='margin:8px 0 2px'>Số lượng: phương án gốc và kịch bản</h4>"),
                self.counts_html,
                W.HTML("<h4 style='margin:8px 0 2px'>Các quyết định khác phương án gốc</h4>"),
                self.changes_html,
            ]
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # -- state ---------------------------------------------------------------------------
    @property
    def year(self) -> int:
        return int(self.controls["year"].value)

    @property
    def baseline(self) -> Evaluation:
        """The baseline evaluation of the selected year (computed once per year)."""
        y = self.year
        if y not in self._baselines:
            self._baselines[y] = evaluate(self.records, y, self.criteria)
        return self._baselines[y]

    @property
    def overrides(self) -> dict[str, Any]:
        out = {}
        for name in PARAM_KINDS:
            value = _from_control(name, self.controls[name].value)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            base = self.criteria[name]
            if PARAM_KINDS[name]["kind"] in ("percent", "score"):
                same = float(str(base).replace(",", ".")) == float(value)
            else:
                same = base == value and type(base) is type(value)
            if not same:
                out[name] = value
        return out

    @property
    def unit_id(self) -> str:
        """The code of the unit picked by name ('' when none)."""
        return self._units.get(self.controls["unit"].value, NO_UNIT)

    @property
    def corrections(self) -> tuple[Correction, ...]:
        unit = self.unit_id
        if unit == NO_UNIT or not self._score_touched:
            return ()
        return (Correction(unit, self.year, float(self.controls["score"].value)),)

    @property
    def scenario(self) -> Scenario:
        return Scenario(self.name, self.overrides, self.corrections)

    @property
    def counts(self) -> pd.DataFrame:
        """Baseline and scenario counts side by side (rows in Vietnamese)."""
        base = self.baseline.counts()
        alt = self.evaluation.counts() if self.evaluation is not None else {k: None for k in base}
        labels = {f"band:{b}": f"Đơn vị xếp loại {b}" for b in self.criteria.bands.labels} | COUNT_LABELS
        rows = []
        for key, label in labels.items():
            b, a = base.get(key), alt.get(key)
            rows.append(
                {
                    "key": key,
                    "Chỉ tiêu": label,
                    "Phương án gốc": b,
                    "Kịch bản": a,
                    "Chênh lệch": None if a is None else a - b,
                }
            )
        return pd.DataFrame(rows).set_index("key")

    # -- reacting ------------------------------------------------------------------------
    def _on_change(self, change) -> None:
        if self._busy:
            return
        owner = change["owner"]
        if owner is self.controls["score"]:
            self._score_touched = True
        elif owner is self.controls["unit"] or owner is self.controls["year"]:
            self._prefill_score()
        self.refresh()

    def _prefill_score(self) -> None:
        """Show the selected unit's score of the year; it is a correction only once edited."""
        self._score_touched = False
        unit = self.unit_id
        note = ""
        value = 0.0
        if unit != NO_UNIT:
            rr = self.records.reform_results
            hit = rr[(rr["year"] == self.year) & (rr["unit_id"] == unit)]
            if len(hit) and not hit["score_blank"].iloc[0] and hit["score_cents"].iloc[0] >= 0:
                value = hit["score_cents"].iloc[0] / 100
                note = (
                    f"Điểm đã ghi năm {self.year}: {value:.2f}".replace(".", ",") + ". Nhập điểm khác để sửa."
                )
            else:
                note = f"Đơn vị chưa có điểm năm {self.year}. Nhập điểm để tính thử."
        else:
            note = "Chọn một đơn vị để nhập điểm sửa."
        self._busy = True
        try:
            self.controls["score"].value = value
            self.controls["score"].disabled = unit == NO_UNIT
        finally:
            self._busy = False
        self.score_note.value = f"<small>{html.escape(note)}</small>"

    def refresh(self) -> None:
        """Re-evaluate the scenario of the controls and redraw the counts and the changes."""
        t0 = time.perf_counter()
        self.exported = None
        self.export_status.value = ""
        try:
            base = self.baseline
            sc = self.scenario
            if sc.is_baseline:
                self.evaluation = base
            else:
                self.evaluation = run(self.records, self.year, self.criteria, sc)
            self.changes = compare(base, self.evaluation)
            self.error = None
        except (CriteriaError, ScenarioError, ValidationError, ValueError) as exc:
            self.error = str(exc)
            self.evaluation = None
            self.changes = compare(self.baseline, self.baseline)
        self.last_refresh_ms = (time.perf_counter() - t0) * 1000
        self._draw()

    def _draw(self) -> None:
        if self.error:
            self.status.value = (
                f'<div style="color:#b00020;white-space:pre-wrap"><b>Không tính được kịch bản:</b> '
                f"{html.escape(self.error)}</div>"
            )
        else:
            sc = self.scenario
            what = "phương án gốc (chưa thay đổi gì)" if sc.is_baseline else html.escape(_describe(sc))
            self.status.value = (
                f"<small>Năm {self.year} — {what}. Tính lại trong {self.last_refresh_ms:.0f} ms.</small>"
            )
        counts = self.counts
        styles = ["#fff8e1" if pd.notna(d) and d != 0 else "" for d in counts["Chênh lệch"]]
        shown = counts.copy()
        shown["Chênh lệch"] = [_signed(d) for d in shown["Chênh lệch"]]
        shown["Kịch bản"] = ["—" if pd.isna(v) else int(v) for v in shown["Kịch bản"]]
        self.counts_html.value = _html_table(shown, styles, "whatif-counts-table")
        ch = self.changes
        if not len(ch):
            self.changes_html.value = "<p><i>Không có quyết định nào khác phương án gốc.</i></p>"
            return
        view = people_table("changes", ch.head(MAX_ROWS_SHOWN), self.evaluation or self.baseline).drop(
            columns=["Năm"]
        )
        styles = [_CHANGE_COLOURS.get(c, "") for c in ch["change"].head(MAX_ROWS_SHOWN)]
        more = len(ch) - MAX_ROWS_SHOWN
        tail = f"<p><i>… và {more} dòng khác (xem tệp Excel).</i></p>" if more > 0 else ""
        self.changes_html.value = (
            f"<p><b>{len(ch)}</b> thay đổi so với phương án gốc, năm {self.year} "
            "(hệ quả lớn nhất trước: xử lý người đứng đầu, giới hạn xếp loại người đứng đầu, "
            "tổ chức đảng, cán bộ, rồi xếp loại đơn vị).</p>"
            + _html_table(view, styles, "whatif-changes-table")
            + tail
        )

    def reset(self) -> None:
        """Every control back to the baseline; one re-evaluation."""
        self._busy = True
        try:
            for name in PARAM_KINDS:
                self.controls[name].value = _to_control(name, self.criteria[name])
            self.controls["unit"].value = NO_UNIT
        finally:
            self._busy = False
        self._prefill_score()
        self.refresh()

    def export(self, path: str | Path | None = None) -> Path | None:
        """Write the scenario's decisions (and its changes) to an .xlsx; the path is shown."""
        if self.evaluation is None:
            self.export_status.value = "<span style='color:#b00020'>Chưa có kết quả để xuất.</span>"
            return None
        sc = self.scenario
        if path is None:
            tag = hashlib.sha256(json.dumps(sc.to_dict(), sort_keys=True, default=str).encode()).hexdigest()[
                :8
            ]
            path = self.out_dir / f"kich-ban-{self.year}-{tag}.xlsx"
        written = write_workbook(self.evaluation, path, self.changes, sc)
        self.exported = written.resolve()
        self.export_status.value = f"Đã ghi: <code>{html.escape(str(self.exported))}</code>"
        return self.exported


def _to_control(name: str, value: Any) -> Any:
    """A parameter's value as its control holds it (None has a stand-in in a Dropdown)."""
    kind = PARAM_KINDS[name]["kind"]
    if value is None and kind in ("decimals", "year_or_null"):
        return ROUNDING_EXACT if kind == "decimals" else NO_END
    if kind in ("percent", "score"):
        return float(str(value).replace(",", "."))
    return value


def _from_control(name: str, value: Any) -> Any:
    """A control's value as the criteria take it."""
    kind = PARAM_KINDS[name]["kind"]
    if (kind == "decimals" and value == ROUNDING_EXACT) or (kind == "year_or_null" and value == NO_END):
        return None
    return value


def _narrow() -> W.Layout:
    return W.Layout(width="110px")


def _text(v: Any) -> str:
    if v is None:
        return "không"
    if isinstance(v, bool):
        return "có" if v else "không"
    return str(v)


def _signed(d) -> str:
    if d is None or pd.isna(d):
        return "—"
    return f"+{int(d)}" if d > 0 else str(int(d))


def _describe(sc: Scenario) -> str:
    parts = [f"{PARAM_LABELS.get(k, k)} = {_text(v)}" for k, v in sc.overrides.items()]
    parts += [f"điểm {c.unit_id} năm {c.year} = {c.score_text.replace('.', ',')}" for c in sc.corrections]
    return "kịch bản: " + "; ".join(parts)
