"""`python -m scoring template FILE.xlsx`: an empty input workbook a clerk fills in (issue 9 §5).

The test fills the template as a clerk would (openpyxl, Vietnamese labels from the dropdowns,
numbers as numbers), reads it back with `load_records` and evaluates it.
"""

from __future__ import annotations

import contextlib
import io

import openpyxl
import pytest

import scoring
from scoring.cli import main
from scoring.template import GUIDE, TABLES, accepted_values, template_bytes

CRIT = scoring.load_criteria()


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "mau-nhap-lieu.xlsx"
    code, out, _ = run("template", str(path))
    assert code == 0 and str(path) in out
    return path


def test_one_sheet_per_table_after_the_guide_with_the_contract_header(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == [GUIDE, *TABLES]
    for table, columns in TABLES.items():
        ws = wb[table]
        assert [c.value for c in ws[1]] == [c for c, _, _ in columns]
        assert ws.max_row == 1, "the template holds no data"
        for cell in ws[1]:
            assert cell.comment is not None and cell.comment.text  # the Vietnamese note
        assert ws.freeze_panes == "A2"
    assert "xếp loại" in wb["officials"]["F1"].comment.text.lower()
    guide = "\n".join(str(r[0]) for r in wb[GUIDE].iter_rows(values_only=True) if r[0])
    assert "Cách điền" in guide and "bắt buộc" in guide


def test_dropdowns_offer_every_eras_labels_from_the_criteria(template):
    values = accepted_values(CRIT)
    assert values["ratings"] == [
        "Hoàn thành xuất sắc nhiệm vụ",
        "Hoàn thành tốt nhiệm vụ",
        "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực",
        "Hoàn thành nhiệm vụ",
        "Không hoàn thành nhiệm vụ",
    ]
    assert "Trong sạch, vững mạnh" in values["classifications"]
    assert values["bands"] == ["Tốt", "Khá", "Trung bình", "Yếu"]
    assert values["roles"] == ["Người đứng đầu", "Cấp phó", "Công chức, viên chức"]
    assert values["groups"][0] == "Sở, ban, ngành"
    wb = openpyxl.load_workbook(template)
    guide = wb[GUIDE]
    lists = {}
    for dv in wb["officials"].data_validations.dataValidation:
        lists[str(dv.sqref).split(":")[0]] = dv
    role, rating = lists["E2"], lists["F2"]
    assert role.type == "list" and rating.type == "list"
    # the list formula points at the guide's column of accepted values
    col = rating.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
    listed = [
        r[0]
        for r in guide.iter_rows(min_col=ord(col) - 64, max_col=ord(col) - 64, min_row=2, values_only=True)
    ]
    assert [v for v in listed if v] == values["ratings"]
    checks = {
        str(dv.sqref).split(":")[0]: dv.type for dv in wb["unit_dossiers"].data_validations.dataValidation
    }
    assert checks == {"A2": "whole", "C2": "whole", "D2": "whole"}
    assert wb["reform_results"].column_dimensions["C"].number_format == "0.00"


def test_a_filled_template_reads_and_evaluates(template, tmp_path):
    wb = openpyxl.load_workbook(template)
    rows = {
        "units": [("U1", "Sở Nội vụ", "Sở, ban, ngành", "P1"), ("U2", "UBND huyện Vạn Ninh", "UBND cấp huyện", "P2")],
        "reform_results": [
            (2018, "U1", 60, "Trung bình"), (2019, "U1", None, "Yếu"), (2020, "U1", 55.5, None),
            (2020, "U2", 84.995, None),
        ],
        "unit_dossiers": [(2020, "U1", 100, 10), (2020, "U2", 50, 0)],
        "officials": [
            (2018, "CB1", "Nguyễn Văn An", "U1", "Người đứng đầu", "Hoàn thành tốt nhiệm vụ"),
            (2019, "CB1", "Nguyễn Văn An", "U1", "Người đứng đầu", "Hoàn thành tốt nhiệm vụ"),
            (2020, "CB1", "Nguyễn Văn An", "U1", "Người đứng đầu", "Hoàn thành xuất sắc nhiệm vụ"),
            (2020, "CB2", "Lê Thị Bình", "U1", "Công chức, viên chức", "Hoàn thành tốt nhiệm vụ"),
            (2020, "CB3", "Trần Văn Cường", "U2", "Cấp phó", "Hoàn thành nhiệm vụ"),
        ],
        "official_dossiers": [(2020, "CB2", 30, 4)],
        "party_orgs": [(2020, "P1", "U1", "Trong sạch, vững mạnh"), (2020, "P2", "U2", "Hoàn thành tốt nhiệm vụ")],
    }  # fmt: skip
    for table, data in rows.items():
        for r in data:
            wb[table].append(list(r))
    filled = tmp_path / "du-lieu.xlsx"
    wb.save(filled)
    recs = scoring.load_records(filled, CRIT, year=2020)
    ev = scoring.evaluate(recs, 2020, CRIT)
    u = ev.unit_ranking.set_index("unit_id")
    assert u.loc["U2", "score"] == 85.0 and u.loc["U2", "band"] == "Tốt"
    assert not u.loc["U1", "emulation_eligible"]
    o = ev.official_ratings.set_index("official_id")
    assert o.loc["CB2", "role"] == "staff" and o.loc["CB2", "discipline_review"]
    assert o.loc["CB1", "capped_by"] == "head_reform_band"
    assert set(ev.decisions["rule_id"]) >= {
        "unit_late_dossiers",
        "official_late_dossiers",
        "head_reform_band",
    }
    assert any("Hướng dẫn" in n for n in recs.notes)  # the guide is a sheet of no table: noted, skipped
    code, out, err = run("evaluate", str(filled), "--year", "2020", "--out", str(tmp_path / "out"))
    assert code == 0, err


def test_an_existing_file_is_kept_unless_forced(template):
    template.write_bytes(b"ban nhap cua toi")
    code, _, err = run("template", str(template))
    assert code == 2 and "--force" in err
    assert template.read_bytes() == b"ban nhap cua toi"
    code, _, _ = run("template", str(template), "--force")
    assert code == 0 and openpyxl.load_workbook(template).sheetnames[0] == GUIDE
    assert [p.name for p in template.parent.iterdir()] == [template.name], "no temporary file left"


@pytest.mark.parametrize("name", ["mau.csv", "mau"])
def test_a_file_name_that_is_not_xlsx_is_refused(tmp_path, name):
    code, _, err = run("template", str(tmp_path / name))
    assert code == 2 and ".xlsx" in err
    assert list(tmp_path.iterdir()) == []


def test_the_same_criteria_give_the_same_bytes():
    assert template_bytes(CRIT) == template_bytes(scoring.load_criteria())
