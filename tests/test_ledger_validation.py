"""A bad ledger is refused with the records' Vietnamese messages (file, row, column, value)."""

from __future__ import annotations

import pytest
from ledger_helpers import ledger_folder, run_ledger, write_csv

import scoring
from scoring.cli import main
from scoring.records import ValidationError


def _problems(data) -> list[str]:
    with pytest.raises(ValidationError) as err:
        run_ledger(data)
    return [p.message() for p in err.value.problems]


def test_an_unreadable_time_names_its_file_row_column_and_value(tmp_path):
    data = ledger_folder(
        tmp_path,
        [
            ("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-09", ""),
            ("D2", "U1", "2020-13-01", "2020-03-10", "hôm qua", ""),
            ("D3", "U1", "2020-03-01", "30/02/2020", "", ""),
        ],
    )
    got = _problems(data)
    assert any(
        m.startswith("dossiers.csv, dòng 3, cột received_at: giá trị «2020-13-01» — cần ngày giờ")
        for m in got
    )
    assert any(m.startswith("dossiers.csv, dòng 3, cột resolved_at: giá trị «hôm qua»") for m in got)
    assert any(m.startswith("dossiers.csv, dòng 4, cột due_at: giá trị «30/02/2020»") for m in got)
    assert len(got) == 3


def test_a_due_time_before_the_dossier_was_received_is_refused(tmp_path):
    data = ledger_folder(tmp_path, [("D1", "U1", "2020-03-10 08:00", "2020-03-09", "2020-03-11", "")])
    assert _problems(data) == [
        "dossiers.csv, dòng 2, cột due_at: giá trị «2020-03-09» — hạn giải quyết trước thời điểm tiếp nhận "
        "(2020-03-10 08:00)"
    ]


def test_a_step_of_an_unknown_official_or_dossier_is_refused(tmp_path):
    data = ledger_folder(
        tmp_path,
        [("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-09", "")],
        steps=[
            ("D1", "1", "O9", "2020-03-01", "2020-03-03", "2020-03-02"),
            ("D7", "1", "O1", "2020-03-01", "2020-03-03", "2020-03-02"),
        ],
    )
    got = _problems(data)
    assert got[0].startswith("dossier_steps.csv, dòng 2, cột official_id: giá trị «O9» — mã cán bộ không có")
    assert got[1].startswith("dossier_steps.csv, dòng 3, cột dossier_id: giá trị «D7» — mã hồ sơ không có")


def test_an_unknown_unit_and_a_blank_id_are_refused(tmp_path):
    data = ledger_folder(
        tmp_path,
        [
            ("D1", "U9", "2020-03-01", "2020-03-10", "2020-03-09", ""),
            ("", "U1", "2020-03-01", "2020-03-10", "", ""),
        ],
    )
    got = _problems(data)
    assert "dossiers.csv, dòng 2, cột unit_id: giá trị «U9» — mã đơn vị không có trong bảng units" in got
    assert "dossiers.csv, dòng 3, cột dossier_id: ô trống; cột này bắt buộc" in got


def test_duplicates_name_the_row_seen_first_and_blank_lines_keep_the_row_numbers(tmp_path):
    data = ledger_folder(tmp_path, [("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-09", "")])
    (data / "dossiers.csv").write_text(
        "dossier_id,unit_id,received_at,due_at,resolved_at\n"
        "D1,U1,2020-03-01,2020-03-10,2020-03-09\n\n"
        "D1,U2,2020-03-01,2020-03-10,2020-03-09\n",
        encoding="utf-8",
    )
    assert _problems(data) == [
        "dossiers.csv, dòng 4, cột dossier_id: giá trị «D1» — trùng khóa (dossier_id) — mỗi hồ sơ chỉ có "
        "một dòng; đã có ở dòng 2"
    ]


def test_a_rescheduling_whose_new_due_is_before_it_was_made_is_refused(tmp_path):
    data = ledger_folder(
        tmp_path,
        [("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-12", "")],
        reschedules=[("D1", "2020-03-09 10:00", "2020-03-08", "1/XL", "")],
    )
    assert _problems(data) == [
        "dossier_reschedules.csv, dòng 2, cột new_due_at: giá trị «2020-03-08» — ngày hẹn mới trước thời điểm "
        "hẹn lại (2020-03-09 10:00)"
    ]


def test_a_missing_column_is_named_with_the_likely_misspelling(tmp_path):
    data = ledger_folder(tmp_path, [("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-09", "")])
    write_csv(
        data / "dossiers.csv",
        ["dossier_id", "unit_id", "received_at", "due_date", "resolved_at"],
        [("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-09")],
    )
    (msg,) = _problems(data)
    assert msg.startswith("dossiers.csv, dòng 1, cột due_at: thiếu cột bắt buộc due_at")
    assert "có cột «due_date»" in msg


def test_a_bad_parquet_ledger_names_the_row_of_the_file(tmp_path):
    import pandas as pd

    data = ledger_folder(tmp_path, [("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-09", "")])
    (data / "dossiers.csv").unlink()
    pd.DataFrame(
        {
            "dossier_id": ["D1", "D2"],
            "unit_id": ["U1", "U1"],
            "received_at": ["2020-03-01", "2020-03-01"],
            "due_at": ["2020-03-10", "2020-03-10"],
            "resolved_at": ["2020-03-09", "not a time"],
        }
    ).to_parquet(data / "dossiers.parquet")
    assert _problems(data)[0].startswith("dossiers.parquet, dòng 2, cột resolved_at: giá trị «not a time»")


def test_the_commands_exit_2_and_write_nothing_on_a_bad_ledger(tmp_path, capsys):
    data = ledger_folder(tmp_path / "data", [("D1", "U1", "2020-03-01", "2020-03-10", "sáng mai", "")])
    for command in ("ledger", "evaluate"):
        out = tmp_path / command
        assert main([command, str(data), "--year", "2020", "--out", str(out)]) == 2
        assert not out.exists()
        assert "dossiers.csv, dòng 2, cột resolved_at: giá trị «sáng mai»" in capsys.readouterr().err


def test_steps_or_reschedulings_without_dossiers_are_refused(tmp_path):
    data = ledger_folder(tmp_path, [("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-09", "")], steps=[])
    (data / "dossiers.csv").unlink()
    write_csv(
        data / "dossier_steps.csv",
        ["dossier_id", "step", "official_id", "due_at", "done_at"],
        [("D1", "1", "O1", "2020-03-02", "")],
    )
    recs = scoring.load_records(data)
    with pytest.raises(ValidationError, match="cần bảng dossiers"):
        scoring.evaluate(recs, 2020)
