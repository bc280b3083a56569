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
    hash_in_background,
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
        digests = hash_in_background(records, sources)  # while DuckDB reads the files
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
        add_hashes(records, sources, digests)
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
        key = ("official_counts", readings, last_year, ())
        if key not in self._cache:
            packed = self._packing(readings, last_year)
            if packed is not None:
                self._cache[key] = self._official_counts_sorted(readings, last_year, packed)
        return _sorted(self._query("official_counts", readings, last_year), ["year", "official_id"])

    # Step rows sorted in NumPy at most this many (8 bytes each, about three times that while
    # sorting); beyond, official_counts.sql's aggregate, which DuckDB can spill to disk.
    SORTED_STEPS_MAX = 50_000_000

    def _packing(self, readings: Readings, last_year: int | None) -> tuple[int, int, int] | None:
        """(oid_shift, year_shift, oid_bits) for official_steps.sql, or None to run the SQL aggregate.

        Only under attribution 'step', with the dossiers in memory (`did` bounded by the compact
        table), at most SORTED_STEPS_MAX steps, and when a year (7 bits), an official, a dossier
        and the late bit fit in 63 bits.
        """
        if readings.attribution != "step" or self.mode != "memory":
            return None
        if self.sources["dossier_steps"].rows > self.SORTED_STEPS_MAX:
            return None
        year = last_year if last_year is not None else self.last_year
        if year is not None and not 1990 <= int(year) < 1990 + 128:
            return None
        max_did, officials = self.con.execute(
            "SELECT (SELECT coalesce(max(did), 0) FROM dossiers), (SELECT count(*) FROM known_officials)"
        ).fetchone()
        did_bits, oid_bits = int(max_did).bit_length(), int(officials).bit_length()
        if 7 + oid_bits + did_bits + 1 > 63:
            return None
        return did_bits + 1, did_bits + 1 + oid_bits, oid_bits

    def _official_counts_sorted(
        self, readings: Readings, last_year: int | None, packing: tuple[int, int, int]
    ) -> pd.DataFrame:
        """official_counts.sql under attribution 'step', by sorting official_steps.sql's numbers.

        Each (year, official, dossier) is a run of equal numbers but for the late bit: its last
        row is late when any is (bool_or). Each (year, official) is a run of those. The counts
        are those of the SQL aggregate (tests/test_ledger_counts.py compares them).
        """
        oid_shift, year_shift, oid_bits = packing
        self._prepare(readings, last_year, oid_shift=oid_shift, year_shift=year_shift)
        k = self.con.execute(engine.sql_text("official_steps")).fetchnumpy()["k"]
        k = np.asarray(k, dtype=np.int64)
        k.sort()
        last = np.ones(len(k), dtype=bool)
        # neighbours of one (year, official, dossier) differ at most in the late bit
        np.greater(np.bitwise_xor(k[1:], k[:-1]), 1, out=last[:-1])
        k = k[last]
        who = k >> oid_shift  # (year, official)
        start = np.ones(len(who), dtype=bool)
        np.not_equal(who[1:], who[:-1], out=start[1:])
        first = np.flatnonzero(start)
        who = who[first]
        counted = pd.DataFrame(
            {
                "year": ((who >> (year_shift - oid_shift)) + 1990).astype(np.int32),
                "oid": (who & ((1 << oid_bits) - 1)).astype(np.int32),
                "handled": np.diff(np.append(first, len(k))).astype(np.int64),
                "late": np.add.reduceat(k & 1, first).astype(np.int64) if len(k) else np.zeros(0, np.int64),
            }
        )
        self.con.register("official_counts_sorted", counted)
        try:
            return self.con.execute(
                "SELECT c.year, o.official_id, c.handled, c.late "
                "FROM official_counts_sorted c JOIN known_officials o USING (oid)"
            ).df()
        finally:
            self.con.unregister("official_counts_sorted")

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
