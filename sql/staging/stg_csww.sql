-- description: DfE children's social work workforce by area and year: social workers (FTE and headcount), starters, leavers, turnover, agency workers, vacancies, absence, cases and caseloads, from the EES files (2022 and 2025 releases) and the SFR underlying data (30 September 2015 and 2016), every vintage kept. Figures are at 30 September Y, which falls in the year ending 31 March Y + 1: year = Y + 1. Combined reporting units keep their combined code; where a file prints a unit's figures under its first member's code (2022 release and SFR 2016: Kingston upon Thames for Kingston / Richmond, North Northamptonshire for North / West Northamptonshire) while the other members have no number, the row is filed under the unit.
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE staging.stg_csww AS
WITH indicators(value_column, indicator, unit) AS (
    VALUES
        ('inpost_fte', 'sw_fte_count', 'FTE children''s social workers'),
        ('inpost_headcount', 'sw_count', 'children''s social workers (headcount)'),
        ('starters_fte', 'sw_starters_fte_count', 'FTE starters during the year'),
        ('leavers_fte', 'sw_leavers_fte_count', 'FTE leavers during the year'),
        ('turnover_rate_fte', 'sw_turnover_rate_percent', '% (FTE leavers / FTE social workers)'),
        ('agency_fte', 'sw_agency_fte_count', 'FTE agency social workers'),
        ('agency_rate_fte', 'sw_agency_rate_percent', '% (FTE agency / (FTE agency + FTE social workers))'),
        ('vacancy_fte', 'sw_vacancy_fte_count', 'FTE vacancies'),
        ('vacancy_rate_fte', 'sw_vacancy_rate_percent', '% (FTE vacancies / (FTE vacancies + FTE social workers))'),
        ('absence_rate_fte', 'sw_absence_rate_percent', '% of working days lost to sickness absence'),
        ('cases', 'sw_cases_count', 'cases held by case-holding social workers'),
        ('caseload_fte', 'sw_caseload_average', 'cases per FTE case-holding social worker'),
        ('cin_per_sw_fte', 'sw_cin_per_fte', 'children in need per FTE social worker')
),
ees AS (
    SELECT
        ees_level(geographic_level) AS geographic_level,
        ees_area_code(geographic_level, country_code, region_code, new_la_code) AS area_code,
        old_la_code AS la_code_3,
        coalesce(la_name, region_name, country_name) AS area_name,
        country_code,
        CAST(time_period AS INTEGER) AS at_30_september,
        inpost_fte, inpost_headcount, starters_fte, leavers_fte, turnover_rate_fte, agency_fte, agency_rate_fte,
        vacancy_fte, vacancy_rate_fte, absence_rate_fte, cases, caseload_fte, NULL::VARCHAR AS cin_per_sw_fte,
        source_entry, release, source_file, source_row
    FROM loaded.csww_ees
),
sfr AS (
    -- One row per area; the level follows from which codes are filled.
    SELECT
        CASE WHEN la_code IS NOT NULL THEN 'local_authority' WHEN region_code IS NOT NULL THEN 'regional' ELSE 'national' END,
        coalesce(la_code, region_code, country_code),
        la_code_3,
        coalesce(la_name, region_name, country_name),
        country_code,
        CAST(period AS INTEGER),
        inpost_fte, inpost_headcount, starters_fte, leavers_fte, turnover_rate_fte, agency_fte, agency_rate_fte,
        vacancy_fte, vacancy_rate_fte, absence_rate_fte, cases, caseload_fte, cin_per_sw_fte,
        source_entry, release, source_file, source_row
    FROM loaded.csww_sfr_underlying
),
long AS (
    SELECT *
    FROM (SELECT * FROM ees UNION ALL SELECT * FROM sfr)
    UNPIVOT INCLUDE NULLS (cell FOR value_column IN (
        inpost_fte, inpost_headcount, starters_fte, leavers_fte, turnover_rate_fte, agency_fte, agency_rate_fte,
        vacancy_fte, vacancy_rate_fte, absence_rate_fte, cases, caseload_fte, cin_per_sw_fte
    ))
),
tidy AS (
    SELECT
        long.*,
        i.indicator,
        i.unit,
        published_number(long.cell) AS value,
        published_symbol(long.cell) AS symbol,
        published_status(long.cell, s.status) AS status
    FROM long
    JOIN indicators AS i USING (value_column)
    LEFT JOIN ref.symbol_status AS s ON s.symbol = trim(long.cell)
    -- Columns a file does not have (caseloads before 2016, CIN per social worker after 2015) give no rows.
    QUALIFY count(long.cell) OVER (PARTITION BY long.source_entry, long.value_column) > 0
),
member_rows AS (
    SELECT t.source_entry, t.at_30_september, c.unit_code, t.area_code,
           t.area_code = split_part(c.unit_code, ' / ', 1) AS is_first_member,
           bool_or(t.status = 'published') AS publishes
    FROM tidy AS t
    JOIN ref.combined_units AS c ON c.member_code = t.area_code
    WHERE t.geographic_level = 'local_authority'
    GROUP BY ALL
),
filed_under_first_member AS (
    -- The unit's first member has numbers and no other member of the unit does (absent, z or .).
    SELECT source_entry, at_30_september, unit_code, split_part(unit_code, ' / ', 1) AS member_code
    FROM member_rows
    GROUP BY ALL
    HAVING bool_or(is_first_member AND publishes) AND bool_and(is_first_member OR NOT publishes)
),
units AS (
    SELECT DISTINCT unit_code, unit_code_3, unit_name FROM ref.combined_units
)
SELECT
    t.geographic_level,
    coalesce(f.unit_code, t.area_code) AS area_code,
    CASE WHEN f.unit_code IS NULL THEN t.la_code_3 ELSE u.unit_code_3 END AS la_code_3,
    CASE WHEN f.unit_code IS NULL THEN t.area_name ELSE u.unit_name END AS area_name,
    t.country_code,
    t.at_30_september + 1 AS year,
    '30 September ' || t.at_30_september AS published_period,
    t.indicator,
    t.value,
    t.symbol,
    t.status,
    t.unit,
    t.source_entry,
    t.release,
    t.source_file,
    t.source_row
FROM tidy AS t
LEFT JOIN filed_under_first_member AS f
    ON f.source_entry = t.source_entry AND f.at_30_september = t.at_30_september AND f.member_code = t.area_code
    AND t.geographic_level = 'local_authority'
LEFT JOIN units AS u ON u.unit_code = f.unit_code;
