"""The embedded Khánh Hòa sample (see scoring/sample_data/README.md for what is real).

The 2018–2020 scores of named units and the band counts are the province's published
figures; everything else is synthetic and says so (column `source`, and the README).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .records import TABLE_NAMES

SAMPLE_DIR = Path(__file__).resolve().parent / "sample_data"
SAMPLE_TABLES = TABLE_NAMES  # the six input tables of SPEC §3
SAMPLE_LATEST_YEAR = 2020


def sample_path() -> Path:
    """The folder of the embedded sample's CSV files."""
    return SAMPLE_DIR


def write_sample(out_dir: str | Path) -> list[Path]:
    """Copy the sample's CSV files (and README) into `out_dir`, as a starting point for users."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    # every table of the sample: the six of SPEC §3 and the optional ones (indicators, …)
    for name in sorted(p.name for p in SAMPLE_DIR.glob("*.csv")) + ["README.md"]:
        target = out / name
        shutil.copyfile(SAMPLE_DIR / name, target)
        written.append(target)
    return written
