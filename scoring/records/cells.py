"""One table: its columns found, its cells parsed and checked, its typed frame."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..criteria import Criteria
from ..labels import MISSING, fold
from .legacy import hint as legacy_hint
from .legacy import legacy_cells
from .parse import (
    as_text,
    float_text,
    label_levels,
    label_text,
    non_ascii_digits,
    parse_int,
    parse_score,
    plain_text,
)
from .problems import Collector, Problem
from .schema import (
    DOC_COLUMNS,
    KEEP_LABEL_TEXT,
    LABEL_KINDS,
    MAX_COUNT,
    OPTIONAL_EFFECT,
    REQUIRED_TABLES,
    SCHEMAS,
    YEAR_RANGE,
    Col,
    empty_frame,
)


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


def typed_table(table, df, where, crit: Criteria, problems, notes, digits: int | None = None) -> Typed | None:
    """The typed frame of one table, every problem of its cells reported in `problems`.

    `digits`: the reading `binary_score_significant_digits`, for the float scores of Parquet.
    """
    schema = SCHEMAS[table]
    found = _column_map(df, table, where, problems, notes)
    complete = all(c.name in found for c in schema if c.required)
    if table == "reform_results" and "score" not in found and "band" not in found:
        listed = ", ".join(str(o) for o in df.columns[1:] if str(o)) or "không có cột nào"
        problems.append(
            Problem(where, 1, "score", None, f"cần cột score hoặc cột band (hoặc cả hai); tệp có: {listed}")
        )
        complete = False
    raw = {c.name: df.iloc[:, found[c.name]] for c in schema if c.name in found}
    kinds = {c.name: c.kind for c in schema}
    texts = {name: _text_of(s, kinds[name], digits) for name, s in raw.items()}
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
            problems.append(Problem.of_file(where, "không có dòng dữ liệu nào (bảng bắt buộc)"))
            return None
        if complete:
            notes.append(f"{where} không có dòng dữ liệu nào: coi như {OPTIONAL_EFFECT[table]}.")
        return Typed(empty_frame(table), {}, complete, where) if complete else None
    t = _Table(where, crit, notes, Collector(problems, where, df["__row__"].to_numpy()), len(df))
    t.out["row"] = df["__row__"].to_numpy()
    decimal_comma = bool(df.attrs.get("decimal_comma", False))
    years = None
    for c in schema:
        if c.name not in found:
            t.absent(c)
        elif c.kind in ("year", "count"):
            vals = t.integers(c, raw[c.name], texts[c.name], decimal_comma)
            if c.kind == "year":
                years = vals
        elif c.kind == "score":
            t.scores(c, texts[c.name])
        elif c.kind in ("id", "text"):
            t.texts(c, texts[c.name])
        elif c.kind == "group":
            t.groups(c, texts[c.name])
        else:
            t.labels(c, texts[c.name], years)
    frame = pd.DataFrame(t.out, copy=False)  # each column its own array: no copy into blocks
    _row_checks(table, frame, t, complete)
    return Typed(frame, t.invalid, complete, where)


def _text_of(s: pd.Series, kind: str, digits: int | None) -> pd.Series:
    # integer columns of a Parquet file need no text: their values are shown only when reported
    if kind in ("year", "count") and s.dtype.kind in "iu":
        return s
    if kind == "score" and s.dtype.kind == "f":
        return float_text(s, digits)  # SPEC §2: a binary score as a spreadsheet shows it
    if kind in LABEL_KINDS:
        return label_text(s)  # a Parquet dictionary stays one: parsed once per label
    return as_text(s)


def _row_checks(table: str, frame: pd.DataFrame, t: _Table, complete: bool) -> None:
    """Checks across the columns of a row."""
    if table in ("unit_dossiers", "official_dossiers") and complete:
        both = ~t.invalid["late"] & ~t.invalid["handled"]
        t.col.add(
            "late",
            frame["late"].to_numpy(),
            "số hồ sơ trễ hạn (late) không được lớn hơn số hồ sơ đã giải quyết (handled)",
            both & (frame["late"].to_numpy() > frame["handled"].to_numpy()),
        )
    if table == "reform_results" and complete:
        neither = frame["score_blank"].to_numpy() & frame["band_blank"].to_numpy()
        t.col.add(
            "score/band",
            None,
            "cần điểm (score) hoặc xếp loại (band); không được để trống cả hai",
            neither,
        )


_DIGITS_HINT = (
    " (ô có chữ số khác 0–9, ví dụ chữ số toàn khổ «２０２０» hay chữ số Ả Rập «٢٠٢٠» "
    "do bộ gõ khác tạo ra: hãy gõ lại số bằng chữ số thường)"
)
_NAME_COLUMNS = ("unit_name", "full_name", "party_org_name")


@dataclass
class _Table:
    """The typed columns of one table as they are built, and what is reported on the way."""

    where: str
    crit: Criteria
    notes: list[str]
    col: Collector
    n: int
    out: dict[str, object] = field(default_factory=dict)
    invalid: dict[str, np.ndarray] = field(default_factory=dict)

    def absent(self, c: Col) -> None:
        if c.kind in ("id", "text", "group"):
            self.out[c.name] = pd.Series([""] * self.n, dtype="str")
        elif c.kind == "score":
            self.out["score_cents"] = np.full(self.n, -1, dtype=np.int64)
            self.out["score_blank"] = np.ones(self.n, dtype=bool)
        else:
            self.out[c.name] = np.full(self.n, MISSING, dtype=np.int8)
            self.out[c.name + "_other_era"] = np.zeros(self.n, dtype=bool)
            self.out[c.name + "_blank"] = np.ones(self.n, dtype=bool)
            if c.name in KEEP_LABEL_TEXT:
                self.out[c.name + "_text"] = pd.Series([""] * self.n, dtype="str")

    def _bad(self, c: Col, text: pd.Series, expected: str, bad: np.ndarray) -> None:
        """Bad cells, those with digits other than 0-9 said apart (they look right on screen)."""
        if not bad.any():
            return
        odd = np.zeros(len(bad), dtype=bool)
        if text.dtype.kind not in "iuf":
            odd[bad] = non_ascii_digits(text[bad])
        self.col.add(c.name, text, expected, bad & ~odd)
        self.col.add(c.name, text, expected + _DIGITS_HINT, odd)

    def integers(self, c: Col, raw: pd.Series, text: pd.Series, decimal_comma: bool) -> np.ndarray:
        """A year or count column; returns the values, -1 where invalid."""
        low, high = YEAR_RANGE if c.kind == "year" else (0, None)
        vals, blank, bad, ambiguous = parse_int(raw, text, decimal_comma, low, high)
        if c.kind == "year":
            expected = f"cần năm là số nguyên từ {low} đến {high} (ví dụ 2018)"
        else:
            expected = "cần số nguyên không âm (số hồ sơ)"
        self.col.add(c.name, text, expected + ", không được để trống", blank)
        self._bad(c, text, expected, bad)
        self.col.add(
            c.name,
            text,
            expected + "; «.» ở đây là dấu phân cách hàng nghìn hay dấu thập phân? "
            "Hãy ghi số không có dấu phân cách hàng nghìn",
            ambiguous,
        )
        over = np.zeros(len(vals), dtype=bool)
        if c.kind == "count":
            over = ~blank & ~bad & ~ambiguous & (vals > MAX_COUNT)
            self.col.add(
                c.name,
                text,
                f"số hồ sơ vượt quá giới hạn hợp lý {MAX_COUNT:,} (10^12); hãy kiểm tra lại ô này".replace(
                    ",", "."
                ),
                over,
            )
        invalid = blank | bad | ambiguous | over
        self.invalid[c.name] = invalid
        if not invalid.any():  # the usual case: the values as read, no copies of a million rows
            self.out[c.name] = vals
            return vals
        self.out[c.name] = np.where(invalid, 0, vals)
        return np.where(invalid, -1, vals)

    def scores(self, c: Col, text: pd.Series) -> None:
        cents, blank, bad = parse_score(text)
        self._bad(c, text, "cần điểm là một số từ 0 đến 100 (ví dụ 85,20)", bad)
        # a score written as a fraction of 1 (0,9686 for 96,86%) beside scores out of 100
        ok = ~blank & ~bad
        fraction = ok & (cents > 0) & (cents <= 100)
        if fraction.any() and (ok & (cents > 100)).any():
            self.col.add(
                c.name,
                text,
                "điểm từ 0 đến 1 trong khi các dòng khác ghi điểm theo thang 0–100: có phải điểm được "
                "ghi dưới dạng tỷ lệ (0,9686 thay cho 96,86)? Hãy ghi mọi điểm theo thang 0–100",
                fraction,
            )
            bad = bad | fraction
        elif fraction.any():
            self.notes.append(
                f"CHÚ Ý — {self.where}: mọi điểm trong cột {c.name} đều nằm trong khoảng 0–1, trong khi "
                "thang điểm là 0–100: nếu điểm được ghi dưới dạng tỷ lệ (0,9686 thay cho 96,86) thì mọi "
                "đơn vị sẽ bị xếp loại Yếu. Hãy kiểm tra lại tệp."
            )
        self.invalid[c.name] = bad
        self.out["score_cents"] = np.where(bad, -1, cents)
        self.out["score_blank"] = blank

    def _legacy(self, c: Col, text: pd.Series, known=None) -> np.ndarray:
        """Cells typed in TCVN3 or VNI, reported with the encoding and how to convert; their mask."""
        found = legacy_cells(text, known)
        hit = np.zeros(len(text), dtype=bool)
        for encoding, (mask, converted) in found.items():
            self.col.add(c.name, text, legacy_hint(encoding, converted), mask)
            hit |= mask
        return hit

    def texts(self, c: Col, text: pd.Series) -> None:
        blank = (text == "").to_numpy()
        if not c.blank_ok:
            what = "mã" if c.kind == "id" else "nội dung"
            self.col.add(c.name, None, f"cần {what}, không được để trống", blank)
        self.invalid[c.name] = blank
        if c.name in _NAME_COLUMNS:
            self.invalid[c.name] = blank | self._legacy(c, text)
        self.out[c.name] = text

    def groups(self, c: Col, text: pd.Series) -> None:
        crit = self.crit
        blank = (text == "").to_numpy()
        self.col.add(c.name, None, "cần tên khối, không được để trống", blank)
        gp = label_levels(text, None, crit.groups)
        legacy = self._legacy(c, text.where(gp.unknown, ""), _known(crit.groups))
        self.invalid[c.name] = blank | legacy
        labels = np.array([*crit.groups.eras[0].labels, ""], dtype=object)
        known = gp.levels >= 0
        self.out[c.name] = pd.Series(
            np.where(known, labels[gp.levels], text.to_numpy(dtype=object)), dtype="str"
        )
        codes, uniq = pd.factorize(self.out[c.name])
        self.out["group_key"] = pd.Series(np.array([fold(g) for g in uniq], dtype=object)[codes], dtype="str")
        _note_unknown_groups(self.where, text[gp.unknown & ~legacy], crit, self.notes)

    def labels(self, c: Col, text: pd.Series, years: np.ndarray | None) -> None:
        crit = self.crit
        fam = {"band": crit.band_scales, "role": crit.roles}.get(c.kind)
        if fam is None:
            fam = crit.scales("cadre" if c.kind == "rating" else "party_org")
        if c.kind in ("band", "role") or years is None:
            p = label_levels(text, None, fam)
        else:
            p = label_levels(text, np.where(years >= 0, years, YEAR_RANGE[1]), fam)
        blank = (text == "").to_numpy()
        accepted = _accepted_text(fam, c.kind)
        # never an unknown label without the hint when it is TCVN3 or VNI text
        if p.unknown.any():
            legacy = self._legacy(c, plain_text(text).where(p.unknown, ""), _known(fam))
        else:
            legacy = p.unknown
        self.col.add(
            c.name, text, f"nhãn không được chấp nhận; cần một trong: {accepted}", p.unknown & ~legacy
        )
        if not c.blank_ok:
            self.col.add(c.name, None, f"không được để trống; cần một trong: {accepted}", blank)
        self.invalid[c.name] = p.unknown | (blank & (not c.blank_ok))
        self.out[c.name] = p.levels
        self.out[c.name + "_other_era"] = p.other_era
        self.out[c.name + "_blank"] = blank
        if c.name in KEEP_LABEL_TEXT:
            self.out[c.name + "_text"] = plain_text(text)


def _known(fam):
    """Whether a text is a label of any era of `fam` (after folding)."""
    return lambda s: any(fold(s) in era.lookup for era in fam.eras)


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
            bounds = [f"từ {era.valid_from}"] if era.valid_from else []
            bounds += [f"đến {era.valid_to}"] if era.valid_to else []
            span = f" [{era.source}, {' '.join(bounds)}]"
        parts.append(" / ".join(era.labels) + span)
    return "; ".join(parts) + " (hoặc chữ viết tắt thông dụng)"


def _aliases(era, level):
    return sorted({k for k, v in era.lookup.items() if v == level})
