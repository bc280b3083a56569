"""What people read of the index: Vietnamese tables for the notebook, and the chart of rank
intervals per group with each unit's band odds. Thin views over `command.run_index`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..charts import WIDTH_IN, band_colour
from ..criteria import Criteria
from ..evaluate import format_score
from ..records import Records
from .command import IndexRun, run_index
from .odds import DEFAULT_DRAWS, DEFAULT_SEED


def index_run(
    records: Records, year: int, crit: Criteria, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED
):
    """The year's index run, or None when the data have no criterion points for it."""
    from .command import NoPointsError

    try:
        return run_index(records, year, crit, draws=draws, seed=seed)
    except NoPointsError:
        return None


def _pct(p: float) -> str:
    return f"{p * 100:.1f}%".replace(".", ",")


def index_frame(run: IndexRun) -> pd.DataFrame:
    """Per unit: the index, its rank, appraised and surveyed points, the self-assessment."""
    t = run.index.table
    out = pd.DataFrame(
        {
            "Cơ quan, đơn vị": t["unit_name"],
            "Khối": t["group"],
            "Chỉ số (%)": t["index"].map(format_score),
            "Xếp hạng trong khối": t["rank_in_group"],
            "Điểm thẩm định": t["appraisal_points"].map(format_score),
            "Điểm điều tra XHH": [
                f"{format_score(p)} / {format_score(m)}" if m else "không điều tra"
                for p, m in zip(t["survey_points"], t["survey_max_points"], strict=True)
            ],
            "Tự chấm (%)": t["self_index"].map(format_score),
            "Tự chấm cao hơn thẩm định (điểm)": t["self_gap_points"].map(format_score),
            "Điểm đã ghi nhận": [
                "" if pd.isna(r) or abs(d) <= 0.01 else f"{format_score(r)} (chênh {format_score(-d)})"
                for r, d in zip(t["recorded_score"], t["recorded_minus_index"], strict=True)
            ],
        }
    )
    return out.sort_values(["Khối", "Xếp hạng trong khối"], kind="stable").reset_index(drop=True)


def near_frame(run: IndexRun) -> pd.DataFrame:
    """ "Cận ngưỡng": the units within the distance of a bound, with the people affected."""
    return run.near_threshold()


def odds_frame(run: IndexRun) -> pd.DataFrame:
    """Per unit: the odds of each band and consequence, and the rank interval."""
    t = run.odds.table
    crit = run.criteria
    width = format_score(float(run.settings["rank_interval_percent"])).removesuffix(",00")
    out = {"Cơ quan, đơn vị": t["unit_name"], "Khối": t["group"], "Điểm": t["score"].map(format_score)}
    out["Xếp loại"] = t["band"]
    for key, label in zip(crit.bands.keys, crit.bands.labels, strict=True):
        out[f"Xác suất «{label}»"] = t[f"p_{key}"].map(_pct)
    out["Người đứng đầu bị giới hạn xếp loại"] = t["p_head_capped"].map(_pct)
    out["Người đứng đầu thuộc diện xử lý"] = t["p_removal_trigger"].map(_pct)
    out["Tổ chức đảng không được mức cao nhất"] = t["p_party_org_capped"].map(_pct)
    out[f"Hạng trong khối (khoảng {width}%)"] = [
        f"{r} ({lo}–{hi})" if lo != hi else f"{r}"
        for r, lo, hi in zip(t["rank_in_group"], t["rank_low"], t["rank_high"], strict=True)
    ]
    return pd.DataFrame(out)


def rank_intervals(run: IndexRun) -> Figure:
    """Per group: each unit's rank interval (line) and rank (dot), and beside it its band odds."""
    t = run.odds.table
    crit = run.criteria
    groups = [g for g in dict.fromkeys(t["group"])]
    sizes = [int((t["group"] == g).sum()) for g in groups]
    row_in = 0.2
    height = sum(sizes) * row_in + 0.45 * len(groups) + 0.9
    fig = Figure(figsize=(WIDTH_IN, height))
    grid = fig.add_gridspec(
        len(groups), 2, width_ratios=[3, 1.3], height_ratios=sizes, hspace=0.3, wspace=0.05
    )
    keys = list(crit.bands.keys)
    for gi, g in enumerate(groups):
        part = t[t["group"] == g].sort_values(["rank_in_group", "unit_id"]).reset_index(drop=True)
        y = np.arange(len(part))
        ax = fig.add_subplot(grid[gi, 0])
        colours = [
            band_colour(list(crit.bands.labels).index(b)) if b in crit.bands.labels else "#9e9e9e"
            for b in part["band"]
        ]
        ax.hlines(y, part["rank_low"] - 0.3, part["rank_high"] + 0.3, color="#b0bec5", linewidth=5)
        ax.scatter(part["rank_in_group"], y, c=colours, s=18, zorder=3)
        ax.set_yticks(y, [n if len(n) <= 38 else n[:37] + "…" for n in part["unit_name"]], fontsize=6.5)
        ax.invert_yaxis()
        ax.set_xlim(0.3, len(part) + 0.7)
        ax.set_xticks(
            range(1, len(part) + 1),
            [str(k) if len(part) <= 12 or k % 2 else "" for k in range(1, len(part) + 1)],
            fontsize=6,
        )
        ax.set_title(g, fontsize=8, loc="left")
        ax.grid(axis="x", color="#eceff1", linewidth=0.5)
        bx = fig.add_subplot(grid[gi, 1], sharey=ax)
        left = np.zeros(len(part))
        for lv, key in enumerate(keys):
            p = part[f"p_{key}"].to_numpy()
            bx.barh(y, p, left=left, color=band_colour(lv), height=0.7)
            left += p
        bx.set_xlim(0, 1)
        bx.set_xticks([0, 0.5, 1], ["0", "50%", "100%"], fontsize=6)
        bx.tick_params(axis="y", left=False, labelleft=False)
        if gi == len(groups) - 1:
            ax.set_xlabel("Hạng trong khối: khoảng (đường), theo điểm (chấm)", fontsize=7)
            bx.set_xlabel("Xác suất xếp loại", fontsize=7)
    handles = [Patch(color=band_colour(lv), label=label) for lv, label in enumerate(crit.bands.labels)]
    fig.legend(handles=handles, loc="upper right", ncol=len(handles), fontsize=7, frameon=False)
    width = format_score(float(run.settings["rank_interval_percent"])).removesuffix(",00")
    fig.suptitle(
        f"Năm {run.year}: khoảng thứ hạng {width}% và xác suất xếp loại ({run.odds.draws:,} lần mô phỏng)".replace(",", "."),
        fontsize=9, x=0.02, ha="left",
    )  # fmt: skip
    fig.subplots_adjust(left=0.33, right=0.98, top=1 - 0.75 / height, bottom=0.55 / height)
    return fig
