-- description: Children looked after at 31 March by nation and region and year: summed LA counts and 0-17 populations, rate = summed count / summed population x 10,000 (never an average of rates), with the number of LAs used and the publisher's own national/regional rate alongside.
-- depends_on: mart.la_indicator_panel, intermediate.int_indicator_values_latest
CREATE OR REPLACE TABLE analysis.cla_trend_national_regional AS
WITH la AS (
    SELECT
        nation, region, year, la_code,
        max(value) FILTER (WHERE indicator = 'cla_count') AS cla_count,
        max(value) FILTER (WHERE indicator = 'population_0_17') AS population_0_17,
        bool_or(is_synthetic) AS is_synthetic
    FROM mart.la_indicator_panel
    WHERE geography = 'as_published' AND indicator IN ('cla_count', 'population_0_17')
    GROUP BY ALL
),
complete AS (
    SELECT * FROM la WHERE cla_count IS NOT NULL AND population_0_17 IS NOT NULL
),
areas AS (
    SELECT 'nation' AS area_level, nation AS area, nation, year,
           sum(cla_count) AS cla_count, sum(population_0_17) AS population_0_17,
           count(*) AS n_las, bool_or(is_synthetic) AS is_synthetic
    FROM complete GROUP BY ALL
    UNION ALL
    SELECT 'region', region, nation, year, sum(cla_count), sum(population_0_17), count(*), bool_or(is_synthetic)
    FROM complete WHERE nation = 'England' GROUP BY ALL
),
published AS (
    SELECT area_name AS area, year, value AS published_rate_per_10k
    FROM intermediate.int_indicator_values_latest
    WHERE indicator = 'cla_rate_per_10k' AND geographic_level IN ('national', 'regional')
)
SELECT
    a.area_level, a.area, a.nation, a.year, a.n_las,
    a.cla_count, a.population_0_17,
    a.cla_count / a.population_0_17 * 10000 AS cla_rate_per_10k,
    p.published_rate_per_10k,
    a.is_synthetic
FROM areas AS a
LEFT JOIN published AS p USING (area, year)
ORDER BY a.area_level, a.nation, a.area, a.year;

COMMENT ON TABLE analysis.cla_trend_national_regional IS 'CLA at 31 March per nation and English region and year, from summed LA counts and populations.';
COMMENT ON COLUMN analysis.cla_trend_national_regional.n_las IS 'LAs with both a count and a population that year (suppressed LAs are left out).';
COMMENT ON COLUMN analysis.cla_trend_national_regional.published_rate_per_10k IS 'The publisher''s own national/regional rate, for comparison (England only).';
COMMENT ON COLUMN analysis.cla_trend_national_regional.area_level IS 'nation (England or Wales) or region (English regions only).';
COMMENT ON COLUMN analysis.cla_trend_national_regional.area IS 'Name of the nation or English region.';
COMMENT ON COLUMN analysis.cla_trend_national_regional.nation IS 'England or Wales.';
COMMENT ON COLUMN analysis.cla_trend_national_regional.year IS 'Year ending 31 March (children looked after at 31 March of that year).';
COMMENT ON COLUMN analysis.cla_trend_national_regional.cla_count IS 'Sum of the n_las LAs'' counts of children looked after (as_published geography).';
COMMENT ON COLUMN analysis.cla_trend_national_regional.population_0_17 IS 'Sum of the same LAs'' populations aged 0-17.';
COMMENT ON COLUMN analysis.cla_trend_national_regional.cla_rate_per_10k IS 'cla_count / population_0_17 x 10,000: a rate of the summed counts, never an average of LA rates.';
COMMENT ON COLUMN analysis.cla_trend_national_regional.is_synthetic IS 'TRUE for the generated demo data set: not official statistics.';
