"""What each warehouse table is, read back from the warehouse itself (no Dagster here).

Each table has one source for its description and its columns' descriptions, written into the
warehouse as COMMENTs with the table: a SQL model's ``COMMENT ON`` statements in its file under
``sql/``, an analysis table's ``AnalysisTable.description`` and ``columns`` (kept in the family's
``csc_pipeline/analysis/<family>_tables.py``, or beside its statistics in a short module), a ``meta``
table's entry in ``META_DOCS`` below. Everything else (the UI's column schemas, the tests) reads the
comments back through ``describe_table``, so the three can never disagree.

Analysts read ``mart``, ``analysis`` and ``meta``: every table and column there is documented.
The other schemas are the pipeline's working tables; their tables' comments start with
``Internal:`` so nobody mistakes them for analyst tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from csc_pipeline import refresh_summary, warehouse

ANALYST_SCHEMAS = ("mart", "analysis", "meta")
INTERNAL_SCHEMAS = ("loaded", "ref", "staging", "intermediate")
INTERNAL_PREFIX = "Internal: "


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    type: str  # the DuckDB type, e.g. VARCHAR, DOUBLE
    comment: str | None


@dataclass(frozen=True)
class TableDoc:
    name: str  # schema-qualified, e.g. mart.la_indicator_panel
    description: str | None
    columns: tuple[ColumnDoc, ...]
    row_count: int


def _split(table: str) -> tuple[str, str]:
    schema, _, name = table.partition(".")
    if not name:
        raise ValueError(f"table name must be schema-qualified (schema.table), not {table!r}")
    return schema, name


def describe_table(con: duckdb.DuckDBPyConnection, table: str) -> TableDoc:
    """The table's comment, its columns (name, type, comment) in order, and its row count."""
    schema, name = _split(table)
    found = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ?", [schema, name],
    ).fetchone()
    if found is None:
        raise ValueError(f"no table {table} in the warehouse")
    columns = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ? ORDER BY column_index", [schema, name],
    ).fetchall()
    return TableDoc(table, found[0], tuple(ColumnDoc(*column) for column in columns), warehouse.table_rows(con, table))


def undocumented(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = ANALYST_SCHEMAS) -> list[str]:
    """Every ``schema.table`` without a comment and ``schema.table.column`` without one, in ``schemas``."""
    return [row[0] for row in con.execute(
        """
        SELECT schema_name || '.' || table_name FROM duckdb_tables()
        WHERE database_name = current_database() AND list_contains($schemas, schema_name)
          AND coalesce(trim(comment), '') = ''
        UNION ALL
        SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
        WHERE database_name = current_database() AND list_contains($schemas, schema_name)
          AND coalesce(trim(comment), '') = ''
        ORDER BY 1
        """,
        {"schemas": list(schemas)},
    ).fetchall()]


def mark_internal(con: duckdb.DuckDBPyConnection, table: str, description: str) -> None:
    """Comment a table of an internal schema as ``Internal: <description>``."""
    schema, _ = _split(table)
    if schema not in INTERNAL_SCHEMAS:
        raise ValueError(f"{table} is an analyst table ({schema} is not one of {', '.join(INTERNAL_SCHEMAS)})")
    con.execute(f"COMMENT ON TABLE {table} IS {warehouse.sql_string(INTERNAL_PREFIX + description)}")


def write_docs(con: duckdb.DuckDBPyConnection, table: str, docs: warehouse.TableDocs) -> None:
    """Comment an existing table and each of its columns (for tables written slice by slice).

    Fails naming the columns ``docs`` does not describe, like ``warehouse.replace_table``.
    """
    columns = [column.name for column in describe_table(con, table).columns]
    for statement in docs.statements(table, columns):
        con.execute(statement)


# Every meta table (the tables written from Python rather than by a SQL model or an analysis family).
META_DOCS = {
    "meta.analysis_report_items": warehouse.TableDocs(
        "What each analysis family contributed to the HTML report: its headlines, charts and tables, in order.",
        {
            "family": "Analysis family (a module of csc_pipeline/analysis and an asset analysis/<family>).",
            "position": "Order of the item within the family's section of the report.",
            "kind": "headline (a sentence), chart (a PNG under reports/) or table (a warehouse table).",
            "content": "The headline text, the chart's file path, or the schema-qualified table name.",
        },
    ),
    "meta.about": warehouse.TableDocs(
        "What this warehouse is: one row per fact about the build (source mode, synthetic or not, when published, pipeline version).",
        {
            "key": "source_mode, synthetic, published_at, csc_pipeline_version, analysis_config or note.",
            "value": "The fact, as text: demo/mirror/live; true/false; an ISO 8601 UTC time; a version; "
                     "'defaults' or the overlay file (CSC_ANALYSIS_CONFIG) the analyses ran with; "
                     "a note saying whether the data are synthetic demo data or official statistics.",
        },
    ),
    "meta.provenance": warehouse.TableDocs(
        "Every file the warehouse was built from: one row per catalog entry obtained, with where it came from and its bytes' sha256.",
        {
            "entry_id": "Catalog entry (csc_pipeline/catalog/*.yaml); the source_entry of panel and mart rows.",
            "family": "Source family of the entry (its loaded table is loaded.<family>).",
            "release": "Publication release of the file (a partition of source_files/<family>).",
            "mode": "How the file was obtained: demo (generated), mirror (a local copy) or live (downloaded).",
            "source": "URL (live) or path (mirror, demo) the file was read from.",
            "fetched_at": "When the file was obtained (UTC).",
            "sha256": "SHA-256 of the file's bytes: the raw store keeps each file under it.",
            "bytes": "Size of the file in bytes.",
            "raw_path": "Where the file is kept in the data lake's raw store (read-only).",
            "synthetic": "TRUE for a generated demo file: not official statistics.",
            "publisher": "Publisher of the file (e.g. DfE, ONS, Ofsted), from the catalog.",
            "dataset": "Name of the published data set, from the catalog.",
            "licence": "Licence the publisher released the file under (e.g. OGL-3.0, the Open Government Licence).",
            "contract": "Data contract the file is checked against (schemas/<contract>.yaml).",
        },
    ),
    "meta.quarantine": warehouse.TableDocs(
        "Internal working copy of mart.quarantine, written one source family at a time: rows set aside "
        "by the contracts' plausibility rules.",
        {
            "source_file": "The published file, as its path in the mirror layout (e.g. dfe/cla/...); meta.provenance has its URL and sha256.",
            "source_row": "Row of the file (1-based, as a person opening the file sees it).",
            "column": "Canonical column (as the contract names it) whose value broke the rule.",
            "value": "The cell as published (text).",
            "reason": "The plausibility rule it broke, and the contract under schemas/ that states it.",
            "family": "Source family of the file; each family's load replaces its own rows.",
        },
    ),
    # the refresh summary module owns its columns and their docs
    "meta.refresh_history": refresh_summary.HISTORY_DOCS,
}
