-- description: DWP children in low income families (Stat-Xplore exports): dependent children aged 0-19 in relative and in absolute low-income families before housing costs, per upper-tier LA in England and Wales and financial year, every release kept. Financial year 2020/21 -> year 2021 (the year ending 31 March 2021); '(p)' (provisional) stays in published_period. The exports publish no denominator, so there is no percentage here. Area names were resolved to codes when loaded.
CREATE OR REPLACE TABLE staging.stg_dwp_children_low_income AS
WITH panel_cells AS (
    SELECT
        'local_authority' AS geographic_level,
        d.la_code AS area_code,
        NULL::VARCHAR AS la_code_3,
        d.area AS area_name,
        CASE WHEN d.la_code LIKE 'W%' THEN 'W92000004' ELSE 'E92000001' END AS country_code,
        -- Financial year YYYY/YY ends on 31 March of the second year.
        CAST(left(d.year, 4) AS INTEGER) + 1 AS year,
        'Financial year ' || d.year AS published_period,
        CASE d.counting
            WHEN 'relative' THEN 'children_relative_low_income_count'
            WHEN 'absolute' THEN 'children_absolute_low_income_count'
        END AS indicator,
        d.count AS cell,
        'children' AS unit,
        d.source_entry,
        d.release,
        d.source_file,
        d.source_row
    FROM loaded.dwp_children_low_income AS d
)
SELECT * FROM published_values(panel_cells);
