"""Validation of the input tables (issue "Nothing lost, nothing trusted blindly", SPEC §3).

Each kind of bad input is one case: a small valid data folder with one fault put in a known
row. The command line (`scoring.cli.main`, what `python -m scoring evaluate` runs) must exit 2,
print a Vietnamese message naming the file, the row as seen in the file (header = row 1), the
column, the value and what was expected, and write nothing: the --out folder (and its parent)
must not exist afterwards. A few cases run the real `python -m scoring` in a subprocess, to see
what a user sees on stderr (no traceback).
"""

from __future__ import annotations

import contextlib
import functools
import io
import subprocess
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import scoring
from scoring.cli import main
from scoring.records import MAX_ROWS_PER_PROBLEM, ValidationError, load_records

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def criteria(path=None):
    return scoring.load_criteria(path)


@pytest.fixture(autouse=True)
def _criteria_read_once(monkeypatch):
    """The criteria file is parsed once for the module (a run never mutates it)."""
    monkeypatch.setattr("scoring.cli.load_criteria", criteria)


# A small valid data set. Rows are numbered as in the file: the header is row 1.
BASE = {
    "units": [
        "unit_id,unit_name,group,party_org_id",
        'SO_NV,Sở Nội vụ,"Sở, ban, ngành",DB_SO_NV',  # row 2
        'SO_TP,Sở Tư pháp,"Sở, ban, ngành",DB_SO_TP',  # row 3
        "UB_KV,UBND huyện Khánh Vĩnh,UBND cấp huyện,DB_UB_KV",  # row 4
    ],
    "reform_results": [
        "year,unit_id,score,band",
        "2019,SO_NV,88.50,",  # row 2
        "2019,SO_TP,,Khá",  # row 3
        "2019,UB_KV,91.31,",  # row 4
        "2020,SO_NV,84.995,",  # row 5
        "2020,SO_TP,69.99,",  # row 6
        "2020,UB_KV,91.04,",  # row 7
    ],
    "unit_dossiers": [
        "year,unit_id,handled,late",
        "2020,SO_NV,200,20",  # row 2
        "2020,SO_TP,150,3",  # row 3
        "2020,UB_KV,1000,99",  # row 4
    ],
    "officials": [
        "year,official_id,full_name,unit_id,role,proposed_rating",
        "2019,CB1,Nguyễn Văn An,SO_NV,head,Hoàn thành tốt nhiệm vụ",  # row 2
        "2019,CB3,Trần Thị Bình,SO_TP,head,HTXSNV",  # row 3
        "2020,CB1,Nguyễn Văn An,SO_NV,head,Hoàn thành xuất sắc nhiệm vụ",  # row 4
        "2020,CB2,Lê Văn Cường,SO_NV,công chức,Hoàn thành tốt nhiệm vụ",  # row 5
        "2020,CB3,Trần Thị Bình,SO_TP,người đứng đầu,Hoàn thành tốt nhiệm vụ",  # row 6
        "2020,CB4,Phạm Minh Đức,UB_KV,head,HTTNV",  # row 7
    ],
    "official_dossiers": [
        "year,official_id,handled,late",
        "2020,CB1,50,6",  # row 2
        "2020,CB2,80,8",  # row 3
        "2019,CB3,40,0",  # row 4
    ],
    "party_orgs": [
        "year,party_org_id,unit_id,proposed_classification",
        "2020,DB_SO_NV,SO_NV,Hoàn thành xuất sắc nhiệm vụ",  # row 2
        "2020,DB_SO_TP,SO_TP,Hoàn thành tốt nhiệm vụ",  # row 3
        "2020,DB_UB_KV,UB_KV,HTXSNV",  # row 4
    ],
}


def write(folder: Path, tables: dict[str, list[str]] | None = None, **raw: bytes) -> Path:
    """The data folder: BASE with some tables replaced (lists of lines), or raw bytes per file."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in {**BASE, **(tables or {})}.items():
        if lines is not None:
            (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, body in raw.items():
        (folder / f"{name}.csv").write_bytes(body)
    return folder


def replace(table: str, row: int, old: str, new: str) -> dict[str, list[str]]:
    """BASE's `table` with `old` replaced by `new` in the given file row (header = 1)."""
    lines = list(BASE[table])
    assert old in lines[row - 1], (lines[row - 1], old)
    lines[row - 1] = lines[row - 1].replace(old, new, 1)
    return {table: lines}


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Text as a Windows-1258 export writes it: letters with their hat or horn, the tone apart.

    Python's codec has no precomposed "ở" or "ộ" (`"Sở Nội vụ".encode("cp1258")` raises): the
    code page writes the base letter (ơ, ô, …) and then a combining tone mark.
    """
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
            out += base.encode("cp1258") + "".join(c for c in d if c in _TONES).encode("cp1258")
    return out


def test_cp1258_helper_round_trips():
    body = cp1258("Sở Nội vụ")
    assert unicodedata.normalize("NFC", body.decode("cp1258")) == "Sở Nội vụ"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def run_cli(data: Path, tmp_path: Path, year: int = 2020, *extra: str):
    """Run `python -m scoring evaluate` in process; return (exit status, stderr, out folder)."""
    out = tmp_path / "results" / "out"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = main(["evaluate", str(data), "--year", str(year), "--out", str(out), *extra])
    return rc, err.getvalue(), out


def assert_rejected(tmp_path: Path, stderr: str, out: Path, *fragments: str) -> None:
    assert "Traceback" not in stderr
    assert stderr.startswith("Dữ liệu đầu vào có"), stderr
    for fragment in fragments:
        assert fragment in stderr, f"«{fragment}» not in:\n{stderr}"
    assert not out.exists() and not out.parent.exists(), "nothing may be written"


# (id, tables to replace, raw files, fragments the message must contain)
CASES = [
    (
        "misspelt column",
        replace("units", 1, "unit_id", "unit_idd"),
        {},
        ["units.csv, dòng 1, cột unit_id", "thiếu cột bắt buộc unit_id", "«unit_idd»", "viết sai tên"],
    ),
    (
        "missing column",
        {"party_orgs": [line.rsplit(",", 1)[0] for line in BASE["party_orgs"]]},
        {},
        ["party_orgs.csv, dòng 1, cột proposed_classification", "thiếu cột bắt buộc"],
    ),
    (
        "non-integer year",
        replace("reform_results", 3, "2019", "2019a"),
        {},
        ["reform_results.csv, dòng 3, cột year: giá trị «2019a»", "cần năm là số nguyên"],
    ),
    (
        "fractional year",
        replace("officials", 5, "2020", "2020.5"),
        {},
        ["officials.csv, dòng 5, cột year: giá trị «2020.5»", "cần năm là số nguyên"],
    ),
    (
        "blank year",
        replace("unit_dossiers", 3, "2020", ""),
        {},
        ["unit_dossiers.csv, dòng 3, cột year: giá trị «»", "không được để trống"],
    ),
    (
        "non-numeric count",
        replace("unit_dossiers", 2, "200", "hai trăm"),
        {},
        ["unit_dossiers.csv, dòng 2, cột handled: giá trị «hai trăm»", "cần số nguyên không âm"],
    ),
    (
        "negative count",
        replace("official_dossiers", 3, "80,8", "80,-8"),
        {},
        ["official_dossiers.csv, dòng 3, cột late: giá trị «-8»", "cần số nguyên không âm"],
    ),
    (
        "fractional count",
        replace("official_dossiers", 2, ",50,", ",50.5,"),
        {},
        ["official_dossiers.csv, dòng 2, cột handled: giá trị «50.5»", "cần số nguyên không âm"],
    ),
    (
        "thousands dot in a comma file",
        replace("unit_dossiers", 4, "1000", "1.000"),
        {},
        ["unit_dossiers.csv, dòng 4, cột handled: giá trị «1.000»", "phân cách hàng nghìn"],
    ),
    (
        "late above handled",
        replace("unit_dossiers", 3, "150,3", "150,151"),
        {},
        ["unit_dossiers.csv, dòng 3, cột late: giá trị «151»", "không được lớn hơn số hồ sơ đã giải quyết"],
    ),
    (
        "score above 100",
        replace("reform_results", 6, "69.99", "100.01"),
        {},
        ["reform_results.csv, dòng 6, cột score: giá trị «100.01»", "từ 0 đến 100"],
    ),
    (
        "negative score",
        replace("reform_results", 4, "91.31", "-1"),
        {},
        ["reform_results.csv, dòng 4, cột score: giá trị «-1»", "từ 0 đến 100"],
    ),
    (
        "non-numeric score",
        replace("reform_results", 2, "88.50", "tám mươi"),
        {},
        ["reform_results.csv, dòng 2, cột score: giá trị «tám mươi»", "từ 0 đến 100"],
    ),
    (
        "neither score nor band",
        replace("reform_results", 7, "91.04", ""),
        {},
        ["reform_results.csv, dòng 7, cột score/band", "không được để trống cả hai"],
    ),
    (
        "unknown unit in officials",
        replace("officials", 7, "UB_KV", "UB_KVV"),
        {},
        ["officials.csv, dòng 7, cột unit_id: giá trị «UB_KVV»", "không có trong bảng units"],
    ),
    (
        "unknown unit in reform_results",
        replace("reform_results", 5, "SO_NV", "SO_NOIVU"),
        {},
        ["reform_results.csv, dòng 5, cột unit_id: giá trị «SO_NOIVU»", "không có trong bảng units"],
    ),
    (
        "unknown unit in party_orgs",
        replace("party_orgs", 4, ",UB_KV,", ",UB_XX,"),
        {},
        ["party_orgs.csv, dòng 4, cột unit_id: giá trị «UB_XX»", "không có trong bảng units"],
    ),
    (
        "unknown official in official_dossiers",
        replace("official_dossiers", 3, "CB2", "CB9"),
        {},
        ["official_dossiers.csv, dòng 3, cột official_id: giá trị «CB9»", "không có trong bảng officials"],
    ),
    (
        "official of another year in official_dossiers",
        replace("official_dossiers", 3, "2020", "2019"),
        {},
        ["official_dossiers.csv, dòng 3, cột official_id: giá trị «CB2»", "của cùng năm"],
    ),
    (
        "unknown party organisation in units",
        replace("units", 3, "DB_SO_TP", "DB_SO_TPP"),
        {},
        ["units.csv, dòng 3, cột party_org_id: giá trị «DB_SO_TPP»", "không có trong bảng party_orgs"],
    ),
    (
        "party organisation attached to another unit",
        replace("party_orgs", 3, ",SO_TP,", ",UB_KV,"),
        {},
        ["party_orgs.csv, dòng 3, cột unit_id: giá trị «UB_KV»", "thuộc đơn vị SO_TP theo bảng units"],
    ),
    (
        "unknown rating",
        replace("officials", 6, "Hoàn thành tốt nhiệm vụ", "Tốt lắm"),
        {},
        [
            "officials.csv, dòng 6, cột proposed_rating: giá trị «Tốt lắm»",
            "cần một trong",
            "Hoàn thành xuất sắc nhiệm vụ / Hoàn thành tốt nhiệm vụ / Hoàn thành nhiệm vụ",
        ],
    ),
    (
        "unknown classification",
        replace("party_orgs", 2, "Hoàn thành xuất sắc nhiệm vụ", "Vững mạnh"),
        {},
        ["party_orgs.csv, dòng 2, cột proposed_classification: giá trị «Vững mạnh»", "Trong sạch, vững mạnh"],
    ),
    (
        "unknown band",
        replace("reform_results", 3, "Khá", "Giỏi"),
        {},
        ["reform_results.csv, dòng 3, cột band: giá trị «Giỏi»", "Tốt / Khá / Trung bình / Yếu"],
    ),
    (
        "unknown role",
        replace("officials", 5, "công chức", "trưởng phòng"),
        {},
        ["officials.csv, dòng 5, cột role: giá trị «trưởng phòng»", "head (", "deputy (", "staff ("],
    ),
    (
        "blank role",
        replace("officials", 4, ",head,", ",,"),
        {},
        ["officials.csv, dòng 4, cột role", "không được để trống"],
    ),
    (
        "blank unit id",
        replace("reform_results", 6, "SO_TP", ""),
        {},
        ["reform_results.csv, dòng 6, cột unit_id", "cần mã, không được để trống"],
    ),
    (
        "a unit twice",
        {"units": BASE["units"] + ['SO_NV,Sở Nội vụ (bản sao),"Sở, ban, ngành",']},
        {},
        ["units.csv, dòng 5, cột unit_id: giá trị «SO_NV»", "trùng khóa (unit_id)", "đã có ở dòng 2"],
    ),
    (
        "an official twice in a year",
        {"officials": BASE["officials"] + ["2020,CB2,Lê Văn Cường,SO_TP,staff,HTTNV"]},
        {},
        ["officials.csv, dòng 8, cột official_id: giá trị «CB2»", "trùng khóa (year, official_id)", "dòng 5"],
    ),
    (
        "a unit's result twice in a year",
        {"reform_results": BASE["reform_results"] + ["2020,SO_TP,70.00,"]},
        {},
        ["reform_results.csv, dòng 8, cột unit_id: giá trị «SO_TP»", "trùng khóa (year, unit_id)", "dòng 6"],
    ),
    (
        "a party organisation twice in a year",
        {"party_orgs": BASE["party_orgs"] + ["2020,DB_SO_TP,SO_TP,HTTNV"]},
        {},
        ["party_orgs.csv, dòng 5, cột party_org_id: giá trị «DB_SO_TP»", "trùng khóa"],
    ),
    ("empty file", {}, {"units": b""}, ["units.csv: tệp rỗng"]),
    (
        "header-only required table",
        {"officials": BASE["officials"][:1]},
        {},
        ["officials.csv: không có dòng dữ liệu nào"],
    ),
    ("missing required table", {"reform_results": None}, {}, ["thiếu bảng bắt buộc reform_results"]),
    (
        "Windows-1258 text",
        {},
        {"units": cp1258("\n".join(BASE["units"]))},
        ["units.csv, dòng 2", "không phải mã UTF-8", "Windows-1258", "CSV UTF-8"],
    ),
    (
        "UTF-16 text",
        {},
        {"units": "\n".join(BASE["units"]).encode("utf-16")},
        ["units.csv", "UTF-16", "CSV UTF-8"],
    ),
    (
        "a row with fewer fields than the header",
        replace("unit_dossiers", 3, "150,3", "150"),
        {},
        ["unit_dossiers.csv, dòng 3, cột late: giá trị «»", "không được để trống"],
    ),
    (
        "a row with more fields than the header",
        replace("unit_dossiers", 3, "150,3", "150,3,7"),
        {},
        ["unit_dossiers.csv, dòng 3", "nhiều hơn 4 cột"],
    ),
]


@pytest.mark.parametrize(("tables", "raw", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_kind_of_bad_input_exits_2_names_it_and_writes_nothing(tmp_path, tables, raw, fragments):
    data = write(tmp_path / "data", tables, **raw)
    rc, stderr, out = run_cli(data, tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, *fragments)


def test_the_base_data_is_valid(tmp_path):
    rc, stderr, out = run_cli(write(tmp_path / "data"), tmp_path)
    assert rc == 0, stderr
    assert (out / "unit_ranking.csv").exists()


def test_every_problem_of_one_file_is_listed_in_one_pass(tmp_path):
    lines = list(BASE["officials"])
    lines[2] = lines[2].replace("2019", "20l9")  # row 3: a letter l for a one
    lines[4] = lines[4].replace("công chức", "chuyên viên")  # row 5: not a role
    rc, stderr, out = run_cli(write(tmp_path / "data", {"officials": lines}), tmp_path)
    assert rc == 2
    assert "có 2 lỗi" in stderr
    assert_rejected(
        tmp_path,
        stderr,
        out,
        "officials.csv, dòng 3, cột year: giá trị «20l9»",
        "officials.csv, dòng 5, cột role: giá trị «chuyên viên»",
    )
    # the dossier row of the official whose year is unreadable is not reported again
    assert "official_dossiers.csv" not in stderr
    assert stderr.index("dòng 3") < stderr.index("dòng 5")


def test_problems_of_several_files_are_listed_in_one_pass(tmp_path):
    tables = {
        **replace("units", 1, "unit_id", "unit_idd"),
        **replace("unit_dossiers", 4, "1000,99", "100,990"),
        **replace("party_orgs", 3, "Hoàn thành tốt nhiệm vụ", "Khá"),
    }
    rc, stderr, out = run_cli(write(tmp_path / "data", tables), tmp_path)
    assert rc == 2
    assert_rejected(
        tmp_path,
        stderr,
        out,
        "units.csv, dòng 1, cột unit_id",
        "unit_dossiers.csv, dòng 4, cột late: giá trị «990»",
        "party_orgs.csv, dòng 3, cột proposed_classification: giá trị «Khá»",
    )
    # tables in the contract's order
    assert stderr.index("units.csv") < stderr.index("unit_dossiers.csv") < stderr.index("party_orgs.csv")


def test_a_missing_column_does_not_hide_the_other_problems_of_its_table(tmp_path):
    lines = [line.replace("full_name", "ho_ten") for line in BASE["officials"]]
    lines[3] = lines[3].replace("2020", "hai nghìn")
    rc, stderr, out = run_cli(write(tmp_path / "data", {"officials": lines}), tmp_path)
    assert rc == 2
    assert_rejected(
        tmp_path,
        stderr,
        out,
        "officials.csv, dòng 1, cột full_name: thiếu cột bắt buộc",
        "officials.csv, dòng 4, cột year: giá trị «hai nghìn»",
    )


def test_a_bad_count_is_not_also_reported_as_late_above_handled(tmp_path):
    tables = replace("unit_dossiers", 2, "200,20", "abc,20")
    rc, stderr, out = run_cli(write(tmp_path / "data", tables), tmp_path)
    assert rc == 2 and "có 1 lỗi" in stderr, stderr


def test_a_bad_year_is_not_also_reported_as_a_duplicate(tmp_path):
    lines = BASE["officials"] + [
        "20x0,CB2,Lê Văn Cường,SO_NV,staff,HTTNV",
        "20x0,CB2,Lê Văn Cường,SO_NV,staff,HTTNV",
    ]
    rc, stderr, out = run_cli(write(tmp_path / "data", {"officials": lines}), tmp_path)
    assert rc == 2
    assert "trùng khóa" not in stderr and "có 2 lỗi" in stderr, stderr


# -- rows as seen in the file -------------------------------------------------------------


def test_row_numbers_count_blank_lines_in_a_csv(tmp_path):
    lines = list(BASE["reform_results"])
    lines[4:4] = ["", "", ",,,"]  # two blank lines and an Excel-style empty row before row 5
    lines[7] = lines[7].replace("84.995", "84,99,5")  # now file row 8
    body = "\n".join(lines).replace("84,99,5", '"84,99,5"')
    data = write(tmp_path / "data", reform_results=(body + "\n").encode())
    rc, stderr, out = run_cli(data, tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "reform_results.csv, dòng 8, cột score: giá trị «84,99,5»")


def test_a_quoted_value_on_two_lines_is_one_row(tmp_path):
    lines = list(BASE["units"])
    lines[1] = lines[1].replace("Sở Nội vụ", '"Sở Nội vụ\ntỉnh Khánh Hòa"')
    lines.append("UB_XX,,UBND cấp huyện,")  # row 5 in Excel (the two-line cell is one row)
    rc, stderr, out = run_cli(write(tmp_path / "data", {"units": lines}), tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "units.csv, dòng 5, cột unit_name")


def _workbook(path: Path, tables: dict[str, list[str]], blank_rows: dict[str, int] | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, lines in tables.items():
        ws = wb.create_sheet(name)
        df = pd.read_csv(io.StringIO("\n".join(lines)), dtype=str, keep_default_na=False)
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append([int(v) if v.isdigit() else (v or None) for v in row])
        if blank_rows and name in blank_rows:
            ws.insert_rows(blank_rows[name], 2)
    wb.save(path)
    return path


def test_row_numbers_count_blank_rows_in_an_excel_sheet(tmp_path):
    tables = {**BASE, **replace("officials", 6, "người đứng đầu", "giám đốc")}
    book = _workbook(tmp_path / "data.xlsx", tables, blank_rows={"officials": 3})
    rc, stderr, out = run_cli(book, tmp_path)
    assert rc == 2
    # row 6 of the CSV is row 8 of the sheet after two blank rows inserted at row 3
    assert_rejected(tmp_path, stderr, out, "data.xlsx, trang officials, dòng 8, cột role: giá trị «giám đốc»")


def test_an_excel_sheet_whose_header_is_not_in_row_1(tmp_path):
    book = _workbook(tmp_path / "data.xlsx", {**BASE, **replace("units", 3, "Sở Tư pháp", "")})
    wb = openpyxl.load_workbook(book)
    wb["units"].insert_rows(1, 2)  # a title block above the table
    wb["units"]["A1"] = None
    wb.save(book)
    rc, stderr, out = run_cli(book, tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "data.xlsx, trang units, dòng 5, cột unit_name")


# -- forms that are valid ------------------------------------------------------------------


def _decisions(out: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8-sig") for p in sorted(out.glob("*.csv"))}


def test_semicolons_decimal_comma_and_bom_give_the_same_decisions(tmp_path):
    rc, _, plain = run_cli(write(tmp_path / "a"), tmp_path / "ra")
    assert rc == 0
    vn = {}
    for name, lines in BASE.items():
        df = pd.read_csv(io.StringIO("\n".join(lines)), dtype=str, keep_default_na=False)
        if "score" in df:
            df["score"] = df["score"].str.replace(".", ",", regex=False)
        if "handled" in df:
            df["handled"] = df["handled"].str.replace("1000", "1.000", regex=False)  # thousands dot
        vn[name] = ("\ufeff" + df.to_csv(sep=";", index=False)).encode("utf-8")
    rc, stderr, semi = run_cli(write(tmp_path / "b", {k: None for k in BASE}, **vn), tmp_path / "rb")
    assert rc == 0, stderr
    assert _decisions(semi) == _decisions(plain)


def test_semicolon_file_reports_rows_and_values_as_written(tmp_path):
    body = "\ufeffyear;unit_id;score;band\n2019;SO_NV;88,5;\n2019;SO_TP;;Khá\n\n2019;UB_KV;91,31;\n2020;SO_NV;84,995;\n2020;SO_TP;101,5;\n2020;UB_KV;91,04;\n"
    data = write(tmp_path / "data", {"reform_results": None}, reform_results=body.encode())
    rc, stderr, out = run_cli(data, tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "reform_results.csv, dòng 7, cột score: giá trị «101,5»")


def test_a_header_only_optional_table_is_no_data_and_is_said(tmp_path):
    data = write(tmp_path / "data", {"official_dossiers": BASE["official_dossiers"][:1]})
    recs = load_records(data, criteria())
    assert len(recs.official_dossiers) == 0
    assert any("official_dossiers.csv không có dòng dữ liệu nào" in n for n in recs.notes)


def test_an_unknown_group_is_kept_and_noted_with_the_likely_one(tmp_path):
    data = write(tmp_path / "data", replace("units", 3, '"Sở, ban, ngành"', "So ban nganh"))
    recs = load_records(data, criteria())
    assert recs.units["group"].tolist()[1] == "So ban nganh"
    assert any("«So ban nganh» (có phải «Sở, ban, ngành»?)" in n for n in recs.notes), recs.notes


def test_thousands_dots_and_zero_decimals_are_read_in_a_semicolon_file(tmp_path):
    body = "year;unit_id;handled;late\n2020;SO_NV;1.200;20\n2020,0;SO_TP;150;3,0\n2020;UB_KV;1000;99\n"
    data = write(tmp_path / "data", {"unit_dossiers": None}, unit_dossiers=body.encode())
    d = load_records(data, criteria()).unit_dossiers
    assert d["handled"].tolist() == [1200, 150, 1000]
    assert d["late"].tolist() == [20, 3, 99]
    assert d["year"].tolist() == [2020, 2020, 2020]


def test_parquet_rows_are_records_counted_from_1(tmp_path):
    data = write(tmp_path / "data", {"unit_dossiers": None})
    df = pd.DataFrame(
        {"year": [2020, 2020], "unit_id": ["SO_NV", "SO_TP"], "handled": [10, 5], "late": [1, 6]}
    )
    df.to_parquet(data / "unit_dossiers.parquet")
    with pytest.raises(ValidationError) as exc:
        load_records(data, criteria())
    (p,) = exc.value.problems
    assert (p.where, p.row, p.column, p.value) == ("unit_dossiers.parquet", 2, "late", "6")


# -- the API and the limits of a report ---------------------------------------------------


def test_problems_are_structured_for_callers(tmp_path):
    with pytest.raises(ValidationError) as exc:
        load_records(write(tmp_path / "data", replace("reform_results", 6, "69.99", "abc")), criteria())
    (p,) = exc.value.problems
    assert (p.where, p.row, p.column, p.value) == ("reform_results.csv", 6, "score", "abc")
    assert isinstance(exc.value, ValueError)


def test_a_million_bad_cells_make_a_short_report(tmp_path):
    n = 500
    lines = BASE["unit_dossiers"][:1] + [f"2020,SO_NV{i},x,1" for i in range(n)]
    with pytest.raises(ValidationError) as exc:
        load_records(write(tmp_path / "data", {"unit_dossiers": lines}), criteria())
    text = str(exc.value)
    handled = [p for p in exc.value.problems if p.column == "handled"]
    assert len(handled) == MAX_ROWS_PER_PROBLEM + 1
    assert f"… và {n - MAX_ROWS_PER_PROBLEM} dòng khác" in text
    assert text.count("\n") < 100


def test_an_evaluated_year_without_records_exits_2(tmp_path):
    rc, stderr, out = run_cli(write(tmp_path / "data"), tmp_path, 2031)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "năm đánh giá không có dữ liệu nào", "2019, 2020")


def test_inputs_are_not_modified_by_a_rejected_run(tmp_path):
    data = write(tmp_path / "data", replace("officials", 7, "UB_KV", "UB_KVV"))
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    rc, _, _ = run_cli(data, tmp_path)
    assert rc == 2
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before


# -- what a user sees: the real command ----------------------------------------------------


def _python_m(tmp_path: Path, data: Path, year: int = 2020):
    out = tmp_path / "cli-out"
    proc = subprocess.run(
        [sys.executable, "-m", "scoring", "evaluate", str(data), "--year", str(year), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    return proc, out


def test_held_out_one_and_two_fault_inputs_with_python_m_scoring(tmp_path):
    one = write(tmp_path / "one", replace("official_dossiers", 2, ",6", ",60"))
    # two faults in two files, one of them a Windows-1258 export: a hint, never a traceback
    two = write(
        tmp_path / "two",
        replace("reform_results", 5, "84.995", "84.995.1"),
        officials=cp1258("\n".join(BASE["officials"])),
    )
    for data, count, fragments in (
        (one, 1, ["official_dossiers.csv, dòng 2, cột late: giá trị «60»", "không được lớn hơn"]),
        (
            two,
            2,
            [
                "reform_results.csv, dòng 5, cột score: giá trị «84.995.1»",
                "officials.csv, dòng 2: tệp không phải mã UTF-8",
                "Windows-1258",
            ],
        ),
    ):
        proc, out = _python_m(tmp_path, data)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        assert f"có {count} lỗi" in proc.stderr, proc.stderr
        for fragment in fragments:
            assert fragment in proc.stderr, proc.stderr
        assert not out.exists()
        assert proc.stdout == ""


def test_version_is_exposed():
    assert scoring.__version__


def test_the_quick_repeat_check_sees_a_key_twice_and_says_unsure_for_a_wide_range():
    """_duplicates skips the hashing when a table of the key range shows every key once."""
    import numpy as np

    from scoring.records.references import _repeats

    assert not _repeats(np.array([], dtype=np.int64))
    assert not _repeats(np.array([5, 3, 9, 4], dtype=np.int64))
    assert _repeats(np.array([5, 3, 9, 3], dtype=np.int64))
    assert _repeats(np.array([0, 10**9], dtype=np.int64))  # too wide for a table: the hash decides
