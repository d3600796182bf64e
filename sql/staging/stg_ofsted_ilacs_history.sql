-- description: Ofsted ILACS inspections from the "LA inspection outcomes as at 31 March" history sheet (2025 layout: one row per inspection, GSS code, inspection and publication dates): one row per inspection and judgement area, every vintage kept. Blank sub-judgements (care leavers before 2023; overall effectiveness from April 2026) are not judgements and are left out.
CREATE OR REPLACE TABLE staging.stg_ofsted_ilacs_history AS
SELECT
    h.la_code,
    h.la_name AS la_name_published,
    'ILACS' AS framework,
    h.inspection_type,
    published_date(h.inspection_date) AS inspection_date,
    published_date(h.publication_date) AS publication_date,
    g.key AS judgement_area,
    g.value AS grade,
    h.source_entry, h.release, h.source_file, h.source_row
FROM loaded.ofsted_ilacs_history AS h,
    unnest(map_entries(MAP {
        'overall_effectiveness': h.overall_effectiveness,
        'impact_of_leaders': h.impact_of_leaders,
        'help_and_protection': h.help_and_protection,
        -- Before 1 January 2023: "children in care and care leavers" (the file uses today's wording).
        'children_in_care': h.children_in_care,
        'care_leavers': h.care_leavers
    })) AS judgements(g)
WHERE g.value IS NOT NULL;
