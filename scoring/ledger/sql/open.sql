-- The dossiers open across a year's end: pending, or resolved in a later year than they were
-- due. Only these can be pending at a year's end (members.sql); they are a few percent of a
-- ledger and kept in memory, so that the members of every year read the dossiers once.
CREATE OR REPLACE TEMP TABLE open_dossiers AS
SELECT did, dossier_id, uid, received_at, due_at, resolved_at
FROM dossier_rows
WHERE NOT excluded AND (resolved_at IS NULL OR year(resolved_at) > year(due_at));
