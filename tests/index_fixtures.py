"""Shared builders for the reform index's tests: a small structure whose index is computed by
hand in the tests, and a data folder around it.

The structure "mini" (10 points): field A appraised (A.1 2 points; A.2 4 points = A.2.a 1,5 +
A.2.b 2,5), field B surveyed (B.1 2 points, B.2 2 points); a bonus T (1) and a deduction D (1).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import HT_2020, HTT, HUYEN, SO, make_dataset

import scoring
from scoring.index import structure as structure_module

MINI = """\
structure:
  id: mini
  title: "Bộ chỉ số nhỏ để kiểm thử"
  level: unit
  illustrative: true
  years: {from: 2018, to: 2020}
  max_points: 10
  survey_points_decimals: 2
fields:
  - id: A
    number: "1"
    name: "Thẩm định"
    max: 6
    method: appraisal
    criteria:
      - {id: A.1, number: "1.1", name: "Tiêu chí một", max: 2}
      - id: A.2
        number: "1.2"
        name: "Tiêu chí hai"
        max: 4
        sub:
          - {id: A.2.a, number: "1.2.1", name: "Thành phần a", max: 1.5}
          - {id: A.2.b, number: "1.2.2", name: "Thành phần b", max: 2.5}
  - id: B
    number: "2"
    name: "Điều tra xã hội học"
    max: 4
    method: survey
    criteria:
      - {id: B.1, number: "2.1", name: "Người dân", max: 2}
      - {id: B.2, number: "2.2", name: "Cán bộ", max: 2}
bonus:
  - {id: T, number: "T", name: "Điểm thưởng", max: 1}
deductions:
  - {id: D, number: "D", name: "Điểm trừ", max: 1}
"""


@pytest.fixture
def mini_structures(tmp_path, monkeypatch) -> Path:
    """criteria/index/ replaced by a folder holding only the mini structure (and the readings)."""
    folder = tmp_path / "index_structures"
    folder.mkdir()
    (folder / "mini.yaml").write_text(MINI, encoding="utf-8")
    shutil.copy(structure_module.INDEX_DIR / structure_module.PARAMETERS_FILE, folder)
    monkeypatch.setattr(structure_module, "INDEX_DIR", folder)
    return folder


UNITS = [
    ("U1", "Sở Một", SO, "P1"),
    ("U2", "Sở Hai", SO, "P2"),
    ("U3", "Huyện Ba", HUYEN, "P3"),
    ("U4", "Huyện Bốn", HUYEN, "P4"),
]
HEADS = [(2020, f"H{k}", f"Người đứng đầu {k}", f"U{k}", "head", HTT) for k in range(1, 5)]

# U1: A = 2 + 1,25 + 2 = 5,25; B.1 2 × 30/40 = 1,5; B.2 2 × 2/3 = 1,33 → 8,08 → 80,80
#     (self-assessed: A.2.a 1,5 and A.2.b 2,5 → gap 0,75 → 88,30)
# U2: A = 1,5 + 1,5 + 2,5 = 5,5, no survey → rescaled 5,5 / 6 = 91,67 (55,00 without rescaling)
# U3: A = 6; B = 2 + 2; bonus 0,5; deduction 0,25 → 10,25 of 10 → kept at 100,00
# U4: A = 1 + 1 + 1 = 3; B.1 2 × 1/4 = 0,5; B.2 not surveyed → 3,5 / 8 = 43,75
CRITERION_SCORES = [
    (2020, "U1", "A.1", "2", "2"),
    (2020, "U1", "A.2.a", "1,5", "1,25"),
    (2020, "U1", "A.2.b", "2,5", "2"),
    (2020, "U2", "A.1", "", "1,5"),
    (2020, "U2", "A.2.a", "", "1,5"),
    (2020, "U2", "A.2.b", "", "2,5"),
    (2020, "U3", "A.1", "2", "2"),
    (2020, "U3", "A.2.a", "1,5", "1,5"),
    (2020, "U3", "A.2.b", "2,5", "2,5"),
    (2020, "U3", "T", "", "0,5"),
    (2020, "U3", "D", "", "0,25"),
    (2020, "U4", "A.1", "1", "1"),
    (2020, "U4", "A.2.a", "1", "1"),
    (2020, "U4", "A.2.b", "1", "1"),
]
SURVEY_RESULTS = [
    (2020, "U1", "B.1", 40, 30, ""),
    (2020, "U1", "B.2", 3, 2, ""),
    (2020, "U3", "B.1", 10, 10, ""),
    (2020, "U3", "B.2", 10, "", "2"),
    (2020, "U4", "B.1", 4, 1, ""),
]
EXPECTED = {"U1": 80.80, "U2": 91.67, "U3": 100.00, "U4": 43.75}


def mini_folder(folder: Path, results=None, criterion_scores=None, survey_results=None, **tables) -> Path:
    """The mini data set: results left blank (U1) or absent (U2) where points give the score."""
    if results is None:
        results = [(2020, "U1", "", ""), (2020, "U3", "100", ""), (2020, "U4", "43.75", "")]
    return make_dataset(
        folder,
        sep=";",
        units=UNITS,
        reform_results=results,
        officials=tables.pop("officials", HEADS),
        criterion_scores=CRITERION_SCORES if criterion_scores is None else criterion_scores,
        survey_results=SURVEY_RESULTS if survey_results is None else survey_results,
        **tables,
    )


def load(folder: Path, **overrides):
    crit = scoring.load_criteria().with_overrides(overrides)
    return scoring.load_records(folder, crit), crit


__all__ = ["EXPECTED", "HT_2020", "load", "mini_folder", "mini_structures"]
