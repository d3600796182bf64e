-- description: Cross-check of the rate method: for every LA and year with a published rate of children looked after at 31 March (SFR27/2010 LAA1 for 2006-2010, EES from 2018), the rate recomputed from the panel's count and 0-17 population, the difference, and whether it is within the publisher's rounding (rates are published as whole numbers, so |computed - published| <= 0.5). Rows without a count or a population are kept and say so, so coverage is visible; disagreements are listed, not dropped.
CREATE OR REPLACE TABLE analysis.cla_rate_crosscheck AS
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
    la_code, la_name, nation, year, published, computed,
    computed - published AS difference,
    abs(computed - published) <= 0.5 + 1e-9 AS within_rounding,
    CASE
        WHEN cla_count IS NULL THEN 'no_count'
        WHEN population_0_17 IS NULL THEN 'no_population'
        WHEN abs(computed - published) <= 0.5 + 1e-9 THEN 'agrees'
        ELSE 'disagrees'
    END AS outcome,
    cla_count, population_0_17, rate_release, count_release, population_release, rate_source_entry
FROM compared
ORDER BY year, la_code;

COMMENT ON TABLE analysis.cla_rate_crosscheck IS 'Published LA rates of children looked after at 31 March against rates recomputed from the panel''s counts and populations.';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.published IS 'Rate per 10,000 children aged 0-17 as published (latest release), a whole number.';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.computed IS 'cla_count / population_0_17 x 10,000 from the latest count and population; NULL when either is missing.';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.within_rounding IS 'TRUE when |computed - published| <= 0.5 (the published rate is rounded to a whole number); NULL when not computable.';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.outcome IS 'agrees, disagrees, no_count or no_population (no ONS population in the sources for that year, e.g. 2006-2009 and 2011-2012).';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.population_release IS 'Release of the population used: differences often come from populations re-based after Census 2021 or rounded (the 2010 SFR file rounds to 100).';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.la_code IS 'GSS code of the LA as the rate''s release published it.';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.la_name IS 'LA name as the rate''s release published it.';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.nation IS 'England or Wales.';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.year IS 'Year ending 31 March (children looked after at 31 March of that year).';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.difference IS 'computed - published; NULL when not computable.';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.cla_count IS 'Children looked after at 31 March (latest release with a number) used for computed; NULL when none.';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.population_0_17 IS 'Children aged 0-17 (ONS mid-year estimate filed under this year) used for computed; NULL when none.';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.rate_release IS 'Release of the published rate.';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.count_release IS 'Release of the count used.';
COMMENT ON COLUMN analysis.cla_rate_crosscheck.rate_source_entry IS 'Catalog entry of the file the published rate came from; join meta.provenance.';
