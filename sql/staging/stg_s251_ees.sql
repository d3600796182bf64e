-- description: DfE EES "LA and school expenditure" (Section 251), £: gross spend on children's and young people's services by area 2014-15 to 2019-20 (highlights summary, published in £ million), and for England 2015-16 to 2021-22 gross and net spend and net spend per child aged 0-17 on children's and young people's services (excluding CERA), children looked after and family support (national file; lines mapped in csc_pipeline/reference/s251_outturn_lines.csv). Financial year 2019-20 (time_period 201920) ends 31 March 2020: year = 2020.
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE staging.stg_s251_ees AS
WITH national_indicators(concept, value_column, indicator, per) AS (
    VALUES
        ('cyps_total_excl_cera', 'total_expenditure', 's251_cyps_gross_expenditure_gbp', 1e6),
        ('cyps_total_excl_cera', 'net_current_expenditure', 's251_cyps_net_expenditure_gbp', 1e6),
        ('cyps_total_excl_cera', 'per_capita_net_current_spend', 's251_cyps_net_expenditure_per_child_gbp', 1),
        ('cla_total', 'total_expenditure', 's251_cla_gross_expenditure_gbp', 1e6),
        ('cla_total', 'net_current_expenditure', 's251_cla_net_expenditure_gbp', 1e6),
        ('cla_total', 'per_capita_net_current_spend', 's251_cla_net_expenditure_per_child_gbp', 1),
        ('family_support_total', 'total_expenditure', 's251_family_support_gross_expenditure_gbp', 1e6),
        ('family_support_total', 'net_current_expenditure', 's251_family_support_net_expenditure_gbp', 1e6)
),
cells AS (
    SELECT
        ees_level(h.geographic_level) AS geographic_level,
        ees_area_code(h.geographic_level, h.country_code, h.region_code, h.new_la_code) AS area_code,
        h.old_la_code AS la_code_3,
        coalesce(h.la_name, h.region_name, h.country_name) AS area_name,
        h.country_code, h.time_period, h.time_identifier,
        's251_cyps_gross_expenditure_gbp' AS indicator, 1e6 AS per, h.cyps_spend AS cell,
        h.source_entry, h.release, h.source_file, h.source_row
    FROM loaded.s251_ees_highlights AS h
    UNION ALL
    SELECT
        'national', n.country_code, NULL, n.country_name, n.country_code, n.time_period, n.time_identifier,
        i.indicator, i.per, n.cell,
        n.source_entry, n.release, n.source_file, n.source_row
    FROM (
        SELECT * FROM loaded.s251_ees_national
        UNPIVOT INCLUDE NULLS (cell FOR value_column IN (total_expenditure, net_current_expenditure, per_capita_net_current_spend))
    ) AS n
    JOIN ref.s251_outturn_lines AS m
        ON m.scheme = 'ees_description' AND m.line = split_part(trim(n.description_of_expenditure), ' ', 1)
    JOIN national_indicators AS i ON i.concept = m.concept AND i.value_column = n.value_column
)
SELECT
    c.geographic_level,
    c.area_code,
    c.la_code_3,
    c.area_name,
    c.country_code,
    CAST(left(c.time_period, 4) AS INTEGER) + 1 AS year,
    c.time_identifier || ' ' || left(c.time_period, 4) || '-' || right(c.time_period, 2) AS published_period,
    c.indicator,
    -- £ million -> £ (rounded to the penny: the published figures have at most six decimals).
    round(published_number(c.cell) * c.per, 2) AS value,
    published_symbol(c.cell) AS symbol,
    published_status(c.cell, s.status) AS status,
    CASE WHEN c.per = 1 THEN '£ per child aged 0-17' ELSE '£' END AS unit,
    c.source_entry,
    c.release,
    c.source_file,
    c.source_row
FROM cells AS c
LEFT JOIN ref.symbol_status AS s ON s.symbol = trim(c.cell);
