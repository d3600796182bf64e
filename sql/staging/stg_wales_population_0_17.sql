-- description: Children aged 0-17 in Welsh LAs, summed from ONS MYE2 single-year-of-age estimates: the ONS CSV layout (mid-2014 for the UK; synthetic stand-ins for other mid-years in the demo set) and the upper-tier re-export of mid-2019 and mid-2020. Mid-year Y falls in the year ending 31 March Y + 1, so year = Y + 1. Welsh rows only: England's populations come from the DfE-republished ONS files.
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE staging.stg_wales_population_0_17 AS
WITH single_years AS (
    SELECT * FROM loaded.wales_population_mye2
    UNION ALL BY NAME
    SELECT * FROM loaded.wales_population_utla_single_year
),
summed AS (
    SELECT
        m.*,
        published_number(m."0") + published_number(m."1") + published_number(m."2")
          + published_number(m."3") + published_number(m."4") + published_number(m."5")
          + published_number(m."6") + published_number(m."7") + published_number(m."8")
          + published_number(m."9") + published_number(m."10") + published_number(m."11")
          + published_number(m."12") + published_number(m."13") + published_number(m."14")
          + published_number(m."15") + published_number(m."16") + published_number(m."17") AS children_0_17
    FROM single_years AS m
    WHERE m.code LIKE 'W06%'
)
SELECT
    'local_authority' AS geographic_level,
    code AS area_code,
    NULL::VARCHAR AS la_code_3,
    name AS area_name,
    'W92000004' AS country_code,
    CAST(period AS INTEGER) + 1 AS year,
    'mid-' || period AS published_period,
    'population_0_17' AS indicator,
    children_0_17 AS value,
    NULL::VARCHAR AS symbol,
    CASE WHEN children_0_17 IS NULL THEN 'missing' ELSE 'published' END AS status,
    'children aged 0-17' AS unit,
    source_entry,
    release,
    source_file,
    source_row
FROM summed;
