"""Files the way Excel and other tools really make them (issue 8): read as shown, or refused.

Never a wrong result in silence, never a traceback: each case is a real file (workbooks built
with openpyxl or xlsxwriter, a real .xls made by LibreOffice, real TCVN3 and VNI text), read by
the command line or by `load_records`, and either read as the clerk sees it or refused with exit
2 and a Vietnamese message naming the file, the row, the column (or the cell) and the value.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from test_validation import BASE, _criteria_read_once, assert_rejected, criteria, replace, run_cli, write

import scoring
from scoring.records import ValidationError, load_records
from scoring.records.legacy import encode, legacy_encoding
from scoring.scenario import Scenario, apply

assert _criteria_read_once  # the fixture, imported to be used here too

DIGITS = "binary_score_significant_digits"


def frame(table: str, tables=None) -> pd.DataFrame:
    lines = (tables or BASE)[table]
    return pd.read_csv(io.StringIO("\n".join(lines)), dtype=str, keep_default_na=False)


def workbook(path: Path, edit=None, tables=None) -> Path:
    """BASE as a workbook, a sheet per table, numbers as numbers; `edit(wb)` changes cells after."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in BASE:
        df = frame(name, tables)
        ws = wb.create_sheet(name)
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append([_number(v) for v in row])
    if edit:
        edit(wb)
    wb.save(path)
    return path


def _number(v: str):
    if v == "":
        return None
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def scores(recs, year=2020) -> dict[str, int]:
    rr = recs.reform_results
    rr = rr[rr["year"] == year]
    return dict(zip(rr["unit_id"], rr["score_cents"].tolist(), strict=True))


# -- percent-formatted scores -----------------------------------------------------------------


def test_a_percent_formatted_score_cell_is_the_percentage_it_shows(tmp_path):
    def edit(wb):
        cell = wb["reform_results"]["C7"]  # 2020, UB_KV: 91.04 typed as 91,04% in a percent cell
        cell.value = 0.9104
        cell.number_format = "0.00%"

    recs = load_records(workbook(tmp_path / "data.xlsx", edit), criteria())
    assert scores(recs)["UB_KV"] == 9104


def test_a_score_column_all_between_0_and_1_is_loudly_noted(tmp_path):
    lines = ["year,unit_id,score,band", "2019,SO_NV,0.885,", "2019,SO_TP,,Khá", "2019,UB_KV,0.9131,"]
    lines += ["2020,SO_NV,0.85,", "2020,SO_TP,0.6999,", "2020,UB_KV,0.9104,"]
    recs = load_records(write(tmp_path / "data", {"reform_results": lines}), criteria())
    assert any(n.startswith("CHÚ Ý") and "0–1" in n and "cột score" in n for n in recs.notes), recs.notes


def test_scores_out_of_100_keep_quiet(tmp_path):
    recs = load_records(write(tmp_path / "data"), criteria())
    assert not any("0–1" in n for n in recs.notes)


def test_fractions_mixed_with_scores_out_of_100_are_refused_with_their_rows(tmp_path):
    tables = replace("reform_results", 7, "91.04", "0.9104")
    rc, stderr, out = run_cli(write(tmp_path / "data", tables), tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "reform_results.csv, dòng 7, cột score: giá trị «0.9104»", "0–100")


# -- formulas -------------------------------------------------------------------------------------


def test_a_formula_without_a_saved_value_is_refused_with_its_cell(tmp_path):
    def edit(wb):
        wb["reform_results"]["C5"] = "=60+0.91"  # written by a script, never opened in Excel

    rc, stderr, out = run_cli(workbook(tmp_path / "data.xlsx", edit), tmp_path)
    assert rc == 2
    assert_rejected(
        tmp_path,
        stderr,
        out,
        "data.xlsx, trang reform_results, dòng 5, cột score: giá trị «=60+0.91»",
        "ô C5 chứa công thức nhưng không có giá trị đã tính",
    )
    assert "có 1 lỗi" in stderr, "the blank it reads as is not reported again"


def test_a_formula_with_its_saved_value_is_read_through_it(tmp_path):
    def edit(wb):
        wb["reform_results"]["C7"] = "=60+31.04"

    book = workbook(tmp_path / "written.xlsx", edit)
    # as a spreadsheet saves it: the formula and, beside it, the value it computed
    path = tmp_path / "data.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if b"<f>60+31.04</f>" in body:
                body, n = re.subn(
                    rb"<f>60\+31\.04</f>(<v\s*/>|<v></v>)?", b"<f>60+31.04</f><v>91.04</v>", body
                )
                assert n == 1
            dst.writestr(item, body)
    assert scores(load_records(path, criteria()))["UB_KV"] == 9104


# -- merged cells and dates -------------------------------------------------------------------------


def test_merged_cells_over_the_rows_are_refused_with_the_range(tmp_path):
    def edit(wb):
        wb["units"].merge_cells("C2:C3")  # "Sở, ban, ngành" once for two units

    rc, stderr, out = run_cli(workbook(tmp_path / "data.xlsx", edit), tmp_path)
    assert rc == 2
    assert_rejected(
        tmp_path, stderr, out, "data.xlsx, trang units, dòng 2, cột group", "các ô C2:C3 được gộp"
    )
    assert "có 1 lỗi" in stderr, "the blank cell under the merge is not reported again"


def test_a_merged_title_above_the_table_is_no_problem(tmp_path):
    def edit(wb):
        ws = wb["units"]
        ws.insert_rows(1, 3)
        ws["A1"] = "DANH SÁCH CƠ QUAN, ĐƠN VỊ XẾP HẠNG CẢI CÁCH HÀNH CHÍNH"
        ws.merge_cells("A1:D1")
        ws["A2"] = "(Kèm theo Báo cáo số …)"
        ws["B6"] = None  # row 6 of the sheet, the second unit: no name

    rc, stderr, out = run_cli(workbook(tmp_path / "data.xlsx", edit), tmp_path)
    assert rc == 2  # the header is found below the title; rows keep the sheet's numbers
    assert_rejected(tmp_path, stderr, out, "data.xlsx, trang units, dòng 6, cột unit_name")
    assert "có 1 lỗi" in stderr


def test_a_date_in_a_year_cell_is_shown_as_a_date_and_refused(tmp_path):
    import datetime as dt

    def edit(wb):
        cell = wb["officials"]["A7"]
        cell.value = dt.datetime(2020, 1, 1)
        cell.number_format = "dd/mm/yyyy"

    rc, stderr, out = run_cli(workbook(tmp_path / "data.xlsx", edit), tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "trang officials, dòng 7, cột year: giá trị «01/01/2020»")


# -- float noise: the reading binary_score_significant_digits, both positions ----------------------


NOISY = 84.99499999999999  # a sheet's sum that shows 84,995


def _noisy_book(tmp_path) -> Path:
    def edit(wb):
        wb["reform_results"]["C5"] = NOISY  # 2020, SO_NV

    return workbook(tmp_path / "data.xlsx", edit)


def test_float_noise_in_a_workbook_reads_as_the_spreadsheet_shows_it(tmp_path):
    assert scores(load_records(_noisy_book(tmp_path), criteria()))["SO_NV"] == 8500


def test_float_noise_read_exactly_when_the_reading_says_so(tmp_path):
    exact = criteria().with_overrides({DIGITS: None})
    assert scores(load_records(_noisy_book(tmp_path), exact))["SO_NV"] == 8499


def test_float_noise_in_parquet_both_readings(tmp_path):
    data = write(tmp_path / "data", {"reform_results": None})
    rr = frame("reform_results")
    rr["year"] = rr["year"].astype(int)
    rr["score"] = pd.to_numeric(rr["score"])
    rr.loc[3, "score"] = NOISY
    rr.to_parquet(data / "reform_results.parquet")
    assert scores(load_records(data, criteria()))["SO_NV"] == 8500
    assert scores(load_records(data, criteria().with_overrides({DIGITS: None})))["SO_NV"] == 8499


def test_a_what_if_on_the_reading_reads_the_workbook_again(tmp_path):
    recs = load_records(_noisy_book(tmp_path), criteria())
    exact, _ = apply(recs, criteria(), Scenario("chính xác", overrides={DIGITS: None}))
    same, _ = apply(recs, criteria(), Scenario("như cũ"))
    assert scores(exact)["SO_NV"] == 8499
    assert same is recs and scores(same)["SO_NV"] == 8500


def test_the_csv_path_keeps_rounding_the_written_value():
    recs = load_records(None, criteria().with_overrides({DIGITS: None}))
    assert recs.reform_results["score_cents"].equals(
        load_records(None, criteria()).reform_results["score_cents"]
    )


# -- counts beyond any register ------------------------------------------------------------------


def test_a_count_over_10_to_the_12_is_refused_in_csv(tmp_path):
    tables = replace("unit_dossiers", 4, "1000,99", "1000000000001,99")
    rc, stderr, out = run_cli(write(tmp_path / "data", tables), tmp_path)
    assert rc == 2
    assert_rejected(
        tmp_path, stderr, out, "unit_dossiers.csv, dòng 4, cột handled", "vượt quá giới hạn hợp lý"
    )


def test_a_count_of_exactly_10_to_the_12_is_read(tmp_path):
    tables = replace("unit_dossiers", 4, "1000,99", "1000000000000,99")
    recs = load_records(write(tmp_path / "data", tables), criteria())
    assert recs.unit_dossiers["handled"].max() == 10**12


@pytest.mark.parametrize(
    ("values", "dtype", "fragment"),
    [
        ([10, 10**13], "int64", "vượt quá giới hạn hợp lý"),
        ([10, 2**64 - 1], "uint64", "vượt quá giới hạn hợp lý"),
        ([10.0, float("inf")], "float64", "«inf»"),
        ([10.0, 1e300], "float64", "cần số nguyên không âm"),
        ([10.0, float("nan")], "float64", "không được để trống"),
    ],
    ids=["int64 1e13", "uint64 max", "inf", "1e300", "NaN"],
)
def test_parquet_counts_are_bounded_like_csv(tmp_path, values, dtype, fragment):
    data = write(tmp_path / "data", {"unit_dossiers": None})
    pd.DataFrame(
        {
            "year": [2020, 2020],
            "unit_id": ["SO_NV", "SO_TP"],
            "handled": np.array(values, dtype=dtype),
            "late": [1, 1],
        }
    ).to_parquet(data / "unit_dossiers.parquet")
    with pytest.raises(ValidationError) as exc:
        load_records(data, criteria())
    (p,) = exc.value.problems
    assert (p.where, p.row, p.column) == ("unit_dossiers.parquet", 2, "handled")
    assert fragment in p.message()


def test_inf_score_in_parquet_is_refused(tmp_path):
    data = write(tmp_path / "data", {"reform_results": None})
    pd.DataFrame({"year": [2020], "unit_id": ["SO_NV"], "score": [float("inf")], "band": [None]}).to_parquet(
        data / "reform_results.parquet"
    )
    with pytest.raises(ValidationError) as exc:
        load_records(data, criteria())
    assert any(p.column == "score" and p.value == "inf" for p in exc.value.problems)


def test_half_late_at_the_bound_is_over_the_threshold(tmp_path):
    """A 50% late rate at 10^12 dossiers: int64 arithmetic once made it eligible."""
    tables = replace("unit_dossiers", 4, "1000,99", "1000000000000,500000000000")
    rc, stderr, out = run_cli(write(tmp_path / "data", tables), tmp_path)
    assert rc == 0, stderr
    ranking = pd.read_csv(out / "unit_ranking.csv", dtype=str).set_index("unit_id")
    assert ranking.loc["UB_KV", "emulation_eligible"] == "false"
    assert ranking.loc["UB_KV", "late_rate"].startswith("0.5")


# -- a year without rows -------------------------------------------------------------------------


def _without_2020(table: str) -> dict[str, list[str]]:
    return {table: [line for line in BASE[table] if not line.startswith("2020")]}


def test_results_with_other_years_but_not_the_evaluated_one_are_refused(tmp_path):
    rc, stderr, out = run_cli(write(tmp_path / "data", _without_2020("reform_results")), tmp_path)
    assert rc == 2
    assert_rejected(
        tmp_path,
        stderr,
        out,
        "reform_results.csv, cột year: giá trị «2020»",
        "không có kết quả cải cách hành chính",
    )


def test_criterion_points_of_the_year_stand_in_for_its_results(tmp_path):
    from scoring.index import load_structures

    data = write(tmp_path / "data", _without_2020("reform_results"))
    frame = {s.id: s for s in load_structures()}["khung-don-vi-70-30"]  # every appraised item, full marks
    rows = [f"2020,SO_NV,{i.id},,{i.max_cents / 100:g}" for i in frame.leaves if i.method == "appraisal"]
    (data / "criterion_scores.csv").write_text(
        "year,unit_id,item_id,self_points,appraised_points\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    recs = load_records(data, criteria(), year=2020)  # the reform index computes the result from the points
    got = recs.reform_results[recs.reform_results["year"] == 2020]
    assert got["unit_id"].tolist() == ["SO_NV"] and got["score_cents"].tolist() == [
        10000
    ]  # 70 of 70, no survey


def test_criterion_points_of_another_year_do_not(tmp_path):
    data = write(tmp_path / "data", _without_2020("reform_results"))
    (data / "criterion_scores.csv").write_text("year,unit_id,item_id\n2019,SO_NV,1.1\n", encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        load_records(data, criteria(), year=2020)
    assert any("không có kết quả cải cách hành chính" in p.expected for p in exc.value.problems)


@pytest.mark.parametrize("table", ["unit_dossiers", "official_dossiers", "party_orgs"])
def test_an_optional_table_without_the_year_is_a_loud_notice(tmp_path, table):
    tables = _without_2020(table)
    if table == "unit_dossiers":  # only 2020 rows in BASE: one of another year
        tables = {table: [BASE[table][0], "2019,SO_NV,10,1"]}
    if table == "party_orgs":  # keep one row of another year, with units declaring nothing
        tables = {
            "party_orgs": [BASE["party_orgs"][0], "2019,DB_SO_NV,SO_NV,HTXSNV"],
            "units": [line.rsplit(",", 1)[0] + "," for line in BASE["units"]],
        }
    recs = load_records(write(tmp_path / "data", tables), criteria(), year=2020)
    assert any(n.startswith(f"CHÚ Ý — bảng {table}") and "năm 2020" in n for n in recs.notes), recs.notes


def test_a_unit_without_a_result_in_the_year_is_named(tmp_path):
    tables = {"reform_results": [line for line in BASE["reform_results"] if "2020,SO_TP" not in line]}
    recs = load_records(write(tmp_path / "data", tables), criteria(), year=2020)
    assert any("chưa có kết quả" in n and "Sở Tư pháp (SO_TP)" in n for n in recs.notes), recs.notes
    assert recs.year_notes(2020) == [n for n in recs.notes if n.startswith("Năm 2020")]


def test_every_unit_with_a_result_says_nothing(tmp_path):
    recs = load_records(write(tmp_path / "data"), criteria(), year=2020)
    assert not any("chưa có kết quả" in n or n.startswith("CHÚ Ý") for n in recs.notes)


# -- crashes that are now messages ---------------------------------------------------------------


def test_a_csv_with_cr_only_line_endings_reads_like_the_same_file_with_lf(tmp_path):
    plain = load_records(write(tmp_path / "a"), criteria())
    body = ("\r".join(BASE["units"]) + "\r").encode()
    mac = load_records(write(tmp_path / "b", units=body), criteria())
    pd.testing.assert_frame_equal(mac.units, plain.units)


@pytest.mark.parametrize(
    ("table", "row", "old", "new", "column"),
    [
        ("reform_results", 4, "2019", "２０１９", "year"),
        ("unit_dossiers", 3, "150,3", "150,٣", "late"),
        ("reform_results", 2, "88.50", "８８.50", "score"),
    ],
    ids=["full-width year", "Arabic-Indic count", "full-width score"],
)
def test_digits_other_than_0_to_9_are_refused_in_every_numeric_column(tmp_path, table, row, old, new, column):
    rc, stderr, out = run_cli(write(tmp_path / "data", replace(table, row, old, new)), tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, f"{table}.csv, dòng {row}, cột {column}", "chữ số khác 0–9")


def test_a_corrupt_per_table_workbook_in_a_folder_is_named(tmp_path):
    data = write(tmp_path / "data", {"units": None})
    (data / "units.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    rc, stderr, out = run_cli(data, tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "units.xlsx: không mở được bảng tính Excel")


def test_a_folder_named_like_a_table_is_not_a_missing_table(tmp_path):
    data = write(tmp_path / "data", {"party_orgs": None})
    (data / "party_orgs.csv").mkdir()
    rc, stderr, out = run_cli(data, tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "party_orgs.csv: không đọc được bảng party_orgs", "thư mục")


def test_a_broken_link_named_like_a_table_is_not_a_missing_table(tmp_path):
    data = write(tmp_path / "data", {"official_dossiers": None})
    os.symlink(tmp_path / "gone.csv", data / "official_dossiers.csv")
    rc, stderr, out = run_cli(data, tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "official_dossiers.csv", "liên kết hỏng")


def test_a_file_without_read_permission_is_named(tmp_path, monkeypatch):
    # the tests run as root, who reads anything: the operating system's refusal is simulated
    data = write(tmp_path / "data")
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "officials.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    rc, stderr, out = run_cli(data, tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "officials.csv: không đọc được tệp (không có quyền đọc tệp)")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) makes the real .xls")
def test_an_excel_97_2003_workbook_is_read_like_the_same_data_in_csv(tmp_path):
    def edit(wb):
        cell = wb["reform_results"]["C7"]
        cell.value = 0.9104
        cell.number_format = "0.00%"

    book = workbook(tmp_path / "data.xlsx", edit)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xls", "--outdir", str(tmp_path / "xls"), str(book)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    xls = load_records(tmp_path / "xls" / "data.xls", criteria())
    csv = load_records(write(tmp_path / "csv"), criteria())
    assert scores(xls) == scores(csv)
    assert xls.officials["full_name"].tolist() == csv.officials["full_name"].tolist()


def test_a_corrupt_xls_is_refused_with_a_hint_to_save_as_xlsx(tmp_path):
    data = write(tmp_path / "data", {"units": None})
    (data / "units.xls").write_bytes(b"\xd0\xcf\x11\xe0 not an OLE2 file")
    rc, stderr, out = run_cli(data, tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "units.xls: không mở được bảng tính Excel 97-2003", ".xlsx")


# -- TCVN3 and VNI text --------------------------------------------------------------------------


def test_the_encoders_give_the_known_mojibake():
    assert encode("Trường", "VNI") == "Tröôøng"
    assert encode("Trường", "TCVN3") == "Tr\xadêng"
    assert legacy_encoding("Tröôøng") == ("VNI", "Trường")
    assert legacy_encoding("Sở Nội vụ") is None  # Unicode Vietnamese is never flagged


@pytest.mark.parametrize("encoding", ["VNI", "TCVN3"])
def test_names_typed_in_an_old_encoding_are_refused_with_how_to_convert(tmp_path, encoding):
    tables = replace("units", 2, "Sở Nội vụ", encode("Sở Nội vụ", encoding))
    rc, stderr, out = run_cli(write(tmp_path / "data", tables), tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "units.csv, dòng 2, cột unit_name", "«Sở Nội vụ»", "Unikey")
    assert {"VNI": "VNI Windows", "TCVN3": "TCVN3 (ABC)"}[encoding] in stderr


@pytest.mark.parametrize(
    ("encoding", "label", "name"), [("VNI", "Khá", "VNI Windows"), ("TCVN3", "Khá", "TCVN3 (ABC)")]
)
def test_a_label_in_an_old_encoding_is_never_just_an_unknown_label(tmp_path, encoding, label, name):
    tables = replace("reform_results", 3, "Khá", encode(label, encoding))
    rc, stderr, out = run_cli(write(tmp_path / "data", tables), tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "reform_results.csv, dòng 3, cột band", name, f"«{label}»")
    assert "nhãn không được chấp nhận" not in stderr


def test_a_tcvn3_rating_in_a_workbook_is_named(tmp_path):
    def edit(wb):
        wb["officials"]["F6"] = encode("Hoàn thành tốt nhiệm vụ", "TCVN3")

    rc, stderr, out = run_cli(workbook(tmp_path / "data.xlsx", edit), tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "trang officials, dòng 6, cột proposed_rating", "TCVN3 (ABC)")


def test_a_csv_saved_in_tcvn3_bytes_says_tcvn3(tmp_path):
    body = encode("\n".join(BASE["units"]), "TCVN3").encode("latin-1")  # typed with a .VnTime font
    rc, stderr, out = run_cli(write(tmp_path / "data", units=body), tmp_path)
    assert rc == 2
    assert_rejected(tmp_path, stderr, out, "units.csv, dòng 2", "TCVN3 (ABC)", "Unikey")


# -- what the views need ----------------------------------------------------------------------------


def test_party_org_name_is_kept_when_given(tmp_path):
    lines = [BASE["party_orgs"][0] + ",party_org_name"] + [line + "," for line in BASE["party_orgs"][1:]]
    lines[1] = lines[1][:-1] + ",Đảng bộ Sở Nội vụ"
    recs = load_records(write(tmp_path / "data", {"party_orgs": lines}), criteria())
    assert recs.party_orgs["party_org_name"].tolist() == ["Đảng bộ Sở Nội vụ", "", ""]
    assert load_records(write(tmp_path / "b"), criteria()).party_orgs["party_org_name"].tolist() == [
        "",
        "",
        "",
    ]


def test_a_label_of_another_era_keeps_the_text_as_recorded(tmp_path):
    tables = replace("party_orgs", 2, "Hoàn thành xuất sắc nhiệm vụ", '"Trong sạch, vững mạnh"')
    p = load_records(write(tmp_path / "data", tables), criteria()).party_orgs
    assert p["proposed_classification_other_era"].tolist()[0]
    assert p["proposed_classification_text"].tolist()[0] == "Trong sạch, vững mạnh"


def test_the_sample_still_loads_with_every_hostile_check_in_place():
    recs = scoring.load_records(None, criteria(), year=2020)
    assert len(recs.officials) > 0
