"""`python -m scoring index`: its files, its manifest, its determinism, and every way it refuses."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from scoring.cli import main
from scoring.sample import sample_path

FILES = ["index.csv", "index_fields.csv", "manifest.json", "margins.csv", "odds.csv"]


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main(["index", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("ix") / "out"
    assert (
        main(["index", str(sample_path()), "--year", "2020", "--out", str(out), "--draws", "2000", "--quiet"])
        == 0
    )
    return out


def test_the_command_writes_the_index_margins_odds_and_a_manifest(written):
    assert sorted(p.name for p in written.iterdir()) == FILES
    m = json.loads((written / "manifest.json").read_text(encoding="utf-8"))
    assert m["files"] == [f for f in FILES if f != "manifest.json"]
    assert m["index"]["structure"]["id"] == "khung-don-vi-70-30" and m["index"]["structure"]["illustrative"]
    assert (m["index"]["draws"], m["index"]["seed"]) == (2000, 0)
    assert "criterion_scores.csv" in m["inputs"]["sha256"] and m["year"] == 2020
    index = pd.read_csv(written / "index.csv", encoding="utf-8-sig")
    assert len(index) == 44 and (index["recorded_minus_index"] == 0).all()


def test_negative_margins_are_written_as_numbers_not_neutralised_text(written):
    text = (written / "margins.csv").read_text(encoding="utf-8-sig")
    assert ",-" in text and "'-" not in text


def test_the_same_seed_writes_the_same_bytes(written, tmp_path):
    again = tmp_path / "again"
    assert (
        main(
            ["index", str(sample_path()), "--year", "2020", "--out", str(again), "--draws", "2000", "--quiet"]
        )
        == 0
    )
    for name in FILES:
        assert (again / name).read_bytes() == (written / name).read_bytes(), name


def test_draws_0_writes_no_odds(tmp_path, capsys):
    code, out, _ = _run(capsys, sample_path(), "--year", "2018", "--out", tmp_path / "o", "--draws", "0")
    assert code == 0 and "odds.csv" not in {p.name for p in (tmp_path / "o").iterdir()}
    assert "Mô phỏng" not in out and "Cận ngưỡng" in out


def test_set_switches_the_index_readings_and_the_programmes_parameters(tmp_path, capsys):
    out = tmp_path / "o"
    code, text, err = _run(
        capsys, sample_path(), "--year", "2020", "--out", out, "--draws", "0",
        "--set", "near_threshold_points=3", "--set", "band_min_tot=86",
    )  # fmt: skip
    assert code == 0, err
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["overrides"] == {"band_min_tot": 86} and m["index"]["settings_overrides"] == {
        "near_threshold_points": 3
    }
    assert "cách ngưỡng không quá 3,00 điểm" in text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--set", "nearthreshold=2"], "Tham số không được biết: 'nearthreshold'"),
        (["--set", "survey_prior=laplace"], "jeffreys, uniform"),
        (["--structure", "khong-co"], "Không có bộ chỉ số «khong-co»"),
        (["--structure", "par-index-2017"], "không có trong bộ chỉ số «par-index-2017»"),
        (["--draws", "-1"], "--draws cần là số nguyên không âm"),
    ],
)
def test_bad_options_exit_2_with_a_message_and_write_nothing(tmp_path, capsys, args, words):
    code, _, err = _run(capsys, sample_path(), "--year", "2018", "--out", tmp_path / "o", *args)
    assert code == 2 and words in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_a_year_without_criterion_points_is_refused(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(sample_path(), data)
    for name in ("criterion_scores.csv", "survey_results.csv"):
        (data / name).unlink()
    code, _, err = _run(capsys, data, "--year", "2020", "--out", tmp_path / "o")
    assert code == 2 and "Không có điểm tiêu chí (bảng criterion_scores) cho năm 2020" in err


def test_an_out_that_is_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "ketqua"
    target.write_text("không phải thư mục", encoding="utf-8")
    code, _, err = _run(capsys, sample_path(), "--year", "2020", "--out", target, "--draws", "0")
    assert code == 2 and target.read_text(encoding="utf-8") == "không phải thư mục"


def test_the_summary_names_the_structure_and_the_over_scorers(tmp_path, capsys):
    code, out, _ = _run(capsys, sample_path(), "--year", "2020", "--out", tmp_path / "o", "--draws", "500")
    assert code == 0
    assert "khung minh họa" in out and "Tự chấm cao hơn điểm thẩm định nhiều nhất:" in out
    assert "Mô phỏng sai số điều tra xã hội học 500 lần (hạt giống 0)" in out


def test_the_summary_counts_only_crossings_within_the_distance_that_change_something(tmp_path, capsys):
    # 2018: four units are near a bound; no crossing within 1 point changes anything for people
    code, out, _ = _run(capsys, sample_path(), "--year", "2018", "--out", tmp_path / "o", "--draws", "0")
    assert code == 0 and "1,00 điểm): 4 đơn vị;" in out and "tổ chức cơ sở đảng của 0 đơn vị" in out
