-- What is wrong with each row of the ledger's tables (issue 13 §1), and the compact tables the
-- counts read. `<table>_checked` gives every row its integer keys and one boolean column per kind
-- of problem, named <kind>__<column>. The compact tables keep one flag, `bad` (any problem): the
-- loader counts it in one pass over `dossiers` / `steps` / `reschedules`, and only when some row
-- is bad reads the rows again to count each kind and word the first rows of each, with the
-- cells as written (scoring/ledger/load.py).
--
-- `known_units (unit_id, uid)` and `known_officials (official_id, oid)` hold the records' units
-- and officials. Ids become integers once, here: a dossier is `did` (its file and row), a unit
-- `uid`, an official `oid`; every later join and grouping is on integers. A dossier id given
-- twice is itself reported (duplicates), so the joins on it need no DISTINCT.
--
-- {{table}}_kind is TABLE for a table read once into memory, VIEW for one streamed from its files
-- (load.py, kept_in_memory). {{dossiers_mode}} says how the dossiers are read: 'memory' (the
-- compact table), 'stream' (every query streams the files) or 'counted' (streamed once, by the
-- checking pass, which also counts the dossiers resolved on time per unit, year and month into
-- `dossier_counts` and keeps every other dossier — late, pending, rescheduled — in
-- `dossiers_kept`: scan.sql). Both tables exist, empty, in the other modes.
CREATE OR REPLACE TEMP TABLE dossiers_kept (
    did BIGINT, dossier_id VARCHAR, uid INTEGER,
    received_at TIMESTAMP, due_at TIMESTAMP, resolved_at TIMESTAMP, excluded BOOLEAN
);
CREATE OR REPLACE TEMP TABLE dossier_counts (
    uid INTEGER, resolved_year INTEGER, resolved_month INTEGER, due_year INTEGER, n BIGINT
);

CREATE OR REPLACE TEMP VIEW dossiers_checked AS
SELECT
    d.*,
    ledger_did(d.file_no, d.row_no) AS did,
    u.uid,
    d.dossier_id IS NULL AS blank__dossier_id,
    d.unit_id IS NULL AS blank__unit_id,
    d.unit_id IS NOT NULL AND u.uid IS NULL AS unknown_unit__unit_id,
    NOT d.received_given AS blank__received_at,
    d.received_given AND d.received_at IS NULL AS bad_time__received_at,
    NOT d.due_given AS blank__due_at,
    d.due_given AND d.due_at IS NULL AS bad_time__due_at,
    d.resolved_given AND d.resolved_at IS NULL AS bad_time__resolved_at,
    coalesce(d.due_at < d.received_at, false) AS due_before_received__due_at,
    coalesce(d.resolved_at < d.received_at, false) AS resolved_before_received__resolved_at,
    d.online_text IS NOT NULL AND d.online IS NULL AS bad_flag__online
FROM dossiers_typed d
LEFT JOIN known_units u ON u.unit_id = d.unit_id;

CREATE OR REPLACE TEMP {dossiers_kind} dossiers AS
SELECT
    did, dossier_id, uid, received_at, due_at, resolved_at, excluded,
    greatest(*COLUMNS('__')) AS bad
FROM dossiers_checked;

-- The dossiers the counts read one by one (members.sql, open.sql): every dossier (`dossiers`),
-- or in the mode 'counted' those the checking pass kept (`dossiers_kept`; the others are in
-- `dossier_counts`), so that no later query even lists the files.
CREATE OR REPLACE TEMP VIEW dossier_rows AS
SELECT did, dossier_id, uid, received_at, due_at, resolved_at, excluded FROM {dossier_rows};

-- The dossiers' ids for the steps and reschedulings to join: from the compact table in memory,
-- straight from the typed view when the dossiers are streamed (the units' join is not needed),
-- or, in the mode 'counted' (no steps), from the kept dossiers, which hold every dossier whose
-- id a rescheduling names (scan.sql); the reschedulings are then read after the checking pass.
CREATE OR REPLACE TEMP VIEW dossier_keys AS
SELECT dossier_id, did FROM dossiers WHERE dossier_id IS NOT NULL AND '{dossiers_mode}' = 'memory'
UNION ALL
SELECT dossier_id, ledger_did(file_no, row_no) FROM dossiers_typed
WHERE dossier_id IS NOT NULL AND '{dossiers_mode}' = 'stream'
UNION ALL
SELECT dossier_id, did FROM dossiers_kept WHERE dossier_id IS NOT NULL AND '{dossiers_mode}' = 'counted';

CREATE OR REPLACE TEMP VIEW steps_checked AS
SELECT
    s.*,
    k.did,
    o.oid,
    s.dossier_id IS NULL AS blank__dossier_id,
    s.dossier_id IS NOT NULL AND k.did IS NULL AS unknown_dossier__dossier_id,
    s.step IS NULL AS blank__step,
    s.official_id IS NOT NULL AND o.oid IS NULL AS unknown_official__official_id,
    s.started_given AND s.started_at IS NULL AS bad_time__started_at,
    NOT s.due_given AS blank__due_at,
    s.due_given AND s.due_at IS NULL AS bad_time__due_at,
    s.done_given AND s.done_at IS NULL AS bad_time__done_at,
    coalesce(s.due_at < s.started_at, false) AS due_before_started__due_at,
    coalesce(s.done_at < s.started_at, false) AS done_before_started__done_at
FROM steps_typed s
LEFT JOIN dossier_keys k ON k.dossier_id = s.dossier_id
LEFT JOIN known_officials o ON o.official_id = s.official_id;

CREATE OR REPLACE TEMP {steps_kind} steps AS
SELECT did, oid, step, started_at, due_at, done_at, greatest(*COLUMNS('__')) AS bad
FROM steps_checked;

CREATE OR REPLACE TEMP VIEW reschedules_checked AS
SELECT
    r.*,
    k.did,
    r.dossier_id IS NULL AS blank__dossier_id,
    r.dossier_id IS NOT NULL AND k.did IS NULL AS unknown_dossier__dossier_id,
    NOT r.rescheduled_given AS blank__rescheduled_at,
    r.rescheduled_given AND r.rescheduled_at IS NULL AS bad_time__rescheduled_at,
    NOT r.new_due_given AS blank__new_due_at,
    r.new_due_given AND r.new_due_at IS NULL AS bad_time__new_due_at,
    r.apology_given AND r.apology_at IS NULL AS bad_time__apology_at,
    coalesce(r.new_due_at < r.rescheduled_at, false) AS due_before_rescheduled__new_due_at
FROM reschedules_typed r
LEFT JOIN dossier_keys k ON k.dossier_id = r.dossier_id;

CREATE OR REPLACE TEMP {reschedules_kind} reschedules AS
SELECT did, rescheduled_at, new_due_at, apology_ref, apology_at, greatest(*COLUMNS('__')) AS bad
FROM reschedules_checked;
