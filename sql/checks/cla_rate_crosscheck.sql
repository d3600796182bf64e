-- Cross-check (a WARN asset check on mart.la_indicator_panel, csc_pipeline/cross_checks.py), not a table.
-- For every LA and year with a published rate of children looked after at 31 March (SFR27/2010 LAA1
-- for 2006-2010, EES from 2018): the rate recomputed from the count and the 0-17 population, the
-- difference, and whether it is within the publisher's rounding (whole numbers: |computed - published|
-- <= 0.5). Rows without a count or a population are kept and say so (outcome), so coverage is visible.
-- outcome: agrees, disagrees, no_count or no_population (no ONS population in the sources for that year,
-- e.g. 2006-2009 and 2011-2012); population_release: differences often come from populations re-based
-- after Census 2021 or rounded (the 2010 SFR file rounds to 100).
WITH latest AS (
    SELECT *
    FROM intermediate.int_indicator_values_latest
    WHERE geographic_level = 'local_authority' AND status = 'published'
      AND indicator IN ('cla_rate_per_10k', 'cla_count', 'population_0_17')
),
published AS (SELECT * FROM latest WHERE indicator = 'cla_rate_per_10k'),
counts AS (SELECT * FROM latest WHERE indicator = 'cla_count'),
populations AS (SELECT * FROM latest WHERE indicator = 'population_0_17' AND value > 0),
compared AS (
    SELECT
        p.area_code AS la_code,
        p.area_name AS la_name,
        p.nation,
        p.year,
        p.value AS published,
        c.value / pop.value * 10000 AS computed,
        c.value AS cla_count,
        pop.value AS population_0_17,
        p.release AS rate_release,
        c.release AS count_release,
        pop.release AS population_release,
        p.source_entry AS rate_source_entry
    FROM published AS p
    LEFT JOIN counts AS c ON c.authority_id = p.authority_id AND c.year = p.year
    LEFT JOIN populations AS pop ON pop.authority_id = p.authority_id AND pop.year = p.year
)
SELECT
    'cla_rate_per_10k' AS indicator, la_code, la_name, nation, year, published, computed,
    computed - published AS difference,
    -- the published rate is rounded to a whole number; NULL when not computable
    abs(computed - published) <= 0.5 + 1e-9 AS agrees,
    CASE
        WHEN cla_count IS NULL THEN 'no_count'
        WHEN population_0_17 IS NULL THEN 'no_population'
        WHEN abs(computed - published) <= 0.5 + 1e-9 THEN 'agrees'
        ELSE 'disagrees'
    END AS outcome,
    cla_count, population_0_17, rate_release, count_release, population_release, rate_source_entry
FROM compared
ORDER BY year, la_code
