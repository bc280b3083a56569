-- The dossiers, typed (issue 13 §1): one row per dossier as written in `dossiers_src`.
-- `{received_at}`, `{due_at}`, `{resolved_at}` are the typed expressions the loader chose for
-- each column's storage (text, TIMESTAMP, TIMESTAMP WITH TIME ZONE, DATE): see load.py;
-- `<time>_given` says whether the cell holds anything, `<time>_text` is the cell as written (read
-- only for the rows a message reports).
-- A blank resolved_at is a pending dossier. Status "denied"/"cancelled" (and their Vietnamese
-- forms) leaves the dossier out of every count; the run says how many. A view: the checks
-- (problems.sql) keep only the columns the counts need, and read the rest — the cells as
-- written, for the messages — only for the rows they report.
CREATE OR REPLACE TEMP VIEW dossiers_typed AS
SELECT
    row_no,
    file_no,
    ledger_cell(dossier_id) AS dossier_id,
    ledger_cell(unit_id) AS unit_id,
    ledger_cell(procedure_code) AS procedure_code,
    ledger_cell(status) AS status,
    {online_text} AS online_text,
    ledger_flag({online_text}) AS online,
    {received_text} AS received_text,
    {received_given} AS received_given,
    {due_text} AS due_text,
    {due_given} AS due_given,
    {resolved_text} AS resolved_text,
    {resolved_given} AS resolved_given,
    {received_at} AS received_at,
    {due_at} AS due_at,
    {resolved_at} AS resolved_at,
    coalesce(lower(ledger_cell(status)) IN (
        'denied', 'cancelled', 'canceled', 'rejected', 'withdrawn',
        'từ chối', 'từ chối giải quyết', 'hủy', 'huỷ', 'đã hủy', 'đã huỷ', 'rút hồ sơ', 'công dân rút hồ sơ'
    ), false) AS excluded
FROM dossiers_src;
