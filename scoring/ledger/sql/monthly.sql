-- Late dossiers of one unit, month by month, in one year (the notebook's chart). A dossier
-- pending and overdue at the year's end counts in December, the last month it was overdue in.
SELECT
    CAST(CASE WHEN pending THEN 12 ELSE month(judged_at) END AS INTEGER) AS month,
    CAST(sum(n) AS BIGINT) AS handled,
    CAST(sum(CASE WHEN late THEN n ELSE 0 END) AS BIGINT) AS late,
    CAST(sum(CASE WHEN pending THEN n ELSE 0 END) AS BIGINT) AS pending_overdue
FROM members
WHERE counted AND year = getvariable('year')
  AND uid = (SELECT uid FROM known_units WHERE unit_id = getvariable('unit'))
GROUP BY ALL
ORDER BY month;
