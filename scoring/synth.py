"""Synthetic national-scale records in the input shape of SPEC §3.

Everything this module produces is SYNTHETIC: unit names ("Đơn vị tổng hợp 000123"),
officials' names, scores, dossier counts, ratings and classifications are random draws,
not records of any real unit or person. The data exist to measure speed and memory at
national scale (10,000 units, 10 years, 1,000,000 officials) and to exercise every rule
and every accepted label form; they are not the Khánh Hòa sample (``scoring.sample``).

``generate(n_units, n_officials, n_years, seed)`` returns the six input tables keyed
``units``, ``reform_results``, ``unit_dossiers``, ``officials``, ``official_dossiers``,
``party_orgs``; ``write(tables, out_dir, fmt)`` writes them as Parquet, CSV or one
``data.xlsx`` workbook. Generation is vectorised (numpy, pyarrow string kernels) and
deterministic for a seed: one ``numpy.random.SeedSequence(seed)`` is split into an
independent stream per concern, so the tables do not depend on each other's draws.

Years: ``n_years`` consecutive years ``first_year .. first_year + n_years - 1``; by
default the last one is 2020 (the first year of the Nghị định 90/2020 rating scale).
The last year is "the evaluated year"; the others are history for the streak rules.

Distributions (all shares are approximate; per unit-year unless said otherwise):

- ``units``: ids ``U000001``…; groups drawn with the Khánh Hòa proportions
  21 : 6 : 8 : 9 (Sở, ban, ngành / Cơ quan ngành dọc / UBND cấp huyện / Đơn vị sự
  nghiệp); one party organisation per unit (``DB000001``…).
- ``reform_results``: one row per unit and year. Each unit has a persistent level:
  88% ordinary (mean ~ N(86, 4.5) clipped to 72–97), 8% middling (mean U(60, 74)),
  4% persistently weak (mean U(44, 58)); each year adds a small unit trend and
  N(0, 3.5) noise; scores are clipped to 30–99.5 and rounded to 2 decimals. So most
  scores lie in 70–97 with a tail to ~40 and all four bands occur (Tốt ≥ 85, Khá ≥ 70,
  Trung bình ≥ 50, Yếu below). 1% of scores are set exactly on a band threshold
  (85.00, 70.00, 50.00) or one hundredth below it. Two units are pinned so the streak
  rules fire at any size: one weak unit has Trung bình then two Yếu years ending at the
  last year, one middling unit three Trung bình years; both keep their head over those
  years. 5% of past rows (never the last year) give only a recorded band (score blank),
  the band the score would have had.
- ``unit_dossiers``: handled ~ lognormal (median 600, ×3 for UBND cấp huyện), 1% zero;
  ~90% of units have late rates in 0–8% (8% · Beta(1.3, 2)); ~10% are late-prone
  (9% of other units, 40% of weak ones) with 10–25% late in 80% of their years, of
  which 30% exactly 10% (``late * 10 == handled``); 1.5% of the other years sit just
  below 10% (``handled = 10k + 1, late = k``).
- ``officials``: the last year holds the full population of ``n_officials`` rows, each
  in a unit (unit sizes ~ multinomial over lognormal weights), exactly one head per
  unit, 1–3 deputies, the rest staff. Past years hold only the heads (one per unit per
  year), since past officials matter only for the head streaks: that keeps 10 years of
  1,000,000 officials at ``n_officials + n_units * (n_years - 1)`` rows (1.09 M), not
  10 M. A unit changes head with probability 0.2 a year (never in the pinned streak
  years). A former head either has left (a new id after the last year's ids) or, for
  30% of them, is still in the last year's population as a deputy or staff member
  (often of another unit). A person keeps one id and one name across years.
- ``official_dossiers``: a row for 75% of official-years (the rest have none); 20% of
  those handled nothing (``handled = 0``, no rate). Rates: 85% in 0–8%, 7% in
  10.5–30%, 4% exactly 10% (not above it: no cap), 2% just above
  (``handled = 10k - 1, late = k``), 2% just below (``handled = 10k + 1, late = k``).
- ``officials`` ratings: proposed levels excellent / good / fulfilled / not fulfilled
  with shares 14–20 / 62 / 15–20 / 3–4% (heads a little better than staff); names are
  family + middle + given name, family names weighted by their approximate national
  frequency (Nguyễn ~38%), middle and given names by gender (14,784 possible names).
- ``party_orgs``: one per unit and year; proposed levels top / good / fulfilled / weak
  with shares 30 / 50 / 15 / 5%.
- Labels come in the accepted forms, by era (mostly canonical, the rest in upper or
  lower case, spacing variants or abbreviations): roles ``head``/``deputy``/``staff``
  and Vietnamese forms (``Người đứng đầu``, ``thủ trưởng``, ``cấp phó``, ``công chức``,
  ``viên chức``); cadre ratings of Nghị định 56/2015 for years ≤ 2019 and of Nghị định
  90/2020 from 2020 (HTXSNV, HTTNV, HTNV, KHTNV; the 2015 third level is written out
  or as "HTNV nhưng còn hạn chế về năng lực", since a bare HTNV is the 2020 label);
  party classifications of Hướng dẫn 27-HD/BTCTW for years ≤ 2017 (TSVM, "Trong sạch
  vững mạnh" without the comma) and of Quy định 132-QĐ/TW from 2018; recorded bands
  as ``Tốt``, ``tốt``, ``TRUNG BÌNH``, ``Kém``… Group names are always canonical.

From a shell: ``python -m scoring.synth OUT_DIR --units 10000 --officials 1000000
--years 10 --seed 0 --format parquet``.

Types: years and counts ``int64``; ids and labels strings (an unrecorded band is the
empty string); scores ``float64`` with 2 decimals or NaN. Keys are unique as §3 asks.
"""

from __future__ import annotations

import argparse
import os
import unicodedata
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .records import TABLE_NAMES

__all__ = ["TABLES", "generate", "write"]

TABLES = TABLE_NAMES  # the six input tables of SPEC §3, in contract order

DEFAULT_LAST_YEAR = 2020
XLSX_MAX_ROWS = 1_048_575  # a sheet's rows, less the header

# Era boundaries of the scales the labels are drawn from (SPEC §2).
CADRE_NEW_SCALE_FROM = 2020  # Nghị định 90/2020
PARTY_NEW_SCALE_FROM = 2018  # Quy định 132-QĐ/TW

GROUPS = ("Sở, ban, ngành", "Cơ quan ngành dọc", "UBND cấp huyện", "Đơn vị sự nghiệp")
GROUP_WEIGHTS = np.array([21, 6, 8, 9]) / 44  # Khánh Hòa's 44 ranked units (SPEC §6)
DISTRICT_GROUP = 2

BAND_MINS = np.array([85.0, 70.0, 50.0])  # Tốt, Khá, Trung bình lower bounds (SPEC §2)
TOT, KHA, TRUNG_BINH, YEU, NO_BAND = 0, 1, 2, 3, 4
HEAD, DEPUTY, STAFF = 0, 1, 2

# Accepted forms, one row per level, best level first. Every row has the same number of
# variants; the first is canonical and the shares below say how often each is used.
VARIANT_SHARES = np.array([0.70, 0.06, 0.08, 0.11, 0.05])

BAND_FORMS = (
    ("Tốt", "TỐT", "tốt", " Tốt ", "Tốt"),
    ("Khá", "KHÁ", "khá", "Khá ", "Khá"),
    ("Trung bình", "TRUNG BÌNH", "trung bình", "Trung  bình", "Trung bình"),
    ("Yếu", "YẾU", "yếu", "Kém", "Yếu"),
    ("", "", "", "", ""),
)

ROLE_FORMS = (
    ("head", "Người đứng đầu", "thủ trưởng", "Thủ trưởng", "HEAD"),
    ("deputy", "Cấp phó", "cấp phó", "Cấp phó", "Deputy"),
    ("staff", "Công chức", "công chức", "viên chức", "Viên chức"),
)

CADRE_FORMS_2015 = (
    (
        "Hoàn thành xuất sắc nhiệm vụ",
        "HOÀN THÀNH XUẤT SẮC NHIỆM VỤ",
        "hoàn thành xuất sắc nhiệm vụ",
        "HTXSNV",
        "htxsnv",
    ),
    (
        "Hoàn thành tốt nhiệm vụ",
        "HOÀN THÀNH TỐT NHIỆM VỤ",
        "hoàn thành tốt nhiệm vụ",
        "HTTNV",
        "httnv",
    ),
    (
        "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực",
        "HOÀN THÀNH NHIỆM VỤ NHƯNG CÒN HẠN CHẾ VỀ NĂNG LỰC",
        "hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực",
        "HTNV nhưng còn hạn chế về năng lực",
        "Hoàn thành nhiệm vụ, nhưng còn hạn chế về năng lực",
    ),
    (
        "Không hoàn thành nhiệm vụ",
        "KHÔNG HOÀN THÀNH NHIỆM VỤ",
        "không hoàn thành nhiệm vụ",
        "KHTNV",
        "khtnv",
    ),
)
CADRE_FORMS_2020 = (
    CADRE_FORMS_2015[0],
    CADRE_FORMS_2015[1],
    ("Hoàn thành nhiệm vụ", "HOÀN THÀNH NHIỆM VỤ", "hoàn thành nhiệm vụ", "HTNV", "htnv"),
    CADRE_FORMS_2015[3],
)

PARTY_FORMS_2006 = (
    (
        "Trong sạch, vững mạnh",
        "TRONG SẠCH, VỮNG MẠNH",
        "trong sạch, vững mạnh",
        "TSVM",
        "Trong sạch vững mạnh",
    ),
    CADRE_FORMS_2020[1],
    CADRE_FORMS_2020[2],
    ("Yếu kém", "YẾU KÉM", "yếu kém", "Yếu  kém", "Yếu kém"),
)
PARTY_FORMS_2018 = CADRE_FORMS_2020

CADRE_SHARES = {HEAD: [0.20, 0.62, 0.15, 0.03], DEPUTY: [0.17, 0.63, 0.17, 0.03]}
CADRE_SHARES[STAFF] = [0.14, 0.62, 0.20, 0.04]
PARTY_SHARES = [0.30, 0.50, 0.15, 0.05]

# Vietnamese names: family names with their approximate national frequencies, then
# middle and given names by gender.
FAMILY_NAMES = (
    ("Nguyễn", 38.4),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Hoàng", 3.0),
    ("Huỳnh", 2.1),
    ("Phan", 4.5),
    ("Vũ", 2.0),
    ("Võ", 1.9),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đào", 0.6),
    ("Đoàn", 0.5),
    ("Trương", 0.6),
    ("Lưu", 0.4),
    ("Mai", 0.4),
    ("Cao", 0.4),
    ("Tô", 0.3),
    ("Châu", 0.3),
)
MIDDLE_NAMES = (
    ("Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân", "Ngọc", "Anh", "Quốc"),
    ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Hồng", "Phương", "Mai", "Thúy", "Bích", "Thị"),
)
GIVEN_NAMES = (
    (
        "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Huy", "Khoa", "Long", "Minh",
        "Nam", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Thành", "Tuấn", "Việt",
        "Vinh", "Hiếu", "Trung", "Đạt", "Khánh", "Lâm", "Nghĩa", "Tâm",
    ),
    (
        "Anh", "Chi", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai",
        "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Tuyết", "Vân",
        "Yến", "Thủy", "Hằng", "Hiền", "Loan", "My", "Nhi", "Uyên",
    ),
)  # fmt: skip


def generate(
    n_units: int,
    n_officials: int,
    n_years: int,
    seed: int,
    first_year: int | None = None,
    index: bool = False,
) -> dict[str, pd.DataFrame]:
    """The six synthetic input tables of SPEC §3 (see the module docstring).

    ``index``: also ``criterion_scores`` and ``survey_results`` for the last year, whose index
    equals each unit's score (``scoring.index.synth``).

    ``n_officials`` is the population of the last year (at least one per unit, since
    each unit has a head); past years list only the heads.
    """
    if n_units < 1 or n_years < 1:
        raise ValueError("n_units and n_years must be at least 1")
    if n_officials < n_units:
        raise ValueError(f"n_officials ({n_officials}) must be at least n_units ({n_units})")
    if first_year is None:
        first_year = DEFAULT_LAST_YEAR - n_years + 1
    years = np.arange(first_year, first_year + n_years, dtype=np.int64)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)]
    rng_units, rng_scores, rng_udos, rng_heads, rng_people, rng_odos, rng_party = streams

    group = rng_units.choice(len(GROUPS), size=n_units, p=GROUP_WEIGHTS)
    kind, pinned = _unit_kinds(rng_units, n_units)
    score, band_only = _scores(rng_scores, kind, pinned, n_years)
    units = _units_table(group)
    reform_results = _reform_results_table(rng_scores, years, score, band_only)
    unit_dossiers = _unit_dossiers_table(rng_udos, years, group, kind)
    officials, year, number, role = _officials_table(
        rng_heads, rng_people, years, n_units, n_officials, pinned
    )
    official_dossiers = _official_dossiers_table(rng_odos, year, number, role)
    party_orgs = _party_orgs_table(rng_party, years, n_units)

    tables = {
        "units": units,
        "reform_results": reform_results,
        "unit_dossiers": unit_dossiers,
        "officials": officials,
        "official_dossiers": official_dossiers,
        "party_orgs": party_orgs,
    }
    out = {name: _frame(columns) for name, columns in tables.items()}
    if index:
        from .index.synth import points_for

        out.update(points_for(out, seed))
    return out


def write(tables: dict[str, pd.DataFrame], out_dir: str | Path, fmt: str = "parquet") -> list[Path]:
    """Write the tables to ``out_dir`` (created) and return the paths written.

    ``parquet``: ``<table>.parquet``; ``csv``: ``<table>.csv`` (UTF-8, comma-separated);
    ``xlsx``: one workbook ``data.xlsx`` with a sheet per table. Each file is written to
    a temporary name and then renamed, so a failed write leaves no partial file.
    """
    if fmt not in ("parquet", "csv", "xlsx"):
        raise ValueError(f"fmt must be 'parquet', 'csv' or 'xlsx', not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        too_big = [name for name, df in tables.items() if len(df) > XLSX_MAX_ROWS]
        if too_big:
            raise ValueError(f"too many rows for a worksheet: {', '.join(too_big)}")

        def workbook(tmp: Path) -> None:
            with pd.ExcelWriter(tmp, engine="openpyxl") as book:
                for name, df in tables.items():
                    df.to_excel(book, sheet_name=name, index=False)

        return [_write_atomically(out / "data.xlsx", workbook)]
    if fmt == "parquet":
        return [
            _write_atomically(out / f"{name}.parquet", partial(df.to_parquet, index=False))
            for name, df in tables.items()
        ]
    return [
        _write_atomically(out / f"{name}.csv", partial(df.to_csv, index=False, encoding="utf-8"))
        for name, df in tables.items()
    ]


def _write_atomically(path: Path, write_to: Callable[[Path], object]) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    try:
        write_to(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


# --- units and their reform results -----------------------------------------------------

ORDINARY, MIDDLING, WEAK = 0, 1, 2


def _unit_kinds(rng: np.random.Generator, n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's persistent level, and the two units pinned to a streak (-1 if none)."""
    n_weak = max(1, round(0.04 * n_units))
    n_mid = min(max(1, round(0.08 * n_units)), n_units - n_weak)
    order = rng.permutation(n_units)
    kind = np.full(n_units, ORDINARY, dtype=np.int8)
    kind[order[:n_weak]] = WEAK
    kind[order[n_weak : n_weak + n_mid]] = MIDDLING
    pinned = np.array([order[0], order[n_weak] if n_mid else -1])
    return kind, pinned


def _scores(
    rng: np.random.Generator, kind: np.ndarray, pinned: np.ndarray, n_years: int
) -> tuple[np.ndarray, np.ndarray]:
    """Scores (units × years) and the mask of past rows given only as a recorded band."""
    n_units = kind.size
    mean = np.clip(rng.normal(86.0, 4.5, n_units), 72.0, 97.0)
    mean = np.where(kind == MIDDLING, rng.uniform(60.0, 74.0, n_units), mean)
    mean = np.where(kind == WEAK, rng.uniform(44.0, 58.0, n_units), mean)
    trend = rng.normal(0.0, 0.5, n_units)
    age = np.arange(n_years) - (n_years - 1)  # 0 in the last year
    score = mean[:, None] + trend[:, None] * age + rng.normal(0.0, 3.5, (n_units, n_years))
    score = np.clip(score, 30.0, 99.5)

    on_edge = rng.random(score.shape) < 0.01
    edge = BAND_MINS[rng.integers(0, 3, score.shape)] - 0.01 * rng.integers(0, 2, score.shape)
    score = np.where(on_edge, edge, score)

    # Pinned streaks ending at the last year: Trung bình, Yếu, Yếu; and three Trung bình.
    weak_unit, middling_unit = pinned
    last = min(3, n_years)
    score[weak_unit, -last:] = rng.uniform([50.0, 40.0, 40.0], [69.0, 49.0, 49.0])[-last:]
    if middling_unit >= 0:
        score[middling_unit, -last:] = rng.uniform(50.0, 69.0, last)
    score = np.round(score, 2)

    band_only = rng.random(score.shape) < 0.05
    band_only[:, -1] = False
    return score, band_only


def _band_of(score: np.ndarray) -> np.ndarray:
    """Band level of each score (0 Tốt … 3 Yếu), lower bounds inclusive."""
    return (score[..., None] < BAND_MINS).sum(axis=-1)


def _units_table(group: np.ndarray) -> dict:
    number = np.arange(1, group.size + 1)
    return {
        "unit_id": _ids("U", number, 6),
        "unit_name": _ids("Đơn vị tổng hợp ", number, 6),
        "group": _take(GROUPS, group),
        "party_org_id": _ids("DB", number, 6),
    }


def _reform_results_table(
    rng: np.random.Generator, years: np.ndarray, score: np.ndarray, band_only: np.ndarray
) -> dict:
    n_units, n_years = score.shape
    level = np.where(band_only, _band_of(score), NO_BAND).T.ravel()
    return {
        "year": np.repeat(years, n_units),
        "unit_id": _ids("U", np.tile(np.arange(1, n_units + 1), n_years), 6),
        "score": np.where(band_only, np.nan, score).T.ravel(),
        "band": _forms(rng, BAND_FORMS, level),
    }


def _unit_dossiers_table(
    rng: np.random.Generator, years: np.ndarray, group: np.ndarray, kind: np.ndarray
) -> dict:
    n_units, n_years = group.size, years.size
    shape = (n_years, n_units)  # year-major, like the table's rows
    scale = np.where(group == DISTRICT_GROUP, 1800.0, 600.0)
    handled = np.rint(rng.lognormal(0.0, 0.9, shape) * scale).astype(np.int64)
    handled[rng.random(shape) < 0.01] = 0
    late_prone = rng.random(n_units) < np.where(kind == WEAK, 0.40, 0.09)
    late_year = late_prone & (rng.random(shape) < 0.80)
    rate = np.where(late_year, rng.uniform(0.10, 0.25, shape), 0.08 * rng.beta(1.3, 2.0, shape))
    late = np.floor(rate * handled).astype(np.int64)

    tenth = np.maximum(1, np.rint(handled / 10)).astype(np.int64)
    exact = late_year & (rng.random(shape) < 0.30) & (handled > 0)
    below = ~late_year & (rng.random(shape) < 0.015) & (handled > 0)
    handled = np.where(exact, 10 * tenth, np.where(below, 10 * tenth + 1, handled))
    late = np.where(exact | below, tenth, np.minimum(late, handled))
    return {
        "year": np.repeat(years, n_units),
        "unit_id": _ids("U", np.tile(np.arange(1, n_units + 1), n_years), 6),
        "handled": handled.ravel(),
        "late": late.ravel(),
    }


def _party_orgs_table(rng: np.random.Generator, years: np.ndarray, n_units: int) -> dict:
    n_rows = years.size * n_units
    year = np.repeat(years, n_units)
    number = np.tile(np.arange(1, n_units + 1), years.size)
    level = rng.choice(4, size=n_rows, p=PARTY_SHARES)
    new_era = year >= PARTY_NEW_SCALE_FROM
    return {
        "year": year,
        "party_org_id": _ids("DB", number, 6),
        "unit_id": _ids("U", number, 6),
        "proposed_classification": _forms(rng, PARTY_FORMS_2006 + PARTY_FORMS_2018, level + 4 * new_era),
    }


# --- officials ------------------------------------------------------------------------


def _officials_table(
    rng_heads: np.random.Generator,
    rng: np.random.Generator,
    years: np.ndarray,
    n_units: int,
    n_officials: int,
    pinned: np.ndarray,
) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    """The officials table, and its rows' year, person number and role level."""
    n_years = years.size
    weight = rng.lognormal(0.0, 0.6, n_units)
    size = 1 + rng.multinomial(n_officials - n_units, weight / weight.sum())
    start = np.cumsum(size) - size
    unit = np.repeat(np.arange(n_units), size)
    position = np.arange(n_officials) - np.repeat(start, size)
    n_deputies = np.repeat(np.minimum(size - 1, rng.integers(1, 4, n_units)), size)
    role = np.where(position == 0, HEAD, np.where(position <= n_deputies, DEPUTY, STAFF))
    number = rng.permutation(n_officials).astype(np.int64) + 1
    head_number = number[start]

    # change[u, j]: unit u has another head in year j than in year j - 1. Epochs count
    # head changes back from the last year (0: the last year's head).
    change = rng_heads.random((n_units, n_years)) < 0.2
    change[:, 0] = False
    streak_units = pinned[pinned >= 0]
    change[np.ix_(streak_units, np.arange(max(0, n_years - 2), n_years))] = False
    n_former = change.sum(axis=1)
    epoch = n_former[:, None] - np.cumsum(change, axis=1)
    former_number = n_officials + 1 + np.arange(n_former.sum(), dtype=np.int64)
    still_here = np.flatnonzero(rng_heads.random(former_number.size) < 0.30)
    pool = number[role != HEAD]
    still_here = still_here[: pool.size]
    former_number[still_here] = rng_heads.choice(pool, size=still_here.size, replace=False)
    former_number = np.append(former_number, 0)  # a slot for "no former head"
    past = epoch[:, :-1]
    slot = np.where(past > 0, (np.cumsum(n_former) - n_former)[:, None] + past - 1, -1)
    past_number = np.where(past == 0, head_number[:, None], former_number[slot])

    n_past = n_units * (n_years - 1)
    year = np.concatenate([np.repeat(years[:-1], n_units), np.full(n_officials, years[-1])])
    number = np.concatenate([past_number.T.ravel(), number])
    unit = np.concatenate([np.tile(np.arange(n_units), n_years - 1), unit])
    role = np.concatenate([np.full(n_past, HEAD), role])
    order = np.lexsort((number, year))
    year, number, unit, role = year[order], number[order], unit[order], role[order]

    name_code = _name_codes(rng, int(former_number.max(initial=n_officials)) + 1)
    cumulative = np.cumsum([CADRE_SHARES[HEAD], CADRE_SHARES[DEPUTY], CADRE_SHARES[STAFF]], 1)
    rating = (rng.random(year.size)[:, None] >= cumulative[role, :3]).sum(axis=1)
    new_era = year >= CADRE_NEW_SCALE_FROM
    columns = {
        "year": year,
        "official_id": _ids("CB", number, 7),
        "full_name": _full_names(name_code[number]),
        "unit_id": _ids("U", unit + 1, 6),
        "role": _forms(rng, ROLE_FORMS, role),
        "proposed_rating": _forms(rng, CADRE_FORMS_2015 + CADRE_FORMS_2020, rating + 4 * new_era),
    }
    return columns, year, number, role


def _official_dossiers_table(
    rng: np.random.Generator, year: np.ndarray, number: np.ndarray, role: np.ndarray
) -> dict:
    n_rows = year.size
    scale = np.array([20.0, 40.0, 80.0])[role]
    handled = np.rint(rng.lognormal(0.0, 0.8, n_rows) * scale).astype(np.int64)
    handled[rng.random(n_rows) < 0.20] = 0
    case = rng.choice(5, size=n_rows, p=[0.85, 0.07, 0.04, 0.02, 0.02])
    rate = np.where(case == 1, rng.uniform(0.105, 0.30, n_rows), 0.08 * rng.beta(1.3, 2.0, n_rows))
    late = np.minimum(np.floor(rate * handled).astype(np.int64), handled)

    # Edge cases: exactly 10% (case 2), just above (3: 10k - 1 handled), just below (4).
    tenth = np.maximum(1, np.rint(handled / 10)).astype(np.int64)
    edge = (case >= 2) & (handled > 0)
    handled = np.where(edge, 10 * tenth + np.array([0, 0, 0, -1, 1])[case], handled)
    late = np.where(edge, tenth, late)

    kept = rng.random(n_rows) < 0.75
    return {
        "year": year[kept],
        "official_id": _ids("CB", number[kept], 7),
        "handled": handled[kept],
        "late": late[kept],
    }


def _name_codes(rng: np.random.Generator, n_people: int) -> np.ndarray:
    """One name per person: an index into the table that ``_full_names`` builds."""
    family_share = np.array([share for _, share in FAMILY_NAMES])
    family = rng.choice(len(FAMILY_NAMES), size=n_people, p=family_share / family_share.sum())
    gender = rng.integers(0, 2, n_people)
    middle = rng.integers(0, len(MIDDLE_NAMES[0]), n_people)
    given = rng.integers(0, len(GIVEN_NAMES[0]), n_people)
    return ((gender * len(FAMILY_NAMES) + family) * len(MIDDLE_NAMES[0]) + middle) * len(
        GIVEN_NAMES[0]
    ) + given


def _full_names(code: np.ndarray) -> pa.Array:
    # A loop over the ~17,000 possible names (not over people), in _name_codes' order.
    names = [
        f"{family} {middle} {given}"
        for gender in (0, 1)
        for family, _ in FAMILY_NAMES
        for middle in MIDDLE_NAMES[gender]
        for given in GIVEN_NAMES[gender]
    ]
    return _take(names, code)


# --- strings, built without a Python loop over rows --------------------------------------


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _ids(prefix: str, number: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded ``number``, as an Arrow string array."""
    number = np.asarray(number, dtype=np.int64)
    if number.size and number.max() >= 10**width:
        width = len(str(int(number.max())))
    head = np.frombuffer(_nfc(prefix).encode("utf-8"), dtype=np.uint8)
    cells = np.empty((number.size, head.size + width), dtype=np.uint8)
    cells[:, : head.size] = head
    rest = number.copy()
    for col in range(head.size + width - 1, head.size - 1, -1):  # over digits, not rows
        cells[:, col] = 48 + rest % 10
        rest //= 10
    fixed = pa.array(cells.view(f"S{cells.shape[1]}").ravel(), type=pa.binary(cells.shape[1]))
    return fixed.cast(pa.binary()).cast(pa.string())


def _take(values: Sequence[str], index: np.ndarray) -> pa.Array:
    return pa.array([_nfc(v) for v in values], type=pa.string()).take(pa.array(index))


def _forms(rng: np.random.Generator, forms: Sequence[Sequence[str]], level: np.ndarray):
    """One accepted form of each row's level, drawn with ``VARIANT_SHARES``."""
    n_forms = len(forms[0])
    variant = rng.choice(n_forms, size=level.size, p=VARIANT_SHARES)
    return _take([form for row in forms for form in row], level * n_forms + variant)


def _frame(columns: dict) -> pd.DataFrame:
    return pa.table(columns).to_pandas()


def _main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m scoring.synth", description="Write a synthetic data set."
    )
    parser.add_argument("out_dir")
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--officials", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--first-year", type=int, default=None)
    parser.add_argument("--format", choices=("parquet", "csv", "xlsx"), default="parquet")
    parser.add_argument("--index", action="store_true", help="criterion points of the last year too")
    parser.add_argument("--dossiers", type=int, default=0)  # a dossier ledger: scoring.ledger.synth
    parser.add_argument("--steps-per-dossier", type=int, default=3)
    args = parser.parse_args(argv)
    first = DEFAULT_LAST_YEAR - args.years + 1 if args.first_year is None else args.first_year
    from .synth_limits import size_problems

    problems = size_problems(args.units, args.officials, args.years, first, args.format, args.out_dir)
    if problems:
        parser.error(" ".join(problems))
    tables = generate(args.units, args.officials, args.years, args.seed, args.first_year, args.index)
    if args.dossiers:
        from .ledger.synth import without_recorded_year, write_ledger

        tables = without_recorded_year(tables, int(tables["reform_results"]["year"].max()))
        write_ledger(args.out_dir, tables, args.dossiers, args.seed, args.steps_per_dossier)
    for path in write(tables, args.out_dir, args.format):
        print(path)


if __name__ == "__main__":
    _main()
