"""`python -m scoring annex`: the annex of a year, executed, exported and written (SPEC §4).

1. The criteria, records and scenario are loaded and the year evaluated: bad input fails
   here, before any file is made. The content model is built once (`build_document`).
2. papermill runs notebooks/ranking_annex.ipynb, which displays the same content model
   through the HTML templates; nbconvert exports it with code, prompts and prose hidden.
3. chromium prints annex.html to annex.pdf, and the verification page to
   annex-verification.pdf (or as the annex's last page, when asked).
4. python-docx writes annex.docx from the same content model.
5. Every file, with manifest.json (the SHA-256 of the criteria and of every input, and the
   digest printed in the footer), is written atomically.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..criteria import load_criteria
from ..evaluate import Evaluation, evaluate
from ..export import manifest, write_files
from ..records import load_records
from ..resources import notebook_path
from .content import build_document, input_digest, verification
from .html import document_html, standalone_html, verification_html
from .model import HeaderFields
from .pdf import AnnexError, html_to_pdf
from .word import docx_bytes

NOTEBOOK = notebook_path("ranking_annex.ipynb")
ANNEX_FILES = ("annex.html", "annex.pdf", "annex.docx", "annex-verification.pdf", "manifest.json")


def _json(value: str | dict | list | None, default):
    if isinstance(value, str):
        return json.loads(value) if value.strip() else default
    return default if value is None else value


def load_evaluation(
    data: str | Path | None,
    year: int,
    overrides: str | dict | None = None,
    criteria: str | Path | None = None,
    corrections: str | list | None = None,
    scenario: str | None = None,
) -> Evaluation:
    """One year's evaluation under a scenario: parameter overrides and corrected scores.

    `overrides` is {"parameter": value} and `corrections` is [{"unit_id", "year", "score"}],
    each as a dict/list or as JSON text (as papermill passes them). With neither, this is
    the baseline evaluation.
    """
    from ..scenario import Correction, Scenario, run

    over = _json(overrides, {})
    fixes = tuple(
        Correction(str(c["unit_id"]), int(c.get("year", year)), c["score"]) for c in _json(corrections, [])
    )
    crit = load_criteria(criteria)
    records = load_records(data, crit)
    if not over and not fixes:
        return evaluate(records, int(year), crit)
    return run(records, int(year), crit, Scenario(scenario or "phương án giả định", over, fixes))


def annex_html(
    ev: Evaluation,
    header: HeaderFields | None = None,
    scenario: str | None = None,
    with_charts: bool = True,
    sections: Iterable = (),
    with_verification_page: bool = False,
) -> str:
    """The whole annex as one HTML fragment (with its own <style>), as the notebook shows it."""
    doc = build_document(ev, header, scenario, sections, with_charts)
    return document_html(doc, verification(ev, scenario) if with_verification_page else None)


def _execute(parameters: dict, workdir: Path, timeout: int) -> Path:
    import papermill as pm
    from traitlets.config import Config

    out = workdir / "ranking_annex.ipynb"
    try:
        pm.execute_notebook(
            str(NOTEBOOK),
            str(out),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(workdir),
            execution_timeout=timeout,
            config=Config({"KernelManager": {"transport": "ipc"}}),
        )
    except Exception as exc:  # papermill wraps the kernel's error; say where it came from
        raise AnnexError(f"Không chạy được sổ tay phụ lục {NOTEBOOK.name}: {exc}") from exc
    return out


def _export_html(notebook: Path, title: str) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_output_prompt=True,
        exclude_input_prompt=True,
        exclude_markdown=True,
        exclude_raw=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    # papermill gives its injected cell a new id on every run: drop the ids, keep the bytes stable
    body = re.sub(r' id="cell-id=[^"]*"', "", body)
    return standalone_html(body, title)


def render_annex(
    data: str | Path | None,
    year: int,
    out_dir: str | Path,
    overrides: dict | None = None,
    header: HeaderFields | None = None,
    criteria: str | Path | None = None,
    scenario: str | None = None,
    corrections: list[dict] | None = None,
    pdf: bool = True,
    sections: Iterable[str] = (),
    with_verification_page: bool = False,
    timeout: int = 300,
) -> list[Path]:
    """Execute the annex notebook for `year`; write annex.html, annex.pdf, annex.docx, the
    verification page and manifest.json to `out_dir`, all or nothing. Returns their paths.

    The input is validated first (ValidationError, CriteriaError, ScenarioError, a bad date
    or an unknown section: ValueError), before anything is run or written.
    """
    header = header or HeaderFields()
    overrides = dict(overrides or {})
    corrections = list(corrections or [])
    sections = [str(s) for s in sections]
    ev = load_evaluation(data, year, overrides, criteria, corrections, scenario)
    doc = build_document(ev, header, scenario, sections)  # an unknown section fails here
    check = verification(ev, scenario)
    m = manifest(ev, scenario)
    parameters = {
        "data": None if data is None else str(Path(data).resolve()),
        "year": int(year),
        "overrides": json.dumps(overrides, ensure_ascii=False, sort_keys=True),
        "criteria": None if criteria is None else str(Path(criteria).resolve()),
        "corrections": json.dumps(corrections, ensure_ascii=False, sort_keys=True),
        "scenario": scenario,
        "sections": sections,
        "with_verification_page": with_verification_page,
        **header.as_params(),
    }
    title = f"Phụ lục — Kết quả xếp hạng cải cách hành chính năm {ev.year}"
    work = Path(tempfile.mkdtemp(prefix="annex-"))
    try:
        page = _export_html(_execute(parameters, work, timeout), title)
        files: dict[str, bytes] = {"annex.html": page.encode("utf-8")}
        pages = {"annex.html": "annex.pdf"}
        if not with_verification_page:
            name = "annex-verification.html"
            files[name] = verification_html(check).encode("utf-8")
            pages[name] = "annex-verification.pdf"
        if pdf:
            for html_name in pages:
                (work / html_name).write_bytes(files[html_name])
            html_to_pdf(*[(work / h, work / p) for h, p in pages.items()])
            for pdf_name in pages.values():
                files[pdf_name] = (work / pdf_name).read_bytes()
            files.pop("annex-verification.html", None)  # its PDF stands for it
        files["annex.docx"] = docx_bytes(doc, check if with_verification_page else None)
        m["digest"] = input_digest(m)
        m["notes"] = list(ev.notes)  # as every export's manifest has them (the verification page too)
        m["files"] = sorted(files)
        m["annex"] = {
            "header": header.as_params(),
            "sections": sections,
            "verification_page": with_verification_page,
        }
        files["manifest.json"] = (json.dumps(m, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
        out = Path(out_dir)
        write_files(out, files)  # all or nothing, under the writers' lock (scoring.atomic)
        return [out / name for name in files]
    finally:
        shutil.rmtree(work, ignore_errors=True)
