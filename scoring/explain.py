"""`Evaluation.explain`: every rule that applied to a subject, in plain Vietnamese.

The explanation names people and units, never only their codes; rules by their title and
clause (the rule id stays in a small "mã quy tắc" note); numbers with a decimal comma. A
proposal recorded on another era's scale shows the label as recorded beside the level it was
read as.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .labels import fold
from .rules.wording import format_score, party_org_names

if TYPE_CHECKING:
    from .evaluation import Evaluation

ROLE_WORDS = {"head": "Người đứng đầu", "deputy": "Cấp phó", "staff": "Công chức, viên chức"}
# columns a loader may keep with a label as written (the first one present is used)
RAW_SUFFIXES = ("_text", "_raw", "_as_written")


class Explanation(str):
    """The text of an explanation; `found` is False when no subject of the year has the id.

    It stays a string (what `explain` always returned) so that printing it is unchanged, and
    a caller such as the command line can still tell an unknown id (`if not text.found`).
    """

    found: bool

    def __new__(cls, text: str, found: bool = True):
        obj = super().__new__(cls, text)
        obj.found = found
        return obj


def explain(ev: Evaluation, subject_id: str) -> Explanation:
    """Every rule that applied to a unit, official or party organisation of the year."""
    sid = str(subject_id)
    parts = _unit(ev, sid) + _official(ev, sid) + _party_org(ev, sid)
    if not parts:
        return Explanation(
            f"Không có cơ quan, đơn vị, cán bộ, công chức, viên chức hay tổ chức cơ sở đảng nào "
            f"mang mã «{sid}» trong năm {ev.year}.",
            found=False,
        )
    d = ev.decisions[ev.decisions["subject_id"] == sid]
    if not ev.criteria.in_force(ev.year):
        parts.append(
            f"Năm {ev.year} Chương trình hành động chưa (hoặc không còn) được áp dụng: không có hệ quả."
        )
    elif not len(d):
        parts.append("Không có quy định nào của Chương trình hành động áp dụng.")
    else:
        parts.append("Các quy định của Chương trình hành động đã áp dụng:")
    for r in d.itertuples(index=False):
        rule = ev.criteria.rule(r.rule_id)
        parts.append(
            f"- {rule.label}: {r.outcome}.\n"
            f"  Căn cứ số liệu: {r.evidence}.\n"
            f"  Trích Chương trình hành động: «{rule.quote}»\n"
            f"  (mã quy tắc: {rule.id})"
        )
    return Explanation("\n".join(parts))


def _row(df: pd.DataFrame, key: str, sid: str):
    """The row of a table whose `key` is `sid` (each subject appears once), or None."""
    hit = df[df[key] == sid]
    return hit.iloc[0] if len(hit) else None


def _unit(ev: Evaluation, sid: str) -> list[str]:
    r = _row(ev.unit_ranking, "unit_id", sid)
    if r is None:
        return []
    head = f"Cơ quan, đơn vị: {r['unit_name']} (khối {r['group']}), năm {ev.year} (mã {sid})"
    if pd.isna(r["score"]) and not r["band"]:
        return [head, f"  Chưa có kết quả cải cách hành chính năm {ev.year}: không có điểm, không xếp hạng."]
    score = "chưa có điểm" if pd.isna(r["score"]) else f"điểm {format_score(r['score'])}"
    rank = "" if pd.isna(r["rank_in_group"]) else f", hạng {int(r['rank_in_group'])} trong khối"
    band_by_score = f"xếp loại theo điểm «{r['band_by_score']}»; " if r["band_by_score"] else ""
    eligible = "được" if r["emulation_eligible"] else "không được"
    return [
        head,
        f"  {score[:1].upper()}{score[1:]}{rank}; {band_by_score}xếp loại «{r['band'] or '—'}»; "
        f"{eligible} xét thi đua, khen thưởng.",
    ]


def _official(ev: Evaluation, sid: str) -> list[str]:
    r = _row(ev.official_ratings, "official_id", sid)
    if r is None:
        return []
    role = ROLE_WORDS.get(str(r["role"]), str(r["role"]))
    who = f"Cán bộ, công chức, viên chức: {r['full_name']} — {role}, {_unit_name(ev, r['unit_id'])}"
    review = "; thuộc diện xem xét kỷ luật nếu có vi phạm" if r["discipline_review"] else ""
    return _rated(
        ev, who, sid, ("officials", "official_id", "proposed_rating", "cadre"), r["final_rating"], review
    )


def _party_org(ev: Evaluation, sid: str) -> list[str]:
    r = _row(ev.party_org_classifications, "party_org_id", sid)
    if r is None:
        return []
    who = f"Tổ chức cơ sở đảng: {party_org_name(ev, sid, r['unit_id'])}"
    where = ("party_orgs", "party_org_id", "proposed_classification", "party_org")
    return _rated(ev, who, sid, where, r["final_classification"])


def _rated(ev: Evaluation, who: str, sid: str, where: tuple, final: str, tail: str = "") -> list[str]:
    """The header of a rated subject and its proposed and final level."""
    proposed = _as_recorded(ev, sid, *where)
    return [
        f"{who}, năm {ev.year} (mã {sid})",
        f"  Xếp loại đề xuất {proposed}; xếp loại sau khi áp dụng Chương trình «{final}»{tail}.",
    ]


def party_org_name(ev: Evaluation, party_org_id: str, unit_id: str) -> str:
    """The party organisation's own name (`party_org_name`), or one after its unit."""
    return str(party_org_names_of(ev, pd.Series([party_org_id]), pd.Series([unit_id]))[0])


def party_org_names_of(ev: Evaluation, ids: pd.Series, unit_ids: pd.Series) -> np.ndarray:
    """Names of some party organisations of the year (ids aligned with their units' ids)."""
    units = ev.records.units
    unit_name = dict(zip(units["unit_id"], units["unit_name"], strict=True))
    after = np.array([unit_name.get(u, u) for u in unit_ids], dtype=object)
    po = ev.records.party_orgs
    if "party_org_name" not in po:
        return party_org_names(None, after)
    in_year = po[po["year"] == ev.year]
    own = dict(zip(in_year["party_org_id"], in_year["party_org_name"], strict=True))
    return party_org_names(np.array([own.get(i, "") for i in ids], dtype=object), after)


def _unit_name(ev: Evaluation, unit_id: str) -> str:
    units = ev.records.units
    hit = units.loc[units["unit_id"] == unit_id, "unit_name"]
    return str(hit.iloc[0]) if len(hit) else str(unit_id)


def _as_recorded(ev: Evaluation, sid: str, table: str, key: str, col: str, family: str) -> str:
    """'«X»', or '«Trong sạch, vững mạnh» (nhãn của …), đọc là mức «X» của …' for another era's label."""
    df = ev.records.table(table)
    hit = df[(df["year"] == ev.year) & (df[key] == sid)]
    scale = ev.criteria.scales(family).for_year(ev.year)
    printed = scale.label(int(hit[col].iloc[0])) if len(hit) else ""
    if not len(hit) or not bool(hit[f"{col}_other_era"].iloc[0]):
        return f"«{printed}»"
    raw = next((str(hit[col + s].iloc[0]) for s in RAW_SUFFIXES if col + s in hit), None)
    if raw is None:
        return f"«{printed}» (ghi theo nhãn của thời kỳ khác, đọc là mức tương ứng của {scale.source})"
    era = next((e for e in ev.criteria.scales(family).eras if e is not scale and fold(raw) in e.lookup), None)
    whose = f" (nhãn của {era.source})" if era else ""
    return f"«{raw.strip()}»{whose}, đọc là mức «{printed}» của {scale.source}"
