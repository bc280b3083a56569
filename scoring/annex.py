"""The ranking annex (phụ lục) of SPEC §4: HTML built from an Evaluation, then HTML and A4 PDF.

Two halves:

- `annex_html(ev, header)` (and the section functions it joins) turns one year's
  evaluation into the annex as an HTML fragment: the Party-document header, "PHỤ LỤC"
  with the year, sections I–V (each citing its clause), static charts and the audit
  stamp of SPEC §5. Pure functions of the Evaluation, so tests need no kernel or browser.
- `render_annex(data, year, out_dir, ...)` runs `notebooks/ranking_annex.ipynb` with
  papermill, exports it with nbconvert (code, prompts and prose hidden), and prints the
  HTML to an A4 PDF with Playwright driving Debian's chromium. All files are written
  atomically, with `manifest.json` (scoring.export.manifest).

Every reading comes from the criteria: thresholds, labels of the year's scales, clauses
and their quotes. Scores print with the decimal comma (95,20) from the engine's exact
two-decimal values, never through a float formatter that rounds half to even.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, fields
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd

from . import charts
from .criteria import Criteria, load_criteria
from .evaluate import Evaluation, evaluate, format_score
from .export import _write_atomically, manifest
from .records import load_records
from .resources import notebook_path

NOTEBOOK = notebook_path("ranking_annex.ipynb")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-gpu",
]
MAX_CHART_UNITS = 120  # one bar per unit; more do not fit an A4 page
DOTS = "…"  # a blank header field, left for the clerk to fill in
FILES = ("annex.html", "annex.pdf", "manifest.json")
# How a role prints in the annex (presentation of the role keys of the criteria).
ROLE_WORDS = {"head": "Người đứng đầu", "deputy": "Cấp phó", "staff": "Công chức, viên chức"}
# A fixed date for the PDF's own metadata, so the same inputs give the same bytes (SPEC §5).
PDF_DATE = b"D:20000101000000+00'00'"


class AnnexError(RuntimeError):
    """The annex could not be rendered (kernel, nbconvert or browser); the message says why."""


# ---------------------------------------------------------------------------------------
# Header fields


def _parse_date(text: str, what: str) -> dt.date | None:
    text = (text or "").strip()
    if not text or set(text) <= {".", "…", " "}:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"{what}: «{text}» không phải ngày hợp lệ (cần dạng 2019-03-15 hoặc 15/3/2019).")


@dataclass(frozen=True)
class HeaderFields:
    """The annex header (SPEC §4). Blank fields print as dots, for the clerk to fill in."""

    parent_body: str = "TỈNH ỦY KHÁNH HÒA"
    body: str = "BAN TỔ CHỨC"
    party: str = "ĐẢNG CỘNG SẢN VIỆT NAM"
    place: str = "Khánh Hòa"
    date: str = ""  # date of the annex: 2019-03-15 or 15/3/2019; blank -> "ngày … tháng … năm …"
    report_number: str = ""  # số of the report the annex goes with; blank -> "…"
    report_symbol: str = "BC/BTCTU"
    report_date: str = ""  # date of that report; blank -> "…"
    report_issuer: str = "Ban Tổ chức Tỉnh ủy"

    def __post_init__(self):
        _parse_date(self.date, "Ngày của phụ lục")
        _parse_date(self.report_date, "Ngày của báo cáo")

    @classmethod
    def from_params(cls, **params: Any) -> HeaderFields:
        """Build from notebook or command-line parameters; None and unknown names are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: str(v) for k, v in params.items() if k in known and v is not None})

    def place_date(self) -> str:
        """'Khánh Hòa, ngày 05 tháng 02 năm 2019' (days below 10 and months 1–2 take a 0)."""
        d = _parse_date(self.date, "Ngày của phụ lục")
        if d is None:
            return f"{self.place}, ngày {DOTS} tháng {DOTS} năm {DOTS}"
        month = f"{d.month:02d}" if d.month < 3 else str(d.month)
        return f"{self.place}, ngày {d.day:02d} tháng {month} năm {d.year}"

    def attachment(self) -> str:
        """'(Kèm theo Báo cáo số …-BC/BTCTU ngày … của Ban Tổ chức Tỉnh ủy)'."""
        number = self.report_number.strip() or DOTS
        d = _parse_date(self.report_date, "Ngày của báo cáo")
        day = f"{d.day}/{d.month}/{d.year}" if d else DOTS
        return f"(Kèm theo Báo cáo số {number}-{self.report_symbol} ngày {day} của {self.report_issuer})"


# ---------------------------------------------------------------------------------------
# Small formatters


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def thousands(n: int) -> str:
    """3850 -> '3.850' (Vietnamese thousands separator)."""
    return f"{int(n):,}".replace(",", ".")


def rate_text(late: int, handled: int, fires: bool, who: str, crit: Criteria) -> str:
    """The late share with a decimal comma, never contradicting the rule's own decision.

    Two decimals, rounded half up; when the rounded figure would sit on the wrong side of
    the threshold (9,996% shown as 10,00% for a unit that does not reach 10%), more
    decimals are shown until it does not.
    """
    if handled <= 0 or late < 0:
        return ""
    threshold = crit.fraction(f"{who}_late_threshold_percent")
    inclusive = crit[f"{who}_late_inclusive"]
    for decimals in range(2, 7):
        text = charts.percent_text(late, handled, decimals)
        shown = Fraction(text.rstrip("%").replace(",", "."))
        says = shown >= threshold if inclusive else shown > threshold
        if says == fires or crit["rate_rounding_decimals"] is not None:
            return text
    return text


def late_words(who: str, crit: Criteria) -> str:
    """'từ 10% trở lên' or 'trên 10%', as the programme words the threshold."""
    pct = charts.number(crit.fraction(f"{who}_late_threshold_percent"))
    return f"từ {pct}% trở lên" if crit[f"{who}_late_inclusive"] else f"trên {pct}%"


@dataclass(frozen=True)
class Layout:
    """How a section's table prints: alignment (c/l/r) and width of each column."""

    align: tuple[str, ...]
    widths: tuple[str, ...]
    extra: str = ""


def table_html(df: pd.DataFrame, layout: Layout) -> str:
    """A bordered table from a section frame (index STT); text is escaped, newlines break lines."""
    df = df.reset_index()
    cols = "".join(f'<col style="width:{w}">' for w in layout.widths)
    head = "".join(f"<th>{esc(h)}</th>" for h in df.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{a}">{esc(v).replace(chr(10), "<br>")}</td>'
            for a, v in zip(layout.align, row, strict=True)
        )
        + "</tr>"
        for row in df.itertuples(index=False, name=None)
    )
    return (
        f'<table class="pl-table {layout.extra}"><colgroup>{cols}</colgroup>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _frame(rows: list[list], columns: list[str]) -> pd.DataFrame:
    """A section frame: the columns as printed, numbered from 1 in an index named STT."""
    df = pd.DataFrame(rows, columns=columns, dtype=object)
    df.index = pd.RangeIndex(1, len(df) + 1, name="STT")
    return df


def basis(crit: Criteria, rule_id: str) -> str:
    """'Căn cứ: mục II.4 Chương trình hành động …: «quote»' — the clause a section rests on."""
    rule = crit.rule(rule_id)
    return f"Căn cứ: mục {rule.clause} {crit.programme['short']}: «{rule.quote}»"


def _basis_html(crit: Criteria, rule_ids: list[str]) -> str:
    out = []
    for rid in rule_ids:
        text, quote = basis(crit, rid).split("«", 1)
        out.append(f'<p class="pl-basis">{esc(text)}<i>«{esc(quote)}</i></p>')
    return "".join(out)


def _section_html(title: str, rule_ids: list[str], text: str, tables: list[str], crit: Criteria) -> str:
    parts = [f'<h2 class="pl-section">{esc(title)}</h2>', _basis_html(crit, rule_ids)]
    if text:
        parts.append(f'<p class="pl-text">{esc(text)}</p>')
    parts.extend(tables or ['<p class="pl-none">Không có trường hợp nào.</p>'])
    return "\n".join(parts)


def _unit_names(ev: Evaluation) -> dict[str, str]:
    u = ev.records.units
    return dict(zip(u["unit_id"], u["unit_name"], strict=True))


def _ranking_order(ev: Evaluation) -> dict[str, int]:
    return {uid: i for i, uid in enumerate(ev.unit_ranking["unit_id"])}


def _decided(ev: Evaluation, rule_id: str) -> list[str]:
    d = ev.decisions
    return d.loc[d["rule_id"] == rule_id, "subject_id"].tolist()


def _in_ranking_order(ev: Evaluation, df: pd.DataFrame, key: str) -> pd.DataFrame:
    order = _ranking_order(ev)
    k = df["unit_id"].map(order).fillna(len(order))
    return df.assign(_k=k).sort_values(["_k", key], kind="stable").drop(columns="_k")


def _notes(parts: list[str]) -> str:
    """'A; b; c': the notes of a cell, the later ones in lower case after the semicolon."""
    return "; ".join(p if i == 0 else p[:1].lower() + p[1:] for i, p in enumerate(parts))


def _streak_text(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(f"{y}: {b}" for y, b in pairs)


# ---------------------------------------------------------------------------------------
# The sections: a frame for each (what the notebook shows), and its HTML (what the annex prints)


def header_html(ev: Evaluation, header: HeaderFields) -> str:
    """The Party-document header, 'PHỤ LỤC' with the year, the title and the attachment line."""
    changes = [f"{k} = {_value_text(v)}" for k, v in ev.criteria.overrides]
    changes += [
        f"điểm của {c['unit_id']} năm {c['year']} sửa thành {str(c['score']).replace('.', ',')}"
        for c in getattr(ev.records, "corrections", [])
    ]
    banner = ""
    if changes:
        banner = (
            '<p class="pl-scenario">PHƯƠNG ÁN GIẢ ĐỊNH — không phải kết quả theo dữ liệu và bộ tiêu chí gốc '
            f"({esc('; '.join(changes))})</p>"
        )
    return f"""
<table class="pl-header"><tr>
<td class="pl-left"><div>{esc(header.parent_body)}</div><div class="pl-b">{esc(header.body)}</div><div>*</div></td>
<td class="pl-right"><div class="pl-b pl-party">{esc(header.party)}</div><div class="pl-rule"></div>
<div class="pl-i">{esc(header.place_date())}</div></td>
</tr></table>
<h1 class="pl-title">PHỤ LỤC</h1>
<p class="pl-subtitle">Kết quả xếp hạng cải cách hành chính năm {ev.year} và hệ quả đối với<br>
người đứng đầu, tổ chức cơ sở đảng, cán bộ, công chức</p>
<p class="pl-attach">{esc(header.attachment())}</p>
{banner}"""


def _unit_notes(ev: Evaluation) -> dict[str, list[str]]:
    """The 'Ghi chú' of each unit: caps, eligibility, ties, missing figures, cross-references."""
    crit = ev.criteria
    r = ev.unit_ranking
    notes: dict[str, list[str]] = {uid: [] for uid in r["unit_id"]}
    counts = charts.unit_dossier_counts(ev)
    late_rule = crit.rule("unit_late_dossiers")
    ranked = r.dropna(subset=["rank_in_group"])
    tied = set(ranked[ranked.duplicated(["group", "rank_in_group"], keep=False)]["unit_id"])
    for u in r.itertuples(index=False):
        n = notes[u.unit_id]
        if pd.isna(u.score):
            n.append("Không có điểm; xếp loại theo kết quả đã ghi nhận")
        if late_rule.id in str(u.reasons).split(";"):
            if u.band_by_score and u.band != u.band_by_score:
                n.append(f"Điểm đạt mức {u.band_by_score}, hạ xuống {u.band}")
            n.append(
                f"Trễ hạn {late_words('unit', crit)}: không xét thi đua, khen thưởng (mục {late_rule.clause})"
            )
        if u.unit_id in tied:
            n.append("Đồng hạng")
        if u.unit_id not in counts.index:
            n.append("Không có số liệu hồ sơ")
        elif int(counts.loc[u.unit_id, "handled"]) == 0:
            n.append("Không phát sinh hồ sơ")
    refs: dict[str, list[str]] = {uid: [] for uid in r["unit_id"]}
    o = ev.official_ratings.set_index("official_id")["unit_id"]
    for oid in _decided(ev, "head_reform_band"):
        refs.get(o.get(oid), []).append("II")
    for uid in ev.removal_triggers["unit_id"]:
        refs.get(uid, []).append("III")
    p = ev.party_org_classifications.set_index("party_org_id")["unit_id"]
    for pid in _decided(ev, "party_org_streak"):
        refs.get(p.get(pid), []).append("IV")
    for uid, parts in refs.items():
        if parts:
            notes[uid].append("Xem phần " + ", ".join(dict.fromkeys(parts)))
    return {k: list(dict.fromkeys(v)) for k, v in notes.items()}


RANKING_LAYOUT = Layout(("c", "l", "r", "c", "c", "r", "l"), ("6%", "31%", "8%", "8%", "10%", "10%", "27%"))


def ranking_frames(ev: Evaluation) -> dict[str, pd.DataFrame]:
    """I. One table per group: STT, unit, score (95,20), rank, band, late rate (10,00%), note."""
    crit = ev.criteria
    counts = charts.unit_dossier_counts(ev)
    notes = _unit_notes(ev)
    fired = set(_decided(ev, "unit_late_dossiers"))
    columns = ["Cơ quan, đơn vị", "Điểm (%)", "Xếp hạng", "Xếp loại", "Tỷ lệ hồ sơ trễ hạn", "Ghi chú"]
    out = {}
    for group, df in ev.unit_ranking.groupby("group", sort=False):
        rows = []
        for u in df.itertuples(index=False):
            rate = ""
            if u.unit_id in counts.index:
                c = counts.loc[u.unit_id]
                rate = rate_text(int(c["late"]), int(c["handled"]), u.unit_id in fired, "unit", crit)
            rows.append(
                [
                    u.unit_name,
                    "" if pd.isna(u.score) else format_score(u.score),
                    "" if pd.isna(u.rank_in_group) else str(int(u.rank_in_group)),
                    u.band,
                    rate,
                    _notes(notes[u.unit_id]),
                ]
            )
        out[group] = _frame(rows, columns)
    return out


def ranking_section(ev: Evaluation) -> str:
    """I. Xếp hạng theo khối, with the band scale and the late-dossier rule it applies."""
    crit = ev.criteria
    r = ev.unit_ranking
    labels = crit.bands.labels
    per_band = ", ".join(f"{b}: {int((r['band'] == b).sum())}" for b in labels)
    bounds = [crit.band_min(i) for i in range(len(labels) - 1)]
    scale = "; ".join(
        [f"{labels[0]} từ {charts.number(bounds[0])} điểm trở lên"]
        + [
            f"{labels[i]} từ {charts.number(bounds[i])} đến dưới {charts.number(bounds[i - 1])} điểm"
            for i in range(1, len(bounds))
        ]
        + [f"{labels[-1]} dưới {charts.number(bounds[-1])} điểm"]
    )
    barred = crit.bands.label(crit.cap_level("unit_late_dossiers", crit.bands) - 1)
    text = (
        f"Tổng số {len(r)} cơ quan, đơn vị — {per_band}. Xếp loại theo điểm (tỷ lệ phần trăm, làm tròn "
        f"đến hai chữ số thập phân): {scale}. Cơ quan, đơn vị có tỷ lệ hồ sơ trễ hạn "
        f"{late_words('unit', crit)} không được xếp loại {barred}."
    )
    tables = [
        f'<div class="pl-group"><h3 class="pl-group-title">{i}. {esc(group)} ({len(df)} cơ quan, đơn vị)</h3>'
        f"{table_html(df, RANKING_LAYOUT)}</div>"
        for i, (group, df) in enumerate(ranking_frames(ev).items(), start=1)
    ]
    return _section_html(
        "I. Xếp hạng theo khối", ["head_reform_band", "unit_late_dossiers"], text, tables, crit
    )


HEADS_LAYOUT = Layout(("c", "l", "l", "c", "l", "l", "l"), ("6%", "16%", "22%", "10%", "15%", "15%", "16%"))


def heads_capped_frame(ev: Evaluation) -> pd.DataFrame:
    """II. Heads of units ranked at or below the trigger band (head_reform_band, mục II.4)."""
    columns = [
        "Họ và tên",
        "Cơ quan, đơn vị",
        f"Xếp loại CCHC năm {ev.year}",
        "Xếp loại đề xuất",
        "Xếp loại sau khi áp dụng",
        "Ghi chú",
    ]
    ids = _decided(ev, "head_reform_band")
    o = ev.official_ratings
    o = _in_ranking_order(ev, o[o["official_id"].isin(ids)], "official_id")
    names = _unit_names(ev)
    band = ev.unit_ranking.set_index("unit_id")["band"]
    late_capped = set(_decided(ev, "official_late_dossiers"))
    rows = []
    for x in o.itertuples(index=False):
        note = []
        if x.final_rating == x.proposed_rating:
            note.append("Xếp loại đề xuất không cao hơn mức giới hạn")
        if x.official_id in late_capped:
            note.append("Đồng thời trễ hạn hồ sơ (phần V)")
        rows.append(
            [
                x.full_name,
                names.get(x.unit_id, x.unit_id),
                band.get(x.unit_id, ""),
                x.proposed_rating,
                x.final_rating,
                _notes(note),
            ]
        )
    return _frame(rows, columns)


def heads_capped_title(ev: Evaluation) -> str:
    crit = ev.criteria
    cadre = crit.scales("cadre").for_year(ev.year)
    barred = cadre.label(crit.cap_level("head_reform_band", cadre) - 1)
    return f'II. Người đứng đầu không được xếp loại từ "{barred}" trở lên'


def heads_capped_section(ev: Evaluation) -> str:
    crit = ev.criteria
    trigger = crit.bands.label(crit.band_level(crit["head_band_trigger"]))
    text = (
        f"Người đứng đầu cơ quan, đơn vị có kết quả xếp hạng cải cách hành chính năm {ev.year} từ mức "
        f"{trigger} trở xuống. Người đứng đầu trễ hạn {late_words('official', crit)} hồ sơ được nêu tại phần V."
    )
    df = heads_capped_frame(ev)
    tables = [table_html(df, HEADS_LAYOUT)] if len(df) else []
    return _section_html(heads_capped_title(ev), ["head_reform_band"], text, tables, crit)


REMOVAL_LAYOUT = Layout(("c", "l", "l", "l", "l"), ("6%", "20%", "28%", "20%", "26%"))


def removal_frame(ev: Evaluation) -> pd.DataFrame:
    """III. Heads whose unit's run of weak years triggers xử lý trách nhiệm … thay thế (II.4)."""
    columns = ["Họ và tên", "Cơ quan, đơn vị", "Kết quả CCHC các năm liên tục", "Hình thức xem xét"]
    t = _in_ranking_order(ev, ev.removal_triggers, "official_id")
    names = _unit_names(ev)
    who = ev.official_ratings.set_index("official_id")["full_name"]
    rows = []
    for x in t.itertuples(index=False):
        pairs = list(zip(x.streak_years.split(";"), x.streak_bands.split(";"), strict=False))
        actions = x.actions.replace(";", "; ")
        rows.append(
            [
                who.get(x.official_id, x.official_id),
                names.get(x.unit_id, x.unit_id),
                _streak_text(pairs),
                actions[:1].upper() + actions[1:],
            ]
        )
    return _frame(rows, columns)


def removal_title(ev: Evaluation) -> str:
    actions = ", ".join(ev.criteria.rule("head_removal_streak").spec["actions"])
    return f"III. Người đứng đầu thuộc diện {actions}"


def removal_section(ev: Evaluation) -> str:
    crit = ev.criteria
    rule = crit.rule("head_removal_streak")
    avg = crit.bands.label(crit.band_level(rule.spec["average_band"]))
    weak = crit.bands.label(crit.band_level(rule.spec["weak_band"]))
    lower = " trở xuống" if crit["weak_counts_toward_average_streak"] else ""
    own = ", trong thời gian người đó là người đứng đầu" if crit["head_streak_own_years_only"] else ""
    text = (
        f"Kết quả cải cách hành chính của đơn vị {crit['streak_years_average']:02d} năm liên tục xếp loại "
        f"{avg}{lower} hoặc {crit['streak_years_weak']:02d} năm liên tục xếp loại {weak}, tính đến năm "
        f"{ev.year}{own}. Đây là căn cứ để cấp có thẩm quyền xem xét, không phải quyết định xử lý."
    )
    df = removal_frame(ev)
    tables = [table_html(df, REMOVAL_LAYOUT)] if len(df) else []
    return _section_html(removal_title(ev), [rule.id], text, tables, crit)


PARTY_LAYOUT = Layout(("c", "l", "l", "l", "l", "l"), ("6%", "18%", "24%", "18%", "17%", "17%"))


def party_org_frame(ev: Evaluation) -> pd.DataFrame:
    """IV. Party organisations that cannot get the top classification (the unit's run, II.4)."""
    columns = [
        "Tổ chức cơ sở đảng (mã)",
        "Cơ quan, đơn vị",
        "Kết quả CCHC các năm liên tục",
        "Xếp loại đề xuất",
        "Xếp loại sau khi áp dụng",
    ]
    runs = ev.party_org_runs.drop(columns="unit_id")
    p = ev.party_org_classifications.merge(runs, on="party_org_id")
    p = _in_ranking_order(ev, p, "party_org_id")
    names = _unit_names(ev)
    rows = [
        [
            x.party_org_id,
            names.get(x.unit_id, x.unit_id),
            _streak_text(list(zip(x.streak_years.split(";"), x.streak_bands.split(";"), strict=True))),
            x.proposed_classification,
            x.final_classification,
        ]
        for x in p.itertuples(index=False)
    ]
    return _frame(rows, columns)


def party_org_section(ev: Evaluation) -> str:
    crit = ev.criteria
    party = crit.scales("party_org").for_year(ev.year)
    text = (
        f"Mức cao nhất năm {ev.year}: «{party.label(0)}» ({party.source}). Áp dụng theo kết quả cải cách "
        "hành chính của đơn vị, dù ai là người đứng đầu."
    )
    df = party_org_frame(ev)
    tables = [table_html(df, PARTY_LAYOUT)] if len(df) else []
    title = "IV. Tổ chức cơ sở đảng không được xếp loại ở mức cao nhất"
    return _section_html(title, ["party_org_streak"], text, tables, crit)


STAFF_LAYOUT = Layout(
    ("c", "l", "l", "l", "r", "r", "l", "l", "l"),
    ("6%", "13%", "10%", "14%", "10%", "9%", "13%", "13%", "12%"),
    "pl-narrow",
)


def staff_capped_frame(ev: Evaluation) -> pd.DataFrame:
    """V. Officials late on more than the threshold (official_late_dossiers, mục II.2)."""
    columns = [
        "Họ và tên",
        "Chức vụ",
        "Cơ quan, đơn vị",
        "Hồ sơ trễ hạn / đã giải quyết",
        "Tỷ lệ trễ hạn",
        "Xếp loại đề xuất",
        "Xếp loại sau khi áp dụng",
        "Ghi chú",
    ]
    ids = _decided(ev, "official_late_dossiers")
    o = ev.official_ratings
    o = _in_ranking_order(ev, o[o["official_id"].isin(ids)], "official_id")
    od = ev.records.official_dossiers
    od = od[od["year"] == ev.year].set_index("official_id")
    names = _unit_names(ev)
    rows = []
    for x in o.itertuples(index=False):
        late, handled = int(od.loc[x.official_id, "late"]), int(od.loc[x.official_id, "handled"])
        note = []
        if x.discipline_review:
            note.append("Xem xét kỷ luật nếu có vi phạm")
        if x.final_rating == x.proposed_rating:
            note.append("Xếp loại đề xuất không cao hơn mức giới hạn")
        rows.append(
            [
                x.full_name,
                ROLE_WORDS.get(x.role, x.role),
                names.get(x.unit_id, x.unit_id),
                f"{thousands(late)}/{thousands(handled)}",
                rate_text(late, handled, True, "official", ev.criteria),
                x.proposed_rating,
                x.final_rating,
                _notes(note),
            ]
        )
    return _frame(rows, columns)


def staff_capped_title(ev: Evaluation) -> str:
    return f"V. Cán bộ, công chức, viên chức trễ hạn {late_words('official', ev.criteria)} hồ sơ"


def staff_capped_section(ev: Evaluation) -> str:
    crit = ev.criteria
    cadre = crit.scales("cadre").for_year(ev.year)
    barred = cadre.label(crit.cap_level("official_late_dossiers", cadre) - 1)
    text = (
        f'Không được xếp loại từ "{barred}" trở lên; đồng thời xem xét kỷ luật nếu có vi phạm (đánh dấu '
        "để xem xét, không phải kỷ luật tự động)."
    )
    df = staff_capped_frame(ev)
    tables = [table_html(df, STAFF_LAYOUT)] if len(df) else []
    return _section_html(staff_capped_title(ev), ["official_late_dossiers"], text, tables, crit)


def charts_section(ev: Evaluation, dpi: int = 150) -> str:
    """The static charts: scores by group against the bands; late rates against the threshold.

    A chart of more than MAX_CHART_UNITS bars is unreadable on A4: beyond that it is left out.
    """
    if len(ev.unit_ranking) > MAX_CHART_UNITS:
        return (
            '<p class="pl-none">Biểu đồ được lược bỏ: có '
            f"{len(ev.unit_ranking)} cơ quan, đơn vị, quá nhiều để trình bày trên khổ A4.</p>"
        )
    figs = [
        (charts.scores_by_group(ev), f"Biểu đồ 1. Điểm cải cách hành chính năm {ev.year} và ngưỡng xếp loại"),
        (
            charts.late_rates(ev),
            f"Biểu đồ 2. Tỷ lệ hồ sơ trễ hạn năm {ev.year} và ngưỡng của mục "
            f"{ev.criteria.rule('unit_late_dossiers').clause}",
        ),
    ]
    parts = ['<div class="pl-charts">']
    for fig, caption in figs:
        data = base64.b64encode(charts.png_bytes(fig, dpi=dpi)).decode("ascii")
        parts.append(
            f'<figure class="pl-figure"><img alt="{esc(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>"
        )
    parts.append("</div>")
    return "\n".join(parts)


def _value_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "null" if v is None else str(v)


def stamp_html(ev: Evaluation, scenario: str | None = None) -> str:
    """The audit stamp of SPEC §5: package and criteria versions, SHA-256 of criteria and inputs."""
    m = manifest(ev, scenario)
    crit = ev.criteria
    over = m["overrides"]
    if over:
        baseline = {k: crit.parameter_info(k)["value"] for k in over}
        changed = "; ".join(
            f"{esc(k)} = {esc(_value_text(v))} (gốc: {esc(_value_text(baseline[k]))})"
            for k, v in over.items()
        )
    else:
        changed = "Không — theo bộ tiêu chí gốc"
    rows = [
        ("Năm đánh giá", str(m["year"])),
        ("Công cụ", f"scoring {esc(m['version'])}"),
        ("Bộ tiêu chí", f"{esc(m['criteria']['file'])}, phiên bản {esc(m['criteria']['version'])}"),
        ("Tham số thay đổi", changed),
    ]
    if scenario:
        rows.append(("Phương án", esc(scenario)))
    if m.get("corrections"):
        fixed = "; ".join(
            f"điểm của {esc(c['unit_id'])} năm {esc(c['year'])} sửa thành {esc(str(c['score']).replace('.', ','))}"
            for c in m["corrections"]
        )
        rows.append(("Điểm sửa", fixed))
    rows.append(("Dữ liệu đầu vào", esc(m["inputs"]["origin"])))
    if ev.notes:
        rows.append(("Lưu ý", "".join(f"<div>{esc(n)}</div>" for n in ev.notes)))
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    hashes = [(f"{m['criteria']['file']} (bộ tiêu chí)", m["criteria"]["sha256"])]
    hashes += list(m["inputs"]["sha256"].items())
    sha_rows = "".join(
        f'<tr><td>{esc(name)}</td><td class="pl-hash">{esc(sha)}</td></tr>' for name, sha in hashes
    )
    return (
        '<div class="pl-stamp"><p class="pl-stamp-title">Thông tin kiểm tra (lập tự động; cùng dữ liệu '
        f'và bộ tiêu chí cho cùng kết quả)</p><table class="pl-stamp-kv">{body}</table>'
        f'<table class="pl-stamp-sha"><thead><tr><th>Tệp</th><th>SHA-256</th></tr></thead>'
        f"<tbody>{sha_rows}</tbody></table></div>"
    )


ANNEX_CSS = """
@page { size: A4; margin: 18mm 15mm 18mm 25mm; }
.phu-luc { font-family: "Liberation Serif", "Times New Roman", serif; font-size: 12pt; color: #000;
  line-height: 1.3; max-width: 170mm; margin: 0 auto; background: #fff; }
.phu-luc p { margin: 0.25em 0; }
.phu-luc .pl-header { width: 100%; border-collapse: collapse; margin-bottom: 6mm; }
.phu-luc .pl-header td { border: none; vertical-align: top; text-align: center; padding: 0; font-size: 12pt; }
.phu-luc .pl-left { width: 42%; }
.phu-luc .pl-right { width: 58%; }
.phu-luc .pl-b { font-weight: bold; }
.phu-luc .pl-i { font-style: italic; }
.phu-luc .pl-party { font-size: 13pt; }
.phu-luc .pl-rule { width: 62%; margin: 1px auto 6px auto; border-top: 1px solid #000; }
.phu-luc .pl-title { text-align: center; font-size: 14pt; font-weight: bold; margin: 4mm 0 1mm 0; }
.phu-luc .pl-subtitle { text-align: center; font-weight: bold; font-size: 12.5pt; margin: 0 10mm; }
.phu-luc .pl-attach { text-align: center; font-style: italic; }
.phu-luc .pl-scenario { text-align: center; font-weight: bold; border: 1.5px solid #000; padding: 2mm;
  margin: 3mm 0; }
.phu-luc .pl-section { font-size: 12.5pt; font-weight: bold; margin: 6mm 0 1.5mm 0; break-after: avoid;
  page-break-after: avoid; }
.phu-luc .pl-group-title { font-size: 12pt; font-weight: bold; font-style: italic; margin: 3mm 0 1.5mm 0;
  break-after: avoid; page-break-after: avoid; }
.phu-luc .pl-basis { font-size: 10.5pt; text-align: justify; }
.phu-luc .pl-text { font-size: 11.5pt; text-align: justify; margin-bottom: 2mm; }
.phu-luc .pl-none { font-style: italic; }
.phu-luc .pl-table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 10.5pt;
  margin: 1mm 0 2mm 0; }
.phu-luc .pl-table th, .phu-luc .pl-table td { border: 0.75pt solid #000; padding: 2px 4px;
  vertical-align: middle; overflow-wrap: break-word; background: #fff; color: #000; }
.phu-luc .pl-table th { font-weight: bold; text-align: center; }
.phu-luc .pl-table thead { display: table-header-group; }
.phu-luc .pl-table tr { break-inside: avoid; page-break-inside: avoid; }
.phu-luc .pl-table td.c { text-align: center; }
.phu-luc .pl-table td.l { text-align: left; }
.phu-luc .pl-table td.r { text-align: right; white-space: nowrap; }
.phu-luc .pl-table.pl-narrow { font-size: 10pt; }
.phu-luc .pl-charts { break-before: page; page-break-before: always; }
.phu-luc .pl-figure { margin: 0 0 4mm 0; text-align: center; break-inside: avoid; page-break-inside: avoid; }
.phu-luc .pl-figure img { max-width: 100%; max-height: 235mm; }
.phu-luc .pl-figure figcaption { font-style: italic; font-size: 11pt; }
.phu-luc .pl-stamp { margin-top: 6mm; border-top: 0.75pt solid #000; padding-top: 2mm; font-size: 9pt;
  break-inside: avoid; page-break-inside: avoid; }
.phu-luc .pl-stamp-title { font-weight: bold; }
.phu-luc .pl-stamp table { border-collapse: collapse; width: 100%; margin-top: 1mm; }
.phu-luc .pl-stamp th, .phu-luc .pl-stamp td { text-align: left; vertical-align: top; padding: 0.5px 4px 0.5px 0;
  border: none; background: #fff; color: #000; }
.phu-luc .pl-stamp th { font-weight: normal; font-style: italic; }
.phu-luc .pl-stamp-kv th { width: 22%; }
.phu-luc .pl-stamp-sha th:first-child, .phu-luc .pl-stamp-sha td:first-child { width: 32%; }
.phu-luc .pl-hash { font-family: "Liberation Mono", monospace; font-size: 7.5pt; word-break: break-all; }
"""


def text_block(text: str) -> str:
    """Plain Vietnamese text (a summary, an explanation) as HTML for a notebook.

    JupyterLab prints stdout in its code font, DejaVu Sans Mono by default, which misplaces
    the second mark of letters such as ố, ễ, ề; rendered HTML uses a font that has them.
    """
    return (
        "<div style=\"white-space: pre-wrap; font-family: 'Liberation Sans', Arial, sans-serif; "
        f'line-height: 1.4">{esc(text)}</div>'
    )


def annex_html(
    ev: Evaluation,
    header: HeaderFields | None = None,
    scenario: str | None = None,
    with_charts: bool = True,
) -> str:
    """The whole annex as one HTML fragment (with its own <style>), as the notebook shows it."""
    header = header or HeaderFields()
    parts = [
        f"<style>{ANNEX_CSS}</style>",
        '<div class="phu-luc" lang="vi">',
        header_html(ev, header),
        ranking_section(ev),
        heads_capped_section(ev),
        removal_section(ev),
        party_org_section(ev),
        staff_capped_section(ev),
        charts_section(ev) if with_charts else "",
        stamp_html(ev, scenario),
        "</div>",
    ]
    return "\n".join(parts)


def _json(value: str | dict | list | None, default):
    if isinstance(value, str):
        return json.loads(value) if value.strip() else default
    return default if value is None else value


def load_evaluation(
    data: str | Path | None,
    year: int,
    overrides: str | dict | None = None,
    criteria: str | Path | None = None,
    corrections: str | list | None = None,
    scenario: str | None = None,
) -> Evaluation:
    """One year's evaluation under a scenario: parameter overrides and corrected scores.

    `overrides` is {"parameter": value} and `corrections` is [{"unit_id", "year", "score"}],
    each as a dict/list or as JSON text (as papermill passes them). With neither, this is
    the baseline evaluation.
    """
    from .scenario import Correction, Scenario, run

    over = _json(overrides, {})
    fixes = tuple(
        Correction(str(c["unit_id"]), int(c.get("year", year)), c["score"]) for c in _json(corrections, [])
    )
    crit = load_criteria(criteria)
    records = load_records(data, crit)
    if not over and not fixes:
        return evaluate(records, int(year), crit)
    return run(records, int(year), crit, Scenario(scenario or "phương án giả định", over, fixes))


# ---------------------------------------------------------------------------------------
# Rendering: papermill -> nbconvert -> Playwright PDF


def document_html(body: str, title: str) -> str:
    """A standalone HTML page around nbconvert's output (no scripts, nothing fetched)."""
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n"
        "<style>body { margin: 0; background: #fff; } "
        "@media screen { body { padding: 12mm 0; } }</style>\n"
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _execute(parameters: dict, workdir: Path, timeout: int) -> Path:
    import papermill as pm
    from traitlets.config import Config

    out = workdir / "ranking_annex.ipynb"
    try:
        pm.execute_notebook(
            str(NOTEBOOK),
            str(out),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(workdir),
            execution_timeout=timeout,
            config=Config({"KernelManager": {"transport": "ipc"}}),
        )
    except Exception as exc:  # papermill wraps the kernel's error; say where it came from
        raise AnnexError(f"Không chạy được sổ tay phụ lục {NOTEBOOK.name}: {exc}") from exc
    return out


def _export_html(notebook: Path, title: str) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_output_prompt=True,
        exclude_input_prompt=True,
        exclude_markdown=True,
        exclude_raw=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    # papermill gives its injected cell a new id on every run: drop the ids, keep the bytes stable
    body = re.sub(r' id="cell-id=[^"]*"', "", body)
    return document_html(body, title)


def html_to_pdf(html_path: Path, pdf_path: Path, timeout_ms: int = 60_000) -> None:
    """Print an HTML file to an A4 PDF with Debian's chromium (page numbers in the footer)."""
    if not Path(CHROMIUM).exists():
        raise AnnexError(f"Không tìm thấy trình duyệt {CHROMIUM} để xuất PDF.")
    from playwright.sync_api import sync_playwright

    profile = Path(tempfile.mkdtemp(prefix="annex-chromium-"))
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=timeout_ms
            )
            try:
                page = ctx.new_page()
                page.goto(html_path.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
                page.evaluate("document.fonts.ready.then(() => true)")
                page.emulate_media(media="print")
                page.pdf(
                    path=str(pdf_path),
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=(
                        "<div style=\"width:100%;text-align:center;font-family:'Liberation Serif',serif;"
                        'font-size:9pt;">Trang <span class="pageNumber"></span>/<span class="totalPages">'
                        "</span></div>"
                    ),
                    margin={"top": "18mm", "bottom": "18mm", "left": "25mm", "right": "15mm"},
                )
            finally:
                ctx.close()
    except AnnexError:
        raise
    except Exception as exc:
        raise AnnexError(f"Không xuất được PDF bằng {CHROMIUM}: {exc}") from exc
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _fixed_pdf_dates(pdf: bytes) -> bytes:
    """Replace the PDF's creation/modification dates (same length, so offsets hold)."""

    def fix(m: re.Match) -> bytes:
        old = m.group(2)
        new = PDF_DATE[: len(old)].ljust(len(old), b" ")
        return m.group(1) + new + m.group(3)

    return re.sub(rb"(/(?:CreationDate|ModDate)\s*\()([^)]*)(\))", fix, pdf)


def render_annex(
    data: str | Path | None,
    year: int,
    out_dir: str | Path,
    overrides: dict | None = None,
    header: HeaderFields | None = None,
    criteria: str | Path | None = None,
    scenario: str | None = None,
    corrections: list[dict] | None = None,
    pdf: bool = True,
    timeout: int = 300,
) -> list[Path]:
    """Execute the annex notebook for `year`, export it to HTML and an A4 PDF, write `out_dir`.

    The input is validated first (ValidationError / CriteriaError, nothing written); the
    files appear in `out_dir` only when all of them are complete. Returns their paths.
    """
    header = header or HeaderFields()
    overrides = dict(overrides or {})
    corrections = list(corrections or [])
    # raises on bad input (ValidationError, CriteriaError, ScenarioError) before any work
    ev = load_evaluation(data, year, overrides, criteria, corrections, scenario)
    m = manifest(ev, scenario)
    parameters = {
        "data": None if data is None else str(Path(data).resolve()),
        "year": int(year),
        "overrides": json.dumps(overrides, ensure_ascii=False, sort_keys=True),
        "criteria": None if criteria is None else str(Path(criteria).resolve()),
        "corrections": json.dumps(corrections, ensure_ascii=False, sort_keys=True),
        "scenario": scenario,
        **{f.name: getattr(header, f.name) for f in fields(HeaderFields)},
    }
    title = f"Phụ lục — Kết quả xếp hạng cải cách hành chính năm {ev.year}"
    work = Path(tempfile.mkdtemp(prefix="annex-"))
    try:
        executed = _execute(parameters, work, timeout)
        page = _export_html(executed, title)
        files: dict[str, bytes] = {"annex.html": page.encode("utf-8")}
        if pdf:
            (work / "annex.html").write_bytes(files["annex.html"])
            html_to_pdf(work / "annex.html", work / "annex.pdf")
            files["annex.pdf"] = _fixed_pdf_dates((work / "annex.pdf").read_bytes())
        m["files"] = sorted(files)
        m["annex"] = {"header": {f.name: getattr(header, f.name) for f in fields(HeaderFields)}}
        files["manifest.json"] = (json.dumps(m, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
        out = Path(out_dir)
        _write_atomically(out, files)
        return [out / name for name in files]
    finally:
        shutil.rmtree(work, ignore_errors=True)


__all__ = [
    "AnnexError",
    "HeaderFields",
    "Layout",
    "annex_html",
    "basis",
    "charts_section",
    "header_html",
    "heads_capped_frame",
    "heads_capped_section",
    "html_to_pdf",
    "load_evaluation",
    "party_org_frame",
    "party_org_section",
    "ranking_frames",
    "ranking_section",
    "removal_frame",
    "removal_section",
    "render_annex",
    "staff_capped_frame",
    "staff_capped_section",
    "stamp_html",
    "table_html",
    "text_block",
]
