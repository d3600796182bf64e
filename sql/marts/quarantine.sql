-- description: Rows set aside by the contracts' soft (plausibility) rules, with the file, row, column, value and reason; they are not in the panel. Empty when nothing was quarantined.
-- depends_on: raw.*
CREATE OR REPLACE TABLE mart.quarantine AS
SELECT family, source_file, source_row, "column", value, reason
FROM meta.quarantine
ORDER BY family, source_file, source_row;

COMMENT ON TABLE mart.quarantine IS 'Published rows not loaded because a plausibility rule in schemas/ flagged them.';
