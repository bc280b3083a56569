-- The year's counts per unit (the `unit_dossiers` table of SPEC §3, plus their parts):
-- handled = dossiers of the year (the denominator reading), late = those late.
SELECT
    year,
    unit_id,
    CAST(count(*) AS BIGINT) AS handled,
    CAST(count_if(late) AS BIGINT) AS late,
    CAST(count_if(kind = 'resolved') AS BIGINT) AS resolved,
    CAST(count_if(kind = 'resolved' AND late) AS BIGINT) AS resolved_late,
    CAST(count_if(kind = 'pending_overdue') AS BIGINT) AS pending_overdue,
    CAST(count_if(overdue) AS BIGINT) AS overdue
FROM members
GROUP BY year, unit_id;
