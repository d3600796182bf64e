"""Warehouse: SQL model discovery, transactional models and atomic publication."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import polars as pl
import pytest

from csc_pipeline import warehouse
from csc_pipeline.defs.warehouse_models import table_key


def test_every_model_dependency_is_a_table_the_pipeline_builds():
    from csc_pipeline.definitions import defs

    keys = set(defs.resolve_asset_graph().get_all_asset_keys())
    for model in warehouse.discover_models():
        assert model.description, f"{model.path} has no -- description: header"
        missing = [d for d in model.depends_on if d != "raw.*" and table_key(d) not in keys]
        assert not missing, f"{model.path}: depends_on names tables nothing builds: {missing}"


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


def test_publish_swaps_atomically_while_an_analyst_reads_the_old_file(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "warehouse" / "csc.duckdb"
    con = duckdb.connect(str(build))
    warehouse.replace_table(con, "mart.numbers", pl.DataFrame({"n": [1, 2, 3]}))
    con.close()
    warehouse.publish(build, published)

    analyst = duckdb.connect(str(published), read_only=True)
    assert analyst.execute("SELECT sum(n) FROM mart.numbers").fetchone()[0] == 6

    con = duckdb.connect(str(build))
    warehouse.replace_table(con, "mart.numbers", pl.DataFrame({"n": [10, 20]}))
    con.execute("COMMENT ON TABLE mart.numbers IS 'documented'")
    con.close()
    warehouse.publish(build, published)  # must not be blocked by the open read-only analyst

    assert analyst.execute("SELECT sum(n) FROM mart.numbers").fetchone()[0] == 6  # still the old, whole copy
    # A new session (another process: DuckDB shares open databases within one) sees the new file.
    probe = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.execute('SELECT sum(n) FROM mart.numbers').fetchone()[0]); "
        "print(con.execute(\"SELECT comment FROM duckdb_tables() WHERE table_name = 'numbers'\").fetchone()[0])"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(published)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["30", "documented"]
    assert not list(published.parent.glob(".*publishing*"))
