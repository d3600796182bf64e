-- description: Rates per 10,000 children aged 0-17 computed from counts and the 0-17 population where the publisher gives counts but no rate (e.g. Wales, and England before 2018 except LAA1's 2006-2010 rates at 31 March; the CIN 2025 release, which dropped its rate columns), and spend per child aged 0-17 from LA spend (Section 251, revenue outturn) and the population of the same year (financial year ending 31 March Y with the mid-(Y-1) estimate). Welsh counts in a year with no Welsh population (the real mirror has mid-2014, mid-2019 and mid-2020 only) are divided by the authority's population of the nearest year (the later one on a tie): method 'computed_with_nearest_year_population', population_year says which; otherwise method 'computed_from_count_and_population'. Never overrides a published rate.
-- depends_on: intermediate.int_indicator_values_latest
CREATE OR REPLACE TABLE intermediate.int_la_rates_computed AS
WITH rate_of(count_indicator, rate_indicator, per_children, unit) AS (
    VALUES
        ('cla_count', 'cla_rate_per_10k', 10000, 'per 10,000 children aged 0-17'),
        ('cla_starts_count', 'cla_starts_rate_per_10k', 10000, 'per 10,000 children aged 0-17'),
        ('cla_ceased_count', 'cla_ceased_rate_per_10k', 10000, 'per 10,000 children aged 0-17'),
        ('cin_count', 'cin_rate_per_10k', 10000, 'per 10,000 children aged 0-17'),
        ('cin_during_year_count', 'cin_during_year_rate_per_10k', 10000, 'per 10,000 children aged 0-17'),
        ('referrals_count', 'referrals_rate_per_10k', 10000, 'per 10,000 children aged 0-17'),
        ('assessments_count', 'assessments_rate_per_10k', 10000, 'per 10,000 children aged 0-17'),
        ('s47_enquiries_count', 's47_rate_per_10k', 10000, 'per 10,000 children aged 0-17'),
        ('icpc_count', 'icpc_rate_per_10k', 10000, 'per 10,000 children aged 0-17'),
        ('cpp_starts_count', 'cpp_starts_rate_per_10k', 10000, 'per 10,000 children aged 0-17'),
        ('cpp_ended_count', 'cpp_ended_rate_per_10k', 10000, 'per 10,000 children aged 0-17'),
        ('cpp_at_31_march_count', 'cpp_rate_per_10k', 10000, 'per 10,000 children aged 0-17'),
        ('s251_cyps_net_expenditure_gbp', 's251_cyps_net_expenditure_per_child_gbp', 1, '£ per child aged 0-17'),
        ('s251_cla_net_expenditure_gbp', 's251_cla_net_expenditure_per_child_gbp', 1, '£ per child aged 0-17'),
        ('ro_csc_net_expenditure_gbp', 'ro_csc_net_expenditure_per_child_gbp', 1, '£ per child aged 0-17')
),
counts AS (
    SELECT v.*, r.rate_indicator, r.per_children, r.unit AS rate_unit
    FROM intermediate.int_indicator_values_latest AS v
    JOIN rate_of AS r ON r.count_indicator = v.indicator
    WHERE v.geographic_level = 'local_authority' AND v.status <> 'not_applicable'
),
populations AS (
    SELECT authority_id, year, value AS population, release AS population_release
    FROM intermediate.int_indicator_values_latest
    WHERE geographic_level = 'local_authority' AND indicator = 'population_0_17' AND value > 0
),
nearest_population AS (
    -- Welsh authority-years without a population: the authority's population of the nearest year.
    SELECT c.authority_id, c.year, p.year AS population_year, p.population, p.population_release
    FROM (SELECT DISTINCT authority_id, year FROM counts WHERE nation = 'Wales') AS c
    JOIN populations AS p ON p.authority_id = c.authority_id
    QUALIFY row_number() OVER (PARTITION BY c.authority_id, c.year ORDER BY abs(p.year - c.year), p.year DESC) = 1
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
    c.value / coalesce(p.population, n.population) * c.per_children AS value,
    NULL::VARCHAR AS symbol,
    CASE WHEN c.value IS NULL THEN c.status WHEN coalesce(p.population, n.population) IS NULL THEN 'missing' ELSE 'published' END AS status,
    c.rate_unit AS unit,
    CASE WHEN p.population IS NULL AND n.population IS NOT NULL THEN 'computed_with_nearest_year_population'
         ELSE 'computed_from_count_and_population' END AS method,
    CASE WHEN p.population IS NOT NULL THEN c.year ELSE n.population_year END AS population_year,
    c.source_entry,
    c.release,
    c.source_file,
    c.source_row
FROM counts AS c
LEFT JOIN populations AS p USING (authority_id, year)
LEFT JOIN nearest_population AS n ON p.population IS NULL AND n.authority_id = c.authority_id AND n.year = c.year
ANTI JOIN published_rates AS pr
    ON pr.authority_id = c.authority_id AND pr.year = c.year AND pr.indicator = c.rate_indicator;
