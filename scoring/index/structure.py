"""Index structures as dated data (criteria/index/*.yaml), validated on load, and the index's readings.

A structure is lĩnh vực (fields) → tiêu chí (criteria) → tiêu chí thành phần (sub-criteria),
each with an id, a Vietnamese name and maximum points; every scored item (a leaf) has a
method — `appraisal` (thẩm định: the council's points from the unit's self-assessment and its
evidence), `survey` (điều tra xã hội học: points from respondents' satisfaction) or `published`
(a field's points as published, appraisal and survey together, when the split is not known);
optional bonus (điểm thưởng) and deduction (điểm trừ) items sit outside the maximum. A structure
applies to a span of years, like the programme's scales.

Points are held in integer hundredths, so "the points add up" is exact. A broken structure is
a `CriteriaError` naming the file, the line and the item.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from ..criteria import DEFAULT_CRITERIA, CriteriaError, _line_map

# Beside the programme's criteria file, so a packaged install finds both the same way.
INDEX_DIR = DEFAULT_CRITERIA.parent / "index"
PARAMETERS_FILE = "parameters.yaml"

METHODS = ("appraisal", "survey", "published")
# What an item may say; anything else is a typo (YAML reads a bare `no:` key as false, say).
ITEM_KEYS = (
    "id",
    "number",
    "name",
    "max",
    "method",
    "criteria",
    "sub",
    "criteria_count",
    "subcriteria_count",
    "note",
)
EXTRA_METHODS = {"bonus": "bonus", "deductions": "deduction"}
METHOD_WORDS = {
    "appraisal": "thẩm định",
    "survey": "điều tra xã hội học",
    "published": "điểm công bố của lĩnh vực",
    "bonus": "điểm thưởng",
    "deduction": "điểm trừ",
}


@dataclass(frozen=True)
class Item:
    """One entry of a structure: a field, a criterion, a sub-criterion, a bonus or a deduction."""

    id: str
    no: str  # the number people cite ("3.2.1")
    name: str
    max_cents: int  # maximum points, in hundredths
    method: str  # appraisal, survey, published (leaves); bonus, deduction; "" for a mixed parent
    level: str  # field, criterion, sub, bonus, deduction
    field: str  # the id of its field ("" for bonus and deduction items)
    leaf: bool  # scored directly (points are entered for it)


@dataclass(frozen=True)
class Structure:
    """A validated index structure; `items` in file order."""

    id: str
    title: str
    issuer: str
    level: str  # unit or province: who is ranked with it
    illustrative: bool
    year_from: int | None
    year_to: int | None
    max_cents: int
    survey_decimals: int
    sources: tuple[str, ...]
    items: tuple[Item, ...]
    path: str = ""
    sha256: str = ""
    doc: dict = field(default_factory=dict, compare=False, repr=False)

    def covers(self, year: int) -> bool:
        return (self.year_from is None or year >= self.year_from) and (
            self.year_to is None or year <= self.year_to
        )

    def _derived(self, name: str, make):
        """A value derived from `items`, kept on the (frozen) instance once made."""
        if name not in self.__dict__:
            self.__dict__[name] = make(self.items)
        return self.__dict__[name]

    @property
    def fields(self) -> tuple[Item, ...]:
        return self._derived("_fields", lambda items: tuple(i for i in items if i.level == "field"))

    @property
    def leaves(self) -> tuple[Item, ...]:
        """The scored items, in file order (bonus and deductions last)."""
        return self._derived("_leaves", lambda items: tuple(i for i in items if i.leaf))

    def item(self, item_id: str) -> Item:
        return self._derived("_by_id", lambda items: {i.id: i for i in items})[item_id]

    def years_text(self) -> str:
        start = f"từ năm {self.year_from}" if self.year_from else ""
        end = f"đến năm {self.year_to}" if self.year_to else "(chưa có năm kết thúc)"
        return f"{start} {end}".strip()

    def max_of(self, method: str) -> int:
        """Maximum points (hundredths) of the leaves scored by `method`."""
        return sum(i.max_cents for i in self.leaves if i.method == method)


# ---------------------------------------------------------------------------------------
# Reading and validating


def _points(value: Any) -> int | None:
    """Points as hundredths, or None when not a non-negative number with at most 2 decimals."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        v = Fraction(str(value).replace(",", "."))
    except ValueError:
        return None
    cents = v * 100
    if v < 0 or cents.denominator != 1:
        return None
    return int(cents)


def _vn_points(cents: int) -> str:
    """1450 -> '14,5'; 1000 -> '10' (points as the documents write them)."""
    whole, frac = divmod(abs(int(cents)), 100)
    text = f"{whole}" if frac == 0 else f"{whole},{frac:02d}".rstrip("0")
    return ("-" if cents < 0 else "") + text


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 20× faster


class _Reader:
    """Walks one structure document, failing with the file, the line and the item."""

    def __init__(self, doc: dict, text: str, source: str):
        self.doc, self.text, self.source = doc, text, source
        self.items: list[Item] = []
        self.seen: dict[str, tuple] = {}

    @property
    def lines(self) -> dict:
        """Key path -> line, composed only when something is wrong (it is the slow part)."""
        if "_lines" not in self.__dict__:
            self.__dict__["_lines"] = _line_map(self.text)
        return self.__dict__["_lines"]

    def fail(self, path: tuple, msg: str, item: str | None = None):
        line = next((self.lines[path[:k]] for k in range(len(path), -1, -1) if path[:k] in self.lines), None)
        where = f", dòng {line}" if line else ""
        what = f" (mục {item})" if item else f" ({'.'.join(map(str, path))})" if path else ""
        raise CriteriaError(f"{self.source}{where}{what}: {msg}")

    def entry(self, node: Any, path: tuple, level: str, field_id: str, inherited: str) -> Item:
        if not isinstance(node, dict):
            self.fail(path, "mỗi mục cần các khóa id, name, max")
        item_id = str(node.get("id") or "").strip()
        if not item_id:
            self.fail(path, "mục thiếu mã (id)")
        unknown = [k for k in node if k not in ITEM_KEYS]
        if unknown:
            close = difflib.get_close_matches(str(unknown[0]), ITEM_KEYS, n=1)
            hint = f" (có phải '{close[0]}'?)" if close else ""
            self.fail(
                path, f"khóa không được biết «{unknown[0]}»{hint}; các khóa: {', '.join(ITEM_KEYS)}", item_id
            )
        if item_id in self.seen:
            first = self.lines.get(self.seen[item_id])
            self.fail(path, f"mã «{item_id}» trùng với mục ở dòng {first}; mỗi mục một mã", item_id)
        self.seen[item_id] = path
        if not str(node.get("name") or "").strip():
            self.fail(path, "mục thiếu tên (name)", item_id)
        cents = _points(node.get("max"))
        if cents is None or cents == 0:
            self.fail(
                (*path, "max"),
                f"điểm tối đa «{node.get('max')}» cần là số dương, tối đa 2 chữ số thập phân",
                item_id,
            )
        method = str(node.get("method") or inherited or "")
        if method and level not in ("bonus", "deduction") and method not in METHODS:
            self.fail(
                (*path, "method"),
                f"cách chấm «{method}» không được biết; cần một trong: {', '.join(METHODS)}",
                item_id,
            )
        children_key = {"field": "criteria", "criterion": "sub"}.get(level)
        children = node.get(children_key) if children_key else None
        leaf = not children
        if leaf and not method:
            self.fail(
                path,
                f"mục không có cách chấm (method: {' / '.join(METHODS)}), cũng không thừa hưởng từ mục trên",
                item_id,
            )
        item = Item(
            id=item_id,
            no=str(node.get("number") or item_id),
            name=str(node["name"]).strip(),
            max_cents=cents,
            method=method if leaf else "",
            level=level,
            field=field_id if level != "field" else item_id,
            leaf=leaf,
        )
        self.items.append(item)
        if not leaf:
            if not isinstance(children, list):
                self.fail((*path, children_key), f"'{children_key}' cần là một danh sách", item_id)
            child_level = "criterion" if level == "field" else "sub"
            kids = [
                self.entry(c, (*path, children_key, i), child_level, item.field, method)
                for i, c in enumerate(children)
            ]
            total = sum(k.max_cents for k in kids)
            if total != cents:
                self.fail(
                    (*path, "max"),
                    f"điểm tối đa {_vn_points(cents)} khác tổng điểm tối đa của các mục con "
                    f"({' + '.join(_vn_points(k.max_cents) for k in kids)} = {_vn_points(total)})",
                    item_id,
                )
        return item


def _year(value: Any) -> int | None | bool:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
        return False
    return value


def parse_structure(text: str, source: str = "<structure>", raw: bytes | None = None) -> Structure:
    """A structure from YAML text; `CriteriaError` naming the file, line and item when broken."""
    try:
        doc = yaml.load(text, Loader=_LOADER)  # noqa: S506 — a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", dòng {mark.line + 1}" if mark else ""
        raise CriteriaError(f"{source}{where}: tệp bộ chỉ số không đúng cú pháp YAML") from None
    r = _Reader(doc if isinstance(doc, dict) else {}, text, source)
    head = r.doc.get("structure")
    if not isinstance(head, dict):
        r.fail((), "thiếu mục 'structure' (id, title, years, max_points)")
    for key in ("id", "title", "max_points", "years"):
        if head.get(key) in (None, ""):
            r.fail(("structure",), f"mục 'structure' thiếu '{key}'")
    years = head["years"] if isinstance(head["years"], dict) else {}
    y0, y1 = _year(years.get("from")), _year(years.get("to"))
    if y0 is False or y1 is False or (y0 and y1 and y0 > y1) or "from" not in years:
        r.fail(
            ("structure", "years"),
            "cần years: {from: năm, to: năm hoặc null}, năm bắt đầu không sau năm kết thúc",
        )
    total = _points(head["max_points"])
    if not total:
        r.fail(("structure", "max_points"), "tổng điểm tối đa cần là số dương")
    decimals = head.get("survey_points_decimals", 2)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 2:
        r.fail(("structure", "survey_points_decimals"), "cần một số nguyên từ 0 đến 2")
    level = str(head.get("level") or "unit")
    if level not in ("unit", "province"):
        r.fail(("structure", "level"), "cần unit (cơ quan, đơn vị) hoặc province (tỉnh)")
    fields = r.doc.get("fields")
    if not isinstance(fields, list) or not fields:
        r.fail(("fields",), "cần danh sách các lĩnh vực (fields)")
    tops = [r.entry(f, ("fields", i), "field", "", "") for i, f in enumerate(fields)]
    got = sum(f.max_cents for f in tops)
    if got != total:
        r.fail(
            ("structure", "max_points"),
            f"tổng điểm tối đa {_vn_points(total)} khác tổng các lĩnh vực "
            f"({' + '.join(_vn_points(f.max_cents) for f in tops)} = {_vn_points(got)})",
        )
    for key, method in EXTRA_METHODS.items():
        extra = r.doc.get(key) or []
        if not isinstance(extra, list):
            r.fail((key,), f"'{key}' cần là một danh sách")
        for i, node in enumerate(extra):
            r.entry(
                node if not isinstance(node, dict) else {**node, "method": method},
                (key, i),
                method,
                "",
                method,
            )
    sha = hashlib.sha256(raw if raw is not None else text.encode()).hexdigest()
    return Structure(
        id=str(head["id"]),
        title=str(head["title"]),
        issuer=str(head.get("issuer") or ""),
        level=level,
        illustrative=bool(head.get("illustrative", False)),
        year_from=y0 or None,
        year_to=y1 or None,
        max_cents=total,
        survey_decimals=decimals,
        sources=tuple(str(s) for s in head.get("sources") or ()),
        items=tuple(r.items),
        path=source,
        sha256=sha,
        doc=r.doc,
    )


def load_structure(path: str | Path) -> Structure:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CriteriaError(f"Không đọc được tệp bộ chỉ số {path}: {exc.strerror}") from None
    return parse_structure(raw.decode("utf-8-sig"), source=str(path), raw=raw)


_PARSED: dict[tuple, Structure] = {}


def _cached(path: Path) -> Structure:
    """A structure file parsed once per process while it is unchanged (size and time)."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _PARSED:
        _PARSED[key] = load_structure(path)
    return _PARSED[key]


def load_structures(folder: str | Path | None = None) -> tuple[Structure, ...]:
    """Every structure of `folder` (criteria/index/ by default), by file name; ids are unique."""
    folder = Path(folder) if folder is not None else INDEX_DIR
    out: list[Structure] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == PARAMETERS_FILE:
            continue
        s = _cached(path)
        clash = next((o for o in out if o.id == s.id), None)
        if clash:
            raise CriteriaError(f"{path}: mã bộ chỉ số «{s.id}» trùng với {clash.path}")
        out.append(s)
    return tuple(out)


# ---------------------------------------------------------------------------------------
# The index's readings (criteria/index/parameters.yaml)


def _check(name: str, value: Any, spec: dict) -> str | None:
    kind = spec["kind"]
    if kind == "bool":
        return None if isinstance(value, bool) else "cần true hoặc false"
    if kind == "choice":
        return None if value in spec["choices"] else "cần một trong: " + ", ".join(spec["choices"])
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "cần một số"
    if kind == "count" and (not isinstance(value, int) or value < 0):
        return "cần một số nguyên không âm"
    if kind == "points" and not 0 <= value <= 100:
        return "cần một số điểm từ 0 đến 100"
    if kind == "percent" and not 0 < value < 100:
        return "cần một số lớn hơn 0 và nhỏ hơn 100"
    return None


@dataclass(frozen=True)
class IndexSettings:
    """The index's readings: values by name, with overrides applied (a what-if never mutates)."""

    doc: dict
    source: str
    sha256: str
    values: dict = field(default_factory=dict)
    overrides: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def load(cls, path: str | Path | None = None) -> IndexSettings:
        path = Path(path) if path is not None else INDEX_DIR / PARAMETERS_FILE
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CriteriaError(f"Không đọc được tệp tham số chỉ số {path}: {exc.strerror}") from None
        text = raw.decode("utf-8-sig")
        doc = yaml.load(text, Loader=_LOADER) or {}  # noqa: S506 — a safe loader
        values = {}
        for name, entry in (doc.get("parameters") or {}).items():
            why = None
            if not isinstance(entry, dict) or "value" not in entry or "kind" not in entry:
                why = "cần các khóa value, kind, basis, reason"
            elif missing := [k for k in ("basis", "reason") if not entry.get(k)]:
                why = f"tham số thiếu '{missing[0]}'"
            elif bad := _check(name, entry["value"], entry):
                why = f"giá trị {entry['value']!r}: {bad}"
            if why:
                line = _line_map(text).get(("parameters", name))
                raise CriteriaError(f"{path}, dòng {line} ({name}): {why}")
            values[name] = entry["value"]
        return cls(doc, str(path), hashlib.sha256(raw).hexdigest(), values)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def names(self) -> list[str]:
        return list(self.values)

    def info(self, name: str) -> dict:
        return self.doc["parameters"][name]

    def with_overrides(self, overrides: dict[str, Any] | None) -> IndexSettings:
        """A new IndexSettings with some values replaced; text values are read as YAML ("2", "false")."""
        if not overrides:
            return self
        values, applied = dict(self.values), dict(self.overrides)
        for name, value in overrides.items():
            values[name] = applied[name] = self._checked(name, value, values)
        applied_order = [(k, v) for k, v in self.overrides if k not in overrides] + [
            (k, applied[k]) for k in overrides
        ]
        return IndexSettings(self.doc, self.source, self.sha256, values, tuple(applied_order))

    def _checked(self, name: str, value: Any, known: dict) -> Any:
        """An override's value as the file would hold it, or a CriteriaError saying what is accepted."""
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            raise CriteriaError(
                f"Tham số chỉ số không được biết: '{name}'."
                + (f" Có phải '{close[0]}'?" if close else "")
                + f" Các tham số: {', '.join(known)}"
            )
        parsed = (yaml.safe_load(value) if value.strip() else None) if isinstance(value, str) else value
        why = _check(name, parsed, self.info(name))
        if why:
            raise CriteriaError(f"Giá trị không hợp lệ cho '{name}': {parsed!r} — {why}.")
        return parsed

    def as_table(self) -> list[dict]:
        return [
            {
                "parameter": n,
                "value": self.values[n],
                "baseline": self.info(n)["value"],
                "basis": self.info(n)["basis"],
                "reason": self.info(n)["reason"],
            }
            for n in self.values
        ]


def load_settings(path: str | Path | None = None) -> IndexSettings:
    """The index's readings (criteria/index/parameters.yaml by default)."""
    path = Path(path) if path is not None else INDEX_DIR / PARAMETERS_FILE
    st = path.stat() if path.exists() else None
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns) if st else None
    if key is None or key not in _SETTINGS:
        settings = IndexSettings.load(path)
        if key is None:
            return settings
        _SETTINGS[key] = settings
    return _SETTINGS[key]


_SETTINGS: dict[tuple, IndexSettings] = {}
