-- description: LA values on current boundaries. Each authority-year in force (or published for a successor before it existed, where no authority then in force covers it: a series restated on a later geography) contributes to the current authorities it maps to (int_authority_to_current): counts (and populations) are split by the weights and summed; rates and percentages are recomputed from the harmonised numerator and denominator, never averaged; an authority-year that needs no change keeps its published value. Rates over the 0-17 population follow the as-published basis "at the time" (int_la_values_as_published): recomputed rates divide the harmonised count by the harmonised at-the-time population (each contributor's population vintage current then, int_population_denominators), so a back-cast successor's rate uses the same vintage as its predecessors' published ones; variant = 'latest_population' rows carry the sensitivity variant (harmonised count over the harmonised latest population; an unchanged authority keeps its as-published latest-population rate), variant = 'panel' the panel's values. harmonisation: direct (published as is), recoded (same authority, older code), merged (whole authorities summed), apportioned (part of an authority by child-population share), not_harmonisable (the value cannot be formed: status not_harmonisable, value NULL, and the method says why: not_harmonisable_predecessor_suppressed, a contributor's value, or the count a rate is rebuilt from, was suppressed; not_harmonisable_predecessor_missing, such a value or its apportionment weight is missing; not_harmonisable_no_denominator, no harmonised denominator above zero to recompute the rate over; not_harmonisable_not_additive, an indicator with no numerator and denominator to rebuild it from, such as a score or rank). Precision: a recomputed rate or percentage of the panel variant is rounded to the decimals the publisher printed that indicator with that year in that nation (the most decimals among its LA values published at the time), so a back-cast series reads like the published years beside it; where the publisher printed no such value that year (the as-published rates are themselves computed from counts) it is not rounded.
CREATE OR REPLACE TABLE intermediate.int_la_values_current AS
WITH current_code AS (
    SELECT authority_id, la_code, nation
    FROM ref.local_authorities
    QUALIFY row_number() OVER (PARTITION BY authority_id ORDER BY valid_from DESC NULLS LAST) = 1
),
all_values AS (
    -- variant: 'panel' (the values the panel shows), 'latest_population' (rates over the latest
    -- population vintage) and 'population_at_the_time' (the at-the-time denominators, harmonised
    -- like any count to recompute the panel's rates).
    SELECT v.*, 'panel' AS variant
    FROM intermediate.int_la_values_as_published AS v
    UNION ALL BY NAME
    SELECT c.* EXCLUDE (rate_basis), 'latest_population' AS variant
    FROM intermediate.int_la_rates_computed AS c
    WHERE c.rate_basis = 'latest_population'
    UNION ALL BY NAME
    SELECT 'local_authority' AS geographic_level, d.authority_id, d.year, 'population_0_17' AS indicator,
           d.population AS value, 'published' AS status, d.population_method AS method,
           d.population_vintage AS source_entry, d.population_release AS release, 'population_at_the_time' AS variant
    FROM intermediate.int_population_denominators AS d
    WHERE d.rate_basis = 'at_the_time'
),
in_force_values AS (
    SELECT v.*, make_date(v.year, 3, 31) BETWEEN f.operating_from AND f.operating_to AS in_force
    FROM all_values AS v
    JOIN intermediate.int_authority_operation AS f USING (authority_id)
),
covered AS (
    -- Current authorities that an authority in force that year has a value (or symbol) for.
    SELECT DISTINCT m.current_authority, v.variant, v.indicator, v.year
    FROM in_force_values AS v
    JOIN intermediate.int_authority_to_current AS m ON m.origin = v.authority_id
    WHERE v.in_force
),
restated AS (
    -- Authority-years published before the authority existed (a series republished whole on the
    -- geography of its release, e.g. DWP's) where no authority then in force covers the same current
    -- authorities: these are on current boundaries already.
    SELECT DISTINCT v.authority_id, v.variant, v.indicator, v.year
    FROM in_force_values AS v
    WHERE NOT v.in_force AND NOT EXISTS (
        SELECT 1 FROM intermediate.int_authority_to_current AS m
        JOIN covered AS c ON c.current_authority = m.current_authority AND c.variant = v.variant
            AND c.indicator = v.indicator AND c.year = v.year
        WHERE m.origin = v.authority_id
    )
),
published AS (
    -- Values of authorities in force on 31 March of the year, and restated ones no in-force
    -- authority covers: a successor restated for years before it existed would otherwise be
    -- counted twice.
    SELECT v.* EXCLUDE (in_force)
    FROM in_force_values AS v
    LEFT JOIN restated AS r USING (authority_id, variant, indicator, year)
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
contributor_counts AS (
    SELECT current_authority, variant, year, indicator, count(*) AS contributors
    FROM mapped
    GROUP BY ALL
),
makeup AS (
    -- A current authority-year made of one contributor is that contributor's row as it is: only the
    -- (few) rows made of several need the ordered aggregates below, which are slow over every row.
    SELECT
        m.current_authority, m.variant, m.year, m.indicator, m.kind, m.numerator, m.denominator,
        1::BIGINT AS contributors,
        m.is_itself AS unchanged,
        m.apportioned,
        m.value IS NOT NULL AND m.weight IS NOT NULL AS complete,
        m.status = 'suppressed' AS part_suppressed,
        m.value * m.weight AS weighted_sum,
        m.value AS only_value, m.status AS only_status, m.symbol AS only_symbol,
        m.area_code AS only_code, m.method AS only_method,
        m.rate_basis AS only_rate_basis, m.population_year AS only_population_year,
        m.population_vintage AS only_population_vintage,
        m.unit, m.published_period, m.source_entry, m.release
    FROM mapped AS m
    JOIN contributor_counts AS n USING (current_authority, variant, year, indicator)
    WHERE n.contributors = 1
    UNION ALL BY NAME
    SELECT
        current_authority, variant, year, indicator, kind, numerator, denominator,
        count(*) AS contributors,
        bool_and(is_itself) AS unchanged,
        bool_or(apportioned) AS apportioned,
        bool_and(value IS NOT NULL AND weight IS NOT NULL) AS complete,
        bool_or(status = 'suppressed') AS part_suppressed,
        sum(value * weight ORDER BY authority_id, value, weight) AS weighted_sum,  -- ordered: the same double in every run
        any_value(value) AS only_value, any_value(status) AS only_status, any_value(symbol) AS only_symbol,
        any_value(area_code) AS only_code, any_value(method) AS only_method,
        any_value(rate_basis) AS only_rate_basis, any_value(population_year) AS only_population_year,
        any_value(population_vintage) AS only_population_vintage,
        -- Contributors can label their period differently (a district-weighted county estimate
        -- beside an LA's own value): all their labels, so no row depends on which was read first.
        min(unit) AS unit, string_agg(DISTINCT published_period, '; ' ORDER BY published_period) AS published_period,
        string_agg(DISTINCT source_entry, ', ' ORDER BY source_entry) AS source_entry,
        max(release) AS release
    FROM mapped
    JOIN contributor_counts AS n USING (current_authority, variant, year, indicator)
    WHERE n.contributors > 1
    GROUP BY current_authority, variant, year, indicator, kind, numerator, denominator
),
counts AS (
    SELECT current_authority, variant, year, indicator, CASE WHEN complete THEN weighted_sum END AS value,
           part_suppressed, source_entry
    FROM makeup WHERE kind = 'count'
),
published_decimals AS (
    -- The decimals the publisher printed a rate or percentage with in a year and nation: the most
    -- among its LA values published at the time (at most 6). A recomputed rate is rounded to them.
    SELECT v.indicator, v.year, c.nation,
           max(coalesce(list_min(list_filter(range(0, 7), lambda d: abs(v.value - round(v.value, d::INTEGER)) < 1e-9)), 6))::INTEGER AS decimals
    FROM intermediate.int_la_values_as_published AS v
    JOIN current_code AS c USING (authority_id)
    WHERE v.rate_basis = 'published_at_the_time' AND v.value IS NOT NULL
    GROUP BY ALL
),
recomputed AS (
    -- The denominator of a rate over the 0-17 population is the population of the row's basis.
    SELECT
        m.*,
        m.kind IN ('rate', 'percent') AND m.denominator = 'population_0_17' AS over_population,
        num.value AS numerator_value,
        coalesce(num.part_suppressed, false) AS numerator_part_suppressed,
        den.value AS denominator_value,
        den.source_entry AS denominator_vintage
    FROM makeup AS m
    LEFT JOIN counts AS num
        ON num.current_authority = m.current_authority AND num.variant = 'panel' AND num.year = m.year AND num.indicator = m.numerator
    LEFT JOIN counts AS den
        ON den.current_authority = m.current_authority AND den.year = m.year AND den.indicator = m.denominator
       AND den.variant = CASE WHEN m.denominator = 'population_0_17' AND m.variant = 'panel' THEN 'population_at_the_time' ELSE 'panel' END
    WHERE m.variant <> 'population_at_the_time'
),
formed AS (
    -- formed: the row's value exists on current boundaries (kept as published, or rebuilt).
    SELECT
        m.*,
        m.numerator_value / m.denominator_value * CASE m.kind WHEN 'rate' THEN 10000 ELSE 100 END AS rebuilt_rate,
        coalesce(m.unchanged
          OR m.kind = 'count' AND m.complete
          OR m.kind IN ('rate', 'percent') AND m.numerator_value IS NOT NULL AND m.denominator_value > 0, false) AS formed,
        CASE
            WHEN m.kind = 'count' AND m.part_suppressed THEN 'not_harmonisable_predecessor_suppressed'
            WHEN m.kind = 'count' THEN 'not_harmonisable_predecessor_missing'
            WHEN m.kind NOT IN ('rate', 'percent') OR m.numerator IS NULL OR m.denominator IS NULL THEN 'not_harmonisable_not_additive'
            WHEN m.numerator_value IS NULL AND m.numerator_part_suppressed THEN 'not_harmonisable_predecessor_suppressed'
            WHEN m.numerator_value IS NULL THEN 'not_harmonisable_predecessor_missing'
            ELSE 'not_harmonisable_no_denominator'
        END AS why_not_harmonisable
    FROM recomputed AS m
)
SELECT
    m.current_authority AS authority_id,
    c.la_code,
    m.variant,
    m.year, m.published_period, m.indicator, m.unit, m.source_entry, m.release,
    CASE
        WHEN m.unchanged THEN m.only_value
        WHEN NOT m.formed THEN NULL
        WHEN m.kind = 'count' THEN m.weighted_sum
        WHEN m.variant = 'panel' AND d.decimals IS NOT NULL THEN round(m.rebuilt_rate, d.decimals)
        ELSE m.rebuilt_rate
    END AS value,
    CASE WHEN m.unchanged THEN m.only_status WHEN m.formed THEN 'published' ELSE 'not_harmonisable' END AS status,
    CASE WHEN m.unchanged THEN m.only_symbol END AS symbol,
    CASE
        WHEN m.unchanged THEN m.only_method
        WHEN NOT m.formed THEN m.why_not_harmonisable
        WHEN m.kind = 'count' THEN 'harmonised_sum'
        ELSE 'recomputed_from_harmonised_counts'
    END AS method,
    CASE
        WHEN m.unchanged AND m.variant = 'latest_population' THEN 'computed_latest_population'
        WHEN m.unchanged THEN m.only_rate_basis
        WHEN NOT m.formed OR m.kind NOT IN ('rate', 'percent') THEN NULL
        WHEN m.variant = 'latest_population' THEN 'computed_latest_population'
        WHEN m.over_population THEN 'computed_population_at_the_time'
        ELSE 'computed_from_latest_counts'
    END AS rate_basis,
    CASE WHEN m.unchanged THEN m.only_population_year WHEN m.formed AND m.over_population THEN m.year END AS population_year,
    CASE WHEN m.unchanged THEN m.only_population_vintage WHEN m.formed AND m.over_population THEN m.denominator_vintage END AS population_vintage,
    CASE
        WHEN m.unchanged AND m.only_code = c.la_code THEN 'direct'
        WHEN m.unchanged THEN 'recoded'
        WHEN NOT m.formed THEN 'not_harmonisable'
        WHEN m.apportioned THEN 'apportioned'
        ELSE 'merged'
    END AS harmonisation
FROM formed AS m
JOIN current_code AS c ON c.authority_id = m.current_authority
LEFT JOIN published_decimals AS d ON d.indicator = m.indicator AND d.year = m.year AND d.nation = c.nation;
