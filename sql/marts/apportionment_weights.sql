-- description: The weights used to put earlier years on current boundaries: predecessor, successor, change date and type, weight, and the population year and source it was computed from.
CREATE OR REPLACE TABLE mart.apportionment_weights AS
SELECT * FROM intermediate.int_apportionment_weights;

COMMENT ON TABLE mart.apportionment_weights IS 'Share of each predecessor authority given to each successor at a boundary change (child 0-17 population shares; 1 for whole-authority merges).';
COMMENT ON COLUMN mart.apportionment_weights.weight IS 'Share of the predecessor''s children (and counts) given to the successor; NULL when a population needed is missing.';
COMMENT ON COLUMN mart.apportionment_weights.population_year IS 'Year (ending 31 March) of the successor populations the weight was computed from.';
COMMENT ON COLUMN mart.apportionment_weights.event_date IS 'Date the boundary change took effect (e.g. 2019-04-01 for Bournemouth, Christchurch and Poole).';
COMMENT ON COLUMN mart.apportionment_weights.change_type IS 'merge (whole authorities combined), split, part_transfer or unitarisation, as in csc_pipeline/reference/boundary_changes.csv; pure recodes need no weight and are not listed.';
COMMENT ON COLUMN mart.apportionment_weights.predecessor IS 'authority_id of the authority before the change (see mart.la_reference).';
COMMENT ON COLUMN mart.apportionment_weights.successor IS 'authority_id of the authority after the change that receives the share.';
COMMENT ON COLUMN mart.apportionment_weights.predecessor_code IS 'GSS code of the predecessor at the change.';
COMMENT ON COLUMN mart.apportionment_weights.successor_code IS 'GSS code of the successor at the change.';
COMMENT ON COLUMN mart.apportionment_weights.method IS 'How the weight was set: whole authority merged (weight 1) or child (0-17) population share at the change.';
COMMENT ON COLUMN mart.apportionment_weights.population_source IS 'Catalog entry of the successor population the share was computed from (NULL for whole-authority merges); join meta.provenance.';
