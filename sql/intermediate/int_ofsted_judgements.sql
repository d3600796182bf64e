-- description: Every Ofsted judgement of an LA's children's services once: the staging vintages unioned, each judgement tied to its authority, and an inspection published by several vintages kept from the latest one only. The same inspection is recognised by authority, framework and a publication date within 183 days (inspections of one LA are years apart; the 2023 and 2024 files date Nottingham's 2022 ILACS publication 5 November 2022, a Saturday, which the 2025 file corrects to 5 September). Grades get their ordinal (1 = Outstanding ... 4 = Inadequate; the pre-November-2013 "Adequate" = 3, flagged).
CREATE OR REPLACE TABLE intermediate.int_ofsted_judgements AS
WITH unioned AS (
    SELECT * FROM staging.stg_ofsted_ilacs_history
    UNION ALL BY NAME SELECT * FROM staging.stg_ofsted_la_inspections_wide
),
code_owner AS (
    SELECT DISTINCT la_code, authority_id FROM ref.local_authorities
),
judgements AS (
    SELECT u.*, o.authority_id
    FROM unioned AS u
    LEFT JOIN code_owner AS o USING (la_code)
),
inspections AS (
    SELECT DISTINCT authority_id, framework, publication_date, release FROM judgements
),
superseded AS (
    SELECT older.*
    FROM inspections AS older
    JOIN inspections AS newer
        ON newer.authority_id = older.authority_id
        AND newer.framework = older.framework
        AND newer.release > older.release
        AND abs(date_diff('day', older.publication_date, newer.publication_date)) <= 183
)
SELECT
    j.la_code,
    j.authority_id,
    j.la_name_published,
    j.framework,
    j.inspection_type,
    j.inspection_date,
    j.publication_date,
    -- Inspections of the whole of the LA's children's services (not the single-service CPI, TLAC
    -- or SLAC re-inspections): the ones a "judgement in force" refers to.
    j.framework IN ('SIF', 'ILACS') OR j.inspection_type = 'SLAC inspection' AS whole_service,
    j.judgement_area,
    nullif(j.grade, '-') AS grade,
    ofsted_grade_ordinal(j.grade) AS grade_ordinal,
    coalesce(j.grade = 'Adequate', false) AS adequate_mapped,
    CASE WHEN j.grade = '-' THEN '-' END AS symbol,
    j.source_entry,
    j.release,
    j.source_file,
    j.source_row
FROM judgements AS j
ANTI JOIN superseded AS s USING (authority_id, framework, publication_date, release);
