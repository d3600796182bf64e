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

-- One judgement of a wide Ofsted row (inspections side by side): which inspection, which area,
-- when it was published, the LA's code at that time and the grade.
CREATE OR REPLACE MACRO ofsted_judgement(framework, inspection_type, judgement_area, published, la_code, grade) AS
    {framework: framework, inspection_type: inspection_type, judgement_area: judgement_area,
     published: published, la_code: la_code, grade: grade};
