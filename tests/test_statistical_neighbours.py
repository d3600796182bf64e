"""DfE statistical neighbours: every real file conforms, neighbour 1 of several LAs equals the
published groupings, the CSV and LAIT copies of a model agree, and the demo files read back."""

from __future__ import annotations

import pytest

from csc_pipeline.settings import Settings
from pipeline_runs import family_warehouse

FAMILY = "dfe_statistical_neighbours"
TABLES = ["mart.statistical_neighbours"]


@pytest.fixture(scope="module")
def real(real_dir, tmp_path_factory):
    settings = Settings(source_mode="mirror", mirror_dir=real_dir, data_lake=tmp_path_factory.mktemp("lake"))
    con, problems = family_warehouse(settings, [FAMILY], TABLES)
    assert problems == {FAMILY: []}, problems
    yield con
    con.close()


@pytest.fixture(scope="module")
def demo(shared_demo_settings):
    con, problems = family_warehouse(shared_demo_settings, [FAMILY], TABLES)
    assert problems == {FAMILY: []}, problems
    yield con
    con.close()


@pytest.mark.parametrize(
    ("model", "la_code_3", "la_code", "neighbour_code_3", "neighbour_code", "proximity"),
    [
        ("2021-04", "202", "E09000007", "213", "E09000033", "Very close"),  # Camden -> Westminster
        ("2021-04", "203", "E09000011", "308", "E09000010", "Close"),  # Greenwich -> Enfield
        ("2021-04", "201", "E09000001", "207", "E09000020", "Not close"),  # City of London -> Kensington and Chelsea
        ("2025-05", "301", "E09000002", "308", "E09000010", "Close"),  # Barking and Dagenham -> Enfield ("Close ")
        ("2025-05", "370", "E08000016", "372", "E08000018", "Very close"),  # Barnsley -> Rotherham
        ("2025-05", "800", "E06000022", "816", "E06000014", "Very close"),  # Bath and North East Somerset -> York
    ],
)
def test_nearest_neighbour_equals_the_published_grouping(real, model, la_code_3, la_code, neighbour_code_3, neighbour_code, proximity):
    row = real.execute(
        "SELECT la_code, neighbour_la_code_3, neighbour_la_code, proximity, la_abolished_before_model "
        "FROM mart.statistical_neighbours WHERE model_version = ? AND la_code_3 = ? AND neighbour_rank = 1",
        [model, la_code_3],
    ).fetchone()
    assert row == (la_code, neighbour_code_3, neighbour_code, proximity, False)


def test_every_la_has_ten_ranked_neighbours_once_per_model(real):
    shape = real.execute(
        "SELECT model_version, count(DISTINCT la_code_3), min(n), max(n), bool_and(ranks) FROM ("
        "  SELECT model_version, la_code_3, count(*) AS n, list_sort(list(neighbour_rank)) = range(1, 11) AS ranks"
        "  FROM mart.statistical_neighbours GROUP BY ALL) GROUP BY ALL ORDER BY 1"
    ).fetchall()
    # 2021: 152 LAs + 4 "Old SNs"; 2025: 153 LAs + 5 "Old SNs" found only in the LAIT workbook.
    assert shape == [("2021-04", 156, 10, 10, True), ("2025-05", 158, 10, 10, True)]
    old = real.execute(
        "SELECT model_version, list_sort(list(DISTINCT la_code_3)) FROM mart.statistical_neighbours "
        "WHERE la_abolished_before_model GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert old == [("2021-04", ["835", "836", "837", "928"]), ("2025-05", ["835", "836", "837", "909", "928"])]


def test_the_csv_and_the_lait_workbook_of_a_model_agree(real):
    rows = real.execute(
        """
        SELECT c.model_version, count(*) AS shared,
               count(*) FILTER (WHERE c.neighbour_la_code_3 <> x.neighbour_la_code_3 OR c.proximity <> x.proximity) AS differ
        FROM staging.stg_dfe_statistical_neighbours AS c
        JOIN staging.stg_dfe_statistical_neighbours AS x USING (model_version, la_code_3, neighbour_rank)
        WHERE c.source_file LIKE '%.csv' AND x.source_file LIKE '%.xlsx'
        GROUP BY ALL ORDER BY 1
        """
    ).fetchall()
    assert rows == [("2021-04", 1560, 0), ("2025-05", 1530, 0)]


def test_demo_files_read_back(demo):
    shape = demo.execute(
        "SELECT model_version, count(DISTINCT la_code_3), count(*), bool_and(is_synthetic), "
        "count(*) FILTER (WHERE neighbour_la_code = la_code) FROM mart.statistical_neighbours GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert [r[0] for r in shape] == ["2021-04", "2025-05"]
    assert all(n * 10 == rows and synthetic and self_neighbours == 0 for _, n, rows, synthetic, self_neighbours in shape)
    assert demo.execute(
        "SELECT count(*) FROM staging.stg_dfe_statistical_neighbours c JOIN staging.stg_dfe_statistical_neighbours x "
        "USING (model_version, la_code_3, neighbour_rank) WHERE c.source_file LIKE '%.csv' AND x.source_file LIKE '%.xlsx' "
        "AND (c.neighbour_la_code_3 <> x.neighbour_la_code_3 OR c.proximity <> x.proximity)"
    ).fetchone() == (0,)
