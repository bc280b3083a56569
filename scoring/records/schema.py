"""What the six input tables of SPEC §3 hold: names, columns, kinds, keys, and their empty form."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

TABLE_NAMES = (
    "units",
    "reform_results",
    "unit_dossiers",
    "officials",
    "official_dossiers",
    "party_orgs",
)
REQUIRED_TABLES = ("units", "reform_results", "officials")
# Optional tables of the producers and the monitor (SPEC §3, "added as the toolkit grows"): found
# and hashed here with the six, read and validated by their own module (index, ledger, monitor)
# through `Records.raw_table`, since each has its own checks and the ledger may be too big to read
# into memory (it reads the files itself, by `Records.sources[name].path`).
EXTRA_TABLES = (
    "indicators",
    "criterion_scores",
    "survey_results",
    "dossiers",
    "dossier_steps",
    "dossier_reschedules",
)
# What each missing optional table means for the rules (said in the run's notes).
OPTIONAL_EFFECT = {
    "unit_dossiers": "không có số liệu hồ sơ của đơn vị: quy tắc unit_late_dossiers (mục II.2) không được áp dụng",
    "official_dossiers": "không có số liệu hồ sơ của cán bộ: quy tắc official_late_dossiers (mục II.2) không được áp dụng",
    "party_orgs": "không có số liệu tổ chức cơ sở đảng: quy tắc party_org_streak (mục II.4) không được áp dụng",
}


# The kinds of column read against a scale of labels: a few distinct texts in a million rows.
LABEL_KINDS = ("band", "role", "rating", "classification")


@dataclass(frozen=True)
class Col:
    name: str
    kind: str  # id, text, group, year, count, score, band, role, rating, classification
    required: bool = True  # the column must be present
    blank_ok: bool = False  # a cell may be blank


YEAR = Col("year", "year")
SCHEMAS: dict[str, tuple[Col, ...]] = {
    "units": (
        Col("unit_id", "id"),
        Col("unit_name", "text"),
        Col("group", "group"),
        Col("party_org_id", "id", required=False, blank_ok=True),
    ),
    "reform_results": (
        YEAR,
        Col("unit_id", "id"),
        # either column may be left out of the file, not both (a result is a score or a band)
        Col("score", "score", required=False, blank_ok=True),
        Col("band", "band", required=False, blank_ok=True),
    ),
    "unit_dossiers": (YEAR, Col("unit_id", "id"), Col("handled", "count"), Col("late", "count")),
    "officials": (
        YEAR,
        Col("official_id", "id"),
        Col("full_name", "text"),
        Col("unit_id", "id"),
        Col("role", "role"),
        Col("proposed_rating", "rating", blank_ok=True),
    ),
    "official_dossiers": (
        YEAR,
        Col("official_id", "id"),
        Col("handled", "count"),
        Col("late", "count"),
    ),
    "party_orgs": (
        YEAR,
        Col("party_org_id", "id"),
        Col("unit_id", "id"),
        Col("proposed_classification", "classification", blank_ok=True),
        # documents name a party organisation after its unit unless it has a name of its own
        Col("party_org_name", "text", required=False, blank_ok=True),
    ),
}
KEYS = {
    "units": ("unit_id",),
    "reform_results": ("year", "unit_id"),
    "unit_dossiers": ("year", "unit_id"),
    "officials": ("year", "official_id"),
    "official_dossiers": ("year", "official_id"),
    "party_orgs": ("year", "party_org_id"),
}
KEY_WORDS = {
    "units": "một đơn vị chỉ được khai một lần",
    "reform_results": "mỗi đơn vị chỉ có một kết quả mỗi năm",
    "unit_dossiers": "mỗi đơn vị chỉ có một dòng số liệu hồ sơ mỗi năm",
    "officials": "mỗi cán bộ chỉ có một dòng mỗi năm",
    "official_dossiers": "mỗi cán bộ chỉ có một dòng số liệu hồ sơ mỗi năm",
    "party_orgs": "mỗi tổ chức đảng chỉ có một dòng mỗi năm",
}
MAX_ROWS_PER_PROBLEM = 20
YEAR_RANGE = (1900, 2100)
# A sanity bound, not a rule of the programme (so not in the criteria): no register holds 10^12
# dossiers, and under it every comparison the rules make (late × 100 against threshold × handled,
# the threshold's numerator and denominator included) stays far inside int64, in every format.
MAX_COUNT = 10**12
# The label columns whose text, as written, is kept beside the level it was read as
# (`<column>_text`): an explanation shows a proposal recorded on another era's scale as written.
KEEP_LABEL_TEXT = ("proposed_rating", "proposed_classification")
# Extra columns kept for people (where a figure comes from, a remark): ignored without a word.
DOC_COLUMNS = {"source", "note", "notes", "ghi chu", "nguon"}


def empty_frame(table: str) -> pd.DataFrame:
    """The typed frame of `table` with no rows (a missing optional table)."""
    return _empty_cached(table).copy()


@functools.cache
def _empty_cached(table: str) -> pd.DataFrame:
    cols: dict[str, pd.Series] = {"row": pd.Series([], dtype="int64")}
    for c in SCHEMAS[table]:
        if c.kind in ("year", "count"):
            cols[c.name] = pd.Series([], dtype="int64")
        elif c.kind == "score":
            cols["score_cents"] = pd.Series([], dtype="int64")
            cols["score_blank"] = pd.Series([], dtype="bool")
        elif c.kind in ("id", "text", "group"):
            cols[c.name] = pd.Series([], dtype="str")
            if c.kind == "group":
                cols["group_key"] = pd.Series([], dtype="str")
        else:
            cols[c.name] = pd.Series([], dtype="int8")
            cols[c.name + "_other_era"] = pd.Series([], dtype="bool")
            cols[c.name + "_blank"] = pd.Series([], dtype="bool")
            if c.name in KEEP_LABEL_TEXT:
                cols[c.name + "_text"] = pd.Series([], dtype="str")
    return pd.DataFrame(cols)
