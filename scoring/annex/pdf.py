"""HTML to A4 PDF with Debian's chromium, driven by Playwright (never a downloaded browser).

The page's size, margins, page numbers (centred at the top from page 2) and the footer line
are the CSS of the templates (@page rules and margin boxes); chromium prints them as they
are (`prefer_css_page_size`), landscape pages included.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-gpu",
]
# A fixed date for the PDF's own metadata, so the same inputs give the same bytes (SPEC §5).
PDF_DATE = b"D:20000101000000+00'00'"


class AnnexError(RuntimeError):
    """The annex could not be rendered (kernel, nbconvert or browser); the message says why."""


def html_to_pdf(*pairs: tuple[Path, Path], timeout_ms: int = 60_000) -> None:
    """Print each (html, pdf) pair with one chromium session; the PDFs' dates are fixed."""
    if not Path(CHROMIUM).exists():
        raise AnnexError(f"Không tìm thấy trình duyệt {CHROMIUM} để xuất PDF.")
    from playwright.sync_api import sync_playwright

    profile = Path(tempfile.mkdtemp(prefix="annex-chromium-"))
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=timeout_ms
            )
            try:
                for html_path, pdf_path in pairs:
                    page = ctx.new_page()
                    page.goto(Path(html_path).resolve().as_uri(), wait_until="load", timeout=timeout_ms)
                    page.evaluate("document.fonts.ready.then(() => true)")
                    page.emulate_media(media="print")
                    page.pdf(path=str(pdf_path), prefer_css_page_size=True, print_background=True)
                    page.close()
            finally:
                ctx.close()
    except AnnexError:
        raise
    except Exception as exc:
        raise AnnexError(f"Không xuất được PDF bằng {CHROMIUM}: {exc}") from exc
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    for _, pdf_path in pairs:
        Path(pdf_path).write_bytes(fixed_pdf_dates(Path(pdf_path).read_bytes()))


def fixed_pdf_dates(pdf: bytes) -> bytes:
    """Replace the PDF's creation/modification dates (same length, so offsets hold)."""

    def fix(m: re.Match) -> bytes:
        old = m.group(2)
        new = PDF_DATE[: len(old)].ljust(len(old), b" ")
        return m.group(1) + new + m.group(3)

    return re.sub(rb"(/(?:CreationDate|ModDate)\s*\()([^)]*)(\))", fix, pdf)
