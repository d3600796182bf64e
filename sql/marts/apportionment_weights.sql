-- description: The weights used to put earlier years on current boundaries: predecessor, successor, change date and type, weight, and the population year and source it was computed from.
-- depends_on: intermediate.int_apportionment_weights
CREATE OR REPLACE TABLE mart.apportionment_weights AS
SELECT * FROM intermediate.int_apportionment_weights;

COMMENT ON TABLE mart.apportionment_weights IS 'Share of each predecessor authority given to each successor at a boundary change (child 0-17 population shares; 1 for whole-authority merges).';
COMMENT ON COLUMN mart.apportionment_weights.weight IS 'Share of the predecessor''s children (and counts) given to the successor; NULL when a population needed is missing.';
COMMENT ON COLUMN mart.apportionment_weights.population_year IS 'Year (ending 31 March) of the successor populations the weight was computed from.';
