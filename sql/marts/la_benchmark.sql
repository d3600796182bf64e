-- description: LA benchmarking as DfE's LAIT does it: one row per geography, LA, year and indicator of mart.la_indicator_panel with the LA's value beside its region's, its nation's (England or Wales) and its statistical neighbours' mean (DfE's model for the year), the change from the previous year and over three years, a polarity-aware rank among the nation's LAs (1 = best), a quartile band and the three-year direction. Area values are the publisher's (mart.area_indicator_values) where published, else computed from the panel (counts summed over every LA of the area, rates and percentages as the ratio of summed numerators and denominators).
CREATE OR REPLACE TABLE mart.la_benchmark AS
WITH dictionary AS (
    SELECT indicator, polarity, kind, numerator, denominator,
           -- value = numerator / denominator x this (the panel's units: per 10,000 children, per cent, per child)
           CASE kind WHEN 'rate' THEN 10000.0 WHEN 'percent' THEN 100.0 ELSE 1.0 END AS multiplier
    FROM mart.indicator_dictionary
),
panel AS (
    -- Combined reporting units (no authority_id) are reporting units of their own: keyed by their code.
    SELECT *, coalesce(authority_id, la_code) AS la_key FROM mart.la_indicator_panel
),
area_members AS (
    -- Every panel row in its region and its nation. Wales has no regions (its region is the nation).
    SELECT geography, 'region' AS area_level, region AS area, year, indicator, la_key, value FROM panel WHERE region <> nation
    UNION ALL
    SELECT geography, 'nation' AS area_level, nation AS area, year, indicator, la_key, value FROM panel
),
computed_counts AS (
    -- A sum is a total only when no LA of the area lacks its value. Sums add the LAs in a fixed order
    -- (list_sum over a sorted list): a parallel sum's order varies, and so would the last bit of a rerun.
    SELECT m.geography, m.area_level, m.area, m.year, m.indicator,
           CASE WHEN count(*) = count(m.value) THEN list_sum(list(m.value ORDER BY m.la_key)) END AS value,
           'computed_sum_of_las' AS basis
    FROM area_members AS m JOIN dictionary AS d USING (indicator)
    WHERE d.kind = 'count'
    GROUP BY ALL
),
ratio_components AS (
    SELECT d.indicator, d.multiplier, m.geography, m.area_level, m.area, m.year, m.la_key,
           max(m.value) FILTER (WHERE m.indicator = d.numerator) AS numerator_value,
           max(m.value) FILTER (WHERE m.indicator = d.denominator) AS denominator_value
    FROM dictionary AS d
    JOIN area_members AS m ON m.indicator IN (d.numerator, d.denominator)
    WHERE d.numerator IS NOT NULL AND d.denominator IS NOT NULL
    GROUP BY ALL
),
computed_ratios AS (
    -- Summed numerators over summed denominators of the LAs with both, never a mean of LA rates.
    SELECT geography, area_level, area, year, indicator,
           CASE WHEN sum(denominator_value) > 0
                THEN list_sum(list(numerator_value ORDER BY la_key)) / list_sum(list(denominator_value ORDER BY la_key)) * any_value(multiplier)
           END AS value,
           'computed_ratio_of_las_sums' AS basis
    FROM ratio_components
    WHERE numerator_value IS NOT NULL AND denominator_value IS NOT NULL
    GROUP BY ALL
),
published_areas AS (
    -- Inner and Outer London are published beside London; the panel's region is London.
    SELECT area_level, area, year, indicator, value, 'published' AS basis
    FROM mart.area_indicator_values
    WHERE value IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY area_level, area, year, indicator ORDER BY release DESC, area_code) = 1
),
geographies AS (SELECT DISTINCT geography FROM panel),
area_values AS (
    -- The publisher's value where there is one (for both geographies: regions and nations keep their
    -- boundaries), else the value computed from the geography's own LA rows.
    SELECT g.geography, p.area_level, p.area, p.year, p.indicator, p.value, p.basis
    FROM published_areas AS p CROSS JOIN geographies AS g
    UNION ALL BY NAME
    SELECT c.* FROM (SELECT * FROM computed_counts UNION ALL BY NAME SELECT * FROM computed_ratios) AS c
    WHERE c.value IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM published_areas AS p
                      WHERE p.area_level = c.area_level AND p.area = c.area AND p.year = c.year AND p.indicator = c.indicator)
),
models AS (
    SELECT DISTINCT model_version, CAST(left(model_version, 4) AS INTEGER) AS model_year, authority_id
    FROM mart.statistical_neighbours
),
la_year_model AS (
    -- The neighbour list of an LA-year: the latest DfE model published by the year (model year <= year);
    -- for years before the first model that lists the LA, the earliest model that lists it.
    SELECT p.la_key, p.year, m.model_version,
           CASE WHEN m.model_year <= p.year THEN 'latest_model_by_the_year' ELSE 'earliest_model_applied_back' END AS neighbour_model_rule
    FROM (SELECT DISTINCT la_key, authority_id, year FROM panel WHERE authority_id IS NOT NULL) AS p
    JOIN models AS m USING (authority_id)
    QUALIFY row_number() OVER (
        PARTITION BY p.la_key, p.year
        ORDER BY m.model_year <= p.year DESC, CASE WHEN m.model_year <= p.year THEN -m.model_year ELSE m.model_year END
    ) = 1
),
models_listed AS (
    SELECT model_version, authority_id, count(DISTINCT neighbour_rank) AS neighbours_listed
    FROM mart.statistical_neighbours
    GROUP BY ALL
),
neighbour_values AS (
    -- (neighbours_listed is counted per model above, not here: a distinct count over every panel
    -- row's neighbours took half the table's build time.) list_sum skips NULLs.
    SELECT p.geography, p.la_key, p.year, p.indicator,
           list_sum(list(nv.value ORDER BY sn.neighbour_rank)) / count(nv.value) AS neighbours_mean,
           count(nv.value) AS neighbours_with_value,
           any_value(ml.neighbours_listed) AS neighbours_listed
    FROM panel AS p
    JOIN la_year_model AS ym ON ym.la_key = p.la_key AND ym.year = p.year
    JOIN models_listed AS ml ON ml.model_version = ym.model_version AND ml.authority_id = p.authority_id
    JOIN mart.statistical_neighbours AS sn ON sn.model_version = ym.model_version AND sn.authority_id = p.authority_id
    LEFT JOIN panel AS nv ON nv.geography = p.geography AND nv.year = p.year AND nv.indicator = p.indicator
                          AND nv.authority_id = sn.neighbour_authority_id
    GROUP BY p.geography, p.la_key, p.year, p.indicator
),
with_history AS (
    SELECT p.*, d.polarity,
           max(p.value) OVER (PARTITION BY p.geography, p.la_key, p.indicator ORDER BY p.year
                              RANGE BETWEEN 1 PRECEDING AND 1 PRECEDING) AS previous_year_value,
           max(p.value) OVER (PARTITION BY p.geography, p.la_key, p.indicator ORDER BY p.year
                              RANGE BETWEEN 3 PRECEDING AND 3 PRECEDING) AS value_3_years_earlier,
           -- ranks among the nation's reporting units with a value (ties share the best rank)
           count(p.value) OVER nation_year AS las_ranked,
           CASE WHEN p.value IS NOT NULL THEN rank() OVER (PARTITION BY p.geography, p.nation, p.year, p.indicator, p.value IS NULL ORDER BY p.value ASC) END AS rank_lowest_first,
           CASE WHEN p.value IS NOT NULL THEN rank() OVER (PARTITION BY p.geography, p.nation, p.year, p.indicator, p.value IS NULL ORDER BY p.value DESC) END AS rank_highest_first
    FROM panel AS p
    JOIN dictionary AS d USING (indicator)
    WINDOW nation_year AS (PARTITION BY p.geography, p.nation, p.year, p.indicator)
),
ranked AS (
    SELECT *,
           CASE polarity WHEN 'higher_is_better' THEN rank_highest_first WHEN 'higher_is_worse' THEN rank_lowest_first END AS polarity_rank,
           value - previous_year_value AS change_from_previous_year,
           value - value_3_years_earlier AS change_over_3_years
    FROM with_history
)
SELECT
    r.geography,
    r.la_code,
    r.la_name,
    r.authority_id,
    r.region,
    r.nation,
    r.la_type,
    r.year,
    r.indicator,
    r.polarity,
    r.value,
    r.status,
    r.unit,
    rv.value AS region_value,
    rv.basis AS region_value_basis,
    nv.value AS nation_value,
    nv.basis AS nation_value_basis,
    n.neighbours_mean,
    coalesce(n.neighbours_with_value, 0) AS neighbours_with_value,
    n.neighbours_listed,
    ym.model_version AS neighbour_model_version,
    ym.neighbour_model_rule,
    r.previous_year_value,
    r.change_from_previous_year,
    r.polarity_rank AS rank,
    r.las_ranked,
    CASE
        WHEN r.value IS NULL THEN 'no value'
        WHEN r.polarity IN ('higher_is_better', 'higher_is_worse') THEN 'ranked'
        WHEN r.polarity = 'neutral' THEN 'no polarity: higher is neither better nor worse (as DfE LAIT marks it)'
        ELSE 'polarity unknown'
    END AS rank_note,
    -- quarter of the ranking (1 = best quarter); by value (1 = lowest quarter) without polarity
    CASE WHEN r.value IS NOT NULL
         THEN least(4, 1 + CAST(floor(4.0 * (coalesce(r.polarity_rank, r.rank_lowest_first) - 1) / r.las_ranked) AS INTEGER))
    END AS quartile_band,
    CASE WHEN r.value IS NULL THEN NULL
         WHEN r.polarity_rank IS NOT NULL THEN 'best_to_worst'
         ELSE 'lowest_to_highest' END AS quartile_order,
    r.value_3_years_earlier,
    r.change_over_3_years,
    CASE
        WHEN r.change_over_3_years IS NULL THEN NULL
        WHEN round(r.change_over_3_years, 9) = 0 THEN 'no change'
        WHEN r.polarity = 'higher_is_better' THEN CASE WHEN r.change_over_3_years > 0 THEN 'improving' ELSE 'worsening' END
        WHEN r.polarity = 'higher_is_worse' THEN CASE WHEN r.change_over_3_years < 0 THEN 'improving' ELSE 'worsening' END
        ELSE CASE WHEN r.change_over_3_years > 0 THEN 'increasing' ELSE 'decreasing' END
    END AS direction_over_3_years,
    r.is_synthetic
FROM ranked AS r
LEFT JOIN area_values AS rv ON rv.geography = r.geography AND rv.area_level = 'region' AND rv.area = r.region
                           AND rv.year = r.year AND rv.indicator = r.indicator
LEFT JOIN area_values AS nv ON nv.geography = r.geography AND nv.area_level = 'nation' AND nv.area = r.nation
                           AND nv.year = r.year AND nv.indicator = r.indicator
LEFT JOIN neighbour_values AS n ON n.geography = r.geography AND n.la_key = r.la_key AND n.year = r.year AND n.indicator = r.indicator
LEFT JOIN la_year_model AS ym ON ym.la_key = r.la_key AND ym.year = r.year
ORDER BY r.geography, r.nation, r.region, r.la_name, r.indicator, r.year;

COMMENT ON TABLE mart.la_benchmark IS 'LA benchmarking (as DfE LAIT): per geography, LA, year and indicator, the LA''s value against its region, nation and statistical neighbours, with change, polarity-aware rank, quartile band and three-year direction.';
COMMENT ON COLUMN mart.la_benchmark.geography IS 'as_published or current, as in mart.la_indicator_panel.';
COMMENT ON COLUMN mart.la_benchmark.la_code IS 'GSS code of the LA (or combined reporting unit), as in mart.la_indicator_panel.';
COMMENT ON COLUMN mart.la_benchmark.la_name IS 'Name of the LA, from the LA reference.';
COMMENT ON COLUMN mart.la_benchmark.authority_id IS 'Stable authority id (mart.la_reference); NULL for combined reporting units.';
COMMENT ON COLUMN mart.la_benchmark.region IS 'English region of the LA (London for Inner and Outer London); Wales for Welsh LAs.';
COMMENT ON COLUMN mart.la_benchmark.nation IS 'England or Wales: the LAs the rank is among and the nation_value is of.';
COMMENT ON COLUMN mart.la_benchmark.la_type IS 'LA type, as in mart.la_indicator_panel.';
COMMENT ON COLUMN mart.la_benchmark.year IS 'Year ending 31 March, as in mart.la_indicator_panel.';
COMMENT ON COLUMN mart.la_benchmark.indicator IS 'Indicator id; its label, unit and polarity are in mart.indicator_dictionary.';
COMMENT ON COLUMN mart.la_benchmark.polarity IS 'From mart.indicator_dictionary: higher_is_better, higher_is_worse, or neutral (no polarity: as DfE LAIT, most volume measures such as CLA, CIN and CPP rates are neither better nor worse when higher).';
COMMENT ON COLUMN mart.la_benchmark.value IS 'The LA''s value: equal to mart.la_indicator_panel.value for the same geography, LA, year and indicator (NULL when suppressed or missing).';
COMMENT ON COLUMN mart.la_benchmark.status IS 'The value''s status, as mart.la_indicator_panel.status (published, suppressed, missing ...).';
COMMENT ON COLUMN mart.la_benchmark.unit IS 'Unit of the value, as in the panel.';
COMMENT ON COLUMN mart.la_benchmark.region_value IS 'The region''s value (see region_value_basis); NULL for Welsh LAs (Wales has no regions: see nation_value) and where neither published nor computable.';
COMMENT ON COLUMN mart.la_benchmark.region_value_basis IS 'published (mart.area_indicator_values), computed_sum_of_las (a count summed over the region''s LAs, only when every LA has a value), or computed_ratio_of_las_sums (a rate or percentage: the LAs'' summed numerators over their summed denominators, over the LAs with both, x 10,000 or x 100).';
COMMENT ON COLUMN mart.la_benchmark.nation_value IS 'England''s or Wales''s value (see nation_value_basis).';
COMMENT ON COLUMN mart.la_benchmark.nation_value_basis IS 'published, computed_sum_of_las or computed_ratio_of_las_sums, as region_value_basis.';
COMMENT ON COLUMN mart.la_benchmark.neighbours_mean IS 'Unweighted mean of the values of the LA''s DfE statistical neighbours (neighbour_model_version) that have a value for the same geography, year and indicator; NULL when none has one or the LA is in no model.';
COMMENT ON COLUMN mart.la_benchmark.neighbours_with_value IS 'How many of the listed neighbours have a value (the mean is over these); 0 when none.';
COMMENT ON COLUMN mart.la_benchmark.neighbours_listed IS 'How many neighbours the model lists for the LA (10 in DfE''s models); NULL when the LA is in no model (e.g. combined reporting units).';
COMMENT ON COLUMN mart.la_benchmark.neighbour_model_version IS 'The DfE statistical neighbour model used (mart.statistical_neighbours.model_version); see neighbour_model_rule.';
COMMENT ON COLUMN mart.la_benchmark.neighbour_model_rule IS 'latest_model_by_the_year: the latest model listing the LA whose model year is at most the year (2021-04 for 2021 to 2024, 2025-05 from 2025); earliest_model_applied_back: no model had been published by the year (the models start in 2021), so the earliest model listing the LA is used.';
COMMENT ON COLUMN mart.la_benchmark.previous_year_value IS 'The LA''s value in the year before (same geography and indicator); NULL when none.';
COMMENT ON COLUMN mart.la_benchmark.change_from_previous_year IS 'value - previous_year_value, in the indicator''s unit.';
COMMENT ON COLUMN mart.la_benchmark.rank IS 'Rank among the nation''s LAs with a value for the same geography, year and indicator, 1 = best by polarity (highest for higher_is_better, lowest for higher_is_worse; ties share the best rank); NULL with the reason in rank_note when the indicator has no polarity or the LA no value.';
COMMENT ON COLUMN mart.la_benchmark.las_ranked IS 'How many of the nation''s LAs (and combined reporting units) have a value: the number the rank and band are out of.';
COMMENT ON COLUMN mart.la_benchmark.rank_note IS 'ranked; no value; no polarity: higher is neither better nor worse (as DfE LAIT marks it); or polarity unknown.';
COMMENT ON COLUMN mart.la_benchmark.quartile_band IS '1 to 4: the quarter of the nation''s ranking the LA is in (1 + floor(4 x (rank - 1) / las_ranked)); 1 = best quarter where the indicator has a polarity, 1 = lowest values where it has none (see quartile_order).';
COMMENT ON COLUMN mart.la_benchmark.quartile_order IS 'best_to_worst (band 1 = best quarter, by polarity) or lowest_to_highest (no polarity: band 1 = lowest values).';
COMMENT ON COLUMN mart.la_benchmark.value_3_years_earlier IS 'The LA''s value three years before (year - 3); NULL when none.';
COMMENT ON COLUMN mart.la_benchmark.change_over_3_years IS 'value - value_3_years_earlier, in the indicator''s unit.';
COMMENT ON COLUMN mart.la_benchmark.direction_over_3_years IS 'By polarity: improving or worsening (a change in the better or worse direction), no change (equal to 9 decimals); increasing or decreasing for indicators without polarity; NULL when either value is missing.';
COMMENT ON COLUMN mart.la_benchmark.is_synthetic IS 'TRUE for the generated demo data set: not official statistics.';
