-- The reschedulings, typed (issue 13 §1): one row per new appointment given to the applicant.
-- apology_ref is the number of the written apology (blank: none); apology_at its date.
CREATE OR REPLACE TEMP VIEW reschedules_typed AS
SELECT
    row_no,
    file_no,
    ledger_cell(dossier_id) AS dossier_id,
    ledger_cell(apology_ref) AS apology_ref,
    {rescheduled_text} AS rescheduled_text,
    {rescheduled_given} AS rescheduled_given,
    {new_due_text} AS new_due_text,
    {new_due_given} AS new_due_given,
    {apology_text} AS apology_text,
    {apology_given} AS apology_given,
    {rescheduled_at} AS rescheduled_at,
    {new_due_at} AS new_due_at,
    {apology_at} AS apology_at
FROM reschedules_src;
