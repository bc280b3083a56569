-- The year's counts per unit (the `unit_dossiers` table of SPEC §3, plus their parts):
-- handled = dossiers of the year (the denominator reading), late = those late; overdue = every
-- dossier of the year overdue (resolved late, or pending and past due at the year's end),
-- counted or not, for the II.2 check. A member row stands for `n` dossiers (members.sql).
SELECT c.year, u.unit_id, c.* EXCLUDE (year, uid)
FROM (
    SELECT
        year,
        uid,
        CAST(sum(CASE WHEN counted THEN n ELSE 0 END) AS BIGINT) AS handled,
        CAST(sum(CASE WHEN counted AND late THEN n ELSE 0 END) AS BIGINT) AS late,
        CAST(sum(CASE WHEN NOT pending THEN n ELSE 0 END) AS BIGINT) AS resolved,
        CAST(sum(CASE WHEN NOT pending AND late THEN n ELSE 0 END) AS BIGINT) AS resolved_late,
        CAST(sum(CASE WHEN counted AND pending THEN n ELSE 0 END) AS BIGINT) AS pending_overdue,
        CAST(sum(CASE WHEN overdue THEN n ELSE 0 END) AS BIGINT) AS overdue
    FROM members
    GROUP BY year, uid
) c
JOIN known_units u USING (uid);
