-- description: The Ofsted judgement in force for every English LA on 31 March of each year from 2010 (after the first SLAC inspections) to the latest vintage: the latest inspection of the LA's children's services as a whole (SLAC, SIF, ILACS) published on or before that date, with its framework, dates and overall grade. The overall grade is NULL for SLAC (no single grade), from April 2026 (ILACS drops it), and the inspection columns are NULL where the authority had not been inspected yet (e.g. a new unitary).
-- depends_on: mart.ofsted_judgements, ref.local_authorities, meta.provenance
CREATE OR REPLACE TABLE mart.ofsted_judgement_in_force AS
WITH years AS (
    SELECT year, make_date(year, 3, 31) AS as_at_date
    FROM range(2010, (SELECT coalesce(max(TRY_CAST(release AS INTEGER)), 2009) + 1 FROM mart.ofsted_judgements)) AS r(year)
),
authorities AS (
    SELECT y.year, y.as_at_date, a.la_code, a.la_code_3, a.la_name, a.region_name AS region, a.authority_id
    FROM years AS y
    JOIN ref.local_authorities AS a
        ON a.nation = 'England'
        AND coalesce(a.valid_from, DATE '1900-01-01') <= y.as_at_date
        AND coalesce(a.valid_to, DATE '9999-12-31') >= y.as_at_date
),
inspections AS (
    SELECT
        authority_id, framework, inspection_type, inspection_date, publication_date, source_entry, release, is_synthetic,
        max(grade) FILTER (WHERE judgement_area = 'overall_effectiveness') AS overall_grade,
        max(grade_ordinal) FILTER (WHERE judgement_area = 'overall_effectiveness') AS overall_grade_ordinal,
        bool_or(adequate_mapped) FILTER (WHERE judgement_area = 'overall_effectiveness') AS adequate_mapped
    FROM mart.ofsted_judgements
    WHERE whole_service
    GROUP BY ALL
),
in_force AS (
    SELECT a.*, i.* EXCLUDE (authority_id)
    FROM authorities AS a
    LEFT JOIN inspections AS i ON i.authority_id = a.authority_id AND i.publication_date <= a.as_at_date
    QUALIFY row_number() OVER (PARTITION BY a.year, a.la_code ORDER BY i.publication_date DESC NULLS LAST) = 1
)
SELECT
    year, as_at_date, la_code, la_code_3, la_name, region, authority_id,
    framework, inspection_type, inspection_date, publication_date,
    overall_grade, overall_grade_ordinal, coalesce(adequate_mapped, false) AS adequate_mapped,
    source_entry, release,
    coalesce(is_synthetic, (SELECT coalesce(bool_or(is_synthetic), false) FROM mart.ofsted_judgements)) AS is_synthetic
FROM in_force
ORDER BY la_name, year;

COMMENT ON TABLE mart.ofsted_judgement_in_force IS 'English LA x year (31 March): the latest whole-service Ofsted inspection (SLAC, SIF, ILACS) published on or before that date and its overall grade.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.year IS 'Year ending 31 March; the judgement is the one in force on as_at_date (31 March of year).';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.la_code IS 'GSS code of the authority in force on as_at_date; the judgement may have been published under an earlier code of the same authority (e.g. Buckinghamshire county before 2020).';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.framework IS 'Framework of the inspection in force (SLAC, SIF or ILACS); NULL if the authority had not been inspected by then.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.publication_date IS 'Publication date of the inspection in force: a judgement applies from its publication until the next one is published.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.inspection_date IS 'Start of that inspection; NULL where only the publication date is published (pre-ILACS).';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.overall_grade IS 'Overall effectiveness as published; NULL for SLAC (safeguarding and looked after children were graded separately, see mart.ofsted_judgements), for inspections from April 2026 (no overall grade) and where there is no inspection.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.overall_grade_ordinal IS '1 = Outstanding, 2 = Good, 3 = Requires improvement (or Adequate), 4 = Inadequate.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.adequate_mapped IS 'TRUE where the overall grade was published as "Adequate" and mapped to 3.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.is_synthetic IS 'TRUE for the generated demo data set: not official statistics.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.as_at_date IS '31 March of year: the date the judgement is in force on.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.la_code_3 IS 'DfE 3-digit LA code of la_code.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.la_name IS 'Name of the authority of la_code, from the LA reference.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.region IS 'English region of the authority (London for every London borough).';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.authority_id IS 'Stable id of the authority (see mart.la_reference): join on it to follow an authority across code changes.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.inspection_type IS 'Inspection in force as in mart.ofsted_judgements.inspection_type (SLAC inspection, SIF inspection or re-inspection, ILACS Standard or Short Inspection); NULL if none yet.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.source_entry IS 'Catalog entry of the file the judgement comes from; join meta.provenance for URL, sha256 and fetch time.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.release IS 'Vintage of the file the judgement comes from (the year ending 31 March the file is as at).';
