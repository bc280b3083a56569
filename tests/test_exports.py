"""Exports (SPEC §3, §5; issue "Nothing lost, nothing trusted blindly").

Atomic (an interrupted export leaves no output, or the previous complete one), byte-identical
across runs and output folders, UTF-8 with BOM, formula-looking text neutralised in CSV and
XLSX, the audit stamp in manifest.json and in the workbook's custom properties, inputs never
modified, and a workbook of the input tables deciding as the CSV folder does.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import HT_2020, HTT, HTXS, SO, TOT, make_dataset

import scoring
import scoring.atomic as atomic
import scoring.export as export
from scoring.cli import main
from scoring.export import neutralise, write_outputs
from scoring.sample import SAMPLE_TABLES, sample_path
from scoring.workbook import INFO_SHEET, SHEETS

ROOT = Path(__file__).resolve().parents[1]
CRITERIA_FILE = ROOT / "criteria" / "khanh-hoa-2017.yaml"
TABLES = ("unit_ranking", "official_ratings", "removal_triggers", "party_org_classifications", "decisions")
FORMULA_NAMES = {
    "U1": '=HYPERLINK("http://example.invalid","Sở Nội vụ")',
    "CB1": "+84 Nguyễn Văn An",
    "CB2": "-Lê Thị Bình",
    "CB3": "@Trần Văn Cường",
    "CB4": "=1+1",
}


@functools.cache
def criteria(path=None):
    return scoring.load_criteria(path)


@pytest.fixture(autouse=True)
def _criteria_read_once(monkeypatch):
    monkeypatch.setattr("scoring.cli.load_criteria", criteria)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dataset(folder: Path) -> Path:
    """A small year whose names look like formulas; every rule has something to say."""
    return make_dataset(
        folder,
        units=[
            ("U1", FORMULA_NAMES["U1"], SO, "P1"),
            ("U2", "Sở Tư pháp", SO, "P2"),
        ],
        reform_results=[
            (2018, "U1", "60.00", ""),
            (2019, "U1", "", "Trung bình"),
            (2020, "U1", "55.5", ""),
            (2020, "U2", "84.995", ""),
        ],
        unit_dossiers=[(2020, "U1", 100, 10), (2020, "U2", 50, 0)],
        officials=[
            (2018, "CB1", FORMULA_NAMES["CB1"], "U1", "head", HTT),
            (2019, "CB1", FORMULA_NAMES["CB1"], "U1", "head", HTT),
            (2020, "CB1", FORMULA_NAMES["CB1"], "U1", "head", HTXS),
            (2020, "CB2", FORMULA_NAMES["CB2"], "U1", "staff", HTT),
            (2020, "CB3", FORMULA_NAMES["CB3"], "U2", "head", HTXS),
            (2020, "CB4", FORMULA_NAMES["CB4"], "U2", "deputy", HT_2020),
        ],
        official_dossiers=[(2020, "CB2", 30, 4), (2020, "CB3", 10, 0)],
        party_orgs=[(2020, "P1", "U1", HTXS), (2020, "P2", "U2", HTT)],
    )


def run_cli(data: Path, out: Path, *extra: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(["evaluate", str(data), "--year", "2020", "--out", str(out), *extra])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def data(tmp_path):
    return dataset(tmp_path / "data")


@pytest.fixture
def evaluation(data):
    crit = criteria()
    return scoring.evaluate(scoring.load_records(data, crit), 2020, crit)


# -- byte-identical, BOM, inputs untouched -------------------------------------------------


def test_two_runs_into_two_folders_give_identical_bytes(data, tmp_path):
    assert run_cli(data, tmp_path / "a" / "out") == 0
    assert run_cli(data, tmp_path / "b" / "elsewhere") == 0
    a, b = snapshot(tmp_path / "a" / "out"), snapshot(tmp_path / "b" / "elsewhere")
    assert set(a) == {*(f"{t}.csv" for t in TABLES), "decisions.xlsx", "manifest.json"}
    assert a == b
    # and again into the same folder, over the first export
    assert run_cli(data, tmp_path / "a" / "out") == 0
    assert snapshot(tmp_path / "a" / "out") == a


def test_parquet_exports_are_byte_identical_too(data, tmp_path):
    assert run_cli(data, tmp_path / "p1", "--format", "parquet") == 0
    assert run_cli(data, tmp_path / "p2", "--format", "parquet") == 0
    assert snapshot(tmp_path / "p1") == snapshot(tmp_path / "p2")


def test_csv_is_utf8_with_bom_and_reads_back(data, tmp_path):
    out = tmp_path / "out"
    assert run_cli(data, out) == 0
    for t in TABLES:
        body = (out / f"{t}.csv").read_bytes()
        assert body.startswith(b"\xef\xbb\xbf")
        body.decode("utf-8")
    ranking = pd.read_csv(out / "unit_ranking.csv", encoding="utf-8-sig", dtype=str)
    assert ranking.loc[ranking["unit_id"] == "U2", "score"].item() == "85.00"


def test_inputs_are_never_modified(data, tmp_path):
    before = {p.name: (sha256(p), p.stat().st_mtime_ns) for p in data.iterdir()}
    assert run_cli(data, tmp_path / "out") == 0
    assert run_cli(data, tmp_path / "out", "--set", "unit_late_threshold_percent=12") == 0
    assert {p.name: (sha256(p), p.stat().st_mtime_ns) for p in data.iterdir()} == before


# -- formula neutralisation ----------------------------------------------------------------


def test_neutralise_covers_every_formula_start():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert neutralise(text) == "'" + text
    assert neutralise("Sở Nội vụ") == "Sở Nội vụ"


def test_formula_looking_names_are_text_in_the_csv(data, tmp_path):
    out = tmp_path / "out"
    assert run_cli(data, out) == 0
    ranking = pd.read_csv(out / "unit_ranking.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert ranking.loc[ranking["unit_id"] == "U1", "unit_name"].item() == "'" + FORMULA_NAMES["U1"]
    ratings = pd.read_csv(
        out / "official_ratings.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    names = dict(zip(ratings["official_id"], ratings["full_name"], strict=True))
    for oid in ("CB1", "CB2", "CB3", "CB4"):
        assert names[oid] == "'" + FORMULA_NAMES[oid]
    # nothing else changes: a normal name is written as is
    assert "Sở Tư pháp" in ranking["unit_name"].tolist()


def test_formula_looking_names_are_string_cells_in_the_xlsx(data, tmp_path):
    out = tmp_path / "out"
    assert run_cli(data, out) == 0
    wb = openpyxl.load_workbook(out / "decisions.xlsx")
    seen = {}
    for sheet, id_col, name_col in (("unit_ranking", 2, 3), ("official_ratings", 2, 3)):
        ws = wb[SHEETS[sheet]]
        for row in ws.iter_rows(min_row=2):
            seen[row[id_col - 1].value] = row[name_col - 1]
    for key, text in FORMULA_NAMES.items():
        cell = seen[key]
        assert cell.data_type == "s", (key, cell.data_type)
        assert cell.value in (text, "'" + text)
        assert cell.quotePrefix, key  # Excel keeps it text even when the cell is edited
    # no cell anywhere in the workbook is a formula
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row)


def test_control_characters_do_not_break_the_workbook(tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở\x0bNội vụ", SO)],
        reform_results=[(2020, "U1", "90", "")],
        officials=[(2020, "CB1", "An", "U1", "head", HTT)],
    )
    assert run_cli(data, tmp_path / "out") == 0
    wb = openpyxl.load_workbook(tmp_path / "out" / "decisions.xlsx")
    assert wb[SHEETS["unit_ranking"]]["C2"].value == "Sở\ufffdNội vụ"
    assert "Sở\x0bNội vụ" in (tmp_path / "out" / "unit_ranking.csv").read_text(encoding="utf-8-sig")


# -- the audit stamp -----------------------------------------------------------------------


def test_manifest_records_version_hashes_year_and_overrides(data, tmp_path):
    out = tmp_path / "out"
    assert run_cli(data, out, "--set", "unit_late_threshold_percent=12", "--set", "streak_years_weak=3") == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["version"] == scoring.__version__
    assert m["year"] == 2020
    assert m["criteria"]["file"] == CRITERIA_FILE.name
    assert m["criteria"]["sha256"] == sha256(CRITERIA_FILE)
    assert m["overrides"] == {"unit_late_threshold_percent": 12, "streak_years_weak": 3}
    assert m["inputs"]["sha256"] == {p.name: sha256(p) for p in sorted(data.iterdir())}
    assert m["files"] == sorted(p.name for p in out.iterdir() if p.name != "manifest.json")
    assert not any(k in m for k in ("time", "timestamp", "created", "date"))


def test_workbook_properties_carry_the_same_stamp(data, tmp_path):
    out = tmp_path / "out"
    assert run_cli(data, out, "--set", "unit_late_threshold_percent=12") == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(out / "decisions.xlsx")
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["scoring_version"] == m["version"] == scoring.__version__
    assert props["year"] == "2020"
    assert props["criteria_sha256"] == sha256(CRITERIA_FILE)
    assert json.loads(props["overrides"]) == {"unit_late_threshold_percent": 12}
    for name, sha in m["inputs"]["sha256"].items():
        assert props[f"input_sha256:{name}"] == sha == sha256(data / name)
    assert wb.sheetnames == [SHEETS[t] for t in TABLES] + [INFO_SHEET]


# -- atomic writes -------------------------------------------------------------------------


def _fail_after(monkeypatch, n: int, what: str = "fsync"):
    """Make the n+1-th call of os.<what> inside the export raise (once), as a full disk would."""
    real = getattr(os, what)
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n + 1:
            raise OSError(28, "No space left on device (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(atomic.os, what, flaky)


def _leftovers(parent: Path) -> list[str]:
    """Hidden things beside the output, but the lock file, which stays (docs/exports.md)."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".") and p.suffix != ".lock")


def test_a_failure_after_the_first_file_leaves_no_output(evaluation, tmp_path, monkeypatch):
    out = tmp_path / "new" / "deeper" / "out"
    _fail_after(monkeypatch, 1)
    with pytest.raises(OSError, match="simulated"):
        write_outputs(evaluation, out)
    assert not out.exists()
    assert not (tmp_path / "new").exists(), "folders made for the export are removed again"


def test_a_failure_keeps_the_previous_complete_export(evaluation, data, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run_cli(data, out, "--set", "unit_late_threshold_percent=12") == 0
    before = snapshot(out)
    _fail_after(monkeypatch, 2)
    with pytest.raises(OSError, match="simulated"):
        write_outputs(evaluation, out)
    assert snapshot(out) == before
    assert _leftovers(tmp_path) == []


def test_a_failure_while_swapping_folders_puts_the_previous_export_back(
    evaluation, data, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    assert run_cli(data, out, "--set", "unit_late_threshold_percent=12") == 0
    before = snapshot(out)
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)  # two renames, as on Windows
    _fail_after(monkeypatch, 1, "rename")  # out -> aside works, new -> out fails
    with pytest.raises(OSError, match="simulated"):
        write_outputs(evaluation, out)
    assert snapshot(out) == before
    assert _leftovers(tmp_path) == []


def test_a_failing_writer_through_the_command_line_writes_nothing(data, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("writer failed (simulated)")

    monkeypatch.setattr(export, "decisions_workbook", broken)
    out = tmp_path / "out"
    assert run_cli(data, out) == 1  # a message, never a traceback (tests/test_cli_errors.py)
    assert not out.exists()
    assert _leftovers(tmp_path) == []


def test_a_new_export_replaces_the_previous_one_whole(evaluation, tmp_path):
    out = tmp_path / "out"
    write_outputs(evaluation, out)
    assert (out / "decisions.xlsx").exists()
    notices = write_outputs(evaluation, out, max_spreadsheet_rows=1)
    assert notices and "decisions.xlsx" in notices[0]
    assert not (out / "decisions.xlsx").exists(), "a stale workbook would disagree with the tables"
    assert json.loads((out / "manifest.json").read_text())["files"] == sorted(f"{t}.csv" for t in TABLES)


def test_a_folder_with_other_files_keeps_them(evaluation, tmp_path):
    out = tmp_path / "shared"
    out.mkdir()
    (out / "ghi-chu.txt").write_text("của người dùng", encoding="utf-8")
    write_outputs(evaluation, out)
    write_outputs(evaluation, out, max_spreadsheet_rows=1)
    names = {p.name for p in out.iterdir()}
    assert "ghi-chu.txt" in names and "decisions.xlsx" not in names
    assert (out / "ghi-chu.txt").read_text(encoding="utf-8") == "của người dùng"
    assert {f"{t}.csv" for t in TABLES} | {"manifest.json"} <= names
    assert _leftovers(tmp_path) == []


def test_an_out_path_that_is_a_file_is_refused_and_kept(evaluation, tmp_path):
    out = tmp_path / "out"
    out.write_text("không phải thư mục", encoding="utf-8")
    with pytest.raises(NotADirectoryError, match="không phải thư mục"):
        write_outputs(evaluation, out)
    assert out.read_text(encoding="utf-8") == "không phải thư mục"
    assert _leftovers(tmp_path) == []


# -- a workbook input decides as the CSV folder --------------------------------------------


def test_an_xlsx_workbook_of_the_sample_gives_the_same_decisions_as_the_csv_folder(tmp_path):
    book = tmp_path / "mau.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        for t in SAMPLE_TABLES:
            # as a clerk's workbook would hold them: years and counts as numbers, ids as text
            df = pd.read_csv(sample_path() / f"{t}.csv", dtype=str, keep_default_na=False)
            for c in ("year", "handled", "late"):
                if c in df:
                    df[c] = df[c].astype(int)
            df.to_excel(writer, sheet_name=t, index=False)
    assert run_cli(sample_path(), tmp_path / "from_csv") == 0
    assert run_cli(book, tmp_path / "from_xlsx") == 0
    a, b = snapshot(tmp_path / "from_csv"), snapshot(tmp_path / "from_xlsx")
    for t in TABLES:
        assert a[f"{t}.csv"] == b[f"{t}.csv"], t
    ma, mb = (json.loads(x["manifest.json"]) for x in (a, b))
    assert mb["inputs"]["sha256"] == {"mau.xlsx": sha256(book)}
    assert ma["criteria"] == mb["criteria"]
    # the workbook's own sheets hold the same values
    wa = openpyxl.load_workbook(io.BytesIO(a["decisions.xlsx"]), read_only=True)
    wb = openpyxl.load_workbook(io.BytesIO(b["decisions.xlsx"]), read_only=True)
    for t in TABLES:
        a_rows, b_rows = (list(w[SHEETS[t]].iter_rows(values_only=True)) for w in (wa, wb))
        assert a_rows == b_rows, t


def test_the_fixture_has_something_to_say(evaluation):
    # the dataset is not trivial: caps, a trigger-free unit, a score rounded half up
    o = evaluation.official_ratings.set_index("official_id")
    assert o.loc["CB1", "capped_by"] == "head_reform_band"
    assert o.loc["CB2", "discipline_review"]
    u = evaluation.unit_ranking.set_index("unit_id")
    assert u.loc["U2", "score"] == 85.0 and u.loc["U2", "band"] == TOT
    assert not u.loc["U1", "emulation_eligible"]  # 10 of 100 dossiers late: 10% or more


# -- the Arrow CSV writer gives the bytes of the pandas writer --------------------------------


def _pandas_csv(df):
    import io

    from scoring.export import csv_frame

    buf = io.StringIO()
    csv_frame(df).to_csv(buf, index=False, lineterminator="\r\n")
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def test_arrow_csv_writer_matches_the_pandas_writer_on_every_sample_table():
    from scoring.export import _csv_bytes

    crit = scoring.load_criteria()
    recs = scoring.load_records(None, crit)
    for year in (2017, 2018, 2020):
        for name, df in scoring.evaluate(recs, year, crit).tables().items():
            assert _csv_bytes(df) == _pandas_csv(df), (year, name)


def test_arrow_csv_writer_quotes_neutralises_and_formats_like_the_pandas_writer():
    from scoring.export import _csv_bytes

    df = pd.DataFrame(
        {
            "official_id": ["=1+1", 'a"b', "x,y", "-5", None, "line\nbreak", "@x", "\tt"],
            "role": pd.Categorical(["head", "=cmd", "staff", "head", "staff", "deputy", "", "head"]),
            "n": pd.array([1, None, 3, 4, 5, 6, 7, 8], dtype="Int64"),
            "flag": [True, False] * 4,
            "score": [84.99, np.nan, 85.0, 0.01, 100, 1.1, 2.67, 50],
            "late_rate": [0.1, 1 / 3, np.nan, 2 / 3, 0.0, 1.0, 1e-7, 0.5],
        }
    )
    assert _csv_bytes(df) == _pandas_csv(df)
    assert _csv_bytes(df.iloc[:0]) == _pandas_csv(df.iloc[:0])


def test_one_pass_csv_writer_on_sliced_empty_and_vietnamese_columns():
    from scoring.export import _csv_bytes

    df = pd.DataFrame(
        {
            "full_name": pd.array(
                ['Nguyễn Văn "An"', "Đỗ, Thị", "=Lê", "", None, "Phạm\r\nB", "Hồ'", "-"], dtype="str"
            ),
            "unit_id": pd.array(["", "", "", "", "", "", "", ""], dtype="str"),
            "note": ["ố,ễ", "@a", "b", "c", "+d", "e", "\tf", "g"],
        }
    )
    for part in (df, df.iloc[3:], df.iloc[:0], df.iloc[2:3]):
        assert _csv_bytes(part) == _pandas_csv(part), part


def test_a_table_with_no_cell_to_quote_is_laid_out_by_arrow_with_the_same_bytes():
    """No quote, comma or line break in any cell (formula-like cells only guarded): the
    unquoted Arrow writer; one comma in a category: the joined rows. Both as pandas writes."""
    from scoring.export import _csv_bytes

    df = pd.DataFrame(
        {
            "official_id": pd.array(["=1+1", "CB01", None, "@x", "\tt", "Nguyễn Văn An"], dtype="str"),
            "role": pd.Categorical(["head", "-cmd", "staff", "head", "staff", None]),
            "n": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
            "flag": [True, False] * 3,
            "late_rate": [0.1, 1 / 3, np.nan, 2 / 3, 0.0, 1.0],
        }
    )
    assert _csv_bytes(df) == _pandas_csv(df)
    with_comma = df.assign(role=pd.Categorical(["head", "a,b", "staff", "head", "staff", None]))
    assert _csv_bytes(with_comma) == _pandas_csv(with_comma)
    repeated = pd.DataFrame({"evidence": pd.array(['tỉ lệ "trễ", 12%', "=x", "ok"] * 50, dtype="str")})
    assert _csv_bytes(repeated) == _pandas_csv(repeated)


@pytest.mark.parametrize(
    "rates",
    [
        [0.0, 1 / 7, 1.0, 0.5, np.nan, 1e-7],  # every rate under 10: laid out at one width
        [0.25, 12.5, 1 / 3],  # one at 10 or more: cast whole and fraction apart
        [np.nan, np.nan],
    ],
)
def test_late_rates_at_six_decimals_under_and_over_ten_read_as_the_pandas_writer(rates):
    from scoring.export import _csv_bytes

    df = pd.DataFrame({"late_rate": rates, "score": [r * 10 for r in rates]})
    assert _csv_bytes(df) == _pandas_csv(df)


@pytest.mark.parametrize(
    "years",
    [[2020] * 5, [2019, 2020, 2020], pd.array([2020, None, 2020], dtype="Int64"), [7]],
)
def test_a_year_column_of_one_value_or_several_reads_as_the_pandas_writer(years):
    from scoring.export import _csv_bytes

    df = pd.DataFrame({"year": years, "unit_id": ["U1"] * len(years)})
    assert _csv_bytes(df) == _pandas_csv(df)


@pytest.mark.parametrize("chunk", [1, 5, 7, 1 << 18])
def test_cells_to_quote_are_found_across_the_scans_pieces(chunk, monkeypatch):
    # the quote, comma and line break scan reads the text a piece at a time: a cell to quote
    # must be found at a piece's first byte, its last, and across two pieces
    from scoring import export

    monkeypatch.setattr(export, "_CHUNK", chunk)
    names = ["Nguyễn Văn An", 'Lê "Bình"', "Trần, Cường", "Đặng Thu\nHà", "Hồ Xuân", ",", "ab\r\n", "=Lê"]
    df = pd.DataFrame({"full_name": pd.array(names * 3, dtype="str")})
    assert export._csv_bytes(df) == _pandas_csv(df)
    plain = pd.DataFrame({"full_name": pd.array(["Nguyễn Văn An", "Hồ Xuân"] * 3, dtype="str")})
    assert export._csv_bytes(plain) == _pandas_csv(plain)


# (late, handled): late rates that are exact halves at the 7th decimal, on either side of the
# half in binary (1/400,000 is stored a little above 0.0000025, 7/400,000 a little below
# 0.0000175, 1/128 exactly on it), and their neighbours just under and over
HALVES = [(1, 400_000), (7, 400_000), (1, 128), (5, 128), (3, 640), (1, 8_000_000)]
NEIGHBOURS = [(2_499, 1_000_000_000), (2_501, 1_000_000_000), (1, 3), (2, 3), (1, 10), (0, 7), (7, 7)]


def _half_up(late: int, handled: int, decimals: int = 6) -> str:
    from decimal import ROUND_HALF_UP, Decimal

    return str(
        (Decimal(late) / Decimal(handled)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    )


@pytest.mark.parametrize("pairs", [HALVES, NEIGHBOURS, HALVES + NEIGHBOURS + [(None, None)]])
def test_late_rates_round_half_up_at_six_decimals_alike_in_both_csv_dialects(pairs):
    # SPEC §3 keeps 6 decimals; a half at the 7th rounds up, as scores do (SPEC §2) and as the
    # evidence's percentages do, whichever side of the half the binary value fell on: the
    # standard and the vn CSV used to differ there (0.000002 against 0,000003 for 1/400,000)
    from scoring.export import _csv_bytes, _csv_bytes_vn

    rates = [np.nan if late is None else late / handled for late, handled in pairs]
    expected = ["" if late is None else _half_up(late, handled) for late, handled in pairs]
    df = pd.DataFrame({"unit_id": [f"U{i}" for i in range(len(rates))], "late_rate": rates})
    standard = [line.split(",")[1] for line in _csv_bytes(df).decode("utf-8-sig").split("\r\n")[1:-1]]
    vn = [line.split(";")[1] for line in _csv_bytes_vn(df).decode("utf-8-sig").split("\r\n")[1:-1]]
    assert standard == expected
    assert vn == [e.replace(".", ",") for e in expected]


def test_a_score_at_a_half_cent_rounds_up_in_both_csv_dialects():
    # the engine rounds scores before they get here; a half that reached the writer would print
    # as SPEC §2 says (84.995 -> 85.00, never the binary float's 84.99) in either dialect
    from scoring.export import _csv_bytes, _csv_bytes_vn

    df = pd.DataFrame({"score": [84.995, 84.994, 0.005, 2.675, 1.125, 100.0]})
    expected = ["85.00", "84.99", "0.01", "2.68", "1.13", "100.00"]
    assert _csv_bytes(df).decode("utf-8-sig").split("\r\n")[1:-1] == expected
    assert _csv_bytes_vn(df).decode("utf-8-sig").split("\r\n")[1:-1] == [
        e.replace(".", ",") for e in expected
    ]


def test_the_ledger_command_writes_compliance_shares_rounded_like_late_rates():
    from scoring.ledger.command import _printable

    df = pd.DataFrame({"compliance_rate": [1 / 128, 1 / 400_000, np.nan, 2 / 3]})
    assert _printable(df)["compliance_rate"].tolist() == ["0.007813", "0.000003", "", "0.666667"]
