-- description: DfE LAIT whole data set, every indicator and every LAIT refresh, in the tidy long form: indicator = lait_<short description in snake case>, year = the last year the period label names (2015/16 -> 2016, 2024-25 -> 2025, 2014-16 -> 2016, 2024 -> 2024), one year later for measures LAIT's dictionary dates at the end of September. LA rows get the GSS code in force on 31 March of the year; England (970) and the regions (980-990) their own codes.
CREATE OR REPLACE TABLE staging.stg_lait AS
WITH measures AS (
    -- Per measure: its id, and its year type and unit from the latest dictionary (a measure listed
    -- under two topics has one year type; its units differ only in wording).
    SELECT
        m.short_desc,
        lait_indicator_id(m.short_desc) AS indicator,
        arg_max(d.year_type, d.release) AS year_type,
        arg_max(d.y_axis_name, d.release) AS unit
    FROM (SELECT DISTINCT short_desc FROM loaded.lait) AS m
    LEFT JOIN loaded.lait_dictionary AS d ON d.measure_short = m.short_desc
    GROUP BY m.short_desc
),
labels AS (
    SELECT years, lait_label_end_year(years) AS end_year FROM (SELECT DISTINCT years FROM loaded.lait)
),
parsed AS (
    -- Year rule: the last year the label names (lait_label_end_year). Academic years (2015/16),
    -- financial years (2015-16), January censuses, 31 March counts and calendar years keep that year;
    -- "Annual (end of Sept)" measures (the social work workforce at 30 September Y) move to Y + 1,
    -- the year ending 31 March that contains 30 September Y, as the rest of the warehouse files them.
    -- The publisher's label stays in published_period. Label '0' (a placeholder block of '-') has no year.
    SELECT
        l.*,
        y.end_year + CASE WHEN m.year_type = 'Annual (end of Sept)' THEN 1 ELSE 0 END AS year,
        m.indicator,
        m.unit
    FROM loaded.lait AS l
    JOIN labels AS y USING (years)
    JOIN measures AS m USING (short_desc)
    WHERE y.end_year IS NOT NULL
),
aggregates(la_number, geographic_level, area_code) AS (
    VALUES
        ('970', 'national', 'E92000001'),
        ('980', 'regional', 'E12000001'), ('981', 'regional', 'E12000002'), ('982', 'regional', 'E12000003'),
        ('983', 'regional', 'E12000004'), ('984', 'regional', 'E12000005'), ('985', 'regional', 'E12000006'),
        ('986', 'regional', 'E12000007'), ('987', 'regional', 'E13000001'), ('988', 'regional', 'E13000002'),
        ('989', 'regional', 'E12000008'), ('990', 'regional', 'E12000009')
),
la_years AS (
    -- England and the regions have no 3-digit code in the LA reference, so they find no code here.
    SELECT DISTINCT la_number, year FROM parsed
),
la_codes AS (
    -- The code in force on 31 March of the year; for an authority that did not exist then, its
    -- nearest code period, flagged so that its empty cells read as not applicable.
    SELECT
        y.la_number, y.year, r.la_code,
        coalesce(r.valid_from <= make_date(y.year, 3, 31), true)
            AND coalesce(r.valid_to >= make_date(y.year, 3, 31), true) AS in_operation
    FROM la_years AS y
    JOIN ref.local_authorities AS r ON r.la_code_3 = y.la_number
    QUALIFY row_number() OVER (
        PARTITION BY y.la_number, y.year
        ORDER BY greatest(
            coalesce(datediff('day', make_date(y.year, 3, 31), r.valid_from), 0),
            coalesce(datediff('day', r.valid_to, make_date(y.year, 3, 31)), 0),
            0
        ), r.valid_from DESC NULLS LAST
    ) = 1
)
SELECT
    coalesce(a.geographic_level, 'local_authority') AS geographic_level,
    coalesce(a.area_code, c.la_code) AS area_code,
    CASE WHEN a.la_number IS NULL THEN p.la_number END AS la_code_3,
    p.la_and_regions AS area_name,
    'E92000001' AS country_code,
    p.year,
    p.years AS published_period,
    p.indicator,
    published_number(p.value) AS value,
    published_symbol(p.value) AS symbol,
    CASE
        WHEN published_number(p.value) IS NULL AND NOT coalesce(c.in_operation, true) THEN 'not_applicable'
        ELSE published_status(p.value, s.status)
    END AS status,
    p.unit,
    p.source_entry,
    p.release,
    p.source_file,
    p.source_row
FROM parsed AS p
LEFT JOIN aggregates AS a ON a.la_number = p.la_number
LEFT JOIN la_codes AS c ON c.la_number = p.la_number AND c.year = p.year
LEFT JOIN ref.symbol_status AS s ON s.symbol = trim(p.value);
