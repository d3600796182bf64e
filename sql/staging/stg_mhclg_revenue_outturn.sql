-- description: MHCLG revenue outturn (RO3 2008-09 to 2024-25, no 2021-22; RSX 2022-23 to 2024-25) by LA, £: net current expenditure on children's social care and on children looked after. RO3 publishes £ thousand (multiplied by 1,000 here). From 2011-12 children's social care is RO3's TOTAL CHILDREN SOCIAL CARE (RSX's children social care line is the same figure, a second source with lower precedence); 2008-09 to 2010-11 have no such total, and it is the sum of the three children's services RO3 then had (social care strategy, asylum seekers, other children and families services), published only when all three are numbers. Children looked after is a separate RO3 line from 2011-12. LAs are matched by name. Financial year 2008-09 ends 31 March 2009: year = 2009.
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE staging.stg_mhclg_revenue_outturn AS
WITH ro3 AS (
    SELECT
        r.*,
        CASE
            WHEN r.csc_total_net_current_expenditure IS NOT NULL THEN r.csc_total_net_current_expenditure
            WHEN published_number(r.csc_strategy_net_current_expenditure) IS NOT NULL
             AND published_number(r.csc_asylum_net_current_expenditure) IS NOT NULL
             AND published_number(r.csc_other_net_current_expenditure) IS NOT NULL
            THEN CAST(published_number(r.csc_strategy_net_current_expenditure)
                      + published_number(r.csc_asylum_net_current_expenditure)
                      + published_number(r.csc_other_net_current_expenditure) AS VARCHAR)
            ELSE coalesce(published_symbol(r.csc_strategy_net_current_expenditure),
                          published_symbol(r.csc_asylum_net_current_expenditure),
                          published_symbol(r.csc_other_net_current_expenditure))
        END AS csc_net
    FROM loaded.mhclg_ro3 AS r
),
cells AS (
    SELECT la_code, e_code, la_name, period, 'ro_csc_net_expenditure_gbp' AS indicator, csc_net AS cell,
           source_entry, release, source_file, source_row
    FROM ro3
    UNION ALL
    SELECT la_code, e_code, la_name, period, 'ro_cla_net_expenditure_gbp', cla_net_current_expenditure,
           source_entry, release, source_file, source_row
    FROM ro3
    WHERE period >= 2012  -- children looked after is its own RO3 line from 2011-12
    UNION ALL
    -- RSX repeats RO3's children's social care total (catalog precedence: RO3 wins where both have it).
    SELECT la_code, e_code, la_name, period, 'ro_csc_net_expenditure_gbp', csc_total_net_current_expenditure,
           source_entry, release, source_file, source_row
    FROM loaded.mhclg_rsx
),
panel_cells AS (
    SELECT
        'local_authority' AS geographic_level,
        c.la_code AS area_code,
        NULL::VARCHAR AS la_code_3,
        c.la_name AS area_name,
        'E92000001' AS country_code,
        CAST(c.period AS INTEGER) AS year,
        printf('%d-%02d', c.period - 1, c.period % 100) AS published_period,
        c.indicator,
        c.cell AS cell,
        '£' AS unit,
        c.source_entry,
        c.release,
        c.source_file,
        c.source_row
    FROM cells AS c
)
-- Published in £ thousands.
SELECT * REPLACE (value * 1000 AS value) FROM published_values(panel_cells);
