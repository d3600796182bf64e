-- Sources that republish a whole series with each release (LAIT refreshes, DWP Stat-Xplore tables)
-- give a series from one release: for each indicator, every row of the latest release that has it.
-- `source` is a table name, e.g. series_from_latest_release('staging.stg_lait').
CREATE OR REPLACE MACRO series_from_latest_release(source) AS TABLE
    WITH latest AS (
        SELECT indicator, max(release) AS release FROM query_table(source) GROUP BY indicator
    )
    SELECT s.* FROM query_table(source) AS s JOIN latest USING (indicator, release);
