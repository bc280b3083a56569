"""The opened ledger: a DuckDB connection holding the typed tables, and the counts under readings.

`Ledger.open(records)` finds the tables, checks every row (raising `ValidationError` with the
records' Vietnamese messages) and keeps the typed tables; `unit_counts`, `official_counts`,
`overdue` and `monthly` run the SQL files under a set of readings. A ledger is opened once per
set of input files (a what-if that changes only thresholds reuses it; one that changes a
ledger reading re-runs only the aggregation).
"""

from __future__ import annotations

from collections import OrderedDict
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..criteria import Criteria
from ..records import Problem, Records, ValidationError
from . import engine
from .load import (
    LEDGER_TABLES,
    LedgerSource,
    add_hashes,
    check,
    dossiers_mode,
    find_sources,
    kept_in_memory,
    partition_folders,
    register,
)

READING_PARAMS = (
    "ledger_denominator",
    "ledger_year_by",
    "ledger_reschedule_cures_lateness",
    "ledger_on_time_granularity",
    "ledger_official_attribution",
)


@dataclass(frozen=True)
class Readings:
    """The criteria's ledger readings, as the SQL files' variables."""

    year_by: str = "resolved"
    with_pending: bool = False
    granularity: str = "second"
    cure: bool = False
    attribution: str = "step"

    @classmethod
    def of(cls, crit: Criteria) -> Readings:
        return cls(
            year_by=crit["ledger_year_by"],
            with_pending=crit["ledger_denominator"] == "resolved_and_pending_overdue",
            granularity=crit["ledger_on_time_granularity"],
            cure=bool(crit["ledger_reschedule_cures_lateness"]),
            attribution=crit["ledger_official_attribution"],
        )


@dataclass
class Ledger:
    con: object
    sources: dict[str, LedgerSource]
    dossiers: int
    excluded: int
    pending: int
    first_year: int | None
    last_year: int | None
    in_memory: bool = True  # the compact dossiers table is in memory (else streamed from the files)
    mode: str = "memory"  # load.dossiers_mode: 'memory', 'stream' or 'counted'
    _cache: dict = field(default_factory=dict)

    @property
    def where(self) -> str:
        return self.sources["dossiers"].where

    @property
    def has_steps(self) -> bool:
        return "dossier_steps" in self.sources

    @property
    def has_reschedules(self) -> bool:
        return "dossier_reschedules" in self.sources

    # -- opening ------------------------------------------------------------------------
    @classmethod
    def open(cls, records: Records, config: engine.EngineConfig | None = None) -> Ledger:
        """Find, register and check the ledger's tables of `records` (which must hold `dossiers`)."""
        con = engine.connect(config)
        problems: list[Problem] = []
        sources = find_sources(records, con, problems)
        if "dossiers" not in sources and not problems:
            problems.append(
                Problem(
                    records.origin,
                    None,
                    None,
                    None,
                    "bảng dossier_steps hoặc dossier_reschedules cần bảng dossiers (sổ theo dõi hồ sơ)",
                )
            )
        if problems:
            raise ValidationError(problems)
        # the records' ids, numbered: the ledger joins and groups on these integers (problems.sql)
        for table, ids, key in (
            ("known_units", records.units["unit_id"], "uid"),
            ("known_officials", records.officials["official_id"], "oid"),
        ):
            known = pd.DataFrame({ids.name: pd.unique(ids.astype(str).to_numpy())})
            known[key] = np.arange(1, len(known) + 1, dtype=np.int32)
            con.register(f"{table}_frame", known)
            con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {table}_frame")
        limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        kept = kept_in_memory(sources, _bytes(limit))
        mode = dossiers_mode(sources, kept)
        register(con, sources, kept, mode)
        problems, extent = check(con, sources, mode)
        if problems:
            order = {t: i for i, t in enumerate(LEDGER_TABLES)}
            where_order = {s.where: order[t] for t, s in sources.items()}
            problems.sort(key=lambda p: (where_order.get(p.where, 0), p.where, p.row is None, p.row or 0))
            raise ValidationError(problems)
        add_hashes(records, sources)
        con.execute(engine.sql_text("open"))
        return cls(
            con,
            sources,
            extent["dossiers"],
            extent["excluded"],
            extent["pending"],
            extent["first_year"],
            extent["last_year"],
            kept["dossiers"],
            mode,
        )

    # -- counting -----------------------------------------------------------------------
    def _prepare(self, readings: Readings, last_year: int | None = None, **extra) -> None:
        engine.set_variables(
            self.con,
            year_by=readings.year_by,
            with_pending=readings.with_pending,
            granularity=readings.granularity,
            cure=readings.cure,
            attribution=readings.attribution,
            last_year=int(last_year if last_year is not None else (self.last_year or 0)),
            **extra,
        )
        if "members" not in self._cache:
            self.con.execute(engine.sql_text("members"))
            self._cache["members"] = None
        if self._cache["members"] != (readings, last_year):
            # the members of each year, computed once per set of readings unless that would
            # stream the dossiers' files (counted: read from the kept dossiers and the counts)
            kind = "VIEW" if self.mode == "stream" else "TABLE"
            self.con.execute(f"CREATE OR REPLACE TEMP {kind} members AS SELECT * FROM members_all")
            self._cache["members"] = (readings, last_year)

    def _query(self, name: str, readings: Readings, last_year=None, **extra) -> pd.DataFrame:
        key = (name, readings, last_year, tuple(sorted(extra.items())))
        if key not in self._cache:
            self._prepare(readings, last_year, **extra)
            # the per-official counts group nearly every (year, official, dossier) apart: one
            # thread is cheaper (engine.threads) — unless the query also streams the dossiers'
            # files, a scan that does use every thread
            single = name == "official_counts" and self.mode != "stream"
            with engine.threads(self.con, 1) if single else nullcontext():
                df = self.con.execute(engine.sql_text(name)).df()
            self._cache[key] = df
        return self._cache[key]

    def unit_counts(self, readings: Readings, last_year: int | None = None) -> pd.DataFrame:
        """Per (year, unit): handled, late, and their parts (resolved, pending overdue, overdue)."""
        df = self._query("unit_counts", readings, last_year)
        return _sorted(df, ["year", "unit_id"])

    def official_counts(self, readings: Readings, last_year: int | None = None) -> pd.DataFrame | None:
        """Per (year, official): handled, late; None when the ledger has no steps."""
        if not self.has_steps:
            return None
        return _sorted(self._query("official_counts", readings, last_year), ["year", "official_id"])

    def overdue(self, year: int, readings: Readings) -> pd.DataFrame:
        """The II.2 check of every overdue dossier of `year` (one row each)."""
        df = self._query("overdue", readings, None, year=int(year))
        return _sorted(df, ["unit_id", "dossier_id"])

    def monthly(self, year: int, unit_id: str, readings: Readings) -> pd.DataFrame:
        """Late dossiers of one unit, month by month (all twelve months, zeros included)."""
        df = self._query("monthly", readings, None, year=int(year), unit=str(unit_id))
        months = pd.DataFrame({"month": range(1, 13)})
        out = months.merge(df, on="month", how="left").fillna(0)
        return out.astype({c: "int64" for c in out.columns})


def _bytes(setting: str) -> int:
    """DuckDB's '1.8 GiB' as a number of bytes."""
    number, unit = setting.split()
    return int(float(number) * 1024 ** ["bytes", "KiB", "MiB", "GiB", "TiB"].index(unit))


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows in a fixed order (DuckDB's is not), integers as int64."""
    df = df.sort_values(keys, kind="stable").reset_index(drop=True)
    for c in df.columns:
        if df[c].dtype.kind in "iu":
            df[c] = df[c].astype("int64")
    return df


# Ledgers opened in this process, by the SHA-256 of every input file and the engine settings:
# a what-if, the notebook's controls and the golden tests reuse the typed tables.
_OPEN: OrderedDict = OrderedDict()
_MAX_OPEN = 4


def open_ledger(records: Records, config: engine.EngineConfig | None = None) -> Ledger:
    """The ledger of `records`, opened once per set of inputs (and kept on the records object)."""
    mine = records.__dict__.get("_ledger")
    if mine is not None:
        return mine
    config = config or engine.EngineConfig.from_env()
    folders = partition_folders(records.origin)
    stamps = tuple(
        (str(p), p.stat().st_size, p.stat().st_mtime_ns)
        for f in folders.values()
        for p in sorted(f.rglob("*.parquet"))
    )
    key = (tuple(sorted(records.input_sha256.items())), records.origin, stamps, config)
    ledger = _OPEN.get(key)
    if ledger is None:
        ledger = Ledger.open(records, config)
        _OPEN[key] = ledger
        while len(_OPEN) > _MAX_OPEN:
            _OPEN.popitem(last=False)
    else:
        _OPEN.move_to_end(key)
        add_hashes(records, ledger.sources)
    records.__dict__["_ledger"] = ledger
    return ledger
