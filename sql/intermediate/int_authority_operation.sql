-- description: When each authority operated: the first and last day over all its code periods (a pure recode does not interrupt it). A year (ending 31 March) is in force when its 31 March falls in between.
CREATE OR REPLACE TABLE intermediate.int_authority_operation AS
SELECT
    authority_id,
    min(coalesce(valid_from, DATE '1900-01-01')) AS operating_from,
    max(coalesce(valid_to, DATE '2999-12-31')) AS operating_to
FROM ref.local_authorities
GROUP BY authority_id;
