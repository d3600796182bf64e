-- description: Ofsted judgements of English LAs' children's services since 2009: one row per LA, inspection and judgement area, across the frameworks SLAC (2009-2012), CPI/CPRI and TLAC (2012-2013), SIF (2014-2018) and ILACS (2018 on), each inspection from the latest vintage that published it.
CREATE OR REPLACE TABLE mart.ofsted_judgements AS
WITH code_rows AS (
    SELECT * FROM ref.local_authorities
    QUALIFY row_number() OVER (PARTITION BY la_code ORDER BY valid_from DESC NULLS LAST) = 1
)
SELECT
    j.la_code,
    r.la_code_3,
    r.la_name,
    r.region_name AS region,
    j.* EXCLUDE (la_code),
    j.source_entry IN (SELECT entry_id FROM meta.provenance WHERE synthetic) AS is_synthetic
FROM intermediate.int_ofsted_judgements AS j
JOIN code_rows AS r ON r.la_code = j.la_code
ORDER BY r.la_name, j.publication_date, j.framework, j.judgement_area;

COMMENT ON TABLE mart.ofsted_judgements IS 'Ofsted judgements of LA children''s services (England, 2009 on): one row per LA, inspection and judgement area; an inspection published in several vintages comes from the latest.';
COMMENT ON COLUMN mart.ofsted_judgements.la_code IS 'GSS code of the authority when the judgement was published (as printed in the ILACS history; resolved from the LA name for the year of the publication date in the files that give names only).';
COMMENT ON COLUMN mart.ofsted_judgements.la_name_published IS 'The LA name as the file printed it.';
COMMENT ON COLUMN mart.ofsted_judgements.framework IS 'SLAC (safeguarding and looked after children, 2009-2012), CPI (child protection inspections and re-inspections, 2012-2013), TLAC (targeted looked after children, 2013), SIF (single inspection framework, 2014-2018), ILACS (2018 on).';
COMMENT ON COLUMN mart.ofsted_judgements.inspection_type IS 'As published for ILACS (ILACS Standard / Short Inspection); for earlier frameworks the inspection the column group describes (SLAC inspection, SLAC re-inspection of safeguarding, SIF inspection, SIF re-inspection, ...).';
COMMENT ON COLUMN mart.ofsted_judgements.inspection_date IS 'Start of the inspection; NULL where the file gives the publication date only (every pre-ILACS judgement, and ILACS inspections published only in the 2023/2024 vintages).';
COMMENT ON COLUMN mart.ofsted_judgements.publication_date IS 'Date the report was published.';
COMMENT ON COLUMN mart.ofsted_judgements.whole_service IS 'TRUE for inspections of the LA''s children''s services as a whole (SLAC, SIF and SIF re-inspections, ILACS standard and short), FALSE for single-service ones (CPI, TLAC, SLAC re-inspections).';
COMMENT ON COLUMN mart.ofsted_judgements.judgement_area IS 'overall_effectiveness (SIF and ILACS only; ILACS drops it from April 2026), impact_of_leaders, help_and_protection, children_in_care (ILACS; before 2023 children in care and care leavers), care_leavers, looked_after_and_permanence, adoption, leadership_management_governance, lscb (SIF), safeguarding and looked_after_children (SLAC overall effectiveness of each part; TLAC), child_protection (CPI).';
COMMENT ON COLUMN mart.ofsted_judgements.grade IS 'The grade as published: Outstanding, Good, Requires improvement to be good, Inadequate (Adequate before November 2013); NULL where the file prints ''-'' (no judgement in that area).';
COMMENT ON COLUMN mart.ofsted_judgements.grade_ordinal IS '1 = Outstanding, 2 = Good, 3 = Requires improvement (or Adequate), 4 = Inadequate: lower is better.';
COMMENT ON COLUMN mart.ofsted_judgements.adequate_mapped IS 'TRUE where the published grade was "Adequate" (pre-November-2013 scale) and grade_ordinal 3 is its mapping. The 2023 Ofsted file already prints pre-2013 grades on today''s scale, so this is FALSE for every judgement it holds.';
COMMENT ON COLUMN mart.ofsted_judgements.symbol IS '''-'' where the file printed a dash instead of a grade.';
COMMENT ON COLUMN mart.ofsted_judgements.release IS 'Vintage of the file the judgement comes from (the year ending 31 March the file is as at).';
COMMENT ON COLUMN mart.ofsted_judgements.is_synthetic IS 'TRUE for the generated demo data set: not official statistics.';
COMMENT ON COLUMN mart.ofsted_judgements.la_code_3 IS 'DfE 3-digit LA code of la_code.';
COMMENT ON COLUMN mart.ofsted_judgements.la_name IS 'Name of the authority of la_code, from the LA reference.';
COMMENT ON COLUMN mart.ofsted_judgements.region IS 'English region of the authority (London for every London borough).';
COMMENT ON COLUMN mart.ofsted_judgements.authority_id IS 'Stable id of the authority (see mart.la_reference): join on it to follow an authority across code changes.';
COMMENT ON COLUMN mart.ofsted_judgements.source_entry IS 'Catalog entry of the file the judgement comes from; join meta.provenance for URL, sha256 and fetch time.';
COMMENT ON COLUMN mart.ofsted_judgements.source_file IS 'The published file, as its path in the mirror layout (e.g. ofsted/...ods).';
COMMENT ON COLUMN mart.ofsted_judgements.source_row IS 'Row of the file (1-based, as a person opening the file sees it) the judgement comes from.';
