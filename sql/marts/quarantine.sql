-- description: Rows set aside by the contracts' soft (plausibility) rules, with the file, row, column, value and reason; they are not in the panel. Empty when nothing was quarantined.
CREATE OR REPLACE TABLE mart.quarantine AS
SELECT family, source_file, source_row, "column", value, reason
FROM meta.quarantine
ORDER BY family, source_file, source_row;

COMMENT ON TABLE mart.quarantine IS 'Published rows not loaded because a plausibility rule in schemas/ flagged them.';
COMMENT ON COLUMN mart.quarantine.family IS 'Source family of the file (a csc_pipeline/catalog entry family; its rows as loaded are loaded.<family>).';
COMMENT ON COLUMN mart.quarantine.source_file IS 'The published file, as its path in the mirror layout (e.g. dfe/cla/...); meta.provenance has its URL and sha256.';
COMMENT ON COLUMN mart.quarantine.source_row IS 'Row of the file (1-based, as a person opening the file sees it).';
COMMENT ON COLUMN mart.quarantine."column" IS 'Canonical column (as the contract names it) whose value broke the rule.';
COMMENT ON COLUMN mart.quarantine.value IS 'The cell as published (text).';
COMMENT ON COLUMN mart.quarantine.reason IS 'The plausibility rule it broke, and the contract under schemas/ that states it.';
