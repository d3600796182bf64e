-- description: DfE children in need (CIN) and child protection: referrals, re-referrals, assessments, section 47 enquiries, initial child protection conferences (ICPCs), CIN and child protection plans (CPPs), one row per area, year, indicator and release (every vintage kept). Sources: the EES "Characteristics of children in need" tables b1, c1, c2, c4, d1, d3, d5, d6 (releases 2022, 2024, 2025; 2025 published only b1, c1, c4, d3, d5 and no rates) and the CIN census SFR underlying data 2010-2017. Year = the year ending 31 March (EES time_period; the SFR file's year): flows are "during the year ending 31 March", stocks "at 31 March". Shares within timescale (assessments in 45 working days, ICPCs in 15, initial assessments in 10, core assessments in 35) are computed where no percentage is published: the published working-day bands up to the timescale over all cases of the year, as DfE computes them (checked against LAIT); a suppressed band leaves the share suppressed.
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE staging.stg_cin AS
WITH sfr AS (
    -- SFR rows in the EES shape: the year is the contract's year column (the file's, catalog period); LA rows keep the published
    -- GSS code (2013 on) or the code resolved from the 3-digit code when loaded (la_code, 2010-2012).
    -- The national row's new_la_code (E06000046 in 2014, 2015 and 2017) is ignored.
    SELECT
        year AS time_period,
        NULL AS time_identifier,
        CASE geog_l WHEN 'National' THEN 'National' ELSE 'Local authority' END AS geographic_level,
        'E92000001' AS country_code,
        'England' AS country_name,
        NULL AS region_code,
        NULL AS region_name,
        nullif(geog_c, '921') AS old_la_code,
        CASE WHEN geog_l = 'LA' THEN coalesce(new_la_code, la_code) END AS new_la_code,
        CASE WHEN geog_l = 'LA' THEN geog_n END AS la_name,
        -- the measures (the contract's year patterns), not the headers they were published under
        COLUMNS(lambda c: c NOT IN ('geog_l', 'geog_c', 'geog_n', 'new_la_code', 'la_code', 'year') AND NOT suffix(c, '_header'))
    FROM loaded.cin_sfr_underlying
),
published_cells AS (
    SELECT 'b1' AS source_table, * FROM ees_cells('loaded.cin_b1')
    UNION ALL BY NAME SELECT 'c1' AS source_table, * FROM ees_cells('loaded.cin_c1')
    UNION ALL BY NAME SELECT 'c2' AS source_table, * FROM ees_cells('loaded.cin_c2')
    UNION ALL BY NAME SELECT 'c4' AS source_table, * FROM ees_cells('loaded.cin_c4')
    UNION ALL BY NAME SELECT 'd1' AS source_table, * FROM ees_cells('loaded.cin_d1')
    UNION ALL BY NAME SELECT 'd3' AS source_table, * FROM ees_cells('loaded.cin_d3')
    UNION ALL BY NAME SELECT 'd5' AS source_table, * FROM ees_cells('loaded.cin_d5')
    UNION ALL BY NAME SELECT 'd6' AS source_table, * FROM ees_cells('loaded.cin_d6')
    UNION ALL BY NAME SELECT 'sfr' AS source_table, * FROM ees_cells('sfr')
),
-- Cases done within the timescale: the total of the working-day bands up to it.
band_totals(source_table, value_column, bands) AS (
    VALUES
        ('c2', 'within_45_days', ['same_day', 'days_1_10', 'days_11_20', 'days_21_30', 'days_31_40', 'days_41_45']),
        ('c4', 'within_15_days', ['duration_0_10_days', 'duration_11_15_days']),
        ('sfr', 'assessments_within_45_days', ['assessments_same_day', 'assessments_1_10_days', 'assessments_11_20_days',
                                               'assessments_21_30_days', 'assessments_31_40_days', 'assessments_41_45_days']),
        ('sfr', 'icpc_within_15_days', ['icpc_0_10_days', 'icpc_11_15_days']),
        ('sfr', 'ias_within_10wd', ['ias_same_day', 'ias_1_5_days', 'ias_6_10_days']),
        ('sfr', 'cas_within_35wd', ['cas_0_10_days', 'cas_11_20_days', 'cas_21_30_days', 'cas_31_35_days'])
),
totals AS (
    -- Only rows that published every band (the SFR files of other years have none of them).
    SELECT c.* EXCLUDE (value_column, cell), t.value_column, published_total(list(c.cell ORDER BY c.value_column)) AS cell
    FROM published_cells AS c
    JOIN (SELECT source_table, value_column, len(bands) AS n_bands, unnest(bands) AS band FROM band_totals) AS t
        ON t.source_table = c.source_table AND t.band = c.value_column
    GROUP BY ALL
    HAVING count(*) = any_value(t.n_bands)
),
-- Shares within the timescale: over all cases of the year, as DfE computes them (cases with no
-- recorded duration, outside every band, count as not within the timescale).
band_shares(source_table, value_column, numerator, denominator) AS (
    VALUES
        ('c2', 'within_45_days_percent', 'within_45_days', 'assessments_completed'),
        ('c4', 'within_15_days_percent', 'within_15_days', 'icpc_count'),
        ('sfr', 'assessments_within_45_days_percent', 'assessments_within_45_days', 'assessments'),
        ('sfr', 'icpc_within_15_days_percent', 'icpc_within_15_days', 'icpc'),
        ('sfr', 'ias_within_10wd_percent', 'ias_within_10wd', 'ias'),
        ('sfr', 'cas_within_35wd_percent', 'cas_within_35wd', 'cas')
),
shares AS (
    SELECT n.* EXCLUDE (value_column, cell), s.value_column, published_percent(n.cell, d.cell) AS cell
    FROM totals AS n
    JOIN band_shares AS s ON s.source_table = n.source_table AND s.numerator = n.value_column
    JOIN published_cells AS d
        ON d.source_entry = n.source_entry AND d.source_row = n.source_row AND d.value_column = s.denominator
),
cells AS (
    SELECT * FROM published_cells
    UNION ALL BY NAME SELECT * FROM totals
    UNION ALL BY NAME SELECT * FROM shares
),
-- (table, column) -> indicator. `fallback` columns are used only where the release has no main
-- table for the indicator: the 2025 release has no d1, so CPPs starting and at 31 March come from
-- d3 and d5 there (d5's own total at 31 March can differ from d1's, e.g. West Sussex 2013).
indicators(source_table, value_column, indicator, unit, fallback) AS (
    VALUES
        ('b1', 'at31_episodes', 'cin_count', 'children', false),
        ('b1', 'at31_episodes_rate', 'cin_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('b1', 'anypoint_child', 'cin_during_year_count', 'children', false),
        ('b1', 'anypoint_child_rate', 'cin_during_year_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('c1', 'referral_count', 'referrals_count', 'referrals', false),
        ('c1', 'referral_rate', 'referrals_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('c1', 'rereferral_count', 'rereferrals_count', 'referrals', false),
        ('c1', 'rereferral_percent', 'rereferrals_percent', 'percent of referrals', false),
        ('c1', 'no_further_action_count', 'referrals_nfa_count', 'referrals', false),
        ('c1', 'no_further_action_percent', 'referrals_nfa_percent', 'percent of referrals', false),
        ('c1', 'not_in_need_count', 'referrals_not_in_need_count', 'referrals', false),
        ('c1', 'not_in_need_percent', 'referrals_not_in_need_percent', 'percent of referrals', false),
        ('c2', 'assessments_completed', 'assessments_count', 'assessments', false),
        ('c2', 'assessments_completed_rate', 'assessments_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('c2', 'median_days', 'assessments_median_days', 'working days', false),
        ('c2', 'within_45_days', 'assessments_within_45_days_count', 'assessments', false),
        ('c2', 'within_45_days_percent', 'assessments_within_45_days_percent', 'percent of assessments', false),
        ('c4', 'section47_count', 's47_enquiries_count', 'enquiries', false),
        ('c4', 'section47_rate', 's47_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('c4', 'icpc_count', 'icpc_count', 'conferences', false),
        ('c4', 'icpc_rate', 'icpc_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('c4', 'within_15_days', 'icpc_within_15_days_count', 'conferences', false),
        ('c4', 'within_15_days_percent', 'icpc_within_15_days_percent', 'percent of conferences', false),
        ('d1', 'cpp_start', 'cpp_starts_count', 'plans', false),
        ('d1', 'cpp_start_rate', 'cpp_starts_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('d1', 'cpp_end', 'cpp_ended_count', 'plans', false),
        ('d1', 'cpp_end_rate', 'cpp_ended_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('d1', 'cpp_at31', 'cpp_at_31_march_count', 'children', false),
        ('d1', 'cpp_at31_rate', 'cpp_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('d3', 'cpp_start', 'cpp_starts_count', 'plans', true),
        ('d3', 'cpp_subsequent', 'cpp_second_or_subsequent_count', 'plans', false),
        ('d3', 'cpp_subsequent_percent', 'cpp_second_or_subsequent_percent', 'percent of plans starting', false),
        ('d5', 'cpp_at31', 'cpp_at_31_march_count', 'children', true),
        ('d5', 'years_2_or_more', 'cpp_2_years_or_more_count', 'children', false),
        ('d5', 'years_2_or_more_percent', 'cpp_2_years_or_more_percent', 'percent of children on a plan', false),
        ('d6', 'cpp_at31_3_months', 'cpp_at_31_march_3_months_or_more_count', 'children', false),
        ('d6', 'reviewed_within_timescales', 'cpp_reviewed_in_time_count', 'children', false),
        ('d6', 'reviewed_within_timescales_percent', 'cpp_reviewed_in_time_percent', 'percent of children on a plan for 3 months or more', false),
        ('sfr', 'cin_at31', 'cin_count', 'children', false),
        ('sfr', 'cin_at31_rate', 'cin_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('sfr', 'referrals', 'referrals_count', 'referrals', false),
        ('sfr', 'referrals_rate', 'referrals_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('sfr', 'rereferrals', 'rereferrals_count', 'referrals', false),
        ('sfr', 'rereferrals_percent', 'rereferrals_percent', 'percent of referrals', false),
        ('sfr', 'referrals_nfa', 'referrals_nfa_count', 'referrals', false),
        ('sfr', 'referrals_nfa_percent', 'referrals_nfa_percent', 'percent of referrals', false),
        ('sfr', 'referrals_not_in_need', 'referrals_not_in_need_count', 'referrals', false),
        ('sfr', 'referrals_not_in_need_percent', 'referrals_not_in_need_percent', 'percent of referrals', false),
        ('sfr', 'ias', 'initial_assessments_count', 'assessments', false),
        ('sfr', 'ias_within_10wd', 'initial_assessments_within_10_days_count', 'assessments', false),
        ('sfr', 'ias_within_10wd_percent', 'initial_assessments_within_10_days_percent', 'percent of initial assessments', false),
        ('sfr', 'cas', 'core_assessments_count', 'assessments', false),
        ('sfr', 'cas_within_35wd', 'core_assessments_within_35_days_count', 'assessments', false),
        ('sfr', 'cas_within_35wd_percent', 'core_assessments_within_35_days_percent', 'percent of core assessments', false),
        ('sfr', 'assessments', 'assessments_count', 'assessments', false),
        ('sfr', 'assessments_rate', 'assessments_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('sfr', 'assessments_median_days', 'assessments_median_days', 'working days', false),
        ('sfr', 'assessments_within_45_days', 'assessments_within_45_days_count', 'assessments', false),
        ('sfr', 'assessments_within_45_days_percent', 'assessments_within_45_days_percent', 'percent of assessments', false),
        ('sfr', 's47', 's47_enquiries_count', 'enquiries', false),
        ('sfr', 's47_rate', 's47_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('sfr', 'icpc', 'icpc_count', 'conferences', false),
        ('sfr', 'icpc_rate', 'icpc_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('sfr', 'icpc_within_15_days', 'icpc_within_15_days_count', 'conferences', false),
        ('sfr', 'icpc_within_15_days_percent', 'icpc_within_15_days_percent', 'percent of conferences', false),
        ('sfr', 'cpp_starts', 'cpp_starts_count', 'plans', false),
        ('sfr', 'cpp_starts_rate', 'cpp_starts_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('sfr', 'cpp_ceased', 'cpp_ended_count', 'plans', false),
        ('sfr', 'cpp_ceased_rate', 'cpp_ended_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('sfr', 'cpp_at31', 'cpp_at_31_march_count', 'children', false),
        ('sfr', 'cpp_at31_rate', 'cpp_rate_per_10k', 'per 10,000 children aged 0-17', false),
        ('sfr', 'cpp_second', 'cpp_second_or_subsequent_count', 'plans', false),
        ('sfr', 'cpp_second_percent', 'cpp_second_or_subsequent_percent', 'percent of plans starting', false),
        ('sfr', 'cpp_2_years', 'cpp_2_years_or_more_count', 'children', false),
        ('sfr', 'cpp_2_years_percent', 'cpp_2_years_or_more_percent', 'percent of children on a plan', false),
        ('sfr', 'cpp_at31_3_months', 'cpp_at_31_march_3_months_or_more_count', 'children', false),
        ('sfr', 'cpp_reviewed', 'cpp_reviewed_in_time_count', 'children', false),
        ('sfr', 'cpp_reviewed_percent', 'cpp_reviewed_in_time_percent', 'percent of children on a plan for 3 months or more', false)
),
panel_cells AS (
    SELECT
        ees_level(c.geographic_level) AS geographic_level,
        ees_area_code(c.geographic_level, c.country_code, c.region_code, c.new_la_code) AS area_code,
        c.old_la_code AS la_code_3,
        coalesce(c.la_name, c.region_name, c.country_name) AS area_name,
        c.country_code,
        CAST(c.time_period AS INTEGER) AS year,
        -- EES: "Reporting year 2024"; SFR files label years in their column names ("1213"): "2012-13".
        coalesce(
            c.time_identifier || ' ' || c.time_period,
            CAST(CAST(c.time_period AS INTEGER) - 1 AS VARCHAR) || '-' || right(c.time_period, 2)
        ) AS published_period,
        i.indicator,
        c.cell AS cell,
        i.unit,
        c.source_entry,
        c.release,
        c.source_file,
        c.source_row
    FROM cells AS c
    JOIN indicators AS i USING (source_table, value_column)
    -- One row per release, area, year and indicator: a fallback column only where the main table is
    -- absent (areas by 3-digit code, as one release can code an authority differently in two tables:
    -- Buckinghamshire E06000060 in d1 but E10000002 in d3 for 2013-2020 in the 2022 release).
    QUALIFY row_number() OVER (
        PARTITION BY c.release, c.geographic_level, c.region_code, coalesce(c.old_la_code, c.new_la_code),
                     c.time_period, i.indicator
        ORDER BY i.fallback
    ) = 1
)
SELECT * FROM published_values(panel_cells);
