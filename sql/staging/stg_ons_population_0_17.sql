-- description: ONS mid-year estimates of children aged 0-17 (England, as republished by DfE). The mid-year date (30 June of time_period) falls in the year ending 31 March time_period + 1, which is the year DfE uses the estimate as its rate denominator, so year = time_period + 1.
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE staging.stg_ons_population_0_17 AS
WITH panel_cells AS (
    SELECT
        ees_level(p.geographic_level) AS geographic_level,
        ees_area_code(p.geographic_level, p.country_code, p.region_code, p.new_la_code) AS area_code,
        p.old_la_code AS la_code_3,
        coalesce(p.la_name, p.region_name, p.country_name) AS area_name,
        p.country_code,
        CAST(p.time_period AS INTEGER) + 1 AS year,
        'mid-' || p.time_period AS published_period,
        'population_0_17' AS indicator,
        p.population_estimate AS cell,
        'children aged 0-17' AS unit,
        p.source_entry,
        p.release,
        p.source_file,
        p.source_row
    FROM loaded.ons_population_0_17 AS p
)
SELECT * FROM published_values(panel_cells);
