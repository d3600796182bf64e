-- EES tidy files name the geography of a row in three columns; these macros give its level and code.
CREATE OR REPLACE MACRO ees_level(geographic_level) AS
    CASE geographic_level
        WHEN 'National' THEN 'national' WHEN 'Regional' THEN 'regional' ELSE 'local_authority'
    END;

CREATE OR REPLACE MACRO ees_area_code(geographic_level, country_code, region_code, la_code) AS
    CASE geographic_level
        WHEN 'National' THEN country_code WHEN 'Regional' THEN region_code ELSE la_code
    END;
