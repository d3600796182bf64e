-- description: The LA dimension: every upper-tier authority in England and Wales since 2005, one row per authority and GSS code period, with DfE 3-digit code, official name, region (and Inner/Outer London), LA type, nation and dates of operation.
CREATE OR REPLACE TABLE mart.la_reference AS
SELECT
    authority_id, la_code, la_code_3, la_name, nation, region_code, region_name AS region,
    london_subregion, la_type, valid_from, valid_to
FROM ref.local_authorities
ORDER BY nation, region_code, la_name, valid_from NULLS FIRST;

COMMENT ON TABLE mart.la_reference IS 'Upper-tier local authorities (England and Wales) since 2005: one row per authority and GSS code period.';
COMMENT ON COLUMN mart.la_reference.authority_id IS 'Stable id of the authority; the same across pure code changes (e.g. Gateshead 2013).';
COMMENT ON COLUMN mart.la_reference.la_code IS 'ONS GSS code (E06/E08/E09/E10/W06) valid from valid_from to valid_to.';
COMMENT ON COLUMN mart.la_reference.la_code_3 IS 'DfE 3-digit LA code (old_la_code).';
COMMENT ON COLUMN mart.la_reference.la_type IS 'london_borough, metropolitan_district, unitary_authority, shire_county or welsh_unitary_authority.';
COMMENT ON COLUMN mart.la_reference.valid_from IS 'First day the code applied (NULL: before 2005-04-01).';
COMMENT ON COLUMN mart.la_reference.valid_to IS 'Last day the code applied (NULL: still in use).';
COMMENT ON COLUMN mart.la_reference.la_name IS 'Official name of the authority for this code period.';
COMMENT ON COLUMN mart.la_reference.nation IS 'England or Wales.';
COMMENT ON COLUMN mart.la_reference.region_code IS 'GSS code of the English region (E12) or of Wales (W92000004).';
COMMENT ON COLUMN mart.la_reference.region IS 'English region name (e.g. North East); Wales for Welsh authorities.';
COMMENT ON COLUMN mart.la_reference.london_subregion IS 'Inner London or Outer London as the DfE files group London boroughs; NULL outside London.';
