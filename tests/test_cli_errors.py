"""The command line never ends in a traceback (issue 8, "Crashes instead of messages").

Each case ends in exit 2 (the command can be fixed: usage, an output path that is a file, a
size that cannot be) with a Vietnamese message and nothing written, or exit 1 with a message
when writing fails, the previous output kept. Also: the run's notes go into the summary and
the manifest, text too long for an Excel cell is cut there with a mark (the CSV keeps it
whole), the scenario's name is never a live formula, the sample never overwrites a user's
files without --force.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import HTT, SO, make_dataset

import scoring.atomic as atomic
import scoring.cli
from scoring.cli import main as cli_main
from scoring.sample import sample_path
from scoring.xlsx import MAX_CELL_CHARS as EXCEL_MAX_CELL
from scoring.xlsx import TRUNCATED_MARK

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = sample_path()


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        status = cli_main([str(a) for a in args])
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


def shell(*args, env=None, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scoring", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def disk_full(monkeypatch):
    """Every fsync of the writer fails, as on a full disk."""

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)


# -- an --out that is a file: exit 2, the file kept, before any work ------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("evaluate", SAMPLE, "--year", 2020, "--out"),
        ("whatif", SAMPLE, "--year", 2020, "--set", "unit_late_threshold_percent=12", "--out"),
        ("annex", SAMPLE, "--year", 2020, "--no-pdf", "--out"),
        ("sample",),
        ("synth", "--units", 2, "--officials", 10, "--years", 2, "--format", "csv"),
    ],
    ids=lambda c: c[0],
)
def test_an_output_path_that_is_a_file_exits_2_and_keeps_the_file(command, tmp_path, capsys):
    target = tmp_path / "ket-qua.txt"
    target.write_text("của người dùng", encoding="utf-8")
    args = [*command, target] if command[0] not in ("synth",) else [command[0], target, *command[1:]]
    status, _, err = run(capsys, *args)
    assert status == 2
    assert "là một tệp, không phải thư mục" in err
    assert target.read_text(encoding="utf-8") == "của người dùng"


def test_an_output_path_under_a_file_exits_2(tmp_path, capsys):
    (tmp_path / "f.txt").write_text("x", encoding="utf-8")
    status, _, err = run(capsys, "evaluate", SAMPLE, "--year", 2020, "--out", tmp_path / "f.txt" / "con")
    assert status == 2 and "là một tệp" in err


# -- write failures: exit 1, a message, the previous output kept -----------------------------------


def test_whatif_on_a_full_disk_exits_1_and_keeps_the_previous_output(tmp_path, capsys, monkeypatch):
    out = tmp_path / "kich-ban"
    args = ("whatif", SAMPLE, "--year", 2020, "--set", "unit_late_threshold_percent=12", "--out", out)
    assert run(capsys, *args)[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    disk_full(monkeypatch)
    status, _, err = run(capsys, *args, "--name", "khác")
    assert status == 1
    assert "Không ghi được kết quả" in err and "ổ đĩa đã đầy" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_sample_on_a_full_disk_exits_1_and_writes_nothing(tmp_path, capsys, monkeypatch):
    disk_full(monkeypatch)
    status, _, err = run(capsys, "sample", tmp_path / "mau")
    assert status == 1 and "ổ đĩa đã đầy" in err
    assert not (tmp_path / "mau").exists()


def test_an_unexpected_error_exits_1_with_a_message_and_no_traceback(tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("writer failed (simulated)")

    monkeypatch.setattr(scoring.export, "decisions_workbook", broken)
    status, _, err = run(capsys, "evaluate", SAMPLE, "--year", 2020, "--out", tmp_path / "o")
    assert status == 1
    assert "Lỗi không mong đợi" in err and "SCORING_DEBUG=1" in err
    assert not (tmp_path / "o").exists()


def test_a_busy_output_folder_exits_2_after_waiting(tmp_path, capsys, monkeypatch):
    from filelock import FileLock

    monkeypatch.setattr(atomic, "LOCK_TIMEOUT_S", 0.2)
    with FileLock(str(tmp_path / ".scoring.lock")):
        status, _, err = run(capsys, "evaluate", SAMPLE, "--year", 2020, "--out", tmp_path / "o")
    assert status == 2
    assert "Đang chờ" in err and "đang được một lần chạy khác ghi vào" in err
    assert not (tmp_path / "o").exists()


# -- sizes ------------------------------------------------------------------------------------------


def test_max_spreadsheet_rows_above_excels_sheet_is_a_usage_error(tmp_path, capsys):
    base = ("evaluate", SAMPLE, "--year", 2020, "--out", tmp_path / "o", "--quiet")
    status, _, err = run(capsys, *base, "--max-spreadsheet-rows", 1_048_576)
    assert status == 2 and "1.048.575" in err
    assert not (tmp_path / "o").exists()
    assert run(capsys, *base, "--max-spreadsheet-rows", -1)[0] == 2
    assert run(capsys, *base, "--max-spreadsheet-rows", 1_048_575)[0] == 0  # the edge itself fits


@pytest.mark.parametrize(
    "sizes, words",
    [
        (("--units", 0), "--units phải là số nguyên dương"),
        (("--officials", -5), "--officials phải là số nguyên dương"),
        (("--years", 0), "--years phải là số nguyên dương"),
        (("--years", 3, "--last-year", 1901), "ngoài khoảng 1900"),
        (("--units", 10**7, "--officials", 10**9), "GB bộ nhớ"),
        (("--units", 100, "--officials", 2_000_000, "--format", "xlsx"), "một trang Excel"),
        (("--units", 5, "--officials", 3), "ít nhất bằng --units"),
    ],
    ids=["zero units", "negative officials", "zero years", "before 1900", "absurd", "xlsx", "fewer"],
)
def test_synth_refuses_sizes_it_cannot_make_before_allocating(sizes, words, tmp_path, capsys):
    status, _, err = run(capsys, "synth", tmp_path / "s", *sizes)
    assert status == 2 and words in err
    assert not (tmp_path / "s").exists()


def test_synth_at_the_edges_it_accepts(tmp_path, capsys):
    args = ("synth", tmp_path / "s", "--units", 1, "--officials", 1, "--years", 1, "--last-year", 1900)
    assert run(capsys, *args, "--format", "csv")[0] == 0


def _cells(book_path: Path) -> list:
    book = openpyxl.load_workbook(book_path)
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]


def _long_name_dataset(folder: Path, name: str) -> Path:
    return make_dataset(
        folder,
        units=[("U1", name, SO)],
        reform_results=[(2020, "U1", "90", "")],
        officials=[(2020, "H1", "Người Một", "U1", "head", HTT)],
    )


def test_a_cell_longer_than_excel_holds_is_cut_in_the_workbook_only(tmp_path, capsys):
    name = "Sở" + " rất dài" * 5000  # 40,002 characters
    data = _long_name_dataset(tmp_path / "data", name)
    status, out, _ = run(capsys, "evaluate", data, "--year", 2020, "--out", tmp_path / "o")
    assert status == 0
    assert "được cắt bớt trong tệp Excel" in out
    csv = pd.read_csv(tmp_path / "o" / "unit_ranking.csv", encoding="utf-8-sig", dtype=str)
    assert csv.loc[0, "unit_name"] == name
    cut = [c.value for c in _cells(tmp_path / "o" / "decisions.xlsx") if str(c.value).startswith("Sở rất")]
    assert cut and all(len(v) <= EXCEL_MAX_CELL and v.endswith(TRUNCATED_MARK) for v in cut)
    notes = json.loads((tmp_path / "o" / "manifest.json").read_text(encoding="utf-8"))["notes"]
    assert any("được cắt bớt trong tệp Excel" in n for n in notes)


def test_a_cell_exactly_as_long_as_excel_holds_is_kept_whole(tmp_path, capsys):
    name = "S" * EXCEL_MAX_CELL
    data = _long_name_dataset(tmp_path / "data", name)
    assert run(capsys, "evaluate", data, "--year", 2020, "--out", tmp_path / "o")[0] == 0
    assert name in [c.value for c in _cells(tmp_path / "o" / "decisions.xlsx")]


# -- consoles that cannot show Vietnamese ----------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, shown", [("ascii", "Da ghi ket qua vao"), ("cp1252", "Dã ghi ket qua vào")]
)
def test_a_summary_printed_to_a_non_utf8_console_loses_marks_not_the_run(encoding, shown, tmp_path):
    done = shell(
        "evaluate", SAMPLE, "--year", 2020, "--out", tmp_path / "o", env={"PYTHONIOENCODING": encoding}
    )
    assert done.returncode == 0, done.stderr.decode(encoding, "replace")
    text = done.stdout.decode(encoding)
    assert shown in text
    assert (tmp_path / "o" / "manifest.json").exists()


# -- legal targets that failed ---------------------------------------------------------------------


def test_out_dot_from_inside_a_folder_with_the_users_files(tmp_path):
    here = tmp_path / "lam-viec"
    here.mkdir()
    (here / "cua-toi.xlsx").write_bytes(b"PK")
    done = shell("evaluate", SAMPLE, "--year", 2020, "--out", ".", "--quiet", cwd=here)
    assert done.returncode == 0, done.stderr.decode()
    assert (here / "unit_ranking.csv").exists() and (here / "cua-toi.xlsx").read_bytes() == b"PK"


def test_a_250_character_output_name(tmp_path, capsys):
    out = tmp_path / ("k" * 250)
    for _ in range(2):
        assert run(capsys, "evaluate", SAMPLE, "--year", 2020, "--out", out, "--quiet")[0] == 0


# -- what the workbook and the manifest carry --------------------------------------------------------


def test_whatif_name_that_looks_like_a_formula_is_text_in_the_workbook(tmp_path, capsys):
    name = '=HYPERLINK("http://example.invalid","bấm")'
    out = tmp_path / "o"
    status, _, _ = run(capsys, "whatif", SAMPLE, "--year", 2020, "--name", name, "--out", out, "--quiet")
    assert status == 0
    cells = [
        c for c in _cells(out / "scenario_decisions.xlsx") if isinstance(c.value, str) and name in c.value
    ]
    assert cells and all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells if c.value.startswith("="))


def test_the_runs_notes_are_printed_and_written_into_the_manifest(tmp_path, capsys):
    status, out, _ = run(capsys, "evaluate", SAMPLE, "--year", 2020, "--out", tmp_path / "o")
    m = json.loads((tmp_path / "o" / "manifest.json").read_text(encoding="utf-8"))
    assert status == 0 and m["notes"], "the sample's 2020 has an other-era label to report"
    for note in m["notes"]:
        assert f"Lưu ý: {note}" in out


def test_the_manifest_hashes_every_input_file_read_optional_tables_included(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    (data / "indicators.csv").write_text(
        "year,indicator_id,subject_id,value\n2020,I1,U1,1\n", encoding="utf-8"
    )
    assert run(capsys, "evaluate", data, "--year", 2020, "--out", tmp_path / "o", "--quiet")[0] == 0
    m = json.loads((tmp_path / "o" / "manifest.json").read_text(encoding="utf-8"))
    assert set(m["inputs"]["sha256"]) == {p.name for p in data.iterdir() if p.suffix == ".csv"}


# -- explain -------------------------------------------------------------------------------------------


def test_explain_an_unknown_id_exits_2(capsys):
    status, out, err = run(capsys, "explain", SAMPLE, "--year", 2020, "--id", "KHONG_CO")
    assert status == 2 and out == "" and "KHONG_CO" in err


def test_explain_a_known_unit_exits_0(capsys):
    unit = pd.read_csv(SAMPLE / "units.csv", dtype=str)["unit_id"].iloc[0]
    status, out, _ = run(capsys, "explain", SAMPLE, "--year", 2020, "--id", unit)
    assert status == 0 and unit in out


# -- sample ----------------------------------------------------------------------------------------------


def test_sample_refuses_a_folder_with_the_users_units_csv_and_names_it(tmp_path, capsys):
    folder = tmp_path / "du-lieu"
    folder.mkdir()
    (folder / "units.csv").write_text("của tôi", encoding="utf-8")
    (folder / "README.md").write_text("ghi chú của tôi", encoding="utf-8")
    status, _, err = run(capsys, "sample", folder)
    assert status == 2 and "units.csv" in err and "README.md" in err and "--force" in err
    assert (folder / "units.csv").read_text(encoding="utf-8") == "của tôi"
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "units.csv"]


def test_sample_with_force_replaces_them_and_keeps_the_others(tmp_path, capsys):
    folder = tmp_path / "du-lieu"
    folder.mkdir()
    (folder / "units.csv").write_text("của tôi", encoding="utf-8")
    (folder / "khac.txt").write_text("giữ", encoding="utf-8")
    assert run(capsys, "sample", folder, "--force")[0] == 0
    assert (folder / "units.csv").read_bytes() == (SAMPLE / "units.csv").read_bytes()
    assert (folder / "khac.txt").read_text(encoding="utf-8") == "giữ"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".scoring-")] == []


def test_sample_into_an_empty_or_new_folder(tmp_path, capsys):
    (tmp_path / "rong").mkdir()
    for folder in (tmp_path / "rong", tmp_path / "moi" / "sau"):
        status, out, _ = run(capsys, "sample", folder)
        assert status == 0 and (folder / "units.csv").exists()


def test_keyboard_interrupt_exits_130_without_a_traceback(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(scoring.cli, "load_records", interrupted)
    status, _, err = run(capsys, "evaluate", SAMPLE, "--year", 2020, "--out", tmp_path / "o")
    assert status == 130 and "Đã dừng" in err


@pytest.mark.parametrize(
    "command, extra",
    [("monitor", ()), ("index", ("--draws", 100))],
)
def test_every_command_says_a_full_disk_in_vietnamese_and_exits_1(
    command, extra, tmp_path, capsys, monkeypatch
):
    disk_full(monkeypatch)
    status, _, err = run(capsys, command, SAMPLE, "--year", 2020, "--out", tmp_path / "o", *extra)
    assert status == 1
    assert "Không ghi được kết quả" in err and "ổ đĩa đã đầy" in err
    assert "No space" not in err
    assert not (tmp_path / "o").exists()


# -- usage errors and help speak Vietnamese ----------------------------------------------------

ENGLISH_ARGPARSE = ("usage:", "required", "invalid", "unrecognized", "choose from", "options:", "error:")


@pytest.mark.parametrize(
    "argv, says",
    [
        (["explain", "data", "--year", "2020"], "thiếu tham số bắt buộc: --id"),
        (
            ["evaluate", "data", "--year", "hai nghìn", "--out", "o"],
            "'hai nghìn' không đúng kiểu (cần một số nguyên)",
        ),
        (["evaluat"], "giá trị 'evaluat' không hợp lệ (chọn một trong: 'evaluate'"),
        (["evaluate", "data", "--year", "2020", "--out", "o", "--bogus"], "không nhận ra tham số: --bogus"),
        (
            ["evaluate", "data", "--year", "2020", "--out", "o", "--format", "ods"],
            "(chọn một trong: 'csv', 'parquet')",
        ),
    ],
)
def test_a_usage_error_is_worded_in_vietnamese_and_exits_2(argv, says, capsys):
    with pytest.raises(SystemExit) as stop:
        cli_main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "Lỗi cách dùng: " in err and says in err
    assert err.startswith("cách dùng: python -m scoring")
    assert not [w for w in ENGLISH_ARGPARSE if w in err]


def test_help_names_its_parts_in_vietnamese_and_argparse_is_left_as_it_was(capsys):
    import argparse

    before = argparse._
    with pytest.raises(SystemExit) as stop:
        cli_main(["evaluate", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "cách dùng:" in out and "tham số theo vị trí:" in out and "tùy chọn:" in out
    assert "in hướng dẫn này rồi thoát" in out
    assert not [w for w in ENGLISH_ARGPARSE if w in out]
    assert argparse._ is before  # other parsers in the same process keep their own words
