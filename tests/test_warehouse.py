"""Warehouse: SQL model discovery, transactional models and atomic publication."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from csc_pipeline import warehouse
from csc_pipeline.defs.warehouse_models import table_key
from pipeline_runs import read_write_reader


def test_every_model_dependency_is_a_table_the_pipeline_builds():
    from csc_pipeline.definitions import defs

    keys = set(defs.resolve_asset_graph().get_all_asset_keys())
    for model in warehouse.discover_models():
        assert model.description, f"{model.path} has no -- description: header"
        missing = [d for d in model.depends_on if d != "meta.quarantine" and table_key(d) not in keys]
        assert not missing, f"{model.path} reads tables nothing builds: {missing}"


def test_models_create_the_table_their_file_is_named_for():
    for model in warehouse.discover_models():
        text = model.path.read_text()
        assert f"CREATE OR REPLACE TABLE {model.table} AS" in text, model.path


def test_failed_model_rolls_back_and_keeps_the_previous_table(tmp_path):
    broken = tmp_path / "staging" / "stg_example.sql"
    broken.parent.mkdir()
    broken.write_text("-- description: x\nCREATE OR REPLACE TABLE staging.stg_example AS SELECT 1/0::INTEGER AS boom FROM no_such_table;")
    model = warehouse.SqlModel("staging", "stg_example", broken, "x", ())
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    warehouse.replace_table(con, "staging.stg_example", pl.DataFrame({"kept": [1, 2]}))
    with pytest.raises(duckdb.Error):
        warehouse.run_model(con, model)
    assert con.execute("SELECT sum(kept) FROM staging.stg_example").fetchone()[0] == 3


def _numbers_build(path, numbers: list[int]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    warehouse.replace_table(con, "mart.numbers", pl.DataFrame({"n": numbers}),
                            warehouse.TableDocs("documented", {"n": "a number"}))
    warehouse.replace_table(con, "staging.working", pl.DataFrame({"step": [1]}))
    return con


def test_publish_swaps_atomically_while_an_analyst_holds_the_old_file_read_write(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "warehouse" / "csc.duckdb"
    con = _numbers_build(build, [1, 2, 3])
    warehouse.publish(con, published)
    with read_write_reader(published) as analyst:
        assert analyst("SELECT sum(n) FROM mart.numbers") == "6"
        warehouse.replace_table(con, "mart.numbers", pl.DataFrame({"n": [10, 20]}),
                                warehouse.TableDocs("documented again", {"n": "a number"}))
        warehouse.publish(con, published)  # the analyst's read-write lock is on the replaced file
        assert analyst("SELECT sum(n) FROM mart.numbers") == "6"  # still the old, whole copy
    con.close()
    new = duckdb.connect(str(published), read_only=True)
    assert new.execute("SELECT sum(n) FROM mart.numbers").fetchone()[0] == 30
    # comments travel with the tables; the build's working schemas do not
    assert new.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'numbers'").fetchone()[0] == "documented again"
    assert new.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'numbers'").fetchone()[0] == "a number"
    assert new.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'staging'").fetchone()[0] == 0
    new.close()
    assert sorted(p.name for p in published.parent.iterdir()) == ["csc.duckdb"]


def test_a_failed_publication_leaves_the_published_file_and_no_temporary_file(tmp_path, monkeypatch):
    build, published = tmp_path / "build.duckdb", tmp_path / "warehouse" / "csc.duckdb"
    con = _numbers_build(build, [1, 2, 3])
    warehouse.publish(con, published)
    before = published.read_bytes()
    copy = warehouse._copy_schemas

    def copy_then_fail(con, target, schemas):
        copy(con, target, schemas)  # the new file is written, then the disk fills
        raise OSError("No space left on device")

    monkeypatch.setattr(warehouse, "_copy_schemas", copy_then_fail)
    with pytest.raises(OSError, match="No space"):
        warehouse.publish(con, published)
    assert published.read_bytes() == before
    assert sorted(p.name for p in published.parent.iterdir()) == ["csc.duckdb"]
    monkeypatch.undo()
    warehouse.publish(con, published)  # the build connection is left usable: the next publication works
    con.close()


def _write_models(sql_dir, files: dict[str, str]):
    for name, text in files.items():
        path = sql_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_dependencies_come_from_the_sql_not_from_a_header(tmp_path):
    _write_models(tmp_path, {
        "macros/m.sql": "CREATE OR REPLACE MACRO symbols_of(x) AS TABLE SELECT * FROM ref.symbol_status;\n"
                        "CREATE OR REPLACE MACRO doubled(x) AS x * 2;\n",
        "staging/stg_a.sql": "-- description: a\n-- reads loaded.not_this_one (a comment)\n"
                             "CREATE OR REPLACE TABLE staging.stg_a AS SELECT * FROM loaded.a JOIN ees_cells('loaded.b') USING (k)\n"
                             "JOIN symbols_of(1) USING (k);\n"
                             "COMMENT ON TABLE staging.stg_a IS 'see also mart.elsewhere';\n",
        "staging/stg_b.sql": "-- description: b\nCREATE OR REPLACE TABLE staging.stg_b AS SELECT doubled(k) FROM loaded.c;\n",
    })
    models = {m.table: m for m in warehouse.discover_models(tmp_path)}
    assert models["staging.stg_a"].depends_on == ("loaded.a", "loaded.b", "ref.symbol_status")
    assert models["staging.stg_b"].depends_on == ("loaded.c",)


def test_models_declared_to_feed_a_table_are_its_union_and_its_dependencies(tmp_path):
    _write_models(tmp_path, {
        "staging/stg_a.sql": "-- description: a\n-- feeds: intermediate.int_all\n"
                             "CREATE OR REPLACE TABLE staging.stg_a AS SELECT 1 AS k, 'a' AS side;\n",
        "staging/stg_b.sql": "-- description: b\n-- feeds: intermediate.int_all where k IN (SELECT k FROM ref.keep)\n"
                             "CREATE OR REPLACE TABLE staging.stg_b AS SELECT * FROM (VALUES (1, 'b'), (2, 'b')) AS t(k, side);\n",
        "intermediate/int_all.sql": "-- description: all\nCREATE OR REPLACE TABLE intermediate.int_all AS SELECT * FROM int_all_feeds;\n",
    })
    models = {m.table: m for m in warehouse.discover_models(tmp_path)}
    assert models["intermediate.int_all"].depends_on == ("staging.stg_a", "staging.stg_b", "ref.keep")
    con = duckdb.connect()
    warehouse.ensure_schemas(con)
    con.execute("CREATE TABLE ref.keep AS SELECT 2 AS k")
    for table in ("staging.stg_a", "staging.stg_b", "intermediate.int_all"):
        warehouse.run_model(con, models[table])
    assert sorted(con.execute("SELECT k, side FROM intermediate.int_all").fetchall()) == [(1, "a"), (2, "b")]


def test_a_feed_to_a_table_no_model_creates_is_refused(tmp_path):
    _write_models(tmp_path, {"staging/stg_a.sql": "-- description: a\n-- feeds: intermediate.int_typo\n"
                                                  "CREATE OR REPLACE TABLE staging.stg_a AS SELECT 1 AS k;\n"})
    with pytest.raises(ValueError, match=r"intermediate\.int_typo"):
        warehouse.discover_models(tmp_path)
