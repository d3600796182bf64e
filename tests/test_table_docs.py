"""Every table explainable where it is read: comments in the warehouse, column schemas in the UI,
and the DuckDB command-line shell that comes with the project's install."""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from csc_pipeline import table_docs, warehouse


@pytest.fixture
def con():
    connection = duckdb.connect()
    warehouse.ensure_schemas(connection)
    yield connection
    connection.close()


def test_describe_table_reads_back_comments_types_and_row_count(con):
    frame = pl.DataFrame({"la_code": ["E06000001", "E06000002", None], "value": [1.5, None, 3.0]})
    docs = warehouse.TableDocs("Two LAs and a gap.", {"la_code": "GSS code.", "value": "The value."})
    warehouse.replace_table(con, "mart.example", frame, docs)

    doc = table_docs.describe_table(con, "mart.example")

    assert doc.name == "mart.example" and doc.description == "Two LAs and a gap." and doc.row_count == 3
    assert [(c.name, c.type, c.comment) for c in doc.columns] == [
        ("la_code", "VARCHAR", "GSS code."), ("value", "DOUBLE", "The value.")]


def test_describe_table_names_a_missing_or_unqualified_table(con):
    with pytest.raises(ValueError, match="no table mart.nowhere"):
        table_docs.describe_table(con, "mart.nowhere")
    with pytest.raises(ValueError, match="schema-qualified"):
        table_docs.describe_table(con, "la_indicator_panel")


def test_undocumented_lists_analyst_tables_and_columns_without_a_comment_only(con):
    con.execute("CREATE TABLE mart.half (la_code VARCHAR, value DOUBLE, note VARCHAR)")
    con.execute("COMMENT ON TABLE mart.half IS 'Half documented.'")
    con.execute("COMMENT ON COLUMN mart.half.la_code IS 'GSS code.'")
    con.execute("COMMENT ON COLUMN mart.half.note IS '  '")  # blank is no documentation
    con.execute("CREATE TABLE analysis.bare (n INTEGER)")
    con.execute("CREATE TABLE staging.working (n INTEGER)")  # internal: columns need no comment

    assert table_docs.undocumented(con) == ["analysis.bare", "analysis.bare.n", "mart.half.note", "mart.half.value"]
    assert table_docs.undocumented(con, ("staging",)) == ["staging.working", "staging.working.n"]


def test_internal_tables_are_marked_and_analyst_tables_cannot_be(con):
    con.execute("CREATE TABLE intermediate.working (n INTEGER)")
    con.execute("CREATE TABLE mart.panel (n INTEGER)")

    table_docs.mark_internal(con, "intermediate.working", "Latest vintage of every value.")

    assert table_docs.describe_table(con, "intermediate.working").description == "Internal: Latest vintage of every value."
    with pytest.raises(ValueError, match="mart.panel is an analyst table"):
        table_docs.mark_internal(con, "mart.panel", "anything")


def test_write_docs_documents_a_table_written_in_slices_and_names_what_is_missing(con):
    quarantine = "meta.quarantine"
    rows = pl.DataFrame({"source_file": ["a.csv"], "source_row": [3], "column": ["value"], "value": ["-1"],
                         "reason": ["negative count"]})
    warehouse.replace_slice(con, quarantine, "family", "cla", rows)

    table_docs.write_docs(con, quarantine, table_docs.META_DOCS[quarantine])

    assert table_docs.undocumented(con) == []
    con.execute("ALTER TABLE meta.quarantine ADD COLUMN reviewer VARCHAR")
    with pytest.raises(ValueError, match="meta.quarantine: columns without a description: reviewer"):
        table_docs.write_docs(con, quarantine, table_docs.META_DOCS[quarantine])


def test_every_analyst_table_and_column_of_the_demo_warehouse_is_documented(demo_warehouse):
    schemas = {row[0] for row in demo_warehouse.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
    assert set(table_docs.ANALYST_SCHEMAS) <= schemas
    assert table_docs.undocumented(demo_warehouse) == []


def test_internal_tables_of_the_demo_warehouse_say_they_are_internal(demo_warehouse):
    comments = demo_warehouse.execute(
        "SELECT schema_name || '.' || table_name, comment FROM duckdb_tables() WHERE list_contains(?, schema_name)",
        [list(table_docs.INTERNAL_SCHEMAS)],
    ).fetchall()
    not_marked = [table for table, comment in comments if not (comment or "").startswith(table_docs.INTERNAL_PREFIX)]
    assert not_marked == []


def _schemas_shown(result) -> dict[str, tuple[str, object]]:
    """table -> (asset key, TableSchema) for every table schema in the run's materialisations."""
    shown = {}
    for run in result.results:
        for event in run.get_asset_materialization_events():
            materialization = event.event_specific_data.materialization
            metadata = materialization.metadata
            key = materialization.asset_key.to_user_string()
            if "dagster/column_schema" in metadata:
                shown[metadata["dagster/table_name"].value] = (key, metadata["dagster/column_schema"].value)
            for name, value in metadata.items():
                if name.startswith("columns: "):
                    shown[name.removeprefix("columns: ")] = (key, value.value)
    return shown


def test_every_warehouse_table_has_its_column_schema_in_the_ui(demo_run, demo_warehouse):
    _, result = demo_run
    shown = _schemas_shown(result)
    tables = [row[0] for row in demo_warehouse.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() ORDER BY 1").fetchall()]

    assert [table for table in tables if table not in shown] == []
    for table in tables:
        key, schema = shown[table]
        doc = table_docs.describe_table(demo_warehouse, table)
        assert [(c.name, c.type, c.description) for c in schema.columns] == [
            (c.name, c.type, c.comment) for c in doc.columns], (table, key)
    # An asset that is one table carries Dagster's standard keys, with the row count the table has.
    materializations = {m.asset_key.to_user_string(): m.metadata
                        for m in result.asset_materializations_for_node("mart__la_indicator_panel")}
    panel = materializations["mart/la_indicator_panel"]
    assert panel["dagster/table_name"].value == "mart.la_indicator_panel"
    assert panel["dagster/row_count"].value == warehouse.table_rows(demo_warehouse, "mart.la_indicator_panel")


def test_the_duckdb_shell_from_the_install_opens_the_warehouse_read_only(demo_run):
    shell = Path(sys.executable).parent / "duckdb"
    if not shell.is_file():
        pytest.skip(f"no DuckDB shell at {shell}: install the project (pip install -e .) into this interpreter's venv")
    path = demo_run[0].warehouse_path
    before = hashlib.sha256(path.read_bytes()).hexdigest()

    def run(sql: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(shell), "-readonly", "-csv", "-noheader", str(path), "-c", sql],
                              capture_output=True, text=True, timeout=120)

    query = run("SELECT count(*) FROM mart.la_indicator_panel WHERE indicator = 'cla_count';"
                "SELECT comment FROM duckdb_columns() WHERE table_name = 'la_indicator_panel' AND column_name = 'unit';")
    assert query.returncode == 0, query.stderr
    [count], [comment] = csv.reader(query.stdout.splitlines())
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert int(count) == con.execute(
            "SELECT count(*) FROM mart.la_indicator_panel WHERE indicator = 'cla_count'").fetchone()[0] > 0
        columns = table_docs.describe_table(con, "mart.la_indicator_panel").columns
        assert comment == next(c.comment for c in columns if c.name == "unit")
    finally:
        con.close()
    write = run("CREATE TABLE mart.scratch AS SELECT 1 AS n;")
    assert write.returncode != 0 and "read-only" in (write.stderr + write.stdout)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
