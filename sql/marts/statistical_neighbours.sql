-- description: DfE children's services statistical neighbours, tidy: one row per model version ('2021-04', '2025-05'), LA and neighbour rank 1-10, with GSS codes resolved through the LA reference and the authority of both sides. A model obtained as several files (DfE's CSV and the LAIT workbook) appears once: an LA's neighbours come from the CSV where it lists the LA, else from the workbook (the two agree where both list an LA).
CREATE OR REPLACE TABLE mart.statistical_neighbours AS
WITH code_rows AS (
    SELECT * FROM ref.local_authorities
    QUALIFY row_number() OVER (PARTITION BY la_code ORDER BY valid_from DESC NULLS LAST) = 1
),
authority_end AS (
    -- The last day an authority existed (a recode, e.g. Barnsley in May 2025, does not end it).
    SELECT authority_id, max(coalesce(valid_to, DATE '9999-12-31')) AS last_day FROM ref.local_authorities GROUP BY authority_id
),
one_file_per_la AS (
    SELECT *, make_date(CAST(left(model_version, 4) AS INTEGER), CAST(right(model_version, 2) AS INTEGER), 1) AS model_date
    FROM staging.stg_dfe_statistical_neighbours
    QUALIFY dense_rank() OVER (
        PARTITION BY model_version, la_code_3 ORDER BY lower(source_file) LIKE '%.csv' DESC, source_entry
    ) = 1
)
SELECT
    n.model_version,
    n.model_date,
    n.la_code,
    n.la_code_3,
    r.la_name,
    r.authority_id,
    -- The "Old SNs" of a model: authorities abolished before it, kept by DfE for earlier years.
    e.last_day < n.model_date AS la_abolished_before_model,
    n.neighbour_rank,
    n.neighbour_la_code,
    n.neighbour_la_code_3,
    nr.la_name AS neighbour_la_name,
    nr.authority_id AS neighbour_authority_id,
    n.proximity,
    n.source_entry,
    n.release,
    n.source_file,
    n.source_row,
    n.source_entry IN (SELECT entry_id FROM meta.provenance WHERE synthetic) AS is_synthetic
FROM one_file_per_la AS n
JOIN code_rows AS r ON r.la_code = n.la_code
JOIN code_rows AS nr ON nr.la_code = n.neighbour_la_code
JOIN authority_end AS e ON e.authority_id = r.authority_id
ORDER BY n.model_version, r.la_name, n.neighbour_rank;

COMMENT ON TABLE mart.statistical_neighbours IS 'DfE children''s services statistical neighbours: model version x LA x neighbour rank (1 = nearest).';
COMMENT ON COLUMN mart.statistical_neighbours.model_version IS 'Year-month of the DfE model: 2021-04 (April 2021) or 2025-05 (May 2025).';
COMMENT ON COLUMN mart.statistical_neighbours.la_code IS 'GSS code of the LA, resolved from its DfE 3-digit code for the year ending 31 March of the model year (so 2025-05 uses Barnsley E08000016, the code of the 2025 data).';
COMMENT ON COLUMN mart.statistical_neighbours.authority_id IS 'Stable authority id: join on it to compare across code changes.';
COMMENT ON COLUMN mart.statistical_neighbours.la_abolished_before_model IS 'TRUE for the "Old SNs" rows: authorities abolished before the model date (e.g. Dorset county, Northamptonshire, Cumbria in 2025-05), whose neighbours DfE kept from an earlier model for earlier years.';
COMMENT ON COLUMN mart.statistical_neighbours.neighbour_rank IS '1 (the nearest neighbour) to 10.';
COMMENT ON COLUMN mart.statistical_neighbours.neighbour_la_code IS 'GSS code of the neighbour, resolved like la_code.';
COMMENT ON COLUMN mart.statistical_neighbours.proximity IS 'DfE''s closeness label: Extremely close, Very close, Close, Somewhat close, Not close (capitalisation harmonised).';
COMMENT ON COLUMN mart.statistical_neighbours.is_synthetic IS 'TRUE for the generated demo data set: not official statistics.';
COMMENT ON COLUMN mart.statistical_neighbours.model_date IS 'First day of the model''s month (2021-04-01, 2025-05-01).';
COMMENT ON COLUMN mart.statistical_neighbours.la_code_3 IS 'DfE 3-digit LA code as the model file publishes it.';
COMMENT ON COLUMN mart.statistical_neighbours.la_name IS 'Name of the authority of la_code, from the LA reference.';
COMMENT ON COLUMN mart.statistical_neighbours.neighbour_la_code_3 IS 'DfE 3-digit code of the neighbour as published.';
COMMENT ON COLUMN mart.statistical_neighbours.neighbour_la_name IS 'Name of the neighbour''s authority, from the LA reference.';
COMMENT ON COLUMN mart.statistical_neighbours.neighbour_authority_id IS 'Stable id of the neighbour''s authority (see mart.la_reference).';
COMMENT ON COLUMN mart.statistical_neighbours.source_entry IS 'Catalog entry of the file the row comes from (DfE CSV or LAIT workbook); join meta.provenance for URL, sha256 and fetch time.';
COMMENT ON COLUMN mart.statistical_neighbours.release IS 'Release of the file: the model version it publishes.';
COMMENT ON COLUMN mart.statistical_neighbours.source_file IS 'The published file, as its path in the mirror layout (e.g. dfe/statistical_neighbours/...csv).';
COMMENT ON COLUMN mart.statistical_neighbours.source_row IS 'Row of the file (1-based, as a person opening the file sees it) the row comes from.';
