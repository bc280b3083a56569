-- The handling steps, typed (issue 13 §1): one row per step of a dossier. A blank official_id
-- is a step no official answers for (the applicant's, or the system's): it counts for no one.
-- A blank done_at is a step not done (yet).
CREATE OR REPLACE TEMP {kind} steps_typed AS
SELECT
    row_no,
    file,
    ledger_cell(dossier_id) AS dossier_id,
    ledger_cell(step) AS step,
    ledger_cell(official_id) AS official_id,
    {started_text} AS started_text,
    {due_text} AS due_text,
    {done_text} AS done_text,
    {started_at} AS started_at,
    {due_at} AS due_at,
    {done_at} AS done_at
FROM steps_src;
