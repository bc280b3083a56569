"""The real annex export: papermill, nbconvert, chromium, python-docx and a real office suite.

One module fixture runs `python -m scoring annex` on the sample for 2018, with the clerk's
fields given, and the tests read its files: the PDF as pdftotext sees it (signature block,
recipients, number line, no SHA-256, page numbers from page 2, headings with their tables),
the Word copy as python-docx and LibreOffice see it (the same tables as the PDF's), the
verification page and the manifest. Each test skips, saying why, when chromium, poppler or
LibreOffice is missing.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest

import scoring
from scoring import annex
from scoring.cli import main
from scoring.export import manifest
from scoring.sample import write_sample

HAVE_CHROMIUM = Path(annex.CHROMIUM).exists()
HAVE_POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None
SOFFICE = shutil.which("soffice")
FIELDS = ["--number", "15", "--date", "2019-02-05", "--signer-name", "Nguyễn Văn A"]
HEADER = annex.HeaderFields(number="15", date="2019-02-05", signer_name="Nguyễn Văn A")


def _need_pdf_tools():
    if not HAVE_POPPLER:
        pytest.skip("pdftotext/pdfinfo not found (apt install poppler-utils)")


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, as pdftotext reads it (NFC, for comparison)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    text = unicodedata.normalize("NFC", out.stdout.decode("utf-8"))
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def html_tables(page: str) -> list[list[list[str]]]:
    """The data tables of the annex's HTML: rows of cell text (<br> as a line break)."""
    out = []
    for body in re.findall(r'<table class="pl-table">(.*?)</table>', page, flags=re.S):
        rows = []
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
            rows.append([html.unescape(re.sub(r"<br\s*/?>", "\n", c)) for c in cells])
        out.append(rows)
    return out


def docx_tables(data: bytes) -> list[list[list[str]]]:
    """The data tables of a .docx (those whose first header cell is STT), as python-docx reads them."""
    d = docx.Document(io.BytesIO(data))
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in d.tables]
    return [t for t in tables if t and t[0][0] == "STT"]


def model_tables(doc: annex.Document) -> list[list[list[str]]]:
    return [[t.headers, *[list(r) for r in t.rows]] for t in doc.tables()]


@pytest.fixture(scope="module")
def document():
    """The content model of the exported annex, built in this process from the same inputs."""
    ev = annex.load_evaluation(None, 2018)
    return annex.build_document(ev, HEADER), ev


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    if not HAVE_CHROMIUM:
        pytest.skip(f"chromium not found at {annex.CHROMIUM}: the PDF export needs it (apt install chromium)")
    data = tmp_path_factory.mktemp("data")
    write_sample(data)
    out = tmp_path_factory.mktemp("annex") / "out"
    assert main(["annex", str(data), "--year", "2018", "--out", str(out), *FIELDS]) == 0
    return out


def test_export_writes_the_annex_its_word_copy_the_verification_page_and_the_manifest(exported):
    assert sorted(p.name for p in exported.iterdir()) == sorted(annex.ANNEX_FILES)
    # no temp left; the writers' lock file stays (docs/exports.md)
    assert not [p for p in exported.parent.iterdir() if p.name.startswith(".") and p.suffix != ".lock"]
    m = json.loads((exported / "manifest.json").read_text(encoding="utf-8"))
    assert m["year"] == 2018
    assert m["files"] == ["annex-verification.pdf", "annex.docx", "annex.html", "annex.pdf"]
    assert m["criteria"]["sha256"] == scoring.load_criteria().sha256
    assert set(m["inputs"]["sha256"]) >= {"units.csv", "reform_results.csv", "officials.csv"}
    assert m["digest"] == annex.input_digest(m)
    assert m["annex"]["header"]["number"] == "15" and m["annex"]["header"]["signer_name"] == "Nguyễn Văn A"


def test_exported_html_holds_no_code(exported):
    page = (exported / "annex.html").read_text(encoding="utf-8")
    for code in ["In [", "import scoring", "load_evaluation", "HeaderFields", "<script", "jp-InputArea"]:
        assert code not in page, code
    assert page.startswith("<!DOCTYPE html>") and '<html lang="vi">' in page
    assert page.count("data:image/png;base64,") == 5  # four groups' scores, and the late rates


def test_pdf_is_a4_portrait_with_landscape_pages_for_the_wide_tables(exported):
    _need_pdf_tools()
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "99", str(exported / "annex.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    orient = ["portrait" if float(h) > float(w) else "landscape" for w, h in sizes]
    assert 5 <= len(orient) <= 14
    assert orient[0] == "portrait" and "landscape" in orient
    assert orient == sorted(orient, key=lambda o: o == "landscape")  # section I, then II–V on landscape
    assert all(round(float(min(s))) == 595 and round(float(max(s))) == 842 for s in sizes)  # A4


def test_pdf_holds_the_number_line_recipients_and_signature_and_no_hash(exported):
    _need_pdf_tools()
    pages = pdf_pages(exported / "annex.pdf")
    text = flat(" ".join(pages))
    for part in [
        "TỈNH ỦY KHÁNH HÒA",
        "BAN TỔ CHỨC",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 15-BC/BTCTU",
        "Khánh Hòa, ngày 05 tháng 02 năm 2019",
        "Nơi nhận:",
        "- Lưu Văn phòng Ban.",
        "K/T TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN",
        "Nguyễn Văn A",
    ]:
        assert part in text, part
    last = flat(pages[-1])
    assert "Nơi nhận:" in last and "Nguyễn Văn A" in last  # the document ends with them
    assert "sha256" not in text.lower() and "SHA-256" not in text
    assert not re.search(r"[0-9a-f]{64}", text)
    for letter in "ơưếọảầ":  # letters that older fonts lack come through as themselves
        assert letter in text, letter


def test_every_page_carries_the_footer_reference_and_pages_are_numbered_from_two(exported):
    _need_pdf_tools()
    m = json.loads((exported / "manifest.json").read_text(encoding="utf-8"))
    reference = f"Lập bằng scoring {scoring.__version__} — mã kiểm tra dữ liệu {m['digest'][:12]}"
    pages = pdf_pages(exported / "annex.pdf")
    for n, page in enumerate(pages, start=1):
        assert reference in flat(page), n
        first = page.strip().splitlines()[0].strip()
        assert (first == str(n)) == (n > 1), (n, first)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The annex of a year printed by chromium from the HTML templates, in this process."""
    if not HAVE_CHROMIUM:
        pytest.skip(f"chromium not found at {annex.CHROMIUM}")
    folder = tmp_path_factory.mktemp("printed")
    done = {}

    def get(year: int):
        if year not in done:
            doc = annex.build_document(annex.load_evaluation(None, year), HEADER)
            page = folder / f"{year}.html"
            page.write_text(
                annex.pipeline.standalone_html(annex.document_html(doc), str(year)), encoding="utf-8"
            )
            annex.html_to_pdf((page, folder / f"{year}.pdf"))
            done[year] = doc, [flat(p) for p in pdf_pages(folder / f"{year}.pdf")]
        return done[year]

    return get


@pytest.mark.parametrize("year", [2018, 2020])
def test_a_section_heading_stays_on_the_page_of_its_table(printed, year):
    _need_pdf_tools()
    doc, pages = printed(year)
    for numeral, section in doc.numbered():
        heading = f"{numeral}. {section.title}"[:40]
        (page,) = [p for p in pages if heading in p]
        follows = section.tables[0].rows[0][1] if section.tables else section.empty
        assert follows in page[page.index(heading) :], (heading, follows)
        for table in section.tables:  # a group's title stays with its table too
            if table.title:
                (page,) = [p for p in pages if table.title in p]
                assert table.rows[0][1] in page[page.index(table.title) :], table.title


def test_the_verification_page_holds_every_digest(exported, document):
    _need_pdf_tools()
    _, ev = document
    text = flat(" ".join(pdf_pages(exported / "annex-verification.pdf")))
    m = json.loads((exported / "manifest.json").read_text(encoding="utf-8"))
    assert m["digest"] in text
    assert scoring.load_criteria().sha256 in text
    for name, sha in m["inputs"]["sha256"].items():
        assert name in text and sha in text, name
    assert "Trang này không thuộc văn bản được ký" in text


def test_the_word_copy_has_the_same_tables_as_the_pdf(exported, document):
    doc, _ = document
    page = (exported / "annex.html").read_text(encoding="utf-8")  # what chromium printed
    data = (exported / "annex.docx").read_bytes()
    assert docx_tables(data) == html_tables(page) == model_tables(doc)
    assert len(model_tables(doc)) == 6  # four groups, II, V (III and IV are empty in 2018)


def test_the_word_copy_is_a4_with_the_margins_fonts_and_a_landscape_section(exported):
    d = docx.Document(str(exported / "annex.docx"))
    style = annex.page_style()
    m = style["margins_mm"]
    first = d.sections[0]
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
    assert [
        round(x.mm) for x in (first.top_margin, first.bottom_margin, first.left_margin, first.right_margin)
    ] == [
        m["top"],
        m["bottom"],
        m["left"],
        m["right"],
    ]
    assert [s.page_width > s.page_height for s in d.sections] == [False, True]
    normal = d.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt == style["size_pt"]["body"]
    # page numbers from page 2: the first page has its own, empty header; the others a PAGE field
    assert first.different_first_page_header_footer
    assert not first.first_page_header.paragraphs[0].text
    assert "PAGE" in first.header._element.xml and not d.sections[1].different_first_page_header_footer
    body = "\n".join(p.text for p in d.paragraphs) + "\n".join(
        c.text for t in d.tables for r in t.rows for c in r.cells
    )
    for part in ["Số 15-BC/BTCTU", "Nơi nhận:", "K/T TRƯỞNG BAN", "Nguyễn Văn A", "PHỤ LỤC"]:
        assert part in body, part
    assert "SHA-256" not in body


def test_the_word_copy_is_the_same_bytes_for_the_same_content(exported, document):
    doc, _ = document
    data = annex.docx_bytes(doc)
    assert data == annex.docx_bytes(doc) == (exported / "annex.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
        assert "docProps/thumbnail.jpeg" not in z.namelist()
    assert "2000-01-01T00:00:00Z" in core


def test_libreoffice_reads_the_word_copy(exported, tmp_path):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) not found: apt install libreoffice-writer-nogui")
    _need_pdf_tools()
    profile = (tmp_path / "lo-profile").as_uri()  # its own profile: never blocked by another soffice
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
        ]
        + [str(exported / "annex.docx")],
        capture_output=True,
        check=True,
        timeout=300,
    )
    pages = pdf_pages(tmp_path / "annex.pdf")
    text = flat(" ".join(pages))
    assert len(pages) >= 5
    for part in [
        "PHỤ LỤC",
        "Số 15-BC/BTCTU",
        "Sở Thông tin và Truyền thông",
        "95,20",
        "Nơi nhận:",
        "Nguyễn Văn A",
    ]:
        assert part in text, part


def test_the_verification_page_can_be_the_last_page_instead(document, tmp_path):
    if not HAVE_CHROMIUM:
        pytest.skip(f"chromium not found at {annex.CHROMIUM}")
    _need_pdf_tools()
    doc, ev = document
    check = annex.verification(ev)
    page = annex.pipeline.standalone_html(annex.document_html(doc, check), "thử")
    (tmp_path / "a.html").write_text(page, encoding="utf-8")
    annex.html_to_pdf((tmp_path / "a.html", tmp_path / "a.pdf"))
    pages = pdf_pages(tmp_path / "a.pdf")
    assert check.digest in flat(pages[-1]) and "SHA-256" in pages[-1]
    assert "SHA-256" not in " ".join(pages[:-1])
    words = docx.Document(io.BytesIO(annex.docx_bytes(doc, check)))
    assert check.digest in [c.text for t in words.tables for r in t.rows for c in r.cells]
    # printed again, the same bytes
    annex.html_to_pdf((tmp_path / "a.html", tmp_path / "b.pdf"))
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_with_verification_page_and_no_pdf_the_files_say_so(tmp_path):
    out = tmp_path / "out"
    args = ["annex", str(scoring.sample.sample_path()), "--year", "2019", "--out", str(out)]
    assert main([*args, "--with-verification-page", "--no-pdf"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["annex.docx", "annex.html", "manifest.json"]
    page = (out / "annex.html").read_text(encoding="utf-8")
    assert '<section class="pl-verification">' in page and "SHA-256" in page
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["annex"]["verification_page"] is True and m["digest"] == annex.input_digest(
        manifest(annex.load_evaluation(None, 2019))
    )
