-- description: StatsWales children looked after at 31 March, one row per Welsh LA and year (counts rounded to 5 by the publisher). LA names were resolved to codes against the LA reference when loaded.
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE staging.stg_statswales_cla_31mar AS
WITH panel_cells AS (
    SELECT
        'local_authority' AS geographic_level,
        w.la_code AS area_code,
        NULL::VARCHAR AS la_code_3,
        w.area AS area_name,
        'W92000004' AS country_code,
        CAST(w.period AS INTEGER) AS year,
        '31 March ' || w.period AS published_period,
        'cla_count' AS indicator,
        w.children_count AS cell,
        'children' AS unit,
        w.source_entry,
        w.release,
        w.source_file,
        w.source_row
    FROM loaded.statswales_cla_31mar AS w
)
SELECT * FROM published_values(panel_cells);
