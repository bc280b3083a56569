-- The year's counts per official (the `official_dossiers` table of SPEC §3).
--
-- attribution = 'step' (default): an official handled a dossier of the year when they did a
-- step of it, and was late on it when one of their steps ended after that step's due time (a
-- step not done is judged at the dossier's `judged_at`: its resolution, or the year's end).
-- attribution = 'last_step': each dossier counts for the official of its last attributed step
-- (latest start, then due, then step number), late when the dossier is late.
-- Steps with no official count for no one. Counts are of distinct dossiers. Keys are integers
-- (did, oid: problems.sql); the officials' ids are joined back to the counts at the end.
WITH by_step AS (
    SELECT
        m.year, s.oid, m.did,
        bool_or(ledger_after(least(coalesce(s.done_at, m.judged_at), m.judged_at), s.due_at)) AS late
    FROM members m
    JOIN steps s USING (did)
    WHERE m.counted AND getvariable('attribution') = 'step' AND s.oid IS NOT NULL
    GROUP BY m.year, s.oid, m.did
),
by_last_step AS (
    SELECT
        m.year,
        arg_max(
            s.oid,
            struct_pack(
                t := coalesce(s.started_at, s.due_at), d := s.due_at,
                n := try_cast(s.step AS BIGINT), s := s.step
            )
        ) AS oid,
        m.did,
        any_value(m.late) AS late
    FROM members m
    JOIN steps s USING (did)
    WHERE m.counted AND getvariable('attribution') = 'last_step' AND s.oid IS NOT NULL
    GROUP BY m.year, m.did
)
SELECT c.year, o.official_id, c.handled, c.late
FROM (
    SELECT year, oid, CAST(count(*) AS BIGINT) AS handled, CAST(count_if(late) AS BIGINT) AS late
    FROM (SELECT * FROM by_step UNION ALL SELECT * FROM by_last_step)
    GROUP BY year, oid
) c
JOIN known_officials o USING (oid);
