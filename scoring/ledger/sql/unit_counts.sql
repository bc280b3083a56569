-- The year's counts per unit (the `unit_dossiers` table of SPEC §3, plus their parts):
-- handled = dossiers of the year (the denominator reading), late = those late; overdue = every
-- dossier of the year overdue (resolved late, or pending and past due at the year's end),
-- counted or not, for the II.2 check.
SELECT
    year,
    unit_id,
    CAST(count_if(counted) AS BIGINT) AS handled,
    CAST(count_if(counted AND late) AS BIGINT) AS late,
    CAST(count_if(kind = 'resolved') AS BIGINT) AS resolved,
    CAST(count_if(kind = 'resolved' AND late) AS BIGINT) AS resolved_late,
    CAST(count_if(counted AND kind = 'pending_overdue') AS BIGINT) AS pending_overdue,
    CAST(count_if(overdue) AS BIGINT) AS overdue
FROM members
GROUP BY year, unit_id;
