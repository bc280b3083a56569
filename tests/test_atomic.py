"""Exports are all or nothing under any kill, one writer at a time (SPEC §5; issue 8 items 6-8).

The kill loop (bench/kill_loop.py) writes two real exports of the sample alternately into one
folder from child processes and kills them with SIGKILL at random instants: after every kill
the folder holds exactly one of the two exports, and the user's own file. The other tests
cover what a re-export keeps (the folder's mode and group), what the next run repairs, and
the folders that cannot be swapped (the current folder, a mount point, a parent we cannot
write to, a 250-character name).
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import scoring
import scoring.atomic as atomic
from scoring.atomic import OutputBusy, publish, recover
from scoring.export import write_outputs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import kill_loop  # noqa: E402

posix_only = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")


@pytest.fixture(scope="module")
def exports():
    return kill_loop.sample_exports()


@pytest.fixture(scope="module")
def evaluation():
    crit = scoring.load_criteria()
    return scoring.evaluate(scoring.load_records(None, crit), 2020, crit)


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def hidden_beside(out: Path) -> list[str]:
    return sorted(
        p.name for p in out.parent.iterdir() if p.name.startswith(".") and p.name != ".scoring.lock"
    )


# -- the kill loop ---------------------------------------------------------------------------


@posix_only
def test_killed_writers_leave_the_old_export_or_the_new_one_never_a_mix(exports):
    seen = kill_loop.run(30, "swap", exports=exports, seed=1)
    assert set(seen) <= {"0", "1"} and sum(seen.values()) == 30


@posix_only
def test_killed_between_two_renames_the_next_run_puts_the_previous_export_back(exports):
    # where the system has no rename-exchange (Windows, macOS), `out` may be missing for an
    # instant; the next run restores it before anything else
    seen = kill_loop.run(8, "two-renames", exports=exports, seed=2)
    assert set(seen) <= {"0", "1", "missing"}


@posix_only
def test_killed_while_updating_in_place_the_next_run_completes_the_journal(exports):
    seen = kill_loop.run(8, "in-place", exports=exports, seed=3)
    assert set(seen) <= {"0", "1", "journal"}


@posix_only
def test_three_writers_at_once_never_mix_years(exports):
    seen = kill_loop.run(5, "swap", writers=3, exports=exports, seed=4)
    assert set(seen) <= {"0", "1"}


@posix_only
def test_the_kill_loop_catches_a_writer_that_writes_in_place_without_care(exports):
    with pytest.raises(AssertionError, match="mixed"):
        kill_loop.run(30, "naive", exports=exports, seed=5)


# -- one writer at a time --------------------------------------------------------------------


def test_a_second_writer_waits_then_gives_up_with_a_message(evaluation, tmp_path):
    from filelock import FileLock

    out = tmp_path / "out"
    waited = []
    with FileLock(str(tmp_path / ".scoring.lock")):
        with pytest.raises(OutputBusy, match="đang được một lần chạy khác ghi vào"):
            write_outputs(evaluation, out, lock_timeout=0.3, on_wait=waited.append)
    assert waited and "Đang chờ" in waited[0]
    assert not out.exists()
    write_outputs(evaluation, out)  # the lock released, the next writer goes ahead
    assert (out / "manifest.json").exists()


# -- what a re-export keeps --------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "chown"), reason="POSIX modes and groups")
def test_a_0700_folder_of_personnel_ratings_stays_0700_and_keeps_its_group(evaluation, tmp_path):
    out = tmp_path / "danh-gia-can-bo"
    out.mkdir()
    os.chmod(out, 0o700)
    group = next((g for g in os.getgroups() if g != os.stat(out).st_gid), None)
    if group is not None:
        os.chown(out, -1, group)
    before = os.stat(out)
    write_outputs(evaluation, out)
    write_outputs(evaluation, out)
    after = os.stat(out)
    assert stat.S_IMODE(after.st_mode) == 0o700
    assert after.st_gid == before.st_gid


def test_a_file_the_user_made_read_only_for_others_keeps_its_mode(evaluation, tmp_path):
    out = tmp_path / "out"
    write_outputs(evaluation, out)
    os.chmod(out / "official_ratings.csv", 0o600)
    write_outputs(evaluation, out)
    assert stat.S_IMODE(os.stat(out / "official_ratings.csv").st_mode) == 0o600


def test_the_users_files_stay_the_same_files(evaluation, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "ghi-chu.txt").write_text("của tôi", encoding="utf-8")
    inode = os.stat(out / "ghi-chu.txt").st_ino
    write_outputs(evaluation, out)
    write_outputs(evaluation, out, max_spreadsheet_rows=1)
    assert (out / "ghi-chu.txt").read_text(encoding="utf-8") == "của tôi"
    assert os.stat(out / "ghi-chu.txt").st_ino == inode  # linked across, never copied
    assert not (out / "decisions.xlsx").exists()


# -- what the next run repairs -------------------------------------------------------------------


def test_a_killed_runs_staging_folder_is_removed_and_a_users_file_in_it_is_saved(exports, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "cua-toi.txt").write_text("giữ", encoding="utf-8")
    publish(out, exports[0])
    stale = atomic._new_folder(atomic._target(out), "new")  # as a kill mid-write leaves it
    (stale / atomic.STAGE_MARK).write_text(json.dumps(sorted(exports[1])), encoding="utf-8")
    (stale / "decisions.csv").write_bytes(exports[1]["decisions.csv"][:100])
    os.link(out / "cua-toi.txt", stale / "cua-toi.txt")
    (stale / "luu-trong-luc-ghi.txt").write_text("lưu lúc đang ghi", encoding="utf-8")
    publish(out, exports[1])
    assert hidden_beside(out) == []
    assert (out / "cua-toi.txt").read_text(encoding="utf-8") == "giữ"
    assert (out / "luu-trong-luc-ghi.txt").read_text(encoding="utf-8") == "lưu lúc đang ghi"
    assert {k: v for k, v in files_of(out).items() if k in exports[1]} == exports[1]


def test_an_export_left_aside_by_an_earlier_version_is_put_back(exports, tmp_path):
    out = tmp_path / "out"
    aside = tmp_path / ".out.k3j_9x2a.old"  # how the previous writer named it
    publish(aside, exports[0])
    recover(out)
    assert files_of(out) == exports[0]
    assert hidden_beside(out) == []


# -- folders that cannot be swapped --------------------------------------------------------------


def test_out_dot_updates_the_current_folder_in_place(evaluation, tmp_path, monkeypatch):
    out = tmp_path / "here"
    out.mkdir()
    (out / "cua-toi.txt").write_text("giữ", encoding="utf-8")
    monkeypatch.chdir(out)
    inode = os.stat(out).st_ino
    write_outputs(evaluation, ".")
    write_outputs(evaluation, ".")
    assert os.stat(out).st_ino == inode, "the user's shell stays in a live folder"
    assert (out / "manifest.json").exists() and (out / "cua-toi.txt").exists()
    assert [p.name for p in out.iterdir() if p.name.startswith(".scoring-")] == []


def test_a_250_character_folder_name_is_written_and_rewritten(evaluation, tmp_path):
    out = tmp_path / ("kết-quả-" + "x" * 240)[:250]
    write_outputs(evaluation, out)
    write_outputs(evaluation, out)
    assert (out / "manifest.json").exists()


def test_a_mount_point_is_updated_in_place(evaluation, tmp_path):
    out = tmp_path / "o-dia"
    out.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(out)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        assert os.path.ismount(out)
        write_outputs(evaluation, out)
        write_outputs(evaluation, out, max_spreadsheet_rows=1)
        assert (out / "manifest.json").exists() and not (out / "decisions.xlsx").exists()
    finally:
        subprocess.run(["umount", str(out)], check=True)


def _make_unwritable(folder: Path):
    """Nobody may create anything in `folder`: chmod, or for root (who ignores modes) chattr +i."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o555)
        return lambda: os.chmod(folder, 0o755)
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("running as root without chattr: cannot make a folder unwritable")
    return lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_an_out_whose_parent_is_not_writable_is_updated_in_place(tmp_path, capsys):
    from scoring.cli import main

    base = tmp_path / "chung"
    out = base / "out"
    out.mkdir(parents=True)
    (out / "cua-toi.txt").write_text("giữ", encoding="utf-8")
    undo = _make_unwritable(base)
    try:
        with pytest.raises(OSError):
            (base / "thu").mkdir()  # the parent really is closed
        args = ["evaluate", str(ROOT / "scoring" / "sample_data"), "--year", "2020", "--out", str(out)]
        for _ in range(2):
            assert main([*args, "--quiet"]) == 0, capsys.readouterr().err
        assert (out / "manifest.json").exists() and (out / "cua-toi.txt").exists()
        assert sorted(p.name for p in base.iterdir()) == ["out"]
    finally:
        undo()
