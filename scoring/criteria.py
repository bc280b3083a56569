"""The programme's parameters, read from `criteria/*.yaml`.

Everything the rules compare against (thresholds, band bounds, dated scales, the readings
chosen where the text is open) comes from here, each with its clause. A what-if is a new
`Criteria` built by `with_overrides`, never a mutation of the baseline.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from .labels import DatedScales, Scale
from .resources import criteria_dir

# The project keeps its criteria at the top of the tree (criteria/); a wheel carries them inside.
DEFAULT_CRITERIA = criteria_dir() / "khanh-hoa-2017.yaml"

# The rules of SPEC §2 every criteria file must carry; a file may add more (each names the
# module that implements it: scoring/rules/__init__.py).
RULE_IDS = (
    "unit_late_dossiers",
    "official_late_dossiers",
    "head_reform_band",
    "head_removal_streak",
    "party_org_streak",
)


# libyaml's parser when PyYAML was built with it (it parses the criteria ~10× faster than the pure
# Python one, on every run); the same documents either way (tests/test_criteria_loader.py).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CriteriaError(ValueError):
    """A criteria file or an override that cannot be used; the message names the line."""


def _line_map(text: str) -> dict[tuple, int]:
    """Map each key path of the YAML document to its 1-based line."""
    lines: dict[tuple, int] = {}

    def walk(node, path):
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                walk(v, (*path, k.value))
                lines[(*path, k.value)] = k.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, (*path, i))

    root = yaml.compose(text, Loader=LOADER)
    if root is not None:
        walk(root, ())
    return lines


def _check_param(name: str, value: Any, spec: dict) -> str | None:
    """Why `value` is not acceptable for parameter `name`, or None."""
    kind = spec["kind"]
    if kind == "bool" and not isinstance(value, bool):
        return "cần true hoặc false"
    if kind in ("percent", "score"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return "cần một số"
        try:
            v = Fraction(str(value).replace(",", "."))
        except ValueError:
            return "cần một số"
        if not 0 <= v <= 100:
            return "cần một số từ 0 đến 100"
    if kind == "years" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        return "cần một số nguyên dương"
    if kind == "decimals" and value is not None:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
            return "cần null hoặc một số nguyên từ 0 đến 6"
    if kind == "int" and (
        isinstance(value, bool) or not isinstance(value, int) or not spec["min"] <= value <= spec["max"]
    ):
        return f"cần một số nguyên từ {spec['min']} đến {spec['max']}"
    if kind in ("year", "year_or_null") and not (value is None and kind == "year_or_null"):
        if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
            return "cần một năm từ 1900 đến 2100" + (
                " hoặc null (không giới hạn)" if kind == "year_or_null" else ""
            )
    if kind in ("choice", "band") and (isinstance(value, bool) or value not in spec["choices"]):
        return "cần một trong: " + ", ".join(map(str, spec["choices"]))
    return None


def _overlap(a: dict, b: dict) -> bool:
    """Whether two eras' [valid_from, valid_to] spans share a year (null: open)."""
    lo = max(a.get("valid_from") or -(10**9), b.get("valid_from") or -(10**9))
    hi = min(a.get("valid_to") or 10**9, b.get("valid_to") or 10**9)
    return lo <= hi


# The type of each parameter; a parameter in the file that is not listed here is an error.
PARAM_KINDS: dict[str, dict] = {
    "in_force_from_year": {"kind": "year"},
    "in_force_until_year": {"kind": "year_or_null"},
    "streak_counts_years_before_force": {"kind": "bool"},
    "party_org_condition": {"kind": "choice", "choices": ["streak", "year_band"]},
    "tsvm_levels": {"kind": "choice", "choices": ["top_only", "good_and_above"]},
    "reform_result_lag_years": {"kind": "int", "min": 0, "max": 1},
    "central_agency_consequences": {"kind": "choice", "choices": ["recommend", "apply", "none"]},
    "late_capped_rank": {"kind": "choice", "choices": ["score_order", "below_uncapped"]},
    "unit_late_threshold_percent": {"kind": "percent"},
    "unit_late_inclusive": {"kind": "bool"},
    "official_late_threshold_percent": {"kind": "percent"},
    "official_late_inclusive": {"kind": "bool"},
    "rate_rounding_decimals": {"kind": "decimals"},
    "band_min_tot": {"kind": "score"},
    "band_min_kha": {"kind": "score"},
    "band_min_trung_binh": {"kind": "score"},
    "head_band_trigger": {"kind": "band"},  # one of the criteria file's band keys
    "streak_years_average": {"kind": "years"},
    "streak_years_weak": {"kind": "years"},
    "weak_counts_toward_average_streak": {"kind": "bool"},
    "missing_year_breaks_streak": {"kind": "bool"},
    "head_streak_own_years_only": {"kind": "bool"},
    "past_bands_final": {"kind": "bool"},
    "discipline_flag_when_unchanged": {"kind": "bool"},
    "rank_ties": {"kind": "choice", "choices": ["min", "dense"]},
    # read by the loader (scoring.records): 15 digits as a spreadsheet shows a number, or exact
    "binary_score_significant_digits": {"kind": "choice", "choices": [15, None]},
    # the dossier ledger (scoring.ledger): how one-stop dossiers become the year's counts
    "ledger_denominator": {"kind": "choice", "choices": ["resolved", "resolved_and_pending_overdue"]},
    "ledger_year_by": {"kind": "choice", "choices": ["resolved", "due"]},
    "ledger_reschedule_cures_lateness": {"kind": "bool"},
    "ledger_on_time_granularity": {"kind": "choice", "choices": ["second", "day"]},
    "ledger_official_attribution": {"kind": "choice", "choices": ["step", "last_step"]},
    "ledger_recorded_conflict": {"kind": "choice", "choices": ["refuse", "ledger", "recorded"]},
}


@dataclass(frozen=True)
class Rule:
    id: str
    clause: str
    quote: str
    subject: str
    spec: dict

    @property
    def title(self) -> str:
        """The rule in words, as people read it (the id stays for machines)."""
        return str(self.spec.get("title") or self.id)

    @property
    def label(self) -> str:
        """'Trễ hạn hồ sơ của cơ quan, đơn vị (mục II.2)': the title with its clause."""
        return f"{self.title} (mục {self.clause})"

    @property
    def family(self) -> str:
        """The module of scoring/rules/ that implements the rule (its own id when not given)."""
        return str(self.spec.get("family") or self.id)


@dataclass(frozen=True)
class Criteria:
    """Parsed criteria: parameters (with overrides applied), rules, bands, dated scales."""

    doc: dict
    source: str
    sha256: str
    overrides: tuple[tuple[str, Any], ...] = ()
    params: dict = field(default_factory=dict)

    # -- construction -------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None) -> Criteria:
        path = Path(path) if path is not None else DEFAULT_CRITERIA
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CriteriaError(f"Không đọc được tệp tiêu chí {path}: {exc.strerror}") from None
        return cls.from_text(raw.decode("utf-8-sig"), source=str(path), raw=raw)

    @classmethod
    def from_text(cls, text: str, source: str = "<criteria>", raw: bytes | None = None):
        try:
            doc = yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader (CSafeLoader or SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f", dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise CriteriaError(
                f"{source}{where}: tệp tiêu chí không đúng cú pháp YAML ({problem})"
            ) from None
        sha = hashlib.sha256(raw if raw is not None else text.encode()).hexdigest()
        crit = cls(doc=doc if isinstance(doc, dict) else {}, source=source, sha256=sha)
        # the lines of the document's keys are found only for a message (a second parse)
        crit._validate(lambda: _line_map(text))
        return crit

    def _validate(self, line_map) -> None:
        def fail(path: tuple, msg: str):
            lines = line_map()
            line = None
            for k in range(len(path), -1, -1):
                if path[:k] in lines:
                    line = lines[path[:k]]
                    break
            where = f", dòng {line}" if line else ""
            raise CriteriaError(f"{self.source}{where} ({'.'.join(map(str, path))}): {msg}")

        doc = self.doc
        for section in ("programme", "rules", "parameters", "bands", "scales", "roles"):
            if section not in doc:
                fail((), f"thiếu mục '{section}'")
        for rid in (*RULE_IDS, *(r for r in doc["rules"] if r not in RULE_IDS)):
            rule = doc["rules"].get(rid)
            if not isinstance(rule, dict):
                fail(("rules",), f"thiếu quy tắc '{rid}'")
            for key in ("clause", "quote", "subject"):
                if not rule.get(key):
                    fail(("rules", rid), f"quy tắc '{rid}' thiếu '{key}'")
        params = {}
        for name, entry in (doc.get("parameters") or {}).items():
            if name not in PARAM_KINDS:
                close = difflib.get_close_matches(name, PARAM_KINDS, n=1)
                hint = f" (có phải '{close[0]}'?)" if close else ""
                fail(("parameters", name), f"tham số không được biết '{name}'{hint}")
            if not isinstance(entry, dict) or "value" not in entry:
                fail(("parameters", name), "cần các khóa value, clause, quote, reason")
            for key in ("clause", "reason"):
                if not entry.get(key):
                    fail(("parameters", name), f"tham số '{name}' thiếu '{key}'")
            why = _check_param(name, entry["value"], self.param_spec(name))
            if why:
                fail(("parameters", name, "value"), f"giá trị {entry['value']!r}: {why}")
            params[name] = entry["value"]
        missing = [p for p in PARAM_KINDS if p not in params]
        if missing:
            fail(("parameters",), "thiếu tham số: " + ", ".join(missing))
        object.__setattr__(self, "params", params)
        for fam in ("cadre", "party_org"):
            eras = doc["scales"].get(fam)
            if not eras:
                fail(("scales",), f"thiếu thang '{fam}'")
            sizes = {len(e["levels"]) for e in eras}
            if len(sizes) != 1:
                fail(("scales", fam), "các thang của cùng một loại phải có cùng số mức")
            for i, a in enumerate(eras):
                for b in eras[i + 1 :]:
                    if _overlap(a, b):
                        fail(("scales", fam), f"hai thang {a['id']} và {b['id']} cùng áp dụng cho một năm")
        for i, b in enumerate(doc["bands"][:-1]):
            if b.get("min_param") not in PARAM_KINDS:
                fail(("bands", i), "mỗi xếp loại (trừ mức cuối) cần 'min_param'")
        self._check_consistency(fail)

    def _check_consistency(self, fail) -> None:
        mins = [self.band_min(i) for i in range(len(self.doc["bands"]) - 1)]
        if any(a <= b for a, b in zip(mins, mins[1:], strict=False)):
            fail(("parameters",), "ngưỡng điểm các xếp loại phải giảm dần (Tốt > Khá > Trung bình)")
        until = self.params["in_force_until_year"]
        if until is not None and until < self.params["in_force_from_year"]:
            fail(
                ("parameters",),
                "năm hết hiệu lực (in_force_until_year) phải sau năm có hiệu lực (in_force_from_year)",
            )

    def with_overrides(self, overrides: dict[str, Any] | None) -> Criteria:
        """A new Criteria with some parameters replaced (a what-if); the baseline is untouched.

        Values may be given as text (from the command line): "12", "true", "null", "dense".
        """
        if not overrides:
            return self
        params = dict(self.params)
        applied = list(self.overrides)
        for name, value in overrides.items():
            if name not in PARAM_KINDS:
                close = difflib.get_close_matches(name, PARAM_KINDS, n=1)
                hint = f" Có phải '{close[0]}'?" if close else ""
                raise CriteriaError(
                    f"Tham số không được biết: '{name}'.{hint} Các tham số: " + ", ".join(PARAM_KINDS)
                )
            if isinstance(value, str):
                value = yaml.safe_load(value) if value.strip() else None
            why = _check_param(name, value, self.param_spec(name))
            if why:
                raise CriteriaError(f"Giá trị không hợp lệ cho '{name}': {value!r} — {why}.")
            params[name] = value
            applied = [(k, v) for k, v in applied if k != name] + [(name, value)]
        new = Criteria(self.doc, self.source, self.sha256, tuple(applied), params)
        # scales and labels do not depend on parameters: a what-if reuses them
        for name in ("bands", "band_scales", "_scales", "roles", "groups", "central_groups"):
            if name in self.__dict__:
                new.__dict__[name] = self.__dict__[name]

        def fail(path, msg):
            raise CriteriaError(f"Các giá trị thay đổi không nhất quán: {msg}.")

        new._check_consistency(fail)
        return new

    # -- reading ------------------------------------------------------------------------
    def param_spec(self, name: str) -> dict:
        """The kind of a parameter, with its accepted values where it has a fixed set."""
        spec = dict(PARAM_KINDS[name])
        if spec["kind"] == "band":
            spec["choices"] = [b.get("key") for b in self.doc["bands"]]
        return spec

    def __getitem__(self, name: str) -> Any:
        return self.params[name]

    @property
    def version(self) -> str:
        return str(self.doc["programme"].get("version", ""))

    @property
    def programme(self) -> dict:
        return self.doc["programme"]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule of the criteria file, in the order they run and decisions are listed."""
        return tuple(self.doc["rules"])

    def rule(self, rule_id: str) -> Rule:
        r = self.doc["rules"][rule_id]
        return Rule(rule_id, str(r["clause"]), r["quote"], r["subject"], r)

    def parameter_info(self, name: str) -> dict:
        return self.doc["parameters"][name]

    def fraction(self, name: str) -> Fraction:
        return Fraction(str(self.params[name]).replace(",", "."))

    @cached_property
    def bands(self) -> Scale:
        return Scale.build("band", "bands", "", None, None, self.doc["bands"])

    @cached_property
    def band_scales(self) -> DatedScales:
        return DatedScales("band", (self.bands,))

    def band_level(self, key: str) -> int:
        return self.bands.level_of_key(key)

    def band_min(self, level: int) -> Fraction:
        """Lower bound (inclusive, in score points) of band `level`."""
        return self.fraction(self.doc["bands"][level]["min_param"])

    @cached_property
    def _scales(self) -> dict[str, DatedScales]:
        out = {}
        for fam, eras in self.doc["scales"].items():
            out[fam] = DatedScales(
                fam,
                tuple(
                    Scale.build(
                        fam,
                        e["id"],
                        e.get("source", ""),
                        e["valid_from"],
                        e["valid_to"],
                        e["levels"],
                        meta={k: v for k, v in e.items() if k not in ("id", "source", "levels")},
                    )
                    for e in eras
                ),
            )
        return out

    def scales(self, family: str) -> DatedScales:
        return self._scales[family]

    @cached_property
    def roles(self) -> DatedScales:
        return DatedScales("role", (Scale.build("role", "roles", "", None, None, self._role_levels),))

    @property
    def _role_levels(self) -> list[dict]:
        return [
            {"key": r["key"], "label": r["key"], "aliases": r.get("aliases", [])} for r in self.doc["roles"]
        ]

    @cached_property
    def groups(self) -> DatedScales:
        levels = [
            {"key": g["label"], "label": g["label"], "aliases": g.get("aliases", [])}
            for g in self.doc.get("groups", [])
        ]
        return DatedScales("group", (Scale.build("group", "groups", "", None, None, levels),))

    def cap_level(self, rule_id: str, scale: Scale) -> int:
        """The level a rule caps at: one below the level named in its `cap_below`."""
        return scale.level_of_key(self.doc["rules"][rule_id]["cap_below"]) + 1

    def in_force(self, year: int) -> bool:
        """Whether the programme's consequences apply to an evaluated year."""
        until = self.params["in_force_until_year"]
        return self.params["in_force_from_year"] <= year and (until is None or year <= until)

    @cached_property
    def central_groups(self) -> frozenset[str]:
        """The group labels marked `central` (Cơ quan ngành dọc): their units' staff are rated
        by their own ministries (reading `central_agency_consequences`)."""
        return frozenset(g["label"] for g in self.doc.get("groups", []) if g.get("central"))

    def as_table(self) -> list[dict]:
        """Parameters with their current value, baseline value, clause and reason."""
        rows = []
        for name, entry in self.doc["parameters"].items():
            rows.append(
                {
                    "parameter": name,
                    "value": self.params[name],
                    "baseline": entry["value"],
                    "clause": entry["clause"],
                    "quote": entry.get("quote", ""),
                    "reason": entry["reason"],
                }
            )
        return rows


def load_criteria(path: str | Path | None = None) -> Criteria:
    """Load the criteria file (the packaged Khánh Hòa 2017 programme by default)."""
    return Criteria.load(path)
