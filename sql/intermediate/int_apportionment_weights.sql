-- description: How much of each predecessor authority goes to each successor at a boundary change between different authorities (splits, merges, part transfers, area-changing unitarisations), from child (0-17) population shares at the change. A merge passes the whole predecessor (weight 1). Otherwise each successor's contribution is its child population in the first year after the change, less the populations (in the last year before it) of other authorities merged whole into it; the predecessor's weights are those contributions' shares. E.g. Christchurch's share of Dorset county = (BCP - Bournemouth - Poole) / ((BCP - Bournemouth - Poole) + Dorset). The weight is NULL (and values not harmonisable) when a population is missing. Pure recodes keep the authority and need no weight.
CREATE OR REPLACE TABLE intermediate.int_apportionment_weights AS
WITH code_owner AS (
    SELECT DISTINCT la_code, authority_id FROM ref.local_authorities
),
edges AS (
    SELECT
        c.event_date, c.change_type, c.predecessor_code, c.successor_code,
        p.authority_id AS predecessor, s.authority_id AS successor,
        -- the first 31 March on or after the change, and the last before it
        CASE WHEN c.event_date <= make_date(year(c.event_date), 3, 31)
             THEN year(c.event_date) ELSE year(c.event_date) + 1 END AS first_year
    FROM ref.boundary_changes AS c
    JOIN code_owner AS p ON p.la_code = c.predecessor_code
    JOIN code_owner AS s ON s.la_code = c.successor_code
    WHERE p.authority_id <> s.authority_id
),
population AS (
    SELECT authority_id, year, value, source_entry
    FROM intermediate.int_indicator_values_latest
    WHERE geographic_level = 'local_authority' AND indicator = 'population_0_17' AND value > 0
),
merged_in AS (
    -- children that reached a successor through whole-authority merges
    SELECT e.successor, e.event_date, sum(p.value) AS merged_population, count(p.value) = count(*) AS complete
    FROM edges AS e
    LEFT JOIN population AS p ON p.authority_id = e.predecessor AND p.year = e.first_year - 1
    WHERE e.change_type = 'merge'
    GROUP BY ALL
),
contributions AS (
    SELECT
        e.*,
        CASE WHEN e.change_type <> 'merge' AND (m.successor IS NULL OR m.complete)
             THEN s.value - coalesce(m.merged_population, 0) END AS contribution,
        s.source_entry AS population_source
    FROM edges AS e
    LEFT JOIN population AS s ON s.authority_id = e.successor AND s.year = e.first_year
    LEFT JOIN merged_in AS m ON m.successor = e.successor AND m.event_date = e.event_date
)
SELECT
    event_date, change_type, predecessor, successor, predecessor_code, successor_code,
    CASE WHEN change_type = 'merge' THEN 1.0
         ELSE contribution / sum(contribution) OVER (PARTITION BY predecessor, event_date)
              * CASE WHEN count(contribution) OVER (PARTITION BY predecessor, event_date)
                          = count(*) OVER (PARTITION BY predecessor, event_date) THEN 1 END
    END AS weight,
    CASE WHEN change_type = 'merge' THEN 'whole authority merged'
         ELSE 'child (0-17) population share at the change' END AS method,
    CASE WHEN change_type = 'merge' THEN NULL ELSE first_year END AS population_year,
    CASE WHEN change_type = 'merge' THEN NULL ELSE population_source END AS population_source
FROM contributions
ORDER BY event_date, predecessor, successor;
