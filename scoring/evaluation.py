"""The outcome of one evaluated year: the five tables of SPEC §3, what the run has to say,
and the explanation of each decision in Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .criteria import Criteria
from .explain import Explanation, explain, party_org_names_of
from .held import Columns
from .records import Records
from .rules.party_org import RUN_COLUMNS
from .rules.wording import format_score

__all__ = ["OUTPUT_COLUMNS", "TABLES", "Evaluation", "Explanation", "format_score"]

OUTPUT_COLUMNS = {
    "unit_ranking": [
        "year",
        "unit_id",
        "unit_name",
        "group",
        "score",
        "rank_in_group",
        "band_by_score",
        "late_rate",
        "band",
        "emulation_eligible",
        "reasons",
    ],
    "official_ratings": [
        "year",
        "official_id",
        "full_name",
        "unit_id",
        "role",
        "late_rate",
        "proposed_rating",
        "final_rating",
        "capped_by",
        "discipline_review",
    ],
    "removal_triggers": [
        "year",
        "unit_id",
        "official_id",
        "streak_years",
        "streak_bands",
        "actions",
    ],
    "party_org_classifications": [
        "year",
        "party_org_id",
        "unit_id",
        "proposed_classification",
        "final_classification",
        "capped_by",
    ],
    "decisions": ["year", "subject_type", "subject_id", "rule_id", "clause", "outcome", "evidence"],
}
TABLES = tuple(OUTPUT_COLUMNS)
# The tables an evaluation holds as columns until read (`Columns`): the five and the runs.
HELD = (*TABLES, "party_org_runs")


def _held(name: str) -> property:
    """An Evaluation's table: given as a DataFrame, or held as `Columns` and built when read."""

    def get(self) -> pd.DataFrame:
        got = self.__dict__[name]
        return got.build() if isinstance(got, Columns) else got

    def put(self, value) -> None:
        self.__dict__[name] = value

    return property(get, put, doc=f"The `{name}` table (a DataFrame).")


@dataclass
class Evaluation:
    """The outcome of one year: the five tables of SPEC §3 and what the run has to say.

    `party_org_runs` holds, for each party organisation whose cap applies, the years and bands
    of the unit's run (party_org_id, unit_id, streak_years, streak_bands: `;`-separated like
    `removal_triggers`), so that views never parse a decision's evidence.

    Each table is a DataFrame when read. `evaluate` gives them as `scoring.held.Columns`, built
    into the DataFrame on first reading: a what-if and its `compare` read few of them
    (`column`, `held`). A DataFrame assigned or given to the constructor is kept as it is.
    """

    year: int
    criteria: Criteria
    records: Records
    unit_ranking: pd.DataFrame
    official_ratings: pd.DataFrame
    removal_triggers: pd.DataFrame
    party_org_classifications: pd.DataFrame
    decisions: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    party_org_runs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RUN_COLUMNS))
    ledger: Any = None  # the dossier ledger's run when the data holds one (scoring.ledger.LedgerRun)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}

    def column(self, table: str, name: str):
        """One column of a table as an array, without building the DataFrame while the table
        is still held as columns (`compare` reads a what-if's tables this way)."""
        got = self.__dict__[table]
        if isinstance(got, Columns) and got.frame is None:
            return got.get(name)
        s = (got.frame if isinstance(got, Columns) else got)[name]
        return s.array if isinstance(s.dtype, pd.api.extensions.ExtensionDtype) else s.to_numpy()

    def held(self, table: str, name: str):
        """An array held beside a table's columns (not one of them), or None once the table
        has been read or replaced: what the engine knows of the rows the DataFrame does not say."""
        got = self.__dict__[table]
        return (
            got.get(name) if isinstance(got, Columns) and got.frame is None and name in got.arrays else None
        )

    def size(self, table: str) -> int:
        """The number of rows of a table (without building it)."""
        got = self.__dict__[table]
        return len(got.frame if isinstance(got, Columns) and got.frame is not None else got)

    def counts(self) -> dict[str, int]:
        """The headline numbers: units per band, caps, triggers, party organisations capped."""
        out = {f"band:{b}": int((self.unit_ranking["band"] == b).sum()) for b in self.criteria.bands.labels}
        o = self.official_ratings
        capped = o["capped_by"] != ""
        out["heads_capped"] = int(o["capped_by"].astype(str).str.contains("head_reform_band").sum())
        out["officials_capped"] = int(capped.sum())
        out["discipline_review"] = int(o["discipline_review"].sum())
        out["removal_triggers"] = len(self.removal_triggers)
        out["party_orgs_capped"] = int((self.party_org_classifications["capped_by"] != "").sum())
        out["units_not_eligible"] = int((~self.unit_ranking["emulation_eligible"]).sum())
        if self.ledger is not None and self.ledger.checked:  # the II.2 finding (scoring.ledger)
            out["rescheduling_violations"] = int((self.decisions["rule_id"] == "overdue_rescheduling").sum())
        return out

    def summary(self) -> str:
        """A short Vietnamese summary of the year, as `make demo` prints it."""
        c = self.counts()
        bands = ", ".join(f"{b}: {c['band:' + b]}" for b in self.criteria.bands.labels)
        lines = [
            f"Năm {self.year}: {len(self.unit_ranking)} cơ quan, đơn vị — {bands}.",
            f"  Cơ quan, đơn vị không được xét thi đua, khen thưởng (trễ hạn hồ sơ, mục II.2): {c['units_not_eligible']}",
            f"  Người đứng đầu không được xếp loại từ «Hoàn thành tốt nhiệm vụ» trở lên (mục II.4): {c['heads_capped']}",
            f"  Cán bộ, công chức, viên chức bị giới hạn xếp loại (tổng): {c['officials_capped']}",
            f"  Cán bộ, công chức, viên chức thuộc diện xem xét kỷ luật (trễ hạn hồ sơ, mục II.2): {c['discipline_review']}",
            f"  Người đứng đầu thuộc diện xem xét xử lý trách nhiệm, thay thế (mục II.4): {c['removal_triggers']}",
            f"  Tổ chức cơ sở đảng không được xếp loại mức cao nhất (mục II.4): {c['party_orgs_capped']}",
        ]
        if self.ledger is not None:  # a finding for the Board, not a cap (docs/ledger.md §5)
            lines.append(
                "  Cơ quan, đơn vị có hồ sơ quá hạn chưa được hẹn lại một lần, xin lỗi bằng văn bản (mục II.2): "
                + str(c.get("rescheduling_violations", "chưa có số liệu"))
            )
        if not self.criteria.in_force(self.year):
            lines.append(f"  Năm {self.year} không áp dụng hệ quả của Chương trình hành động (xem ghi chú).")
        return "\n".join(lines)

    def explain(self, subject_id: str) -> Explanation:
        """Every rule that applied to a unit, official or party organisation, in Vietnamese.

        An id that names no subject of the year gives a text saying so, with `.found` False.
        """
        return explain(self, subject_id)

    def party_org_names(self) -> pd.Series:
        """The name of each party organisation of the year, by id: its own (`party_org_name`),
        or one after its unit ("Đảng bộ Sở Y tế") — what documents print instead of a code."""
        p = self.party_org_classifications
        return pd.Series(
            party_org_names_of(self, p["party_org_id"], p["unit_id"]), index=p["party_org_id"].to_numpy()
        )

    def has_subject(self, subject_id: str) -> bool:
        """Whether a unit, official or party organisation of the year has this id."""
        sid = str(subject_id)
        return bool(
            (self.unit_ranking["unit_id"] == sid).any()
            or (self.official_ratings["official_id"] == sid).any()
            or (self.party_org_classifications["party_org_id"] == sid).any()
        )


for _name in HELD:  # the dataclass's fields stay; reading one builds a held table
    setattr(Evaluation, _name, _held(_name))
