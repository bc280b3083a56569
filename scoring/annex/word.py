"""The annex as a Word file (annex.docx) the clerk can finish, number and sign (SPEC §4).

The same content model as the HTML and the PDF, built with python-docx into real paragraphs
and tables (never an image of the page): A4, the margins, fonts and sizes of page.yaml
(Hướng dẫn 36-HD/VPTW), a landscape section for the wide tables, page numbers centred at
the top from page 2, the footer line on every page. The file is the same bytes for the same
content: fixed document dates and fixed times inside the zip.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .html import page_style
from .model import DOTS, Document, Table

FIXED_DATE = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}
CELL_MARGIN_TWIPS = {"left": 57, "right": 57, "top": 28, "bottom": 28}  # 1 mm, 0.5 mm: "Trung bình" fits
PARA_AFTER_PT = 3  # the space after a paragraph of the body


def _el(tag: str, **attrs: str):
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


class _Writer:
    """Appends the parts of the annex to a python-docx document, one section at a time."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.s = page_style()
        self.d = new_docx()
        self.size = self.s["size_pt"]
        self.landscape = False
        self._base_style()
        self._page(self.d.sections[0], landscape=False, first=True)

    # -- page and style ------------------------------------------------------------------
    def _base_style(self) -> None:
        normal = self.d.styles["Normal"]
        normal.font.name = self.s["font_word"]
        normal.font.size = Pt(self.size["body"])
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(qn(f"w:{attr}"), self.s["font_word"])
        rpr.append(_el("w:lang", val="vi-VN", eastAsia="vi-VN", bidi="ar-SA"))
        pf = normal.paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.0

    @property
    def text_width_mm(self) -> float:
        m = self.s["margins_mm"]
        side = self.s["paper"]["height_mm"] if self.landscape else self.s["paper"]["width_mm"]
        return side - m["left"] - m["right"]

    def _page(self, section, landscape: bool, first: bool = False) -> None:
        paper, m = self.s["paper"], self.s["margins_mm"]
        w, h = paper["width_mm"], paper["height_mm"]
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (Mm(h), Mm(w)) if landscape else (Mm(w), Mm(h))
        section.top_margin, section.bottom_margin = Mm(m["top"]), Mm(m["bottom"])
        section.left_margin, section.right_margin = Mm(m["left"]), Mm(m["right"])
        section.header_distance = section.footer_distance = Mm(m["top"] / 2)
        # page numbers from page 2: the first page of the document has its own (empty) header
        section.different_first_page_header_footer = first
        if first:
            p = section.header.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run()
            run.font.size = Pt(self.size["page_number"])
            run._r.append(_el("w:fldChar", fldCharType="begin"))
            instr = _el("w:instrText")
            instr.text = "PAGE"
            run._r.append(instr)
            run._r.append(_el("w:fldChar", fldCharType="end"))
            for footer in (section.footer, section.first_page_footer):
                self._para(footer.paragraphs[0], self.doc.reference, size=self.size["reference"], align="c")
        self.landscape = landscape

    def orientation(self, landscape: bool) -> None:
        if landscape != self.landscape:
            self._page(self.d.add_section(WD_SECTION.NEW_PAGE), landscape)

    # -- text ----------------------------------------------------------------------------
    def _para(
        self, p, text: str = "", size=None, bold=False, italic=False, align="l", keep=False, underline=False
    ):
        p.alignment = ALIGN.get(align, WD_ALIGN_PARAGRAPH.JUSTIFY)
        for i, line in enumerate(str(text).split("\n")):
            run = p.add_run()
            if i:
                run.add_break()
            run.add_text(line)
            run.font.size = Pt(size or self.size["body"])
            run.bold, run.italic, run.underline = bold or None, italic or None, underline or None
        if keep:
            p.paragraph_format.keep_with_next = True
        return p

    def para(self, text: str = "", **kw):
        p = self._para(self.d.add_paragraph(), text, **kw)
        p.paragraph_format.space_after = Pt(PARA_AFTER_PT)
        return p

    def space(self, mm: float) -> None:
        self.d.add_paragraph().paragraph_format.space_after = Mm(mm)

    # -- tables --------------------------------------------------------------------------
    def _widths(self, weights: list[float], total_mm: float) -> list[float]:
        s = sum(weights)
        return [total_mm * w / s for w in weights]

    def _grid(self, rows: int, widths_mm: list[float], borders: bool):
        t = self.d.add_table(rows=rows, cols=len(widths_mm))
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        if borders:
            t.style = self.d.styles["Table Grid"]
            mar = _el("w:tblCellMar")
            for side, twips in CELL_MARGIN_TWIPS.items():
                mar.append(_el(f"w:{side}", w=str(twips), type="dxa"))
            t._tbl.tblPr.append(mar)
        for i, w in enumerate(widths_mm):
            t.columns[i].width = Mm(w)
            for cell in t.columns[i].cells:
                cell.width = Mm(w)
        return t

    def table(self, table: Table) -> None:
        if table.title:
            self.para(table.title, size=self.size["table_title"], bold=True, italic=True, keep=True)
        widths = self._widths([c.width for c in table.columns], self.text_width_mm)
        t = self._grid(1 + len(table.rows), widths, borders=True)
        size = self.size["table"]
        for j, c in enumerate(table.columns):
            self._para(t.cell(0, j).paragraphs[0], c.header, size=size, bold=True, align="c", keep=True)
        for i, row in enumerate(table.rows, start=1):
            for j, (c, text) in enumerate(zip(table.columns, row, strict=True)):
                self._para(t.cell(i, j).paragraphs[0], text, size=size, align=c.align)
        for i, row in enumerate(t.rows):
            tr = row._tr.get_or_add_trPr()
            tr.append(_el("w:cantSplit", val="true"))
            if i == 0:
                tr.append(_el("w:tblHeader", val="true"))
            for cell in row.cells:
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        self.last_rows = t.rows[-2:] if len(table.rows) > 1 else t.rows
        self.space(2)

    # -- the document's parts ------------------------------------------------------------
    def header(self) -> None:
        h, z = self.doc.header, self.size
        t = self._grid(2, self._widths(self.s["header_split"], self.text_width_mm), borders=False)
        left, right = t.cell(0, 0), t.cell(0, 1)
        for i, line in enumerate(h.issuer):
            p = left.paragraphs[0] if i == 0 else left.add_paragraph()
            self._para(p, line, size=z["issuer"], bold=i == len(h.issuer) - 1, align="c")
        self._para(left.add_paragraph(), "*", size=z["issuer"], align="c")
        p = self._para(right.paragraphs[0], h.party, size=z["party"], bold=True, align="c")
        indent = Mm(max(0.0, (right.width.mm - 3.8 - self.s["party_rule_mm"]) / 2))
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = indent
        borders = _el("w:pBdr")
        borders.append(_el("w:bottom", val="single", sz="6", space="1", color="000000"))
        p._p.get_or_add_pPr().append(borders)
        self._para(t.cell(1, 0).paragraphs[0], h.number_line(), size=z["number"], align="c")
        self._para(t.cell(1, 1).paragraphs[0], h.place_date(), size=z["place_date"], italic=True, align="c")
        for cell in (t.cell(1, 0), t.cell(1, 1)):
            cell.paragraphs[0].paragraph_format.space_before = Mm(2)
        self.space(4)
        self.para(self.doc.title, size=z["title"], bold=True, align="c")
        self.para("\n".join(self.doc.subtitle), size=z["subtitle"], bold=True, align="c")
        self.para(h.attachment(), italic=True, align="c")
        if self.doc.banner:
            p = self.para(self.doc.banner, bold=True, align="c")
            box = _el("w:pBdr")
            for side in ("top", "left", "bottom", "right"):
                box.append(_el(f"w:{side}", val="single", sz="12", space="4", color="000000"))
            p._p.get_or_add_pPr().append(box)
        self.space(3)

    def section(self, numeral: str, sec) -> None:
        z = self.size
        self.orientation(sec.landscape)
        if sec.title:
            p = self.para(
                f"{numeral}. {sec.title}" if numeral else sec.title, size=z["heading"], bold=True, keep=True
            )
            p.paragraph_format.space_before = Mm(4)
        for b in sec.basis:
            p = self._para(self.d.add_paragraph(), b.lead, size=z["basis"], align="j", keep=True)
            if b.quote:
                run = p.add_run(f"“{b.quote}”")
                run.italic, run.font.size = True, Pt(z["basis"])
        if sec.intro:
            self.para(sec.intro, align="j", keep=True)
        for t in sec.tables:
            self.table(t)
        if not sec.tables and not sec.figures and sec.empty:
            self.para(sec.empty, italic=True)
        for i, n in enumerate(sec.notes):  # the notes stay together
            self.para(n, size=z["note"], align="j", keep=i < len(sec.notes) - 1)
        for f in sec.figures:
            width = min(f.width_mm, self.text_width_mm)
            self.d.add_picture(io.BytesIO(f.png), width=Mm(width))
            pic = self.d.paragraphs[-1]
            pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pic.paragraph_format.keep_with_next = True
            self.para(f.caption, size=z["caption"], italic=True, align="c").paragraph_format.space_after = Mm(
                3
            )

    def end(self) -> None:
        h, z = self.doc.header, self.size
        # the signature never stands alone on a page: the last rows above go with it
        for row in getattr(self, "last_rows", []):
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True
        self.space(3)
        self.d.paragraphs[-1].paragraph_format.keep_with_next = True
        t = self._grid(1, self._widths(self.s["signature_split"], self.text_width_mm), borders=False)
        left, right = t.cell(0, 0), t.cell(0, 1)
        self._para(left.paragraphs[0], "Nơi nhận:", size=z["recipients_label"], underline=True)
        for i, r in enumerate(h.recipients):
            end = "." if i == len(h.recipients) - 1 else ","
            self._para(left.add_paragraph(), f"- {r}{end}", size=z["recipients"])
        for i, line in enumerate(h.signer_title):
            p = right.paragraphs[0] if i == 0 else right.add_paragraph()
            self._para(p, line, size=z["signer"], bold=True, align="c")
        p = self._para(
            right.add_paragraph(), h.signer_name or DOTS * 3, size=z["signer"], bold=True, align="c"
        )
        p.paragraph_format.space_before = Mm(self.s["signature_space_mm"])
        for row in t.rows:
            row._tr.get_or_add_trPr().append(_el("w:cantSplit", val="true"))

    def verification(self, v) -> None:
        self.orientation(False)
        self.d.add_page_break()
        self.para(v.title, size=13, bold=True, align="c")
        rows = [*v.rows, ("Tệp", "SHA-256"), *v.hashes]
        t = self._grid(len(rows), self._widths([3, 7], self.text_width_mm), borders=False)
        for i, (k, val) in enumerate(rows):
            self._para(t.cell(i, 0).paragraphs[0], k, size=10, italic=i < len(v.rows))
            self._para(t.cell(i, 1).paragraphs[0], val, size=9 if len(val) == 64 else 10)
        for n in v.notes:
            self.para(n, size=10)

    def core(self) -> None:
        cp = self.d.core_properties
        cp.title = f"{self.doc.title} — {self.doc.subtitle[0]} {self.doc.subtitle[1]}"
        cp.author = cp.last_modified_by = "scoring"
        cp.comments = self.doc.reference
        cp.subject = cp.keywords = cp.category = ""
        cp.created = cp.modified = FIXED_DATE
        cp.revision = 1
        cp.language = "vi-VN"
        # python-docx's template carries a thumbnail of an empty page: not ours to show
        rels = self.d.part.package.rels
        for rid in [rid for rid, rel in rels.items() if rel.reltype.endswith("/thumbnail")]:
            del rels[rid]


def _fixed_zip(data: bytes) -> bytes:
    """The same .docx with fixed member times, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type, member.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


def docx_bytes(doc: Document, verification=None) -> bytes:
    """The annex as .docx bytes (with the verification page last when it is given)."""
    w = _Writer(doc)
    w.header()
    for numeral, sec in doc.numbered():
        w.section(numeral, sec)
    w.end()
    if verification is not None:
        w.verification(verification)
    w.core()
    buf = io.BytesIO()
    w.d.save(buf)
    return _fixed_zip(buf.getvalue())
