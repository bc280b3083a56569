"""Loading: find, read, type and check every table in one pass; the checks of an evaluated year."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..criteria import Criteria, load_criteria
from ..keys import positions
from .cells import Typed, typed_table
from .container import DIGITS, Records
from .files import Files, file_sha256
from .problems import Problem, ValidationError, sorted_problems
from .read import read_table
from .references import check_keys
from .schema import OPTIONAL_EFFECT, REQUIRED_TABLES, TABLE_NAMES, empty_frame
from .sources import find_sources
from .years import year_notes, year_problems


def load_records(
    data: str | Path | None = None, criteria: Criteria | None = None, year: int | None = None
) -> Records:
    """Load and validate the input tables (SPEC §3). `None` loads the embedded sample.

    With `year`, what evaluating that year needs (records of the year, proposed ratings) is
    checked in the same pass, so every problem is listed at once.

    Raises `ValidationError` listing every problem found; nothing is returned half-read.
    """
    crit = criteria or load_criteria()
    digits = crit[DIGITS]
    if data is None:
        from ..sample import sample_path

        data = sample_path()
    data = Path(data)
    problems: list[Problem] = []
    notes: list[str] = []
    files = Files()
    sources = find_sources(data, files, problems, notes)
    for t in REQUIRED_TABLES:
        if t not in sources and not any(p.expected.startswith("không tìm thấy") for p in problems):
            problems.append(
                Problem.of_file(
                    str(data.name or data),
                    f"thiếu bảng bắt buộc {t} ({t}.csv, {t}.parquet hoặc trang {t} của tệp .xlsx)",
                )
            )
    typed: dict[str, Typed] = {}
    for t in TABLE_NAMES:
        src = sources.get(t)
        if src is None:
            continue
        raw = read_table(src, files, problems, digits)
        if raw is None:
            continue
        before = len(problems)
        got = typed_table(t, raw, src.where, crit, problems, notes, digits)
        problems[before:] = _not_covered(problems[before:], raw.attrs.get("covered"))
        if got is not None:
            typed[t] = got
    if "criterion_scores" in sources or "survey_results" in sources:  # reform index: scores from points
        from ..index.producer import fill_loaded

        fill_loaded(typed, sources, crit, problems, notes)
    for t in OPTIONAL_EFFECT:
        if t not in sources:
            notes.append(f"Không có bảng {t}: {OPTIONAL_EFFECT[t]}.")
    codes = check_keys(typed, sources, problems)
    if year is not None:
        frames = {t: typed[t].frame for t in typed if typed[t].complete}
        problems += year_problems(frames, sources, int(year), str(data))
        if not problems:
            notes += year_notes(frames, sources, int(year))
    if problems:
        raise ValidationError(sorted_problems(problems, sources))
    frames = {t: typed[t].frame for t in typed}
    frames.update({t: empty_frame(t) for t in TABLE_NAMES if t not in frames})
    sha = {
        src.path.name: files.sha256(src.path) if t in TABLE_NAMES else file_sha256(src.path)
        for t, src in sources.items()
    }
    records = Records(
        **frames,
        present=frozenset(t for t in sources),
        sources=sources,
        notes=notes,
        input_sha256=dict(sorted(sha.items())),
        origin=str(data),
    )
    _keep_codes(records, codes)
    records.__dict__["_read_digits"] = digits
    if year is not None:
        records.__dict__.setdefault("_checked_years", set()).add(int(year))
    return records


def _not_covered(found: list[Problem], covered: set | None) -> list[Problem]:
    """Drop what a cell seems to say (blank) when the sheet's reader already named that cell.

    A merged range or a formula without a saved value reads as blank cells; their own message
    says so, once, with the cell's address.
    """
    if not covered:
        return found
    return [p for p in found if not any((p.row, c) in covered for c in (p.column or "").split("/"))]


def _keep_codes(records: Records, codes: dict) -> None:
    """Keep the integer keys validation computed, so evaluating does not hash the ids again.

    The cache (`records._codes`) holds, for each table naming a unit, the row of `units` of
    each row; and the shared official-id codes of `officials` and `official_dossiers`.
    """
    unit_key = codes.get(("units", "unit_id"))
    if unit_key is None:
        return
    n = int(max([0, *[int(c.max()) + 1 for c in codes.values() if len(c)]]))
    cache: dict = {}
    for t in ("reform_results", "unit_dossiers", "officials", "party_orgs"):
        c = codes.get((t, "unit_id"), np.zeros(0, dtype=np.int64))
        cache[t] = positions(c, unit_key, n)
    cache["official"] = codes.get(("official", "officials"), np.zeros(0, dtype=np.int64))
    cache["official_dossier"] = codes.get(("official", "official_dossiers"), np.zeros(0, dtype=np.int64))
    cache["n_officials"] = n
    records.__dict__["_codes"] = cache
