-- description: What changed between vintages: for every area, year and indicator published by more than one release, each release whose value or status differs from the previous release's (old and new value, status and release). The panel keeps the latest release with a number; this table shows what it replaced.
CREATE OR REPLACE TABLE mart.revision_log AS
WITH ordered AS (
    SELECT
        geographic_level, area_code, area_name, nation, authority_id, year, indicator,
        release, value, status, source_entry,
        lag(release) OVER w AS previous_release,
        lag(value) OVER w AS previous_value,
        lag(status) OVER w AS previous_status,
        lag(area_code) OVER w AS previous_area_code
    FROM intermediate.int_indicator_values
    -- Single-year files (period set) are not vintages of each other; only releases of the same
    -- family revise one another, so rows are compared within a family's entries.
    WINDOW w AS (
        PARTITION BY geographic_level, coalesce(authority_id, area_code), year, indicator,
                     regexp_replace(source_entry, '_[^_]+$', '')
        ORDER BY release
    )
)
SELECT
    geographic_level, area_code, area_name, nation, authority_id, year, indicator,
    previous_release AS old_release, previous_value AS old_value, previous_status AS old_status,
    release AS new_release, value AS new_value, status AS new_status,
    value - previous_value AS change,
    previous_area_code <> area_code AS recoded
FROM ordered
WHERE previous_release IS NOT NULL
  AND (value IS DISTINCT FROM previous_value OR status IS DISTINCT FROM previous_status)
ORDER BY indicator, year, area_code, new_release;

COMMENT ON TABLE mart.revision_log IS 'Values revised between releases (vintages) of the same source.';
COMMENT ON COLUMN mart.revision_log.change IS 'new_value - old_value (NULL when either is suppressed or missing).';
COMMENT ON COLUMN mart.revision_log.recoded IS 'TRUE when the newer release published the authority under a different code.';
COMMENT ON COLUMN mart.revision_log.geographic_level IS 'national, regional or local_authority.';
COMMENT ON COLUMN mart.revision_log.area_code IS 'GSS code of the area as the newer release published it.';
COMMENT ON COLUMN mart.revision_log.area_name IS 'Name of the area as the newer release published it.';
COMMENT ON COLUMN mart.revision_log.nation IS 'England or Wales.';
COMMENT ON COLUMN mart.revision_log.authority_id IS 'Stable id of the authority (see mart.la_reference); NULL for national and regional rows.';
COMMENT ON COLUMN mart.revision_log.year IS 'Year ending 31 March the value is for.';
COMMENT ON COLUMN mart.revision_log.indicator IS 'Indicator id (see mart.indicator_dictionary).';
COMMENT ON COLUMN mart.revision_log.old_release IS 'The earlier release of the same source that published this area, year and indicator.';
COMMENT ON COLUMN mart.revision_log.old_value IS 'Value in old_release; NULL when suppressed or missing there.';
COMMENT ON COLUMN mart.revision_log.old_status IS 'published, suppressed or missing in old_release.';
COMMENT ON COLUMN mart.revision_log.new_release IS 'The next release that published it with a different value or status.';
COMMENT ON COLUMN mart.revision_log.new_value IS 'Value in new_release; NULL when suppressed or missing there.';
COMMENT ON COLUMN mart.revision_log.new_status IS 'published, suppressed or missing in new_release.';
