-- Late dossiers of one unit, month by month, in one year (the notebook's chart). A dossier
-- pending and overdue at the year's end counts in December, the last month it was overdue in.
SELECT
    CAST(CASE WHEN kind = 'resolved' THEN month(judged_at) ELSE 12 END AS INTEGER) AS month,
    CAST(count(*) AS BIGINT) AS handled,
    CAST(count_if(late) AS BIGINT) AS late,
    CAST(count_if(kind = 'pending_overdue') AS BIGINT) AS pending_overdue
FROM members
WHERE counted AND year = getvariable('year') AND unit_id = getvariable('unit')
GROUP BY ALL
ORDER BY month;
