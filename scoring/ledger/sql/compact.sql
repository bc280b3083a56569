-- The typed tables the counts read: only the columns they need. A TABLE for a ledger that fits
-- in memory (re-aggregated quickly under another reading), a VIEW over the files otherwise.
CREATE OR REPLACE TEMP {kind} dossiers AS
SELECT dossier_id, unit_id, procedure_code, online, received_at, due_at, resolved_at, excluded
FROM dossiers_typed;

CREATE OR REPLACE TEMP {kind} steps AS
SELECT dossier_id, step, official_id, started_at, due_at, done_at
FROM steps_typed;

CREATE OR REPLACE TEMP {kind} reschedules AS
SELECT dossier_id, rescheduled_at, new_due_at, apology_ref, apology_at
FROM reschedules_typed;
