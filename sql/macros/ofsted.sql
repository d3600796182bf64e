-- Ofsted judgements on the four-point scale: 1 = Outstanding, 2 = Good, 3 = Requires improvement
-- (to be good), 4 = Inadequate. "Adequate", the third grade before November 2013, is 3 as well; the
-- judgement tables flag it (adequate_mapped). Anything else (e.g. '-': no judgement) has no ordinal.
CREATE OR REPLACE MACRO ofsted_grade_ordinal(grade) AS
    CASE trim(grade)
        WHEN 'Outstanding' THEN 1
        WHEN 'Good' THEN 2
        WHEN 'Requires improvement to be good' THEN 3
        WHEN 'Requires improvement' THEN 3
        WHEN 'Adequate' THEN 3
        WHEN 'Inadequate' THEN 4
    END;

-- One inspection in a row of an Ofsted sheet: its framework and type, when it was published, the
-- LA's code at that time, and its grades as a MAP judgement area -> grade as published.
CREATE OR REPLACE MACRO ofsted_inspection(framework, inspection_type, published, la_code, grades) AS
    {framework: framework, inspection_type: inspection_type, published: published, la_code: la_code, grades: grades};
