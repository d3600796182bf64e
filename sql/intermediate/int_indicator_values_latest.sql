-- description: One value per area, year and indicator: the latest release wins (releases overlap and revise earlier years). LA rows are matched on the authority, so a recoded authority published under its old code in an old release and its new code in a new one is kept once, under the code of the latest release. A 'not applicable' row never displaces a real value from another release.
-- depends_on: intermediate.int_indicator_values
CREATE OR REPLACE TABLE intermediate.int_indicator_values_latest AS
SELECT *
FROM intermediate.int_indicator_values
QUALIFY row_number() OVER (
    PARTITION BY geographic_level, coalesce(authority_id, area_code), year, indicator
    ORDER BY (status <> 'not_applicable') DESC, release DESC, source_entry DESC
) = 1;
