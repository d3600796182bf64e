-- description: Coverage report: for each geography, indicator, year and nation, how many LAs have a value, how many are suppressed, missing or not harmonisable, and how many there should be (authorities in force that year for as_published; today's authorities for current), so gaps are visible instead of silent.
CREATE OR REPLACE TABLE mart.coverage AS
WITH in_force AS (
    SELECT r.nation, y.year, count(DISTINCT o.authority_id) AS authorities_in_force
    FROM intermediate.int_authority_operation AS o
    JOIN ref.local_authorities AS r USING (authority_id),
         range(2000, 2031) AS y(year)
    WHERE make_date(y.year::INTEGER, 3, 31) BETWEEN o.operating_from AND o.operating_to
    GROUP BY ALL
),
current_authorities AS (
    SELECT r.nation, count(DISTINCT m.current_authority) AS current_authorities
    FROM intermediate.int_authority_to_current AS m
    JOIN ref.local_authorities AS r ON r.authority_id = m.current_authority
    GROUP BY ALL
)
SELECT
    p.geography, p.indicator, p.nation, p.year,
    count(*) FILTER (WHERE p.value IS NOT NULL) AS las_with_value,
    count(*) FILTER (WHERE p.status = 'suppressed') AS las_suppressed,
    count(*) FILTER (WHERE p.status = 'missing') AS las_missing,
    count(*) FILTER (WHERE p.status = 'not_harmonisable') AS las_not_harmonisable,
    CASE p.geography WHEN 'current' THEN c.current_authorities ELSE f.authorities_in_force END AS authorities_expected
FROM mart.la_indicator_panel AS p
LEFT JOIN in_force AS f USING (nation, year)
LEFT JOIN current_authorities AS c USING (nation)
GROUP BY ALL
ORDER BY p.geography, p.indicator, p.nation, p.year;

COMMENT ON TABLE mart.coverage IS 'Geography x indicator x year x nation: LAs with a value, suppressed, missing, not harmonisable, and how many there should be.';
COMMENT ON COLUMN mart.coverage.authorities_expected IS 'as_published: upper-tier authorities in force on 31 March of the year; current: today''s authorities (both incl. City of London and Isles of Scilly).';
COMMENT ON COLUMN mart.coverage.geography IS 'as_published or current, as in mart.la_indicator_panel.';
COMMENT ON COLUMN mart.coverage.indicator IS 'Indicator id (see mart.indicator_dictionary).';
COMMENT ON COLUMN mart.coverage.nation IS 'England or Wales.';
COMMENT ON COLUMN mart.coverage.year IS 'Year ending 31 March (deprivation indices: the edition year).';
COMMENT ON COLUMN mart.coverage.las_with_value IS 'Panel rows (LAs, and combined reporting units) with a number.';
COMMENT ON COLUMN mart.coverage.las_suppressed IS 'Panel rows with status suppressed: the publisher printed a symbol instead of a number.';
COMMENT ON COLUMN mart.coverage.las_missing IS 'Panel rows with status missing: no number and no suppression symbol.';
COMMENT ON COLUMN mart.coverage.las_not_harmonisable IS 'Panel rows with status not_harmonisable (current geography only; 0 for as_published): no value on today''s boundaries could be formed from the predecessors'' (see the panel''s method for why).';
