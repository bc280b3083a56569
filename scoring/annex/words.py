"""How the annex words what the engine decided: numbers, rates, names, parameters.

Everything a reader sees is written here from the criteria and the records, never from an
internal code: units, officials and party organisations by name; parameters by what they
mean; rates with the decimal comma and never on the wrong side of their threshold.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pandas as pd

from .. import charts
from ..criteria import Criteria
from ..evaluate import Evaluation
from .model import Basis, curly, dates_in_words

# How a role prints (presentation of the role keys of the criteria).
ROLE_WORDS = {"head": "Người đứng đầu", "deputy": "Cấp phó", "staff": "Công chức, viên chức"}
# A party organisation the data give no name: named after its unit (documented in docs/annex.md).
PARTY_ORG_PREFIX = "Tổ chức cơ sở đảng"


def thousands(n: int) -> str:
    """3850 -> '3.850' (Vietnamese thousands separator)."""
    return f"{int(n):,}".replace(",", ".")


def rate_text(late: int, handled: int, fires: bool, who: str, crit: Criteria) -> str:
    """The late share with a decimal comma, never contradicting the rule's own decision.

    Two decimals, rounded half up; when the rounded figure would sit on the wrong side of
    the threshold (9,996% shown as 10,00% for a unit that does not reach 10%), more
    decimals are shown until it does not.
    """
    if handled <= 0 or late < 0:
        return ""
    threshold = crit.fraction(f"{who}_late_threshold_percent")
    inclusive = crit[f"{who}_late_inclusive"]
    for decimals in range(2, 7):
        text = charts.percent_text(late, handled, decimals)
        shown = Fraction(text.rstrip("%").replace(",", "."))
        says = shown >= threshold if inclusive else shown > threshold
        if says == fires or crit["rate_rounding_decimals"] is not None:
            return text
    return text


def late_words(who: str, crit: Criteria) -> str:
    """'từ 10% trở lên' or 'trên 10%', as the programme words the threshold."""
    pct = charts.number(crit.fraction(f"{who}_late_threshold_percent"))
    return f"từ {pct}% trở lên" if crit[f"{who}_late_inclusive"] else f"trên {pct}%"


def notes_text(parts: list[str]) -> str:
    """'A; b; c': the notes of a cell, the later ones in lower case after the semicolon."""
    return "; ".join(p if i == 0 else p[:1].lower() + p[1:] for i, p in enumerate(parts))


def rule_basis(crit: Criteria, rule_id: str) -> Basis:
    rule = crit.rule(rule_id)
    return Basis(rule.clause, crit.programme["short"], curly(rule.quote))


def ranking_basis(crit: Criteria) -> Basis:
    """The clause the ranking itself rests on: that of the band bounds (band_min_*)."""
    info = crit.parameter_info(crit.doc["bands"][0]["min_param"])
    return Basis(str(info["clause"]), crit.programme["short"], curly(info.get("quote", "")))


def basis(crit: Criteria, rule_id: str) -> str:
    """'Căn cứ: mục II.4 Chương trình hành động …: “quote”' — for notebooks."""
    return rule_basis(crit, rule_id).text


def band_source_notes(crit: Criteria) -> tuple[str, ...]:
    """Each band bound with its source, read from the criteria (the parameter's reason)."""
    labels = crit.bands.labels
    out = ["Căn cứ các ngưỡng điểm xếp loại:"]
    for level in range(len(labels) - 1):
        name = crit.doc["bands"][level]["min_param"]
        reason = dates_in_words(curly(str(crit.parameter_info(name)["reason"]).strip()))
        out.append(f"- {labels[level]} từ {charts.number(crit.band_min(level))} điểm: {reason}")
    return tuple(out)


def unit_names(ev: Evaluation) -> dict[str, str]:
    u = ev.records.units
    return dict(zip(u["unit_id"], u["unit_name"], strict=True))


def party_org_names(ev: Evaluation) -> dict[str, str]:
    """Each party organisation of the year by name, never by its code.

    The name given in `party_orgs.party_org_name` when the data carry that column and the
    cell is filled (with the unit's name after it when the name does not hold it already);
    otherwise "Tổ chức cơ sở đảng <unit name>" — the data do not say whether it is a đảng
    bộ or a chi bộ, so the annex does not guess.
    """
    units = unit_names(ev)
    po = ev.records.party_orgs
    po = po[po["year"] == ev.year]
    given = po["party_org_name"] if "party_org_name" in po.columns else pd.Series("", index=po.index)
    out = {}
    for pid, uid, name in zip(po["party_org_id"], po["unit_id"], given.fillna(""), strict=True):
        unit = units.get(uid, "")
        name = str(name).strip()
        if not name:
            out[pid] = f"{PARTY_ORG_PREFIX} {unit}".strip()
        elif unit and unit.casefold() not in name.casefold():
            out[pid] = f"{name} ({unit})"
        else:
            out[pid] = name
    return out


# The values of choice parameters in words (a value not listed prints quoted, as written).
CHOICE_WORDS = {
    ("rank_ties", "min"): "đồng hạng nhận hạng thấp nhất (1, 2, 2, 4)",
    ("rank_ties", "dense"): "đồng hạng, hạng sau liền kề (1, 2, 2, 3)",
}


def value_words(v: Any, crit: Criteria, name: str) -> str:
    """A parameter's value as people read it: có/không, a band's label, 72,5."""
    if (name, v) in CHOICE_WORDS:
        return CHOICE_WORDS[name, v]
    if isinstance(v, bool):
        return "có" if v else "không"
    if v is None:
        return "không đặt"
    if crit.param_spec(name).get("kind") == "band":
        return crit.bands.label(crit.band_level(str(v)))
    if isinstance(v, int | float):
        return charts.number(v)
    return f"“{v}”"


def parameter_words(name: str, crit: Criteria) -> str:
    """What a parameter means, from the first clause of its reason in the criteria."""
    info = crit.parameter_info(name)
    reason = dates_in_words(curly(str(info["reason"])))
    cut = min((i for i in (reason.find(": "), reason.find("; "), reason.find(". ")) if i > 0), default=-1)
    head = (reason[:cut] if cut > 0 else reason).rstrip(".").strip()
    return f"{head} (mục {info['clause']})"


def scenario_changes(ev: Evaluation) -> list[str]:
    """The scenario's changes in words: parameters by meaning, units by name."""
    crit = ev.criteria
    names = unit_names(ev)
    out = [
        f"{parameter_words(k, crit)}: {value_words(v, crit, k)} "
        f"(gốc: {value_words(crit.parameter_info(k)['value'], crit, k)})"
        for k, v in crit.overrides
    ]
    out += [
        f"điểm của {names.get(c['unit_id'], c['unit_id'])} năm {c['year']} sửa thành "
        f"{str(c['score']).replace('.', ',')}"
        for c in getattr(ev.records, "corrections", [])
    ]
    return out
