-- What is wrong with each row of the ledger's tables (issue 13 §1), one boolean column per
-- kind of problem, named <kind>__<column>: the loader counts each in one pass, lists the
-- first rows of the kinds that occur, and words them in Vietnamese (scoring/ledger/load.py).
-- `known_units` and `known_officials` hold the ids of the records' units and officials. A
-- dossier id given twice is itself reported (duplicates), so the joins on it need no DISTINCT.
CREATE OR REPLACE TEMP VIEW dossiers_problems AS
SELECT
    d.file, d.row_no, d.dossier_id, d.unit_id, d.received_text, d.due_text, d.resolved_text, d.online_text,
    d.dossier_id IS NULL AS blank__dossier_id,
    d.unit_id IS NULL AS blank__unit_id,
    d.unit_id IS NOT NULL AND u.unit_id IS NULL AS unknown_unit__unit_id,
    d.received_text IS NULL AS blank__received_at,
    d.received_text IS NOT NULL AND d.received_at IS NULL AS bad_time__received_at,
    d.due_text IS NULL AS blank__due_at,
    d.due_text IS NOT NULL AND d.due_at IS NULL AS bad_time__due_at,
    d.resolved_text IS NOT NULL AND d.resolved_at IS NULL AS bad_time__resolved_at,
    coalesce(d.due_at < d.received_at, false) AS due_before_received__due_at,
    coalesce(d.resolved_at < d.received_at, false) AS resolved_before_received__resolved_at,
    d.online_text IS NOT NULL AND d.online IS NULL AS bad_flag__online
FROM dossiers_typed d
LEFT JOIN known_units u ON u.unit_id = d.unit_id;

CREATE OR REPLACE TEMP VIEW steps_problems AS
SELECT
    s.file, s.row_no, s.dossier_id, s.step, s.official_id, s.started_text, s.due_text, s.done_text,
    s.dossier_id IS NULL AS blank__dossier_id,
    s.dossier_id IS NOT NULL AND d.dossier_id IS NULL AS unknown_dossier__dossier_id,
    s.step IS NULL AS blank__step,
    s.official_id IS NOT NULL AND o.official_id IS NULL AS unknown_official__official_id,
    s.started_text IS NOT NULL AND s.started_at IS NULL AS bad_time__started_at,
    s.due_text IS NULL AS blank__due_at,
    s.due_text IS NOT NULL AND s.due_at IS NULL AS bad_time__due_at,
    s.done_text IS NOT NULL AND s.done_at IS NULL AS bad_time__done_at,
    coalesce(s.due_at < s.started_at, false) AS due_before_started__due_at,
    coalesce(s.done_at < s.started_at, false) AS done_before_started__done_at
FROM steps_typed s
LEFT JOIN (SELECT dossier_id FROM dossiers_typed) d ON d.dossier_id = s.dossier_id
LEFT JOIN known_officials o ON o.official_id = s.official_id;

CREATE OR REPLACE TEMP VIEW reschedules_problems AS
SELECT
    r.file, r.row_no, r.dossier_id, r.rescheduled_at, r.rescheduled_text, r.new_due_text, r.apology_text,
    r.dossier_id IS NULL AS blank__dossier_id,
    r.dossier_id IS NOT NULL AND d.dossier_id IS NULL AS unknown_dossier__dossier_id,
    r.rescheduled_text IS NULL AS blank__rescheduled_at,
    r.rescheduled_text IS NOT NULL AND r.rescheduled_at IS NULL AS bad_time__rescheduled_at,
    r.new_due_text IS NULL AS blank__new_due_at,
    r.new_due_text IS NOT NULL AND r.new_due_at IS NULL AS bad_time__new_due_at,
    r.apology_text IS NOT NULL AND r.apology_at IS NULL AS bad_time__apology_at,
    coalesce(r.new_due_at < r.rescheduled_at, false) AS due_before_rescheduled__new_due_at
FROM reschedules_typed r
LEFT JOIN (SELECT dossier_id FROM dossiers_typed) d ON d.dossier_id = r.dossier_id;
