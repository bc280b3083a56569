"""Mục II.2 from the dossiers themselves: which dossiers count in a year, and which are late."""

from __future__ import annotations

import hashlib

import pandas as pd
from ledger_helpers import ledger_folder, official_counts, run_ledger, unit_counts, write_csv

import scoring
from scoring.ledger import Readings, open_ledger

# -- on time and late, to the second ---------------------------------------------------


def test_resolved_at_the_due_second_is_on_time_and_one_second_later_is_late(tmp_path):
    data = ledger_folder(
        tmp_path,
        [
            ("D1", "U1", "2020-03-01 08:00", "2020-03-10 17:00:00", "2020-03-10 17:00:00", ""),
            ("D2", "U1", "2020-03-01 08:00", "2020-03-10 17:00:00", "2020-03-10 17:00:01", ""),
        ],
    )
    assert unit_counts(run_ledger(data)) == {"U1": (2, 1)}


def test_a_due_date_without_a_time_ends_at_the_end_of_that_day(tmp_path):
    data = ledger_folder(
        tmp_path,
        [
            ("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-10 23:59:59", ""),
            ("D2", "U1", "2020-03-01", "2020-03-10", "2020-03-11 00:00:00", ""),
            ("D3", "U1", "01/03/2020", "10/03/2020", "10/03/2020 16:00", ""),  # Vietnamese forms
        ],
    )
    assert unit_counts(run_ledger(data)) == {"U1": (3, 1)}


def test_a_received_date_without_a_time_is_the_start_of_its_day(tmp_path):
    # received and due on the same bare date: a same-day dossier, not a due before its receipt
    data = ledger_folder(tmp_path, [("D1", "U1", "2020-03-10", "2020-03-10", "2020-03-10 15:00", "")])
    assert unit_counts(run_ledger(data)) == {"U1": (1, 0)}


def test_times_with_a_utc_offset_are_read_in_vietnam_time(tmp_path):
    # 10:00:01Z is 17:00:01 in Hà Nội: one second late
    data = ledger_folder(
        tmp_path, [("D1", "U1", "2020-03-01T01:00:00Z", "2020-03-10 17:00", "2020-03-10T10:00:01Z", "")]
    )
    assert unit_counts(run_ledger(data)) == {"U1": (1, 1)}


def test_day_granularity_makes_any_hour_of_the_due_day_on_time(tmp_path):
    data = ledger_folder(
        tmp_path, [("D1", "U1", "2020-03-01 08:00", "2020-03-10 09:00", "2020-03-10 16:00", "")]
    )
    assert unit_counts(run_ledger(data)) == {"U1": (1, 1)}
    assert unit_counts(run_ledger(data, ledger_on_time_granularity="day")) == {"U1": (1, 0)}


# -- which year a dossier belongs to ------------------------------------------------------


def _year_edge(tmp_path):
    return ledger_folder(
        tmp_path,
        [
            ("D1", "U1", "2020-12-10", "2020-12-21", "2021-01-01 09:00", ""),  # due 2020, resolved 2021
            ("D2", "U1", "2020-03-01", "2020-03-10", "2020-03-09", ""),
        ],
    )


def test_a_dossier_due_in_december_and_resolved_on_new_years_day_counts_in_the_new_year(tmp_path):
    run = run_ledger(_year_edge(tmp_path))
    assert unit_counts(run, 2020) == {"U1": (1, 0)}
    assert unit_counts(run, 2021) == {"U1": (1, 1)}


def test_by_due_year_the_same_dossier_counts_in_the_year_it_was_due(tmp_path):
    run = run_ledger(_year_edge(tmp_path), ledger_year_by="due")
    assert unit_counts(run, 2020) == {"U1": (2, 1)}
    assert unit_counts(run, 2021) == {}


# -- the denominator -------------------------------------------------------------------------


def _pending(tmp_path):
    return ledger_folder(
        tmp_path,
        [
            ("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-09", ""),
            (
                "D2",
                "U1",
                "2020-12-20 08:00",
                "2020-12-31 23:59:59",
                "",
                "",
            ),  # pending, due at the last second
            ("D3", "U1", "2020-12-20", "2021-01-05", "", ""),  # pending, not yet due
            ("D4", "U1", "2020-11-02", "2020-11-20", "2021-02-01", ""),  # overdue at the year's end
        ],
    )


def test_by_default_the_denominator_is_the_dossiers_resolved_in_the_year(tmp_path):
    run = run_ledger(_pending(tmp_path))
    assert unit_counts(run, 2020) == {"U1": (1, 0)}
    assert unit_counts(run, 2021) == {"U1": (1, 1)}


def test_pending_past_due_at_the_years_end_count_as_late_under_the_other_denominator(tmp_path):
    run = run_ledger(_pending(tmp_path), ledger_denominator="resolved_and_pending_overdue")
    # D2 (due 23:59:59 on 31/12, still pending) and D4 are overdue at the end of 2020; D3 is not
    assert unit_counts(run, 2020) == {"U1": (3, 2)}
    year = run.counts[run.counts["year"] == 2020].iloc[0]
    assert (int(year["resolved"]), int(year["pending_overdue"])) == (1, 2)


def test_denied_and_cancelled_dossiers_are_left_out_and_the_run_says_how_many(tmp_path):
    data = ledger_folder(
        tmp_path,
        [
            ("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-12", ""),
            ("D2", "U1", "2020-03-01", "2020-03-10", "2020-03-12", "denied"),
            ("D3", "U1", "2020-03-01", "2020-03-10", "2020-03-12", "Đã hủy"),
        ],
    )
    run = run_ledger(data)
    assert unit_counts(run) == {"U1": (1, 1)}
    assert any(n.startswith("2 hồ sơ bị từ chối hoặc hủy") for n in run.notes)


# -- rescheduling never cures lateness (unless the reading says so) ---------------------------


def _rescheduled(tmp_path, ref="12/XL"):
    return ledger_folder(
        tmp_path,
        [("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-14", "")],
        reschedules=[("D1", "2020-03-09 10:00", "2020-03-15", ref, "2020-03-09")],
    )


def test_a_dossier_resolved_after_its_original_due_is_late_even_if_it_met_the_new_one(tmp_path):
    assert unit_counts(run_ledger(_rescheduled(tmp_path))) == {"U1": (1, 1)}


def test_under_the_cure_reading_one_rescheduling_with_an_apology_met_in_time_is_not_late(tmp_path):
    assert unit_counts(run_ledger(_rescheduled(tmp_path), ledger_reschedule_cures_lateness=True)) == {
        "U1": (1, 0)
    }


def test_the_cure_reading_needs_the_apology(tmp_path):
    data = _rescheduled(tmp_path, ref="")
    assert unit_counts(run_ledger(data, ledger_reschedule_cures_lateness=True)) == {"U1": (1, 1)}


# -- per official ----------------------------------------------------------------------------


def _steps(tmp_path):
    return ledger_folder(
        tmp_path,
        [
            ("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-09", ""),  # on time overall
            ("D2", "U1", "2020-03-01", "2020-03-10", "2020-03-12", ""),  # late overall
        ],
        steps=[
            ("D1", "1", "O1", "2020-03-01", "2020-03-03", "2020-03-04"),  # O1's step one day late
            ("D1", "2", "O2", "2020-03-04", "2020-03-08", "2020-03-08"),
            ("D2", "1", "O1", "2020-03-01", "2020-03-03", "2020-03-03"),
            ("D2", "2", "O2", "2020-03-04", "2020-03-08", "2020-03-08"),
            ("D2", "3", "", "2020-03-09", "2020-03-10", ""),  # the system's step: nobody's
        ],
    )


def test_an_official_is_late_on_a_dossier_when_their_own_step_ended_after_its_due(tmp_path):
    run = run_ledger(_steps(tmp_path))
    assert official_counts(run) == {"O1": (2, 1), "O2": (2, 0)}


def test_under_the_last_step_reading_the_dossier_goes_to_the_official_of_its_last_step(tmp_path):
    run = run_ledger(_steps(tmp_path), ledger_official_attribution="last_step")
    assert official_counts(run) == {"O2": (2, 1)}


def test_a_step_not_done_is_judged_when_the_dossier_was_resolved(tmp_path):
    data = ledger_folder(
        tmp_path,
        [("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-12", "")],
        steps=[("D1", "1", "O1", "2020-03-01", "2020-03-05", "")],
    )
    assert official_counts(run_ledger(data)) == {"O1": (1, 1)}


def test_an_official_with_two_steps_of_one_dossier_counts_it_once_and_late_if_either_was(tmp_path):
    data = ledger_folder(
        tmp_path,
        [
            ("D1", "U1", "2020-03-01", "2020-03-10", "2020-03-09", ""),
            ("D2", "U1", "2020-03-01", "2020-03-10", "2020-03-09", ""),
        ],
        steps=[
            ("D1", "1", "O1", "2020-03-01 08:00", "2020-03-03 17:00", "2020-03-03 17:00:00"),
            ("D1", "3", "O1", "2020-03-05 08:00", "2020-03-06 17:00", "2020-03-06 17:00:01"),  # a second late
            ("D2", "1", "O1", "2020-03-01 08:00", "2020-03-03 17:00", "2020-03-03 16:00"),
            ("D2", "2", "O1", "2020-03-04 08:00", "2020-03-05 17:00", "2020-03-05 16:00"),
            ("D2", "3", "O2", "2020-03-06 08:00", "2020-03-07 17:00", "2020-03-07 16:00"),
        ],
    )
    assert official_counts(run_ledger(data)) == {"O1": (2, 1), "O2": (1, 0)}
    assert official_counts(run_ledger(data, ledger_on_time_granularity="day")) == {"O1": (2, 0), "O2": (1, 0)}


# -- partitions add up --------------------------------------------------------------------------


def test_the_counts_of_two_halves_of_a_ledger_add_up_to_the_counts_of_the_whole(tmp_path):
    rows = [
        (f"D{i}", "U1" if i % 3 else "U2", "2020-03-01", "2020-03-10", f"2020-03-{5 + i % 9:02d}", "")
        for i in range(40)
    ] + [(f"P{i}", "U1", "2020-11-01", "2020-11-30", "" if i % 2 else "2021-01-04", "") for i in range(6)]
    steps = [
        (d[0], "1", "O1" if i % 2 else "O3", "2020-03-01", "2020-03-06", "2020-03-07")
        for i, d in enumerate(rows)
    ]
    whole = ledger_folder(tmp_path / "whole", rows, steps)
    halves = [
        ledger_folder(
            tmp_path / f"half{k}", rows[k::2], [s for s in steps if s[0] in {r[0] for r in rows[k::2]}]
        )
        for k in (0, 1)
    ]
    crit = scoring.load_criteria()
    for readings in (Readings(), Readings(with_pending=True), Readings(year_by="due", with_pending=True)):
        ledgers = [open_ledger(scoring.load_records(f, crit)) for f in (whole, *halves)]
        last = ledgers[0].last_year  # the span of years is the whole ledger's, given to each part
        for kind in ("unit_counts", "official_counts"):
            key = "unit_id" if kind == "unit_counts" else "official_id"
            parts = [getattr(lg, kind)(readings, last_year=last) for lg in ledgers]
            added = (
                pd.concat(parts[1:])
                .groupby(["year", key], as_index=False)[["handled", "late"]]
                .sum()
                .sort_values(["year", key], ignore_index=True)
            )
            assert added.equals(parts[0][["year", key, "handled", "late"]]), (readings, kind)


# -- evaluate reads the ledger ------------------------------------------------------------


def test_evaluate_derives_the_counts_from_the_ledger_and_cites_it(tmp_path):
    rows = [
        (f"D{i}", "U1", "2020-03-01", "2020-03-10", "2020-03-12" if i < 2 else "2020-03-09", "")
        for i in range(10)
    ]
    data = ledger_folder(tmp_path, rows)
    ev = scoring.evaluate(scoring.load_records(data), 2020)
    unit = ev.unit_ranking.set_index("unit_id").loc["U1"]
    assert unit["late_rate"] == 0.2 and not unit["emulation_eligible"]
    decision = ev.decisions[ev.decisions["rule_id"] == "unit_late_dossiers"].iloc[0]
    assert "số liệu tính từ 10 hồ sơ trong sổ theo dõi (dossiers.csv)" in decision["evidence"]
    assert not any(n.startswith("Không có bảng unit_dossiers") for n in ev.notes)
    assert any("Sổ theo dõi hồ sơ một cửa (dossiers.csv): 10 hồ sơ" in n for n in ev.notes)
    assert "dossiers.csv" in ev.records.input_sha256


def test_a_partitioned_parquet_ledger_is_found_read_and_hashed(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = ledger_folder(tmp_path, [("X", "U1", "2020-01-01", "2020-01-02", "2020-01-02", "")])
    (data / "dossiers.csv").unlink()
    part = data / "dossiers" / "year=2020"
    part.mkdir(parents=True)
    table = pa.table(
        {
            "dossier_id": ["D1", "D2"],
            "unit_id": ["U1", "U2"],
            "received_at": pa.array(pd.to_datetime(["2020-03-01 08:00", "2020-03-01 08:00"])),
            "due_at": pa.array(pd.to_datetime(["2020-03-10 17:00", "2020-03-10 17:00"])),
            "resolved_at": pa.array(pd.to_datetime(["2020-03-10 17:00:00", "2020-03-10 17:00:01"])),
        }
    )
    pq.write_table(table, part / "part-0.parquet")
    write_csv(data / "ignored.txt", ["x"], [])
    recs = scoring.load_records(data)
    run = run_ledger(data)
    assert unit_counts(run) == {"U1": (1, 0), "U2": (1, 1)}
    scoring.evaluate(recs, 2020)
    with open(part / "part-0.parquet", "rb") as f:  # hashed on a thread while DuckDB reads it
        assert recs.input_sha256["dossiers/year=2020/part-0.parquet"] == hashlib.sha256(f.read()).hexdigest()
