-- description: The difference the population vintage makes to each LA rate: per geography, LA, year and indicator with a value on both bases of mart.la_rate_variants, the rate at the time, the rate over the latest population, their difference and each one's population vintage and year (methods.md section 4: report both and the difference).
CREATE OR REPLACE TABLE mart.rate_basis_differences AS
SELECT
    t.geography, t.la_code, t.authority_id, t.year, t.indicator,
    t.value AS value_at_the_time,
    l.value AS value_latest_population,
    l.value - t.value AS difference,
    p.rate_basis AS at_the_time_basis,
    t.population_vintage AS population_vintage_at_the_time,
    l.population_vintage AS population_vintage_latest,
    t.population_year AS population_year_at_the_time,
    l.population_year AS population_year_latest
FROM mart.la_rate_variants AS t
JOIN mart.la_rate_variants AS l USING (geography, la_code, year, indicator)
JOIN mart.la_indicator_panel AS p USING (geography, la_code, year, indicator)
WHERE t.rate_basis = 'at_the_time' AND l.rate_basis = 'latest_population'
  AND t.value IS NOT NULL AND l.value IS NOT NULL
ORDER BY geography, la_code, indicator, year;

COMMENT ON TABLE mart.rate_basis_differences IS 'LA rates at the time against the same rates over the latest population vintage: both values, their difference and both vintages.';
COMMENT ON COLUMN mart.rate_basis_differences.geography IS 'as_published or current.';
COMMENT ON COLUMN mart.rate_basis_differences.la_code IS 'GSS code as in mart.la_indicator_panel.';
COMMENT ON COLUMN mart.rate_basis_differences.authority_id IS 'The authority, as in mart.la_reference.';
COMMENT ON COLUMN mart.rate_basis_differences.year IS 'Year ending 31 March.';
COMMENT ON COLUMN mart.rate_basis_differences.indicator IS 'Rate indicator (per 10,000 children aged 0-17).';
COMMENT ON COLUMN mart.rate_basis_differences.value_at_the_time IS 'The panel''s rate (at the time).';
COMMENT ON COLUMN mart.rate_basis_differences.value_latest_population IS 'The latest count over the latest 0-17 population vintage.';
COMMENT ON COLUMN mart.rate_basis_differences.difference IS 'value_latest_population - value_at_the_time (per 10,000; positive when the latest population is smaller).';
COMMENT ON COLUMN mart.rate_basis_differences.at_the_time_basis IS 'The panel''s rate_basis of the at-the-time value (published_at_the_time or computed_population_at_the_time).';
COMMENT ON COLUMN mart.rate_basis_differences.population_vintage_at_the_time IS 'Catalog entry of the at-the-time population (NULL for a published rate: the publisher''s own).';
COMMENT ON COLUMN mart.rate_basis_differences.population_vintage_latest IS 'Catalog entry of the latest population.';
COMMENT ON COLUMN mart.rate_basis_differences.population_year_at_the_time IS 'Year of the at-the-time population (NULL for a published rate).';
COMMENT ON COLUMN mart.rate_basis_differences.population_year_latest IS 'Year of the latest population.';
