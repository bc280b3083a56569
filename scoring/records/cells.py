"""One table: its columns found, its cells parsed and checked, its typed frame."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..criteria import Criteria
from ..labels import MISSING, fold
from .parse import as_text, label_levels, parse_int, parse_score
from .problems import Collector, Problem
from .schema import DOC_COLUMNS, OPTIONAL_EFFECT, REQUIRED_TABLES, SCHEMAS, YEAR_RANGE, empty_frame


@dataclass
class Typed:
    frame: pd.DataFrame  # the typed columns evaluate.py reads, plus `row`
    invalid: dict[str, np.ndarray]  # per column, the cells already reported (blank or bad)
    complete: bool  # every required column present
    where: str


def _column_map(df: pd.DataFrame, table: str, where: str, problems: list[Problem], notes):
    """Schema column -> position in `df`; reports missing (with a likely misspelling) and doubled columns."""
    schema = SCHEMAS[table]
    wanted = {fold(col.name): col for col in schema}
    positions: dict[str, list[int]] = {}
    for j, c in enumerate(df.columns[1:], start=1):
        positions.setdefault(fold(c), []).append(j)
    found: dict[str, int] = {}
    others = [df.columns[js[0]] for f, js in positions.items() if f not in wanted and f]
    for col in schema:
        js = positions.get(fold(col.name))
        if js:
            found[col.name] = js[0]
            if len(js) > 1:
                problems.append(
                    Problem(
                        where,
                        1,
                        col.name,
                        None,
                        f"cột {col.name} xuất hiện {len(js)} lần (các cột thứ {', '.join(str(j) for j in js)}); "
                        "chỉ được có một",
                    )
                )
        elif col.required:
            close = difflib.get_close_matches(
                fold(col.name), [fold(o) for o in others], n=1, cutoff=0.6
            ) or difflib.get_close_matches(col.name, [str(o) for o in others], n=1, cutoff=0.5)
            match = next((o for o in others if fold(o) == close[0] or o == close[0]), None) if close else None
            hint = f"; có cột «{match}» — có phải viết sai tên?" if match else ""
            listed = ", ".join(str(o) for o in df.columns[1:] if str(o)) or "không có cột nào"
            problems.append(
                Problem(
                    where,
                    1,
                    col.name,
                    None,
                    f"thiếu cột bắt buộc {col.name} (các cột cần có: "
                    + ", ".join(c.name for c in schema if c.required)
                    + f"; tệp có: {listed}){hint}",
                )
            )
    extra = [
        str(df.columns[js[0]])
        for f, js in positions.items()
        if f and f not in wanted and f not in DOC_COLUMNS
    ]
    if extra:
        notes.append(f"{where}: bỏ qua các cột không dùng đến: {', '.join(extra)}.")
    return found


def typed_table(table, df, where, crit: Criteria, problems, notes) -> Typed | None:
    schema = SCHEMAS[table]
    found = _column_map(df, table, where, problems, notes)
    complete = all(c.name in found for c in schema if c.required)
    if table == "reform_results" and "score" not in found and "band" not in found:
        listed = ", ".join(str(o) for o in df.columns[1:] if str(o)) or "không có cột nào"
        problems.append(
            Problem(where, 1, "score", None, f"cần cột score hoặc cột band (hoặc cả hai); tệp có: {listed}")
        )
        complete = False
    decimal_comma = bool(df.attrs.get("decimal_comma", False))
    raw = {c.name: df.iloc[:, found[c.name]] for c in schema if c.name in found}
    kinds = {c.name: c.kind for c in schema}
    # integer columns of a Parquet file need no text: their values are shown only when reported
    texts = {
        name: s if kinds[name] in ("year", "count") and s.dtype.kind in "iu" else as_text(s)
        for name, s in raw.items()
    }
    # lines with no value in any column we read are not records (blank lines, Excel's ";;;;")
    if texts:
        blank_line = np.logical_and.reduce(
            [(t.isna() if t.dtype.kind in "iu" else t == "").to_numpy() for t in texts.values()]
        )
        if blank_line.any():
            keep = ~blank_line
            df = df.loc[keep].reset_index(drop=True)
            raw = {k: s.loc[keep].reset_index(drop=True) for k, s in raw.items()}
            texts = {k: t.loc[keep].reset_index(drop=True) for k, t in texts.items()}
    if len(df) == 0:
        if table in REQUIRED_TABLES:
            problems.append(Problem(where, None, None, None, "không có dòng dữ liệu nào (bảng bắt buộc)"))
            return None
        if complete:
            notes.append(f"{where} không có dòng dữ liệu nào: coi như {OPTIONAL_EFFECT[table]}.")
        return Typed(empty_frame(table), {}, complete, where) if complete else None
    rows = df["__row__"].to_numpy()
    col = Collector(problems, where, rows)
    out: dict[str, object] = {"row": rows}
    invalid: dict[str, np.ndarray] = {}
    years = None
    for c in schema:
        if c.name not in found:
            if c.kind in ("id", "text", "group"):
                out[c.name] = pd.Series([""] * len(df), dtype="str")
            elif c.kind == "score":
                out["score_cents"] = np.full(len(df), -1, dtype=np.int64)
                out["score_blank"] = np.ones(len(df), dtype=bool)
            else:
                out[c.name] = np.full(len(df), MISSING, dtype=np.int8)
                out[c.name + "_other_era"] = np.zeros(len(df), dtype=bool)
                out[c.name + "_blank"] = np.ones(len(df), dtype=bool)
            continue
        text = texts[c.name]
        if c.kind in ("year", "count"):
            low, high = YEAR_RANGE if c.kind == "year" else (0, None)
            vals, blank, bad, ambiguous = parse_int(raw[c.name], text, decimal_comma, low, high)
            if c.kind == "year":
                expected = f"cần năm là số nguyên từ {low} đến {high} (ví dụ 2018)"
            else:
                expected = "cần số nguyên không âm (số hồ sơ)"
            col.add(c.name, text, expected + ", không được để trống", blank)
            col.add(c.name, text, expected, bad)
            col.add(
                c.name,
                text,
                expected + "; «.» ở đây là dấu phân cách hàng nghìn hay dấu thập phân? "
                "Hãy ghi số không có dấu phân cách hàng nghìn",
                ambiguous,
            )
            invalid[c.name] = blank | bad | ambiguous
            out[c.name] = np.where(invalid[c.name], 0, vals)
            if c.kind == "year":
                years = np.where(invalid[c.name], -1, vals)
        elif c.kind == "score":
            cents, blank, bad = parse_score(text)
            col.add(c.name, text, "cần điểm là một số từ 0 đến 100 (ví dụ 85,20)", bad)
            invalid[c.name] = bad
            out["score_cents"] = np.where(bad, -1, cents)
            out["score_blank"] = blank
        elif c.kind in ("id", "text"):
            blank = (text == "").to_numpy()
            if not c.blank_ok:
                what = "mã" if c.kind == "id" else "nội dung"
                col.add(c.name, None, f"cần {what}, không được để trống", blank)
            invalid[c.name] = blank
            out[c.name] = text
        elif c.kind == "group":
            blank = (text == "").to_numpy()
            col.add(c.name, None, "cần tên khối, không được để trống", blank)
            invalid[c.name] = blank
            gp = label_levels(text, None, crit.groups)
            labels = np.array([*crit.groups.eras[0].labels, ""], dtype=object)
            known = gp.levels >= 0
            out[c.name] = pd.Series(
                np.where(known, labels[gp.levels], text.to_numpy(dtype=object)), dtype="str"
            )
            codes, uniq = pd.factorize(out[c.name])
            out["group_key"] = pd.Series(np.array([fold(g) for g in uniq], dtype=object)[codes], dtype="str")
            _note_unknown_groups(where, text[gp.unknown], crit, notes)
        else:
            fam = {"band": crit.band_scales, "role": crit.roles}.get(c.kind)
            if fam is None:
                fam = crit.scales("cadre" if c.kind == "rating" else "party_org")
            if c.kind in ("band", "role") or years is None:
                p = label_levels(text, None, fam)
            else:
                p = label_levels(text, np.where(years >= 0, years, YEAR_RANGE[1]), fam)
            blank = (text == "").to_numpy()
            accepted = _accepted_text(fam, c.kind)
            col.add(c.name, text, f"nhãn không được chấp nhận; cần một trong: {accepted}", p.unknown)
            if not c.blank_ok:
                col.add(c.name, None, f"không được để trống; cần một trong: {accepted}", blank)
            invalid[c.name] = p.unknown | (blank & (not c.blank_ok))
            out[c.name] = p.levels
            out[c.name + "_other_era"] = p.other_era
            out[c.name + "_blank"] = blank
    frame = pd.DataFrame(out)
    # checks across the columns of a row
    if table in ("unit_dossiers", "official_dossiers") and complete:
        both = ~invalid["late"] & ~invalid["handled"]
        col.add(
            "late",
            frame["late"].to_numpy(),
            "số hồ sơ trễ hạn (late) không được lớn hơn số hồ sơ đã giải quyết (handled)",
            both & (frame["late"].to_numpy() > frame["handled"].to_numpy()),
        )
    if table == "reform_results" and complete:
        neither = frame["score_blank"].to_numpy() & frame["band_blank"].to_numpy()
        col.add(
            "score/band",
            None,
            "cần điểm (score) hoặc xếp loại (band); không được để trống cả hai",
            neither,
        )
    return Typed(frame, invalid, complete, where)


def _note_unknown_groups(where: str, names: pd.Series, crit: Criteria, notes: list[str]) -> None:
    if not len(names):
        return
    known = list(crit.groups.eras[0].labels)
    by_fold = {fold(k): k for k in known}
    parts = []
    for name in sorted(set(names.tolist())):
        close = difflib.get_close_matches(fold(name), list(by_fold), n=1, cutoff=0.6)
        parts.append(f"«{name}»" + (f" (có phải «{by_fold[close[0]]}»?)" if close else ""))
    notes.append(
        f"{where}: khối {', '.join(parts)} không có trong tiêu chí ({' / '.join(known)}); "
        "được xếp hạng như một khối riêng."
    )


def _accepted_text(fam, kind) -> str:
    if kind == "role":
        era = fam.eras[0]
        return "; ".join(f"{k} ({', '.join(_aliases(era, i))})" for i, k in enumerate(era.keys))
    parts = []
    for era in fam.eras:
        span = ""
        if era.valid_from or era.valid_to:
            span = (
                f" [{era.source}, "
                + (f"từ {era.valid_from}" if era.valid_from else "")
                + (f"đến {era.valid_to}" if era.valid_to else "")
                + "]"
            )
        parts.append(" / ".join(era.labels) + span)
    return "; ".join(parts) + " (hoặc chữ viết tắt thông dụng)"


def _aliases(era, level):
    return sorted({k for k, v in era.lookup.items() if v == level})
