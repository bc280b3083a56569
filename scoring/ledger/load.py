"""Finding, reading and checking the ledger's tables (issue 13 §1): dossiers, steps, reschedulings.

Where each table comes from:
- a CSV file or a sheet of the workbook that `load_records` found: its text frame
  (`Records.raw_table`, with the row as seen in the file, blank lines counted) is handed to
  DuckDB as it is (Arrow, no copy);
- a Parquet file that `load_records` found: DuckDB reads the file itself, out of core;
- a folder of Parquet files named after the table in the data folder (hive-style
  `dossiers/year=2020/part-0.parquet`, as `synth --dossiers` writes): DuckDB reads it
  as one table. `load_records` looks only at files, so the folder is resolved here from
  `Records.origin`, and each of its files' SHA-256 is added to `Records.input_sha256` (the
  manifest's inputs) when the ledger is opened.

Header names are matched like the other tables' (case, spacing, punctuation folded). Every
problem of every table is collected in one pass per table and reported together in the
records' Vietnamese style (file, row, column, value, what was expected); nothing is written.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..labels import fold
from ..records import MAX_ROWS_PER_PROBLEM, Problem, Records, ValidationError
from . import engine
from .scan import Counting, Extent, scan

LEDGER_TABLES = ("dossiers", "dossier_steps", "dossier_reschedules")
SQL_NAME = {"dossiers": "dossiers", "dossier_steps": "steps", "dossier_reschedules": "reschedules"}

# (column, required column, kind): "text"; "start" a time whose bare date means the start of the
# day; "end" a due time, whose bare date means the end of the day.
COLUMNS: dict[str, tuple[tuple[str, bool, str], ...]] = {
    "dossiers": (
        ("dossier_id", True, "text"),
        ("unit_id", True, "text"),
        ("procedure_code", False, "text"),
        ("received_at", True, "start"),
        ("due_at", True, "end"),
        ("resolved_at", True, "start"),
        ("status", False, "text"),
        ("online", False, "text"),
    ),
    "dossier_steps": (
        ("dossier_id", True, "text"),
        ("step", True, "text"),
        ("official_id", True, "text"),
        ("started_at", False, "start"),
        ("due_at", True, "end"),
        ("done_at", True, "start"),
    ),
    "dossier_reschedules": (
        ("dossier_id", True, "text"),
        ("rescheduled_at", True, "start"),
        ("new_due_at", True, "end"),
        ("apology_ref", True, "text"),
        ("apology_at", False, "start"),
    ),
}
KEYS = {
    "dossiers": ("dossier_id",),
    "dossier_steps": ("dossier_id", "step"),
    "dossier_reschedules": ("dossier_id", "rescheduled_at"),
}
KEY_WORDS = {
    "dossiers": "mỗi hồ sơ chỉ có một dòng",
    "dossier_steps": "mỗi bước của một hồ sơ chỉ có một dòng",
    "dossier_reschedules": "mỗi lần hẹn lại của một hồ sơ chỉ có một dòng",
}
TIME_FORMS = (
    "cần ngày giờ dạng 2020-03-04 08:15:00, 2020-03-04 hoặc 04/03/2020 08:15 (giờ Việt Nam; "
    "có thể kèm múi giờ như +07:00 hoặc Z), năm từ 1990 đến 2100"
)
PROBLEM_WORDS = {
    "blank": "ô trống; cột này bắt buộc",
    "bad_time": TIME_FORMS,
    "unknown_unit": "mã đơn vị không có trong bảng units",
    "unknown_dossier": "mã hồ sơ không có trong bảng dossiers",
    "unknown_official": "mã cán bộ không có trong bảng officials (để trống nếu bước không do cán bộ nào xử lý)",
    "due_before_received": "hạn giải quyết trước thời điểm tiếp nhận ({received_text})",
    "resolved_before_received": "thời điểm giải quyết trước thời điểm tiếp nhận ({received_text})",
    "bad_flag": "cần true/false, 1/0 hoặc có/không",
    "due_before_started": "hạn của bước trước thời điểm bắt đầu bước ({started_text})",
    "done_before_started": "bước kết thúc trước thời điểm bắt đầu ({started_text})",
    "due_before_rescheduled": "ngày hẹn mới trước thời điểm hẹn lại ({rescheduled_text})",
}
# Text column that shows the value of each checked column.
SHOWN = {
    "received_at": "received_text",
    "due_at": "due_text",
    "resolved_at": "resolved_text",
    "online": "online_text",
    "started_at": "started_text",
    "done_at": "done_text",
    "rescheduled_at": "rescheduled_text",
    "new_due_at": "new_due_text",
    "apology_at": "apology_text",
}
# Bytes a row of each compact table takes in DuckDB's memory (integer keys, three times, flags;
# a dossier also keeps its id): to decide which tables are read once into memory.
ROW_BYTES = {"dossiers": 64, "dossier_steps": 48, "dossier_reschedules": 64}


@dataclass
class LedgerSource:
    table: str
    where: str  # the file (or folder) as the user knows it
    columns: dict[str, str]  # canonical column -> the name in the source (absent: not given)
    types: dict[str, str]  # source name -> DuckDB type
    relation: str  # the SQL the source view selects from
    size: int  # bytes on disk
    frame: pd.DataFrame | None = None  # a text frame registered in DuckDB
    files: list[Path] = field(default_factory=list)
    file_names: list[str] = field(default_factory=list)  # by file_no, as the messages name them
    rows: int = 0  # rows in the source (a Parquet file's metadata; a text frame's length)


def partition_folders(origin: str) -> dict[str, Path]:
    """Folders of Parquet files named after a ledger table in the data folder (hive-style)."""
    root = Path(origin)
    out: dict[str, Path] = {}
    if not root.is_dir():
        return out
    by_fold = {fold(t): t for t in LEDGER_TABLES}
    for path in sorted(root.iterdir()):
        table = by_fold.get(fold(path.name))
        if table and path.is_dir() and not path.name.startswith(".") and any(path.rglob("*.parquet")):
            out[table] = path
    return out


def kept_in_memory(sources: dict[str, LedgerSource], memory_limit_bytes: int) -> dict[str, bool]:
    """Which compact tables to read once into DuckDB's memory rather than stream from the files.

    Text (CSV, a sheet) is in memory already and its times are costly to parse: once. Steps and
    reschedulings are always read once: making them costs a join on the dossier ids as written,
    which no later query should repeat (beyond the memory limit DuckDB spills them to its temp
    directory). Dossiers are read once when they take at most half the memory limit (about 16
    million dossiers under 2 GB); more are streamed from their files by every query, each
    reading only the columns it needs, so that 100 million dossiers never have to fit.
    """
    out = {}
    for table, src in sources.items():
        if src.frame is not None or table != "dossiers":
            out[table] = True
        else:
            out[table] = src.rows * ROW_BYTES[table] <= memory_limit_bytes // 2
    return out


def dossiers_mode(sources: dict[str, LedgerSource], kept: dict[str, bool]) -> str:
    """How the dossiers are read (sql/problems.sql): 'memory', 'stream' or 'counted'.

    Streamed dossiers with no steps beside them are read once, by the checking pass, which also
    counts those resolved on time and keeps the others (scan.py): the counts per unit need no
    more. With steps, the per-official counts join every dossier to its steps, so each query
    streams the files ('stream').
    """
    if kept.get("dossiers", True):
        return "memory"
    return "stream" if "dossier_steps" in sources else "counted"


def has_ledger(records: Records) -> bool:
    """Whether the data holds a ledger table (file, sheet or partitioned folder).

    Steps or reschedulings without `dossiers` count too: opening them says what is missing.
    """
    folders = partition_folders(records.origin)
    return any(t in records.sources or t in folders for t in LEDGER_TABLES)


def find_sources(records: Records, con, problems: list[Problem]) -> dict[str, LedgerSource]:
    """The ledger's tables in the data, registered in `con` as `<name>_src` views."""
    folders = partition_folders(records.origin)
    found: dict[str, LedgerSource] = {}
    for table in LEDGER_TABLES:
        src = records.sources.get(table)
        if src is not None and table in folders:
            problems.append(
                Problem(
                    src.where,
                    None,
                    None,
                    None,
                    f"bảng {table} có hai nguồn ({src.where} và thư mục {folders[table].name}/); chỉ giữ một",
                )
            )
            continue
        if src is not None and src.path.suffix.lower() == ".parquet":
            got = _parquet(con, table, [src.path], src.where, None)
        elif src is not None:
            got = _text_frame(records, table, src.where)
        elif table in folders:
            folder = folders[table]
            files = sorted(folder.rglob("*.parquet"))
            got = _parquet(con, table, files, f"{folder.name}/", folder.parent)
        else:
            continue
        if got is None:
            continue
        if _map_columns(got, problems):
            found[table] = got
    return found


def _text_frame(records: Records, table: str, where: str) -> LedgerSource | None:
    raw = records.raw_table(table)  # raises ValidationError when unreadable
    if raw is None:
        return None
    names = [str(c) for c in raw.columns[1:]]
    src = LedgerSource(
        table,
        where,
        {},
        {n: "VARCHAR" for n in names},
        "",
        int(records.sources[table].path.stat().st_size),
        frame=raw,
        file_names=[where],
        rows=len(raw),
    )
    return src


def _parquet(con, table: str, files: list[Path], where: str, base: Path | None) -> LedgerSource:
    listed = "[" + ", ".join(engine.literal(str(p)) for p in files) + "]"
    hive = "true" if base is not None else "false"
    # file_index and file_row_number are the reader's virtual columns: a row's place costs nothing
    # until a message needs it
    relation = f"read_parquet({listed}, hive_partitioning = {hive})"
    rows = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    types = {str(r[0]): str(r[1]) for r in rows}
    names = [where] if base is None else [p.relative_to(base).as_posix() for p in files]
    return LedgerSource(
        table,
        where,
        {},
        types,
        relation,
        sum(p.stat().st_size for p in files),
        files=list(files),
        file_names=names,
        rows=sum(pq.read_metadata(p).num_rows for p in files),
    )


def _map_columns(src: LedgerSource, problems: list[Problem]) -> bool:
    """Canonical column -> source name; a missing required column is a problem."""
    by_fold: dict[str, list[str]] = {}
    for name in src.types:
        by_fold.setdefault(fold(name), []).append(name)
    ok = True
    for col, required, _ in COLUMNS[src.table]:
        names = by_fold.get(fold(col), [])
        if len(names) > 1:
            problems.append(
                Problem(src.where, 1, col, None, f"cột {col} xuất hiện {len(names)} lần; chỉ được có một")
            )
            ok = False
        elif names:
            src.columns[col] = names[0]
        elif required:
            wanted = {fold(c) for c, _, _ in COLUMNS[src.table]}
            others = [n for f, ns in by_fold.items() if f not in wanted for n in ns]
            close = difflib.get_close_matches(col, others, n=1, cutoff=0.6)
            hint = f"; có cột «{close[0]}» — có phải viết sai tên?" if close else ""
            needed = ", ".join(c for c, req, _ in COLUMNS[src.table] if req)
            problems.append(
                Problem(
                    src.where,
                    1,
                    col,
                    None,
                    f"thiếu cột bắt buộc {col} (các cột cần có: {needed}; tệp có: {', '.join(src.types)}){hint}",
                )
            )
            ok = False
    return ok


def _time_expr(column: str, dtype: str, kind: str) -> str:
    """The typed, local-time expression of a time column stored as `dtype`."""
    end = "true" if kind == "end" else "false"
    t = dtype.upper()
    if t == "TIMESTAMP WITH TIME ZONE":
        return f"ledger_instant({column})"
    if t.startswith("TIMESTAMP"):
        return f"ledger_plausible(CAST({column} AS TIMESTAMP))"
    if t == "DATE":
        return f"ledger_day({column}, {end})"
    return f"ledger_time(ledger_cell({column}), {end})"


def _text_expr(column: str, dtype: str, typed: str) -> str:
    """The cell as text, for the messages: only where a value is unusable, for typed columns.

    A native TIMESTAMP or DATE is never unreadable, only implausible (a year outside
    1990–2100): formatting every value as text would cost more than reading the file.
    """
    if dtype.upper() == "VARCHAR":
        return f"ledger_cell({column})"
    return f"CASE WHEN {column} IS NULL THEN NULL WHEN {typed} IS NULL THEN CAST({column} AS VARCHAR) ELSE '' END"


def _online_text(dtype: str) -> str:
    """The `online` cell as text for the check; a native BOOLEAN is always valid (no text needed)."""
    return "CAST(NULL AS VARCHAR)" if dtype.upper() == "BOOLEAN" else "ledger_cell(online)"


def register(
    con, sources: dict[str, LedgerSource], materialize: dict[str, bool], mode: str = "memory"
) -> None:
    """`<name>_src` and `<name>_typed` views, then the checked, compact tables (problems.sql).

    `materialize[table]`: the compact table (`dossiers`, `steps`, `reschedules`: integer keys,
    typed times, a problem flag) is read once into DuckDB's memory (TABLE); otherwise it is a
    view over the files, read as each query streams it. `mode`: `dossiers_mode`; under
    'counted' the reschedulings stay a view until the checking pass has kept the dossiers they
    join to (`check`).
    """
    for table in LEDGER_TABLES:
        name = SQL_NAME[table]
        src = sources.get(table)
        cols, exprs = [], {}
        for col, _, kind in COLUMNS[table]:
            given = src.columns.get(col) if src else None
            if given is None:
                cols.append(f"CAST(NULL AS VARCHAR) AS {col}")
                dtype = "VARCHAR"
            else:
                cols.append(f'"{given.replace(chr(34), chr(34) * 2)}" AS {col}')
                dtype = src.types[given]
            if kind != "text":
                exprs[col] = _time_expr(col, dtype, kind)
                stem = col.removesuffix("_at")
                exprs[stem + "_text"] = _text_expr(col, dtype, exprs[col])
                exprs[stem + "_given"] = (
                    f"ledger_cell({col}) IS NOT NULL" if dtype.upper() == "VARCHAR" else f"{col} IS NOT NULL"
                )
            elif col == "online":
                exprs["online_text"] = _online_text(dtype)
            elif col == "step":
                integer = dtype.upper() in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER")
                exprs["step"] = "step" if integer else "ledger_cell(step)"
        if src is None:
            select = f"SELECT CAST(0 AS BIGINT) AS row_no, 0 AS file_no, {', '.join(cols)} WHERE false"
        elif src.frame is not None:
            frame = src.frame.rename(columns={"__row__": "__row_no__"})
            frame.columns = ["__row_no__", *[f"c{i}" for i in range(frame.shape[1] - 1)]]
            # as an Arrow table: DuckDB scans Arrow columns directly (a pandas frame of Arrow
            # strings would be converted cell by cell)
            con.register(f"{name}_frame", pa.Table.from_pandas(frame, preserve_index=False))
            rename = {n: f"c{i}" for i, n in enumerate(src.types)}
            cols = [
                f"{rename[src.columns[c]]} AS {c}" if c in src.columns else f"CAST(NULL AS VARCHAR) AS {c}"
                for c, _, _ in COLUMNS[table]
            ]
            # a blank line is not a record (the rows after it keep the number the file shows)
            filled = " OR ".join(f"ledger_cell(c{i}) IS NOT NULL" for i in range(len(src.types))) or "true"
            select = (
                f"SELECT CAST(__row_no__ AS BIGINT) AS row_no, 0 AS file_no, {', '.join(cols)} "
                f"FROM {name}_frame WHERE {filled}"
            )
        else:
            select = (
                f"SELECT CAST(file_row_number AS BIGINT) + 1 AS row_no, CAST(file_index AS INTEGER) AS file_no, "
                f"{', '.join(cols)} FROM {src.relation}"
            )
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name}_src AS {select}")
        con.execute(engine.render(name, **exprs))
    kinds = {f"{SQL_NAME[t]}_kind": "TABLE" if materialize.get(t, True) else "VIEW" for t in LEDGER_TABLES}
    if mode == "counted":
        kinds["reschedules_kind"] = "VIEW"
    rows = "dossiers_kept" if mode == "counted" else "dossiers"
    con.execute(engine.render("problems", dossiers_mode=mode, dossier_rows=rows, **kinds))


# The key each table's duplicates are first looked for on (integers where the dossier is known),
# then the key they are reported by (as written).
HASHED_KEYS = {
    "dossiers": ("dossier_id",),
    "dossier_steps": ("did", "step"),
    "dossier_reschedules": ("did", "rescheduled_at"),
}


def check(
    con, sources: dict[str, LedgerSource], mode: str = "memory"
) -> tuple[list[Problem], dict[str, int | None]]:
    """Every problem of the ledger's rows, duplicate keys, and what the dossiers span: one pass
    over each table (scan.py).

    The pass reads each row's problem flag and a 64-bit hash of its key (and, for dossiers,
    their years: `extent`). Only when some row is bad is each kind counted and its first rows
    read again to be worded (a clean ledger never reads a cell as text); only when two hashes
    are equal are the keys themselves compared. In the mode 'counted' (`dossiers_mode`), the
    dossiers' pass also counts them (sql/scan.sql), and the reschedulings, which join to the
    dossiers it keeps, are read into memory after it.
    """
    problems: list[Problem] = []
    extent = Counting() if mode == "counted" else Extent()
    for table in LEDGER_TABLES:
        if table not in sources:
            continue
        name = SQL_NAME[table]
        keys = HASHED_KEYS[table]
        filled = " AND ".join(f"{k} IS NOT NULL" for k in keys)
        if table == "dossiers" and mode == "counted":
            sql = engine.sql_text("scan")
        else:
            more = ", " + ", ".join(Extent.COLUMNS) if table == "dossiers" else ""
            sql = f"SELECT CASE WHEN {filled} THEN hash({', '.join(keys)}) END AS h, bad{more} FROM {name}"
        bad, repeats = scan(con, sql, sources[table].rows, extent if table == "dossiers" else None)
        if table == "dossiers" and mode == "counted":
            extent.store(con)
        if bad:
            view = f"{name}_checked"
            flags = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall() if "__" in r[0]]
            counts = con.execute(
                f"SELECT {', '.join(f'count_if({f})' for f in flags)} FROM {view}"
            ).fetchall()[0]
            for flag, n in zip(flags, counts, strict=True):
                if n:
                    problems += _listed(con, view, flag, int(n), sources[table])
        if repeats:
            problems += _duplicates(con, table, sources[table])
    if mode == "counted":
        # a view over the kept dossiers until now: read once into memory, as in the other modes
        con.execute("CREATE TEMP TABLE reschedules_read AS SELECT * FROM reschedules")
        con.execute("DROP VIEW reschedules")
        con.execute("ALTER TABLE reschedules_read RENAME TO reschedules")
    return problems, extent.seen


def _listed(con, view: str, flag: str, n: int, src: LedgerSource) -> list[Problem]:
    kind, column = flag.split("__", 1)
    cur = con.execute(
        f"SELECT * FROM {view} WHERE {flag} ORDER BY file_no, row_no LIMIT {MAX_ROWS_PER_PROBLEM}"
    )
    names = [d[0] for d in cur.description]
    out = []
    for values in cur.fetchall():
        row = dict(zip(names, values, strict=True))
        shown = row.get(SHOWN.get(column, column))
        expected = PROBLEM_WORDS[kind].format(**{k: v or "" for k, v in row.items() if isinstance(k, str)})
        out.append(
            Problem(
                src.file_names[row["file_no"]],
                int(row["row_no"]),
                column,
                None if shown is None else str(shown),
                expected,
            )
        )
    if n > MAX_ROWS_PER_PROBLEM:
        more = f"{n - MAX_ROWS_PER_PROBLEM:,}".replace(",", ".")
        out.append(
            Problem(
                src.where,
                None,
                column,
                None,
                f"… và {more} dòng khác cùng lỗi ({_short(kind)})",
            )
        )
    return out


def _short(kind: str) -> str:
    """The problem's words without the row's own values (for the "… and N more" line)."""
    return re.sub(r"\s*\(\{\w+\}\)", "", PROBLEM_WORDS[kind]).split(";")[0]


def _duplicates(con, table: str, src: LedgerSource) -> list[Problem]:
    """Later rows of a key already seen (rows with a blank key cell are reported as blank)."""
    name = SQL_NAME[table]
    key = ", ".join(KEYS[table])
    shown = SHOWN.get(KEYS[table][-1], KEYS[table][-1])
    filled = " AND ".join(f"{k} IS NOT NULL" for k in KEYS[table])
    sql = f"""
        WITH dup AS (
            SELECT {key} FROM {name}_typed
            WHERE {filled}
            GROUP BY {key} HAVING count(*) > 1
        ),
        rows AS (
            SELECT t.file_no, t.row_no, t.{shown} AS shown,
                   first_value(t.row_no) OVER (PARTITION BY {", ".join("t." + k for k in KEYS[table])}
                                               ORDER BY t.file_no, t.row_no) AS first_row,
                   row_number() OVER (PARTITION BY {", ".join("t." + k for k in KEYS[table])}
                                      ORDER BY t.file_no, t.row_no) AS nth
            FROM {name}_typed t JOIN dup USING ({key})
        )
        SELECT file_no, row_no, shown, first_row, count(*) OVER () AS n FROM rows WHERE nth > 1
        ORDER BY file_no, row_no LIMIT {MAX_ROWS_PER_PROBLEM}
    """
    got = con.execute(sql).fetchall()
    if not got:
        return []
    column = KEYS[table][-1]
    out = [
        Problem(
            src.file_names[f],
            int(r),
            column,
            str(v),
            f"trùng khóa ({', '.join(KEYS[table])}) — {KEY_WORDS[table]}; đã có ở dòng {int(first)}",
        )
        for f, r, v, first, _ in got
    ]
    n = int(got[0][4])
    if n > MAX_ROWS_PER_PROBLEM:
        out.append(
            Problem(
                src.where,
                None,
                column,
                None,
                f"… và {n - MAX_ROWS_PER_PROBLEM:,} dòng trùng khóa khác".replace(",", "."),
            )
        )
    return out


def _unhashed(records: Records, sources: dict[str, LedgerSource]) -> dict[str, Path]:
    """The files of partitioned folders whose SHA-256 the records do not hold yet, by manifest key."""
    root = Path(records.origin)
    out: dict[str, Path] = {}
    for src in sources.values():
        if src.frame is not None or src.where.endswith(".parquet"):
            continue  # files load_records found are hashed already
        for path in src.files:
            key = path.relative_to(root).as_posix()
            if key not in records.input_sha256:
                out[key] = path
    return out


def _digests(files: dict[str, Path]) -> dict[str, str]:
    out = {}
    for key, path in files.items():
        with open(path, "rb") as f:
            out[key] = hashlib.file_digest(f, "sha256").hexdigest()
    return out


def hash_in_background(records: Records, sources: dict[str, LedgerSource]) -> Future | None:
    """The SHA-256 of the files `add_hashes` will need, computed on a thread of its own.

    hashlib releases the GIL, so the files are hashed while DuckDB reads them on the other
    cores (opening a province-year's ledger reads its dossiers on one thread: 0.07 s saved).
    """
    files = _unhashed(records, sources)
    if not files:
        return None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-sha256")
    try:
        return pool.submit(_digests, files)
    finally:
        pool.shutdown(wait=False)  # the task runs on; the thread ends with it


def add_hashes(records: Records, sources: dict[str, LedgerSource], digests: Future | None = None) -> None:
    """The SHA-256 of each file of a partitioned folder, in the records' inputs (the manifest).

    `digests`: `hash_in_background`'s result for the same records and sources, if started.
    """
    files = _unhashed(records, sources)
    if not files:
        return
    got = digests.result() if digests is not None else {}
    records.input_sha256.update({k: got[k] if k in got else _digests({k: p})[k] for k, p in files.items()})
    ordered = dict(sorted(records.input_sha256.items()))
    records.input_sha256.clear()
    records.input_sha256.update(ordered)


def raise_if(problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(problems)
