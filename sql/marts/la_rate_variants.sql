-- description: Every LA rate per 10,000 children aged 0-17 on two bases (methods.md section 4, "Which rate"), long: rate_basis at_the_time is the panel's value (the rate published for the year, or the count over the population vintage current then); latest_population is the latest count over the latest 0-17 population vintage (e.g. after the Census-2021 re-basing), the sensitivity variant. Both geographies; on current boundaries both are recomputed from harmonised counts and populations of their basis where an authority changed. Only panel LA-years appear (the same applicability rules).
CREATE OR REPLACE TABLE mart.la_rate_variants AS
WITH rates AS (
    SELECT indicator FROM ref.indicators
    WHERE kind = 'rate' AND numerator IS NOT NULL AND denominator = 'population_0_17'
),
at_the_time AS (
    SELECT p.geography, p.la_code, p.authority_id, p.year, p.indicator, 'at_the_time' AS rate_basis, p.value,
           p.population_year, p.population_vintage, p.method
    FROM mart.la_indicator_panel AS p
    SEMI JOIN rates USING (indicator)
),
latest AS (
    SELECT 'as_published' AS geography, authority_id, year, indicator, value, population_year, population_vintage, method
    FROM intermediate.int_la_rates_computed
    WHERE rate_basis = 'latest_population'
    UNION ALL
    SELECT 'current', authority_id, year, indicator, value, population_year, population_vintage, method
    FROM intermediate.int_la_values_current
    WHERE variant = 'latest_population'
)
SELECT * FROM at_the_time
UNION ALL
SELECT t.geography, t.la_code, t.authority_id, t.year, t.indicator, 'latest_population', l.value,
       l.population_year, l.population_vintage, l.method
FROM at_the_time AS t
JOIN latest AS l USING (geography, authority_id, year, indicator)
ORDER BY geography, la_code, indicator, year, rate_basis;

COMMENT ON TABLE mart.la_rate_variants IS 'LA rates per 10,000 children aged 0-17 on two bases: at_the_time (the panel''s value) and latest_population (latest count over the latest population vintage, the sensitivity variant); one row per geography, LA, year, indicator and basis.';
COMMENT ON COLUMN mart.la_rate_variants.geography IS 'as_published or current, as in mart.la_indicator_panel.';
COMMENT ON COLUMN mart.la_rate_variants.la_code IS 'GSS code as in mart.la_indicator_panel.';
COMMENT ON COLUMN mart.la_rate_variants.authority_id IS 'The authority (stable across recodes), as in mart.la_reference.';
COMMENT ON COLUMN mart.la_rate_variants.year IS 'Year ending 31 March.';
COMMENT ON COLUMN mart.la_rate_variants.indicator IS 'A rate indicator with a count numerator and the 0-17 population as denominator (mart.indicator_dictionary).';
COMMENT ON COLUMN mart.la_rate_variants.rate_basis IS 'at_the_time: the panel''s value (published at the time, or computed over the population vintage current then; see the panel''s rate_basis); latest_population: the latest count over the latest 0-17 population vintage.';
COMMENT ON COLUMN mart.la_rate_variants.value IS 'The rate per 10,000 children aged 0-17; NULL when suppressed, missing or not harmonisable (the method says why).';
COMMENT ON COLUMN mart.la_rate_variants.population_year IS 'The year whose population was the denominator (differs from year only for a Welsh year with no population, method computed_with_nearest_year_population); NULL for a published rate.';
COMMENT ON COLUMN mart.la_rate_variants.population_vintage IS 'Catalog entry (source and release) of the population used, comma-separated when harmonised from several; NULL for a published rate (the publisher''s own population of the time).';
COMMENT ON COLUMN mart.la_rate_variants.method IS 'published, computed_from_count_and_population, computed_with_nearest_year_population or recomputed_from_harmonised_counts, as the panel''s method; for a NULL value why there is none (not_computed_* or not_harmonisable_*, see the panel''s method).';
