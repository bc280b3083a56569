-- The rows the per-official counts group under attribution = 'step' (official_counts.sql's
-- `by_step`), one BIGINT per (member, attributed step), packed so that sorting the numbers
-- groups them:
--
--   (year - 1990) << year_shift | oid << oid_shift | did << 1 | late
--
-- `late` is this step's lateness exactly as official_counts.sql judges it. After a sort, the
-- rows of one (year, official, dossier) are neighbours and the last of them carries the
-- group's bool_or; the groups of one (year, official) are neighbours too. core.py sorts and
-- counts them in NumPy: the same counts as official_counts.sql, without its hash aggregate of
-- nearly every row apart (docs/ledger.md §6). The shifts are set by core.py from the number
-- of officials and the largest `did`, and only when everything fits in 63 bits; times are
-- plausible (1990–2100, macros.sql), so a year takes 7 bits. Otherwise official_counts.sql
-- runs as it is.
SELECT
    (CAST(m.year - 1990 AS BIGINT) << getvariable('year_shift'))
    | (CAST(s.oid AS BIGINT) << getvariable('oid_shift'))
    | (m.did << 1)
    | CAST(coalesce(ledger_after(least(coalesce(s.done_at, m.judged_at), m.judged_at), s.due_at), false) AS BIGINT)
        AS k
FROM members m
JOIN steps s USING (did)
WHERE m.counted AND s.oid IS NOT NULL
