"""End to end: the what-if notebook in a real JupyterLab, driven by Debian's chromium.

A JupyterLab server is started from this Python on loopback with a token, serving a
temporary copy of notebooks/ (the repository is never touched); chromium opens the what-if
notebook, runs every cell, moves the unit threshold to 12 and reads the changed table of
decisions from the page. Skipped when chromium or playwright is missing (CI installs both).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from scoring.annex import CHROMIUM_ARGS  # the headless flags, one list for the project

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
# the project's Jupyter config (`make lab` uses it): custom CSS with a Vietnamese monospace font
LAB_CONFIG = Path(__file__).resolve().parent.parent / "jupyter" / "config"
SERVER_START_S = 120  # JupyterLab takes 20-40 s to start on two cores
PAGE_S = int(os.environ.get("WHATIF_PAGE_S", "120"))

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"chromium not found at {CHROMIUM} (apt install chromium)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """A running JupyterLab on 127.0.0.1 serving a copy of notebooks/; stopped afterwards."""
    root = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns("out", ".ipynb_checkpoints"))
    home = tmp_path / "home"
    lab_settings = {
        # no news or update checks (no network), so no notification covers the page
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        # the notebook's own kernel (python3) starts without a "Select Kernel" dialog
        "notebook-extension/tracker": {"autoStartDefaultKernel": True},
    }
    for name, values in lab_settings.items():
        path = home / "lab-settings" / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    shutil.copytree(LAB_CONFIG, home / "config", dirs_exist_ok=True)
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        IPYTHONDIR=str(home / "ipython"),
    )
    port, token = _free_port(), secrets.token_hex(16)
    log = open(tmp_path / "jupyter.log", "wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.port_retries=0",
            "--LabApp.news_url=",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.extension_manager=readonly",  # no PyPI look-ups
        ]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the kernels stop with it
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited ({proc.returncode}):\n{_tail(tmp_path / 'jupyter.log')}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"jupyter lab did not start in {SERVER_START_S} s:\n{_tail(tmp_path / 'jupyter.log')}"
                )
            time.sleep(0.5)
        yield {"base": base, "token": token, "root": root, "log": tmp_path / "jupyter.log"}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


def _tail(path: Path, n: int = 4000) -> str:
    return path.read_bytes()[-n:].decode("utf-8", "replace")


def test_what_if_notebook_runs_and_a_moved_threshold_changes_the_table(lab, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    shot = Path(os.environ.get("WHATIF_SCREENSHOT", tmp_path / "whatif.png"))
    with sync_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1500, "height": 1100},
        )
        try:
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.set_default_timeout(PAGE_S * 1000)
            page.goto(f"{lab['base']}/lab/tree/what_if.ipynb?token={lab['token']}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", state="visible")
            # the kernel must be up before running: its status indicator says idle
            page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']")
            select = page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
            if select.count():  # an older JupyterLab may still ask which kernel to start
                select.click()
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for()

            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

            changes = page.locator(".whatif-changes")
            changes.wait_for(state="visible")
            page.wait_for_function(
                "() => document.querySelector('.whatif-changes')?.innerText.includes('Không có quyết định nào khác')"
            )
            before = changes.inner_text()
            assert "SO_XD" not in before
            # printed text uses a monospace font with Vietnamese letters (jupyter/config/custom)
            code_font = page.evaluate(
                "() => getComputedStyle(document.body).getPropertyValue('--jp-code-font-family')"
            )
            assert "Liberation Mono" in code_font

            box = page.locator(".whatif-unit-late-threshold-percent input")
            box.scroll_into_view_if_needed()
            page.screenshot(path=str(shot.with_name(shot.stem + "-controls.png")))
            box.fill("12")
            box.press("Enter")
            page.wait_for_function(
                "() => document.querySelector('.whatif-changes')?.innerText.includes('SO_XD')"
            )
            after = changes.inner_text()
            assert "không còn áp dụng" in after and "Trễ hạn hồ sơ của cơ quan, đơn vị (mục II.2)" in after
            assert "UB_VANNINH" in after and "DH_KHANHHOA" in after
            counts = page.locator(".whatif-counts").inner_text()
            assert "-3" in counts  # three units regain eligibility for emulation titles
            page.locator(".whatif-status").evaluate("e => e.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(shot))

            # a unit is picked by its name: typing part of it offers the matching units
            picker = page.locator(".whatif-unit input")
            picker.scroll_into_view_if_needed()
            picker.fill("Trường Đại học Khánh Hòa")
            picker.press("Enter")
            page.wait_for_function(
                "() => document.querySelector('.whatif-score input') && !document.querySelector('.whatif-score input').disabled"
            )
            options = page.evaluate(
                "() => Array.from(document.querySelectorAll('datalist option')).map(o => o.value)"
            )
            assert "Trường Đại học Khánh Hòa" in options and "DH_KHANHHOA" not in options
            assert page.locator(".whatif-score input").input_value() == "62.15"
            page.screenshot(path=str(shot.with_name(shot.stem + "-picker.png")))
        except Exception:
            page.screenshot(path=str(shot.with_name(shot.stem + "-failed.png")), full_page=False)
            print(_tail(lab["log"]))
            raise
        finally:
            ctx.close()
    # the copy was served, not the repository's notebook
    assert (lab["root"] / "what_if.ipynb").exists()
