-- description: Ofsted inspections of LA children's services from the wide history sheets (2023 "Children's social care data in England": SLAC 2009-2012, CPI/CPRI and TLAC 2012-2013, SIF 2014-2018, first and second ILACS; 2024 "LA inspection outcomes": ILACS only): one row per inspection and judgement area, every vintage kept. These sheets give publication dates only (inspection_date is NULL) and LA names only: la_code is the name resolved against the LA reference for the year of each publication date, so a county and its same-named successor (Dorset) are told apart.
-- depends_on: raw.ofsted_la_inspections_wide
CREATE OR REPLACE TABLE staging.stg_ofsted_la_inspections_wide AS
WITH judgements AS (
    SELECT
        w.la_name, w.source_entry, w.release, w.source_file, w.source_row,
        unnest([
            -- framework, inspection type, judgement area, publication date, the LA's code then, grade
            ofsted_judgement('SLAC', 'SLAC inspection', 'safeguarding', w.slac_publication_date, w.slac_publication_date_la_code, w.slac_safeguarding),
            ofsted_judgement('SLAC', 'SLAC inspection', 'looked_after_children', w.slac_publication_date, w.slac_publication_date_la_code, w.slac_looked_after_children),
            ofsted_judgement('SLAC', 'SLAC re-inspection of safeguarding', 'safeguarding', w.slac_reinspection_safeguarding_publication_date,
                             w.slac_reinspection_safeguarding_publication_date_la_code, w.slac_reinspection_safeguarding),
            ofsted_judgement('SLAC', 'SLAC re-inspection of services for children looked after', 'looked_after_children',
                             w.slac_reinspection_lac_publication_date, w.slac_reinspection_lac_publication_date_la_code, w.slac_reinspection_lac),
            ofsted_judgement('CPI', 'Child protection inspection', 'child_protection', w.cpi_publication_date, w.cpi_publication_date_la_code, w.cpi_overall),
            ofsted_judgement('CPI', 'Child protection re-inspection', 'child_protection', w.cpri_publication_date, w.cpri_publication_date_la_code, w.cpri_overall),
            ofsted_judgement('TLAC', 'Targeted looked after children inspection', 'looked_after_children', w.tlac_publication_date, w.tlac_publication_date_la_code, w.tlac_overall),
            ofsted_judgement('SIF', 'SIF inspection', 'overall_effectiveness', w.sif_publication_date, w.sif_publication_date_la_code, w.sif_overall),
            ofsted_judgement('SIF', 'SIF inspection', 'help_and_protection', w.sif_publication_date, w.sif_publication_date_la_code, w.sif_help_and_protection),
            ofsted_judgement('SIF', 'SIF inspection', 'looked_after_and_permanence', w.sif_publication_date, w.sif_publication_date_la_code, w.sif_looked_after_permanence),
            ofsted_judgement('SIF', 'SIF inspection', 'adoption', w.sif_publication_date, w.sif_publication_date_la_code, w.sif_adoption),
            ofsted_judgement('SIF', 'SIF inspection', 'care_leavers', w.sif_publication_date, w.sif_publication_date_la_code, w.sif_care_leavers),
            ofsted_judgement('SIF', 'SIF inspection', 'leadership_management_governance', w.sif_publication_date, w.sif_publication_date_la_code, w.sif_leadership),
            -- The review of the Local Safeguarding Children Board was published with the SIF inspection.
            ofsted_judgement('SIF', 'SIF inspection', 'lscb', w.sif_publication_date, w.sif_publication_date_la_code, w.sif_lscb),
            ofsted_judgement('SIF', 'SIF re-inspection', 'overall_effectiveness', w.sif_reinspection_publication_date,
                             w.sif_reinspection_publication_date_la_code, w.sif_reinspection_overall),
            ofsted_judgement('SIF', 'SIF re-inspection', 'help_and_protection', w.sif_reinspection_publication_date,
                             w.sif_reinspection_publication_date_la_code, w.sif_reinspection_help_and_protection),
            ofsted_judgement('SIF', 'SIF re-inspection', 'looked_after_and_permanence', w.sif_reinspection_publication_date,
                             w.sif_reinspection_publication_date_la_code, w.sif_reinspection_looked_after_permanence),
            ofsted_judgement('SIF', 'SIF re-inspection', 'adoption', w.sif_reinspection_publication_date,
                             w.sif_reinspection_publication_date_la_code, w.sif_reinspection_adoption),
            ofsted_judgement('SIF', 'SIF re-inspection', 'care_leavers', w.sif_reinspection_publication_date,
                             w.sif_reinspection_publication_date_la_code, w.sif_reinspection_care_leavers),
            ofsted_judgement('SIF', 'SIF re-inspection', 'leadership_management_governance', w.sif_reinspection_publication_date,
                             w.sif_reinspection_publication_date_la_code, w.sif_reinspection_leadership),
            ofsted_judgement('ILACS', w.ilacs_1_inspection_type, 'overall_effectiveness', w.ilacs_1_publication_date,
                             w.ilacs_1_publication_date_la_code, w.ilacs_1_overall_effectiveness),
            ofsted_judgement('ILACS', w.ilacs_1_inspection_type, 'impact_of_leaders', w.ilacs_1_publication_date,
                             w.ilacs_1_publication_date_la_code, w.ilacs_1_impact_of_leaders),
            ofsted_judgement('ILACS', w.ilacs_1_inspection_type, 'help_and_protection', w.ilacs_1_publication_date,
                             w.ilacs_1_publication_date_la_code, w.ilacs_1_help_and_protection),
            -- Before 1 January 2023: "children in care and care leavers".
            ofsted_judgement('ILACS', w.ilacs_1_inspection_type, 'children_in_care', w.ilacs_1_publication_date,
                             w.ilacs_1_publication_date_la_code, w.ilacs_1_children_in_care),
            ofsted_judgement('ILACS', w.ilacs_1_inspection_type, 'care_leavers', w.ilacs_1_publication_date,
                             w.ilacs_1_publication_date_la_code, w.ilacs_1_care_leavers),
            ofsted_judgement('ILACS', w.ilacs_2_inspection_type, 'overall_effectiveness', w.ilacs_2_publication_date,
                             w.ilacs_2_publication_date_la_code, w.ilacs_2_overall_effectiveness),
            ofsted_judgement('ILACS', w.ilacs_2_inspection_type, 'impact_of_leaders', w.ilacs_2_publication_date,
                             w.ilacs_2_publication_date_la_code, w.ilacs_2_impact_of_leaders),
            ofsted_judgement('ILACS', w.ilacs_2_inspection_type, 'help_and_protection', w.ilacs_2_publication_date,
                             w.ilacs_2_publication_date_la_code, w.ilacs_2_help_and_protection),
            ofsted_judgement('ILACS', w.ilacs_2_inspection_type, 'children_in_care', w.ilacs_2_publication_date,
                             w.ilacs_2_publication_date_la_code, w.ilacs_2_children_in_care),
            ofsted_judgement('ILACS', w.ilacs_2_inspection_type, 'care_leavers', w.ilacs_2_publication_date,
                             w.ilacs_2_publication_date_la_code, w.ilacs_2_care_leavers)
        ], recursive := true)
    FROM raw.ofsted_la_inspections_wide AS w
)
SELECT
    la_code,
    la_name AS la_name_published,
    framework,
    inspection_type,
    NULL::DATE AS inspection_date,
    published_date(published) AS publication_date,
    judgement_area,
    grade,
    source_entry,
    release,
    source_file,
    source_row
FROM judgements
-- A judgement needs a publication date; a blank grade is no judgement, '-' is kept (no judgement in that area).
WHERE published IS NOT NULL AND grade IS NOT NULL;
