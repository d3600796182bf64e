-- description: Ofsted inspections of LA children's services from the wide history sheets (2023 "Children's social care data in England": SLAC 2009-2012, CPI/CPRI and TLAC 2012-2013, SIF 2014-2018, first and second ILACS; 2024 "LA inspection outcomes": ILACS only): one row per inspection and judgement area, every vintage kept. These sheets give publication dates only (inspection_date is NULL) and LA names only: la_code is the name resolved against the LA reference for the year of each publication date, so a county and its same-named successor (Dorset) are told apart.
CREATE OR REPLACE TABLE staging.stg_ofsted_la_inspections_wide AS
WITH inspections AS (
    SELECT w.*, unnest([
        -- framework, inspection type, publication date, the LA's code then, judgement area -> grade
        ofsted_inspection('SLAC', 'SLAC inspection', w.slac_publication_date, w.slac_publication_date_la_code,
            MAP {'safeguarding': w.slac_safeguarding, 'looked_after_children': w.slac_looked_after_children}),
        ofsted_inspection('SLAC', 'SLAC re-inspection of safeguarding', w.slac_reinspection_safeguarding_publication_date,
            w.slac_reinspection_safeguarding_publication_date_la_code, MAP {'safeguarding': w.slac_reinspection_safeguarding}),
        ofsted_inspection('SLAC', 'SLAC re-inspection of services for children looked after', w.slac_reinspection_lac_publication_date,
            w.slac_reinspection_lac_publication_date_la_code, MAP {'looked_after_children': w.slac_reinspection_lac}),
        ofsted_inspection('CPI', 'Child protection inspection', w.cpi_publication_date, w.cpi_publication_date_la_code,
            MAP {'child_protection': w.cpi_overall}),
        ofsted_inspection('CPI', 'Child protection re-inspection', w.cpri_publication_date, w.cpri_publication_date_la_code,
            MAP {'child_protection': w.cpri_overall}),
        ofsted_inspection('TLAC', 'Targeted looked after children inspection', w.tlac_publication_date, w.tlac_publication_date_la_code,
            MAP {'looked_after_children': w.tlac_overall}),
        -- The review of the Local Safeguarding Children Board was published with the SIF inspection.
        ofsted_inspection('SIF', 'SIF inspection', w.sif_publication_date, w.sif_publication_date_la_code, MAP {
            'overall_effectiveness': w.sif_overall, 'help_and_protection': w.sif_help_and_protection,
            'looked_after_and_permanence': w.sif_looked_after_permanence, 'adoption': w.sif_adoption,
            'care_leavers': w.sif_care_leavers, 'leadership_management_governance': w.sif_leadership, 'lscb': w.sif_lscb}),
        ofsted_inspection('SIF', 'SIF re-inspection', w.sif_reinspection_publication_date, w.sif_reinspection_publication_date_la_code, MAP {
            'overall_effectiveness': w.sif_reinspection_overall, 'help_and_protection': w.sif_reinspection_help_and_protection,
            'looked_after_and_permanence': w.sif_reinspection_looked_after_permanence, 'adoption': w.sif_reinspection_adoption,
            'care_leavers': w.sif_reinspection_care_leavers, 'leadership_management_governance': w.sif_reinspection_leadership}),
        -- First ILACS: before 1 January 2023 children_in_care covered care leavers too.
        ofsted_inspection('ILACS', w.ilacs_1_inspection_type, w.ilacs_1_publication_date, w.ilacs_1_publication_date_la_code, MAP {
            'overall_effectiveness': w.ilacs_1_overall_effectiveness, 'impact_of_leaders': w.ilacs_1_impact_of_leaders,
            'help_and_protection': w.ilacs_1_help_and_protection, 'children_in_care': w.ilacs_1_children_in_care,
            'care_leavers': w.ilacs_1_care_leavers}),
        ofsted_inspection('ILACS', w.ilacs_2_inspection_type, w.ilacs_2_publication_date, w.ilacs_2_publication_date_la_code, MAP {
            'overall_effectiveness': w.ilacs_2_overall_effectiveness, 'impact_of_leaders': w.ilacs_2_impact_of_leaders,
            'help_and_protection': w.ilacs_2_help_and_protection, 'children_in_care': w.ilacs_2_children_in_care,
            'care_leavers': w.ilacs_2_care_leavers})
    ]) AS i
    FROM loaded.ofsted_la_inspections_wide AS w
)
SELECT
    i.la_code,
    la_name AS la_name_published,
    i.framework,
    i.inspection_type,
    NULL::DATE AS inspection_date,
    published_date(i.published) AS publication_date,
    g.key AS judgement_area,
    g.value AS grade,
    source_entry, release, source_file, source_row
FROM inspections, unnest(map_entries(i.grades)) AS judgements(g)
-- A judgement needs a publication date; a blank grade is no judgement, '-' is kept (no judgement in that area).
WHERE i.published IS NOT NULL AND g.value IS NOT NULL;
