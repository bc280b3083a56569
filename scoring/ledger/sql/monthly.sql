-- Late dossiers of one unit, month by month, in one year (the notebook's chart). A dossier
-- pending and overdue at the year's end counts in December, the last month it was overdue in.
SELECT
    CAST(CASE WHEN pending THEN 12 ELSE month(judged_at) END AS INTEGER) AS month,
    CAST(count(*) AS BIGINT) AS handled,
    CAST(count_if(late) AS BIGINT) AS late,
    CAST(count_if(pending) AS BIGINT) AS pending_overdue
FROM members
WHERE counted AND year = getvariable('year')
  AND uid = (SELECT uid FROM known_units WHERE unit_id = getvariable('unit'))
GROUP BY ALL
ORDER BY month;
