"""Bad criterion points get the project's Vietnamese message: file, row as seen in the file,
column, value, what was expected — every problem at once, and nothing written."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from index_fixtures import CRITERION_SCORES, EXPECTED, SURVEY_RESULTS, load, mini_folder, mini_structures  # noqa: F401

import scoring
from scoring.index import compute

pytestmark = pytest.mark.usefixtures("mini_structures")


def _problems(folder) -> list[str]:
    with pytest.raises(scoring.ValidationError) as err:
        load(folder)
    return [p.message() for p in err.value.problems]


def _with(rows, k, row):
    out = list(rows)
    out[k] = row
    return out


def test_points_above_the_items_maximum_name_the_row_column_and_maximum(tmp_path):
    rows = _with(CRITERION_SCORES, 0, (2020, "U1", "A.1", "2", "2,5"))
    msgs = _problems(mini_folder(tmp_path, criterion_scores=rows))
    assert (
        "criterion_scores.csv, dòng 2, cột appraised_points: giá trị «2,5 (tối đa 2)» — điểm không được lớn hơn điểm tối đa của mục"
        in msgs
    )


@pytest.mark.parametrize("bad", ["-1", "1,255", "hai", "1.2.3"])
def test_points_that_are_not_a_non_negative_number_with_two_decimals_are_refused(tmp_path, bad):
    rows = _with(CRITERION_SCORES, 1, (2020, "U1", "A.2.a", bad, "1"))
    msgs = _problems(mini_folder(tmp_path, criterion_scores=rows))
    assert any(
        m.startswith("criterion_scores.csv, dòng 3, cột self_points") and f"«{bad}»" in m for m in msgs
    )


def test_an_appraised_item_left_blank_is_refused(tmp_path):
    rows = _with(CRITERION_SCORES, 0, (2020, "U1", "A.1", "2", ""))
    msgs = _problems(mini_folder(tmp_path, criterion_scores=rows))
    assert (
        "criterion_scores.csv, dòng 2, cột appraised_points: cần điểm thẩm định, không được để trống" in msgs
    )


def test_every_appraised_item_must_be_given_for_a_unit_with_points(tmp_path):
    msgs = _problems(mini_folder(tmp_path, criterion_scores=CRITERION_SCORES[1:]))
    assert any("đơn vị U1 năm 2020: thiếu điểm thẩm định của A.1" in m for m in msgs)


def test_a_unit_with_a_survey_but_no_appraisal_is_refused(tmp_path):
    rows = [r for r in CRITERION_SCORES if r[1] != "U4"]
    msgs = _problems(mini_folder(tmp_path, criterion_scores=rows))
    assert any("đơn vị U4 năm 2020: thiếu điểm thẩm định của A.1, A.2.a, A.2.b" in m for m in msgs)


def test_rows_after_a_refused_cell_are_reported_at_their_own_row(tmp_path):
    rows = _with(CRITERION_SCORES, 0, (2020, "U1", "A.1", "2", "hai"))  # row 2: refused cell
    rows = _with(rows, 5, (2020, "U2", "A.2.bb", "", "2,5"))  # row 7: unknown item
    rows = _with(rows, 8, (2020, "U3", "A.2.b", "2,5", "3"))  # row 10: above the maximum
    survey = _with(SURVEY_RESULTS, 0, (2020, "U1", "B.1", 0, 0, ""))  # row 2: refused cell
    survey = _with(survey, 2, (2020, "U3", "B.1", 10, 9, "2"))  # row 4: points that disagree
    msgs = _problems(mini_folder(tmp_path, criterion_scores=rows, survey_results=survey))
    assert any(m.startswith("criterion_scores.csv, dòng 7, cột item_id: giá trị «A.2.bb»") for m in msgs)
    assert any(
        m.startswith("criterion_scores.csv, dòng 10, cột appraised_points: giá trị «3 (tối đa 2,5)»")
        for m in msgs
    )
    assert any(m.startswith("survey_results.csv, dòng 4, cột points") for m in msgs), msgs


def test_an_unknown_item_is_refused_with_the_likely_one(tmp_path):
    rows = _with(CRITERION_SCORES, 0, (2020, "U1", "A1", "2", "2"))
    msgs = _problems(mini_folder(tmp_path, criterion_scores=rows))
    hit = next(m for m in msgs if "cột item_id: giá trị «A1»" in m)
    assert "không có trong bộ chỉ số «mini»" in hit and "có phải «A.1»?" in hit


def test_a_survey_item_entered_as_criterion_points_is_sent_to_the_survey_table(tmp_path):
    rows = [*CRITERION_SCORES, (2020, "U2", "B.1", "", "1")]
    msgs = _problems(mini_folder(tmp_path, criterion_scores=rows))
    assert any(
        "dòng 16, cột item_id: giá trị «B.1» — mục này chấm bằng điều tra xã hội học" in m
        and "survey_results" in m
        for m in msgs
    )


def test_the_same_item_twice_for_a_unit_and_year_is_refused_with_the_first_row(tmp_path):
    rows = [*CRITERION_SCORES, (2020, "U1", "A.1", "2", "2")]
    msgs = _problems(mini_folder(tmp_path, criterion_scores=rows))
    assert any(
        "dòng 16, cột item_id: giá trị «A.1» — trùng khóa" in m and "đã có ở dòng 2" in m for m in msgs
    )


def test_a_unit_that_units_does_not_list_is_refused(tmp_path):
    rows = [*CRITERION_SCORES, (2020, "U9", "A.1", "2", "2")]
    msgs = _problems(mini_folder(tmp_path, criterion_scores=rows))
    assert (
        "criterion_scores.csv, dòng 16, cột unit_id: giá trị «U9» — mã đơn vị không có trong bảng units"
        in msgs
    )


def test_a_year_no_structure_covers_is_refused(tmp_path):
    rows = [(2017, *r[1:]) for r in CRITERION_SCORES]
    folder = mini_folder(tmp_path, criterion_scores=rows, survey_results=[], results=[(2017, "U1", "80", "")])
    msgs = _problems(folder)
    assert any(
        "cột year: giá trị «2017» — không có bộ chỉ số nào (criteria/index/) áp dụng cho năm 2017" in m
        for m in msgs
    )


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ((2020, "U1", "B.1", 40, 41, ""), "satisfied", "không được lớn hơn số người được hỏi"),
        ((2020, "U1", "B.1", 0, 0, ""), "respondents", "số nguyên dương"),
        (
            (2020, "U1", "B.1", 40, "", ""),
            "satisfied",
            "cần số người hài lòng (satisfied) hoặc điểm (points)",
        ),
        ((2020, "U1", "B.1", 40, 30, "1,9"), "points", "không khớp với số người hài lòng"),
        ((2020, "U1", "B.1", 40, 30, "2,5"), "points", "điểm không được lớn hơn điểm tối đa"),
    ],
)
def test_bad_survey_rows_are_refused(tmp_path, row, column, words):
    msgs = _problems(mini_folder(tmp_path, survey_results=_with(SURVEY_RESULTS, 0, row)))
    assert any(m.startswith(f"survey_results.csv, dòng 2, cột {column}") and words in m for m in msgs), msgs


def test_satisfied_and_points_that_agree_are_both_accepted(tmp_path):
    recs, crit = load(
        mini_folder(tmp_path, survey_results=_with(SURVEY_RESULTS, 0, (2020, "U1", "B.1", 40, 30, "1,5")))
    )
    assert (
        dict(
            zip(
                compute(recs, 2020, crit).table["unit_id"],
                compute(recs, 2020, crit).table["index"],
                strict=True,
            )
        )
        == EXPECTED
    )


def test_a_misspelt_column_is_refused_with_the_likely_one(tmp_path):
    folder = mini_folder(tmp_path)
    text = (
        (folder / "criterion_scores.csv")
        .read_text(encoding="utf-8")
        .replace("appraised_points", "appraised_pts")
    )
    (folder / "criterion_scores.csv").write_text(text, encoding="utf-8")
    msgs = _problems(folder)
    assert any(
        "dòng 1, cột appraised_points: thiếu cột bắt buộc" in m and "«appraised_pts»" in m for m in msgs
    )


def test_a_survey_table_with_neither_satisfied_nor_points_is_refused(tmp_path):
    folder = mini_folder(tmp_path)
    df = pd.read_csv(folder / "survey_results.csv", sep=";", dtype=str)
    df.drop(columns=["satisfied", "points"]).to_csv(folder / "survey_results.csv", sep=";", index=False)
    assert any("cần cột satisfied (số người hài lòng) hoặc cột points (điểm)" in m for m in _problems(folder))


def test_problems_of_the_points_are_listed_with_the_other_tables_problems(tmp_path):
    rows = _with(CRITERION_SCORES, 0, (2020, "U1", "A.1", "2", "9"))
    folder = mini_folder(
        tmp_path, criterion_scores=rows, results=[(2020, "U1", "", ""), (2020, "U3", "abc", "")]
    )
    msgs = _problems(folder)
    assert any(m.startswith("reform_results.csv, dòng 3, cột score") for m in msgs)
    assert any(m.startswith("criterion_scores.csv, dòng 2, cột appraised_points") for m in msgs)


def test_points_in_a_comma_file_use_a_decimal_point(tmp_path):
    from conftest import make_dataset
    from index_fixtures import HEADS, UNITS

    rows = [(y, u, i, s.replace(",", "."), a.replace(",", ".")) for y, u, i, s, a in CRITERION_SCORES]
    folder = make_dataset(
        tmp_path, units=UNITS, reform_results=[(2020, "U3", "100", "")], officials=HEADS,
        criterion_scores=rows, survey_results=SURVEY_RESULTS,
    )  # fmt: skip
    recs, crit = load(folder)
    assert _indexes(recs, crit) == EXPECTED


def _indexes(recs, crit):
    yi = compute(recs, 2020, crit)
    return dict(zip(yi.table["unit_id"], yi.table["index"], strict=True))


def test_a_workbook_with_computed_points_reads_them_as_a_spreadsheet_shows_them(tmp_path):
    folder = mini_folder(tmp_path / "csv")
    book = tmp_path / "du_lieu.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as w:
        for name in ("units", "reform_results", "officials", "criterion_scores", "survey_results"):
            df = pd.read_csv(folder / f"{name}.csv", sep=";", dtype=str, keep_default_na=False)
            for col in ("self_points", "appraised_points"):
                if col in df:  # numbers, as a clerk's sheet holds them; 1,25 computed as 1.1 + 0.15
                    df[col] = [float(v.replace(",", ".")) if v else None for v in df[col]]
            if name == "criterion_scores":
                df.loc[1, "appraised_points"] = 1.1 + 0.15  # 1.2500000000000002
            df.to_excel(w, sheet_name=name, index=False)
    recs, crit = load(book)
    assert _indexes(recs, crit) == EXPECTED


def test_the_command_line_exits_2_and_writes_nothing_for_bad_points(tmp_path, mini_structures):  # noqa: F811
    rows = _with(CRITERION_SCORES, 0, (2020, "U1", "A.1", "2", "9"))
    folder = mini_folder(tmp_path / "data", criterion_scores=rows)
    out = tmp_path / "out"
    env_code = (
        "import sys; from pathlib import Path; from scoring.index import structure as s; "
        f"s.INDEX_DIR = Path({str(mini_structures)!r}); "
        "from scoring.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    for cmd in (["evaluate"], ["index"]):
        p = subprocess.run(
            [sys.executable, "-c", env_code, *cmd, str(folder), "--year", "2020", "--out", str(out)],
            capture_output=True, text=True,
        )  # fmt: skip
        assert p.returncode == 2, p.stderr
        assert (
            "criterion_scores.csv, dòng 2, cột appraised_points" in p.stderr and "Traceback" not in p.stderr
        )
        assert not out.exists()


def test_an_id_written_with_spaces_around_it_is_the_same_id(tmp_path):
    rows = [*CRITERION_SCORES, (2020, " U1 ", "A.1 ", "2", "2")]
    msgs = _problems(mini_folder(tmp_path, criterion_scores=rows))
    assert any(
        "dòng 16, cột item_id: giá trị «A.1» — trùng khóa" in m and "đã có ở dòng 2" in m for m in msgs
    )


@pytest.mark.parametrize("other_ids", [0, 120])
def test_a_key_given_twice_is_found_however_many_other_ids_the_file_names(tmp_path, other_ids):
    # many distinct (refused) ids make the keys' space sparse: the same answer either way
    strays = [(2018 + k % 3, f"X{k}", f"Q.{k}", "", "1") for k in range(other_ids)]
    rows = [*CRITERION_SCORES, *strays, (2020, "U3", "A.2.a", "1", "1")]
    msgs = _problems(mini_folder(tmp_path, criterion_scores=rows))
    line = 16 + other_ids
    assert any(
        f"dòng {line}, cột item_id: giá trị «A.2.a» — trùng khóa" in m and "đã có ở dòng 9" in m for m in msgs
    )
    assert sum("trùng khóa" in m for m in msgs) == 1
