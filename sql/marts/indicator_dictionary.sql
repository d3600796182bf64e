-- description: What each indicator id means: definition, unit, polarity (whether higher is better, worse or neither), numerator and denominator ids for rates and percentages, and where it is defined.
-- depends_on: ref.indicators
CREATE OR REPLACE TABLE mart.indicator_dictionary AS
SELECT indicator, definition, unit, polarity, numerator, denominator, kind, defined_in
FROM ref.indicators
ORDER BY indicator;

COMMENT ON TABLE mart.indicator_dictionary IS 'Indicator ids used in mart.la_indicator_panel, with definitions.';
COMMENT ON COLUMN mart.indicator_dictionary.polarity IS 'higher_is_better, higher_is_worse or neutral.';
COMMENT ON COLUMN mart.indicator_dictionary.kind IS 'count, rate (per 10,000 children aged 0-17), percent, or other.';
