-- description: Rates per 10,000 children aged 0-17 computed from counts and the 0-17 population (e.g. Wales, England before 2018 except LAA1's 2006-2010 rates at 31 March; the CIN 2025 release, which dropped its rate columns), and spend per child aged 0-17 from LA spend (Section 251, revenue outturn) and the population of the same year (financial year ending 31 March Y with the mid-(Y-1) estimate). Every count gets a rate on both bases of intermediate.int_population_denominators (rate_basis at_the_time: over the population vintage current then; latest_population: over the latest vintage), also where the publisher printed a rate (the latest_population variant is then the sensitivity comparison; which value the panel shows is decided in intermediate.int_la_values_as_published). Counts are the latest release's (counts are corrected, not re-based). Welsh counts in a year with no Welsh population (before mid-2010 in the real mirror) are divided by the authority's population of the nearest year on the same basis (the later one on a tie): method 'computed_with_nearest_year_population', population_year says which; otherwise method 'computed_from_count_and_population'. A rate that cannot be computed has value NULL and a method saying why, never a computing one: not_computed_count_suppressed (status suppressed, with the count's symbol), not_computed_count_missing, not_computed_no_population (status missing). population_vintage is the population's catalog entry.
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
    SELECT v.*, r.rate_indicator, r.per_children, r.unit AS rate_unit, b.rate_basis
    FROM intermediate.int_indicator_values_latest AS v
    JOIN rate_of AS r ON r.count_indicator = v.indicator
    CROSS JOIN (VALUES ('at_the_time'), ('latest_population')) AS b(rate_basis)
    WHERE v.geographic_level = 'local_authority' AND v.status <> 'not_applicable'
),
populations AS (
    SELECT rate_basis, authority_id, year, population, population_vintage
    FROM intermediate.int_population_denominators
),
nearest_population AS (
    -- Welsh authority-years without a population: the authority's population of the nearest year.
    SELECT c.rate_basis, c.authority_id, c.year, p.year AS population_year, p.population, p.population_vintage
    FROM (SELECT DISTINCT rate_basis, authority_id, year FROM counts WHERE nation = 'Wales') AS c
    JOIN populations AS p USING (rate_basis, authority_id)
    QUALIFY row_number() OVER (PARTITION BY c.rate_basis, c.authority_id, c.year ORDER BY abs(p.year - c.year), p.year DESC) = 1
)
SELECT
    c.geographic_level, c.area_code, c.la_code_3, c.area_name, c.country_code, c.nation, c.authority_id,
    c.year, c.published_period,
    c.rate_indicator AS indicator,
    c.rate_basis,
    c.value / coalesce(p.population, n.population) * c.per_children AS value,
    c.symbol,  -- a rate of a suppressed count is suppressed with the count's symbol
    CASE WHEN c.value IS NULL THEN c.status WHEN coalesce(p.population, n.population) IS NULL THEN 'missing' ELSE 'published' END AS status,
    c.rate_unit AS unit,
    CASE WHEN c.value IS NULL THEN 'not_computed_count_' || c.status
         WHEN coalesce(p.population, n.population) IS NULL THEN 'not_computed_no_population'
         WHEN p.population IS NULL THEN 'computed_with_nearest_year_population'
         ELSE 'computed_from_count_and_population' END AS method,
    CASE WHEN c.value IS NULL THEN NULL WHEN p.population IS NOT NULL THEN c.year ELSE n.population_year END AS population_year,
    CASE WHEN c.value IS NOT NULL THEN coalesce(p.population_vintage, n.population_vintage) END AS population_vintage,
    c.source_entry,
    c.release,
    c.source_file,
    c.source_row
FROM counts AS c
LEFT JOIN populations AS p USING (rate_basis, authority_id, year)
LEFT JOIN nearest_population AS n
    ON p.population IS NULL AND n.rate_basis = c.rate_basis AND n.authority_id = c.authority_id AND n.year = c.year;
