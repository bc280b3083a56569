"""The sample's outputs are byte-identical to the golden copy (`tools/golden.py`).

A refactoring keeps them; a change of output made on purpose regenerates the golden copy
in a commit of its own that says why.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("golden", ROOT / "tools" / "golden.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


@pytest.mark.parametrize("year", list(golden.YEARS))
def test_sample_outputs_match_the_golden_copy(year, tmp_path):
    files = golden.export_year(year, tmp_path / "out")
    expected = {p.name: p.read_bytes() for p in sorted((golden.GOLDEN / str(year)).iterdir())}
    assert sorted(files) == sorted(expected)
    for name, body in files.items():
        assert body == expected[name], f"{year}/{name} differs from the golden copy"
