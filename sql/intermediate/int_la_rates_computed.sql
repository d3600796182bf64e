-- description: Rates per 10,000 children aged 0-17 computed from counts and the 0-17 population where the publisher gives counts but no rate (e.g. Wales, and England before 2018 except LAA1's 2006-2010 rates at 31 March; the CIN 2025 release, which dropped its rate columns). Never overrides a published rate.
-- depends_on: intermediate.int_indicator_values_latest
CREATE OR REPLACE TABLE intermediate.int_la_rates_computed AS
WITH rate_of(count_indicator, rate_indicator) AS (
    VALUES
        ('cla_count', 'cla_rate_per_10k'),
        ('cla_starts_count', 'cla_starts_rate_per_10k'),
        ('cla_ceased_count', 'cla_ceased_rate_per_10k'),
        ('cin_count', 'cin_rate_per_10k'),
        ('cin_during_year_count', 'cin_during_year_rate_per_10k'),
        ('referrals_count', 'referrals_rate_per_10k'),
        ('assessments_count', 'assessments_rate_per_10k'),
        ('s47_enquiries_count', 's47_rate_per_10k'),
        ('icpc_count', 'icpc_rate_per_10k'),
        ('cpp_starts_count', 'cpp_starts_rate_per_10k'),
        ('cpp_ended_count', 'cpp_ended_rate_per_10k'),
        ('cpp_at_31_march_count', 'cpp_rate_per_10k')
),
counts AS (
    SELECT v.*, r.rate_indicator
    FROM intermediate.int_indicator_values_latest AS v
    JOIN rate_of AS r ON r.count_indicator = v.indicator
    WHERE v.geographic_level = 'local_authority' AND v.status <> 'not_applicable'
),
populations AS (
    SELECT authority_id, year, value AS population, release AS population_release
    FROM intermediate.int_indicator_values_latest
    WHERE geographic_level = 'local_authority' AND indicator = 'population_0_17' AND value > 0
),
published_rates AS (
    SELECT authority_id, year, indicator
    FROM intermediate.int_indicator_values_latest
    WHERE geographic_level = 'local_authority' AND status <> 'not_applicable'
)
SELECT
    c.geographic_level, c.area_code, c.la_code_3, c.area_name, c.country_code, c.nation, c.authority_id,
    c.year, c.published_period,
    c.rate_indicator AS indicator,
    c.value / p.population * 10000 AS value,
    NULL::VARCHAR AS symbol,
    CASE WHEN c.value IS NULL THEN c.status WHEN p.population IS NULL THEN 'missing' ELSE 'published' END AS status,
    'per 10,000 children aged 0-17' AS unit,
    c.source_entry,
    c.release,
    c.source_file,
    c.source_row
FROM counts AS c
LEFT JOIN populations AS p USING (authority_id, year)
ANTI JOIN published_rates AS pr
    ON pr.authority_id = c.authority_id AND pr.year = c.year AND pr.indicator = c.rate_indicator;
