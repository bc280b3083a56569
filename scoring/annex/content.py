"""The annex as one content model, built once from an Evaluation (SPEC §4).

`build_document(ev, header, …)` gives the `Document` every renderer prints: the header
fields, "PHỤ LỤC" and its title, a scenario's banner, sections I–V, any optional sections
asked for, the charts, the recipients and the signature, and the one-line reference to the
audit stamp. `verification(ev, …)` gives what the separate verification page prints: the
versions, the parameters changed, the SHA-256 of every input and the run's notes.

Optional sections (the hook for other modules): a section is named in `OPTIONAL_SECTIONS`
(name -> "module:function") or given as "module:function" directly; the function takes the
Evaluation and returns a `Section` (or None when it has nothing to say for that year). They
print after section V, numbered on (VI, VII, …), through the same templates.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from .. import __version__, charts
from ..evaluate import Evaluation
from ..export import manifest
from .model import Document, Figure, HeaderFields, Section
from .sections import builtin_sections
from .words import scenario_changes

MAX_CHART_UNITS = 120  # one bar per unit; more do not fit an A4 page
MM_PER_IN = 25.4

# Optional sections other modules supply: name -> "package.module:function". A function takes
# the Evaluation and returns a Section, or None when it has nothing for the year. Adding a
# line here (or passing "module:function" to --section) is all a new section needs.
OPTIONAL_SECTIONS: dict[str, str] = {
    "monitor": "scoring.annex.extras:monitor_section",  # the programme's commitments (docs/monitor.md)
    "near_threshold": "scoring.annex.extras:near_threshold_section",  # the index's margins (docs/index.md)
    "ledger": "scoring.annex.extras:ledger_section",  # the II.2 rescheduling check (docs/ledger.md)
}

SectionSource = str | Section | Callable[[Evaluation], Section | None]


class SectionError(ValueError):
    """An optional section that cannot be found or built; the message says which."""


def _provider(name: str) -> Callable[[Evaluation], Section | None]:
    target = OPTIONAL_SECTIONS.get(name, name)
    module, _, func = target.partition(":")
    if not func:
        known = ", ".join(sorted(OPTIONAL_SECTIONS)) or "chưa có"
        raise SectionError(
            f"Không có phần bổ sung “{name}” (các phần có sẵn: {known}; hoặc ghi dạng mô_đun:hàm)."
        )
    try:
        return getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError) as exc:
        raise SectionError(f"Không tìm thấy phần bổ sung “{name}” ({target}): {exc}") from exc


def optional_sections(ev: Evaluation, sources: Iterable[SectionSource]) -> list[Section]:
    """The optional sections asked for, in the order asked; those with nothing to say are left out."""
    out = []
    for src in sources:
        section = src if isinstance(src, Section) else (_provider(src) if isinstance(src, str) else src)(ev)
        if section is None:
            continue
        if not isinstance(section, Section):
            raise SectionError(f"Phần bổ sung “{src}” không trả về một Section: {type(section).__name__}")
        out.append(section)
    return out


def _figure(fig, caption: str, dpi: int) -> Figure:
    w, h = fig.get_size_inches()
    return Figure(charts.png_bytes(fig, dpi=dpi), caption, round(w * MM_PER_IN, 1), round(h * MM_PER_IN, 1))


def chart_figures(ev: Evaluation, dpi: int = 150) -> tuple[Figure, ...]:
    """Scores against the band bounds, one chart per group (so that they flow on the page), and
    late rates against the threshold of mục II.2. None beyond MAX_CHART_UNITS units."""
    if len(ev.unit_ranking) > MAX_CHART_UNITS:
        return ()
    groups = list(dict.fromkeys(ev.unit_ranking["group"]))
    out = [
        _figure(
            charts.scores_by_group(ev, groups=[g], title=False),
            f"Biểu đồ 1.{i}. Điểm cải cách hành chính năm {ev.year} và ngưỡng xếp loại — {g}",
            dpi,
        )
        for i, g in enumerate(groups, start=1)
    ]
    clause = ev.criteria.rule("unit_late_dossiers").clause
    out.append(
        _figure(
            charts.late_rates(ev, title=False),
            f"Biểu đồ 2. Tỷ lệ hồ sơ trễ hạn năm {ev.year} và ngưỡng của mục {clause}",
            dpi,
        )
    )
    return tuple(out)


def input_digest(m: dict) -> str:
    """SHA-256 of what the annex is the product of: the year, the criteria file, every input
    file, the parameters changed and the corrected scores (canonical JSON of the manifest's
    fields). Its first 12 hex digits print in the annex's footer."""
    basis = {
        "year": m["year"],
        "criteria": m["criteria"]["sha256"],
        "inputs": m["inputs"]["sha256"],
        "overrides": m["overrides"],
        "corrections": m["corrections"],
    }
    text = json.dumps(basis, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reference_line(digest: str) -> str:
    return f"Lập bằng scoring {__version__} — mã kiểm tra dữ liệu {digest[:12]}"


def build_document(
    ev: Evaluation,
    header: HeaderFields | None = None,
    scenario: str | None = None,
    sections: Iterable[SectionSource] = (),
    with_charts: bool = True,
    dpi: int = 150,
) -> Document:
    """The annex of one year's evaluation, as every renderer prints it."""
    header = header or HeaderFields()
    changes = scenario_changes(ev)
    banner = ""
    if changes:
        banner = (
            "PHƯƠNG ÁN GIẢ ĐỊNH — không phải kết quả theo dữ liệu và bộ tiêu chí gốc ("
            + "; ".join(changes)
            + ")"
        )
    body = builtin_sections(ev)
    if with_charts:
        body[0] = replace(body[0], figures=chart_figures(ev, dpi))
    body += optional_sections(ev, sections)
    m = manifest(ev, scenario)
    return Document(
        header=header,
        title="PHỤ LỤC",
        subtitle=(
            f"Kết quả xếp hạng cải cách hành chính năm {ev.year} và hệ quả đối với",
            "người đứng đầu, tổ chức cơ sở đảng, cán bộ, công chức, viên chức",
        ),
        sections=tuple(body),
        banner=banner,
        reference=reference_line(input_digest(m)),
        meta={"year": ev.year},
    )


# ---------------------------------------------------------------------------------------
# The verification page: the audit stamp of SPEC §5, out of the signed document


@dataclass(frozen=True)
class Verification:
    title: str
    rows: tuple[tuple[str, str], ...]
    hashes: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    digest: str


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "null" if v is None else str(v)


def verification(ev: Evaluation, scenario: str | None = None) -> Verification:
    """What the verification page prints: versions, changes, digests and the run's notes.

    This page is for whoever checks the annex, so it names the files, the parameters as the
    criteria file names them, and the rows the run's notes point at.
    """
    m = manifest(ev, scenario)
    crit = ev.criteria
    over = m["overrides"]
    changed = "; ".join(
        f"{k} = {_value(v)} (gốc: {_value(crit.parameter_info(k)['value'])})" for k, v in over.items()
    )
    digest = input_digest(m)
    rows = [
        ("Năm đánh giá", str(m["year"])),
        ("Công cụ", f"scoring {m['version']}"),
        ("Bộ tiêu chí", f"{m['criteria']['file']}, phiên bản {m['criteria']['version']}"),
        ("Tham số thay đổi", changed or "Không — theo bộ tiêu chí gốc"),
    ]
    if scenario:
        rows.append(("Phương án", scenario))
    if m.get("corrections"):
        fixed = "; ".join(
            f"điểm của {c['unit_id']} năm {c['year']} sửa thành {str(c['score']).replace('.', ',')}"
            for c in m["corrections"]
        )
        rows.append(("Điểm sửa", fixed))
    rows += [
        ("Dữ liệu đầu vào", m["inputs"]["origin"]),
        ("Mã kiểm tra dữ liệu", digest),
        (
            "Cách tính mã kiểm tra",
            "SHA-256 của năm, SHA-256 của bộ tiêu chí và của từng tệp đầu vào, tham số thay đổi và "
            "điểm sửa (ghi trong manifest.json); 12 chữ số đầu in ở chân mỗi trang phụ lục.",
        ),
    ]
    hashes = [(f"{m['criteria']['file']} (bộ tiêu chí)", m["criteria"]["sha256"])]
    hashes += sorted(m["inputs"]["sha256"].items())
    return Verification(
        title=f"Thông tin kiểm tra — Phụ lục kết quả xếp hạng cải cách hành chính năm {ev.year}",
        rows=tuple(rows),
        hashes=tuple(hashes),
        notes=tuple(ev.notes),
        digest=digest,
    )
