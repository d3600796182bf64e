-- description: DfE Section 251 outturn 2008-09 to 2013-14 (line-level underlying data), £: total (gross) and net current expenditure on children's and young people's services (excluding CERA), children looked after and family support, per LA and year. Line numbers and labels change every year; csc_pipeline/reference/s251_outturn_lines.csv says which line is which total. Financial year 2008-09 ends 31 March 2009: year = 2009. Note: 2008-09 counts asylum-seeking children's services outside the children looked after total; from 2009-10 they are inside it.
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE staging.stg_s251_outturn_lines AS
WITH indicators(concept, value_column, indicator) AS (
    VALUES
        ('cyps_total_excl_cera', 'total_expenditure', 's251_cyps_gross_expenditure_gbp'),
        ('cyps_total_excl_cera', 'net_current_expenditure', 's251_cyps_net_expenditure_gbp'),
        ('cla_total', 'total_expenditure', 's251_cla_gross_expenditure_gbp'),
        ('cla_total', 'net_current_expenditure', 's251_cla_net_expenditure_gbp'),
        ('family_support_total', 'total_expenditure', 's251_family_support_gross_expenditure_gbp'),
        ('family_support_total', 'net_current_expenditure', 's251_family_support_net_expenditure_gbp')
),
lines AS (
    -- 2008-09 has no line number column: the number leads the label ("14 Total Children Looked After").
    SELECT o.*, coalesce(o.line_number, regexp_extract(o.line_description, '^\s*(\d+)', 1)) AS line
    FROM loaded.s251_outturn_lines AS o
),
mapped AS (
    SELECT l.*, m.concept
    FROM lines AS l
    JOIN ref.s251_outturn_lines AS m
        ON m.scheme = 'outturn_line' AND CAST(m.period AS INTEGER) = l.period AND m.line = l.line
),
long AS (
    SELECT * FROM mapped UNPIVOT INCLUDE NULLS (cell FOR value_column IN (total_expenditure, net_current_expenditure))
),
panel_cells AS (
    SELECT
        'local_authority' AS geographic_level,
        long.la_code AS area_code,
        long.la_code_3,
        trim(long.la_name) AS area_name,
        'E92000001' AS country_code,
        CAST(long.period AS INTEGER) AS year,
        printf('%d-%02d', long.period - 1, long.period % 100) AS published_period,
        i.indicator,
        long.cell AS cell,
        '£' AS unit,
        long.source_entry,
        long.release,
        long.source_file,
        long.source_row
    FROM long
    JOIN indicators AS i USING (concept, value_column)
)
SELECT * FROM published_values(panel_cells);
