-- The year's counts per unit (the `unit_dossiers` table of SPEC §3, plus their parts):
-- handled = dossiers of the year (the denominator reading), late = those late; overdue = every
-- dossier of the year overdue (resolved late, or pending and past due at the year's end),
-- counted or not, for the II.2 check.
SELECT c.year, u.unit_id, c.* EXCLUDE (year, uid)
FROM (
    SELECT
        year,
        uid,
        CAST(count_if(counted) AS BIGINT) AS handled,
        CAST(count_if(counted AND late) AS BIGINT) AS late,
        CAST(count_if(NOT pending) AS BIGINT) AS resolved,
        CAST(count_if(NOT pending AND late) AS BIGINT) AS resolved_late,
        CAST(count_if(counted AND pending) AS BIGINT) AS pending_overdue,
        CAST(count_if(overdue) AS BIGINT) AS overdue
    FROM members
    GROUP BY year, uid
) c
JOIN known_units u USING (uid);
