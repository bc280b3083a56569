"""What evaluating one year needs, and what the run must say about that year.

Refused: a year with no records at all; a blank proposed rating of the year; a `reform_results`
table with rows for other years but none for this one (the ranking would be empty and every
rule that reads a band would stay silent), unless criterion points of the year are given, from
which the reform index computes the scores. Said loudly in the run's notes: an optional table
(unit or official dossiers, party organisations) with rows for other years but none for this one;
the units of `units` that have no result in the year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..labels import MISSING, fold
from .files import Files, Source
from .parse import as_text
from .problems import Collector, Problem
from .schema import OPTIONAL_EFFECT

WITH_YEAR = ("reform_results", "unit_dossiers", "officials", "official_dossiers", "party_orgs")
MAX_NAMED_UNITS = 20


def year_problems(frames: dict[str, pd.DataFrame], sources: dict[str, Source], year: int, origin: str):
    """What is missing for evaluating `year`: any record at all, its results, the proposed ratings."""
    problems = []
    if not any((frames[t]["year"] == year).any() for t in WITH_YEAR if t in frames):
        have = sorted({int(y) for t in WITH_YEAR if t in frames for y in frames[t]["year"].unique()})
        problems.append(
            Problem(
                origin or "dữ liệu",
                None,
                "year",
                str(year),
                "năm đánh giá không có dữ liệu nào"
                + (f"; các năm có dữ liệu: {', '.join(map(str, have))}" if have else ""),
            )
        )
    else:
        problems += _missing_results(frames, sources, year)
    for table, col in (("officials", "proposed_rating"), ("party_orgs", "proposed_classification")):
        if table not in frames:
            continue
        df = frames[table]
        blank_cell = df[col + "_blank"] if col + "_blank" in df else True
        blank = df[(df["year"] == year) & (df[col] == MISSING) & blank_cell]
        src = sources.get(table)
        Collector(problems, src.where if src else table, blank["row"].to_numpy()).add(
            col,
            pd.Series([""] * len(blank)),
            f"cần xếp loại đề xuất cho năm đánh giá {year}",
            np.ones(len(blank), dtype=bool),
        )
    return problems


def _missing_results(frames: dict[str, pd.DataFrame], sources: dict[str, Source], year: int) -> list[Problem]:
    rr = frames.get("reform_results")
    if rr is None or not len(rr) or (rr["year"] == year).any() or _criterion_points(sources, year):
        return []
    have = ", ".join(str(int(y)) for y in sorted(rr["year"].unique()))
    src = sources.get("reform_results")
    return [
        Problem(
            src.where if src else "reform_results",
            None,
            "year",
            str(year),
            f"không có kết quả cải cách hành chính nào của năm {year} (các năm có kết quả: {have}): "
            f"không thể xếp hạng, xếp loại đơn vị năm {year}, và các quy tắc dựa vào xếp loại sẽ không "
            f"được áp dụng. Hãy bổ sung kết quả năm {year}, hoặc điểm từng tiêu chí của năm đó (bảng "
            "criterion_scores) để tính điểm",
        )
    ]


def _criterion_points(sources: dict[str, Source], year: int) -> bool:
    """Whether `criterion_scores` has rows of `year` (the reform index computes the scores from them)."""
    from .read import read_table

    src = sources.get("criterion_scores")
    if src is None:
        return False
    raw = read_table(src, Files(), [], None)
    if raw is None:
        return False
    cols = [c for c in raw.columns[1:] if fold(c) == "year"]
    return bool(cols) and bool(
        (as_text(raw[cols[0]]).str.replace(r"[.,]0+$", "", regex=True) == str(year)).any()
    )


def year_notes(frames: dict[str, pd.DataFrame], sources: dict[str, Source], year: int) -> list[str]:
    """The run's notices about `year`: optional tables without the year, units without a result."""
    notes = []
    for t in OPTIONAL_EFFECT:
        df = frames.get(t)
        if df is None or not len(df) or (df["year"] == year).any():
            continue
        have = ", ".join(str(int(y)) for y in sorted(df["year"].unique()))
        where = sources[t].where if t in sources else t
        notes.append(
            f"CHÚ Ý — bảng {t} ({where}) có số liệu các năm {have} nhưng không có dòng nào của năm "
            f"{year}: {OPTIONAL_EFFECT[t]} trong năm {year}."
        )
    units, rr = frames.get("units"), frames.get("reform_results")
    if units is not None and rr is not None and len(units):
        with_result = pa.array(
            rr.loc[rr["year"] == year, "unit_id"], type=pa.large_string(), from_pandas=True
        )
        ids = pa.array(units["unit_id"], type=pa.large_string(), from_pandas=True)
        missing = units[~np.asarray(pc.is_in(ids, value_set=with_result), dtype=bool)]
        if len(missing):
            named = [f"{n} ({u})" for u, n in zip(missing["unit_id"], missing["unit_name"], strict=True)]
            shown = "; ".join(named[:MAX_NAMED_UNITS])
            more = (
                f"; … và {len(named) - MAX_NAMED_UNITS} đơn vị khác" if len(named) > MAX_NAMED_UNITS else ""
            )
            notes.append(
                f"Năm {year}: {len(named)} đơn vị trong bảng units chưa có kết quả cải cách hành chính "
                f"(chưa có kết quả), không được xếp hạng: {shown}{more}."
            )
    return notes
