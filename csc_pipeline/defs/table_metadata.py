"""The UI's view of the warehouse tables an asset wrote, from the tables' own comments.

Every asset that writes a DuckDB table reports it through these two functions, so the column
schema, table name, row count and preview are shown the same way everywhere.
"""

from __future__ import annotations

import duckdb
from dagster import MetadataValue, TableColumn, TableSchema

from csc_pipeline import table_docs, warehouse


def _column_schema(doc: table_docs.TableDoc) -> MetadataValue:
    return MetadataValue.table_schema(TableSchema(columns=[
        TableColumn(name=column.name, type=column.type, description=column.comment) for column in doc.columns
    ]))


def table_metadata(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, MetadataValue | int | str]:
    """An asset that is one table: Dagster's standard table keys, and a preview of its first rows."""
    doc = table_docs.describe_table(con, table)
    return {
        "dagster/table_name": doc.name,
        "dagster/column_schema": _column_schema(doc),
        "dagster/row_count": doc.row_count,
        "preview": MetadataValue.md(warehouse.preview(con, table)),
    }


def tables_metadata(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, MetadataValue]:
    """An asset that writes several tables (an analysis family, the publication): one column
    schema per table, under ``columns: <schema.table>`` (the standard key holds one table only)."""
    return {f"columns: {table}": _column_schema(table_docs.describe_table(con, table)) for table in tables}
