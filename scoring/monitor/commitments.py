"""The programme's measurable commitments, read from `criteria/commitments.yaml`.

A commitment is data: the clause and the programme's words, the indicator it is measured by, the
target (a comparison with a value, or a direction), when it falls due, and the subjects it is
about. The readings the text leaves open for the monitor are named parameters of the same file,
overridden for one run with `with_overrides` (the command line's `--set`), never in code.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from ..criteria import CriteriaError
from ..resources import criteria_dir

DEFAULT_COMMITMENTS = criteria_dir() / "commitments.yaml"  # inside the wheel when installed

STATUS_KEYS = ("met", "not_met", "no_data", "not_due")
COMPARISONS = (">", ">=", "<", "<=", "==")
DIRECTIONS = ("rising", "falling")
KINDS = ("percent", "count", "score", "yes_no", "rank")
OBSERVATIONS = ("province", "level", "unit", "enterprise", "facility", "organisation")
TABLES = ("indicators", "unit_dossiers")

# The type of each reading; a parameter in the file that is not listed here is an error.
PARAM_KINDS = {
    "undated_due_year": "year_or_null",
    "mountain_hospital_target_percent": "percent",
    "flat_counts_as_rising": "bool",
}


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    kind: str  # percent, count, score, yes_no, rank
    observed: str  # province, level, unit, enterprise, facility, organisation
    derived_from: str | None = None  # a core table the monitor computes it from
    context: bool = False  # an index with no target of its own (kept for the trend)
    unit: str | None = None  # what a count counts (lần, cuộc…); None: the kind's unit


@dataclass(frozen=True)
class Target:
    comparison: str  # one of COMPARISONS or DIRECTIONS
    value: Fraction | None  # None for a direction
    due: int | str  # a year, "yearly" or "undated"

    @property
    def is_direction(self) -> bool:
        return self.comparison in DIRECTIONS


@dataclass(frozen=True)
class Commitment:
    id: str
    clause: str
    quote: str
    title: str
    indicator: Indicator
    target: Target
    table: str
    subjects: tuple[str, ...] = ()  # only these subjects (empty: every subject observed)
    exclude: tuple[str, ...] = ()  # every subject observed but these

    def due_year(self, undated_due_year: int | None) -> int | None:
        """The first year the commitment is judged in; None: every year."""
        if isinstance(self.target.due, int):
            return self.target.due
        return undated_due_year if self.target.due == "undated" else None


def _check_param(kind: str, value: Any) -> str | None:
    if kind == "bool" and not isinstance(value, bool):
        return "cần true hoặc false"
    if kind == "year_or_null" and value is not None:
        if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
            return "cần null hoặc một năm (ví dụ 2020)"
    if kind == "percent":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "cần một số từ 0 đến 100"
        if not 0 <= value <= 100:
            return "cần một số từ 0 đến 100"
    return None


@dataclass(frozen=True)
class Commitments:
    """The commitments file, parsed and checked; `params` holds the readings with overrides applied."""

    doc: dict
    source: str
    sha256: str
    indicators: dict[str, Indicator]
    commitments: tuple[Commitment, ...]
    params: dict = field(default_factory=dict)
    overrides: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def load(cls, path: str | Path | None = None) -> Commitments:
        path = Path(path) if path is not None else DEFAULT_COMMITMENTS
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CriteriaError(f"Không đọc được tệp chỉ tiêu {path}: {exc.strerror}") from None
        try:
            # libyaml's loader when present (ten times faster than the pure-Python one)
            doc = yaml.load(raw.decode("utf-8-sig"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f", dòng {mark.line + 1}" if mark else ""
            raise CriteriaError(f"{path}{where}: tệp chỉ tiêu không đúng cú pháp YAML") from None
        return _parse(doc if isinstance(doc, dict) else {}, str(path), hashlib.sha256(raw).hexdigest())

    def __getitem__(self, name: str) -> Any:
        return self.params[name]

    @property
    def version(self) -> str:
        return str(self.doc.get("version", ""))

    def status(self, key: str) -> str:
        """The Vietnamese word of a status (met, not_met, no_data, not_due)."""
        return self.doc["statuses"][key]

    def observation(self, kind: str) -> dict:
        return self.doc["observations"][kind]

    def unit_of_measure(self, indicator: Indicator) -> str:
        """'%', 'điểm', 'lần'… — what people write after the indicator's value."""
        return indicator.unit if indicator.unit is not None else self.doc["units_of_measure"][indicator.kind]

    def target_value(self, c: Commitment) -> Fraction | None:
        """The target's value, read from its parameter where the commitment names one."""
        name = self.doc_commitment(c.id)["target"].get("value_param")
        return Fraction(str(self.params[name])) if name else c.target.value

    def doc_commitment(self, cid: str) -> dict:
        return next(d for d in self.doc["commitments"] if d["id"] == cid)

    def parameter_info(self, name: str) -> dict:
        return self.doc["parameters"][name]

    def with_overrides(self, overrides: dict[str, Any] | None) -> Commitments:
        """A new Commitments with some readings replaced (text values as the command line gives them)."""
        if not overrides:
            return self
        typed = {name: _override(name, value) for name, value in overrides.items()}
        applied = [(k, v) for k, v in self.overrides if k not in typed] + list(typed.items())
        return Commitments(
            self.doc,
            self.source,
            self.sha256,
            self.indicators,
            self.commitments,
            {**self.params, **typed},
            tuple(applied),
        )


def _override(name: str, value: Any) -> Any:
    """A reading's new value, typed and checked; unknown names are refused with a suggestion."""
    if name not in PARAM_KINDS:
        close = difflib.get_close_matches(name, PARAM_KINDS, n=1)
        hint = f" Có phải '{close[0]}'?" if close else ""
        raise CriteriaError(
            f"Tham số không được biết: '{name}'.{hint} Các tham số của chỉ tiêu: {', '.join(PARAM_KINDS)}"
        )
    if isinstance(value, str):
        value = yaml.safe_load(value) if value.strip() else None
    why = _check_param(PARAM_KINDS[name], value)
    if why:
        raise CriteriaError(f"Giá trị không hợp lệ cho '{name}': {value!r} — {why}.")
    return value


def _parse(doc: dict, source: str, sha: str) -> Commitments:
    def fail(where: str, msg: str):
        raise CriteriaError(f"{source} ({where}): {msg}")

    for section in (
        "statuses",
        "parameters",
        "observations",
        "units_of_measure",
        "indicators",
        "commitments",
    ):
        if not doc.get(section):
            fail(section, f"thiếu mục '{section}'")
    missing = [k for k in STATUS_KEYS if not doc["statuses"].get(k)]
    if missing:
        fail("statuses", "thiếu: " + ", ".join(missing))
    params = {}
    for name, entry in doc["parameters"].items():
        if name not in PARAM_KINDS:
            fail(f"parameters.{name}", f"tham số không được biết '{name}'")
        if not isinstance(entry, dict) or "value" not in entry or not entry.get("reason"):
            fail(f"parameters.{name}", "cần các khóa value, clause, quote, reason")
        why = _check_param(PARAM_KINDS[name], entry["value"])
        if why:
            fail(f"parameters.{name}.value", f"giá trị {entry['value']!r}: {why}")
        params[name] = entry["value"]
    if set(params) != set(PARAM_KINDS):
        fail("parameters", "thiếu tham số: " + ", ".join(sorted(set(PARAM_KINDS) - set(params))))
    indicators = {iid: _indicator(iid, spec, fail) for iid, spec in doc["indicators"].items()}
    seen: set[str] = set()
    out = []
    for i, spec in enumerate(doc["commitments"]):
        c = _commitment(i, spec, indicators, params, fail)
        if c.id in seen:
            fail(f"commitments.{i}", f"mã chỉ tiêu '{c.id}' trùng")
        seen.add(c.id)
        out.append(c)
    return Commitments(doc, source, sha, indicators, tuple(out), params)


def _indicator(iid: str, spec: dict, fail) -> Indicator:
    where = f"indicators.{iid}"
    if not isinstance(spec, dict) or not spec.get("label"):
        fail(where, "cần label, kind, observed")
    if spec.get("kind") not in KINDS:
        fail(where, "kind cần một trong: " + ", ".join(KINDS))
    if spec.get("observed") not in OBSERVATIONS:
        fail(where, "observed cần một trong: " + ", ".join(OBSERVATIONS))
    derived = spec.get("derived_from")
    if derived is not None and derived not in TABLES:
        fail(where, "derived_from cần một trong: " + ", ".join(TABLES))
    return Indicator(
        iid,
        spec["label"],
        spec["kind"],
        spec["observed"],
        derived,
        bool(spec.get("context")),
        spec.get("unit"),
    )


def _commitment(i: int, spec: dict, indicators: dict[str, Indicator], params: dict, fail) -> Commitment:
    where = f"commitments.{i}"
    for key in ("id", "clause", "quote", "title", "indicator", "target", "table"):
        if not spec.get(key):
            fail(where, f"chỉ tiêu thiếu '{key}'")
    ind = indicators.get(spec["indicator"])
    if ind is None:
        fail(where, f"chỉ số không được biết '{spec['indicator']}'")
    t = spec["target"]
    comparison, due = t.get("comparison"), t.get("due")
    if comparison not in (*COMPARISONS, *DIRECTIONS):
        fail(where, "target.comparison cần một trong: " + ", ".join((*COMPARISONS, *DIRECTIONS)))
    if not (due in ("yearly", "undated") or (isinstance(due, int) and not isinstance(due, bool))):
        fail(where, "target.due cần một năm, yearly hoặc undated")
    value = None
    if comparison in COMPARISONS:
        if "value_param" in t:
            if t["value_param"] not in params:
                fail(where, f"target.value_param không phải tham số: '{t['value_param']}'")
        elif isinstance(t.get("value"), bool) or not isinstance(t.get("value"), int | float):
            fail(where, "target.value cần một số")
        else:
            value = Fraction(str(t["value"]))
    subjects = tuple(str(s) for s in spec.get("subjects", ()))
    exclude = tuple(str(s) for s in spec.get("exclude", ()))
    if comparison in DIRECTIONS and ind.observed not in ("province",) and len(subjects) != 1:
        # a direction compares one series with itself: several subjects have no single value
        fail(where, "chỉ tiêu tăng/giảm cần đúng một đối tượng (subjects)")
    if spec["table"] != (ind.derived_from or "indicators"):
        fail(where, f"table cần là '{ind.derived_from or 'indicators'}' (bảng mang chỉ số {ind.id})")
    return Commitment(
        str(spec["id"]),
        str(spec["clause"]),
        str(spec["quote"]),
        str(spec["title"]),
        ind,
        Target(comparison, value, due),
        spec["table"],
        subjects,
        exclude,
    )


def load_commitments(path: str | Path | None = None) -> Commitments:
    """Load the commitments file (the packaged criteria/commitments.yaml by default)."""
    return Commitments.load(path)
