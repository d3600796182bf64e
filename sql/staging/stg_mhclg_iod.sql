-- description: English Indices of Deprivation (MHCLG File 11, upper-tier LA summaries), IoD2015 and IoD2019: the IMD and IDACI average scores and the ranks of those averages among the upper-tier authorities of the edition (1 = most deprived). year = the edition year (2015, 2019), not a year ending 31 March: an index describes the small areas of its edition, built mostly from data two to three years older. IoD2015 is on the upper-tier geography of 2013 (Bournemouth, Poole and Dorset county), IoD2019 on that of April 2019 (BCP and the Dorset unitary).
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE staging.stg_mhclg_iod AS
WITH cells AS (
    SELECT i.la_code, i.la_name, i.period, i.source_entry, i.release, i.source_file, i.source_row,
           m.indicator, m.cell, m.unit
    FROM loaded.mhclg_iod_imd AS i,
    LATERAL (VALUES
        ('imd_average_score', i.imd_average_score, 'IMD score'),
        ('imd_rank_of_average_score', i.imd_rank_of_average_score, 'rank among upper-tier LAs (1 = most deprived)')
    ) AS m(indicator, cell, unit)
    UNION ALL
    SELECT d.la_code, d.la_name, d.period, d.source_entry, d.release, d.source_file, d.source_row,
           m.indicator, m.cell, m.unit
    FROM loaded.mhclg_iod_idaci AS d,
    LATERAL (VALUES
        ('idaci_average_score', d.idaci_average_score, 'IDACI score (share of children aged 0-15)'),
        ('idaci_rank_of_average_score', d.idaci_rank_of_average_score, 'rank among upper-tier LAs (1 = most deprived)')
    ) AS m(indicator, cell, unit)
),
panel_cells AS (
    SELECT
        'local_authority' AS geographic_level,
        c.la_code AS area_code,
        NULL::VARCHAR AS la_code_3,
        c.la_name AS area_name,
        'E92000001' AS country_code,
        CAST(c.period AS INTEGER) AS year,
        'Indices of Deprivation ' || c.period AS published_period,
        c.indicator,
        c.cell AS cell,
        c.unit,
        c.source_entry,
        c.release,
        c.source_file,
        c.source_row
    FROM cells AS c
)
SELECT * FROM published_values(panel_cells);
