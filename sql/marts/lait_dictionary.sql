-- description: The DfE LAIT data dictionary: one row per LAIT indicator and topic it is shown under, with the warehouse's indicator id (lait_<short description>), definition, unit, polarity (LAIT's High / Low mapped to higher_is_better / higher_is_worse), year type, source, methodology, and whether the indicator is in mart.la_indicator_panel.
-- depends_on: raw.lait_dictionary, ref.indicators
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
FROM raw.lait_dictionary AS d
ORDER BY d.topic, d.measure_short;

COMMENT ON TABLE mart.lait_dictionary IS 'DfE LAIT data dictionary: one row per LAIT indicator and topic (an indicator shown under two topics has two rows).';
COMMENT ON COLUMN mart.lait_dictionary.indicator IS 'Warehouse indicator id: lait_ + the short description in snake case (as in mart.lait_long).';
COMMENT ON COLUMN mart.lait_dictionary.lait_short_desc IS 'LAIT''s own short description (Measure_short; Short Desc in the data set).';
COMMENT ON COLUMN mart.lait_dictionary.polarity IS 'higher_is_better (LAIT High), higher_is_worse (LAIT Low) or neutral (LAIT - or NA).';
COMMENT ON COLUMN mart.lait_dictionary.year_type IS 'LAIT''s period type: Financial Year, Academic Year, Calendar Year, Annual (31 March), Annual - January, Annual (end of Sept).';
COMMENT ON COLUMN mart.lait_dictionary.in_panel IS 'TRUE if the indicator is one of the curated LAIT indicators in mart.la_indicator_panel.';
