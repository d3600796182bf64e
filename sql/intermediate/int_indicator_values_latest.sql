-- description: One value per area, year and indicator: a published number beats a symbol; among numbers the source with the lowest catalog precedence wins (e.g. the ONS population file over the CLA file's denominator column), then the latest release (releases overlap and revise earlier years); a later release that withdrew the number (e.g. the 2023 CLA release marks 2019 rates of pre-2019 Dorset authorities 'x' after population re-basing) does not erase it, but a symbol is kept when no release has a number. LA rows are matched on the authority, so a recoded authority published under its old code in an old release and its new code in a new one is kept once, under the code of the winning release.
CREATE OR REPLACE TABLE intermediate.int_indicator_values_latest AS
SELECT *
FROM intermediate.int_indicator_values
QUALIFY row_number() OVER (
    PARTITION BY geographic_level, coalesce(authority_id, area_code), year, indicator
    ORDER BY
        CASE status WHEN 'published' THEN 0 WHEN 'not_applicable' THEN 2 ELSE 1 END,
        precedence,
        release DESC,
        source_entry DESC
) = 1;
