"""Views of the monitor's result: the monitor.csv shape, the table people read, the traffic-light
HTML table with a trend line per commitment (notebook), and the annex's optional section.

Numbers for people use the Vietnamese decimal comma (81,82%) and the thousands dot (1.234);
the CSV keeps the machine contract (81.82). Both are rounded half up on the exact value.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pandas as pd

from .status import MET, NO_DATA, NOT_DUE, NOT_MET, OUTPUT_COLUMNS, SERIES_COLUMNS, Judgement, Monitoring

ANNEX_TITLE = "Tình hình thực hiện các chỉ tiêu của Chương trình"
# Traffic-light colours of the statuses (not_due in amber: a target still ahead).
COLOURS = {MET: "#2e7d32", NOT_MET: "#c62828", NO_DATA: "#9e9e9e", NOT_DUE: "#f9a825"}
PLACES = {"percent": 2, "score": 2, "count": 0, "yes_no": 0, "rank": 0}


def _decimal(v: Fraction, places: int) -> Decimal:
    d = Decimal(v.numerator) / Decimal(v.denominator)
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def machine_number(v: Fraction | None, kind: str) -> str:
    """81.82 for the CSV: two decimals for percents and scores, whole numbers otherwise."""
    if v is None:
        return ""
    places = PLACES[kind] if v.denominator == 1 or PLACES[kind] else 2
    return str(_decimal(v, places))


def vn_number(v: Fraction | None, kind: str, unit: str = "") -> str:
    """81,82% / 12,5% / 1.234 người / có — a value as people write it (at most two decimals, no
    trailing zeros)."""
    if v is None:
        return ""
    if kind == "yes_no":
        return "có" if v else "không"
    whole, _, frac = str(_decimal(v, 0 if v.denominator == 1 else 2)).partition(".")
    frac = frac.rstrip("0")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    grouped = f"{int(digits):,}".replace(",", ".")
    text = sign + grouped + ("," + frac if frac else "")
    return text + (unit if unit == "%" else (f" {unit}" if unit else ""))


def _due_text(j: Judgement) -> str:
    due = j.commitment.target.due
    if due == "yearly":
        return "yearly"
    return str(j.due_year) if j.due_year is not None else "yearly"


def _target_machine(j: Judgement) -> str:
    t = j.commitment.target
    if t.is_direction:
        return t.comparison
    v = j.target_value
    return f"{t.comparison}{v.numerator if v.denominator == 1 else machine_number(v, 'percent')}"


def _direction(j: Judgement) -> str:
    if j.value is None or j.previous is None:
        return ""
    return "up" if j.value > j.previous else "down" if j.value < j.previous else "flat"


def _note(m: Monitoring, j: Judgement) -> str:
    parts = [j.reason] if j.reason else []
    if j.key == NOT_DUE and j.met_now is not None and not j.commitment.target.is_direction:
        parts.append("hiện đã đạt mức mục tiêu" if j.met_now else "hiện chưa đạt mức mục tiêu")
    if j.key == NOT_MET and j.missing:
        parts.append(f"còn thiếu số liệu của {len(j.missing)} đối tượng")
    return "; ".join(parts)


def machine_table(m: Monitoring) -> pd.DataFrame:
    """One row per commitment, the columns of monitor.csv (text, as written)."""
    rows = []
    for j in m.judgements:
        c, kind = j.commitment, j.commitment.indicator.kind
        rows.append(
            {
                "year": str(m.year),
                "commitment_id": c.id,
                "clause": c.clause,
                "title": c.title,
                "indicator": c.indicator.id,
                "observed": c.indicator.observed,
                "target": _target_machine(j),
                "due": _due_text(j),
                "value": machine_number(j.value, kind),
                "previous_value": machine_number(j.previous, kind),
                "direction": _direction(j),
                "subjects_met": f"{j.subjects_met[0]}/{j.subjects_met[1]}" if j.subjects_met else "",
                "status": m.commitments.status(j.key),
                "trend": ";".join(f"{y}:{machine_number(v, kind)}" for y, v in j.trend),
                "note": _note(m, j),
                "source_table": c.table,
            }
        )
    return pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS))


def series_table(m: Monitoring) -> pd.DataFrame:
    """The indicator values up to the year (context indices included), as written to monitor_series.csv."""
    f = m.data.frame
    f = f[f["year"] <= m.year]
    kinds = {i: ind.kind for i, ind in m.commitments.indicators.items()}
    shown: dict[tuple, str] = {}  # each distinct value formatted once

    def text(v: Fraction, i: str) -> str:
        key = (v.numerator, v.denominator, kinds[i])
        if key not in shown:
            shown[key] = machine_number(v, kinds[i])
        return shown[key]

    out = pd.DataFrame(
        {
            "year": f["year"].astype(str),
            "indicator": f["indicator_id"],
            "subject_id": f["subject_id"],
            "value": [text(v, i) for v, i in zip(f["value"], f["indicator_id"], strict=True)],
            "numerator": ["" if v is None or pd.isna(v) else str(int(v)) for v in f["numerator"]],
            "denominator": ["" if v is None or pd.isna(v) else str(int(v)) for v in f["denominator"]],
            "source_table": f["table"],
        },
        columns=list(SERIES_COLUMNS),
    )
    return out.sort_values(["indicator", "subject_id", "year"], kind="stable").reset_index(drop=True)


# -- for people -------------------------------------------------------------------------------

_COMPARISON_WORDS = {">": "trên", ">=": "từ", "<": "dưới", "<=": "không quá", "==": "bằng"}


def target_text(m: Monitoring, j: Judgement) -> str:
    """'trên 80% vào năm 2020', 'không quá 1 (hằng năm)', 'tăng so với năm trước' — the target in words."""
    c = j.commitment
    ind = c.indicator
    t = c.target
    if t.is_direction:
        core = "tăng so với năm trước" if t.comparison == "rising" else "giảm so với năm trước"
    elif ind.kind == "yes_no":
        core = "có"
    elif t.comparison in ("<=", "==") and j.target_value == 0:
        core = "không có"
    elif t.comparison == ">=" and ind.kind == "percent" and j.target_value == 100:
        core = "100%"
    else:
        v = vn_number(j.target_value, ind.kind, m.commitments.unit_of_measure(ind))
        core = f"{_COMPARISON_WORDS[t.comparison]} {v}" + (" trở lên" if t.comparison == ">=" else "")
    scope = _scope(m, c)
    when = (
        " (hằng năm)"
        if j.due_year is None
        else (f" vào năm {j.due_year}" if isinstance(t.due, int) else f" (đến năm {j.due_year})")
    )
    return f"{scope}{core}{when}"


def _scope(m: Monitoring, c) -> str:
    observed = c.indicator.observed
    if observed in ("province", "level") or c.subjects:
        return ""
    return f"mọi {m.commitments.observation(observed)['label']}: "


def result_text(m: Monitoring, j: Judgement) -> str:
    ind = j.commitment.indicator
    value = vn_number(j.value, ind.kind, m.commitments.unit_of_measure(ind))
    if j.subjects_met:
        k, n = j.subjects_met
        worst = "" if ind.kind == "yes_no" or j.value is None else f" (thấp nhất {value})"
        if j.commitment.target.comparison in ("<", "<="):
            worst = "" if j.value is None else f" (cao nhất {value})"
        return f"{k}/{n} đạt{worst}"
    return value


def people_table(m: Monitoring) -> pd.DataFrame:
    """The commitments as people read them: Vietnamese headers and values, STT from 1."""
    rows = []
    for j in m.judgements:
        ind = j.commitment.indicator
        unit = m.commitments.unit_of_measure(ind)
        rows.append(
            {
                "Chỉ tiêu": j.commitment.title,
                "Mục": j.commitment.clause,
                "Mục tiêu": target_text(m, j),
                f"Năm {m.year}": result_text(m, j),
                f"Năm {m.year - 1}": "" if j.subjects_met else vn_number(j.previous, ind.kind, unit),
                "Tình hình": m.commitments.status(j.key),
                "Ghi chú": _note(m, j),
            }
        )
    df = pd.DataFrame(rows)
    df.index = pd.RangeIndex(1, len(df) + 1, name="STT")
    return df


def sparkline(j: Judgement, width: int = 120, height: int = 28) -> str:
    """The commitment's trend as a small inline SVG: the values, the target line, the year's point.
    For several subjects, the share of them that meet the target, against all of them."""
    if j.trend_met:
        pts = [(y, k / n) for y, k, n in j.trend_met]
        target, title = 1.0, "; ".join(f"{y}: {k}/{n} đạt" for y, k, n in j.trend_met)
    else:
        pts = [(y, float(v)) for y, v in j.trend]
        target = None if j.target_value is None else float(j.target_value)
        title = "; ".join(f"{y}: {vn_number(v, j.commitment.indicator.kind)}" for y, v in j.trend)
    if not pts:
        return ""
    ys = [v for _, v in pts]
    lo, hi = (
        min(ys + ([target] if target is not None else [])),
        max(ys + ([target] if target is not None else [])),
    )
    span = (hi - lo) or 1.0
    years = [y for y, _ in pts]
    x0, x1 = min(years), max(years)

    def xy(y, v):
        x = 4 + (width - 8) * ((y - x0) / (x1 - x0) if x1 > x0 else 0.5)
        return round(x, 1), round(height - 4 - (height - 8) * (v - lo) / span, 1)

    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    parts.append(f"<title>{html.escape(title)}</title>")
    if target is not None:
        _, ty = xy(x0, target)
        parts.append(
            f'<line x1="2" y1="{ty}" x2="{width - 2}" y2="{ty}" stroke="#888" stroke-dasharray="3,2"/>'
        )
    line = " ".join(f"{x},{y}" for x, y in (xy(y, v) for y, v in pts))
    parts.append(f'<polyline points="{line}" fill="none" stroke="#455a64" stroke-width="1.5"/>')
    lx, ly = xy(*pts[-1])
    parts.append(f'<circle cx="{lx}" cy="{ly}" r="3" fill="{COLOURS[j.key]}"/>')
    parts.append("</svg>")
    return "".join(parts)


def traffic_light_html(m: Monitoring) -> str:
    """The notebook's view: the year's counts and notes, then one row per commitment with a coloured
    status and its trend line (dashed: the target)."""
    head = ["STT", "Chỉ tiêu", "Mục", "Mục tiêu", f"Năm {m.year}", "Xu hướng", "Tình hình", "Ghi chú"]
    font = "font-family:'Liberation Sans',Arial,sans-serif"  # a font with every Vietnamese mark
    lines = [m.summary(), *(f"Lưu ý: {n}" for n in m.notes)]
    out = [
        f'<div style="{font};line-height:1.4">' + "<br>".join(html.escape(x) for x in lines) + "</div>",
        f'<table class="monitor" style="border-collapse:collapse;font-size:13px;{font}">',
        "<thead><tr>"
        + "".join(f'<th style="text-align:left;padding:2px 6px">{h}</th>' for h in head)
        + "</tr></thead>",
        "<tbody>",
    ]
    for i, j in enumerate(m.judgements, start=1):
        colour = COLOURS[j.key]
        status = m.commitments.status(j.key)
        cells = [
            str(i),
            html.escape(j.commitment.title),
            j.commitment.clause,
            html.escape(target_text(m, j)),
            html.escape(result_text(m, j)),
            sparkline(j),
            f'<span style="display:inline-block;width:10px;height:10px;border-radius:5px;background:{colour}"></span> '
            f"{status}",
            html.escape(_note(m, j)),
        ]
        style = "padding:2px 6px;border-top:1px solid #ddd"
        out.append(
            "<tr>"
            + "".join(
                f'<td style="{style}{";white-space:nowrap" if k in (4, 6) else ""}">{c}</td>'
                for k, c in enumerate(cells)
            )
            + "</tr>"
        )
    out += ["</tbody></table>"]
    return "\n".join(out)


@dataclass(frozen=True)
class AnnexSection:
    """The monitor's optional section of the annex: a title, its basis, an intro, one table of text
    cells (STT first), notes. The annex's hook turns it into its own Section (docs/monitor.md)."""

    key: str
    title: str
    basis: str
    intro: str
    table: pd.DataFrame
    notes: tuple[str, ...]


def annex_section(m: Monitoring, programme_short: str) -> AnnexSection:
    clauses = sorted({j.commitment.clause for j in m.judgements}, key=_clause_order)
    df = people_table(m).drop(columns=[f"Năm {m.year - 1}"]).reset_index()
    df["STT"] = df["STT"].astype(str)
    counts = m.counts()
    intro = (
        f"Năm {m.year}, {len(m.judgements)} chỉ tiêu đo được của Chương trình: "
        + ", ".join(f"{word} {n}" for word, n in counts.items())
        + "."
    )
    notes = (
        "«Chưa có số liệu»: không có số liệu để xét; không suy đoán.",
        "«Chưa đến hạn»: năm đánh giá trước năm của mục tiêu (hoặc trước khi Chương trình có hiệu lực).",
    )
    return AnnexSection(
        "monitor",
        ANNEX_TITLE,
        f"Căn cứ: các mục {', '.join(clauses)} {programme_short}",
        intro,
        df,
        notes,
    )


def _clause_order(clause: str):
    head, _, tail = clause.partition(".")
    roman = {"I": 1, "II": 2, "III": 3}.get(head, 9)
    return (roman, int(tail) if tail.isdigit() else 0)
