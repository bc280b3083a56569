"""The command line contract (SPEC §3): `python -m scoring evaluate DATA --year Y --out OUT`.

Five CSV files (UTF-8 with BOM; booleans true/false; lists `;`-separated; score with 2
decimals; late_rate with at least 6), `decisions.xlsx` with the same tables as sheets, and a
manifest carrying the SHA-256 of the inputs and criteria. Exit 0 when done; 2 on invalid
input or usage, every problem on stderr and nothing written.
"""

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pandas.testing as pdt
import pytest
from conftest import HT_2020, HTT, HTXS, KHA, SO, TB, TOT, make_dataset, only

import scoring
import scoring.cli
import scoring.sample
from scoring.cli import main as cli_main
from scoring.criteria import DEFAULT_CRITERIA
from scoring.workbook import SHEETS

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("unit_ranking", "official_ratings", "removal_triggers", "party_org_classifications", "decisions")
HEADERS = {
    "unit_ranking": "year,unit_id,unit_name,group,score,rank_in_group,band_by_score,late_rate,band,emulation_eligible,reasons",
    "official_ratings": "year,official_id,full_name,unit_id,role,late_rate,proposed_rating,final_rating,capped_by,discipline_review",
    "removal_triggers": "year,unit_id,official_id,streak_years,streak_bands,actions",
    "party_org_classifications": "year,party_org_id,unit_id,proposed_classification,final_classification,capped_by",
    "decisions": "year,subject_type,subject_id,rule_id,clause,outcome,evidence",
}
Y = 2020


def launch(*args):
    return subprocess.Popen(
        [sys.executable, "-m", "scoring", *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def finish(proc):
    stdout, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def main(capsys, *args):
    """The same command line, in this process (cheaper): exit status, stdout, stderr."""
    try:
        status = cli_main([str(a) for a in args])
    except SystemExit as exc:  # argparse usage errors
        status = exc.code
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, status, out, err)


def read(out, table):
    return pd.read_csv(out / f"{table}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def folder_digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def situation(folder):
    return make_dataset(
        folder,
        units=[
            ("U_TOT", "Sở Tròn Điểm", SO, "P_TOT"),
            ("U_LATE", "Sở Trễ Hạn", SO),
            ("U_TB", "Sở Trung Bình", SO, "P_TB"),
            ("U_EQ", "=1+1", SO),
        ],
        reform_results=[
            (2018, "U_TB", "60", ""),
            (2019, "U_TB", "", TB),
            (Y, "U_TB", "60", ""),
            (Y, "U_TOT", "84.995", ""),
            (Y, "U_LATE", "90", ""),
            (Y, "U_EQ", "80", ""),
        ],
        unit_dossiers=[(Y, "U_TOT", 300, 29), (Y, "U_LATE", 300, 33)],
        officials=[
            (2018, "H_TB", "Trần Văn Trưởng", "U_TB", "head", HTT),
            (2019, "H_TB", "Trần Văn Trưởng", "U_TB", "head", HTT),
            (Y, "H_TB", "Trần Văn Trưởng", "U_TB", "Người đứng đầu", HTXS),
            (Y, "O_10", "Lê Thị Mười", "U_TOT", "công chức", HTT),
            (Y, "O_11", "Phạm Văn Mười Một", "U_TOT", "cấp phó", "HTTNV"),
        ],
        official_dossiers=[(Y, "H_TB", 100, 11), (Y, "O_10", 100, 10), (Y, "O_11", 100, 11)],
        party_orgs=[(Y, "P_TB", "U_TB", HTXS), (Y, "P_TOT", "U_TOT", HTXS)],
    )


def break_input(data):
    """Two problems: an unknown rating (officials.csv row 3) and a score that is no number."""
    officials = (data / "officials.csv").read_text(encoding="utf-8").splitlines()
    assert officials[2].endswith(HTT)
    officials[2] = officials[2][: -len(HTT)] + "Xuất sắc lắm"
    (data / "officials.csv").write_text("\n".join(officials) + "\n", encoding="utf-8")
    results = (data / "reform_results.csv").read_text(encoding="utf-8").replace("84.995", "tám lăm")
    (data / "reform_results.csv").write_text(results, encoding="utf-8")


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    """The commands run as scripts run them, started together (each a fresh Python process)."""
    base = tmp_path_factory.mktemp("cli")
    data = situation(base / "data")
    bad = situation(base / "bad" / "data")
    break_input(bad)
    before = folder_digest(data)
    commands = {
        "ok": ("evaluate", data, "--year", Y, "--out", base / "out"),
        "what_if": (
            "evaluate",
            data,
            "--year",
            Y,
            "--out",
            base / "what_if",
            "--set",
            "unit_late_threshold_percent=12",
        ),
        "bad": ("evaluate", bad, "--year", Y, "--out", base / "bad" / "out"),
        "sample": ("sample", base / "sample"),
    }
    started = {name: launch(*args) for name, args in commands.items()}
    runs = {name: finish(proc) for name, proc in started.items()}
    return {"runs": runs, "data": data, "out": base / "out", "before": before, "base": base}


def test_evaluate_exits_0_and_writes_the_five_tables_workbook_and_manifest(done):
    proc = done["runs"]["ok"]
    assert proc.returncode == 0, proc.stderr
    names = {p.name for p in done["out"].iterdir()}
    assert {f"{t}.csv" for t in TABLES} | {"decisions.xlsx", "manifest.json"} <= names


def test_csv_files_are_utf8_with_bom_and_have_the_contract_columns(done):
    for table in TABLES:
        raw = (done["out"] / f"{table}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), table
        header = raw[3:].decode("utf-8").splitlines()[0]
        assert header == HEADERS[table]


def test_unit_ranking_csv_formats(done):
    ranking = read(done["out"], "unit_ranking")
    assert sorted(ranking["unit_id"]) == ["U_EQ", "U_LATE", "U_TB", "U_TOT"]
    tot = only(ranking, unit_id="U_TOT")
    assert (tot["score"], tot["band"], tot["emulation_eligible"]) == ("85.00", TOT, "true")
    assert re.fullmatch(r"0\.\d{6,}", tot["late_rate"]) and float(tot["late_rate"]) == pytest.approx(
        29 / 300, abs=5e-7
    )
    late = only(ranking, unit_id="U_LATE")
    assert (late["score"], late["band_by_score"], late["band"]) == ("90.00", TOT, KHA)
    assert (late["emulation_eligible"], late["reasons"]) == ("false", "unit_late_dossiers")
    assert re.fullmatch(r"0\.110000\d*", late["late_rate"])
    assert only(ranking, unit_id="U_TB")["late_rate"] == ""
    assert set(ranking["year"]) == {str(Y)}


def test_official_ratings_csv_formats(done):
    o = read(done["out"], "official_ratings")
    head = only(o, official_id="H_TB")
    assert (head["role"], head["proposed_rating"], head["final_rating"]) == ("head", HTXS, HT_2020)
    assert set(head["capped_by"].split(";")) == {"official_late_dossiers", "head_reform_band"}
    assert head["discipline_review"] == "true"
    o10 = only(o, official_id="O_10")
    assert (o10["role"], o10["late_rate"], o10["final_rating"], o10["capped_by"]) == (
        "staff",
        "0.100000",
        HTT,
        "",
    )
    assert o10["discipline_review"] == "false"
    o11 = only(o, official_id="O_11")
    assert (o11["role"], o11["proposed_rating"], o11["final_rating"]) == ("deputy", HTT, HT_2020)


def test_removal_triggers_and_party_org_csv_lists(done):
    t = only(read(done["out"], "removal_triggers"), official_id="H_TB")
    assert t["streak_years"] == "2018;2019;2020"
    assert t["streak_bands"] == f"{TB};{TB};{TB}"
    assert t["actions"] == "xử lý trách nhiệm;đưa ra khỏi quy hoạch;điều chuyển;thay thế"
    p = read(done["out"], "party_org_classifications")
    assert sorted(p["party_org_id"]) == ["P_TB", "P_TOT"]
    tb = only(p, party_org_id="P_TB")
    assert (tb["final_classification"], tb["capped_by"]) == (HTT, "party_org_streak")


def test_decisions_csv_one_row_per_subject_and_rule_with_clause(done):
    d = read(done["out"], "decisions")
    pairs = sorted(zip(d["subject_id"], d["rule_id"], d["clause"], strict=True))
    assert pairs == sorted(
        [
            ("U_LATE", "unit_late_dossiers", "II.2"),
            ("H_TB", "official_late_dossiers", "II.2"),
            ("H_TB", "head_reform_band", "II.4"),
            ("H_TB", "head_removal_streak", "II.4"),
            ("O_11", "official_late_dossiers", "II.2"),
            ("P_TB", "party_org_streak", "II.4"),
        ]
    )
    assert all(d["evidence"] != "")


def test_a_cell_that_looks_like_a_formula_is_neutralised(done):
    text = (done["out"] / "unit_ranking.csv").read_text(encoding="utf-8-sig")
    assert "1+1" in text
    assert not any(cell.startswith("=") for line in text.splitlines() for cell in line.split(","))


def test_workbook_has_the_five_tables_as_sheets(done):
    wb = openpyxl.load_workbook(done["out"] / "decisions.xlsx", read_only=True)
    try:
        assert wb.sheetnames[: len(TABLES)] == [SHEETS[t] for t in TABLES]
        rows = list(wb[SHEETS["official_ratings"]].iter_rows(values_only=True))
        assert len(rows) == 1 + 3
    finally:
        wb.close()


def test_workbook_skipped_beyond_the_spreadsheet_size_and_the_run_says_so(done, capsys):
    out = done["base"] / "big"
    proc = main(capsys, "evaluate", done["data"], "--year", Y, "--out", out, "--max-spreadsheet-rows", 2)
    assert proc.returncode == 0
    assert "decisions.xlsx" in proc.stdout
    assert not (out / "decisions.xlsx").exists()
    assert {f"{t}.csv" for t in TABLES} <= {p.name for p in out.iterdir()}


def test_manifest_carries_the_sha256_of_inputs_and_criteria(done):
    manifest = json.loads((done["out"] / "manifest.json").read_text(encoding="utf-8"))

    def strings(node):
        if isinstance(node, dict):
            for k, v in node.items():
                yield str(k)
                yield from strings(v)
        elif isinstance(node, list):
            for v in node:
                yield from strings(v)
        else:
            yield str(node)

    found = set(strings(manifest))
    assert hashlib.sha256(Path(DEFAULT_CRITERIA).read_bytes()).hexdigest() in found
    for sha in done["before"].values():
        assert sha in found


def test_inputs_are_never_modified(done):
    assert folder_digest(done["data"]) == done["before"]


def test_same_inputs_give_byte_identical_outputs(done, capsys):
    again = done["base"] / "again"
    assert main(capsys, "evaluate", done["data"], "--year", Y, "--out", again, "--quiet").returncode == 0
    for table in TABLES:
        assert (again / f"{table}.csv").read_bytes() == (done["out"] / f"{table}.csv").read_bytes()
    assert (again / "decisions.xlsx").read_bytes() == (done["out"] / "decisions.xlsx").read_bytes()


def test_set_unit_late_threshold_changes_the_result(done):
    proc = done["runs"]["what_if"]
    assert proc.returncode == 0, proc.stderr
    out = done["base"] / "what_if"
    late = only(read(out, "unit_ranking"), unit_id="U_LATE")
    assert (late["band"], late["emulation_eligible"], late["reasons"]) == (TOT, "true", "")
    assert "unit_late_dossiers" not in set(read(out, "decisions")["rule_id"])
    baseline = only(read(done["out"], "unit_ranking"), unit_id="U_LATE")
    assert (baseline["band"], baseline["emulation_eligible"]) == (KHA, "false")


def test_bad_input_exits_2_lists_every_problem_and_writes_nothing(done):
    proc = done["runs"]["bad"]
    assert proc.returncode == 2
    # each problem names the file, the row as the user sees it (header = row 1), column, value
    rating = next(line for line in proc.stderr.splitlines() if "Xuất sắc lắm" in line)
    assert "officials.csv" in rating and "proposed_rating" in rating and re.search(r"\b3\b", rating)
    assert HTT in rating  # what was expected
    score = next(line for line in proc.stderr.splitlines() if "tám lăm" in line)
    assert "reform_results.csv" in score and "score" in score and re.search(r"\b5\b", score)
    assert [p.name for p in (done["base"] / "bad").iterdir()] == ["data"]


def test_year_without_records_exits_2_and_writes_nothing(done, capsys):
    proc = main(capsys, "evaluate", done["data"], "--year", 2005, "--out", done["base"] / "no_year")
    assert proc.returncode == 2
    assert "2005" in proc.stderr
    assert not (done["base"] / "no_year").exists()


def test_usage_error_exits_2_and_writes_nothing(done, capsys):
    proc = main(capsys, "evaluate", done["data"], "--out", done["base"] / "usage")
    assert proc.returncode == 2
    assert "--year" in proc.stderr
    assert not (done["base"] / "usage").exists()


def test_unknown_set_parameter_exits_2_with_a_suggestion(done, capsys):
    out = done["base"] / "bad_set"
    proc = main(
        capsys, "evaluate", done["data"], "--year", Y, "--out", out, "--set", "unit_late_treshold_percent=12"
    )
    assert proc.returncode == 2
    assert "unit_late_threshold_percent" in proc.stderr
    assert not (done["base"] / "bad_set").exists()


def test_missing_required_table_is_invalid_input(tmp_path):
    data = situation(tmp_path / "data")
    (data / "officials.csv").unlink()
    (data / "official_dossiers.csv").unlink()
    with pytest.raises(scoring.ValidationError) as err:
        scoring.load_records(data)
    assert "officials" in str(err.value)


def test_duplicate_key_is_invalid_input(tmp_path):
    data = situation(tmp_path / "data")
    with open(data / "officials.csv", "a", encoding="utf-8") as f:
        f.write(f"{Y},O_10,Lê Thị Mười,U_TOT,staff,{HTT}\n")
    with pytest.raises(scoring.ValidationError) as err:
        scoring.load_records(data)
    assert "officials.csv" in str(err.value) and "O_10" in str(err.value)


def test_a_workbook_with_a_sheet_per_table_reads_like_the_csv_folder(tmp_path):
    data = situation(tmp_path / "data")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for path in sorted(data.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        ws = wb.create_sheet(path.stem.replace("_", " ").title())  # "Reform Results": folded like labels
        ws.append(list(frame.columns))
        for r, row in enumerate(frame.itertuples(index=False), start=2):
            for c, v in enumerate(row, start=1):
                # numbers as Excel holds them; text as text (even "=1+1")
                value = int(v) if v.isdigit() else float(v) if re.fullmatch(r"\d+\.\d+", v) else v or None
                cell = ws.cell(r, c, value)
                if isinstance(value, str):
                    cell.data_type = "s"
    book = tmp_path / "du_lieu.xlsx"
    wb.save(book)
    from_book = scoring.evaluate(scoring.load_records(book), Y).tables()
    from_csv = scoring.evaluate(scoring.load_records(data), Y).tables()
    for table in TABLES:
        pdt.assert_frame_equal(from_book[table], from_csv[table], check_dtype=False)


def test_sample_command_writes_the_six_tables_which_evaluate_like_the_embedded_sample(done):
    proc = done["runs"]["sample"]
    assert proc.returncode == 0, proc.stderr
    out = done["base"] / "sample"
    names = {p.name for p in out.iterdir()}
    assert {
        "units.csv",
        "reform_results.csv",
        "unit_dossiers.csv",
        "officials.csv",
        "official_dossiers.csv",
        "party_orgs.csv",
    } <= names
    written, embedded = scoring.load_records(out), scoring.load_records(None)
    for year in (2018, 2019, 2020):
        a, b = scoring.evaluate(written, year).tables(), scoring.evaluate(embedded, year).tables()
        for table in TABLES:
            pdt.assert_frame_equal(a[table], b[table], check_dtype=False)


def test_out_that_is_a_file_exits_2_with_a_message_and_keeps_the_file(tmp_path, capsys):
    out = tmp_path / "out.txt"
    out.write_text("giữ nguyên", encoding="utf-8")
    code = scoring.cli.main(
        ["evaluate", str(scoring.sample.sample_path()), "--year", "2020", "--out", str(out)]
    )
    assert code == 2
    assert "không phải thư mục" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "giữ nguyên"


def test_unwritable_out_exits_1_with_a_vietnamese_message(tmp_path, capsys, monkeypatch):
    import scoring.export

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(scoring.export, "_write_atomically", refuse)
    code = scoring.cli.main(
        ["evaluate", str(scoring.sample.sample_path()), "--year", "2020", "--out", str(tmp_path / "o")]
    )
    assert code == 1
    assert "Không ghi được kết quả" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_blank_proposed_rating_of_the_year_is_listed_with_the_other_problems(tmp_path, capsys):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", "Sở, ban, ngành")],
        reform_results=[(2020, "U1", "105", "")],
        officials=[(2020, "H1", "Người Một", "U1", "head", "")],
    )
    code = scoring.cli.main(["evaluate", str(data), "--year", "2020", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert "«105»" in err and "cần xếp loại đề xuất cho năm đánh giá 2020" in err
    assert not (tmp_path / "o").exists()


def test_an_evaluate_run_does_not_build_the_index_parser_but_help_and_a_typo_list_every_command():
    """The index's parser imports scipy (more CPU than pandas): built only when asked for."""
    from scoring.cli import build_parser

    def commands(argv):
        sub = next(a for a in build_parser(argv)._actions if a.dest == "command")
        return set(sub.choices)

    assert not {"index", "ledger", "monitor"} & commands(["evaluate", "data", "--year", "2020", "--out", "o"])
    assert {"index", "ledger", "monitor", "evaluate"} <= commands(["--help"])
    assert {"index", "ledger", "monitor"} <= commands(["evaluat", "data"])
    assert "index" in commands(["index", "data", "--year", "2020", "--out", "o"])
    assert "monitor" in commands(["monitor", "--help"])
    assert "ledger" in commands(["ledger", "--help"])
    assert {"index", "ledger", "monitor"} <= commands(None)
    code = "import sys, scoring.cli; scoring.cli.build_parser(['evaluate']); print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


EXIT_PROBE = """
import atexit, sys
from scoring.console import exit_after
{before}
atexit.register(lambda: print("exit handler", flush=True))
class Teardown:
    def __del__(self):
        print("teardown")
kept = Teardown()
sys.stdout.write("summary, still buffered;")
exit_after(3, {argv!r})
"""


def probe_exit(argv, before=""):
    code = EXIT_PROBE.format(argv=argv, before=before)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8")


def test_an_evaluate_ends_without_the_teardown_once_its_output_is_flushed():
    """docs/speed.md: the exit handlers run and the streams are flushed; freeing objects is skipped."""
    for command in ("evaluate", "whatif"):
        ended = probe_exit([command, "DATA"])
        assert ended.returncode == 3
        assert ended.stdout == "summary, still buffered;exit handler\n"


def test_other_commands_and_a_ledger_run_end_with_the_usual_teardown():
    """A DuckDB connection's finaliser removes its spill files: with duckdb loaded, Python ends as usual."""
    for ended in (probe_exit(["sample", "DIR"]), probe_exit([]), probe_exit(["evaluate"], "import duckdb")):
        assert ended.returncode == 3
        assert ended.stdout == "summary, still buffered;exit handler\nteardown\n"
