"""The dossier ledger: one-stop records in, the year's counts and the II.2 rescheduling check out.

A producer (docs/ledger.md): from the optional tables `dossiers`, `dossier_steps` and
`dossier_reschedules` it makes exactly the tables the late-dossier rules read
(`unit_dossiers`, `official_dossiers`), reconciles them with recorded counts, and checks that
every overdue dossier was rescheduled once with a written apology (mục II.2). The engine is
embedded DuckDB; the aggregation is the SQL files in `scoring/ledger/sql/`.

    import scoring
    from scoring.ledger import derive
    recs = scoring.load_records("data/")
    run = derive(recs, 2020, scoring.load_criteria())   # None when the data has no ledger
    run.unit_dossiers, run.official_dossiers               # what evaluate reads
    run.differences, run.compliance, run.violations, run.notes
"""

from .core import Ledger, Readings, open_ledger
from .derive import COMPLIANCE_COLUMNS, VIOLATION_COLUMNS, LedgerRun, derive, feed
from .engine import EngineConfig
from .hooks import feed_ledger, finish_ledger
from .load import LEDGER_TABLES, has_ledger

__all__ = [
    "COMPLIANCE_COLUMNS",
    "EngineConfig",
    "LEDGER_TABLES",
    "Ledger",
    "LedgerRun",
    "Readings",
    "VIOLATION_COLUMNS",
    "derive",
    "feed",
    "feed_ledger",
    "finish_ledger",
    "has_ledger",
    "open_ledger",
]
