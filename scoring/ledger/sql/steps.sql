-- The handling steps, typed (issue 13 §1): one row per step of a dossier. A blank official_id
-- is a step no official answers for (the applicant's, or the system's): it counts for no one.
-- A blank done_at is a step not done (yet). `step` keeps a Parquet file's integers as they are
-- (only compared and ordered), and is trimmed text otherwise.
CREATE OR REPLACE TEMP VIEW steps_typed AS
SELECT
    row_no,
    file_no,
    ledger_cell(dossier_id) AS dossier_id,
    {step} AS step,
    ledger_cell(official_id) AS official_id,
    {started_text} AS started_text,
    {started_given} AS started_given,
    {due_text} AS due_text,
    {due_given} AS due_given,
    {done_text} AS done_text,
    {done_given} AS done_given,
    {started_at} AS started_at,
    {due_at} AS due_at,
    {done_at} AS done_at
FROM steps_src;
