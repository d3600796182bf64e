-- description: The Ofsted judgement in force for every English LA on 31 March of each year from 2010 (after the first SLAC inspections) to the latest vintage: the latest inspection of the LA's children's services as a whole (SLAC, SIF, ILACS) published on or before that date, with its framework, dates and overall grade. The overall grade is NULL for SLAC (no single grade), from April 2026 (ILACS drops it), and the inspection columns are NULL where the authority had not been inspected yet (e.g. a new unitary). rated_inadequate applies methods.md section 5's "rated inadequate" under the framework in force: the SIF/ILACS overall effectiveness of that inspection; for SLAC its overall effectiveness of safeguarding or of services for looked-after children (the latest SLAC inspection or re-inspection of each); and a child-protection inspection (CPI) published since the whole-service inspection in force (a later whole-service inspection supersedes it). TLAC inspections are not part of the definition.
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
),
-- The judgements that say "rated inadequate" in each framework (methods.md section 5).
outcome_judgements AS (
    SELECT authority_id, framework, judgement_area, publication_date, grade_ordinal
    FROM mart.ofsted_judgements
    WHERE grade_ordinal IS NOT NULL AND (
        (framework IN ('SIF', 'ILACS') AND whole_service AND judgement_area = 'overall_effectiveness')
        OR (framework = 'SLAC' AND judgement_area IN ('safeguarding', 'looked_after_children'))
        OR (framework = 'CPI' AND judgement_area = 'child_protection'))
),
-- Per LA, 31 March and framework x judgement area: the latest such judgement published by then and
-- not before the whole-service inspection in force (which supersedes earlier frameworks' judgements).
outcome_in_force AS (
    SELECT f.year, f.la_code, o.framework, o.judgement_area, o.publication_date, o.grade_ordinal
    FROM in_force AS f
    JOIN outcome_judgements AS o
        ON o.authority_id = f.authority_id
        AND o.publication_date <= f.as_at_date
        AND o.publication_date >= coalesce(f.publication_date, DATE '1900-01-01')
    QUALIFY row_number() OVER (PARTITION BY f.year, f.la_code, o.framework, o.judgement_area ORDER BY o.publication_date DESC) = 1
),
rated AS (
    SELECT
        year, la_code,
        bool_or(grade_ordinal = 4) AS rated_inadequate,
        string_agg(framework || ' ' || judgement_area || ' ' || strftime(publication_date, '%Y-%m-%d'), '; '
                   ORDER BY publication_date, framework, judgement_area) FILTER (WHERE grade_ordinal = 4) AS rated_inadequate_by
    FROM outcome_in_force
    GROUP BY ALL
)
SELECT
    f.year, f.as_at_date, f.la_code, f.la_code_3, f.la_name, f.region, f.authority_id,
    f.framework, f.inspection_type, f.inspection_date, f.publication_date,
    f.overall_grade, f.overall_grade_ordinal, coalesce(f.adequate_mapped, false) AS adequate_mapped,
    r.rated_inadequate, r.rated_inadequate_by,
    f.source_entry, f.release,
    coalesce(f.is_synthetic, (SELECT coalesce(bool_or(is_synthetic), false) FROM mart.ofsted_judgements)) AS is_synthetic
FROM in_force AS f
LEFT JOIN rated AS r USING (year, la_code)
ORDER BY f.la_name, f.year;

COMMENT ON TABLE mart.ofsted_judgement_in_force IS 'English LA x year (31 March): the latest whole-service Ofsted inspection (SLAC, SIF, ILACS) published on or before that date and its overall grade.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.year IS 'Year ending 31 March; the judgement is the one in force on as_at_date (31 March of year).';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.la_code IS 'GSS code of the authority in force on as_at_date; the judgement may have been published under an earlier code of the same authority (e.g. Buckinghamshire county before 2020).';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.framework IS 'Framework of the inspection in force (SLAC, SIF or ILACS); NULL if the authority had not been inspected by then.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.publication_date IS 'Publication date of the inspection in force: a judgement applies from its publication until the next one is published.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.inspection_date IS 'Start of that inspection; NULL where only the publication date is published (pre-ILACS).';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.overall_grade IS 'Overall effectiveness as published; NULL for SLAC (safeguarding and looked after children were graded separately, see mart.ofsted_judgements), for inspections from April 2026 (no overall grade) and where there is no inspection.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.overall_grade_ordinal IS '1 = Outstanding, 2 = Good, 3 = Requires improvement (or Adequate), 4 = Inadequate.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.adequate_mapped IS 'TRUE where the overall grade was published as "Adequate" and mapped to 3.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.rated_inadequate IS 'methods.md section 5 "rated inadequate" at as_at_date under the framework in force: TRUE when the SIF/ILACS overall effectiveness in force, a SLAC overall effectiveness of safeguarding or of services for looked-after children in force, or a child-protection inspection (CPI) published since the whole-service inspection in force is Inadequate; FALSE when such judgements are in force and none is Inadequate; NULL when none is in force (not inspected, or no graded judgement).';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.rated_inadequate_by IS 'The Inadequate judgements behind rated_inadequate: framework, judgement area and publication date, separated by ''; ''.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.is_synthetic IS 'TRUE for the generated demo data set: not official statistics.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.as_at_date IS '31 March of year: the date the judgement is in force on.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.la_code_3 IS 'DfE 3-digit LA code of la_code.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.la_name IS 'Name of the authority of la_code, from the LA reference.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.region IS 'English region of the authority (London for every London borough).';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.authority_id IS 'Stable id of the authority (see mart.la_reference): join on it to follow an authority across code changes.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.inspection_type IS 'Inspection in force as in mart.ofsted_judgements.inspection_type (SLAC inspection, SIF inspection or re-inspection, ILACS Standard or Short Inspection); NULL if none yet.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.source_entry IS 'Catalog entry of the file the judgement comes from; join meta.provenance for URL, sha256 and fetch time.';
COMMENT ON COLUMN mart.ofsted_judgement_in_force.release IS 'Vintage of the file the judgement comes from (the year ending 31 March the file is as at).';
