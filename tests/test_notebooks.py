"""Every notebook runs headless, top to bottom, on the embedded sample; and none is committed
with outputs (SPEC §4: notebooks are thin, and a diff should show code, not results).

Each notebook in notebooks/ is executed with nbclient in a temporary folder, as a reader who
opens it and chooses "Run All" would: no cell may raise, and none may write to stderr.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SKIP_PARTS = {".venv", ".git", ".ipynb_checkpoints", "build", "out", "node_modules"}
REPO_NOTEBOOKS = sorted(p for p in ROOT.rglob("*.ipynb") if not SKIP_PARTS & set(p.relative_to(ROOT).parts))
# What nbstripout removes besides outputs and execution counts.
CELL_METADATA_STRIPPED = {"collapsed", "scrolled", "ExecuteTime", "execution", "heading_collapsed", "hidden"}
NOTEBOOK_METADATA_STRIPPED = {"widgets", "signature"}


def _run(path: Path, cwd: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()  # raises CellExecutionError naming the failing cell
    return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Run a notebook once per test session, in its own empty folder: path -> (notebook, folder)."""
    done: dict[Path, tuple] = {}

    def get(path: Path):
        if path not in done:
            cwd = tmp_path_factory.mktemp(path.stem)
            done[path] = (_run(path, cwd), cwd)
        return done[path]

    return get


def _outputs(nb, kind=None):
    for cell in nb.cells:
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                if kind is None or out.get("output_type") == kind:
                    yield cell, out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_clean_headless_on_the_sample(path, executed):
    nb, cwd = executed(path)
    errors = [out for _, out in _outputs(nb, "error")]
    assert not errors, errors
    stderr = [
        f"[{cell.get('id')}] {out.get('text', '')}"
        for cell, out in _outputs(nb, "stream")
        if out.get("name") == "stderr"
    ]
    assert not stderr, "\n".join(stderr)
    assert list(cwd.iterdir()) == [], "a notebook run on the sample wrote files"


def test_annual_evaluation_shows_every_part(executed):
    path = ROOT / "notebooks" / "annual_evaluation.ipynb"
    if not path.exists():
        pytest.skip("notebooks/annual_evaluation.ipynb is not in this checkout")
    nb, _ = executed(path)
    text = "\n".join(
        str(out.get("text", ""))
        + str(out.get("data", {}).get("text/html", ""))
        + str(out.get("data", {}).get("text/markdown", ""))
        for _, out in _outputs(nb)
    )
    assert "Năm 2020: 44 cơ quan, đơn vị — Tốt: 29, Khá: 11, Trung bình: 4, Yếu: 0." in text
    for part in [
        "Sở Thông tin và Truyền thông",  # ranking tables
        "Căn cứ: mục II.4",
        "Căn cứ: mục II.2",
        "Võ Hữu An",  # head capped and removal trigger (2020)
        "Tổ chức cơ sở đảng Trường Đại học Khánh Hòa",  # party organisation capped, by name
        "Võ Thị Mỹ Phương",  # staff late on dossiers
        "96,86",  # Thanh tra tỉnh, with a decimal comma
        "Năm 2020: 43 chỉ tiêu của Chương trình",  # the monitor's traffic lights
        "<polyline",  # with a trend line per commitment
        "Hẹn lại đúng quy định",  # the dossier ledger's overview per unit
        "Căn cứ: mục II.2 Chương trình hành động cải cách hành chính của Tỉnh ủy Khánh Hòa: «Toàn bộ hồ sơ quá hạn",
        "cấp sở, cấp huyện (minh họa)",  # the reform index
        "cận ngưỡng: cách ngưỡng không quá 1,00 điểm",
        "Xác suất «Tốt»",
    ]:
        assert part in text, part
    # charts as SVG, sharp at any zoom (Vietnamese marks stay legible)
    images = [out for _, out in _outputs(nb) if "image/svg+xml" in out.get("data", {})]
    assert (
        len(images) == 5
    )  # scores by group, late rates, band history, a unit's late dossiers by month; the index's rank intervals
    assert not [out for _, out in _outputs(nb) if "image/png" in out.get("data", {})]
    # tables for people: whole texts, no pandas truncation ("...") or literal "\\n"
    tables = [str(out["data"]["text/html"]) for _, out in _outputs(nb) if "text/html" in out.get("data", {})]
    assert any("scoring-table" in t for t in tables)
    assert not any("\\n" in t or "...</td>" in t for t in tables)


@pytest.mark.parametrize("path", REPO_NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.get("outputs") == [], f"{cell.get('id')}: outputs (run nbstripout)"
            assert cell.get("execution_count") is None, f"{cell.get('id')}: execution count"
        assert not CELL_METADATA_STRIPPED & set(cell.get("metadata", {})), cell.get("id")
    assert not NOTEBOOK_METADATA_STRIPPED & set(nb.metadata)
