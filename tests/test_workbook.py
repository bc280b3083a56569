"""decisions.xlsx as the Board's staff read and print it (issue 9 §3, issue 12 §2).

The workbook is written by our own SpreadsheetML writer (scoring/xlsx.py), so every cell is
read back three ways — openpyxl, python-calamine and LibreOffice headless — and compared to
the Vietnamese tables (`people_table`) it was written from.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import math
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from conftest import HT_2020, HTT, HTXS, SO, TB, make_dataset

import scoring
import scoring.sample
from scoring.cli import main
from scoring.export import write_outputs
from scoring.scenario import Scenario, compare, run, write_scenario
from scoring.workbook import INFO_SHEET, SHEETS, decisions_workbook, people_table, scenario_workbook
from scoring.xlsx import MAX_CELL_CHARS, Column, Sheet, text_widths, workbook_bytes

calamine = pytest.importorskip("python_calamine")
TABLES = ("unit_ranking", "official_ratings", "removal_triggers", "party_org_classifications", "decisions")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@functools.cache
def crit():
    return scoring.load_criteria()


@functools.cache
def sample(year: int = 2020) -> scoring.Evaluation:
    return scoring.evaluate(scoring.load_records(None, crit()), year, crit())


def hostile(folder: Path) -> scoring.Evaluation:
    """A year whose names look like formulas, hold XML's special characters and Excel's escapes."""
    data = make_dataset(
        folder,
        units=[
            ("U1", '=HYPERLINK("http://example.invalid","Sở Nội vụ")', SO, "P1"),
            ("U2", "Sở <Tư> pháp & _x0041_ Hộ\ttịch", SO, "P2"),
        ],
        reform_results=[
            (2018, "U1", "60", ""),
            (2019, "U1", "", TB),
            (2020, "U1", "55.5", ""),
            (2020, "U2", "90", ""),
        ],
        unit_dossiers=[(2020, "U1", 100, 10), (2020, "U2", 50, 0)],
        officials=[
            (2018, "CB1", "+84 Nguyễn Văn An", "U1", "head", HTT),
            (2019, "CB1", "+84 Nguyễn Văn An", "U1", "head", HTT),
            (2020, "CB1", "+84 Nguyễn Văn An", "U1", "head", HTXS),
            (2020, "CB2", "-Lê Thị Bình", "U1", "staff", HTT),
            (2020, "CB3", "@Trần Văn Cường", "U2", "head", HTXS),
            (2020, "CB4", "Đặng  Thu  Hà ", "U2", "deputy", HT_2020),
        ],
        official_dossiers=[(2020, "CB2", 30, 4), (2020, "CB3", 10, 0)],
        party_orgs=[(2020, "P1", "U1", HTXS), (2020, "P2", "U2", HTT)],
    )
    return scoring.evaluate(scoring.load_records(data, crit()), 2020, crit())


def expected(ev: scoring.Evaluation) -> dict[str, list[list]]:
    """Each sheet's cells as they should read back: header row, then values (None if empty)."""
    out = {}
    for name in TABLES:
        table = people_table(name, getattr(ev, name), ev)
        rows = [list(table.columns)]
        for values in table.astype(object).itertuples(index=False, name=None):
            rows.append([_cell(v) for v in values])
        out[SHEETS[name]] = rows
    return out


def _cell(v):
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v == "":
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def read_openpyxl(body: bytes) -> dict[str, list[list]]:
    wb = openpyxl.load_workbook(io.BytesIO(body))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def read_calamine(body: bytes) -> dict[str, list[list]]:
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(body))
    return {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in book.sheet_names}


def same(got, want, digits: int | None = None) -> bool:
    if want is None:
        return got in (None, "")
    if isinstance(want, int | float) and not isinstance(want, bool):
        if not isinstance(got, int | float) or isinstance(got, bool):
            return False
        return got == want if digits is None else float(f"{want:.{digits}g}") == got
    return got == want


def assert_cells(read: dict[str, list[list]], want: dict[str, list[list]], reader: str, digits=None) -> None:
    """Every cell of `want` in `read`; `digits`: numbers as a reader keeps them (15 significant
    digits for LibreOffice, as a spreadsheet shows them)."""
    for sheet, rows in want.items():
        got = read[sheet]
        assert len(got) == len(rows), (reader, sheet, len(got), len(rows))
        for i, (g, w) in enumerate(zip(got, rows, strict=True)):
            g = list(g) + [None] * (len(w) - len(g))
            bad = [(j, g[j], w[j]) for j in range(len(w)) if not same(g[j], w[j], digits)]
            assert not bad, f"{reader}: {sheet} row {i + 1}: {bad}"


# -- what people read ---------------------------------------------------------------------


def test_sheets_and_headers_are_in_vietnamese():
    body = decisions_workbook(sample(), {})
    wb = openpyxl.load_workbook(io.BytesIO(body))
    assert wb.sheetnames == [
        "Xếp hạng đơn vị",
        "Xếp loại cán bộ",
        "Diện xem xét xử lý",
        "Tổ chức cơ sở đảng",
        "Căn cứ quyết định",
        INFO_SHEET,
    ]
    headers = {ws.title: [c.value for c in ws[1]] for ws in wb.worksheets[:5]}
    assert headers["Xếp hạng đơn vị"][:8] == [
        "Năm", "Mã đơn vị", "Cơ quan, đơn vị", "Khối", "Điểm (%)", "Xếp hạng trong khối",
        "Xếp loại theo điểm", "Tỷ lệ hồ sơ trễ hạn",
    ]  # fmt: skip
    assert "Tỷ lệ hồ sơ trễ hạn" in headers["Xếp loại cán bộ"]
    for sheet, row in headers.items():
        for h in row:
            assert h and "_" not in h and h[0].isupper(), (sheet, h)  # no snake_case machine names
        assert all(c.font.b for c in wb[sheet][1]), sheet  # bold headers


def test_values_are_words_roles_yes_no_and_rules_with_their_clause():
    tables = {n: people_table(n, getattr(sample(), n), sample()) for n in TABLES}
    o = tables["official_ratings"]
    assert set(o["Chức vụ"]) == {"Người đứng đầu", "Cấp phó", "Công chức, viên chức"}
    assert set(o["Xem xét kỷ luật"]) == {"Có", "Không"}
    capped = o.loc[o["Mã cán bộ"] == "CB00253", "Bị giới hạn xếp loại theo"].item()
    assert capped == "Người đứng đầu đơn vị xếp loại cải cách hành chính trung bình trở xuống (mục II.4)"
    u = tables["unit_ranking"].set_index("Mã đơn vị")
    assert u.loc["SO_XD", "Lý do điều chỉnh xếp loại"] == "Trễ hạn hồ sơ của cơ quan, đơn vị (mục II.2)"
    assert u.loc["SO_XD", "Được xét thi đua, khen thưởng"] == "Không"
    d = tables["decisions"]
    assert set(d["Loại đối tượng"]) == {
        "Cơ quan, đơn vị",
        "Cán bộ, công chức, viên chức",
        "Tổ chức cơ sở đảng",
    }
    assert "unit_late_dossiers" not in " ".join(d["Quy định áp dụng"])
    # the decisions' outcome and evidence are shown as the engine words them
    assert d["Kết quả"].tolist() == sample().decisions["outcome"].tolist()
    assert d["Số liệu làm căn cứ"].tolist() == sample().decisions["evidence"].tolist()


def test_every_code_has_its_name_beside_it():
    ev = sample()
    r = people_table("removal_triggers", ev.removal_triggers, ev).iloc[0]
    assert (r["Mã đơn vị"], r["Cơ quan, đơn vị"]) == ("DH_KHANHHOA", "Trường Đại học Khánh Hòa")
    assert (r["Mã cán bộ"], r["Họ và tên"]) == ("CB00253", "Võ Hữu An")
    assert r["Các năm liên tục"] == "2018; 2019; 2020"
    p = people_table("party_org_classifications", ev.party_org_classifications, ev).set_index(
        "Mã tổ chức đảng"
    )
    assert p.loc["DB_DH_KHANHHOA", "Cơ quan, đơn vị"] == "Trường Đại học Khánh Hòa"
    assert p.loc["DB_DH_KHANHHOA", "Tổ chức cơ sở đảng"] == "Tổ chức cơ sở đảng Trường Đại học Khánh Hòa"
    o = people_table("official_ratings", ev.official_ratings, ev).set_index("Mã cán bộ")
    assert o.loc["CB00253", "Cơ quan, đơn vị"] == "Trường Đại học Khánh Hòa"
    d = people_table("decisions", ev.decisions, ev)
    names = dict(zip(d["Mã đối tượng"], d["Tên đối tượng"], strict=True))
    assert names["SO_XD"] == "Sở Xây dựng" and names["CB00253"] == "Võ Hữu An"
    assert names["DB_DH_KHANHHOA"] == "Tổ chức cơ sở đảng Trường Đại học Khánh Hòa"
    assert all(names.values())


def test_a_party_organisation_with_its_own_name_keeps_it(tmp_path):
    ev = hostile(tmp_path / "d")
    po = ev.records.party_orgs.copy()
    po["party_org_name"] = ["Đảng bộ Sở Nội vụ", ""]
    ev.records.party_orgs = po
    p = people_table("party_org_classifications", ev.party_org_classifications, ev)
    assert p["Tổ chức cơ sở đảng"].tolist()[0] == "Đảng bộ Sở Nội vụ"
    assert p["Tổ chức cơ sở đảng"].tolist()[1].startswith("Tổ chức cơ sở đảng Sở <Tư> pháp")


def test_years_ranks_scores_and_rates_are_numbers_with_their_formats():
    wb = openpyxl.load_workbook(io.BytesIO(decisions_workbook(sample(), {})))
    ws = wb["Xếp hạng đơn vị"]
    thanh_tra = ws[2]
    assert [c.value for c in thanh_tra[:2]] == [2020, "THANHTRA"]
    year, score, rank, rate = thanh_tra[0], thanh_tra[4], thanh_tra[5], thanh_tra[7]
    assert year.data_type == "n" and isinstance(year.value, int)
    assert score.value == 96.86 and score.number_format == "0.00"
    assert rank.value == 1 and rank.number_format == "0"
    assert rate.value == pytest.approx(0.072) and rate.number_format == "0.00%"  # 7,20% in a Vietnamese Excel
    officials = wb["Xếp loại cán bộ"]
    rates = [r[6] for r in officials.iter_rows(min_row=2) if r[6].value is not None]
    assert rates and all(c.number_format == "0.00%" and c.data_type == "n" for c in rates)
    for ws in wb.worksheets[:5]:
        assert all(isinstance(r[0].value, int) for r in ws.iter_rows(min_row=2)), ws.title


def test_page_setup_prints_on_a4_landscape_one_page_wide_with_the_header_on_every_page():
    wb = openpyxl.load_workbook(io.BytesIO(decisions_workbook(sample(), {})))
    for ws in wb.worksheets[:5]:
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.print_title_rows == "$1:$1"
        assert ws.oddFooter.center.text == "Trang &P/&N"
        assert ws.oddHeader.center.text == f"{ws.title} — năm 2020"
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"


def test_columns_are_as_wide_as_their_content_and_long_texts_wrap():
    wb = openpyxl.load_workbook(io.BytesIO(decisions_workbook(sample(), {})))
    ws = wb["Xếp hạng đơn vị"]
    width = {
        ws.cell(1, j).value: ws.column_dimensions[ws.cell(1, j).column_letter].width for j in range(1, 12)
    }
    longest = max(len(v) for v in sample().unit_ranking["unit_name"])
    assert width["Cơ quan, đơn vị"] >= longest * 0.9
    assert width["Năm"] < 10 < width["Mã đơn vị"] < width["Cơ quan, đơn vị"]
    d = wb["Căn cứ quyết định"]
    evidence = [c for c in d[1] if c.value == "Số liệu làm căn cứ"][0].column_letter
    assert d.column_dimensions[evidence].width <= 60
    assert d[f"{evidence}2"].alignment.wrap_text
    tall = [r for r, dim in d.row_dimensions.items() if r > 1 and dim.height and dim.height > 16]
    assert tall, "rows with wrapped text are given the height of their lines"


def test_the_info_sheet_says_what_the_tables_come_from():
    ev = scoring.evaluate(sample().records, 2020, crit().with_overrides({"unit_late_threshold_percent": 12}))
    wb = openpyxl.load_workbook(io.BytesIO(decisions_workbook(ev, {})))
    info = {r[0]: r[1] for r in wb[INFO_SHEET].iter_rows(values_only=True) if r[0]}
    assert info["Năm đánh giá"] == 2020
    assert info["SHA-256 bộ tiêu chí"] == crit().sha256
    changed = info["Tham số thay đổi so với bộ tiêu chí"]
    assert changed.startswith("Ngưỡng tỷ lệ hồ sơ trễ hạn của cơ quan, đơn vị")
    assert "Giá trị dùng: 12 (bộ tiêu chí: 10; mục II.2; mã tham số unit_late_threshold_percent)" in changed
    plain = openpyxl.load_workbook(io.BytesIO(decisions_workbook(sample(), {})))[INFO_SHEET]
    rows = {r[0]: r[1] for r in plain.iter_rows(values_only=True) if r[0]}
    assert rows["Tham số thay đổi so với bộ tiêu chí"] == "không"
    assert info["SHA-256 dữ liệu: units.csv"] == ev.records.input_sha256["units.csv"]


# -- every cell, three readers --------------------------------------------------------------


@pytest.mark.parametrize("which", ["sample", "hostile"])
def test_openpyxl_and_calamine_read_every_cell_as_written(which, tmp_path):
    ev = sample() if which == "sample" else hostile(tmp_path / "d")
    body = decisions_workbook(ev, {})
    want = expected(ev)
    if which == "hostile":  # a tab is kept; the names look like formulas and stay text
        flat = [v for rows in want.values() for r in rows for v in r]
        assert '=HYPERLINK("http://example.invalid","Sở Nội vụ")' in flat and "-Lê Thị Bình" in flat
    assert_cells(read_openpyxl(body), want, "openpyxl")
    assert_cells(read_calamine(body), want, "calamine")


@pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed (apt install libreoffice-calc-nogui)"
)
def test_libreoffice_reads_every_cell_as_written(tmp_path):
    ev = hostile(tmp_path / "d")
    src = tmp_path / "in" / "decisions.xlsx"
    src.parent.mkdir()
    src.write_bytes(decisions_workbook(ev, {}))
    out = tmp_path / "out"
    # LibreOffice opens our file and saves its own copy, which openpyxl then reads
    proc = subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--convert-to", "xlsx",
         "--outdir", str(out), str(src)],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert proc.returncode == 0 and (out / "decisions.xlsx").exists(), proc.stderr
    resaved = (out / "decisions.xlsx").read_bytes()
    assert_cells(read_openpyxl(resaved), expected(ev), "LibreOffice", digits=15)
    wb = openpyxl.load_workbook(io.BytesIO(resaved))
    assert wb["Xếp hạng đơn vị"]["H2"].number_format.endswith("%")


# -- byte-identical, stamped, formula-safe ---------------------------------------------------


def test_the_same_evaluation_gives_the_same_bytes_and_no_clock_inside(tmp_path):
    a = decisions_workbook(sample(), {"year": "2020"})
    again = scoring.evaluate(scoring.load_records(None, crit()), 2020, crit())
    assert decisions_workbook(again, {"year": "2020"}) == a
    with zipfile.ZipFile(io.BytesIO(a)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
        assert "dcterms:created" not in core and "dcterms:modified" not in core


def test_the_export_stamps_the_workbook_with_the_manifest(tmp_path):
    write_outputs(sample(), tmp_path / "out")
    wb = openpyxl.load_workbook(tmp_path / "out" / "decisions.xlsx")
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["criteria_sha256"] == crit().sha256
    assert props["input_sha256:units.csv"] == sample().records.input_sha256["units.csv"]


def test_formula_looking_text_stays_text_in_every_cell(tmp_path):
    ev = hostile(tmp_path / "d")
    wb = openpyxl.load_workbook(io.BytesIO(decisions_workbook(ev, {})))
    starts = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f"
                if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")):
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate, c.value)
                    starts += 1
    assert starts >= 6  # the unit, the official names, in several sheets


def test_a_scenario_named_like_a_formula_is_written_as_text(tmp_path):
    ev = sample()
    sc = Scenario("=cmd|' /C calc'!A0", {"unit_late_threshold_percent": 12})
    alt = run(ev.records, 2020, crit(), sc)
    body = scenario_workbook(alt, compare(ev, alt), sc, {})
    ws = openpyxl.load_workbook(io.BytesIO(body))["Kịch bản"]
    cell = ws["B1"]
    assert cell.value == sc.name and cell.data_type == "s" and cell.quotePrefix
    params = {r[0]: r[1:3] for r in ws.iter_rows(values_only=True) if r[0]}
    assert params["unit_late_threshold_percent"] == (10, 12)


def test_the_scenario_workbook_reads_back_cell_for_cell(tmp_path):
    base = sample()
    sc = Scenario("ngưỡng 12%", {"unit_late_threshold_percent": 12})
    alt, changes, _ = write_scenario(base.records, 2020, crit(), sc, tmp_path / "out")
    body = (tmp_path / "out" / "scenario_decisions.xlsx").read_bytes()
    want = expected(alt)
    table = people_table("changes", changes, alt)
    want["Thay đổi so với gốc"] = [list(table.columns)] + [
        [_cell(v) for v in r] for r in table.astype(object).itertuples(index=False, name=None)
    ]
    assert_cells(read_openpyxl(body), want, "openpyxl")
    assert_cells(read_calamine(body), want, "calamine")
    so_xd = table[table["Mã đối tượng"] == "SO_XD"]
    assert set(so_xd["Tên đối tượng"]) == {"Sở Xây dựng"}
    assert "không còn áp dụng" in set(so_xd["Thay đổi"])
    assert "Thi đua, khen thưởng" in set(so_xd["Nội dung"])


# -- the writer on its own ------------------------------------------------------------------


def test_the_writer_keeps_texts_that_xml_or_excel_would_change():
    texts = ["a_x0041_b", "<&>\r\n", "  hai khoảng trắng ", "Đ", "x\x0by"]
    body = workbook_bytes([Sheet("T", [Column("Văn bản", texts)])])
    got = [r[0] for r in read_openpyxl(body)["T"][1:]]
    assert got == texts[:4] + ["x\ufffdy"]  # XML cannot hold \x0b: U+FFFD (the CSV keeps it)
    assert [r[0] for r in read_calamine(body)["T"][1:]] == got


@pytest.mark.parametrize(
    "text, shown",
    [
        ("a & b", "a & b"),
        ("1 < 2", "1 < 2"),
        ("2 > 1", "2 > 1"),
        ("dòng\rmới", "dòng\rmới"),
        ("mã_x0041_", "mã_x0041_"),
        ("x\x01y", "x\ufffdy"),
        ("x\ufffey", "x\ufffdy"),
        ("ký hiệu \uff21", "ký hiệu \uff21"),  # a full-width letter: its first byte is 0xEF too
    ],
)
def test_a_text_with_one_character_to_escape_among_plain_texts_reads_back(text, shown):
    # each escape is made only when the texts hold its character: one such text must be enough
    texts = ["Nguyễn Văn An", "SO_XD", text, "Sở Nội vụ"]
    body = workbook_bytes([Sheet("T", [Column("Văn bản", texts)])])
    want = [texts[0], texts[1], shown, texts[3]]
    assert [r[0] for r in read_openpyxl(body)["T"][1:]] == want
    assert [r[0] for r in read_calamine(body)["T"][1:]] == want


def test_column_widths_count_capitals_wider_and_narrow_letters_narrower():
    got = text_widths(pa.array(["I", "m", "M", "Á", "A\u0301", "a", "9", "", None], type=pa.string()))
    # I is a capital (+0.4) and narrow (-0.44); M a capital and wide (+0.5); Á decomposed is one
    # letter once composed; a digit is the unit
    want = [1 + 0.4 - 0.44, 1.5, 1 + 0.4 + 0.5, 1.4, 1.4, 1 - 0.15, 1.0, 0.0, 0.0]
    assert np.allclose(got, np.array(want) * 1.03)


def test_a_text_longer_than_a_cell_is_cut_with_a_mark_and_a_notice():
    notices: list[str] = []
    body = workbook_bytes([Sheet("T", [Column("A", ["x" * (MAX_CELL_CHARS + 10), "ngắn"])])], notices=notices)
    got = read_openpyxl(body)["T"]
    assert len(got[1][0]) == MAX_CELL_CHARS and got[1][0].endswith("[đã cắt bớt]")
    assert got[2][0] == "ngắn"
    assert len(notices) == 1 and "32.767" in notices[0]


def test_an_empty_table_is_a_header_row_with_its_filter():
    body = workbook_bytes([Sheet("Trống", [Column("Năm", [], "int"), Column("Tên", [])])])
    wb = openpyxl.load_workbook(io.BytesIO(body))
    ws = wb["Trống"]
    assert [c.value for c in ws[1]] == ["Năm", "Tên"] and ws.max_row == 1
    assert ws.auto_filter.ref == "A1:B1"


@pytest.mark.parametrize("name", ["", "a" * 32, "Tab[1]", "a/b"])
def test_a_sheet_name_excel_refuses_is_refused(name):
    with pytest.raises(ValueError, match="sheet name"):
        workbook_bytes([Sheet(name, [Column("A", ["x"])])])


# -- a CSV for Excel under Vietnamese regional settings --------------------------------------


def _cli(*args: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()):
        return main(list(args))


def test_csv_dialect_vn_writes_semicolons_and_decimal_commas_with_the_same_values(tmp_path):
    data = make_dataset(
        tmp_path / "d",
        units=[("U1", "Sở Nội vụ; Ban Thi đua", SO), ("U2", "Sở Tư pháp", SO)],
        reform_results=[(2020, "U1", "84.995", ""), (2020, "U2", "90.5", "")],
        unit_dossiers=[(2020, "U1", 120, 14), (2020, "U2", 50, 0)],
        officials=[(2020, "CB1", "=1+1", "U1", "head", HTT)],
    )
    assert _cli("evaluate", str(data), "--year", "2020", "--out", str(tmp_path / "std")) == 0
    assert (
        _cli("evaluate", str(data), "--year", "2020", "--out", str(tmp_path / "vn"), "--csv-dialect", "vn")
        == 0
    )
    raw = (tmp_path / "vn" / "unit_ranking.csv").read_text(encoding="utf-8-sig")
    assert raw.splitlines()[0].startswith("year;unit_id;unit_name;group;score;")
    assert '"Sở Nội vụ; Ban Thi đua"' in raw and ";85,00;" in raw and ";0,116667;" in raw
    for table in TABLES:
        std = pd.read_csv(tmp_path / "std" / f"{table}.csv", encoding="utf-8-sig", keep_default_na=False)
        vn = pd.read_csv(
            tmp_path / "vn" / f"{table}.csv",
            encoding="utf-8-sig",
            sep=";",
            decimal=",",
            keep_default_na=False,
        )
        pd.testing.assert_frame_equal(std, vn, check_dtype=False)
    officials = (tmp_path / "vn" / "official_ratings.csv").read_text(encoding="utf-8-sig")
    assert ";'=1+1;" in officials  # formula text neutralised as in the standard dialect
    assert json.loads((tmp_path / "vn" / "manifest.json").read_text())["csv_dialect"] == "vn"
    assert json.loads((tmp_path / "std" / "manifest.json").read_text())["csv_dialect"] == "standard"


def test_whatif_writes_its_changes_in_the_chosen_dialect(tmp_path):
    sample_dir = str(scoring.sample.sample_path())
    args = ["whatif", sample_dir, "--year", "2020", "--set", "unit_late_threshold_percent=12"]
    assert _cli(*args, "--out", str(tmp_path / "vn"), "--csv-dialect", "vn") == 0
    assert _cli(*args, "--out", str(tmp_path / "std")) == 0
    vn = (tmp_path / "vn" / "changes.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    std = (tmp_path / "std" / "changes.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert vn == std.replace(",", ";") and vn.startswith("year;subject_type;")
