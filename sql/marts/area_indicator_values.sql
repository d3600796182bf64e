-- description: National and English regional values as the publishers printed them: one row per area, year and indicator (the number int_indicator_values_latest keeps, as for LAs), with the area named as in mart.la_indicator_panel (its nation, or its region's name), so that sums of LA values (analysis.trend_national_regional) can be set beside the publisher's own figure. Inner and Outer London keep their published names.
CREATE OR REPLACE TABLE mart.area_indicator_values AS
WITH region_names AS (
    SELECT DISTINCT region_code, region_name FROM ref.local_authorities WHERE region_code IS NOT NULL
)
SELECT
    CASE v.geographic_level WHEN 'national' THEN 'nation' ELSE 'region' END AS area_level,
    v.area_code,
    CASE v.geographic_level WHEN 'national' THEN v.nation
         -- the London sub-regions are printed as 'Inner London', 'London (Inner)', 'INNER LONDON' ...
         ELSE coalesce(r.region_name, CASE v.area_code WHEN 'E13000001' THEN 'Inner London' WHEN 'E13000002' THEN 'Outer London' END, v.area_name)
    END AS area,
    v.nation,
    v.year,
    v.published_period,
    v.indicator,
    v.value,
    v.status,
    v.symbol,
    v.unit,
    v.source_entry,
    v.release
FROM intermediate.int_indicator_values_latest AS v
LEFT JOIN region_names AS r ON r.region_code = v.area_code
WHERE v.geographic_level IN ('national', 'regional') AND v.status <> 'not_applicable'
ORDER BY area_level, area, indicator, year;

COMMENT ON TABLE mart.area_indicator_values IS 'National and English regional values as published (latest release per area, year and indicator), named as the panel names nations and regions.';
COMMENT ON COLUMN mart.area_indicator_values.area_level IS 'nation or region (English regions, and Inner and Outer London where published).';
COMMENT ON COLUMN mart.area_indicator_values.area_code IS 'GSS code of the nation (E92000001, W92000004) or region (E12..., E13... for Inner/Outer London).';
COMMENT ON COLUMN mart.area_indicator_values.area IS 'The nation, or the region''s name as in mart.la_indicator_panel.region; Inner London and Outer London for E13000001 and E13000002.';
COMMENT ON COLUMN mart.area_indicator_values.nation IS 'England or Wales.';
COMMENT ON COLUMN mart.area_indicator_values.year IS 'Year ending 31 March (as in the panel).';
COMMENT ON COLUMN mart.area_indicator_values.published_period IS 'The publisher''s own label of the period.';
COMMENT ON COLUMN mart.area_indicator_values.indicator IS 'Indicator id (mart.indicator_dictionary).';
COMMENT ON COLUMN mart.area_indicator_values.value IS 'The published value (rates at the publisher''s precision, e.g. whole numbers per 10,000); NULL when suppressed.';
COMMENT ON COLUMN mart.area_indicator_values.status IS 'published, suppressed or missing.';
COMMENT ON COLUMN mart.area_indicator_values.symbol IS 'The publisher''s symbol for a value not given (c, x, ...).';
COMMENT ON COLUMN mart.area_indicator_values.unit IS 'Unit of the value.';
COMMENT ON COLUMN mart.area_indicator_values.source_entry IS 'Catalog entry of the file the value comes from (meta.provenance).';
COMMENT ON COLUMN mart.area_indicator_values.release IS 'Release of that file.';
