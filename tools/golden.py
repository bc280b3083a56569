#!/usr/bin/env python3
"""Write the golden copy of the embedded sample's outputs into ``tests/golden/``.

Run from the repository root, in the project's environment::

    .venv/bin/python tools/golden.py

`tests/test_golden.py` compares a fresh export of every year of the sample with these files,
byte for byte: a refactoring must not change them. A change of output made on purpose
regenerates them with this script, in a commit of its own that says why.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scoring  # noqa: E402
from scoring.export import write_outputs  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"
YEARS = range(2015, 2021)  # every year of the embedded sample
KEPT = ".csv"  # the CSV contract; the workbook and the manifest carry hashes and layout


def export_year(year: int, folder: Path) -> dict[str, bytes]:
    """The sample's CSV outputs for one year, by file name."""
    crit = scoring.load_criteria()
    ev = scoring.evaluate(scoring.load_records(None, crit), year, crit)
    write_outputs(ev, folder)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix == KEPT}


def main() -> None:
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for year in YEARS:
        with tempfile.TemporaryDirectory() as tmp:
            files = export_year(year, Path(tmp) / "out")
        target = GOLDEN / str(year)
        target.mkdir(parents=True)
        for name, body in files.items():
            (target / name).write_bytes(body)
    print(f"golden copy written to {GOLDEN.relative_to(ROOT)} for {YEARS.start}-{YEARS.stop - 1}")


if __name__ == "__main__":
    main()
