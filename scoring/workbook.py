"""The workbooks people read and print: `decisions.xlsx` and a scenario's `scenario_decisions.xlsx`.

The CSV files keep the machine contract of SPEC §3 (snake_case headers, ids, true/false).
A workbook is for the Board's staff (SPEC §4, issue 9 §3): Vietnamese sheet names and
headers; roles, yes/no and rules in words (a rule is its title and clause, "Trễ hạn hồ sơ
của cơ quan, đơn vị (mục II.2)"); a name beside every code; years, ranks, scores and rates
as numbers (rates formatted as percentages); and pages that print on A4.

`people_table` gives the same Vietnamese table as a DataFrame, so the notebooks show what
the workbook holds. The .xlsx itself is written by `scoring.xlsx` (docs/workbook.md).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .evaluate import OUTPUT_COLUMNS, Evaluation
from .xlsx import Column, Sheet, workbook_bytes

# Column headers: the output column (or a name added beside a code) -> Vietnamese.
HEADERS = {
    "year": "Năm",
    "unit_id": "Mã đơn vị",
    "unit_name": "Cơ quan, đơn vị",
    "group": "Khối",
    "score": "Điểm (%)",
    "rank_in_group": "Xếp hạng trong khối",
    "band_by_score": "Xếp loại theo điểm",
    "late_rate": "Tỷ lệ hồ sơ trễ hạn",  # the programme's words (mục II.2)
    "band": "Xếp loại",
    "emulation_eligible": "Được xét thi đua, khen thưởng",
    "reasons": "Lý do điều chỉnh xếp loại",
    "official_id": "Mã cán bộ",
    "full_name": "Họ và tên",
    "role": "Chức vụ",
    "proposed_rating": "Xếp loại đề xuất",
    "final_rating": "Xếp loại sau khi áp dụng Chương trình",
    "capped_by": "Bị giới hạn xếp loại theo",
    "discipline_review": "Xem xét kỷ luật",
    "streak_years": "Các năm liên tục",
    "streak_bands": "Xếp loại cải cách hành chính các năm",
    "actions": "Hình thức xem xét",
    "party_org_id": "Mã tổ chức đảng",
    "party_org_name": "Tổ chức cơ sở đảng",
    "proposed_classification": "Xếp loại đề xuất",
    "final_classification": "Xếp loại sau khi áp dụng Chương trình",
    "subject_type": "Loại đối tượng",
    "subject_id": "Mã đối tượng",
    "subject_name": "Tên đối tượng",
    "rule_id": "Quy định áp dụng",
    "clause": "Mục",
    "outcome": "Kết quả",
    "evidence": "Số liệu làm căn cứ",
    "field": "Nội dung",
    "before": "Phương án gốc",
    "after": "Kịch bản",
    "change": "Thay đổi",
}
SHEETS = {
    "changes": "Thay đổi so với gốc",
    "unit_ranking": "Xếp hạng đơn vị",
    "official_ratings": "Xếp loại cán bộ",
    "removal_triggers": "Diện xem xét xử lý",
    "party_org_classifications": "Tổ chức cơ sở đảng",
    "decisions": "Căn cứ quyết định",
}
INFO_SHEET = "Thông tin"
SCENARIO_SHEET = "Kịch bản"
# The columns of each table as people read it: a name beside each code; rules in words
# (their clause is in the words, so the separate clause column goes).
PEOPLE_COLUMNS = {
    "unit_ranking": OUTPUT_COLUMNS["unit_ranking"],
    "official_ratings": [
        "year", "official_id", "full_name", "unit_id", "unit_name", "role", "late_rate",
        "proposed_rating", "final_rating", "capped_by", "discipline_review",
    ],
    "removal_triggers": [
        "year", "unit_id", "unit_name", "official_id", "full_name", "streak_years", "streak_bands", "actions",
    ],
    "party_org_classifications": [
        "year", "party_org_id", "party_org_name", "unit_id", "unit_name", "proposed_classification",
        "final_classification", "capped_by",
    ],
    "decisions": ["year", "subject_type", "subject_id", "subject_name", "rule_id", "outcome", "evidence"],
    "changes": [
        "year", "subject_type", "subject_id", "subject_name", "unit_id", "unit_name", "rule_id", "field",
        "before", "after", "change",
    ],
}  # fmt: skip
INTEGERS = {"year", "rank_in_group"}
NUMBER_FORMATS = {"year": "0", "rank_in_group": "0", "score": "0.00", "late_rate": "0.00%"}
WRAPPED = {
    "reasons",
    "capped_by",
    "actions",
    "streak_bands",
    "rule_id",
    "outcome",
    "evidence",
    "before",
    "after",
}
RULE_LISTS = {"reasons", "capped_by", "rule_id"}
LISTS = {"streak_years", "streak_bands", "actions"}
YES, NO = "Có", "Không"
FIELDS = {
    "decision": "Quyết định theo quy định",
    "band": "Xếp loại đơn vị",
    "emulation_eligible": "Thi đua, khen thưởng",
    "final_rating": "Xếp loại cán bộ",
    "final_classification": "Xếp loại tổ chức cơ sở đảng",
}


# ---------------------------------------------------------------------------------------
# The tables in Vietnamese


def people_table(name: str, df: pd.DataFrame, ev: Evaluation) -> pd.DataFrame:
    """An output table (or a scenario's changes) as people read it: Vietnamese headers and
    values, a name beside every code, numbers left as numbers.

    `ev` gives the criteria (rule titles, role and subject words) and the names.
    """
    out = {}
    for key, values in _people_columns(name, df, ev).items():
        if key in INTEGERS:
            out[HEADERS[key]] = pd.array(values, dtype="Int64")
        elif isinstance(values, np.ndarray):
            out[HEADERS[key]] = values
        else:
            out[HEADERS[key]] = pd.array(values, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    return pd.DataFrame(out, index=df.index)


def _people_columns(name: str, df: pd.DataFrame, ev: Evaluation) -> dict[str, pa.Array | np.ndarray]:
    """The columns of `people_table` (by output column): texts and integers as Arrow arrays
    (missing values null), scores and rates as float64; no pandas Series per column, since the
    workbook of a province has 20,000 rows a sheet."""
    names = _Names(ev)
    return {key: _people_column(key, df, names, ev) for key in PEOPLE_COLUMNS[name]}


def _people_column(key: str, df: pd.DataFrame, names: _Names, ev: Evaluation) -> pa.Array | np.ndarray:
    crit = ev.criteria
    if key == "unit_name" and "unit_name" not in df:
        return names.units(df["unit_id"])
    if key == "full_name" and "full_name" not in df:
        return names.officials(df["official_id"])
    if key == "party_org_name":
        return names.party_orgs(df["party_org_id"], df["unit_id"])
    if key == "subject_name":
        return names.subjects(df["subject_type"], df["subject_id"])
    s = df[key]
    if s.dtype == bool:
        return pc.if_else(pa.array(s.to_numpy(dtype=bool)), YES, NO)
    if key in INTEGERS:
        return pa.array(s, type=pa.int64(), from_pandas=True)
    if key in ("score", "late_rate"):
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    if key == "role":
        return _map_text(s, role_words(crit).get)
    if key == "subject_type":
        return _map_text(s, subject_words(crit).get)
    if key == "field":
        return _map_text(s, FIELDS.get)
    if key in RULE_LISTS:
        return _map_text(s, lambda v: "; ".join(_rule_label(crit, r) for r in v.split(";") if r))
    if key in LISTS:
        return _map_text(s, lambda v: v.replace(";", "; "))
    return _arrow(s)


def _rule_label(crit, rule_id: str) -> str:
    try:
        return crit.rule(rule_id).label
    except KeyError:
        return rule_id


def role_words(crit) -> dict[str, str]:
    """'head' -> 'Người đứng đầu': each role's label in the criteria (its first alias otherwise)."""
    out = {}
    for r in crit.doc.get("roles", []):
        out[r["key"]] = r.get("label") or (r.get("aliases") or [r["key"]])[0]
    return out


def subject_words(crit) -> dict[str, str]:
    """'unit' -> 'Cơ quan, đơn vị': the programme's word for each kind of subject."""
    return {k: str(v) for k, v in (crit.doc.get("subjects") or {}).items()}


def _arrow(s) -> pa.Array:
    """A column as an Arrow string array (missing values null), without Python objects."""
    if isinstance(s, pa.Array):
        return s
    if isinstance(s, pd.Series):
        s = s.array
    if isinstance(s, pd.Categorical):
        cats = pa.array(np.asarray(s.categories, dtype=object), type=pa.string())
        codes = s.codes
        return cats.take(pa.array(codes, mask=codes < 0))
    arr = pa.array(s, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.string())


def _map_text(s: pd.Series, fn) -> pa.Array:
    """Texts through `fn`, computed once per distinct value ('' and missing stay empty)."""
    enc = pc.dictionary_encode(_arrow(s))
    words = [(fn(u) or u) if u else "" for u in enc.dictionary.to_pylist()]
    return pa.array(words, type=pa.string()).take(enc.indices)


class _Names:
    """Names for codes: units from the records, officials and party organisations of the year."""

    def __init__(self, ev: Evaluation):
        self.ev = ev
        self._units = None

    @staticmethod
    def _lookup(keys, ids, values) -> pa.Array:
        pos = pc.index_in(_arrow(keys), value_set=_arrow(ids))
        return pc.fill_null(_arrow(values).take(pos), "")

    def units(self, keys) -> pa.Array:
        if self._units is None:
            u = self.ev.records.units
            self._units = (_arrow(u["unit_id"]), _arrow(u["unit_name"]))
        return self._lookup(keys, *self._units)

    def officials(self, keys) -> pa.Array:
        o = self.ev.official_ratings
        return self._lookup(keys, o["official_id"], o["full_name"])

    def party_orgs(self, keys, units) -> pa.Array:
        """The party organisation's own name when the data give one, else named after its unit."""
        po = self.ev.records.party_orgs
        given = pa.array([""] * len(keys), type=pa.string())
        if "party_org_name" in po:
            this = po[po["year"] == self.ev.year]
            given = self._lookup(keys, this["party_org_id"], this["party_org_name"])
        word = subject_words(self.ev.criteria).get("party_org", "")
        unit = self.units(units)
        after_unit = pc.if_else(pc.equal(unit, ""), "", pc.binary_join_element_wise(word, unit, " "))
        return pc.if_else(pc.equal(pc.fill_null(given, ""), ""), after_unit, given)

    def subjects(self, kinds: pd.Series, keys: pd.Series) -> pa.Array:
        kinds = kinds.astype(object).to_numpy()
        keys = _arrow(keys)
        out = np.full(len(keys), "", dtype=object)
        unit, official, party = kinds == "unit", kinds == "official", kinds == "party_org"
        out[unit] = self.units(keys.filter(unit)).to_numpy(zero_copy_only=False)
        out[official] = self.officials(keys.filter(official)).to_numpy(zero_copy_only=False)
        if party.any():
            pc_ = self.ev.party_org_classifications
            unit_of = self._lookup(keys.filter(party), pc_["party_org_id"], pc_["unit_id"])
            out[party] = self.party_orgs(keys.filter(party), unit_of).to_numpy(zero_copy_only=False)
        return pa.array(out, type=pa.string())


# ---------------------------------------------------------------------------------------
# The workbooks


def _sheet(name: str, df: pd.DataFrame, ev: Evaluation) -> Sheet:
    columns = []
    for key, values in _people_columns(name, df, ev).items():
        kind = "int" if key in INTEGERS else "number" if key in ("score", "late_rate") else "text"
        columns.append(Column(HEADERS[key], values, kind, NUMBER_FORMATS.get(key), wrap=key in WRAPPED))
    return Sheet(SHEETS[name], columns, page_header=f"{SHEETS[name]} — năm {ev.year}")


def _tables(ev: Evaluation) -> dict[str, pd.DataFrame]:
    return {name: output_table(name, getattr(ev, name)) for name in OUTPUT_COLUMNS}


def output_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The table with the columns of SPEC §3 in their order; the table itself when it has just
    those (selecting copies every column: 2 ms for 20,000 officials, paid by each output)."""
    columns = OUTPUT_COLUMNS[name]
    return df if list(df.columns) == columns else df[columns]


def decisions_workbook(ev: Evaluation, properties: dict[str, str], notices: list[str] | None = None) -> bytes:
    """`decisions.xlsx`: the five tables for people, then a sheet saying what they come from.

    `properties` (the audit stamp of the manifest) become the file's custom properties.
    """
    sheets = [_sheet(name, df, ev) for name, df in _tables(ev).items()]
    sheets.append(_info_sheet(INFO_SHEET, _about(ev)))
    title = f"Kết quả đánh giá năm {ev.year} theo {ev.criteria.programme.get('short', '')}".strip()
    return workbook_bytes(sheets, properties, title=title, notices=notices)


def scenario_workbook(
    ev: Evaluation,
    changes: pd.DataFrame | None,
    scenario,
    properties: dict[str, str],
    notices: list[str] | None = None,
) -> bytes:
    """`scenario_decisions.xlsx`: the scenario (what changed, with the stamp), its changes
    against the baseline, and its five tables.

    `scenario` has a `name`, `corrections` (unit_id, year, score_text) and `to_dict()`.
    """
    rows = [["Kịch bản", scenario.name], *_about(ev, with_title=False)]
    bold = []
    rows.append([])
    bold.append(len(rows))
    rows.append(["Tham số thay đổi", "Giá trị gốc", "Giá trị kịch bản", "Mục", "Ý nghĩa"])
    for k, v in ev.criteria.overrides:
        p = ev.criteria.parameter_info(k)
        rows.append([k, _value(p["value"]), _value(v), str(p["clause"]), p["reason"]])
    if not ev.criteria.overrides:
        rows.append(["(không có)"])
    rows.append([])
    bold.append(len(rows))
    rows.append(["Điểm được sửa", "Năm", "Điểm sửa", "Cơ quan, đơn vị"])
    units = ev.records.units.set_index("unit_id")["unit_name"]
    for c in scenario.corrections:
        rows.append([c.unit_id, int(c.year), float(c.score_text), str(units.get(c.unit_id, ""))])
    if not scenario.corrections:
        rows.append(["(không có)"])
    sheets = [_info_sheet(SCENARIO_SHEET, rows, bold=tuple(bold))]
    if changes is not None:
        sheets.append(_sheet("changes", changes, ev))
    sheets += [_sheet(name, df, ev) for name, df in _tables(ev).items()]
    props = dict(properties)
    props["scenario"] = json.dumps(scenario.to_dict(), ensure_ascii=False, sort_keys=True)
    return workbook_bytes(sheets, props, title=f"Kịch bản «{scenario.name}», năm {ev.year}", notices=notices)


def _about(ev: Evaluation, with_title: bool = True) -> list[list]:
    """What the tables come from: the year, the criteria and changed parameters, the inputs."""
    crit = ev.criteria
    rows = []
    if with_title:
        rows.append(["Nội dung", f"Kết quả đánh giá năm {ev.year} theo {crit.programme.get('title', '')}"])
    rows += [
        ["Năm đánh giá", int(ev.year)],
        ["Bộ tiêu chí", f"{_file_name(crit.source)} (phiên bản {crit.version})"],
        ["SHA-256 bộ tiêu chí", crit.sha256],
    ]
    if with_title:
        for i, (k, v) in enumerate(crit.overrides or [("", None)]):
            head = "Tham số thay đổi so với bộ tiêu chí" if i == 0 else ""
            if not k:
                rows.append([head, "không"])
                continue
            p = crit.parameter_info(k)
            rows.append(
                [
                    head,
                    f"{p['reason']} Giá trị dùng: {_words(v)} (bộ tiêu chí: {_words(p['value'])}; mục {p['clause']}; mã tham số {k}).",
                ]
            )
    for name, sha in sorted(ev.records.input_sha256.items()):
        rows.append([f"SHA-256 dữ liệu: {name}", sha])
    if with_title:
        for i, note in enumerate(ev.notes):
            rows.append(["Ghi chú" if i == 0 else "", note])
    return rows


def _file_name(path: str) -> str:
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


def _info_sheet(name: str, rows: list[list], bold: tuple[int, ...] = ()) -> Sheet:
    width = max(len(r) for r in rows)
    columns = []
    for j in range(width):
        values = [r[j] if j < len(r) else None for r in rows]
        columns.append(
            Column("", values, "auto", width=34 if j == 0 else (80 if width == 2 else 22), wrap=True)
        )
    return Sheet(name, columns, landscape=width > 2, page_header=name, header_row=False, bold_rows=bold)


def _words(v) -> str:
    """A parameter's value inside a sentence: 12, 12,5, có, không, không đặt."""
    v = _value(v)
    return str(v).replace(".", ",") if isinstance(v, float) else str(v).lower() if v in (YES, NO) else str(v)


def _value(v) -> str | int | float:
    """A parameter's value for people: numbers stay numbers, true/false in words."""
    if v is None:
        return "không đặt"
    if isinstance(v, bool):
        return YES if v else NO
    if isinstance(v, int | float):
        return v
    return str(v)
