-- The II.2 rescheduling check, one row per overdue dossier of a year (issue 13 §2): every
-- dossier resolved after its due, or pending and past due at the year's end, must have been
-- rescheduled once ("chỉ hẹn 01 lần"), with a written apology ("xin lỗi bằng văn bản"), and
-- the new due must have been met ("hẹn lại thời gian rõ ràng"). With two reschedulings or more,
-- the first new due is the promise checked (only one was allowed). Lateness itself is judged
-- on the original due, whatever the reading `cure` says.
WITH o AS (
    SELECT
        m.year, m.did, m.dossier_id, m.uid, m.pending, m.received_at, m.due_at, m.resolved_at, m.judged_at,
        coalesce(r.reschedules, 0) AS reschedules,
        r.first_new_due,
        coalesce(r.apology, false) AS apology,
        r.apology_refs
    FROM members m
    LEFT JOIN reschedule_summary r USING (did)
    WHERE m.overdue AND m.year = getvariable('year')
)
SELECT
    o.year,
    u.unit_id,
    o.dossier_id,
    CASE WHEN o.pending THEN 'pending_overdue' ELSE 'resolved' END AS kind,
    o.received_at,
    o.due_at,
    o.resolved_at,
    o.reschedules,
    o.first_new_due,
    o.apology_refs,
    o.reschedules = 0 AS not_rescheduled,
    o.reschedules > 1 AS rescheduled_more_than_once,
    o.reschedules >= 1 AND NOT o.apology AS no_apology,
    o.reschedules >= 1 AND NOT (o.first_new_due IS NOT NULL AND NOT ledger_after(o.judged_at, o.first_new_due))
        AS new_due_missed
FROM o
JOIN known_units u ON u.uid = o.uid;
