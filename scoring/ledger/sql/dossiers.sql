-- The dossiers, typed (issue 13 §1): one row per dossier as written in `dossiers_src`.
-- `{received_at}`, `{due_at}`, `{resolved_at}` are the typed expressions the loader chose for
-- each column's storage (text, TIMESTAMP, TIMESTAMP WITH TIME ZONE, DATE): see engine.py.
-- A blank resolved_at is a pending dossier. Status "denied"/"cancelled" (and their Vietnamese
-- forms) leaves the dossier out of every count; the run says how many.
CREATE OR REPLACE TEMP {kind} dossiers_typed AS
SELECT
    row_no,
    file,
    ledger_cell(dossier_id) AS dossier_id,
    ledger_cell(unit_id) AS unit_id,
    ledger_cell(procedure_code) AS procedure_code,
    ledger_cell(status) AS status,
    ledger_cell(online) AS online_text,
    ledger_flag(ledger_cell(online)) AS online,
    {received_text} AS received_text,
    {due_text} AS due_text,
    {resolved_text} AS resolved_text,
    {received_at} AS received_at,
    {due_at} AS due_at,
    {resolved_at} AS resolved_at,
    coalesce(lower(ledger_cell(status)) IN (
        'denied', 'cancelled', 'canceled', 'rejected', 'withdrawn',
        'từ chối', 'từ chối giải quyết', 'hủy', 'huỷ', 'đã hủy', 'đã huỷ', 'rút hồ sơ', 'công dân rút hồ sơ'
    ), false) AS excluded
FROM dossiers_src;
