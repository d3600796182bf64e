-- description: DfE children's services statistical neighbours: one row per model version, file, LA and neighbour rank (1 = nearest of the 10), with the 3-digit codes as published and the GSS codes they resolve to through the LA reference for the model's year.
CREATE OR REPLACE TABLE staging.stg_dfe_statistical_neighbours AS
SELECT
    n.release AS model_version,
    n.la_num AS la_code_3,
    n.la_num_la_code AS la_code,
    n.la_name AS la_name_published,
    CAST(n.neighbour_rank AS INTEGER) AS neighbour_rank,
    n.neighbour_la_code_3,
    n.neighbour_la_code,
    n.proximity,
    n.source_entry,
    n.release,
    n.source_file,
    n.source_row
FROM loaded.dfe_statistical_neighbours
UNPIVOT INCLUDE NULLS (
    (neighbour_la_code_3, neighbour_la_code, proximity) FOR neighbour_rank IN (
        (sn_1, sn_1_la_code, sn_1_proximity) AS "1",
        (sn_2, sn_2_la_code, sn_2_proximity) AS "2",
        (sn_3, sn_3_la_code, sn_3_proximity) AS "3",
        (sn_4, sn_4_la_code, sn_4_proximity) AS "4",
        (sn_5, sn_5_la_code, sn_5_proximity) AS "5",
        (sn_6, sn_6_la_code, sn_6_proximity) AS "6",
        (sn_7, sn_7_la_code, sn_7_proximity) AS "7",
        (sn_8, sn_8_la_code, sn_8_proximity) AS "8",
        (sn_9, sn_9_la_code, sn_9_proximity) AS "9",
        (sn_10, sn_10_la_code, sn_10_proximity) AS "10"
    )
) AS n;
