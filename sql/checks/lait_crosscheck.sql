-- Cross-check (a WARN asset check on mart.lait_long, csc_pipeline/cross_checks.py), not a table.
-- LAIT against the panel for the children looked after measures both hold (at 31 March, starting,
-- ceasing: counts and rates per 10,000), LA by LA and year where both have a row: the two values, their
-- difference and whether they agree (NULL when either side has no number). Rates agree within 0.5
-- (both publishers print whole-number LA rates); counts must be equal. Only values the panel holds as
-- published (not rates it computed). A disagreement is usually a revision between the release in the
-- panel and the later LAIT refresh: counts (the panel's latest release) for 2016 and 2017, which LAIT
-- shows as later releases revised them, and rates, which the panel keeps as first published (at the
-- time) while LAIT shows them re-based on later population estimates (compare mart.la_rate_variants,
-- latest_population).
WITH pairs(lait_indicator, indicator, tolerance) AS (
    VALUES
        ('lait_lacnum', 'cla_count', 0.0),
        ('lait_lac', 'cla_rate_per_10k', 0.5),
        ('lait_lacnum_start', 'cla_starts_count', 0.0),
        ('lait_lac_start_rate', 'cla_starts_rate_per_10k', 0.5),
        ('lait_lacceased', 'cla_ceased_count', 0.0),
        ('lait_lac_cease_rate', 'cla_ceased_rate_per_10k', 0.5)
),
lait AS (
    SELECT p.indicator, p.lait_indicator, p.tolerance, l.authority_id, l.area_code AS lait_la_code, l.year,
           l.value AS lait_value, l.status AS lait_status, l.published_period AS lait_period, l.release AS lait_release
    FROM mart.lait_long AS l
    JOIN pairs AS p ON p.lait_indicator = l.indicator
    WHERE l.geographic_level = 'local_authority' AND l.status <> 'not_applicable'
)
SELECT
    l.indicator,
    l.lait_indicator,
    p.authority_id,
    p.la_code,
    p.la_name,
    p.region,
    l.year,
    l.lait_value,
    p.value AS panel_value,
    l.lait_value - p.value AS difference,
    l.tolerance,
    abs(l.lait_value - p.value) <= l.tolerance + 1e-9 AS agrees,
    l.lait_status,
    p.status AS panel_status,
    l.lait_release,
    p.release AS panel_release,
    p.source_entry AS panel_source_entry,
    p.is_synthetic
FROM lait AS l
JOIN mart.la_indicator_panel AS p
    ON p.geography = 'as_published' AND p.authority_id = l.authority_id AND p.year = l.year AND p.indicator = l.indicator
    -- Published figures only: rates the panel computes from counts and populations are not rounded as LAIT's are.
    AND p.method = 'published'
ORDER BY l.indicator, p.region, p.la_name, l.year
