-- LAIT labels: the indicator id of a LAIT short description, and the year a LAIT period label names.

-- 'lait_' + the short description in snake case: lower case, '%' -> 'percent', '&' -> 'and', every
-- other run of characters outside a-z and 0-9 -> '_' ("%_of LAC Adopted" -> lait_percent_of_lac_adopted,
-- "LACDental%" -> lait_lacdental_percent, "16-17 NEET" -> lait_16_17_neet).
CREATE OR REPLACE MACRO lait_indicator_id(short_desc) AS
    'lait_' || trim(
        regexp_replace(replace(replace(lower(trim(short_desc)), '%', '_percent_'), '&', '_and_'), '[^a-z0-9]+', '_', 'g'),
        '_'
    );

-- The last year a period label names, a two-digit year completed from the label's first year:
-- '2024', '2024 (Rev)', '2023(prov)' -> 2024 / 2023; '2015/16' (academic year) and '2015-16'
-- (financial year) -> 2016; '2014-16' (three calendar years) and '2013/14-15/16' -> 2016;
-- '2024-25 (OT)' -> 2025. NULL for a label without a year ('0').
CREATE OR REPLACE MACRO lait_label_end_year(label) AS
    CASE length(regexp_extract_all(label, '\d+')[-1])
        WHEN 4 THEN CAST(regexp_extract_all(label, '\d+')[-1] AS INTEGER)
        WHEN 2 THEN CAST(left(regexp_extract_all(label, '\d+')[1], 2) || regexp_extract_all(label, '\d+')[-1] AS INTEGER)
    END;
