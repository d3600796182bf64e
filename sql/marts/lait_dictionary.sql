-- description: The DfE LAIT data dictionary: one row per LAIT indicator and topic it is shown under, with the warehouse's indicator id (lait_<short description>), definition, unit, polarity (LAIT's High / Low mapped to higher_is_better / higher_is_worse), year type, source, methodology, and whether the indicator is in mart.la_indicator_panel.
CREATE OR REPLACE TABLE mart.lait_dictionary AS
SELECT
    lait_indicator_id(d.measure_short) AS indicator,
    d.measure_short AS lait_short_desc,
    d.topic,
    d.measure,
    d.chart_title,
    d.description,
    d.methodology,
    nullif(d.y_axis_name, 'NA') AS unit,
    CASE d.polarity WHEN 'High' THEN 'higher_is_better' WHEN 'Low' THEN 'higher_is_worse' ELSE 'neutral' END AS polarity,
    d.polarity AS lait_polarity,
    d.year_type,
    nullif(d.dps, 'NA') AS decimal_places,
    d.measure_code AS lait_measure_code,
    d.table_status AS lait_source_table,
    d.data_owner,
    nullif(d.hyperlinks, 'NA') AS hyperlinks,
    -- Update dates are spreadsheet day numbers (days since 1899-12-30); other text is kept as a note.
    DATE '1899-12-30' + TRY_CAST(d.last_update AS INTEGER) AS last_update,
    DATE '1899-12-30' + TRY_CAST(d.next_update AS INTEGER) AS next_update,
    CASE WHEN TRY_CAST(d.next_update AS INTEGER) IS NULL THEN nullif(d.next_update, 'NA') END AS next_update_note,
    lait_indicator_id(d.measure_short) IN (SELECT indicator FROM ref.indicators) AS in_panel,
    d.source_entry,
    d.release
FROM loaded.lait_dictionary AS d
ORDER BY d.topic, d.measure_short;

COMMENT ON TABLE mart.lait_dictionary IS 'DfE LAIT data dictionary: one row per LAIT indicator and topic (an indicator shown under two topics has two rows).';
COMMENT ON COLUMN mart.lait_dictionary.indicator IS 'Warehouse indicator id: lait_ + the short description in snake case (as in mart.lait_long).';
COMMENT ON COLUMN mart.lait_dictionary.lait_short_desc IS 'LAIT''s own short description (Measure_short; Short Desc in the data set).';
COMMENT ON COLUMN mart.lait_dictionary.polarity IS 'higher_is_better (LAIT High), higher_is_worse (LAIT Low) or neutral (LAIT - or NA).';
COMMENT ON COLUMN mart.lait_dictionary.year_type IS 'LAIT''s period type: Financial Year, Academic Year, Calendar Year, Annual (31 March), Annual - January, Annual (end of Sept).';
COMMENT ON COLUMN mart.lait_dictionary.in_panel IS 'TRUE if the indicator is one of the curated LAIT indicators in mart.la_indicator_panel.';
COMMENT ON COLUMN mart.lait_dictionary.topic IS 'LAIT topic the indicator is shown under (e.g. Adoption, Child Protection).';
COMMENT ON COLUMN mart.lait_dictionary.measure IS 'LAIT''s full measure name.';
COMMENT ON COLUMN mart.lait_dictionary.chart_title IS 'Title LAIT gives the indicator''s chart.';
COMMENT ON COLUMN mart.lait_dictionary.description IS 'LAIT''s definition of the indicator.';
COMMENT ON COLUMN mart.lait_dictionary.methodology IS 'LAIT''s note on how the indicator is calculated and read.';
COMMENT ON COLUMN mart.lait_dictionary.unit IS 'Unit as LAIT labels the chart axis (e.g. % of Children Looked After); NULL where LAIT gives NA.';
COMMENT ON COLUMN mart.lait_dictionary.lait_polarity IS 'LAIT''s polarity as published: High, Low, - or NA (mapped into polarity).';
COMMENT ON COLUMN mart.lait_dictionary.decimal_places IS 'Decimal places LAIT shows the value with, as published (text); NULL where LAIT gives NA.';
COMMENT ON COLUMN mart.lait_dictionary.lait_measure_code IS 'LAIT''s measure code (e.g. 208, 208b).';
COMMENT ON COLUMN mart.lait_dictionary.lait_source_table IS 'The source table LAIT names for the indicator (a DfE data file or table id), as published; NA when none.';
COMMENT ON COLUMN mart.lait_dictionary.data_owner IS 'Department that owns the source data (e.g. DfE).';
COMMENT ON COLUMN mart.lait_dictionary.hyperlinks IS 'Link to the source publication; NULL where LAIT gives NA.';
COMMENT ON COLUMN mart.lait_dictionary.last_update IS 'When LAIT last updated the indicator (from a spreadsheet day number); NULL when not a date.';
COMMENT ON COLUMN mart.lait_dictionary.next_update IS 'When LAIT expects to update it next; NULL when not a date (see next_update_note).';
COMMENT ON COLUMN mart.lait_dictionary.next_update_note IS 'LAIT''s next-update text when it is not a date (e.g. Discontinued).';
COMMENT ON COLUMN mart.lait_dictionary.source_entry IS 'Catalog entry of the dictionary file; join meta.provenance for URL, sha256 and fetch time.';
COMMENT ON COLUMN mart.lait_dictionary.release IS 'Release (publication date) of the LAIT dictionary file.';
