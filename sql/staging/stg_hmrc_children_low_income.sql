-- description: HMRC children in low income families local measure (PHE Fingertips indicator 10101): percentage of children under 16 in families on out-of-work benefits or on tax credits with income below 60% of median income, per unitary, metropolitan and London authority (geographic_level local_authority) and lower-tier district (geographic_level district; E07), 2006-2016 snapshots. The file has no shire counties: intermediate.int_hmrc_children_low_income_counties builds them from the districts.
-- feeds: intermediate.int_indicator_values where geographic_level = 'local_authority'
CREATE OR REPLACE TABLE staging.stg_hmrc_children_low_income AS
WITH panel_cells AS (
    SELECT
        CASE WHEN h.area_code LIKE 'E07%' THEN 'district' ELSE 'local_authority' END AS geographic_level,
        h.area_code,
        NULL::VARCHAR AS la_code_3,
        h.area_name,
        'E92000001' AS country_code,
        -- A snapshot at 31 August Y falls in the year ending 31 March Y + 1.
        CAST(h.time_period AS INTEGER) + 1 AS year,
        h.time_period || ' snapshot (31 August)' AS published_period,
        'children_low_income_hmrc_percent' AS indicator,
        h.value AS cell,
        'percent of children under 16' AS unit,
        h.source_entry,
        h.release,
        h.source_file,
        h.source_row
    FROM loaded.hmrc_children_low_income AS h
)
SELECT * FROM published_values(panel_cells);
