"""What a refresh changed, compared with the warehouse published before it (no Dagster here).

Files are compared by catalog entry and sha256 (``meta.provenance``); panel rows by geography, LA,
year and indicator (``mart.la_indicator_panel``), and their values at ``SIGNIFICANT_DIGITS``
significant digits. What the next summary needs of a publication is remembered in the build
database when it is published (schema ``publish_state``, never published), so no refresh opens the
published file: an analyst holding it open, even read-write, cannot block one.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from csc_pipeline import warehouse

PANEL_KEY = ["geography", "la_code", "year", "indicator"]
# A value counts as revised when it changes at this many significant digits: well beyond any
# published figure, and well short of the last bits of a double that only summation order moves.
SIGNIFICANT_DIGITS = 12
SUMMARY_TABLE = f"{warehouse.STATE_SCHEMA}.refresh_summary"
SUMMARY_COLUMNS = {
    "source_mode": pl.String, "files_new": pl.Int64, "files_changed": pl.Int64, "files_unchanged": pl.Int64,
    "files_dropped": pl.Int64, "panel_rows": pl.Int64, "rows_added": pl.Int64, "rows_removed": pl.Int64,
    "values_revised": pl.Int64,
}
_SUMMARY_COLUMN_DOCS = {
    "source_mode": "Where the refresh obtained its files: demo (generated, synthetic), mirror (a local copy) or live.",
    "files_new": "Files (catalog entries) not in the previous published warehouse.",
    "files_changed": "Files whose sha256 differs from the previous published warehouse's.",
    "files_unchanged": "Files with the same sha256 as in the previous published warehouse.",
    "files_dropped": "Files in the previous published warehouse that this one no longer has.",
    "panel_rows": "Rows of mart.la_indicator_panel.",
    "rows_added": "Panel rows (geography, LA code, year, indicator) the previous published warehouse did not have.",
    "rows_removed": "Panel rows of the previous published warehouse that this one no longer has.",
    "values_revised": f"Panel rows in both whose value changed (became or stopped being NULL, or changed at "
                      f"{SIGNIFICANT_DIGITS} significant digits).",
}
SUMMARY_DOCS = warehouse.TableDocs(
    "What this refresh changed against the last published warehouse (build database only; appended to "
    "meta.refresh_history when published).",
    _SUMMARY_COLUMN_DOCS,
)
HISTORY_DOCS = warehouse.TableDocs(
    "One row per published refresh: what it changed against the warehouse published before it.",
    {"published_at": "When the refresh was published (UTC, ISO 8601).", **_SUMMARY_COLUMN_DOCS},
)
# The tables of a publication the next summary compares against, and the columns it needs.
REMEMBERED = {
    "meta.provenance": "entry_id, sha256",
    "mart.la_indicator_panel": "geography, la_code, year, indicator, value",
    "meta.refresh_history": "*",
}
_EMPTY = {
    "meta.provenance": pl.DataFrame(schema={"entry_id": pl.String, "sha256": pl.String}),
    "mart.la_indicator_panel": pl.DataFrame(schema={"geography": pl.String, "la_code": pl.String, "year": pl.Int32,
                                                    "indicator": pl.String, "value": pl.Float64}),
    "meta.refresh_history": pl.DataFrame(schema={"published_at": pl.String, **SUMMARY_COLUMNS}),
}


def remembered_table(table: str) -> str:
    """Where the build database keeps the last published copy of ``table``."""
    return f"{warehouse.STATE_SCHEMA}.published__{table.replace('.', '__')}"


def remember_published(con: duckdb.DuckDBPyConnection) -> None:
    """Keep what the build database behind ``con`` has just published, for the next refresh's summary."""
    warehouse.ensure_schemas(con)
    with warehouse.transaction(con):
        for table, columns in REMEMBERED.items():
            con.execute(f"CREATE OR REPLACE TABLE {remembered_table(table)} AS SELECT {columns} FROM {table}")


def read_previous(con: duckdb.DuckDBPyConnection, published_warehouse: Path) -> dict[str, pl.DataFrame]:
    """The tables of the last publication the summary needs.

    As the build database behind ``con`` remembered them; read from ``published_warehouse`` itself
    only when it was published before the build database remembered publications; empty when
    nothing was published.
    """
    present = {f"{s}.{t}" for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}
    if all(remembered_table(table) in present for table in REMEMBERED):
        return {table: con.sql(f"SELECT * FROM {remembered_table(table)}").pl() for table in REMEMBERED}
    tables = dict(_EMPTY)
    if not published_warehouse.is_file():
        return tables
    published = duckdb.connect(str(published_warehouse), read_only=True)
    try:
        present = {f"{s}.{t}" for s, t in published.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}
        for table, columns in REMEMBERED.items():
            if table in present:
                tables[table] = published.sql(f"SELECT {columns} FROM {table}").pl()
    finally:
        published.close()
    return tables


def _revised(new: pl.Expr, old: pl.Expr) -> pl.Expr:
    """True where a value became or stopped being NULL, or changed at ``SIGNIFICANT_DIGITS`` digits."""
    tolerance = 10.0 ** -SIGNIFICANT_DIGITS * pl.max_horizontal(new.abs(), old.abs())
    return ((new - old).abs() > tolerance).fill_null(new.is_null() != old.is_null())


def summarise(con: duckdb.DuckDBPyConnection, previous: dict[str, pl.DataFrame], source_mode: str) -> pl.DataFrame:
    """One row describing the build database behind ``con`` against the previous tables."""
    new_files = con.sql("SELECT entry_id, sha256 FROM meta.provenance").pl()
    old_files = previous["meta.provenance"]
    joined = new_files.join(old_files, on="entry_id", how="left", suffix="_old")
    panel = con.sql("SELECT geography, la_code, year, indicator, value FROM mart.la_indicator_panel").pl()
    old_panel = previous["mart.la_indicator_panel"].with_columns(pl.col("year").cast(panel.schema["year"]))
    both = panel.join(old_panel, on=PANEL_KEY, how="inner", suffix="_old")
    values = [
        source_mode,
        joined.filter(pl.col("sha256_old").is_null()).height,
        joined.filter(pl.col("sha256_old").is_not_null() & (pl.col("sha256_old") != pl.col("sha256"))).height,
        joined.filter(pl.col("sha256_old") == pl.col("sha256")).height,
        old_files.join(new_files, on="entry_id", how="anti").height,
        panel.height,
        panel.join(old_panel, on=PANEL_KEY, how="anti").height,
        old_panel.join(panel, on=PANEL_KEY, how="anti").height,
        both.filter(_revised(pl.col("value"), pl.col("value_old"))).height,
    ]
    return pl.DataFrame([values], schema=SUMMARY_COLUMNS, orient="row")


def history(previous: dict[str, pl.DataFrame], summary: pl.DataFrame, published_at: str) -> pl.DataFrame:
    """The previous refresh history with this refresh, published at ``published_at``, appended."""
    this_refresh = summary.select(pl.lit(published_at).alias("published_at"), pl.all())
    return pl.concat([previous["meta.refresh_history"], this_refresh], how="diagonal_relaxed")
