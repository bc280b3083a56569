"""The ranking annex (phụ lục) of SPEC §4: one content model, printed as HTML, PDF and Word.

model     the content model: header fields, sections, tables, figures (plain dataclasses)
words     how the annex words numbers, rates, names and parameters
sections  sections I–V from an Evaluation
content   the whole document (+ optional sections, charts, the verification page)
html      the Jinja2 templates of scoring/templates/ -> HTML
pdf       HTML -> A4 PDF with Debian's chromium (Playwright)
word      the same content -> annex.docx (python-docx)
pipeline  `python -m scoring annex`: papermill, nbconvert, chromium, python-docx, files
"""

from .content import OPTIONAL_SECTIONS, SectionError, build_document, input_digest, verification
from .html import document_html, page_style, text_block
from .model import DOTS, Basis, Column, Document, Figure, HeaderFields, Section, Table, date_words
from .pdf import CHROMIUM, CHROMIUM_ARGS, AnnexError, html_to_pdf
from .pipeline import ANNEX_FILES, NOTEBOOK, annex_html, load_evaluation, render_annex
from .sections import (
    builtin_sections,
    heads_capped_frame,
    party_org_frame,
    party_org_runs,
    ranking_frames,
    removal_frame,
    staff_capped_frame,
)
from .word import docx_bytes
from .words import basis, party_org_names, rate_text

__all__ = [
    "ANNEX_FILES",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "DOTS",
    "NOTEBOOK",
    "OPTIONAL_SECTIONS",
    "AnnexError",
    "Basis",
    "Column",
    "Document",
    "Figure",
    "HeaderFields",
    "Section",
    "SectionError",
    "Table",
    "annex_html",
    "basis",
    "build_document",
    "builtin_sections",
    "date_words",
    "document_html",
    "docx_bytes",
    "heads_capped_frame",
    "html_to_pdf",
    "input_digest",
    "load_evaluation",
    "page_style",
    "party_org_frame",
    "party_org_names",
    "party_org_runs",
    "ranking_frames",
    "rate_text",
    "removal_frame",
    "render_annex",
    "staff_capped_frame",
    "text_block",
    "verification",
]
