"""Installable like any Python package (issue 12 §3): the wheel carries the criteria and the annex notebook.

The wheel is built from a copy of the source (`pip wheel --no-deps`), installed into a
temporary folder (`pip install --no-deps --target`), and run from there with the venv's
dependencies: it must find criteria/khanh-hoa-2017.yaml, criteria/source/ and
notebooks/ranking_annex.ipynb inside itself, never in the checkout.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "scoring", "criteria", "notebooks")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "-w", base / "dist", src], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = (base / "dist").glob("scoring-*.whl")
    target = base / "site"
    done = subprocess.run(
        [*pip, "install", "--no-deps", "--target", target, wheel], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return target


def from_wheel(target: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Python with the wheel first on the path (and the venv's dependencies), away from the checkout."""
    env = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_wheel_carries_the_criteria_their_source_and_the_annex_notebook(installed):
    pkg = installed / "scoring"
    assert (pkg / "_criteria" / "khanh-hoa-2017.yaml").read_bytes() == (
        ROOT / "criteria" / "khanh-hoa-2017.yaml"
    ).read_bytes()
    for text in (ROOT / "criteria" / "source").glob("*.txt"):
        assert (pkg / "_criteria" / "source" / text.name).exists()
    assert (pkg / "_notebooks" / "ranking_annex.ipynb").exists()
    assert (pkg / "sample_data" / "units.csv").exists()
    assert (pkg / "templates" / "annex.html.j2").exists() and (pkg / "templates" / "page.yaml").exists()


def test_the_installed_package_reads_its_own_criteria_and_notebook(installed, tmp_path):
    code = (
        "import scoring, scoring.criteria as c, scoring.annex as a, scoring.monitor.commitments as m;"
        "print(scoring.__file__); print(c.DEFAULT_CRITERIA); print(a.NOTEBOOK); print(m.DEFAULT_COMMITMENTS)"
    )
    done = from_wheel(installed, "-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        assert line.startswith(str(installed)) and Path(line).exists(), line


def test_evaluate_runs_from_the_installed_wheel(installed, tmp_path):
    out = tmp_path / "out"
    data = installed / "scoring" / "sample_data"
    done = from_wheel(
        installed, "-m", "scoring", "evaluate", str(data), "--year", "2020", "--out", str(out), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    criteria = (ROOT / "criteria" / "khanh-hoa-2017.yaml").read_bytes()
    assert m["criteria"]["sha256"] == hashlib.sha256(criteria).hexdigest()
    assert (out / "unit_ranking.csv").read_bytes() == (
        ROOT / "tests" / "golden" / "2020" / "unit_ranking.csv"
    ).read_bytes()


def test_annex_help_runs_from_the_installed_wheel(installed, tmp_path):
    done = from_wheel(installed, "-m", "scoring", "annex", "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "phụ lục" in done.stdout
