-- description: Coverage report: for each indicator, year and nation, how many LAs have a published (or computed) value, how many are suppressed or missing, and how many authorities were in force, so gaps are visible instead of silent.
-- depends_on: mart.la_indicator_panel, ref.local_authorities
CREATE OR REPLACE TABLE mart.coverage AS
WITH in_force AS (
    SELECT nation, y.year, count(DISTINCT authority_id) AS authorities_in_force
    FROM ref.local_authorities, range(2000, 2031) AS y(year)
    WHERE coalesce(valid_from, DATE '1900-01-01') <= make_date(y.year::INTEGER, 3, 31)
      AND coalesce(valid_to, DATE '2999-12-31') >= make_date(y.year::INTEGER, 3, 31)
    GROUP BY ALL
)
SELECT
    p.geography, p.indicator, p.nation, p.year,
    count(*) FILTER (WHERE p.value IS NOT NULL) AS las_with_value,
    count(*) FILTER (WHERE p.status = 'suppressed') AS las_suppressed,
    count(*) FILTER (WHERE p.status = 'missing') AS las_missing,
    f.authorities_in_force
FROM mart.la_indicator_panel AS p
LEFT JOIN in_force AS f USING (nation, year)
GROUP BY ALL
ORDER BY p.geography, p.indicator, p.nation, p.year;

COMMENT ON TABLE mart.coverage IS 'Indicator x year x nation: LAs with a value, suppressed, missing, and authorities in force.';
COMMENT ON COLUMN mart.coverage.authorities_in_force IS 'Upper-tier authorities in force on 31 March of the year (incl. City of London and Isles of Scilly).';
