"""The checking pass over a table of the ledger, and the one pass of a streamed ledger.

Every table is checked in one pass (`scan`): each row's problem flag and a 64-bit hash of its
key go to Python in Arrow batches, the flags are summed, the hashes sorted in one NumPy array
(duplicates: equal keys have equal hashes, so no two equal hashes proves there is none).

Dossiers streamed from their files with no steps beside them (100 million of one year: the
mode 'counted' of sql/problems.sql) are read by that pass and never again (`Counting`,
sql/scan.sql): the same batches carry, for a dossier resolved on time and never rescheduled,
a packed key (unit, year and month resolved, year due) that is added up here, and for every
other dossier its compact row, kept. Each pass over 100 million string ids costs about 35 s of
CPU on a 2-core machine; the design before this made five (docs/ledger.md §6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

BATCH_ROWS = 2**20

# The compact row of a kept dossier, as sql/scan.sql names its columns and problems.sql's
# `dossiers_kept` orders them.
KEPT_COLUMNS = ("did", "dossier_id", "uid", "received_at", "due_at", "resolved_at", "excluded_kept")


def scan(con, sql: str, rows: int, on_batch=None) -> tuple[int, bool]:
    """The number of rows whose `bad` is true in the result of `sql`, and whether two of its
    hashes `h` are equal; `on_batch(batch)` sees every Arrow batch.

    The hashes are sorted in one NumPy array (8 bytes a row: 800 MB for 100 million dossiers),
    several times cheaper than DuckDB's distinct count, which keeps a hash table of them.
    """
    hashes = np.empty(rows, dtype=np.uint64)
    at = bad = 0
    for batch in con.sql(sql).to_arrow_reader(BATCH_ROWS):
        bad += int(pc.sum(batch.column("bad")).as_py() or 0)
        if on_batch is not None:
            on_batch(batch)
        h = batch.column("h").drop_null().to_numpy()
        hashes[at : at + len(h)] = h
        at += len(h)
    hashes = hashes[:at]
    hashes.sort()
    return bad, bool((hashes[1:] == hashes[:-1]).any())


class Extent:
    """What the dossiers span, read in the checking pass (docs/ledger.md §2: the last year is the
    last one a pending dossier is counted in)."""

    COLUMNS = ("excluded", "resolved_at IS NULL AND NOT excluded AS pending", "received_at", "resolved_at")

    def __init__(self) -> None:
        self.seen: dict = {"dossiers": 0, "excluded": 0, "pending": 0, "first_year": None, "last_year": None}

    def __call__(self, batch) -> None:
        seen = self.seen
        seen["dossiers"] += batch.num_rows
        seen["excluded"] += int(pc.sum(batch.column("excluded")).as_py() or 0)
        seen["pending"] += int(pc.sum(batch.column("pending")).as_py() or 0)
        # the years of the earliest and latest times (cheaper than the year of every time)
        for key, columns, pick in (
            ("first_year", ("received_at",), min),
            ("last_year", ("received_at", "resolved_at"), max),
        ):
            ends = [pc.min_max(batch.column(c)).as_py() for c in columns]
            found = [end[pick.__name__].year for end in ends if end[pick.__name__] is not None]
            if seen[key] is not None:
                found.append(seen[key])
            if found:
                seen[key] = pick(found)


class Counting(Extent):
    """The batches of sql/scan.sql: the extent, the on-time dossiers added up per packed key,
    the other dossiers' compact rows kept."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[np.ndarray] = []
        self.counts: list[np.ndarray] = []
        self.kept: list[pa.RecordBatch] = []

    def __call__(self, batch) -> None:
        super().__call__(batch)
        key = batch.column("counted_key").drop_null().to_numpy()
        if len(key):
            k, n = np.unique(key, return_counts=True)
            self.keys.append(k)
            self.counts.append(n)
        kept = batch.select(list(KEPT_COLUMNS)).filter(batch.column("kept"))
        if kept.num_rows:
            self.kept.append(kept)

    def store(self, con) -> None:
        """The kept dossiers and the counts into problems.sql's `dossiers_kept`, `dossier_counts`."""
        if self.kept:
            con.register("dossiers_kept_batches", pa.Table.from_batches(self.kept))
            con.execute("INSERT INTO dossiers_kept SELECT * FROM dossiers_kept_batches")
            con.unregister("dossiers_kept_batches")
        if self.keys:
            keys, at = np.unique(np.concatenate(self.keys), return_inverse=True)
            n = np.bincount(at, weights=np.concatenate(self.counts)).astype(np.int64)
            # unpacked as sql/scan.sql packed them: ((uid·128 + resolved) · 16 + month) · 128 + due
            counts = pd.DataFrame(
                {
                    "uid": (keys >> 18).astype(np.int32),
                    "resolved_year": ((keys >> 11) & 127).astype(np.int32) + 1980,
                    "resolved_month": ((keys >> 7) & 15).astype(np.int32),
                    "due_year": (keys & 127).astype(np.int32) + 1980,
                    "n": n,
                }
            )
            con.register("dossier_counts_frame", counts)
            con.execute("INSERT INTO dossier_counts SELECT * FROM dossier_counts_frame")
            con.unregister("dossier_counts_frame")
        self.keys, self.counts, self.kept = [], [], []
