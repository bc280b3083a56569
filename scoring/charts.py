"""Charts where people would rather look than read (SPEC §4).

Each function takes an `Evaluation` (or the records) and returns a matplotlib `Figure`,
built without pyplot so no global state is touched; the notebooks display it, the annex
embeds it as a static PNG (`png_bytes`). Thresholds are never written here: the band
bounds, the late-dossier threshold and the head's band trigger come from the criteria.
Labels are Vietnamese; DejaVu Sans (matplotlib's default) has every Vietnamese letter.
"""

from __future__ import annotations

import io
import textwrap
from fractions import Fraction

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch

from .criteria import Criteria, load_criteria
from .evaluate import Evaluation, evaluate, format_score
from .records import Records, ValidationError
from .rules.late_dossiers import threshold_words

# Band colours by level, best first (presentation only; the bands themselves are criteria).
BAND_COLOURS = ("#2e7d32", "#1565c0", "#ef6c00", "#c62828", "#6a1b9a", "#4e342e")
NO_BAND_COLOUR = "#9e9e9e"
LATE_COLOUR = "#c62828"
ON_TIME_COLOUR = "#78909c"
WIDTH_IN = 6.5  # fits the text width of an A4 page in the annex


def number(x: Fraction | float | int) -> str:
    """85 -> '85', 72.5 -> '72,5': a bound as people write it, with a decimal comma."""
    f = Fraction(str(x)) if not isinstance(x, Fraction) else x
    if f.denominator == 1:
        return str(f.numerator)
    text = f"{float(f):.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def percent_text(late: int, handled: int, decimals: int = 2) -> str:
    """30/300 -> '10,00%': the exact share rounded half up (never a binary float), decimal comma."""
    if handled <= 0 or late < 0:
        return ""
    scale = 10**decimals
    q = (2 * late * 100 * scale + handled) // (2 * handled)  # round half up
    whole, frac = divmod(q, scale)
    return f"{whole},{frac:0{decimals}d}%" if decimals else f"{whole}%"


def unit_dossier_counts(ev: Evaluation) -> pd.DataFrame:
    """The evaluated year's dossier counts per unit (index unit_id; columns handled, late)."""
    d = ev.records.unit_dossiers
    return d.loc[d["year"] == ev.year, ["unit_id", "handled", "late"]].set_index("unit_id")


def band_colour(level: int) -> str:
    return BAND_COLOURS[level % len(BAND_COLOURS)] if level >= 0 else NO_BAND_COLOUR


def png_bytes(fig: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG bytes; no timestamp inside, so equal figures give equal bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _text_width_in(texts, size: float) -> float:
    """Width in inches of the widest text at `size` points (measured, not drawn)."""
    renderer = RendererAgg(10, 10, 72)  # at 72 dpi a pixel is a point
    prop = FontProperties(size=size)
    widths = [renderer.get_text_width_height_descent(str(t), prop, ismath=False)[0] for t in texts]
    return max(widths, default=0.0) / 72 * 1.06  # hinting at print resolution runs a little wider


# Fixed margins (inches) instead of a layout engine: the annex's tall charts would spend
# seconds in constrained layout on every save.
TITLE_IN, AXIS_TOP_IN, GROUP_TITLE_IN, XAXIS_IN, LEGEND_IN, RIGHT_IN = 0.32, 0.16, 0.2, 0.42, 0.26, 0.4


def _group_axes(ev: Evaluation, title: str, groups: list[str] | None = None, row_height: float = 0.15):
    """One horizontal-bar axis per ranking group, heights in proportion to the units.

    `groups` picks some of the groups (all of them by default); an empty `title` leaves the
    room of the title out (the annex prints a caption under each chart instead).
    """
    r = ev.unit_ranking
    groups = list(dict.fromkeys(r["group"])) if groups is None else list(groups)
    r = r[r["group"].isin(groups)]
    sizes = [int((r["group"] == g).sum()) for g in groups]
    heights = [(s + 1) * row_height for s in sizes]
    top = (TITLE_IN if title else 0.05) + AXIS_TOP_IN + GROUP_TITLE_IN
    bottom = XAXIS_IN + LEGEND_IN
    gap = GROUP_TITLE_IN + 0.12
    height = top + bottom + sum(heights) + gap * (len(groups) - 1)
    left = _text_width_in(r["unit_name"], 6.5) + 0.15
    fig = Figure(figsize=(WIDTH_IN, height))
    gs = fig.add_gridspec(
        len(groups),
        1,
        height_ratios=heights,
        left=left / WIDTH_IN,
        right=1 - RIGHT_IN / WIDTH_IN,
        top=1 - top / height,
        bottom=bottom / height,
        hspace=gap / (sum(heights) / len(groups)),
    )
    axes = gs.subplots(sharex=True)
    axes = np.atleast_1d(axes)
    if title:
        fig.suptitle(title, fontsize=10, fontweight="bold", y=1 - 0.06 / height, va="top")
    return fig, axes, [(g, r[r["group"] == g]) for g in groups]


def _legend(fig: Figure, handles: list, ncol: int, fontsize: float) -> None:
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=ncol,
        fontsize=fontsize,
        frameon=False,
    )


def _band_of(label_series: pd.Series, crit: Criteria) -> np.ndarray:
    index = {lab: i for i, lab in enumerate(crit.bands.labels)}
    return np.array([index.get(b, -1) for b in label_series], dtype=int)


def scores_by_group(ev: Evaluation, groups: list[str] | None = None, title: bool = True) -> Figure:
    """Each unit's score by group, coloured by its band, against the band thresholds (II.4).

    A unit whose band was lowered by the late-dossier cap (II.2) is hatched: its bar sits
    above a threshold its band does not reach. `groups` draws some groups only (the annex
    draws one chart per group, so that the charts flow on its pages); the score axis is the
    same for every group.
    """
    crit = ev.criteria
    bands = crit.bands
    bounds = [crit.band_min(i) for i in range(len(bands.labels) - 1)]
    heading = f"Điểm cải cách hành chính năm {ev.year} theo khối và ngưỡng xếp loại" if title else ""
    fig, axes, parts = _group_axes(ev, heading, groups)
    scores = ev.unit_ranking["score"].dropna()
    low = float(min([*scores, *map(float, bounds)])) if len(scores) else 0.0
    x0 = max(0.0, np.floor((low - 8) / 5) * 5)
    lowered = False
    for ax, (group, df) in zip(axes, parts, strict=True):
        y = np.arange(len(df))[::-1]
        score = df["score"].to_numpy(dtype=float)
        levels = _band_of(df["band"], crit)
        by_score = _band_of(df["band_by_score"], crit)
        capped = (levels != by_score) & (by_score >= 0)
        lowered |= bool(capped.any())
        has = ~np.isnan(score)
        ax.barh(
            y[has],
            score[has] - x0,
            left=x0,
            color=[band_colour(v) for v in levels[has]],
            hatch=None,
            height=0.72,
        )
        for yi, s, c in zip(y[has], score[has], capped[has], strict=True):
            if c:
                ax.barh(yi, s - x0, left=x0, color="none", edgecolor="white", hatch="////", height=0.72)
            ax.text(s + 0.3, yi, format_score(s), va="center", fontsize=6)
        for yi in y[~has]:
            ax.text(x0 + 0.5, yi, "không có điểm", va="center", fontsize=6, color=NO_BAND_COLOUR)
        ax.set_yticks(y, df["unit_name"].tolist(), fontsize=6.5)
        ax.set_ylim(-0.7, len(df) - 0.3)
        ax.set_title(f"{group} ({len(df)})", fontsize=8, loc="left")
        for b in bounds:
            ax.axvline(float(b), color="#424242", linestyle="--", linewidth=0.8)
        ax.tick_params(axis="x", labelsize=7)
    # the thresholds, named once above the first group (a secondary axis keeps clear of titles)
    sec = axes[0].secondary_xaxis("top")
    sec.set_xticks(
        [float(b) for b in bounds], [f"{bands.label(i)} ≥ {number(b)}" for i, b in enumerate(bounds)]
    )
    sec.tick_params(labelsize=6.5, colors="#424242", length=0)
    axes[-1].set_xlim(x0, 103)
    axes[-1].set_xlabel("Điểm (%)", fontsize=7.5)
    handles = [Patch(color=band_colour(i), label=lab) for i, lab in enumerate(bands.labels)]
    if lowered:
        rule = crit.rule("unit_late_dossiers")
        handles.append(
            Patch(
                facecolor="#bdbdbd", edgecolor="white", hatch="////", label=f"hạ xếp loại (mục {rule.clause})"
            )
        )
    _legend(fig, handles, len(handles), 7)
    return fig


def late_rates(ev: Evaluation, title: bool = True) -> Figure:
    """Each unit's share of late dossiers, highest first, against the threshold of mục II.2.

    Bars at or over the threshold (the rule's own decision, not a float comparison) are red;
    units with no dossiers are named below the chart.
    """
    crit = ev.criteria
    rule = crit.rule("unit_late_dossiers")
    pct = float(crit.fraction("unit_late_threshold_percent"))
    barred = crit.bands.label(crit.cap_level(rule.id, crit.bands) - 1)
    counts = unit_dossier_counts(ev)
    r = ev.unit_ranking
    has = r[r["late_rate"].notna()].sort_values(["late_rate", "unit_name"], ascending=[False, True])
    none = r[r["late_rate"].isna()]
    xlabel = "Tỷ lệ hồ sơ trễ hạn (% số hồ sơ đã giải quyết trong năm)"
    if len(none):
        missing = "Không có số liệu hoặc không phát sinh hồ sơ: " + ", ".join(none["unit_name"])
        xlabel += "\n" + "\n".join(textwrap.wrap(missing, 75))
    top = (TITLE_IN if title else 0.05) + AXIS_TOP_IN + 0.08
    bottom = XAXIS_IN + 0.12 * xlabel.count("\n") + LEGEND_IN
    height = top + bottom + 0.11 * (len(has) + 1)
    left = _text_width_in(has["unit_name"], 5.8) + 0.15
    fig = Figure(figsize=(WIDTH_IN, height))
    fig.subplots_adjust(
        left=left / WIDTH_IN, right=1 - RIGHT_IN / WIDTH_IN, top=1 - top / height, bottom=bottom / height
    )
    ax = fig.subplots()
    y = np.arange(len(has))[::-1]
    rate = has["late_rate"].to_numpy(dtype=float) * 100
    fired = has["reasons"].str.split(";").apply(lambda x: rule.id in x).to_numpy()
    ax.barh(y, rate, color=np.where(fired, LATE_COLOUR, ON_TIME_COLOUR), height=0.72)
    x1 = max(pct * 1.4, float(rate.max()) * 1.12 if len(rate) else 0.0)
    for yi, v, uid in zip(y, rate, has["unit_id"], strict=True):
        c = counts.loc[uid]
        ax.text(
            v + x1 * 0.005, yi, percent_text(int(c["late"]), int(c["handled"])), va="center", fontsize=5.5
        )
    ax.set_yticks(y, has["unit_name"].tolist(), fontsize=5.8)
    ax.set_ylim(-0.7, len(has) - 0.3)
    ax.set_xlim(0, x1)
    ax.axvline(pct, color=LATE_COLOUR, linestyle="--", linewidth=0.9)
    sec = ax.secondary_xaxis("top")
    sec.set_xticks([pct], [f"ngưỡng {threshold_words('unit', crit)} (mục {rule.clause})"])
    sec.tick_params(labelsize=6.5, colors=LATE_COLOUR, length=0)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel(xlabel, fontsize=7)
    if title:
        fig.suptitle(
            f"Tỷ lệ hồ sơ trễ hạn năm {ev.year}",
            fontsize=10,
            fontweight="bold",
            y=1 - 0.06 / height,
            va="top",
        )
    handles = [
        Patch(
            color=LATE_COLOUR,
            label=f"đạt ngưỡng: không được xếp loại {barred}, không xét thi đua, khen thưởng",
        ),
        Patch(color=ON_TIME_COLOUR, label="dưới ngưỡng"),
    ]
    _legend(fig, handles, 2, 6.5)
    return fig


def band_history_table(
    records: Records, unit_id: str, criteria: Criteria | None = None, last_year: int | None = None
) -> pd.DataFrame:
    """A unit's score, band and head, year by year, as each year's own evaluation gave them.

    Columns: year, score, band, band_level (0 the best; -1 no result), head_id, head_name.
    Years that cannot be evaluated (no records) are left out.
    """
    crit = criteria or load_criteria()
    uid = str(unit_id)
    if uid not in set(records.units["unit_id"]):
        raise KeyError(f"Không có đơn vị mã {uid} trong dữ liệu.")
    years = [y for y in records.years() if last_year is None or y <= int(last_year)]
    rows = []
    for y in years:
        try:
            ev = evaluate(records, y, crit)
        except ValidationError:
            continue
        u = ev.unit_ranking[ev.unit_ranking["unit_id"] == uid]
        heads = ev.official_ratings[
            (ev.official_ratings["unit_id"] == uid) & (ev.official_ratings["role"] == "head")
        ]
        band = u["band"].iloc[0] if len(u) else ""
        rows.append(
            {
                "year": y,
                "score": u["score"].iloc[0] if len(u) else np.nan,
                "band": band,
                "band_level": crit.bands.labels.index(band) if band else -1,
                "head_id": ";".join(heads["official_id"]),
                "head_name": "; ".join(heads["full_name"]),
            }
        )
    return pd.DataFrame(rows, columns=["year", "score", "band", "band_level", "head_id", "head_name"])


def band_history(
    records: Records, unit_id: str, criteria: Criteria | None = None, last_year: int | None = None
) -> Figure:
    """A unit's band over the years, with its head each year (the streaks of mục II.4).

    The shaded area holds the bands from the head trigger down (`head_band_trigger`): a
    year there caps the head's rating, and runs of such years drive the removal trigger.
    """
    crit = criteria or load_criteria()
    t = band_history_table(records, unit_id, crit, last_year)
    name = records.units.loc[records.units["unit_id"] == str(unit_id), "unit_name"].iloc[0]
    labels = crit.bands.labels
    n = len(labels)
    fig = Figure(figsize=(WIDTH_IN, 3.2), layout="constrained")
    ax = fig.subplots()
    trigger = crit.band_level(crit["head_band_trigger"])
    rule = crit.rule("head_reform_band")
    ax.axhspan(
        trigger - 0.5,
        n - 0.5,
        color="#ffebee",
        label=f"«{labels[trigger]}» trở xuống (mục {rule.clause})",
    )
    have = t[t["band_level"] >= 0]
    ax.plot(have["year"], have["band_level"], color="#616161", linewidth=1, zorder=1)
    ax.scatter(
        have["year"],
        have["band_level"],
        c=[band_colour(v) for v in have["band_level"]],
        s=60,
        zorder=2,
    )
    for _, r in have.iterrows():
        text = "" if pd.isna(r["score"]) else format_score(r["score"])
        ax.annotate(
            text,
            (r["year"], r["band_level"]),
            xytext=(0, 8),
            textcoords="offset points",
            ha="center",
            fontsize=7,
        )
    for y in t.loc[t["band_level"] < 0, "year"]:
        ax.annotate("không có kết quả", (y, (n - 1) / 2), ha="center", fontsize=7, color=NO_BAND_COLOUR)
    ax.set_yticks(range(n), labels, fontsize=8)
    ax.set_ylim(n - 0.5, -0.7)
    ticks = [f"{y}\n{h}" if h else str(y) for y, h in zip(t["year"], t["head_name"], strict=True)]
    ax.set_xticks(t["year"].tolist(), ticks, fontsize=6.5)
    if len(t):
        ax.set_xlim(t["year"].min() - 0.5, t["year"].max() + 0.5)
    ax.set_title(f"Xếp loại cải cách hành chính qua các năm — {name}", fontsize=9)
    ax.set_xlabel("Năm (và người đứng đầu)", fontsize=7.5)
    ax.legend(loc="lower left", fontsize=7, frameon=False)
    ax.grid(axis="y", color="#eeeeee")
    return fig
