-- description: LA values on current boundaries. Each authority-year in force (or published for a successor before it existed, where no authority then in force covers it: a series restated on a later geography) contributes to the current authorities it maps to (int_authority_to_current): counts (and populations) are split by the weights and summed; rates and percentages are recomputed from the harmonised numerator and denominator, never averaged; an authority-year that needs no change keeps its published value. harmonisation: direct (published as is), recoded (same authority, older code), merged (whole authorities summed), apportioned (part of an authority by child-population share), not_harmonisable (no numerator/denominator to rebuild it from, or a contributor's value or weight is missing).
-- depends_on: intermediate.int_indicator_values_latest, intermediate.int_la_rates_computed, intermediate.int_authority_to_current, intermediate.int_authority_operation, ref.local_authorities, ref.indicators
CREATE OR REPLACE TABLE intermediate.int_la_values_current AS
WITH current_code AS (
    SELECT authority_id, la_code
    FROM ref.local_authorities
    QUALIFY row_number() OVER (PARTITION BY authority_id ORDER BY valid_from DESC NULLS LAST) = 1
),
all_values AS (
    SELECT v.* REPLACE (coalesce(v.method, 'published') AS method), make_date(v.year, 3, 31) BETWEEN f.operating_from AND f.operating_to AS in_force
    FROM intermediate.int_indicator_values_latest AS v
    JOIN intermediate.int_authority_operation AS f USING (authority_id)
    WHERE v.geographic_level = 'local_authority' AND v.status <> 'not_applicable'
    UNION ALL BY NAME
    SELECT c.*, make_date(c.year, 3, 31) BETWEEN f.operating_from AND f.operating_to AS in_force
    FROM intermediate.int_la_rates_computed AS c
    JOIN intermediate.int_authority_operation AS f USING (authority_id)
),
covered AS (
    -- Current authorities that an authority in force that year has a value (or symbol) for.
    SELECT DISTINCT m.current_authority, v.indicator, v.year
    FROM all_values AS v
    JOIN intermediate.int_authority_to_current AS m ON m.origin = v.authority_id
    WHERE v.in_force
),
restated AS (
    -- Authority-years published before the authority existed (a series republished whole on the
    -- geography of its release, e.g. DWP's) where no authority then in force covers the same current
    -- authorities: these are on current boundaries already.
    SELECT DISTINCT v.authority_id, v.indicator, v.year
    FROM all_values AS v
    WHERE NOT v.in_force AND NOT EXISTS (
        SELECT 1 FROM intermediate.int_authority_to_current AS m
        JOIN covered AS c ON c.current_authority = m.current_authority AND c.indicator = v.indicator AND c.year = v.year
        WHERE m.origin = v.authority_id
    )
),
published AS (
    -- Values of authorities in force on 31 March of the year, and restated ones no in-force
    -- authority covers: a successor restated for years before it existed would otherwise be
    -- counted twice.
    SELECT v.* EXCLUDE (in_force)
    FROM all_values AS v
    LEFT JOIN restated AS r USING (authority_id, indicator, year)
    WHERE v.in_force OR r.authority_id IS NOT NULL
),
mapped AS (
    SELECT p.*, m.current_authority, m.weight, m.apportioned, m.merged,
           coalesce(k.kind, 'other') AS kind, k.numerator, k.denominator,
           p.authority_id = m.current_authority AND NOT m.apportioned AS is_itself
    FROM published AS p
    JOIN intermediate.int_authority_to_current AS m ON m.origin = p.authority_id
    LEFT JOIN ref.indicators AS k USING (indicator)
),
makeup AS (
    SELECT
        current_authority, year, indicator, kind, numerator, denominator,
        count(*) AS contributors,
        bool_and(is_itself) AS unchanged,
        bool_or(apportioned) AS apportioned,
        bool_and(value IS NOT NULL AND weight IS NOT NULL) AS complete,
        sum(value * weight ORDER BY authority_id, value, weight) AS weighted_sum,  -- ordered: the same double in every run
        any_value(value) AS only_value, any_value(status) AS only_status, any_value(symbol) AS only_symbol,
        any_value(area_code) AS only_code, any_value(method) AS only_method,
        any_value(unit) AS unit, any_value(published_period) AS published_period,
        string_agg(DISTINCT source_entry, ', ' ORDER BY source_entry) AS source_entry,
        max(release) AS release
    FROM mapped
    GROUP BY ALL
),
counts AS (
    SELECT current_authority, year, indicator, CASE WHEN complete THEN weighted_sum END AS value
    FROM makeup WHERE kind = 'count'
)
SELECT
    m.current_authority AS authority_id,
    c.la_code,
    m.year, m.published_period, m.indicator, m.unit, m.source_entry, m.release,
    CASE
        WHEN m.unchanged THEN m.only_value
        WHEN m.kind = 'count' THEN CASE WHEN m.complete THEN m.weighted_sum END
        WHEN m.kind IN ('rate', 'percent') THEN
            num.value / nullif(den.value, 0) * CASE m.kind WHEN 'rate' THEN 10000 ELSE 100 END
    END AS value,
    CASE
        WHEN m.unchanged THEN m.only_status
        WHEN m.kind = 'count' AND m.complete THEN 'published'
        WHEN m.kind IN ('rate', 'percent') AND num.value IS NOT NULL AND den.value > 0 THEN 'published'
        ELSE 'missing'
    END AS status,
    CASE WHEN m.unchanged THEN m.only_symbol END AS symbol,
    CASE
        WHEN m.unchanged THEN m.only_method
        WHEN m.kind = 'count' THEN 'harmonised_sum'
        ELSE 'recomputed_from_harmonised_counts'
    END AS method,
    CASE
        WHEN m.unchanged AND m.only_code = c.la_code THEN 'direct'
        WHEN m.unchanged THEN 'recoded'
        WHEN m.kind = 'count' AND m.complete
          OR m.kind IN ('rate', 'percent') AND num.value IS NOT NULL AND den.value > 0
            THEN CASE WHEN m.apportioned THEN 'apportioned' ELSE 'merged' END
        ELSE 'not_harmonisable'
    END AS harmonisation
FROM makeup AS m
JOIN current_code AS c ON c.authority_id = m.current_authority
LEFT JOIN counts AS num ON num.current_authority = m.current_authority AND num.year = m.year AND num.indicator = m.numerator
LEFT JOIN counts AS den ON den.current_authority = m.current_authority AND den.year = m.year AND den.indicator = m.denominator;
