"""Recorded counts next to a ledger: every difference reported, neither silently preferred."""

from __future__ import annotations

import pytest
from ledger_helpers import ledger_folder, run_ledger

import scoring
from scoring.cli import main
from scoring.records import ValidationError

ROWS = [
    (f"D{i}", "U1", "2020-03-01", "2020-03-10", "2020-03-12" if i < 3 else "2020-03-09", "")
    for i in range(10)
]


def _folder(tmp_path, recorded):
    return ledger_folder(tmp_path, ROWS, unit_dossiers=recorded)


def test_recorded_counts_that_agree_with_the_ledger_reconcile_with_no_difference(tmp_path):
    # U2 recorded 0/0 and absent from the ledger: the same thing
    run = run_ledger(_folder(tmp_path, [(2020, "U1", 10, 3), (2020, "U2", 0, 0)]))
    assert run.differences.empty
    assert run.used == "ledger"


def test_a_difference_is_refused_by_default_with_both_figures(tmp_path):
    data = _folder(tmp_path, [(2020, "U1", 10, 2), (2020, "U2", 5, 0)])
    with pytest.raises(ValidationError) as err:
        run_ledger(data)
    got = [p.message() for p in err.value.problems]
    assert got[0].startswith(
        "unit_dossiers.csv, dòng 2, cột late: giá trị «2» — đơn vị U1 năm 2020: số liệu tổng hợp 10 hồ sơ, 2 trễ hạn; "
        "sổ theo dõi (dossiers.csv) tính được 10 hồ sơ, 3 trễ hạn"
    )
    assert got[1].startswith("unit_dossiers.csv, dòng 3, cột handled: giá trị «5» — đơn vị U2 năm 2020")
    assert "--set ledger_recorded_conflict=ledger" in got[0]


@pytest.mark.parametrize("side, late", [("ledger", 3), ("recorded", 2)])
def test_a_reading_says_which_side_wins_and_the_differences_are_still_listed(tmp_path, side, late):
    data = _folder(tmp_path, [(2020, "U1", 10, 2)])
    run = run_ledger(data, ledger_recorded_conflict=side)
    assert run.differences[["subject_id", "recorded_late", "ledger_late"]].values.tolist() == [["U1", 2, 3]]
    ev = scoring.evaluate(
        scoring.load_records(data),
        2020,
        scoring.load_criteria().with_overrides({"ledger_recorded_conflict": side}),
    )
    assert ev.unit_ranking.set_index("unit_id").at["U1", "late_rate"] == late / 10
    assert any(f"ledger_recorded_conflict = {side}" in n for n in ev.notes)


def test_a_year_the_ledger_does_not_cover_keeps_its_recorded_counts(tmp_path):
    data = _folder(tmp_path, [(2020, "U1", 10, 3), (2019, "U1", 50, 1)])
    run = run_ledger(data)
    assert run.differences.empty and run.covered_years == (2020,)
    fed = run.unit_dossiers.set_index(["year", "unit_id"])
    assert fed.loc[(2019, "U1"), "late"] == 1 and fed.loc[(2020, "U1"), "late"] == 3


def test_official_counts_are_reconciled_too(tmp_path):
    data = ledger_folder(
        tmp_path,
        ROWS[:2],
        steps=[
            ("D0", "1", "O1", "2020-03-01", "2020-03-05", "2020-03-06"),
            ("D1", "1", "O1", "2020-03-01", "2020-03-05", ""),
        ],
        official_dossiers=[(2020, "O1", 2, 1)],
    )
    with pytest.raises(ValidationError, match="cán bộ O1 năm 2020: số liệu tổng hợp 2 hồ sơ, 1 trễ hạn"):
        run_ledger(data)


def test_the_ledger_command_writes_the_differences_rather_than_refusing(tmp_path, capsys):
    data = _folder(tmp_path / "data", [(2020, "U1", 10, 2)])
    out = tmp_path / "out"
    assert main(["ledger", str(data), "--year", "2020", "--out", str(out)]) == 0
    text = (out / "reconciliation.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[1] == "2020,unit_dossiers,U1,10,2,10,3"
    assert "evaluate sẽ không tính cho đến khi hai nguồn khớp" in capsys.readouterr().out
    assert main(["evaluate", str(data), "--year", "2020", "--out", str(tmp_path / "ev")]) == 2
    assert (
        main(
            [
                "evaluate",
                str(data),
                "--year",
                "2020",
                "--out",
                str(tmp_path / "ev"),
                "--set",
                "ledger_recorded_conflict=ledger",
            ]
        )
        == 0
    )
