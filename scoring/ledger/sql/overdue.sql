-- The II.2 rescheduling check, one row per overdue dossier of a year (issue 13 §2): every
-- dossier resolved after its due, or pending and past due at the year's end, must have been
-- rescheduled once ("chỉ hẹn 01 lần"), with a written apology ("xin lỗi bằng văn bản"), and
-- the new due must have been met ("hẹn lại thời gian rõ ràng"). With two reschedulings or more,
-- the first new due is the promise checked (only one was allowed). Lateness itself is judged
-- on the original due, whatever the reading `cure` says.
SELECT
    year,
    unit_id,
    dossier_id,
    kind,
    received_at,
    due_at,
    resolved_at,
    reschedules,
    first_new_due,
    apology_refs,
    reschedules = 0 AS not_rescheduled,
    reschedules > 1 AS rescheduled_more_than_once,
    reschedules >= 1 AND NOT apology AS no_apology,
    reschedules >= 1 AND NOT new_due_met AS new_due_missed
FROM members
WHERE overdue AND year = getvariable('year');
