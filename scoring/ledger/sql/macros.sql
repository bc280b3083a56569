-- Macros shared by the ledger's SQL files (docs/ledger.md §1).
--
-- Times are local time in Asia/Ho_Chi_Minh (UTC+7, no daylight saving since 1975). A time
-- written with a UTC offset ("2020-03-04T01:15:00Z", "…+09:00") is brought to local time; one
-- without is local already. A date with no time is the start of that day for every time,
-- except a due time, which is the end of its day (ledger_time(…, true)).

-- A dossier's integer key: its file and its row there.
CREATE OR REPLACE TEMP MACRO ledger_did(file_no, row_no) AS (CAST(file_no AS BIGINT) << 32) | row_no;

-- A cell as text: trimmed, NULL when blank. trim() copies every string, so it runs only on a cell
-- that has a space to remove (a third of the CPU of reading a province's steps otherwise).
CREATE OR REPLACE TEMP MACRO ledger_trimmed(s) AS CASE
    WHEN s = '' OR starts_with(s, ' ') OR ends_with(s, ' ') THEN nullif(trim(s), '')
    ELSE s
END;
CREATE OR REPLACE TEMP MACRO ledger_cell(s) AS ledger_trimmed(CAST(s AS VARCHAR));

-- A date written without a time: ISO "2020-12-21" or Vietnamese "21/12/2020".
CREATE OR REPLACE TEMP MACRO ledger_date_only(s) AS
    regexp_full_match(s, '\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}');

-- The UTC offset written after the clock time ("Z", "+07:00", "-0500"), '' when none.
CREATE OR REPLACE TEMP MACRO ledger_offset_text(s) AS
    regexp_extract(s, '\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})$', 1);

CREATE OR REPLACE TEMP MACRO ledger_offset_minutes(o) AS CASE
    WHEN o = '' THEN NULL
    WHEN o = 'Z' THEN 0
    ELSE (CASE WHEN o[1] = '-' THEN -1 ELSE 1 END)
        * (CAST(o[2:3] AS INTEGER) * 60 + CAST(o[-2:] AS INTEGER))
END;

-- The clock time as written, offset removed; NULL when no accepted form reads it.
CREATE OR REPLACE TEMP MACRO ledger_clock(s) AS try_strptime(
    regexp_replace(
        regexp_replace(s, '^(\d{4}-\d{1,2}-\d{1,2})T', '\1 '),
        '(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|[+-]\d{2}:?\d{2})$', '\1'
    ),
    ['%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d',
     '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y']
);

-- A plausible year for a one-stop record; anything else is a typing error.
-- (Compared with constant bounds: taking each time's year apart costs more than reading it.)
CREATE OR REPLACE TEMP MACRO ledger_plausible(t) AS
    CASE WHEN t >= TIMESTAMP '1990-01-01' AND t < TIMESTAMP '2101-01-01' THEN t END;

-- The end of a day given as a bare date, for due times.
CREATE OR REPLACE TEMP MACRO ledger_day_end(end_of_day) AS
    CASE WHEN end_of_day THEN INTERVAL 1 DAY - INTERVAL 1 MICROSECOND ELSE INTERVAL 0 SECOND END;

-- The slow path: "T" between date and time, a UTC offset, fractions of a second.
CREATE OR REPLACE TEMP MACRO ledger_time_slow(s, end_of_day) AS
    ledger_clock(s)
    + to_minutes(CAST(coalesce(420 - ledger_offset_minutes(ledger_offset_text(s)), 0) AS BIGINT))
    + CASE WHEN ledger_date_only(s) THEN ledger_day_end(end_of_day) ELSE INTERVAL 0 SECOND END;

-- Local time of a text cell; a date alone is the start of its day, or its end (due times).
-- ISO dates and times without an offset (what one-stop exports and `synth` write) are cast
-- directly; strptime and the offset arithmetic only read the other forms.
CREATE OR REPLACE TEMP MACRO ledger_time(s, end_of_day) AS ledger_plausible(CASE
    WHEN length(s) = 10 AND s[5] = '-'
        THEN CAST(try_cast(s AS DATE) AS TIMESTAMP) + ledger_day_end(end_of_day)
    WHEN length(s) BETWEEN 16 AND 26 AND s[5] = '-' AND s[11] IN (' ', 'T')
            AND NOT contains(s[12:], '+') AND NOT contains(s[12:], '-') AND s[-1:] <> 'Z'
        THEN try_cast(s AS TIMESTAMP)
    ELSE coalesce(
        try_strptime(s, ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M']),
        try_strptime(s, '%d/%m/%Y') + ledger_day_end(end_of_day),
        ledger_time_slow(s, end_of_day)
    )
END);

-- A TIMESTAMP WITH TIME ZONE (an instant) in local time, without the ICU extension.
CREATE OR REPLACE TEMP MACRO ledger_instant(t) AS
    ledger_plausible(make_timestamp(epoch_us(t) + CAST(25200000000 AS BIGINT)));

-- A DATE column: the start of the day, or its end for a due date.
CREATE OR REPLACE TEMP MACRO ledger_day(d, end_of_day) AS
    ledger_plausible(CAST(d AS TIMESTAMP) + ledger_day_end(end_of_day));

-- Online or not: true/false, 1/0, có/không, yes/no; NULL when blank; 'bad' marks the rest.
CREATE OR REPLACE TEMP MACRO ledger_flag(s) AS CASE
    WHEN s IS NULL THEN NULL
    WHEN lower(s) IN ('true', '1', 'yes', 'y', 'có', 'x', 'trực tuyến', 'online') THEN true
    WHEN lower(s) IN ('false', '0', 'no', 'n', 'không', 'trực tiếp', 'offline') THEN false
END;

-- "Late" at the reading's granularity: after the due second, or on a later day.
CREATE OR REPLACE TEMP MACRO ledger_after(t, due) AS CASE
    WHEN getvariable('granularity') = 'day' THEN CAST(t AS DATE) > CAST(due AS DATE)
    ELSE t > due
END;
