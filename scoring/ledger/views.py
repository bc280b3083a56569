"""What people read of the ledger: the notebook's tables and chart, and the annex's section.

Everything here reads `ev.ledger` (the `LedgerRun` that `evaluate` keeps) and returns Vietnamese
frames; nothing computes a count (the SQL files do).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .derive import _pct, _vn

MONTHS = [f"Th{m}" for m in range(1, 13)]


@dataclass
class LedgerSection:
    """An optional section of the annex: its title, its basis (clause and quote), a table, notes."""

    title: str
    basis: str
    intro: str
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _names(ev) -> pd.Series:
    u = ev.records.units
    return pd.Series(u["unit_name"].astype(str).to_numpy(), index=u["unit_id"].astype(str))


def _in_ranking_order(ev, df: pd.DataFrame) -> pd.DataFrame:
    order = pd.Index(ev.unit_ranking["unit_id"].astype(str))
    pos = order.get_indexer(df["unit_id"].astype(str))
    return (
        df.assign(_p=[p if p >= 0 else len(order) for p in pos])
        .sort_values(["_p", "unit_id"])
        .drop(columns="_p")
    )


def unit_overview(ev) -> pd.DataFrame:
    """Per unit of the year: dossiers counted, late, pending past due, and the II.2 check."""
    run = getattr(ev, "ledger", None)
    if run is None:
        return pd.DataFrame()
    y = run.counts[run.counts["year"] == ev.year]
    comp = run.compliance.set_index("unit_id")
    df = _in_ranking_order(ev, y)
    names = _names(ev)
    rows = []
    for r in df.itertuples(index=False):
        c = comp.loc[r.unit_id] if r.unit_id in comp.index else None
        checked = c is not None and c["status"] == "checked"
        rows.append(
            {
                "Cơ quan, đơn vị": names.get(r.unit_id, r.unit_id),
                "Hồ sơ tính trong năm": _vn(r.handled),
                "Trễ hạn": _vn(r.late),
                "Tỷ lệ trễ hạn": _pct(r.late, r.handled),
                "Tồn quá hạn cuối năm": _vn(r.pending_overdue),
                "Hồ sơ quá hạn (mục II.2)": _vn(r.overdue),
                "Hẹn lại đúng quy định": (
                    f"{_vn(c['compliant'])}/{_vn(r.overdue)} ({_pct(c['compliant'], r.overdue)})"
                    if checked
                    else ("chưa có số liệu" if r.overdue else "—")
                ),
            }
        )
    return pd.DataFrame(rows)


def monthly_late(ev, unit_id: str) -> pd.DataFrame:
    """Month by month: dossiers counted and late for one unit in the evaluated year."""
    run = getattr(ev, "ledger", None)
    if run is None:
        return pd.DataFrame(columns=["month", "handled", "late", "pending_overdue"])
    return run.ledger.monthly(ev.year, unit_id, run.readings)


def monthly_chart(ev, unit_id: str):
    """A bar chart of one unit's late dossiers, month by month (matplotlib Figure)."""
    import matplotlib.pyplot as plt

    m = monthly_late(ev, unit_id)
    name = _names(ev).get(str(unit_id), str(unit_id))
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.bar(MONTHS, m["late"], color="#c0392b", label="Trễ hạn")
    if m["pending_overdue"].sum():
        ax.bar(MONTHS, m["pending_overdue"], color="#7f8c8d", label="Tồn quá hạn cuối năm")
    ax.set_title(f"{name}: hồ sơ trễ hạn theo tháng, năm {ev.year}", fontsize=10)
    ax.set_ylabel("Số hồ sơ")
    ax.legend(fontsize=8, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def violations_section(ev) -> LedgerSection | None:
    """The annex's optional section: units whose overdue dossiers were not rescheduled once with an
    apology (mục II.2). None without a ledger; a section saying "chưa có số liệu" without the
    reschedulings table."""
    run = getattr(ev, "ledger", None)
    if run is None:
        return None
    rule = ev.criteria.rule("overdue_rescheduling")
    basis = f"Căn cứ: mục {rule.clause} {ev.criteria.programme.get('short', 'Chương trình hành động')}: «{rule.quote}»"
    title = "Cơ quan, đơn vị chưa thực hiện đúng việc hẹn lại và xin lỗi bằng văn bản đối với hồ sơ quá hạn"
    note = "Đây là phát hiện để Ban Tổ chức xem xét, không phải mức giới hạn xếp loại."
    if not run.checked:
        return LedgerSection(
            title,
            basis,
            "Chưa có số liệu về việc hẹn lại và xin lỗi (bảng dossier_reschedules).",
            pd.DataFrame(),
            [note],
        )
    comp = _in_ranking_order(ev, run.compliance[run.compliance["violations"] > 0])
    names = _names(ev)
    table = pd.DataFrame(
        {
            "STT": range(1, len(comp) + 1),
            "Cơ quan, đơn vị": [names.get(u, u) for u in comp["unit_id"]],
            "Hồ sơ quá hạn": [_vn(v) for v in comp["overdue"]],
            "Không hẹn lại": [_vn(v) for v in comp["not_rescheduled"]],
            "Hẹn lại từ 02 lần": [_vn(v) for v in comp["rescheduled_more_than_once"]],
            "Không có văn bản xin lỗi": [_vn(v) for v in comp["no_apology"]],
            "Không đúng hẹn lại": [_vn(v) for v in comp["new_due_missed"]],
            "Thực hiện đúng": [
                f"{_vn(c)} ({_pct(c, o)})" for c, o in zip(comp["compliant"], comp["overdue"], strict=True)
            ],
        }
    )
    intro = (
        f"Năm {ev.year}: {_vn(len(comp))} cơ quan, đơn vị có hồ sơ quá hạn chưa được hẹn lại đúng một lần "
        f"và xin lỗi bằng văn bản (số liệu từ sổ theo dõi hồ sơ một cửa {run.source})."
        if len(comp)
        else f"Năm {ev.year}: mọi hồ sơ quá hạn đều được hẹn lại một lần và xin lỗi bằng văn bản."
    )
    return LedgerSection(title, basis, intro, table, [note])
