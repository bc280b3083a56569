"""The index as a producer: scores computed from criterion points feed the ranking.

SPEC §3: a `reform_results` row may leave both score and band blank — or be absent — only where
criterion points for that unit and year are given; the index then computes the score, and every
rule downstream reads it as it reads a recorded one. Where a recorded score and the recomputed
one differ by more than 0,01 the run says so, both side by side; the recorded (published) score
stays the one the ranking uses — a correction is the clerk's decision (a what-if, or the file),
never a silent preference.

Two entries, one logic:
- `fill_loaded(typed, sources, crit, problems, notes)`: the loader's hook (`load_records`), in
  the same validation pass, so bad points are listed with every other problem;
- `fill_scores(records, crit)`: the same on records already loaded (returns new records).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..criteria import Criteria
from ..keys import encode
from ..labels import MISSING
from ..records import Records
from ..rules.reform_ranking import band_from_score
from .compute import Scores, every_year
from .points import Points, read_points
from .structure import IndexSettings, Structure, load_settings, load_structures

NEITHER_COLUMN = "score/band"  # the loader's problem for a result row with neither score nor band


def _vn(cents: int) -> str:
    return f"{int(cents) // 100},{int(cents) % 100:02d}"


def _source(sources: dict):
    """The Source object the index keeps its per-data-set cache on."""
    return sources.get("criterion_scores") or sources.get("survey_results")


def points_of(
    sources: dict, units: set[str], problems=None, structure: Structure | None = None, digits: int | None = 15
) -> Points | None:
    """The data's validated points, parsed once per data set (kept on the table's `Source`)."""
    src = _source(sources)
    if src is None:
        return None
    key = structure.id if structure is not None else ""
    cache = src.__dict__.setdefault("_index_points", {})
    if key not in cache:
        structures = (structure,) if structure is not None else load_structures()
        cache[key] = read_points(sources, units, structures, structure, problems, digits)
    return cache[key]


def fill_frame(rr: pd.DataFrame, scores: Scores, where: str, crit: Criteria, refill=frozenset()):
    """`reform_results` (typed) with the computed scores where the results leave them blank
    (or where an earlier fill put them: the (year, unit) keys of `refill`).

    Returns (frame, the (year, unit) keys computed, the rows filled as seen in the file, the
    number of rows added, notes).
    """
    if not len(scores.cents):
        return rr, set(), set(), 0, []
    c_year, c_unit, c_cents = scores.year, scores.unit_id, scores.cents
    r_year, r_unit = rr["year"].to_numpy().astype(np.int64), rr["unit_id"]
    k_rr, k_c, k_again = _pair_codes(
        (r_year, r_unit), (c_year, pd.Series(c_unit, dtype=object)), _pairs_of(refill)
    )
    K = int(max(k_rr.max(initial=-1), k_c.max(initial=-1), k_again.max(initial=-1))) + 1
    # a (year, unit) computed twice keeps its last index, as a dict built in that order would
    last = np.full(K, -1, dtype=np.int64)
    distinct, from_end = np.unique(k_c[::-1], return_index=True)
    last[distinct] = len(k_c) - 1 - from_end
    at = last[k_rr]
    got = np.where(at >= 0, c_cents[np.maximum(at, 0)], -1)
    has = got >= 0
    score = rr["score_cents"].to_numpy()
    in_refill = np.zeros(K, dtype=bool)
    in_refill[k_again] = True
    again = in_refill[k_rr]
    blank = (rr["score_blank"].to_numpy() & rr["band_blank"].to_numpy()) | again
    fill = has & blank
    notes = []
    differ = has & ~rr["score_blank"].to_numpy() & ~again & (score >= 0) & (np.abs(score - got) > 1)
    for i in np.flatnonzero(differ).tolist():
        y, u = int(r_year[i]), r_unit.iat[i]
        notes.append(
            f"{where}: đơn vị {u} năm {y} — điểm đã ghi nhận {_vn(score[i])} (reform_results, dòng "
            f"{int(rr['row'].iat[i])}), điểm tính lại từ điểm tiêu chí {_vn(got[i])} (chênh "
            f"{'+' if got[i] > score[i] else '−'}{_vn(abs(got[i] - score[i]))}); xếp hạng dùng điểm đã ghi nhận. "
            "Hãy đối chiếu, sửa tệp nào sai."
        )
    band_only = has & rr["score_blank"].to_numpy() & ~rr["band_blank"].to_numpy()
    by_score = band_from_score(got, crit)
    for i in np.flatnonzero(band_only & (by_score != rr["band"].to_numpy())).tolist():
        y, u = int(r_year[i]), r_unit.iat[i]
        notes.append(
            f"{where}: đơn vị {u} năm {y} có xếp loại đã ghi nhận «{crit.bands.label(int(rr['band'].iat[i]))}»; "
            f"điểm tính từ điểm tiêu chí {_vn(got[i])} cho xếp loại «{crit.bands.label(int(by_score[i]))}». "
            "Xếp loại đã ghi nhận được giữ nguyên."
        )
    out = rr.assign(score_cents=np.where(fill, got, score), score_blank=rr["score_blank"].to_numpy() & ~fill)
    seen = np.zeros(K, dtype=bool)
    seen[k_rr] = True
    new = np.flatnonzero((last >= 0) & ~seen)  # computed (year, unit) pairs the results lack
    computed = {(int(c_year[last[k]]), c_unit[last[k]]): int(c_cents[last[k]]) for k in new.tolist()}
    added = sorted(computed)
    if added:
        # new rows shaped like the file's (a copy of its first row, every field then set)
        extra = rr.iloc[np.zeros(len(added), dtype=np.int64)].reset_index(drop=True)
        extra["row"] = 0  # not in the file
        extra["year"] = np.array([k[0] for k in added], dtype=np.int64)
        extra["unit_id"] = pd.array([k[1] for k in added], dtype=rr["unit_id"].dtype)
        extra["score_cents"] = np.array([computed[k] for k in added], dtype=np.int64)
        extra["score_blank"], extra["band_blank"], extra["band_other_era"] = False, True, False
        extra["band"] = np.int8(MISSING)
        out = pd.concat([out, extra], ignore_index=True)
    keys = list(zip(r_year[fill].tolist(), r_unit[fill].tolist(), strict=True)) if fill.any() else []
    filled_years: dict[int, int] = {}
    for y, _ in keys + added:
        filled_years[y] = filled_years.get(y, 0) + 1
    for y, k in sorted(filled_years.items()):
        s = scores.structures[y]
        notes.append(
            f"Năm {y}: điểm của {k} cơ quan, đơn vị được tính từ điểm tiêu chí (bộ chỉ số «{s.title}»"
            + (", khung minh họa" if s.illustrative else "")
            + ") vì reform_results không ghi điểm."
        )
    filled = set(keys) | set(added)
    return out, filled, set(rr["row"].to_numpy()[fill].tolist()), len(added), notes


def _pairs_of(keys) -> tuple[np.ndarray, pd.Series]:
    """A collection of (year, unit) keys as the years and the units."""
    keys = list(keys)
    return np.array([k[0] for k in keys], dtype=np.int64), pd.Series([k[1] for k in keys], dtype=object)


def _pair_codes(*pairs: tuple[np.ndarray, pd.Series]) -> list[np.ndarray]:
    """(year, unit) keys of several (years, units) as integer codes in one space (the units
    encoded straight from Arrow)."""
    units, n_units = encode(*(p[1] for p in pairs))
    years = np.concatenate([p[0] for p in pairs])
    y = years - years.min(initial=0)
    if len(y) and y.max() > 1000:  # years far apart (an unchecked table): number them first
        y = pd.factorize(years)[0]
    return [
        yk * (n_units + 1) + np.where(u >= 0, u, n_units)
        for yk, u in zip(np.split(y, np.cumsum([len(p[0]) for p in pairs])[:-1]), units, strict=True)
    ]


def _recorded(rr: pd.DataFrame) -> dict[int, dict[str, int]]:
    scored = rr[~rr["score_blank"].to_numpy() & (rr["score_cents"].to_numpy() >= 0)]
    out: dict[int, dict[str, int]] = {}
    for y, u, c in zip(scored["year"], scored["unit_id"], scored["score_cents"], strict=True):
        out.setdefault(int(y), {})[u] = int(c)
    return out


def fill_loaded(typed: dict, sources: dict, crit: Criteria, problems: list, notes: list) -> None:
    """The loader's hook: validate the points with the other tables, fill the blank results."""
    units, rr = typed.get("units"), typed.get("reform_results")
    if units is None or not units.complete:
        return  # the loader reports the units table; unit ids cannot be checked without it
    digits = crit.params.get("binary_score_significant_digits", 15)
    pts = points_of(sources, set(units.frame["unit_id"]), problems, digits=digits)
    if pts is None or not pts.structures:
        return
    if rr is None or not rr.complete:
        return
    where = pts.where.get("criterion_scores") or next(iter(pts.where.values()))
    frame, keys, filled, n_added, new_notes = fill_frame(
        rr.frame, every_year(pts, load_settings()), where, crit
    )
    _source(sources).__dict__["_index_filled"] = keys
    if filled:
        problems[:] = [
            p
            for p in problems
            if not (p.where == rr.where and p.column == NEITHER_COLUMN and p.row in filled)
        ]
    invalid = {k: np.concatenate([v, np.zeros(n_added, dtype=bool)]) for k, v in rr.invalid.items()}
    typed["reform_results"] = dataclasses.replace(rr, frame=frame, invalid=invalid)
    notes += new_notes


def fill_scores(
    records: Records, crit: Criteria, settings: IndexSettings | None = None
) -> tuple[Records, list[str]]:
    """Records whose results carry the scores computed from criterion points, and the notes.

    What `load_records` already does on loading (with the default readings); again here for
    records built otherwise, or under other readings of the index (`settings`): the scores the
    loader computed are computed again, the recorded ones never touched. Records with nothing to
    change are returned as they are.
    """
    pts = points_of(records.sources, set(records.units["unit_id"]), digits=records.read_digits())
    if pts is None or not pts.structures:
        return records, []
    scores = every_year(pts, settings or load_settings())
    where = pts.where.get("criterion_scores") or next(iter(pts.where.values()))
    src = _source(records.sources)
    before = src.__dict__.get("_index_filled", set())
    frame, keys, filled, n_added, notes = fill_frame(records.reform_results, scores, where, crit, before)
    src.__dict__["_index_filled"] = keys | before
    unchanged = frame["score_cents"].equals(records.reform_results["score_cents"])
    if unchanged and not n_added:
        return records, [n for n in notes if not n.startswith("Năm ")]
    new = records.replace(reform_results=frame)
    if not n_added and "_codes" in records.__dict__:
        new.__dict__["_codes"] = records.__dict__["_codes"]  # same rows, same keys
    return new, notes


def recorded_scores(records: Records) -> dict[int, dict[str, int]]:
    """Recorded scores (hundredths) by year and unit: the scores written in the file, not computed."""
    out = _recorded(records.reform_results)
    src = _source(records.sources)
    for y, u in src.__dict__.get("_index_filled", set()) if src is not None else set():
        out.get(y, {}).pop(u, None)
    return out
