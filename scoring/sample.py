"""The embedded Khánh Hòa sample (see scoring/sample_data/README.md for what is real).

The 2018–2020 scores of named units and the band counts are the province's published
figures; everything else is synthetic and says so (column `source`, and the README).
"""

from __future__ import annotations

from pathlib import Path

from .atomic import publish
from .records import TABLE_NAMES

SAMPLE_DIR = Path(__file__).resolve().parent / "sample_data"
SAMPLE_TABLES = TABLE_NAMES  # the six input tables of SPEC §3
SAMPLE_LATEST_YEAR = 2020


def sample_path() -> Path:
    """The folder of the embedded sample's CSV files."""
    return SAMPLE_DIR


class SampleExists(FileExistsError):
    """The folder already holds files the sample would replace (the message names them)."""


def write_sample(
    out_dir: str | Path, force: bool = False, extra: dict[str, bytes] | None = None
) -> list[Path]:
    """Copy the sample's CSV files (and README) into `out_dir`, as a starting point for users.

    A folder that already holds a file of the same name (the user's own `units.csv`, say) is
    refused unless `force`; the user's other files stay. All or nothing (scoring.atomic).
    `extra` files (name -> bytes) are written with them (the sample's ledger, made on demand).
    """
    out = Path(out_dir)
    extra = dict(extra or {})
    # every table of the sample: the six of SPEC §3 and the optional ones (indicators, …)
    names = sorted(p.name for p in SAMPLE_DIR.glob("*.csv")) + ["README.md"]
    names += [n for n in sorted(extra) if n not in names]
    there = [n for n in names if (out / n).exists() or (out / n).is_symlink()]
    if there and not force:
        raise SampleExists(
            f"Thư mục {out} đã có {', '.join(there)}: lệnh sample sẽ ghi đè. Chưa ghi gì. "
            "Hãy chọn một thư mục khác, hoặc thêm --force để ghi đè các tệp này."
        )
    publish(out, {n: extra[n] if n in extra else (SAMPLE_DIR / n).read_bytes() for n in names})
    return [out / n for n in names]
