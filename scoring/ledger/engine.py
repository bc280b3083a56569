"""The embedded DuckDB engine of the ledger: one connection, bounded, offline, and its SQL files.

The aggregation lives in `scoring/ledger/sql/*.sql` (package data), so that the same queries
run on partitioned Parquet and, when a ministry outgrows one machine, on a larger SQL engine.
Python only chooses which file to run, fills in the names of the tables it registered and
sets the readings as SQL variables (`getvariable('year_by')`), which DuckDB folds into
constants.

Memory: DuckDB is given a `memory_limit` and a `temp_directory`, so that a big ledger spills
to disk instead of failing. Defaults: 2 GB (the province-year target of docs/ledger.md) and a
folder under the system's temporary directory; `SCORING_DUCKDB_MEMORY_LIMIT`,
`SCORING_DUCKDB_THREADS` and `SCORING_DUCKDB_TEMP_DIR` change them, as do the `ledger`
command's `--memory-limit`, `--threads` and `--temp-dir`. Extensions are never installed or
loaded from the network (`autoinstall_known_extensions = false`): the reader of Parquet and CSV
is built into the wheel.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_MEMORY_LIMIT = "2GB"


@dataclass(frozen=True)
class EngineConfig:
    """How much of the machine the ledger may use."""

    memory_limit: str = DEFAULT_MEMORY_LIMIT
    threads: int | None = None  # None: DuckDB's default, one per core
    temp_directory: str | None = None  # None: <system temp>/scoring-duckdb

    @classmethod
    def from_env(cls, **given: Any) -> EngineConfig:
        """Settings from the arguments given (not None), else the environment, else defaults."""
        env = {
            "memory_limit": os.environ.get("SCORING_DUCKDB_MEMORY_LIMIT"),
            "threads": os.environ.get("SCORING_DUCKDB_THREADS"),
            "temp_directory": os.environ.get("SCORING_DUCKDB_TEMP_DIR"),
        }
        kw = {k: v for k, v in env.items() if v}
        kw.update({k: v for k, v in given.items() if v is not None})
        if "threads" in kw:
            kw["threads"] = int(kw["threads"])
        return cls(**kw)

    def check(self) -> str | None:
        """Why these settings cannot be used (Vietnamese), or None."""
        if not re.fullmatch(r"\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", self.memory_limit or ""):
            return f"giới hạn bộ nhớ «{self.memory_limit}» cần dạng 2GB, 512MB, 4GiB"
        if self.threads is not None and self.threads < 1:
            return f"số luồng «{self.threads}» cần là số nguyên dương"
        return None


def connect(config: EngineConfig | None = None):
    """A new in-memory DuckDB connection with the limits of `config` and the ledger's macros."""
    import duckdb

    config = config or EngineConfig.from_env()
    temp = config.temp_directory or str(Path(tempfile.gettempdir()) / "scoring-duckdb")
    settings = {
        "memory_limit": config.memory_limit,
        "temp_directory": temp,
        "autoinstall_known_extensions": False,
        "preserve_insertion_order": False,  # the counts are sums: order is never relied on
    }
    if config.threads:
        settings["threads"] = config.threads
    con = duckdb.connect(":memory:", config=settings)
    con.execute("SET enable_progress_bar = false")  # a library never draws on the user's terminal
    con.execute(sql_text("macros"))
    return con


@contextmanager
def threads(con, n: int):
    """Run the queries inside on at most `n` threads (the configured number again after).

    For an aggregate whose groups are nearly all distinct (the per-official counts: 2.8 million
    (year, official, dossier) groups of 3 million rows in a province-year), each thread builds
    its own hash table of nearly every group and the tables are then merged: on two threads it
    costs about twice the CPU of one (1.3 s against 0.8 s) for little less wall clock.
    """
    before = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    if before <= n:
        yield
        return
    con.execute(f"SET threads = {int(n)}")
    try:
        yield
    finally:
        con.execute(f"SET threads = {before}")


def settings(con) -> dict[str, str]:
    """The engine's threads and memory limit, as the benchmark prints them."""
    row = con.execute(
        "SELECT current_setting('threads'), current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone()
    return {"threads": str(row[0]), "memory_limit": str(row[1]), "temp_directory": str(row[2])}


@cache
def sql_text(name: str) -> str:
    """The text of `sql/<name>.sql`, shipped with the package."""
    return resources.files("scoring.ledger").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def render(name: str, **names: str) -> str:
    """`sql/<name>.sql` with its `{placeholders}` (table names, column expressions) filled in.

    Placeholders are only ever names and expressions built by this package, never user text:
    user-given paths go in as quoted literals (`literal`).
    """
    return sql_text(name).format(**names)


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def set_variables(con, **values: Any) -> None:
    """Readings and year bounds as SQL variables (`getvariable('name')` in the SQL files)."""
    for name, value in values.items():
        con.execute(f"SET VARIABLE {name} = ?", [value])
