-- description: What each indicator id means: definition, unit, polarity (whether higher is better, worse or neither), numerator and denominator ids for rates and percentages, and where it is defined.
CREATE OR REPLACE TABLE mart.indicator_dictionary AS
SELECT indicator, definition, unit, polarity, numerator, denominator, kind, defined_in
FROM ref.indicators
ORDER BY indicator;

COMMENT ON TABLE mart.indicator_dictionary IS 'Indicator ids used in mart.la_indicator_panel, with definitions.';
COMMENT ON COLUMN mart.indicator_dictionary.polarity IS 'higher_is_better, higher_is_worse or neutral.';
COMMENT ON COLUMN mart.indicator_dictionary.kind IS 'count, rate (per 10,000 children aged 0-17), percent, or other.';
COMMENT ON COLUMN mart.indicator_dictionary.indicator IS 'Indicator id, as in mart.la_indicator_panel.indicator.';
COMMENT ON COLUMN mart.indicator_dictionary.definition IS 'What the indicator counts or measures, and at what date or over what period.';
COMMENT ON COLUMN mart.indicator_dictionary.unit IS 'Unit of the value as the reference defines it (e.g. children, per 10000 children aged 0-17, percent of referrals, FTE).';
COMMENT ON COLUMN mart.indicator_dictionary.numerator IS 'For rates and percentages: the indicator id of the numerator (NULL otherwise); rates are recomputed from it on the current geography.';
COMMENT ON COLUMN mart.indicator_dictionary.denominator IS 'For rates and percentages: the indicator id of the denominator (e.g. population_0_17); NULL otherwise.';
COMMENT ON COLUMN mart.indicator_dictionary.defined_in IS 'The file of csc_pipeline/reference/indicators/ that defines it (one per source family: cla, cin, csww, ...).';
