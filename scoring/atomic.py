"""Publishing a folder of files all or nothing, whatever stops the writer (SPEC §5 "Nothing lost").

`publish(out, files)` puts `files` (name -> bytes, or a function that writes the file at a
path) into the folder `out`, replacing the previous export there (the files its
`manifest.json` lists) and keeping every other file of the user's. The scheme, and why every
instant leaves the old export or the new one, is in docs/exports.md; in short:

- one writer at a time: a lock file `.scoring.lock` beside `out` (`filelock`: fcntl on POSIX,
  msvcrt on Windows); a second writer waits up to `lock_timeout` seconds, then `OutputBusy`;
- the new folder is built complete beside `out` (new files, fsync'ed; the user's files
  hard-linked, so not copied and never moved), given `out`'s mode, group and file modes,
  then swapped with `out` in one `renameat2(RENAME_EXCHANGE)` (Linux). Where the exchange
  is not available, two renames with a window in which `out` is missing, repaired by the next
  run (the previous folder is put back);
- a folder that cannot be swapped (a mount point, the current folder, a parent we cannot
  write to, subfolders of the user's, another owner) is updated in place: the files are
  staged inside `out`, a journal lists them, then each replaces its namesake; a run stopped
  after the journal is completed by the next run (roll forward);
- every run first cleans up what earlier killed runs left (under the lock, so nothing live
  is touched), and never deletes a file it did not write: the user's files in a leftover
  folder are hard links of files still in `out`, or are moved back into it.

Pure standard library plus filelock: no pandas here, so a child process that only writes
can be killed at random in tests many times a second.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

LOCK_TIMEOUT_S = 60.0
PREFIX = ".scoring-"
LOCK_NAME = ".scoring.lock"
JOURNAL = ".scoring-journal.json"
STAGE_MARK = ".scoring-stage.json"
MANIFEST = "manifest.json"

FileBody = bytes | bytearray | memoryview | Callable[[Path], object]


class OutputNotAFolder(NotADirectoryError):
    """`out` names a file: a usage error, nothing is written."""


class OutputBusy(RuntimeError):
    """Another writer held the folder for longer than the lock timeout."""


def publish(
    out: str | Path,
    files: Mapping[str, FileBody],
    *,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> list[str]:
    """Write `files` into the folder `out`, all or nothing. Returns notices (Vietnamese)."""
    from filelock import FileLock, Timeout

    if lock_timeout is None:
        lock_timeout = LOCK_TIMEOUT_S

    target = _target(Path(out))
    for name in files:
        if not _plain_name(name):
            raise ValueError(f"not a plain file name: {name!r}")
    created = _missing_ancestors(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(_lock_path(target)), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            if on_wait is not None:
                on_wait(f"Đang chờ một lần ghi khác vào {target} kết thúc (tối đa {lock_timeout:.0f} giây)…")
            try:
                lock.acquire(timeout=lock_timeout)
            except Timeout:
                raise OutputBusy(
                    f"Thư mục {target} đang được một lần chạy khác ghi vào quá {lock_timeout:.0f} giây; "
                    "chưa ghi gì. Hãy chạy lại khi lần kia xong, hoặc chọn thư mục --out khác."
                ) from None
        try:
            notices = recover(target)
            if not target.exists():
                _publish_new(target, files)
            elif not _swap(target, files):
                _replace_in_place(target, files)
        finally:
            lock.release()
    except BaseException:
        _remove_empty(created)
        raise
    return notices


def recover(out: str | Path) -> list[str]:
    """Finish or undo what killed runs left for `out`. Call it holding the lock (publish does)."""
    target = _target(Path(out))
    notices: list[str] = []
    parent = target.parent
    if not parent.is_dir():
        return notices
    for leftover in sorted(_leftovers(target), key=lambda p: _kind(p) != "old"):
        if not target.exists() and _kind(leftover) == "old":
            os.rename(leftover, target)  # killed between the two renames: the previous export returns
            continue
        kept = _discard(leftover, target)
        if kept:
            notices.append(
                f"Giữ lại thư mục tạm {leftover} của một lần ghi bị dừng, vì còn tệp không rõ nguồn: "
                + ", ".join(kept)
            )
    for legacy in _legacy_leftovers(target):  # the folders of versions before this scheme
        if legacy.suffix == ".old" and not target.exists():
            os.rename(legacy, target)
        else:
            shutil.rmtree(legacy, ignore_errors=True)
    if target.is_dir():
        journal = target / JOURNAL
        if journal.exists():
            _roll_forward(target, journal)
        for stage in target.glob(PREFIX + "stage-*"):
            shutil.rmtree(stage, ignore_errors=True)  # staged before a journal: only our files
        for tmp in target.glob(PREFIX + "*.tmp"):
            tmp.unlink(missing_ok=True)  # write_file's temporary names
    return notices


def write_file(path: str | Path, body: bytes) -> Path:
    """One file written atomically: complete under its name, or not there (a short temp name)."""
    path = Path(path)
    tmp = path.parent / f"{PREFIX}{secrets.token_hex(4)}.tmp"
    try:
        with open(tmp, "xb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            _copy_mode(path, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


# -- the three ways in ---------------------------------------------------------------------


def _publish_new(target: Path, files: Mapping[str, FileBody]) -> None:
    stage = _new_folder(target, "new")
    try:
        _write_all(stage, files)
        (stage / STAGE_MARK).unlink()
        os.rename(stage, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    _fsync_dir(target.parent)


def _swap(target: Path, files: Mapping[str, FileBody]) -> bool:
    """Build the new folder beside `target` and exchange the two. False: not swappable."""
    if not _swappable(target):
        return False
    previous = _export_files(target)
    user = [n for n in os.listdir(target) if n not in previous and n not in files]
    st = os.stat(target)
    stage = _new_folder(target, "new", 0o700)  # closed while it fills; then the old folder's mode
    try:
        _write_all(stage, files)
        for name in user:
            try:
                _link(target / name, stage / name)
            except (OSError, NotImplementedError):  # no hard links here (FAT, some network shares)
                shutil.rmtree(stage, ignore_errors=True)
                return False
        for name in files:
            if (target / name).is_file():
                _copy_mode(target / name, stage / name)
        if not _same_access(stage, st):
            shutil.rmtree(stage, ignore_errors=True)
            return False
        (stage / STAGE_MARK).unlink()
        _fsync_dir(stage)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    if _exchange(stage, target):
        old = stage
    else:  # two renames; a kill between them is repaired by the next run's recover()
        old = _new_name(target, "old")
        try:
            os.rename(target, old)
        except OSError:  # e.g. Windows, a file in the folder is open: update in place instead
            shutil.rmtree(stage, ignore_errors=True)
            return False
        try:
            os.rename(stage, target)
        except BaseException:
            os.rename(old, target)
            shutil.rmtree(stage, ignore_errors=True)
            raise
    _fsync_dir(target.parent)
    _discard(old, target, superseded=set(files))
    return True


def _replace_in_place(target: Path, files: Mapping[str, FileBody]) -> None:
    """Stage inside `target`, journal, then replace file by file (the manifest last)."""
    stale = sorted(_export_files(target) - set(files) - {MANIFEST})
    stage = target / f"{PREFIX}stage-{secrets.token_hex(4)}"
    os.mkdir(stage)
    try:
        _write_all(stage, files)
        order = sorted(files, key=lambda n: n == MANIFEST)
        body = json.dumps({"stage": stage.name, "files": order, "stale": stale}, ensure_ascii=False)
        write_file(target / JOURNAL, body.encode())
        _fsync_dir(target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    _roll_forward(target, target / JOURNAL)


def _roll_forward(target: Path, journal: Path) -> None:
    try:
        plan = json.loads(journal.read_text(encoding="utf-8"))
        stage = target / plan["stage"]
        names, stale = list(plan["files"]), list(plan["stale"])
    except (OSError, ValueError, KeyError, TypeError):
        journal.unlink(missing_ok=True)  # written atomically: unreadable means not ours to follow
        return
    for name in names:
        if _plain_name(name) and (stage / name).exists():
            if (target / name).is_file():
                _copy_mode(target / name, stage / name)
            os.replace(stage / name, target / name)
    for name in stale:
        if _plain_name(name):
            (target / name).unlink(missing_ok=True)
    _fsync_dir(target)
    journal.unlink()
    shutil.rmtree(stage, ignore_errors=True)


# -- pieces ----------------------------------------------------------------------------------


def _target(out: Path) -> Path:
    """The real folder: absolute, symlinks resolved (a symlinked --out keeps its link)."""
    target = out.resolve() if out.exists() or out.is_symlink() else out.absolute()
    if target.exists() and not target.is_dir():
        raise OutputNotAFolder(f"Không ghi được kết quả: {out} là một tệp, không phải thư mục")
    return target


def _tag(target: Path) -> str:
    # short, so a 250-character folder name still leaves room ("File name too long")
    return hashlib.sha256(os.fsencode(target.name)).hexdigest()[:12]


def _lock_path(target: Path) -> Path:
    """One lock file per parent folder (the writers of its outputs take turns), kept there."""
    if os.access(target.parent, os.W_OK):
        return target.parent / LOCK_NAME
    return target / LOCK_NAME  # a parent we cannot write to: the folder itself holds it


def _new_name(target: Path, kind: str) -> Path:
    return target.parent / f"{PREFIX}{_tag(target)}-{kind}-{secrets.token_hex(4)}"


def _new_folder(target: Path, kind: str, mode: int = 0o777) -> Path:
    path = _new_name(target, kind)
    os.mkdir(path, mode)  # less the umask, as `mkdir` would make it
    return path


def _kind(leftover: Path) -> str:
    return leftover.name.split("-")[2]  # .scoring-TAG-KIND-RANDOM


def _leftovers(target: Path) -> list[Path]:
    head = f"{PREFIX}{_tag(target)}-"
    return [p for p in target.parent.iterdir() if p.name.startswith(head) and p.is_dir()]


def _legacy_leftovers(target: Path) -> list[Path]:
    """`.NAME.xxxxxxxx.tmp` / `.old`: folders the earlier writer left; they held only exports."""
    head = f".{target.name}."
    found = []
    for p in target.parent.iterdir():
        rest = p.name[len(head) :] if p.name.startswith(head) else ""
        if len(rest) == 12 and rest[8:] in (".tmp", ".old") and p.is_dir():
            if all(c.is_file() for c in p.iterdir()):
                found.append(p)
    return found


def _swappable(target: Path) -> bool:
    if os.path.ismount(target) or not os.access(target.parent, os.W_OK):
        return False
    cwd = Path.cwd().resolve()
    if cwd == target or target in cwd.parents:
        return False  # swapping would leave the user's shell in the discarded folder
    if hasattr(os, "geteuid") and os.stat(target).st_uid != os.geteuid():
        return False  # a folder of another owner stays theirs
    if _has_acl(target):
        return False
    previous = _export_files(target)
    for entry in os.scandir(target):
        if entry.name not in previous and entry.is_dir(follow_symlinks=False):
            return False  # the user's subfolders are never moved
    return True


def _has_acl(path: Path) -> bool:
    try:
        return any(a.startswith("system.posix_acl") for a in os.listxattr(path))
    except (AttributeError, OSError):
        return False


def _same_access(stage: Path, st: os.stat_result) -> bool:
    """Give the new folder the old one's group and mode (a 0700 folder stays 0700)."""
    try:
        if hasattr(os, "chown") and os.stat(stage).st_gid != st.st_gid:
            os.chown(stage, -1, st.st_gid)
        os.chmod(stage, stat.S_IMODE(st.st_mode))
    except OSError:
        return False
    now = os.stat(stage)
    return stat.S_IMODE(now.st_mode) == stat.S_IMODE(st.st_mode) and now.st_gid == st.st_gid


def _copy_mode(src: Path, dst: Path) -> None:
    try:
        os.chmod(dst, stat.S_IMODE(os.stat(src).st_mode))
    except OSError:
        pass


def _write_all(folder: Path, files: Mapping[str, FileBody]) -> None:
    # first, what is ours in this folder, should a kill leave it behind (see _discard)
    (folder / STAGE_MARK).write_text(json.dumps(sorted(files), ensure_ascii=False), encoding="utf-8")
    for name in sorted(files, key=lambda n: n == MANIFEST):
        path, body = folder / name, files[name]
        if callable(body):
            body(path)
        else:
            with open(path, "xb") as f:
                f.write(body)
        with open(path, "rb") as f:
            os.fsync(f.fileno())
    _fsync_dir(folder)


def _export_files(folder: Path) -> set[str]:
    """The files an export (or a staged one) wrote into `folder`: its manifest's list, and itself."""
    names: set[str] = set()
    staged = _read_json(folder / STAGE_MARK)
    if isinstance(staged, list):
        names.update(str(n) for n in staged)
        names.add(STAGE_MARK)
    m = _read_json(folder / MANIFEST)
    if isinstance(m, dict) and m.get("tool") == "scoring" and isinstance(m.get("files"), list):
        names.update(str(n) for n in m["files"])
        names.add(MANIFEST)
    return {n for n in names if _plain_name(n)}


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _discard(folder: Path, target: Path, superseded: set[str] = frozenset()) -> list[str]:
    """Remove a leftover folder, deleting only our files and links of files still in `target`.

    Ours: what this folder's or `target`'s export lists (a staged file, or an old file the new
    export supersedes), and `superseded` (the names just published, which replace these).
    Anything else (a file the user saved into `out` while it was being swapped) is moved into
    `target`, or kept with the folder when `target` has a different file of that name.
    Returns the names kept.
    """
    ours = _export_files(folder) | (_export_files(target) if target.is_dir() else set()) | superseded
    ours.add(STAGE_MARK)  # even half-written by a kill: then nothing else is in the folder yet
    kept = []
    for entry in list(os.scandir(folder)):
        src, dst = Path(entry.path), target / entry.name
        if entry.name in ours:
            _unlink(src)
        elif _same_file(src, dst):
            src.unlink()
        elif target.is_dir() and not dst.exists() and not dst.is_symlink():
            os.rename(src, dst)
        else:
            kept.append(entry.name)
    if not kept:
        try:
            folder.rmdir()
        except OSError:
            kept.append("…")
    return kept


def _unlink(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _link(src: Path, dst: Path) -> None:
    """A hard link of the entry itself (a symlink stays a symlink)."""
    if os.link in os.supports_follow_symlinks:
        os.link(src, dst, follow_symlinks=False)
    elif src.is_symlink():  # Windows: no link of a link; the folder is updated in place
        raise OSError(errno.ENOTSUP, "cannot hard-link a symbolic link here", str(src))
    else:
        os.link(src, dst)


def _same_file(a: Path, b: Path) -> bool:
    try:
        sa, sb = os.lstat(a), os.lstat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name


def _missing_ancestors(target: Path) -> list[Path]:
    missing, p = [], target.parent
    while not p.exists():
        missing.append(p)
        p = p.parent
    return missing  # innermost first


def _remove_empty(created: list[Path]) -> None:
    """The folders this call made for the export go again, with the lock file left in them."""
    for folder in created:
        try:
            (folder / LOCK_NAME).unlink(missing_ok=True)
            folder.rmdir()
        except OSError:
            break


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows: a folder cannot be opened, and needs no fsync
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_renameat2 = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2). False when the system cannot."""
    global _renameat2
    if not sys.platform.startswith("linux"):
        return False
    if _renameat2 is None:
        import ctypes

        try:
            fn = ctypes.CDLL(None, use_errno=True).renameat2
        except AttributeError:  # a C library before glibc 2.28
            _renameat2 = False
            return False
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        fn.restype = ctypes.c_int
        _renameat2 = fn
    if _renameat2 is False:
        return False
    import ctypes

    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV, errno.EBUSY):
        return False  # not here (old kernel, a file system without it): the fallback
    raise OSError(err, os.strerror(err), str(b))
