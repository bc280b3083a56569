"""Keys and references across tables. Ids are turned into integer codes once per key space."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..keys import encode
from .cells import Typed
from .files import Source
from .problems import Collector, Problem
from .schema import KEY_WORDS, KEYS, MAX_ROWS_PER_PROBLEM, TABLE_NAMES, YEAR_RANGE


def _id_codes(typed: dict[str, Typed], spec: list[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
    """Shared integer codes (-1 for a blank id) of the (table, column) pairs present."""
    spec = [(t, c) for t, c in spec if t in typed]
    cols = [typed[t].frame[c] for t, c in spec]
    codes, _ = encode(*cols)
    out = {}
    for (t, c), code, s in zip(spec, codes, cols, strict=True):
        out[(t, c)] = np.where((s == "").to_numpy(), -1, code)
    return out


def _with_year(codes: np.ndarray, t: Typed, years: tuple[int, int] = YEAR_RANGE) -> np.ndarray:
    """One integer per (id, year); -1 where the id is blank or the year invalid.

    `years` bounds the years of every table compared: the tighter, the smaller the keys (a table
    look-up, not a hash, then finds them).
    """
    y = t.frame["year"].to_numpy()
    bad_year = t.invalid.get("year", np.zeros(len(y), dtype=bool))
    span = years[1] - years[0] + 1
    return np.where((codes >= 0) & ~bad_year, codes * span + (y - years[0]), -1)


def _year_bounds(*typed: Typed) -> tuple[int, int]:
    """The first and last valid year of the tables (YEAR_RANGE when none)."""
    ys = [
        t.frame["year"].to_numpy()[~t.invalid.get("year", np.zeros(len(t.frame), dtype=bool))] for t in typed
    ]
    ys = [y for y in ys if len(y)]
    if not ys:
        return YEAR_RANGE
    return int(min(y.min() for y in ys)), int(max(y.max() for y in ys))


def _isin(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.isin by a table of the key range when it is small enough (ten times faster than hashing)."""
    if len(a) and len(b) and int(max(a.max(), b.max())) - int(min(a.min(), b.min())) <= 64_000_000:
        return np.isin(a, b, kind="table")
    return np.isin(a, b)


def _repeats(keys: np.ndarray) -> bool:
    """Whether a key occurs twice (True when unsure): a table of the key range when it is small
    enough, four times faster than hashing, since most tables have no duplicate at all."""
    if not len(keys):
        return False
    low, high = int(keys.min()), int(keys.max())
    if high - low > 64_000_000:
        return True
    seen = np.zeros(high - low + 1, dtype=bool)
    seen[keys - low] = True
    return int(np.count_nonzero(seen)) < len(keys)


def _duplicates(table: str, typed: Typed, key: np.ndarray, problems: list[Problem]) -> None:
    """Later rows of a key already seen; rows whose key cells are invalid are not compared."""
    t = typed
    valid = key >= 0
    for k in KEYS[table]:
        if k in t.invalid:
            valid &= ~t.invalid[k]
    if not _repeats(key[valid]):
        return
    s = pd.Series(np.where(valid, key, -1 - np.arange(len(key))))
    later = s.duplicated(keep="first").to_numpy()
    if not later.any():
        return
    first_pos = pd.Series(np.arange(len(s))).groupby(s.to_numpy()).transform("min").to_numpy()
    rows = t.frame["row"].to_numpy()
    last = KEYS[table][-1]
    idx = np.flatnonzero(later)
    values = t.frame[last].iloc[idx[:MAX_ROWS_PER_PROBLEM]].tolist()
    for i, v in zip(idx[:MAX_ROWS_PER_PROBLEM], values, strict=True):
        problems.append(
            Problem(
                t.where,
                int(rows[i]),
                last,
                str(v),
                f"trùng khóa ({', '.join(KEYS[table])}) — {KEY_WORDS[table]}; đã có ở dòng {int(rows[first_pos[i]])}",
            )
        )
    if len(idx) > MAX_ROWS_PER_PROBLEM:
        problems.append(
            Problem(
                t.where,
                None,
                last,
                None,
                f"… và {len(idx) - MAX_ROWS_PER_PROBLEM:,} dòng trùng khóa khác".replace(",", "."),
            )
        )


def check_keys(typed: dict[str, Typed], sources: dict[str, Source], problems: list[Problem]) -> dict:
    """Duplicate keys and unknown ids; returns the integer codes computed on the way."""
    # units and everything that names a unit
    unit_spec = [("units", "unit_id")] + [
        (t, "unit_id") for t in ("reform_results", "unit_dossiers", "officials", "party_orgs")
    ]
    ucodes = _id_codes(typed, unit_spec)
    for t in TABLE_NAMES:
        if t not in typed or not typed[t].complete:
            continue
        if t == "units":
            _duplicates(t, typed[t], ucodes[(t, "unit_id")], problems)
        elif t in ("reform_results", "unit_dossiers"):
            _duplicates(t, typed[t], _with_year(ucodes[(t, "unit_id")], typed[t]), problems)
    if "units" in typed and typed["units"].complete:
        known = np.unique(ucodes[("units", "unit_id")])
        for t in ("reform_results", "unit_dossiers", "officials", "party_orgs"):
            if (t, "unit_id") in ucodes and typed[t].complete:
                c = ucodes[(t, "unit_id")]
                Collector(problems, typed[t].where, typed[t].frame["row"].to_numpy()).add(
                    "unit_id",
                    typed[t].frame["unit_id"],
                    "mã đơn vị không có trong bảng units",
                    (c >= 0) & ~_isin(c, known),
                )
    # officials and their dossier counts
    ocodes = _id_codes(typed, [("officials", "official_id"), ("official_dossiers", "official_id")])
    okey = dkey = None
    years = _year_bounds(*[typed[t] for t in ("officials", "official_dossiers") if t in typed])
    if ("officials", "official_id") in ocodes and typed["officials"].complete:
        okey = _with_year(ocodes[("officials", "official_id")], typed["officials"], years)
        _duplicates("officials", typed["officials"], okey, problems)
    if ("official_dossiers", "official_id") in ocodes and typed["official_dossiers"].complete:
        d = typed["official_dossiers"]
        dkey = _with_year(ocodes[("official_dossiers", "official_id")], d, years)
        _duplicates("official_dossiers", d, dkey, problems)
        if okey is not None:
            dc = ocodes[("official_dossiers", "official_id")]
            checkable = dkey >= 0
            oc = ocodes[("officials", "official_id")]
            in_any = _isin(dc, oc)
            in_year = _isin(dkey, okey)
            # an official whose year is unreadable in `officials` is reported there, not again here
            o_bad_year = typed["officials"].invalid.get("year")
            if o_bad_year is not None and o_bad_year.any():
                checkable &= ~_isin(dc, oc[o_bad_year])
            col = Collector(problems, d.where, d.frame["row"].to_numpy())
            col.add(
                "official_id",
                d.frame["official_id"],
                "mã cán bộ không có trong bảng officials",
                checkable & ~in_any,
            )
            col.add(
                "official_id",
                d.frame["official_id"],
                "mã cán bộ không có trong bảng officials của cùng năm (có ở năm khác)",
                checkable & in_any & ~in_year,
            )
    # party organisations
    pspec = [("party_orgs", "party_org_id"), ("units", "party_org_id")]
    pcodes = _id_codes(typed, pspec)
    if ("party_orgs", "party_org_id") in pcodes and typed["party_orgs"].complete:
        p = typed["party_orgs"]
        _duplicates("party_orgs", p, _with_year(pcodes[("party_orgs", "party_org_id")], p), problems)
    # only against a party_orgs table with rows: a header-only one is "no data", like no file
    has_decl = (
        "units" in typed
        and typed["units"].complete
        and (typed["units"].frame["party_org_id"] != "").any()
        and "party_orgs" in typed
        and len(typed["party_orgs"].frame) > 0
    )
    if ("party_orgs", "party_org_id") in pcodes and typed["party_orgs"].complete and has_decl:
        u, p = typed["units"], typed["party_orgs"]
        uc = pcodes[("units", "party_org_id")]
        pc = pcodes[("party_orgs", "party_org_id")]
        ucol = Collector(problems, u.where, u.frame["row"].to_numpy())
        ucol.add(
            "party_org_id",
            u.frame["party_org_id"],
            "mã tổ chức đảng không có trong bảng party_orgs",
            (uc >= 0) & ~_isin(uc, pc),
        )
        # the unit that units.party_org_id declares must be the unit party_orgs names
        decl = pd.DataFrame({"code": uc, "unit": u.frame["unit_id"], "row": u.frame["row"]})
        decl = decl[decl["code"] >= 0].drop_duplicates("code")
        pos = pd.Index(decl["code"]).get_indexer(pc)
        hit = np.flatnonzero(pos >= 0)
        declared_unit = decl["unit"].to_numpy(dtype=object)[pos[hit]]
        named_unit = p.frame["unit_id"].to_numpy(dtype=object)[hit]
        differs = np.zeros(len(pc), dtype=bool)
        differs[hit] = declared_unit != named_unit
        differs &= ~p.invalid.get("unit_id", np.zeros(len(pc), dtype=bool))
        for i in np.flatnonzero(differs)[:MAX_ROWS_PER_PROBLEM]:
            j = pos[i]
            problems.append(
                Problem(
                    p.where,
                    int(p.frame["row"].iat[i]),
                    "unit_id",
                    str(p.frame["unit_id"].iat[i]),
                    f"tổ chức đảng {p.frame['party_org_id'].iat[i]} thuộc đơn vị {decl['unit'].iat[j]} "
                    f"theo bảng units ({u.where}, dòng {int(decl['row'].iat[j])}, cột party_org_id)",
                )
            )
        if differs.sum() > MAX_ROWS_PER_PROBLEM:
            problems.append(
                Problem(
                    p.where,
                    None,
                    "unit_id",
                    None,
                    f"… và {int(differs.sum()) - MAX_ROWS_PER_PROBLEM} dòng khác có đơn vị khác với bảng units",
                )
            )

    return {**ucodes, **{("official", k[0]): v for k, v in ocodes.items()}}
