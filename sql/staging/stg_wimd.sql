-- description: Welsh Index of Multiple Deprivation, LA summary computed from the LSOA ranks: the percentage of the LA's LSOAs in the most deprived 10% of LSOAs in Wales. The most deprived 10% are ranks 1 to ceil(N / 10) of the N LSOAs ranked (1 to 191 of 1,909 in WIMD 2019), the Welsh Government's decile 1. year = the edition year (2019), not a year ending 31 March. LA names were resolved to codes when loaded; source_row is NULL because each value summarises many rows.
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE staging.stg_wimd AS
WITH ranked AS (
    SELECT w.*, published_number(w.wimd_rank) AS overall_rank,
           ceil(count(*) OVER (PARTITION BY w.source_entry) / 10) AS most_deprived_10pct_cut
    FROM loaded.wimd_lsoa_ranks AS w
)
SELECT
    'local_authority' AS geographic_level,
    la_code AS area_code,
    NULL::VARCHAR AS la_code_3,
    any_value(la_name) AS area_name,
    'W92000004' AS country_code,
    CAST(period AS INTEGER) AS year,
    'WIMD ' || period AS published_period,
    'wimd_most_deprived_10pct_percent' AS indicator,
    100 * count(*) FILTER (WHERE overall_rank <= most_deprived_10pct_cut) / count(*) AS value,
    NULL::VARCHAR AS symbol,
    'published' AS status,
    'percent of LSOAs' AS unit,
    source_entry,
    release,
    any_value(source_file) AS source_file,
    NULL::BIGINT AS source_row
FROM ranked
GROUP BY la_code, period, source_entry, release;
