"""Mục II.2 — "Toàn bộ hồ sơ quá hạn phải được … hẹn lại thời gian rõ ràng, chỉ hẹn 01 lần và xin
lỗi bằng văn bản": every overdue dossier rescheduled once, with a written apology, the new due met."""

from __future__ import annotations

from ledger_helpers import ledger_folder, run_ledger

import scoring
from scoring.criteria import DEFAULT_CRITERIA

LATE = ("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-14", "")  # resolved four days late
ON_TIME = ("D2", "U1", "2020-03-01", "2020-03-10", "2020-03-09", "")
PENDING = ("D3", "U2", "2020-12-01", "2020-12-15", "", "")  # overdue at the year's end


def _check(tmp_path, reschedules, dossiers=(LATE, ON_TIME), **overrides):
    data = ledger_folder(tmp_path, list(dossiers), reschedules=reschedules)
    run = run_ledger(data, **overrides)
    return run, data


def _problems(run) -> dict[str, str]:
    return dict(zip(run.violations["dossier_id"], run.violations["problems"], strict=True))


def test_rescheduled_once_with_an_apology_and_met_is_compliant(tmp_path):
    run, _ = _check(tmp_path, [("D1", "2020-03-09 10:00", "2020-03-15", "12/XL-SM", "2020-03-09")])
    assert run.violations.empty
    row = run.compliance.iloc[0]
    assert (row["overdue"], row["compliant"], row["violations"], row["status"]) == (1, 1, 0, "checked")


def test_never_rescheduled_is_a_violation(tmp_path):
    run, _ = _check(tmp_path, [("D2", "2020-03-08", "2020-03-12", "1/XL", "")])
    assert _problems(run) == {"D1": "not_rescheduled"}


def test_rescheduled_twice_is_a_violation(tmp_path):
    run, _ = _check(
        tmp_path,
        [
            ("D1", "2020-03-09 10:00", "2020-03-12", "1/XL", ""),
            ("D1", "2020-03-12 10:00", "2020-03-15", "2/XL", ""),
        ],
    )
    # only one new appointment is allowed: the first one (12/3) is the promise checked, and missed
    assert _problems(run) == {"D1": "rescheduled_more_than_once;new_due_missed"}


def test_rescheduled_without_an_apology_is_a_violation(tmp_path):
    run, _ = _check(tmp_path, [("D1", "2020-03-09 10:00", "2020-03-15", "", "")])
    assert _problems(run) == {"D1": "no_apology"}


def test_a_new_due_missed_by_one_second_is_a_violation(tmp_path):
    late = ("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-15 17:00:01", "")
    run, _ = _check(tmp_path, [("D1", "2020-03-09", "2020-03-15 17:00:00", "1/XL", "")], dossiers=(late,))
    assert _problems(run) == {"D1": "new_due_missed"}


def test_a_dossier_pending_past_due_at_the_years_end_is_checked_too(tmp_path):
    run, _ = _check(tmp_path, [("D1", "2020-03-09", "2020-03-15", "1/XL", "")], dossiers=(LATE, PENDING))
    # overdue at the year's end whatever the denominator: it must have been rescheduled
    assert _problems(run) == {"D3": "not_rescheduled"}
    assert run.violations.set_index("dossier_id").at["D3", "kind"] == "pending_overdue"


def test_the_rule_is_a_finding_for_the_board_not_a_cap(tmp_path):
    _, data = _check(
        tmp_path,
        [("D10", "2020-03-08", "2020-03-12", "1/XL", "")],
        dossiers=[LATE]
        + [(f"D{i}", "U1", "2020-03-01", "2020-03-10", "2020-03-09", "") for i in range(10, 30)],
    )
    ev = scoring.evaluate(scoring.load_records(data), 2020)
    (d,) = ev.decisions[ev.decisions["rule_id"] == "overdue_rescheduling"].to_dict("records")
    assert (d["subject_type"], d["subject_id"], d["clause"]) == ("unit", "U1", "II.2")
    assert d["outcome"].startswith(
        "Phát hiện để Ban Tổ chức xem xét, không phải mức giới hạn xếp loại: 1/1 hồ sơ"
    )
    assert "1 không được hẹn lại" in d["evidence"] and "thực hiện đúng 0/1 (0,00%)" in d["evidence"]
    unit = ev.unit_ranking.set_index("unit_id").loc["U1"]
    assert (
        unit["band"] == "Tốt" and unit["emulation_eligible"]
    )  # 1/21 late: no cap; the finding changes nothing
    assert unit["reasons"] == ""
    assert ev.summary().endswith("chưa được hẹn lại một lần, xin lỗi bằng văn bản (mục II.2): 1")


def test_without_the_reschedules_table_the_check_has_no_data_and_never_fires(tmp_path):
    data = ledger_folder(tmp_path, [LATE, ON_TIME])
    run = run_ledger(data)
    row = run.compliance.iloc[0]
    assert row["status"] == "no_data" and row["overdue"] == 1
    assert any("chưa có số liệu" in n for n in run.notes)
    ev = scoring.evaluate(scoring.load_records(data), 2020)
    assert "overdue_rescheduling" not in set(ev.decisions["rule_id"])
    assert ev.summary().endswith("xin lỗi bằng văn bản (mục II.2): chưa có số liệu")


def test_under_the_cure_reading_the_check_still_looks_at_every_overdue_dossier(tmp_path):
    run, _ = _check(
        tmp_path, [("D1", "2020-03-09", "2020-03-15", "1/XL", "")], ledger_reschedule_cures_lateness=True
    )
    row = run.compliance.iloc[0]
    assert (row["late"], row["overdue"], row["compliant"]) == (0, 1, 1)


def test_the_check_runs_because_the_criteria_file_declares_it(tmp_path):
    """A rule of the criteria's registry (scoring/rules/overdue_rescheduling.py): a criteria file
    without it still reads the ledger's counts, and makes no finding."""
    _, data = _check(tmp_path, [("D2", "2020-03-08", "2020-03-12", "1/XL", "")])
    declared = scoring.load_criteria()
    assert (
        declared.rule("overdue_rescheduling").clause,
        declared.rule_ids.index("overdue_rescheduling"),
    ) == (
        "II.2",
        declared.rule_ids.index("official_late_dossiers") + 1,
    )
    text = DEFAULT_CRITERIA.read_text(encoding="utf-8")
    start, end = text.index("  overdue_rescheduling:\n"), text.index("  head_reform_band:\n")
    path = tmp_path / "without-the-check.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    without = scoring.load_criteria(path)
    for crit, found in ((declared, ["overdue_rescheduling"]), (without, [])):
        ev = scoring.evaluate(scoring.load_records(data, crit), 2020, crit)
        assert [r for r in ev.decisions["rule_id"] if r == "overdue_rescheduling"] == found
        assert ev.ledger is not None and ev.ledger.year_counts["late"].sum() == 1
