-- description: DfE EES children looked after (at 31 March, starting, ceasing): counts and published rates per 10,000 children, one row per area, year, indicator and release (every vintage kept).
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE staging.stg_cla_number_and_rate AS
WITH indicators(measure, value_column, indicator, unit) AS (
    VALUES
        ('cla_at_31_march', 'children_count', 'cla_count', 'children'),
        ('cla_at_31_march', 'rate_per_10000', 'cla_rate_per_10k', 'per 10,000 children aged 0-17'),
        ('cla_starting', 'children_count', 'cla_starts_count', 'children'),
        ('cla_starting', 'rate_per_10000', 'cla_starts_rate_per_10k', 'per 10,000 children aged 0-17'),
        ('cla_ceasing', 'children_count', 'cla_ceased_count', 'children'),
        ('cla_ceasing', 'rate_per_10000', 'cla_ceased_rate_per_10k', 'per 10,000 children aged 0-17'),
        -- the denominator DfE used (ONS mid-year Y-1 for year Y), once per area-year
        ('cla_at_31_march', 'population_estimate', 'population_0_17', 'children aged 0-17')
),
long AS (
    SELECT *
    FROM loaded.cla_number_and_rate
    UNPIVOT INCLUDE NULLS (cell FOR value_column IN (children_count, rate_per_10000, population_estimate))
),
panel_cells AS (
    SELECT
        ees_level(long.geographic_level) AS geographic_level,
        ees_area_code(long.geographic_level, long.country_code, long.region_code, long.new_la_code) AS area_code,
        long.old_la_code AS la_code_3,
        coalesce(long.la_name, long.region_name, long.country_name) AS area_name,
        long.country_code,
        CAST(long.time_period AS INTEGER) AS year,
        long.time_identifier || ' ' || long.time_period AS published_period,
        i.indicator,
        long.cell AS cell,
        i.unit,
        long.source_entry,
        long.release,
        long.source_file,
        long.source_row
    FROM long
    JOIN indicators AS i USING (measure, value_column)
)
SELECT * FROM published_values(panel_cells);
