-- What the ledger holds: dossiers, those left out by their status, and its span of years
-- (the last year is the last one a pending dossier is counted in, docs/ledger.md §2).
SELECT
    CAST(count(*) AS BIGINT) AS dossiers,
    CAST(count_if(excluded) AS BIGINT) AS excluded,
    CAST(count_if(resolved_at IS NULL AND NOT excluded) AS BIGINT) AS pending,
    min(year(received_at)) AS first_year,
    greatest(max(year(received_at)), max(year(resolved_at))) AS last_year
FROM dossiers;
