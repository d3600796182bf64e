-- description: Ofsted ILACS inspections from the "LA inspection outcomes as at 31 March" history sheet (2025 layout: one row per inspection, GSS code, inspection and publication dates): one row per inspection and judgement area, every vintage kept. Blank sub-judgements (care leavers before 2023; overall effectiveness from April 2026) are not judgements and are left out.
-- depends_on: raw.ofsted_ilacs_history
CREATE OR REPLACE TABLE staging.stg_ofsted_ilacs_history AS
WITH judgements AS (
    SELECT
        h.*,
        unnest([
            {judgement_area: 'overall_effectiveness', grade: h.overall_effectiveness},
            {judgement_area: 'impact_of_leaders', grade: h.impact_of_leaders},
            {judgement_area: 'help_and_protection', grade: h.help_and_protection},
            -- Before 1 January 2023: "children in care and care leavers" (the file uses today's wording).
            {judgement_area: 'children_in_care', grade: h.children_in_care},
            {judgement_area: 'care_leavers', grade: h.care_leavers}
        ], recursive := true)
    FROM raw.ofsted_ilacs_history AS h
)
SELECT
    la_code,
    la_name AS la_name_published,
    'ILACS' AS framework,
    inspection_type,
    published_date(inspection_date) AS inspection_date,
    published_date(publication_date) AS publication_date,
    judgement_area,
    grade,
    source_entry,
    release,
    source_file,
    source_row
FROM judgements
WHERE grade IS NOT NULL;
