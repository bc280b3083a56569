-- The reschedulings, typed (issue 13 §1): one row per new appointment given to the applicant.
-- apology_ref is the number of the written apology (blank: none); apology_at its date.
CREATE OR REPLACE TEMP {kind} reschedules_typed AS
SELECT
    row_no,
    file,
    ledger_cell(dossier_id) AS dossier_id,
    ledger_cell(apology_ref) AS apology_ref,
    {rescheduled_text} AS rescheduled_text,
    {new_due_text} AS new_due_text,
    {apology_text} AS apology_text,
    {rescheduled_at} AS rescheduled_at,
    {new_due_at} AS new_due_at,
    {apology_at} AS apology_at
FROM reschedules_src;
