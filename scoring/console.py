"""What the command line says when things go wrong: a message and an exit status, never a traceback.

- `never_a_traceback(main)`: every exception that escapes a command becomes a Vietnamese
  message on stderr and an exit status: 2 for what the user can fix in the command (an
  `--out` that is a file, a folder busy with another run), 1 for a failed write or an
  unexpected error (exports are all or nothing, so the previous output is still there).
  `SCORING_DEBUG=1` lets the traceback through, for developers.
- `safe_streams()`: a console that cannot show Vietnamese (a cp1252 Windows console,
  `PYTHONIOENCODING=ascii`) gets the letters without their marks ("Đã ghi" -> "Da ghi"),
  as Vietnamese is typed without a Vietnamese keyboard, instead of a UnicodeEncodeError.
- `check_out(path)`: an output path that cannot be a folder is refused before any work.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import functools
import os
import sys
import unicodedata
from pathlib import Path

EXIT_OK = 0
EXIT_WRITE_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERRUPTED = 130

ERROR_HANDLER = "scoring-unmarked"

_WHY = {
    errno.EACCES: "không có quyền ghi",
    errno.EPERM: "không được phép",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.ENAMETOOLONG: "tên tệp hoặc thư mục quá dài",
    errno.EBUSY: "thư mục đang được dùng",
    errno.ENOENT: "không tìm thấy",
    errno.ENOTDIR: "một phần của đường dẫn là tệp, không phải thư mục",
    errno.EDQUOT: "vượt hạn mức dung lượng",
}


def _unmarked(exc: UnicodeError):
    """Encode what the stream cannot as the letter without its marks, else '?'."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start : exc.end]:
        base = unicodedata.normalize("NFD", {"đ": "d", "Đ": "D"}.get(ch, ch))
        base = "".join(c for c in base if not unicodedata.combining(c))
        try:
            base.encode(exc.encoding)
        except (UnicodeEncodeError, LookupError):
            base = "?"
        out.append(base or "?")
    return "".join(out), exc.end


codecs.register_error(ERROR_HANDLER, _unmarked)


def safe_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors=ERROR_HANDLER)
            except (ValueError, OSError):  # a closed or detached stream: nothing to print to
                pass


def os_error_text(exc: OSError) -> str:
    why = _WHY.get(exc.errno) or exc.strerror or str(exc)
    where = exc.filename if exc.filename is not None else ""
    return f"{why}: {where}" if where else why


def write_failure(out: str | Path, exc: OSError, what: str = "kết quả") -> int:
    """A command's failed write, said in Vietnamese: an output path that is no folder is a usage
    error (exit 2); anything else (disk full, no permission) exit 1, with nothing half-written."""
    if isinstance(exc, NotADirectoryError):
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    print(f"Không ghi được {what} vào {out}: {os_error_text(exc)}", file=sys.stderr)
    return EXIT_WRITE_FAILED


def check_out(path: str | Path, what: str = "--out") -> None:
    """Refuse (OutputNotAFolder) an output path that is a file, or lies under one."""
    from .atomic import OutputNotAFolder

    p = Path(path)
    if p.exists() and not p.is_dir():
        raise OutputNotAFolder(f"Không ghi được kết quả: {path} là một tệp, không phải thư mục ({what}).")
    for up in p.absolute().parents:
        if up.exists():
            if not up.is_dir():
                raise OutputNotAFolder(
                    f"Không ghi được kết quả vào {path}: {up} là một tệp, không phải thư mục ({what})."
                )
            break


def never_a_traceback(main):
    """Wrap a command-line `main(argv) -> int` so that a user never sees a traceback."""
    from .atomic import OutputBusy, OutputNotAFolder

    @functools.wraps(main)
    def wrapped(argv=None) -> int:
        safe_streams()
        try:
            return main(argv)
        except KeyboardInterrupt:
            _say("Đã dừng theo yêu cầu (Ctrl+C). Thư mục kết quả giữ nguyên như trước lần chạy này.")
            return EXIT_INTERRUPTED
        except (OutputNotAFolder, OutputBusy) as exc:
            _say(str(exc))
            return EXIT_INVALID
        except OSError as exc:
            if _debug():
                raise
            _say(
                f"Không ghi được kết quả ({os_error_text(exc)}). "
                "Thư mục kết quả giữ nguyên như trước lần chạy này."
            )
            return EXIT_WRITE_FAILED
        except Exception as exc:
            if _debug():
                raise
            _say(
                f"Lỗi không mong đợi ({type(exc).__name__}: {exc}). Thư mục kết quả giữ nguyên như "
                "trước lần chạy này. Chạy lại với biến môi trường SCORING_DEBUG=1 để xem chi tiết kỹ "
                "thuật và gửi cho người phát triển."
            )
            return EXIT_WRITE_FAILED

    return wrapped


def _debug() -> bool:
    return os.environ.get("SCORING_DEBUG", "") not in ("", "0")


def _say(text: str) -> None:
    try:
        print(text, file=sys.stderr)
    except (OSError, ValueError):  # stderr closed or gone: the exit status still says it
        pass


# argparse's own words (usage, option groups, its error messages), in Vietnamese. argparse looks
# its messages up through the module-level gettext function `argparse._` when it builds a parser
# and when it reports; `vietnamese_argparse()` swaps that function for the run of one command.
ARGPARSE_WORDS = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số theo vị trí",
    "options": "tùy chọn",
    "subcommands": "lệnh",
    "show this help message and exit": "in hướng dẫn này rồi thoát",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "không nhận ra tham số: %s",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "invalid choice: %(value)r (choose from %(choices)s)": "giá trị %(value)r không hợp lệ (chọn một trong: %(choices)s)",
    "invalid %(type)s value: %(value)r": "giá trị %(value)r không đúng kiểu (cần %(type)s)",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn %(option)s chưa rõ: có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng với tham số %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "ignored explicit argument %r": "giá trị %r bị bỏ qua",
    "unexpected option string: %s": "tùy chọn không mong đợi: %s",
    "can't open '%(filename)s': %(error)s": "không mở được «%(filename)s»: %(error)s",
}
# the type names argparse puts in "invalid %(type)s value"
ARGPARSE_TYPES = {"cần int)": "cần một số nguyên)", "cần float)": "cần một số)"}


def argparse_words(message: str) -> str:
    return ARGPARSE_WORDS.get(message, message)


@contextlib.contextmanager
def vietnamese_argparse():
    """argparse speaks Vietnamese while a command's parser is built and its arguments parsed."""
    import argparse

    before = argparse._
    argparse._ = argparse_words
    try:
        yield
    finally:
        argparse._ = before


def typed_words(message: str) -> str:
    """A usage error's type names in words ("cần int" -> "cần một số nguyên")."""
    for en, vi in ARGPARSE_TYPES.items():
        message = message.replace(en, vi)
    return message


# Commands whose every output is published (written, fsynced, renamed: scoring.atomic) before
# they return, and which leave nothing open that only a finaliser would close.
FAST_EXIT_COMMANDS = frozenset({"evaluate", "whatif"})


def exit_after(code: int, argv: list[str]) -> None:
    """End `python -m scoring` with `code`; after an evaluate or a what-if, without the teardown.

    Python's teardown frees every module and object one by one: with pandas and pyarrow loaded it
    costs about 0.2 s of CPU (measured: `python -c "import pandas"` 0.75-1.0 s, 0.55-0.7 s when
    it ends with os._exit), a sixth of a province's whole command (docs/speed.md). Once such a
    command has returned, its files are published and closed, so there is nothing left for the
    teardown to do but free memory: the streams are flushed and the exit handlers run (logging,
    temporary folders), then the process ends, as mypy ends its runs. A DuckDB connection (a
    ledger) is closed by its finaliser, which removes its spill files: then Python ends as usual.
    Every other command ends as usual too.
    """
    if not argv or argv[0] not in FAST_EXIT_COMMANDS or "duckdb" in sys.modules:
        sys.exit(code)
    import atexit

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    run_handlers = getattr(atexit, "_run_exitfuncs", None)  # CPython's; absent elsewhere
    if run_handlers is None:
        sys.exit(code)
    run_handlers()
    os._exit(code)
