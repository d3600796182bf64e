-- description: The whole DfE LAIT data set in long form: every indicator, area (England, regions, LAs) and year, from the latest LAIT refresh that carries the indicator, with LAIT's short description, topic, polarity and year type. The analyst panel holds a curated subset of these indicators; this table holds all of them.
CREATE OR REPLACE TABLE mart.lait_long AS
WITH described AS (
    SELECT
        indicator,
        string_agg(DISTINCT topic, '; ' ORDER BY topic) AS topic,
        min(measure) AS measure,
        min(polarity) AS polarity,
        min(year_type) AS year_type,
        bool_or(in_panel) AS in_panel
    FROM mart.lait_dictionary
    GROUP BY indicator
),
short_descs AS (
    SELECT lait_indicator_id(short_desc) AS indicator, short_desc FROM (SELECT DISTINCT short_desc FROM loaded.lait)
),
code_owner AS (
    SELECT DISTINCT la_code, authority_id FROM ref.local_authorities
)
SELECT
    s.indicator,
    r.short_desc AS lait_short_desc,
    d.topic,
    d.measure,
    s.geographic_level,
    s.area_code,
    s.la_code_3,
    s.area_name,
    CASE WHEN s.geographic_level = 'local_authority' THEN o.authority_id END AS authority_id,
    s.year,
    s.published_period,
    s.value,
    s.status,
    s.symbol,
    s.unit,
    coalesce(d.polarity, 'neutral') AS polarity,
    d.year_type,
    coalesce(d.in_panel, false) AS in_panel,
    s.source_entry,
    s.release,
    s.source_row
FROM intermediate.int_lait_series AS s
JOIN short_descs AS r USING (indicator)
LEFT JOIN described AS d USING (indicator)
LEFT JOIN code_owner AS o ON o.la_code = s.area_code
ORDER BY s.indicator, s.geographic_level, s.area_code, s.year;

COMMENT ON TABLE mart.lait_long IS 'DfE LAIT whole data set: indicator x area x year, each indicator from the latest LAIT refresh that carries it.';
COMMENT ON COLUMN mart.lait_long.indicator IS 'lait_ + LAIT''s short description in snake case; definitions in mart.lait_dictionary.';
COMMENT ON COLUMN mart.lait_long.geographic_level IS 'national (England, LAIT 970), regional (980-990, with Inner and Outer London as E13 codes) or local_authority.';
COMMENT ON COLUMN mart.lait_long.area_code IS 'GSS code: for LAs the code in force on 31 March of the year (LAIT gives DfE 3-digit codes only).';
COMMENT ON COLUMN mart.lait_long.year IS 'Year ending 31 March: the last year the LAIT label names (2015/16 -> 2016, 2024-25 -> 2025), plus one for measures at the end of September.';
COMMENT ON COLUMN mart.lait_long.published_period IS 'LAIT''s period label (e.g. 2015/16, 2024 (Rev), 2024-25 (OT)).';
COMMENT ON COLUMN mart.lait_long.status IS 'published, missing (LAIT -), suppressed (c), or not_applicable (an empty cell for an authority that did not exist that year).';
COMMENT ON COLUMN mart.lait_long.in_panel IS 'TRUE if the indicator is also in mart.la_indicator_panel.';
COMMENT ON COLUMN mart.lait_long.source_row IS 'Row of the LAIT parquet file (1-based) the value came from.';
COMMENT ON COLUMN mart.lait_long.lait_short_desc IS 'LAIT''s own short description of the indicator (Short Desc).';
COMMENT ON COLUMN mart.lait_long.topic IS 'LAIT topic(s) the indicator is shown under, joined by ''; ''.';
COMMENT ON COLUMN mart.lait_long.measure IS 'LAIT''s full measure name (see mart.lait_dictionary).';
COMMENT ON COLUMN mart.lait_long.la_code_3 IS 'DfE 3-digit code LAIT gives the area (970 England, 980-990 regions).';
COMMENT ON COLUMN mart.lait_long.area_name IS 'Area name as LAIT publishes it.';
COMMENT ON COLUMN mart.lait_long.authority_id IS 'Stable id of the authority (see mart.la_reference); NULL for national and regional rows.';
COMMENT ON COLUMN mart.lait_long.value IS 'The value; NULL when suppressed, missing or not applicable (see status and symbol).';
COMMENT ON COLUMN mart.lait_long.symbol IS 'The symbol LAIT printed instead of a number (-); NULL otherwise.';
COMMENT ON COLUMN mart.lait_long.unit IS 'Unit as LAIT labels it (e.g. Number, Rate per 10,000, % of Children Looked After).';
COMMENT ON COLUMN mart.lait_long.polarity IS 'higher_is_better, higher_is_worse or neutral (from mart.lait_dictionary; neutral when undefined).';
COMMENT ON COLUMN mart.lait_long.year_type IS 'LAIT''s period type (Financial Year, Academic Year, ...; see mart.lait_dictionary.year_type).';
COMMENT ON COLUMN mart.lait_long.source_entry IS 'Catalog entry of the LAIT file the value came from; join meta.provenance for URL, sha256 and fetch time.';
COMMENT ON COLUMN mart.lait_long.release IS 'Release (publication date) of the LAIT refresh the value came from.';
