-- description: DfE children looked after before explore-education-statistics (2006-2017): counts at 31 March, starting and ceasing from the SFR underlying-data CSVs (2010-2017, one file per release and measure), and from the SFR27/2010 LA tables LAA1 / LAC1 / LAD1 (2006-2009 counts rounded to 5, and LAA1's published rates per 10,000 for 2006-2010), plus the 2010 file's mid-2009 child population. One row per area, year, indicator and file.
-- feeds: intermediate.int_indicator_values
--
-- Years: the contracts turn the year in each column name ("CLA_Mar2013", "numbers3 2008") into
-- the row's `year` (a mislabelled header is corrected in the contract: SFR34/2015's
-- "CLA_started2014" is 2015), which is the year ending 31 March. The population column
-- "Mid2009Pop0-17" is the ONS mid-2009 estimate, the denominator of the year ending 31 March 2010,
-- so its year is header year + 1, as for every population source. published_period keeps the
-- published column name.
CREATE OR REPLACE TABLE staging.stg_cla_sfr AS
WITH indicators(measure, unit, year_offset) AS (
    VALUES
        ('cla_count', 'children', 0),
        ('cla_starts_count', 'children', 0),
        ('cla_ceased_count', 'children', 0),
        ('cla_rate_per_10k', 'per 10,000 children aged 0-17', 0),
        ('population_0_17', 'children aged 0-17', 1)
),
csv_long AS (
    SELECT
        -- geog_l: National/NATIONAL, GOR/REGION, LA; the 2017 CLA file leaves the Isles of
        -- Scilly's level blank (an LA).
        CASE upper(geog_l) WHEN 'NATIONAL' THEN 'national' WHEN 'REGION' THEN 'regional' WHEN 'GOR' THEN 'regional'
            ELSE 'local_authority' END AS geographic_level,
        *
    FROM loaded.cla_sfr_underlying
    UNPIVOT INCLUDE NULLS ((cell, header) FOR measure IN (
        (cla_count, cla_count_header) AS cla_count,
        (cla_starts_count, cla_starts_count_header) AS cla_starts_count,
        (cla_ceased_count, cla_ceased_count_header) AS cla_ceased_count,
        (population_0_17, population_0_17_header) AS population_0_17
    ))
    WHERE header IS NOT NULL  -- the file has this measure (a blank cell stays, as 'missing')
),
regions(name_key, region_code) AS (
    -- Regions by name: the 2010 files have no GSS codes and letter codes differ between years
    -- (London is H in 2010, G from 2011), and from 2011 Inner and Outer London repeat London's
    -- E12000007; EES codes them E13000001 / E13000002.
    SELECT DISTINCT upper(region_name), region_code FROM ref.local_authorities WHERE region_code LIKE 'E12%'
    UNION ALL VALUES ('INNER LONDON', 'E13000001'), ('OUTER LONDON', 'E13000002')
),
xls_long AS (
    SELECT *
    FROM (
        SELECT * FROM loaded.cla_sfr27_2010_laa1
        UNION ALL BY NAME SELECT * FROM loaded.cla_sfr27_2010_lac1
        UNION ALL BY NAME SELECT * FROM loaded.cla_sfr27_2010_lad1
    )
    UNPIVOT INCLUDE NULLS ((cell, header) FOR measure IN (
        (cla_count, cla_count_header) AS cla_count,
        (cla_rate_per_10k, cla_rate_per_10k_header) AS cla_rate_per_10k,
        (cla_starts_count, cla_starts_count_header) AS cla_starts_count,
        (cla_ceased_count, cla_ceased_count_header) AS cla_ceased_count
    ))
    WHERE header IS NOT NULL
),
unioned AS (
    SELECT
        c.geographic_level,
        CASE c.geographic_level
            WHEN 'national' THEN 'E92000001'
            WHEN 'regional' THEN r.region_code
            -- GSS code as published (2011-2017; Gateshead and Northumberland keep their pre-2013
            -- codes throughout), else the code in force resolved from the 3-digit code (2010).
            ELSE coalesce(c.new_la_code, c.la_code)
        END AS area_code,
        CASE WHEN c.geographic_level = 'local_authority' THEN c.geog_c END AS la_code_3,
        trim(c.geog_n) AS area_name,
        c.year, c.measure, c.header, c.cell,
        NULL AS not_applicable_symbol,
        c.source_entry, c.release, c.source_file, c.source_row
    FROM csv_long AS c
    LEFT JOIN regions AS r ON c.geographic_level = 'regional' AND r.name_key = upper(trim(c.geog_n))
    UNION ALL
    SELECT
        -- LA names resolved to the code in force on 31 March of each year when loaded ("Durham"
        -- is E10000010 in 2006-2009); England and regions are skipped by the contracts.
        'local_authority', x.la_code, NULL, x.area, x.year, x.measure, x.header, x.cell,
        '.',  -- the tables' footnote: ". Not applicable" (an authority before or after its time)
        x.source_entry, x.release, x.source_file, x.source_row
    FROM xls_long AS x
)
SELECT
    u.geographic_level,
    u.area_code,
    u.la_code_3,
    u.area_name,
    'E92000001' AS country_code,
    CAST(u.year AS INTEGER) + i.year_offset AS year,
    u.header AS published_period,
    u.measure AS indicator,
    published_number(u.cell) AS value,
    published_symbol(u.cell) AS symbol,
    CASE WHEN trim(u.cell) = u.not_applicable_symbol THEN 'not_applicable'
         ELSE published_status(u.cell, s.status) END AS status,
    i.unit,
    u.source_entry,
    u.release,
    u.source_file,
    u.source_row
FROM unioned AS u
JOIN indicators AS i USING (measure)
LEFT JOIN ref.symbol_status AS s ON s.symbol = trim(u.cell);
