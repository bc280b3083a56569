-- The checking pass over dossiers streamed from their files, when there are no steps (the mode
-- 'counted' of problems.sql): the one pass that reads 100 million dossiers, in batches, to
-- scoring/ledger/scan.py. Each row gives what the checks need — its problem flag, a 64-bit hash
-- of its id (duplicates), what it spans (excluded, pending, years) — and either
--   `counted_key`: a dossier resolved on time (at or before its due second), not excluded and
--   never rescheduled, packed as (unit, year and month resolved, year due). Such a dossier is
--   a member of one year under either `year_by`, counted, never late or overdue under any
--   reading (members.sql): its unit and months are all the counts need, and Python adds them
--   up into `dossier_counts`;
-- or, every other dossier (late, pending, rescheduled — a few percent), its compact row, which
-- Python keeps in `dossiers_kept`: those the members, the II.2 check and the reschedulings'
-- join (on the ids as written) read one by one. A dossier whose id a rescheduling names is
-- always kept, so the reschedulings join to the kept dossiers only. (That test is on the 64-bit
-- hashes of the ids: a dossier whose hash equals a rescheduled id's is kept too, which changes
-- nothing but the work — a kept dossier counts as itself.) The id as written goes to Python only
-- for a kept dossier; the other columns are integers, cheaper to pass on than to blank.
-- Years are 1990–2100 (ledger_plausible), so each takes 7 bits of the key.
SELECT
    h,
    bad,
    excluded,
    resolved_at IS NULL AND NOT excluded AS pending,
    CASE WHEN on_time THEN
        ((CAST(uid AS BIGINT) * 128 + year(resolved_at) - 1980) * 16 + month(resolved_at)) * 128
        + year(due_at) - 1980
    END AS counted_key,
    NOT on_time AS kept,
    did,
    CASE WHEN NOT on_time THEN dossier_id END AS dossier_id,
    uid,
    received_at,
    due_at,
    resolved_at,
    excluded AS excluded_kept
FROM (
    SELECT
        d.*,
        NOT d.bad AND NOT d.excluded AND coalesce(d.resolved_at <= d.due_at, false)
            AND NOT coalesce(d.h IN (SELECT hash(dossier_id) FROM reschedules_typed WHERE dossier_id IS NOT NULL), false)
            AS on_time
    FROM (SELECT *, CASE WHEN dossier_id IS NOT NULL THEN hash(dossier_id) END AS h FROM dossiers) d
);
