-- description: One value per LA, year and indicator on the as-published geography, as the panel shows it. Counts and other non-rates: the latest release (int_indicator_values_latest; counts are corrected, not re-based). Rates and percentages (kind rate or percent, and every rate computed from counts): the value "at the time" (methods.md section 4, "Which rate"): the number the publisher printed for the year in the earliest release that has one (rate_basis published_at_the_time; a later release re-bases it on a later population vintage, e.g. after Census 2021), a symbol only when no release has a number; where no release printed the rate at all, the rate computed from the latest count over the population vintage current then (rate_basis computed_population_at_the_time, with its population_year and population_vintage, see int_la_rates_computed). The rate over the latest population is kept beside it in mart.la_rate_variants.
CREATE OR REPLACE TABLE intermediate.int_la_values_as_published AS
WITH rate_indicators AS (
    SELECT indicator FROM ref.indicators WHERE kind IN ('rate', 'percent')
    UNION
    SELECT DISTINCT indicator FROM intermediate.int_la_rates_computed
),
published_at_the_time AS (
    -- Equal precedence, then the earliest release: the rate of the year's own release.
    SELECT v.*
    FROM intermediate.int_indicator_values AS v
    SEMI JOIN rate_indicators USING (indicator)
    WHERE v.geographic_level = 'local_authority' AND v.status <> 'not_applicable'
    QUALIFY row_number() OVER (
        PARTITION BY coalesce(authority_id, area_code), year, indicator
        ORDER BY CASE status WHEN 'published' THEN 0 ELSE 1 END, precedence, release, source_entry
    ) = 1
)
SELECT v.* REPLACE (coalesce(v.method, 'published') AS method)
FROM intermediate.int_indicator_values_latest AS v
ANTI JOIN rate_indicators USING (indicator)
WHERE v.geographic_level = 'local_authority' AND v.status <> 'not_applicable'
UNION ALL BY NAME
SELECT
    p.* REPLACE (coalesce(p.method, 'published') AS method, coalesce(l.area_code, p.area_code) AS area_code,
                 coalesce(l.la_code_3, p.la_code_3) AS la_code_3),
    'published_at_the_time' AS rate_basis
FROM published_at_the_time AS p
-- Under the code the latest release uses for the authority, as its counts (a recoded authority
-- keeps one code per year on the as-published geography).
LEFT JOIN intermediate.int_indicator_values_latest AS l
    ON l.geographic_level = 'local_authority' AND l.authority_id = p.authority_id AND l.year = p.year AND l.indicator = p.indicator
UNION ALL BY NAME
SELECT c.* REPLACE ('computed_population_at_the_time' AS rate_basis)
FROM intermediate.int_la_rates_computed AS c
ANTI JOIN published_at_the_time AS p
    ON coalesce(p.authority_id, p.area_code) = coalesce(c.authority_id, c.area_code) AND p.year = c.year AND p.indicator = c.indicator
WHERE c.rate_basis = 'at_the_time';
