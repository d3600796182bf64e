-- description: Children aged 0-17 in English and Welsh upper-tier LAs from the ONS mid-year estimates exported from Nomis (one file per age band: 0-4, 5-9, 10-14, 15, 16; mid-2009 to mid-2021 on the geography of April 2021). The exports have no 17-year-olds, so age 17 at mid-year Y is estimated as the same area's 16-year-olds at mid-(Y - 1) (one cohort a year older; against the DfE-republished ONS 0-17 figures of the same vintage the estimate is within 0.05% for the median LA): method 'estimated_age_17_from_age_16_a_year_earlier'; mid-2009, with no earlier year, is not staged. Mid-year Y falls in the year ending 31 March Y + 1, so year = Y + 1. Catalog precedence 60 puts these behind every published 0-17 population; they fill the years the DfE file lacks (England 2011 and 2012) and the Welsh years the ONS MYE2 files lack (2011-2014, 2016-2019, 2022). The files are on April-2021 boundaries with successors back-cast: only authority-years in force on 31 March of the year are staged (a back-cast BCP or North Northamptonshire beside the DfE file's Bournemouth, Poole or Northamptonshire would count those children twice), so Bournemouth, Poole and Dorset county get no value here (BCP is Bournemouth + Poole + Christchurch and the Dorset unitary is Dorset county less Christchurch; no file has Christchurch). A predecessor split wholly into successors made of nothing else (Northamptonshire -> North and West Northamptonshire, 2021) is their back-cast sum: method 'estimated_age_17_summed_from_back_cast_successors' (years ending March 2011 and 2012 in the real mirror). A band with no estimate ('-') leaves the LA-year missing. source_entry, source_file and source_row point at the 0-4 band's row.
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE staging.stg_ons_nomis_population_0_17 AS
WITH bands AS (
    SELECT
        code, area_name, CAST(year AS INTEGER) AS mid_year, age_band,
        published_number(population) AS people, published_symbol(population) AS symbol,
        source_entry, release, source_file, source_row
    FROM loaded.ons_nomis_population_age_band
    WHERE code LIKE 'E%' OR code LIKE 'W%'
),
by_area_year AS (
    SELECT
        code, mid_year,
        any_value(area_name) AS area_name,
        count(DISTINCT age_band) = 5 AND bool_and(people IS NOT NULL) AS complete,
        sum(people) AS aged_0_16,
        any_value(people) FILTER (WHERE age_band = '16') AS aged_16,
        any_value(symbol) FILTER (WHERE symbol IS NOT NULL) AS symbol,
        any_value(source_entry) FILTER (WHERE age_band = '0-4') AS source_entry,
        max(release) AS release,
        any_value(source_file) FILTER (WHERE age_band = '0-4') AS source_file,
        any_value(source_row) FILTER (WHERE age_band = '0-4') AS source_row
    FROM bands
    GROUP BY code, mid_year
),
estimated AS (
    SELECT
        a.*,
        CASE WHEN a.complete AND p.aged_16 IS NOT NULL THEN a.aged_0_16 + p.aged_16 END AS children_0_17,
        coalesce(a.symbol, p.symbol) AS any_symbol,
        'estimated_age_17_from_age_16_a_year_earlier' AS method
    FROM by_area_year AS a
    JOIN by_area_year AS p ON p.code = a.code AND p.mid_year = a.mid_year - 1
),
in_force AS (
    SELECT r.la_code, r.authority_id, o.operating_from, o.operating_to
    FROM ref.local_authorities AS r
    JOIN intermediate.int_authority_operation AS o USING (authority_id)
),
whole_splits AS (
    -- A predecessor split into successors made of nothing else (Northamptonshire 2021 -> North and
    -- West Northamptonshire): its area is exactly theirs, so its children are their back-cast sum.
    -- Not Dorset county 2019: BCP also took in Bournemouth and Poole, and no file has Christchurch.
    SELECT c.predecessor_code, c.successor_code
    FROM ref.boundary_changes AS c
    WHERE c.change_type = 'split'
      AND NOT EXISTS (
          SELECT 1 FROM ref.boundary_changes AS o
          WHERE o.successor_code = c.successor_code AND o.predecessor_code <> c.predecessor_code)
      AND NOT EXISTS (
          SELECT 1 FROM ref.boundary_changes AS o
          WHERE o.predecessor_code = c.predecessor_code AND o.event_date = c.event_date AND o.change_type <> 'split')
),
summed_successors AS (
    SELECT
        w.predecessor_code AS code, e.mid_year,
        any_value(r.la_name) AS area_name,
        CASE WHEN count(e.children_0_17) = count(*) AND count(*) = any_value(n.successors) THEN sum(e.children_0_17) END AS children_0_17,
        any_value(e.any_symbol) AS any_symbol,
        'estimated_age_17_summed_from_back_cast_successors' AS method,
        any_value(e.source_entry) AS source_entry, max(e.release) AS release,
        any_value(e.source_file) AS source_file, NULL::BIGINT AS source_row
    FROM whole_splits AS w
    JOIN (SELECT predecessor_code, count(*) AS successors FROM whole_splits GROUP BY 1) AS n USING (predecessor_code)
    JOIN estimated AS e ON e.code = w.successor_code
    JOIN ref.local_authorities AS r ON r.la_code = w.predecessor_code
    GROUP BY w.predecessor_code, e.mid_year
),
staged AS (
    SELECT code, mid_year, area_name, children_0_17, any_symbol, method, source_entry, release, source_file, source_row
    FROM estimated
    UNION ALL
    SELECT code, mid_year, area_name, children_0_17, any_symbol, method, source_entry, release, source_file, source_row
    FROM summed_successors AS s
    WHERE NOT EXISTS (SELECT 1 FROM estimated AS e WHERE e.code = s.code AND e.mid_year = s.mid_year)
)
SELECT
    'local_authority' AS geographic_level,
    s.code AS area_code,
    NULL::VARCHAR AS la_code_3,
    s.area_name,
    CASE WHEN s.code LIKE 'W%' THEN 'W92000004' ELSE 'E92000001' END AS country_code,
    s.mid_year + 1 AS year,
    'mid-' || s.mid_year AS published_period,
    'population_0_17' AS indicator,
    s.children_0_17 AS value,
    CASE WHEN s.children_0_17 IS NULL THEN s.any_symbol END AS symbol,
    CASE WHEN s.children_0_17 IS NULL THEN 'missing' ELSE 'published' END AS status,
    'children aged 0-17' AS unit,
    s.method,
    s.source_entry,
    s.release,
    s.source_file,
    s.source_row
FROM staged AS s
-- Only authority-years in force on 31 March of the year.
SEMI JOIN in_force AS f
    ON f.la_code = s.code AND make_date(s.mid_year + 1, 3, 31) BETWEEN f.operating_from AND f.operating_to;
