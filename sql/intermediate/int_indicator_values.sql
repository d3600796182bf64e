-- description: Every published value from every source and vintage in one long table, with the nation and, for LA rows, the authority the code belongs to.
CREATE OR REPLACE TABLE intermediate.int_indicator_values AS
WITH unioned AS (
    -- Every model whose header says `-- feeds: intermediate.int_indicator_values` (a new source
    -- family joins the panel by saying so in its staging model).
    SELECT * FROM int_indicator_values_feeds
),
code_owner AS (
    -- A GSS code belongs to one authority (recodes keep the authority, so both codes map to it).
    SELECT DISTINCT la_code, authority_id FROM ref.local_authorities
)
SELECT
    u.*,
    CASE u.country_code WHEN 'E92000001' THEN 'England' WHEN 'W92000004' THEN 'Wales' END AS nation,
    CASE WHEN u.geographic_level = 'local_authority' THEN o.authority_id END AS authority_id,
    c.precedence
FROM unioned AS u
-- Equality-only joins (hash joins); a level condition in ON would force a nested-loop join.
LEFT JOIN code_owner AS o ON o.la_code = u.area_code
LEFT JOIN ref.catalog_entries AS c ON c.entry_id = u.source_entry;
