"""The criteria are parsed with libyaml when PyYAML has it (issue 12 §2), to the same documents."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import scoring
from scoring import criteria as criteria_module

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "criteria").rglob("*.yaml"))


def test_libyaml_is_used_when_pyyaml_has_it():
    expected = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader
    assert criteria_module.LOADER is expected


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_libyaml_and_the_python_parser_read_the_same_document(path):
    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML built without libyaml")
    text = path.read_text(encoding="utf-8-sig")
    assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506


def test_the_parsed_criteria_equal_the_pure_python_parse(monkeypatch):
    fast = scoring.load_criteria()
    monkeypatch.setattr(criteria_module, "LOADER", yaml.SafeLoader)
    slow = scoring.load_criteria()
    assert fast.doc == slow.doc and fast.params == slow.params and fast.sha256 == slow.sha256


def test_a_yaml_error_still_names_its_line():
    with pytest.raises(scoring.CriteriaError, match=r"dòng 3, cột 2: tệp tiêu chí không đúng cú pháp YAML"):
        criteria_module.Criteria.from_text("programme:\n  - a\n b: [\n")


def test_a_missing_parameter_still_names_its_line():
    text = (ROOT / "criteria" / "khanh-hoa-2017.yaml").read_text(encoding="utf-8")
    text = text.replace("  rank_ties:\n    value: min", "  rank_ties:\n    valeur: min")
    with pytest.raises(scoring.CriteriaError, match=r"dòng \d+ \(parameters.rank_ties\)"):
        criteria_module.Criteria.from_text(text)
