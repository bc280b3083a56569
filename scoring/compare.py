"""What changes between two evaluations of one year: the what-if's diff (`compare`).

Like COINr's `compare_coins`, but for decisions: which units, officials and party organisations
changed, and which clause made the difference, the biggest consequences first. Whole columns are
compared as codes; rows are built only for what differs, so a national what-if (a million
officials) compares in a fraction of a second. `scoring.scenario` re-exports it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .decisions import SUBJECT_ORDER
from .evaluation import Evaluation
from .rules import lookup
from .rules.wording import TEXT

CHANGE_NEW = "mới áp dụng"
CHANGE_GONE = "không còn áp dụng"
CHANGE_CHANGED = "thay đổi"
CHANGE_COLUMNS = [
    "year",
    "subject_type",
    "subject_id",
    "unit_id",
    "rule_id",
    "clause",
    "field",
    "before",
    "after",
    "change",
]
# The biggest consequences first: removal triggers, head caps, party caps, official caps,
# then the unit's own band and eligibility.
SEVERITY = {
    "head_removal_streak": 0,
    "head_reform_band": 1,
    "party_org_streak": 2,
    "official_late_dossiers": 3,
    "unit_late_dossiers": 4,
}
FIELDS = ("decision", "band", "emulation_eligible", "final_rating", "final_classification")
ELIGIBLE_TEXT = {True: "được xét thi đua, khen thưởng", False: "không được xét thi đua, khen thưởng"}


def compare(base: Evaluation, alt: Evaluation) -> pd.DataFrame:
    """The decisions and final outcomes that differ between two evaluations of one year.

    Two kinds of row, told apart by `field`:
    - `decision`: a (subject, rule) decision that is new in `alt` ("mới áp dụng"), gone
      ("không còn áp dụng") or has another outcome ("thay đổi"); before/after are outcomes.
      A change of evidence alone (the threshold quoted, the same cap) is not a change.
    - an outcome of the subject that changed: `band` and `emulation_eligible` of a unit,
      `final_rating` of an official, `final_classification` of a party organisation;
      before/after are the printed values, `rule_id` the rules that cap it in either run.
      These catch what no decision shows (a band moved by its bounds or a corrected score)
      and what one shows without consequence (a cap that does not bind).

    Sorted by severity (removal trigger, head cap, party cap, official cap, unit band or
    eligibility), then subject, then field. Vectorised: whole columns are compared as codes
    and rows are built only for what differs, so a national what-if compares a million
    officials in a fraction of a second.
    """
    if base.year != alt.year:
        raise ValueError(f"compare needs two evaluations of one year, got {base.year} and {alt.year}")
    crit = alt.criteria
    order = tuple(dict.fromkeys((*crit.rule_ids, *base.criteria.rule_ids)))
    clauses = {r: (crit if r in crit.rule_ids else base.criteria).rule(r).clause for r in order}
    band_clause = str(crit.parameter_info("band_min_tot")["clause"])
    evs, rules = (base, alt), (order, clauses)
    parts = [
        _decision_changes(base, alt),
        _field_changes(("unit", "band"), evs, "unit_ranking", "unit_id", "reasons", rules, band_clause),
        _field_changes(
            ("unit", "emulation_eligible"), evs, "unit_ranking", "unit_id", None, rules,
            fixed_rule="unit_late_dossiers", text=ELIGIBLE_TEXT,
        ),
        _field_changes(("official", "final_rating"), evs, "official_ratings", "official_id", "capped_by", rules),
        _field_changes(
            ("party_org", "final_classification"), evs, "party_org_classifications", "party_org_id", None,
            rules, fixed_rule="party_org_streak",
        ),
    ]  # fmt: skip
    rows = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
    if not len(rows["subject_id"]):
        return _empty_changes()
    types = {t: i for i, t in enumerate(("unit", "official", "party_org"))}
    fields = {f: i for i, f in enumerate(FIELDS)}
    rank = np.lexsort(
        (
            _sort_codes(rows["rule_id"]),
            np.array([fields[f] for f in rows["field"]]),
            _sort_codes(rows["subject_id"]),
            np.array([types[t] for t in rows["subject_type"]]),
            rows["severity"],
        )
    )
    rows = {c: v[rank] for c, v in rows.items()}
    return pd.DataFrame(
        {
            "year": np.full(len(rank), alt.year, dtype=np.int64),
            "subject_type": rows["subject_type"],
            "subject_id": rows["subject_id"],
            "unit_id": _unit_ids(rows, base, alt),
            "rule_id": rows["rule_id"],
            "clause": rows["clause"],
            "field": rows["field"],
            "before": rows["before"],
            "after": rows["after"],
            "change": rows["change"],
        },
        columns=CHANGE_COLUMNS,
    )


def _empty_changes() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series([], dtype=object) for c in CHANGE_COLUMNS})
    return df.astype({"year": "int64"})


def _sort_codes(values: np.ndarray) -> np.ndarray:
    """Integer codes that sort like the texts (for np.lexsort)."""
    return np.unique(values.astype(str), return_inverse=True)[1].ravel() if len(values) else values


def _rows(n: int, **columns) -> dict[str, np.ndarray]:
    """The change rows of one kind, as object arrays (severity as integers)."""
    out = {}
    for name in ("severity", *(c for c in CHANGE_COLUMNS if c not in ("year", "unit_id"))):
        v = columns[name]
        out[name] = np.asarray(v, dtype=np.int64 if name == "severity" else object)
        if out[name].ndim == 0:
            out[name] = np.full(n, out[name].item(), dtype=out[name].dtype)
    return out


def _codes_of(*arrays) -> list[np.ndarray]:
    """Integer codes of texts (Arrow or numpy) in one shared key space."""
    chunks = [_arrow(a) for a in arrays]
    joined = pa.chunked_array([c for ch in chunks for c in ch.chunks], type=pa.large_string())
    enc = joined.dictionary_encode().combine_chunks()
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    out, start = [], 0
    for c in chunks:
        out.append(codes[start : start + len(c)])
        start += len(c)
    return out


class _Decisions:
    """One evaluation's decisions as `compare` reads them: the rules' parts where `evaluate`
    left them (`scoring.decisions.HeldDecisions`: no column built), else the table's columns."""

    def __init__(self, ev: Evaluation):
        self.ev = ev
        self.held = ev.held("decisions", "_held")

    def column(self, name: str) -> pa.ChunkedArray:
        return _arrow(self.ev.column("decisions", name))

    def texts(self, name: str, rows: np.ndarray) -> np.ndarray:
        """Python strings of a column at some rows (only the rows that changed)."""
        if self.held is not None:
            return self.held.texts(name, rows)
        return np.array(self.column(name).take(rows).to_pylist(), dtype=object)

    def subject_ids(self, rows: np.ndarray, by_row: bool) -> np.ndarray:
        """The subject ids at some rows; an official's from `official_ratings` by its row where
        the decisions are keyed so (`_subject_codes`), without making the rule's ids."""
        if not by_row:
            return self.texts("subject_id", rows)
        out = np.empty(len(rows), dtype=object)
        off = self.ev.held("decisions", "_type")[rows] == SUBJECT_ORDER["official"]
        at = self.ev.held("decisions", "_order")[rows[off]]
        out[off] = _arrow(self.ev.column("official_ratings", "official_id")).take(at).to_pylist()
        out[~off] = self.texts("subject_id", rows[~off])
        return out

    def codes(self, name: str) -> tuple[np.ndarray, list]:
        """(a code per row, the texts by code) of a column."""
        if self.held is not None:
            return self.held.codes(name)
        enc = self.column(name).combine_chunks().dictionary_encode(null_encoding="encode")
        return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()


def _joint(*coded: tuple[np.ndarray, list]) -> list[np.ndarray]:
    """Codes of several columns in one space: equal texts, equal codes (the texts are few)."""
    space: dict = {}
    out = []
    for codes, texts in coded:
        to = np.array([space.setdefault(t, len(space)) for t in texts] or [0], dtype=np.int64)
        out.append(to[codes] if len(codes) else codes)
    return out


def _decision_changes(base: Evaluation, alt: Evaluation) -> dict[str, np.ndarray]:
    """Decisions new, gone or with another outcome, keyed by (subject type, subject, rule)."""
    b, a = _Decisions(base), _Decisions(alt)
    sb, sa, by_row = _subject_codes(b, a)
    # a rule has one subject type, so (rule, subject) is the key
    rb, ra = _joint(b.codes("rule_id"), a.codes("rule_id"))
    n_s = max(int(max(sb.max(initial=-1), sa.max(initial=-1))) + 1, 1)
    kb, ka = rb * n_s + sb, ra * n_s + sa
    pos, found = lookup(ka, kb)  # each base decision's row in alt
    common = np.flatnonzero(found)
    ob, oa = _joint(b.codes("outcome"), a.codes("outcome"))
    changed = common[ob[common] != oa[pos[common]]]
    gone = np.flatnonzero(~found)
    new = np.setdiff1d(np.arange(len(ka)), pos[common], assume_unique=True)
    pick_b = np.concatenate([gone, changed])
    pick_a = np.concatenate([pos[changed], new])

    def col(name: str) -> np.ndarray:  # only the rows that changed become Python strings
        return np.concatenate([b.texts(name, gone), a.texts(name, pick_a)])

    n = len(gone) + len(changed) + len(new)
    rule = col("rule_id")
    return _rows(
        n,
        severity=np.array([SEVERITY.get(r, 9) for r in rule], dtype=np.int64),
        subject_type=col("subject_type"),
        subject_id=np.concatenate([b.subject_ids(gone, by_row), a.subject_ids(pick_a, by_row)]),
        rule_id=rule,
        clause=col("clause"),
        field="decision",
        before=np.concatenate([b.texts("outcome", pick_b), np.full(len(new), "", dtype=object)]),
        after=np.concatenate([np.full(len(gone), "", dtype=object), a.texts("outcome", pick_a)]),
        change=np.concatenate(
            [
                np.full(len(gone), CHANGE_GONE),
                np.full(len(changed), CHANGE_CHANGED),
                np.full(len(new), CHANGE_NEW),
            ]
        ),
    )


def _subject_codes(b: _Decisions, a: _Decisions) -> tuple[np.ndarray, np.ndarray, bool]:
    """Integer codes of the decisions' subjects, one key space for both runs, and whether the
    officials are keyed by their rows.

    Officials are most of a national year's decisions: when both runs list the same officials
    in the same order (a what-if on the same records), an official's decisions are keyed by
    the official's row, held beside the decisions by `evaluate`; only the few units and party
    organisations are keyed by hashing their ids. Otherwise every id is hashed."""
    base, alt = b.ev, a.ev
    tb, ta = base.held("decisions", "_type"), alt.held("decisions", "_type")
    kb, ka = base.held("decisions", "_order"), alt.held("decisions", "_order")
    ids = [ev.column("official_ratings", "official_id") for ev in (base, alt)]
    if any(x is None for x in (tb, ta, kb, ka)) or not _same_keys(*ids):
        return (*_codes_of(b.column("subject_id"), a.column("subject_id")), False)
    official = SUBJECT_ORDER["official"]
    others = [np.flatnonzero(t != official) for t in (tb, ta)]
    cb, ca = _codes_of(b.texts("subject_id", others[0]), a.texts("subject_id", others[1]))
    n_off = len(ids[0])
    out = []
    for k, rows, c in ((kb, others[0], cb), (ka, others[1], ca)):
        codes = k.copy()  # an official's row in official_ratings
        codes[rows] = n_off + c
        out.append(codes)
    return out[0], out[1], True


def _same_keys(kb, ka) -> bool:
    """Whether two key columns hold the same ids in the same order."""
    if kb is ka:
        return True
    kb, ka = _arrow(kb), _arrow(ka)
    return len(kb) == len(ka) and kb.equals(ka)


def _arrow(values) -> pa.ChunkedArray:
    """Texts (a column, Arrow or numpy) as Arrow large strings, the type pandas keeps its text
    columns in: an Arrow-backed column is neither cast nor copied, so the officials' ids of two
    evaluations of the same records compare equal at once."""
    values = values.array if isinstance(values, pd.Series) else values
    if isinstance(values, np.ndarray):
        values = pa.array(values.astype(object), type=pa.large_string())
    got = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    if got.type != pa.large_string():
        got = got.cast(pa.large_string())
    return got if isinstance(got, pa.ChunkedArray) else pa.chunked_array([got])


def _aligned(kb, ka) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """(keys, row in b, row in a) over the keys of both tables, -1 where a table lacks one.

    The same rows in the same order (the officials of a what-if on the same records) need no
    look-up; a ranking whose order moved with the scores is aligned on the key, base first."""
    if _same_keys(kb, ka):
        rows = np.arange(len(kb))
        return _arrow(kb), rows, rows
    kb, ka = _arrow(kb), _arrow(ka)
    cb, ca = _codes_of(kb, ka)
    pos, found = lookup(cb, ca)  # each alt key's row in base
    only_a = np.flatnonzero(~found)
    keys = pa.chunked_array([*kb.chunks, *ka.take(only_a).chunks], type=pa.large_string())
    in_b = np.concatenate([np.arange(len(kb)), np.full(len(only_a), -1)])
    in_a = np.full(len(keys), -1, dtype=np.int64)
    in_a[pos[found]] = np.flatnonzero(found)
    in_a[len(kb) :] = only_a
    return keys, in_b, in_a


def _values(s, rows: np.ndarray) -> np.ndarray:
    """A column's printed values at some rows (None where the row is -1 or the value blank).

    `s` is a table's column as an array (`Evaluation.column`): numpy, a categorical or texts."""
    at = np.maximum(rows, 0)
    if not len(s):
        vals = np.full(len(rows), None, dtype=object)
    elif isinstance(s.dtype, pd.CategoricalDtype):
        cats = np.array([*s.categories.astype(object), None], dtype=object)
        vals = cats[np.asarray(s.codes)[at]]  # code -1 (missing) picks None
    else:
        vals = np.asarray(s.take(at), dtype=object)
    return np.where(rows >= 0, vals, None)


def _differ(sb, sa, in_b: np.ndarray, in_a: np.ndarray) -> np.ndarray:
    """Positions where the column differs (codes compared where both tables hold the row).

    Rows `_aligned` found in the same order (one array for both sides) are compared as they
    stand, without gathering a million officials twice."""
    same = np.zeros(len(in_b), dtype=bool)
    if in_b is in_a:
        idx, pick_b, pick_a = slice(None), None, None
    else:
        idx = np.flatnonzero((in_b >= 0) & (in_a >= 0))
        pick_b, pick_a = in_b[idx], in_a[idx]

    def both(vb, va):
        return (vb, va) if pick_b is None else (vb.take(pick_b), va.take(pick_a))

    if isinstance(sb.dtype, pd.CategoricalDtype) and sb.dtype == sa.dtype:
        vb, va = both(np.asarray(sb.codes), np.asarray(sa.codes))
        same[idx] = vb == va
    elif sb.dtype == TEXT and sa.dtype == TEXT:
        eq = pc.equal(*both(_arrow(sb), _arrow(sa)))
        same[idx] = eq.to_numpy(zero_copy_only=False).astype(bool)  # a blank on both sides is null
    else:
        vb, va = both(np.asarray(sb, dtype=object), np.asarray(sa, dtype=object))
        same[idx] = np.asarray(vb == va, dtype=bool)
    candidates = np.flatnonzero(~same)
    if not len(candidates):
        return candidates
    before, after = _values(sb, in_b[candidates]), _values(sa, in_a[candidates])
    real = [not (_absent(x) and _absent(y)) and x != y for x, y in zip(before, after, strict=True)]
    return candidates[np.array(real, dtype=bool)]


def _field_changes(
    what: tuple[str, str],
    evs: tuple[Evaluation, Evaluation],
    table: str,
    key: str,
    rule_col: str | None,
    rules: tuple[tuple[str, ...], dict[str, str]],
    default_clause: str = "",
    fixed_rule: str | None = None,
    text: dict | None = None,
) -> dict[str, np.ndarray]:
    """Rows for the subjects whose `field` (a column of `table`) differs; the rules that cap it
    in either run."""
    subject_type, field_name = what
    order, clauses = rules
    b, a = (lambda name, ev=ev: ev.column(table, name) for ev in evs)
    keys, in_b, in_a = _aligned(b(key), a(key))
    sb, sa = b(field_name), a(field_name)
    d = _differ(sb, sa, in_b, in_a)
    before, after = _values(sb, in_b[d]), _values(sa, in_a[d])
    rule_ids, severity, clause = [], [], []
    got_b = _values(b(rule_col), in_b[d]) if rule_col and len(d) else None
    got_a = _values(a(rule_col), in_a[d]) if rule_col and len(d) else None
    for i in range(len(d)):
        if fixed_rule:
            ids = [fixed_rule]
        else:
            got = set()
            for v in (got_b[i], got_a[i]):
                if not _absent(v):
                    got.update(str(v).split(";"))
            ids = [r for r in order if r in got]
        sev = min((SEVERITY.get(r, 9) for r in ids), default=SEVERITY["unit_late_dossiers"])
        if subject_type == "official" and not ids:
            sev = SEVERITY["official_late_dossiers"]
        rule_ids.append(";".join(ids))
        severity.append(sev)
        clause.append("; ".join(dict.fromkeys(clauses[r] for r in ids)) or default_clause)
    return _rows(
        len(d),
        severity=np.array(severity, dtype=np.int64),
        subject_type=subject_type,
        subject_id=keys.take(d).to_pylist(),
        rule_id=rule_ids,
        clause=clause,
        field=field_name,
        before=[_show(v, text) for v in before],
        after=[_show(v, text) for v in after],
        change=CHANGE_CHANGED,
    )


def _show(v, text: dict | None) -> str:
    if _absent(v):
        return ""
    return text[bool(v)] if text is not None else str(v)


def _absent(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))


def _unit_ids(rows: dict[str, np.ndarray], base: Evaluation, alt: Evaluation) -> np.ndarray:
    """The unit each subject belongs to: itself for a unit, from the tables for the others."""
    out = np.array(rows["subject_id"], dtype=object)
    for t, table, key in (
        ("official", "official_ratings", "official_id"),
        ("party_org", "party_org_classifications", "party_org_id"),
    ):
        at = np.flatnonzero(rows["subject_type"] == t)
        if not len(at):
            continue
        wanted = _arrow(rows["subject_id"][at].astype(str)).combine_chunks()
        unit_of: dict[str, str] = {}
        for ev in (base, alt):  # the alt table's unit wins where both list the subject
            ids = _arrow(ev.column(table, key))
            hit = np.flatnonzero(pc.is_in(ids, value_set=wanted).to_numpy(zero_copy_only=False))
            units = _arrow(ev.column(table, "unit_id")).take(hit).to_pylist()
            unit_of.update(zip(ids.take(hit).to_pylist(), units, strict=True))
        out[at] = [unit_of.get(sid, "") for sid in rows["subject_id"][at]]
    return out
