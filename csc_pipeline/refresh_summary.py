"""What a refresh changed, compared with the warehouse published before it (no Dagster here).

Files are compared by catalog entry and sha256 (``meta.provenance``); panel rows by geography, LA,
year and indicator (``mart.la_indicator_panel``). The previous warehouse is read through its own
read-only connection and handed to the build database as registered frames.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

PANEL_KEY = ["geography", "la_code", "year", "indicator"]
SUMMARY_COLUMNS = {
    "published_at": pl.String, "source_mode": pl.String, "files_new": pl.Int64, "files_changed": pl.Int64,
    "files_unchanged": pl.Int64, "files_dropped": pl.Int64, "panel_rows": pl.Int64, "rows_added": pl.Int64,
    "rows_removed": pl.Int64, "values_revised": pl.Int64,
}
_EMPTY = {
    "meta.provenance": pl.DataFrame(schema={"entry_id": pl.String, "sha256": pl.String}),
    "mart.la_indicator_panel": pl.DataFrame(schema={"geography": pl.String, "la_code": pl.String, "year": pl.Int32,
                                                    "indicator": pl.String, "value": pl.Float64}),
    "meta.refresh_history": pl.DataFrame(schema=SUMMARY_COLUMNS),
}
_COLUMNS = {"meta.provenance": "entry_id, sha256", "mart.la_indicator_panel": "geography, la_code, year, indicator, value",
            "meta.refresh_history": "*"}


def read_previous(previous_warehouse: Path) -> dict[str, pl.DataFrame]:
    """The tables of the previously published warehouse the summary needs (empty if none)."""
    tables = dict(_EMPTY)
    if not previous_warehouse.is_file():
        return tables
    con = duckdb.connect(str(previous_warehouse), read_only=True)
    try:
        present = {f"{s}.{t}" for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}
        for table in tables:
            if table in present:
                tables[table] = con.sql(f"SELECT {_COLUMNS[table]} FROM {table}").pl()
    finally:
        con.close()
    return tables


def summarise(con: duckdb.DuckDBPyConnection, previous: dict[str, pl.DataFrame], published_at: str,
              source_mode: str) -> pl.DataFrame:
    """One row describing the build database behind ``con`` against the previous tables."""
    new_files = con.sql("SELECT entry_id, sha256 FROM meta.provenance").pl()
    old_files = previous["meta.provenance"]
    joined = new_files.join(old_files, on="entry_id", how="left", suffix="_old")
    panel = con.sql("SELECT geography, la_code, year, indicator, value FROM mart.la_indicator_panel").pl()
    old_panel = previous["mart.la_indicator_panel"].with_columns(pl.col("year").cast(panel.schema["year"]))
    both = panel.join(old_panel, on=PANEL_KEY, how="inner", suffix="_old")
    values = [
        published_at, source_mode,
        joined.filter(pl.col("sha256_old").is_null()).height,
        joined.filter(pl.col("sha256_old").is_not_null() & (pl.col("sha256_old") != pl.col("sha256"))).height,
        joined.filter(pl.col("sha256_old") == pl.col("sha256")).height,
        old_files.join(new_files, on="entry_id", how="anti").height,
        panel.height,
        panel.join(old_panel, on=PANEL_KEY, how="anti").height,
        old_panel.join(panel, on=PANEL_KEY, how="anti").height,
        both.filter(pl.col("value").ne_missing(pl.col("value_old"))).height,
    ]
    return pl.DataFrame([values], schema=SUMMARY_COLUMNS, orient="row")


def history(previous: dict[str, pl.DataFrame], summary: pl.DataFrame) -> pl.DataFrame:
    """The previous refresh history with this refresh appended."""
    return pl.concat([previous["meta.refresh_history"], summary], how="diagonal_relaxed")
