"""The annex as HTML, from the Jinja2 templates of `scoring/templates/` (SPEC §4).

The layout lives in the templates (annex.html.j2, annex.css.j2, the verification page) and
the page's measures in page.yaml, which the Word renderer reads too; this module only loads
them and hands them the content model. Text is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from .model import DOTS, Document

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@cache
def page_style() -> dict[str, Any]:
    """page.yaml: the page's margins, fonts and type sizes, for every renderer."""
    return yaml.safe_load((TEMPLATES / "page.yaml").read_text(encoding="utf-8"))


def _lines(text: Any) -> Markup:
    """Escaped text, a line break in a cell becoming <br>."""
    return Markup("<br>").join(escape(part) for part in str(text).split("\n"))


def css_string(text: str) -> str:
    """Text as a CSS string literal (for the footer's margin box), safe inside <style>."""
    out = "".join(c if c.isalnum() or c in " .,:;-—()/" else f"\\{ord(c):x} " for c in str(text))
    return f'"{out}"'


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["lines"] = _lines
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    env.globals["zip"] = zip
    env.globals["dots"] = DOTS * 3
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(s=page_style(), **context)


def document_html(doc: Document, verification=None) -> str:
    """The annex as an HTML fragment with its own <style> (what the notebook displays)."""
    return render("annex.html.j2", doc=doc, verification=verification, reference=css_string(doc.reference))


def standalone_html(body: str, title: str) -> str:
    """A standalone page around nbconvert's output (no scripts, nothing fetched)."""
    return render("standalone.html.j2", body=body, title=title, verification=None)


def verification_html(verification) -> str:
    """The verification page, on its own (annex-verification.pdf)."""
    return render("standalone.html.j2", body="", title=verification.title, verification=verification)


def text_block(text: str) -> str:
    """Plain Vietnamese text (a summary, an explanation) as HTML for a notebook.

    JupyterLab prints stdout in its code font, DejaVu Sans Mono by default, which misplaces
    the second mark of letters such as ố, ễ, ề; rendered HTML uses a font that has them.
    """
    return (
        "<div style=\"white-space: pre-wrap; font-family: 'Liberation Sans', Arial, sans-serif; "
        f'line-height: 1.4">{escape(text)}</div>'
    )
