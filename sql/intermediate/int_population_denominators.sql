-- description: The 0-17 population each LA rate is computed over, on two bases. Both take the source with the lowest catalog precedence that has a number (the DfE-republished ONS file before the CLA releases' denominators, a published 0-17 figure before the Nomis estimate); at_the_time then takes that source's earliest release, i.e. the estimate current when the year's figures were first published (e.g. the pre-Census-2021 estimates of the 2022 CIN release for 2013-2021), latest_population its latest release (the one int_indicator_values_latest keeps, e.g. the Census-2021-based 2025 vintage). Releases are compared within a source only: their labels differ between publishers ('2022', 'mid-2014', '2023-03-30'). population_vintage is the catalog entry the population came from (join meta.provenance); population_method is 'published' or how it was derived (e.g. estimated_age_17_from_age_16_a_year_earlier).
CREATE OR REPLACE TABLE intermediate.int_population_denominators AS
WITH vintages AS (
    SELECT authority_id, nation, year, value AS population, source_entry, release, coalesce(method, 'published') AS method, precedence
    FROM intermediate.int_indicator_values
    WHERE geographic_level = 'local_authority' AND indicator = 'population_0_17' AND status = 'published'
      AND value > 0 AND authority_id IS NOT NULL
)
SELECT 'at_the_time' AS rate_basis, authority_id, nation, year, population,
       source_entry AS population_vintage, release AS population_release, method AS population_method
FROM vintages
QUALIFY row_number() OVER (PARTITION BY authority_id, year ORDER BY precedence, release, source_entry) = 1
UNION ALL
SELECT 'latest_population', authority_id, nation, year, value,
       source_entry, release, coalesce(method, 'published')
FROM intermediate.int_indicator_values_latest
WHERE geographic_level = 'local_authority' AND indicator = 'population_0_17' AND value > 0 AND authority_id IS NOT NULL;
