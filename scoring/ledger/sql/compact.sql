-- The typed tables the counts read: only the columns they need. Views: over the typed tables
-- (parsed once, in memory) for a ledger that fits in memory, so that another reading
-- re-aggregates in milliseconds; over the files themselves otherwise (streamed, out of core).
CREATE OR REPLACE TEMP VIEW dossiers AS
SELECT dossier_id, unit_id, procedure_code, online, received_at, due_at, resolved_at, excluded
FROM dossiers_typed;

CREATE OR REPLACE TEMP VIEW steps AS
SELECT dossier_id, step, official_id, started_at, due_at, done_at
FROM steps_typed;

CREATE OR REPLACE TEMP VIEW reschedules AS
SELECT dossier_id, rescheduled_at, new_due_at, apology_ref, apology_at
FROM reschedules_typed;
