"""The outcome of one evaluated year: the five tables of SPEC §3, what the run has to say,
and the explanation of each decision in Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .criteria import Criteria
from .records import Records

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


@dataclass
class Evaluation:
    """The outcome of one year: the five tables of SPEC §3 and what the run has to say."""

    year: int
    criteria: Criteria
    records: Records
    unit_ranking: pd.DataFrame
    official_ratings: pd.DataFrame
    removal_triggers: pd.DataFrame
    party_org_classifications: pd.DataFrame
    decisions: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}

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
        return out

    def summary(self) -> str:
        """A short Vietnamese summary of the year, as `make demo` prints it."""
        c = self.counts()
        bands = ", ".join(f"{b}: {c['band:' + b]}" for b in self.criteria.bands.labels)
        lines = [
            f"Năm {self.year}: {len(self.unit_ranking)} cơ quan, đơn vị — {bands}.",
            f"  Đơn vị không được xét thi đua, khen thưởng (trễ hạn, mục II.2): {c['units_not_eligible']}",
            f"  Người đứng đầu bị giới hạn xếp loại do đơn vị xếp loại thấp (mục II.4): {c['heads_capped']}",
            f"  Cán bộ, công chức bị giới hạn xếp loại (tổng): {c['officials_capped']}",
            f"  Cán bộ thuộc diện xem xét kỷ luật (trễ hạn trên ngưỡng): {c['discipline_review']}",
            f"  Người đứng đầu thuộc diện xử lý trách nhiệm, thay thế (mục II.4): {c['removal_triggers']}",
            f"  Tổ chức cơ sở đảng không được xếp loại mức cao nhất: {c['party_orgs_capped']}",
        ]
        return "\n".join(lines)

    def explain(self, subject_id: str) -> str:
        """Every rule that applied to a unit, official or party organisation, in Vietnamese."""
        sid = str(subject_id)
        parts = []
        u = self.unit_ranking[self.unit_ranking["unit_id"] == sid]
        if len(u):
            r = u.iloc[0]
            score = "không có điểm" if pd.isna(r["score"]) else f"điểm {format_score(r['score'])}"
            rank = "" if pd.isna(r["rank_in_group"]) else f", hạng {int(r['rank_in_group'])} trong khối"
            parts.append(
                f"Đơn vị {sid} — {r['unit_name']} ({r['group']}), năm {self.year}: {score}{rank}; "
                f"xếp loại theo điểm: {r['band_by_score'] or '—'}; xếp loại: {r['band'] or '—'}; "
                f"{'được' if r['emulation_eligible'] else 'không được'} xét thi đua, khen thưởng."
            )
        o = self.official_ratings[self.official_ratings["official_id"] == sid]
        if len(o):
            r = o.iloc[0]
            parts.append(
                f"Cán bộ {sid} — {r['full_name']} ({r['role']}, đơn vị {r['unit_id']}), năm {self.year}: "
                f"đề xuất «{r['proposed_rating']}», kết quả «{r['final_rating']}»"
                + (", thuộc diện xem xét kỷ luật." if r["discipline_review"] else ".")
            )
        p = self.party_org_classifications[self.party_org_classifications["party_org_id"] == sid]
        if len(p):
            r = p.iloc[0]
            parts.append(
                f"Tổ chức đảng {sid} (đơn vị {r['unit_id']}), năm {self.year}: đề xuất "
                f"«{r['proposed_classification']}», kết quả «{r['final_classification']}»."
            )
        if not parts:
            return f"Không có đơn vị, cán bộ hay tổ chức đảng nào mã {sid} trong năm {self.year}."
        d = self.decisions[self.decisions["subject_id"] == sid]
        if not len(d):
            parts.append("Không có quy tắc nào của Chương trình áp dụng.")
        for _, r in d.iterrows():
            rule = self.criteria.rule(r["rule_id"])
            parts.append(
                f"- {r['rule_id']} (mục {r['clause']} Chương trình hành động): {r['outcome']}\n"
                f"  Căn cứ số liệu: {r['evidence']}\n  Trích: «{rule.quote}»"
            )
        return "\n".join(parts)


def format_score(x: float) -> str:
    """95.2 -> '95,20' (Vietnamese decimal comma; scores are already exact to 2 decimals)."""
    return f"{x:.2f}".replace(".", ",")
