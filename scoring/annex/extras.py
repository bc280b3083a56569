"""Optional sections other modules supply, as the annex's own `Section`s.

Each function takes the Evaluation and returns a Section, or None when it has nothing for the
year; `content.OPTIONAL_SECTIONS` names them for `--section`. The other module keeps its own
shape and wording; this file only places it on the annex's page (columns, orientation).
"""

from __future__ import annotations

from ..evaluate import Evaluation
from .model import Basis, Column, Section, Table, curly, dates_in_words
from .words import rule_basis

# The monitor's table on a landscape page: millimetres of the 252 mm text width.
MONITOR_WIDTHS = {"STT": 11, "Chỉ tiêu": 70, "Mục": 15, "Mục tiêu": 58, "Tình hình": 22, "Ghi chú": 40}
MONITOR_YEAR_WIDTH = 36  # the "Năm <year>" column


def _clause_key(clause: str) -> tuple:
    head, _, tail = clause.partition(".")
    return ({"I": 1, "II": 2, "III": 3}.get(head, 9), int(tail) if tail.isdigit() else 0)


def monitor_section(ev: Evaluation) -> Section | None:
    """VI. Tình hình thực hiện các chỉ tiêu của Chương trình (scoring.monitor, docs/monitor.md)."""
    from ..monitor import annex_section

    s = annex_section(ev)
    df = s.table
    if df.empty:
        return None
    columns = tuple(
        Column(
            str(h),
            "c" if h in ("STT", "Mục") else "l",
            MONITOR_WIDTHS.get(h, MONITOR_YEAR_WIDTH),
            nowrap=h in ("STT", "Mục"),
        )
        for h in df.columns
    )
    rows = tuple(tuple(curly(str(v)) for v in r) for r in df.itertuples(index=False))
    clauses = sorted(dict.fromkeys(df["Mục"]), key=_clause_key) if "Mục" in df.columns else []
    basis = Basis(", ".join(clauses), ev.criteria.programme["short"], "")
    return Section(
        key=s.key,
        title=s.title,
        basis=(basis,) if clauses else (),
        intro=curly(s.intro),
        tables=(Table(columns, rows),),
        notes=tuple(dates_in_words(curly(n)) for n in s.notes),
        landscape=True,
    )


# The index's "Cận ngưỡng" table on a landscape page: millimetres of the 252 mm text width.
NEAR_WIDTHS = {
    "Cơ quan, đơn vị": 43,
    "Khối": 24,
    "Điểm": 15,
    "Xếp loại": 22,
    "Nếu điểm thay đổi": 38,
    "Xếp loại mới": 22,
    "Hệ quả thay đổi": 48,
    "Người, tổ chức liên quan": 29,
}
NEAR_NOWRAP = {"Điểm", "Xếp loại", "Xếp loại mới"}


def near_threshold_section(ev: Evaluation) -> Section:
    """Các cơ quan, đơn vị cận ngưỡng xếp loại (scoring.index.margins, docs/index.md): the units
    a small change of score would move across a band bound, and what that would change."""
    from ..index.margins import near_threshold_section as near

    df, title, basis = near(ev.records, ev.year, ev.criteria, base=ev)
    columns = (Column("STT", "c", 11, nowrap=True),) + tuple(
        Column(str(h), "r" if h == "Điểm" else "l", NEAR_WIDTHS.get(h, 30), nowrap=h in NEAR_NOWRAP)
        for h in df.columns
    )
    rows = tuple(
        (str(i), *(curly("" if v is None or v != v else str(v)) for v in r))
        for i, r in enumerate(df.itertuples(index=False), start=1)
    )
    return Section(
        key="near_threshold",
        title=title,
        intro=dates_in_words(curly(basis)),  # the index words its own basis (clause, bounds, margin)
        tables=(Table(columns, rows),) if rows else (),
        landscape=True,
    )


# The ledger's II.2 table on a landscape page: millimetres of the 252 mm text width.
LEDGER_WIDTHS = {"STT": 11, "Cơ quan, đơn vị": 71, "Không có văn bản xin lỗi": 30, "Thực hiện đúng": 35}
LEDGER_COUNT_WIDTH = 25


def ledger_section(ev: Evaluation) -> Section | None:
    """Cơ quan, đơn vị chưa hẹn lại một lần và xin lỗi bằng văn bản đối với hồ sơ quá hạn (mục II.2;
    scoring.ledger, docs/ledger.md §5). None when the data holds no dossier ledger."""
    from ..ledger.views import violations_section

    s = violations_section(ev)
    if s is None:
        return None
    df = s.table
    columns = tuple(
        Column(
            str(h),
            {"STT": "c", "Cơ quan, đơn vị": "l"}.get(str(h), "r"),
            LEDGER_WIDTHS.get(str(h), LEDGER_COUNT_WIDTH),
            nowrap=h != "Cơ quan, đơn vị",
        )
        for h in df.columns
    )
    rows = tuple(tuple(curly(str(v)) for v in r) for r in df.itertuples(index=False))
    return Section(
        key="ledger",
        title=s.title,
        basis=(rule_basis(ev.criteria, "overdue_rescheduling"),),
        intro=curly(s.intro) if rows else "",
        tables=(Table(columns, rows),) if rows else (),
        notes=tuple(curly(n) for n in s.notes),
        empty=curly(s.intro),  # no unit to list: the intro says why (all compliant, or no data)
        landscape=True,
    )
