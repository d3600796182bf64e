-- description: For every authority, the current authorities (those with no later boundary change) it maps to and with what weight, following chains of changes (e.g. Bedfordshire 2009 -> Bedford / Central Bedfordshire). Weights of one authority sum to 1, so harmonisation moves children between areas but never creates or loses any.
CREATE OR REPLACE TABLE intermediate.int_authority_to_current AS
WITH RECURSIVE walk(origin, authority_id, weight, apportioned, merged) AS (
    SELECT DISTINCT authority_id, authority_id, 1.0::DOUBLE, false, false
    FROM ref.local_authorities
    UNION ALL
    SELECT
        w.origin, e.successor, w.weight * e.weight,
        w.apportioned OR e.change_type <> 'merge',
        w.merged OR e.change_type = 'merge'
    FROM walk AS w
    JOIN intermediate.int_apportionment_weights AS e ON e.predecessor = w.authority_id
)
SELECT origin, authority_id AS current_authority, weight, apportioned, merged
FROM walk
WHERE authority_id NOT IN (SELECT predecessor FROM intermediate.int_apportionment_weights);
