-- description: The HMRC children-in-low-income-families percentage for shire counties, which the Fingertips file publishes only for their lower-tier districts: aggregated from counts, never by averaging percentages (methods.md section 4). Each district's children in low-income families are estimated as its percentage of its children under 16 (the measure's population), the children under 16 being the ONS MYE2 estimate of the latest mid-year that has the district (mid-2014 in the real mirror, for every snapshot); the county's percentage is the summed estimates over the summed children. The district -> county lookup is the MYE2 file's own hierarchy (each district row follows its county's row, ONS's layout; the mid-2014 file's 201 districts are the Fingertips file's). A county-year needs every one of its districts (method 'aggregated_from_districts_by_children_under_16'); otherwise it is missing (value NULL, method 'not_aggregated_district_missing'); published_period names the weights' mid-year.
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE intermediate.int_hmrc_children_low_income_counties AS
WITH hierarchy AS (
    SELECT
        code, name, period, source_row,
        last_value(CASE WHEN code LIKE 'E10%' THEN code END IGNORE NULLS)
            OVER (PARTITION BY source_file ORDER BY source_row) AS county_code,
        last_value(CASE WHEN code LIKE 'E10%' THEN name END IGNORE NULLS)
            OVER (PARTITION BY source_file ORDER BY source_row) AS county_name,
        published_number("0") + published_number("1") + published_number("2") + published_number("3")
          + published_number("4") + published_number("5") + published_number("6") + published_number("7")
          + published_number("8") + published_number("9") + published_number("10") + published_number("11")
          + published_number("12") + published_number("13") + published_number("14") + published_number("15") AS children_under_16
    FROM loaded.wales_population_mye2
),
districts AS (
    -- The latest mid-year that has the district (and a county above it).
    SELECT code, county_code, county_name, period, children_under_16
    FROM hierarchy
    WHERE code LIKE 'E07%' AND county_code IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY code ORDER BY period DESC) = 1
),
district_values AS (
    SELECT * FROM staging.stg_hmrc_children_low_income WHERE geographic_level = 'district'
),
years AS (
    SELECT DISTINCT year, published_period, source_entry, release, source_file FROM district_values
),
per_county AS (
    SELECT
        d.county_code, any_value(d.county_name) AS county_name, y.year, y.published_period,
        y.source_entry, y.release, y.source_file, any_value(d.period) AS weights_period,
        count(*) AS districts,
        count(v.value) AS with_value,
        -- ordered: the same double in every run, whatever order the rows arrive in
        sum(v.value / 100 * d.children_under_16 ORDER BY d.code) AS low_income_children,
        sum(d.children_under_16 ORDER BY d.code) AS children_under_16
    FROM districts AS d
    CROSS JOIN years AS y
    LEFT JOIN district_values AS v ON v.area_code = d.code AND v.year = y.year AND v.source_entry = y.source_entry
    GROUP BY d.county_code, y.year, y.published_period, y.source_entry, y.release, y.source_file
)
SELECT
    'local_authority' AS geographic_level,
    county_code AS area_code,
    NULL::VARCHAR AS la_code_3,
    county_name AS area_name,
    'E92000001' AS country_code,
    year,
    published_period || ', districts weighted by children under 16 at mid-' || weights_period AS published_period,
    'children_low_income_hmrc_percent' AS indicator,
    CASE WHEN with_value = districts THEN 100 * low_income_children / children_under_16 END AS value,
    NULL::VARCHAR AS symbol,
    CASE WHEN with_value = districts THEN 'published' ELSE 'missing' END AS status,
    'percent of children under 16' AS unit,
    CASE WHEN with_value = districts THEN 'aggregated_from_districts_by_children_under_16'
         ELSE 'not_aggregated_district_missing' END AS method,
    source_entry,
    release,
    source_file,
    NULL::BIGINT AS source_row
FROM per_county;
