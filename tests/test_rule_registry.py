"""The rules are registered by the criteria file alone (docs/architecture.md, "The contract of a
rule module"): a new rule is an entry in `rules:` and a function in scoring/rules/<family>.py.

These tests plug a finding (a rule with no cap) into a copy of the criteria, as the ledger's
`overdue_rescheduling` will be plugged in, and check where its decisions land.
"""

import sys
import types

import numpy as np
import pytest
from conftest import HTT, SO, make_dataset

import scoring
from scoring.criteria import DEFAULT_CRITERIA, Criteria, CriteriaError
from scoring.decisions import decision_rows
from scoring.rules import Outcome

FINDING = """
  test_unit_finding:
    title: "Phát hiện thử của đơn vị"
    clause: "II.2"
    quote: "Toàn bộ hồ sơ quá hạn phải được lãnh đạo cơ quan, đơn vị, địa phương hẹn lại thời gian rõ ràng"
    subject: unit
    family: test_family
"""


def criteria_with(entry: str) -> Criteria:
    text = DEFAULT_CRITERIA.read_text(encoding="utf-8")
    head, tail = text.split("\n# Named parameters", 1)
    return Criteria.from_text(head.rstrip("\n") + "\n" + entry + "\n# Named parameters" + tail)


@pytest.fixture
def family(monkeypatch):
    """A rule module `scoring.rules.test_family`: units whose name holds 'Hai' are found."""
    module = types.ModuleType("scoring.rules.test_family")

    def test_unit_finding(ctx, rule):
        names = ctx.unit_names[ctx.unit_rows]
        fires = np.array(["Hai" in n for n in names], dtype=bool)
        f = np.flatnonzero(fires)
        texts = [f"{n}: có hồ sơ quá hạn chưa hẹn lại" for n in names[f]]
        decisions = decision_rows(
            ctx.year,
            "unit",
            ctx.unit_ids[ctx.unit_rows[f]],
            rule,
            ["Cần xem xét"] * len(f),
            texts,
            order=ctx.ranking.position[f],
        )
        return Outcome(rule, "unit", fires, decisions)

    module.test_unit_finding = test_unit_finding
    monkeypatch.setitem(sys.modules, "scoring.rules.test_family", module)
    return module


@pytest.fixture
def data(tmp_path):
    return make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO), ("U2", "Sở Hai", SO)],
        reform_results=[(2020, "U1", "90", ""), (2020, "U2", "90", "")],
        unit_dossiers=[(2020, "U1", 100, 0), (2020, "U2", 100, 20)],
        officials=[(2020, "H1", "Người Một", "U1", "head", HTT)],
    )


def test_a_finding_plugged_in_by_the_criteria_file_gives_its_decisions(family, data):
    crit = criteria_with(FINDING)
    assert crit.rule_ids[-1] == "test_unit_finding"
    ev = scoring.evaluate(scoring.load_records(data, crit), 2020, crit)
    d = ev.decisions[ev.decisions["subject_id"] == "U2"]
    assert list(d["rule_id"]) == ["unit_late_dossiers", "test_unit_finding"]  # the criteria's order
    assert d.iloc[1]["evidence"] == "Sở Hai: có hồ sơ quá hạn chưa hẹn lại"
    u2 = ev.unit_ranking.set_index("unit_id").loc["U2"]
    assert u2["reasons"] == "unit_late_dossiers"  # a finding changes neither band nor eligibility
    assert "Phát hiện thử của đơn vị (mục II.2)" in ev.explain("U2")


def test_a_rule_without_its_module_is_refused_in_vietnamese(data):
    crit = criteria_with(FINDING.replace("test_family", "khong_co_mo_dun"))
    with pytest.raises(CriteriaError, match="không có mô-đun scoring/rules/khong_co_mo_dun.py"):
        scoring.evaluate(scoring.load_records(data, crit), 2020, crit)


def test_a_rule_whose_module_lacks_its_function_is_refused(family, data):
    crit = criteria_with(FINDING.replace("test_unit_finding", "test_other_finding"))
    with pytest.raises(CriteriaError, match="không có hàm test_other_finding"):
        scoring.evaluate(scoring.load_records(data, crit), 2020, crit)


def test_a_rule_entry_without_its_clause_is_refused():
    with pytest.raises(CriteriaError, match="thiếu 'clause'"):
        criteria_with(FINDING.replace('    clause: "II.2"\n', ""))
