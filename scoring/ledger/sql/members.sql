-- Which year each dossier counts in, and whether it is late there (docs/ledger.md §2).
--
-- Readings (SQL variables, set from the criteria's parameters):
--   year_by       'resolved': a resolved dossier counts in the year it was resolved;
--                 'due': in the year it was due (a dossier due on 21/12/2020 and resolved on
--                 01/01/2021 counts in 2021 under the first, in 2020 under the second).
--   with_pending  true: a dossier still pending at the end of a year and past its due then
--                 counts in that year too, as late (ledger_denominator =
--                 resolved_and_pending_overdue); `counted` says so. Such a dossier is a member
--                 of the year either way, since the II.2 check looks at every overdue dossier. Under year_by = 'resolved' it counts at the
--                 end of every year it stays pending and overdue, up to last_year; under
--                 'due', once, in its due year (a later resolution already counts it there).
--   granularity   'second': on time means resolved at or before the due instant, one second
--                 later is late; 'day': resolved on the due day, at any hour, is on time.
--   cure          false: a rescheduling never cures lateness (the new due date matters only to
--                 the II.2 check); true: a dossier rescheduled exactly once, with an apology,
--                 and resolved (or still pending at the year's end) by its new due is not late.
--   last_year     the last year a pending dossier is counted in (the ledger's last year).
--
-- `judged_at` is the instant lateness is judged at: the resolution, or the first instant after the
-- year for a dossier pending at its end. Every column depends on one dossier and its own
-- reschedulings only, so counts of disjoint sets of dossiers add up (docs/ledger.md §3).
-- Members carry integer keys only (did, uid); the reschedulings are joined to the overdue
-- members alone, and only under the reading `cure` (overdue.sql joins them for the II.2 check).
CREATE OR REPLACE TEMP VIEW reschedule_summary AS
SELECT
    did,
    count(*) AS reschedules,
    arg_min(new_due_at, rescheduled_at) AS first_new_due,
    bool_or(apology_ref IS NOT NULL) AS apology,
    string_agg(apology_ref, '; ' ORDER BY rescheduled_at) AS apology_refs
FROM reschedules
GROUP BY did;

-- Each branch reads the dossiers once: the resolved ones from `dossier_rows` (problems.sql),
-- those pending at a year's end from `open_dossiers` (open.sql), so that a ledger streamed from
-- its files is read once per query. A member row stands for `n` dossiers: 1, except the rows of
-- `dossier_counts` (a ledger counted in its checking pass, scan.sql), each the dossiers of one
-- unit resolved on time in one month and due in one year. Those are never overdue, at either
-- granularity, nor late under any reading, and carry no dossier: `judged_at` and
-- `resolved_at` are the first instant of their month (the monthly chart reads its month).
CREATE OR REPLACE TEMP VIEW members_all AS
WITH resolved AS (
    SELECT
        did, dossier_id, uid, received_at, due_at, resolved_at,
        CAST(CASE WHEN getvariable('year_by') = 'due' THEN year(due_at) ELSE year(resolved_at) END AS INTEGER)
            AS year,
        false AS pending,
        true AS counted,
        resolved_at AS judged_at,
        CAST(1 AS BIGINT) AS n
    FROM dossier_rows
    WHERE NOT excluded AND resolved_at IS NOT NULL
),
on_time AS (
    SELECT
        CAST(NULL AS BIGINT) AS did, CAST(NULL AS VARCHAR) AS dossier_id, uid,
        CAST(NULL AS TIMESTAMP) AS received_at, CAST(NULL AS TIMESTAMP) AS due_at,
        make_timestamp(resolved_year, resolved_month, 1, 0, 0, 0) AS resolved_at,
        CAST(CASE WHEN getvariable('year_by') = 'due' THEN due_year ELSE resolved_year END AS INTEGER) AS year,
        false AS pending,
        true AS counted,
        make_timestamp(resolved_year, resolved_month, 1, 0, 0, 0) AS judged_at,
        n
    FROM dossier_counts
),
pending AS (
    SELECT
        p.* EXCLUDE (y),
        CAST(p.y AS INTEGER) AS year,
        true AS pending,
        getvariable('with_pending') AS counted,
        make_timestamp(CAST(p.y AS BIGINT) + 1, 1, 1, 0, 0, 0) AS judged_at,
        CAST(1 AS BIGINT) AS n
    FROM (
        SELECT d.*, unnest(range(
            year(d.due_at),
            least(coalesce(year(d.resolved_at) - 1, getvariable('last_year')), getvariable('last_year')) + 1
        )) AS y
        FROM open_dossiers d
        WHERE getvariable('year_by') = 'resolved' OR d.resolved_at IS NULL
    ) p
    WHERE getvariable('year_by') = 'resolved' OR p.y = year(p.due_at)
),
judged AS (
    SELECT *, pending OR ledger_after(judged_at, due_at) AS overdue
    FROM (SELECT * FROM resolved UNION ALL SELECT * FROM pending)
    UNION ALL
    SELECT *, false AS overdue FROM on_time
),
promised AS (
    -- under `cure` only (otherwise empty): dossiers rescheduled exactly once, with an apology
    SELECT did, first_new_due
    FROM reschedule_summary
    WHERE getvariable('cure') AND reschedules = 1 AND apology
)
-- under `cure`, an overdue dossier that met the one new due it was given is not late
SELECT j.*, j.overdue AND NOT coalesce(NOT ledger_after(j.judged_at, p.first_new_due), false) AS late
FROM judged j
LEFT JOIN promised p ON p.did = j.did AND j.overdue;
