-- description: Every published value from every source and vintage in one long table, with the nation and, for LA rows, the authority the code belongs to.
-- depends_on: staging.stg_cla_number_and_rate, staging.stg_ons_population_0_17, staging.stg_ons_nomis_population_0_17, staging.stg_statswales_cla_31mar, staging.stg_wales_population_0_17, staging.stg_cla_sfr, staging.stg_csww, staging.stg_s251_outturn_lines, staging.stg_s251_ees, staging.stg_mhclg_revenue_outturn, staging.stg_cin, ref.local_authorities, ref.catalog_entries
-- depends_on: intermediate.int_lait_series, ref.indicators, intermediate.int_dwp_children_low_income_series, staging.stg_hmrc_children_low_income, intermediate.int_hmrc_children_low_income_counties
-- depends_on: staging.stg_mhclg_iod, staging.stg_wimd
CREATE OR REPLACE TABLE intermediate.int_indicator_values AS
WITH unioned AS (
    SELECT * FROM staging.stg_cla_number_and_rate
    UNION ALL BY NAME SELECT * FROM staging.stg_ons_population_0_17
    UNION ALL BY NAME SELECT * FROM staging.stg_ons_nomis_population_0_17
    UNION ALL BY NAME SELECT * FROM staging.stg_statswales_cla_31mar
    UNION ALL BY NAME SELECT * FROM staging.stg_wales_population_0_17
    UNION ALL BY NAME SELECT * FROM staging.stg_cla_sfr
    UNION ALL BY NAME SELECT * FROM staging.stg_csww
    UNION ALL BY NAME SELECT * FROM staging.stg_s251_outturn_lines
    UNION ALL BY NAME SELECT * FROM staging.stg_s251_ees
    UNION ALL BY NAME SELECT * FROM staging.stg_mhclg_revenue_outturn
    UNION ALL BY NAME SELECT * FROM staging.stg_cin
    -- LAIT and DWP republish whole series: one release per indicator (see those models). LAIT only
    -- for the indicators the panel exposes (reference/indicators/lait.csv); all are in mart.lait_long.
    UNION ALL BY NAME SELECT * FROM intermediate.int_lait_series WHERE indicator IN (SELECT indicator FROM ref.indicators)
    UNION ALL BY NAME SELECT * FROM intermediate.int_dwp_children_low_income_series
    UNION ALL BY NAME SELECT * FROM staging.stg_hmrc_children_low_income WHERE geographic_level = 'local_authority'
    UNION ALL BY NAME SELECT * FROM intermediate.int_hmrc_children_low_income_counties
    UNION ALL BY NAME SELECT * FROM staging.stg_mhclg_iod
    UNION ALL BY NAME SELECT * FROM staging.stg_wimd
),
code_owner AS (
    -- A GSS code belongs to one authority (recodes keep the authority, so both codes map to it).
    SELECT DISTINCT la_code, authority_id FROM ref.local_authorities
)
SELECT
    u.*,
    CASE u.country_code WHEN 'E92000001' THEN 'England' WHEN 'W92000004' THEN 'Wales' END AS nation,
    CASE WHEN u.geographic_level = 'local_authority' THEN o.authority_id END AS authority_id,
    c.precedence
FROM unioned AS u
-- Equality-only joins (hash joins); a level condition in ON would force a nested-loop join.
LEFT JOIN code_owner AS o ON o.la_code = u.area_code
LEFT JOIN ref.catalog_entries AS c ON c.entry_id = u.source_entry;
