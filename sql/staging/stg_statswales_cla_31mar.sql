-- description: StatsWales children looked after at 31 March, one row per Welsh LA and year (counts rounded to 5 by the publisher). LA names were resolved to codes against the LA reference when loaded.
-- depends_on: loaded.statswales_cla_31mar, ref.symbol_status
CREATE OR REPLACE TABLE staging.stg_statswales_cla_31mar AS
SELECT
    'local_authority' AS geographic_level,
    w.la_code AS area_code,
    NULL::VARCHAR AS la_code_3,
    w.area AS area_name,
    'W92000004' AS country_code,
    CAST(w.period AS INTEGER) AS year,
    '31 March ' || w.period AS published_period,
    'cla_count' AS indicator,
    published_number(w.children_count) AS value,
    published_symbol(w.children_count) AS symbol,
    published_status(w.children_count, s.status) AS status,
    'children' AS unit,
    w.source_entry,
    w.release,
    w.source_file,
    w.source_row
FROM loaded.statswales_cla_31mar AS w
LEFT JOIN ref.symbol_status AS s ON s.symbol = trim(w.children_count);
