"""Every analyst table as Parquet and CSV, with a README, for people without DuckDB.

``export_tables`` writes ``<schema>__<table>.parquet`` and ``.csv`` for each table of the given
schemas into the exports folder (each file replaced atomically; files of tables that no longer
exist are removed) and ``README.md`` saying what each file is, whether the data are synthetic and
when the warehouse was published (from ``meta.about``). No Dagster here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from csc_pipeline.atomic import PUBLIC, atomic_write, write_text
from csc_pipeline.table_docs import describe_table

README = "README.md"
FORMATS = ("parquet", "csv")


@dataclass(frozen=True)
class Export:
    table: str
    stem: str  # file name without its ending: <schema>__<table>
    rows: int
    description: str
    nested_columns: tuple[str, ...]  # written to the CSV as JSON text


def csv_frame(frame: pl.DataFrame) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """The frame as CSV can hold it: list and struct columns as JSON text (CSV has no nested values)."""
    nested = tuple(name for name, dtype in frame.schema.items() if dtype.is_nested())
    if not nested:
        return frame, ()
    return frame.with_columns(
        pl.col(name).map_elements(lambda v: json.dumps(v.to_list() if isinstance(v, pl.Series) else v, default=str),
                                  return_dtype=pl.String)
        for name in nested
    ), nested


def analyst_tables(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[str]:
    return [row[0] for row in con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND list_contains(?, schema_name) ORDER BY schema_name, table_name", [list(schemas)]).fetchall()]


def export_tables(con: duckdb.DuckDBPyConnection, out_dir: Path, schemas: tuple[str, ...]) -> list[Export]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table in analyst_tables(con, schemas):
        frame = con.sql(f"SELECT * FROM {table}").pl()
        stem = table.replace(".", "__")
        atomic_write(out_dir / f"{stem}.parquet", frame.write_parquet, mode=PUBLIC)
        flat, nested = csv_frame(frame)
        atomic_write(out_dir / f"{stem}.csv", flat.write_csv, mode=PUBLIC)
        written.append(Export(table, stem, frame.height, describe_table(con, table).description or "", nested))
    keep = {f"{e.stem}.{ending}" for e in written for ending in FORMATS}
    for path in out_dir.iterdir():
        if path.suffix.lstrip(".") in FORMATS and path.name not in keep:
            path.unlink()  # the export of a table the warehouse no longer has
    about = dict(con.sql("SELECT key, value FROM meta.about").fetchall())
    write_text(out_dir / README, readme(written, about))
    return written


def readme(written: list[Export], about: dict[str, str]) -> str:
    synthetic = about.get("synthetic") == "true"
    lines = [
        "# Exports of the csc-pipeline warehouse",
        "",
        ("**SYNTHETIC DEMO DATA - not official statistics.** These files were built from the generated demo data set."
         if synthetic else "Built from published official statistics (see `meta.provenance` in the warehouse for every source file)."),
        "",
        f"- Published: {about.get('published_at', 'unknown')} (source mode: {about.get('source_mode', 'unknown')}; "
        f"csc-pipeline {about.get('csc_pipeline_version', 'unknown')}).",
        f"- Written: {datetime.now(timezone.utc).isoformat(timespec='seconds')}, by `csc refresh` (asset `exports/parquet`); "
        "every refresh replaces these files.",
        "- Each table of the warehouse's `mart` and `analysis` schemas is here twice: `<schema>__<table>.parquet` "
        "(types kept) and `<schema>__<table>.csv` (UTF-8, a header row, comma-separated, an empty field for a missing "
        "value; list columns as JSON text).",
        "- What each column means: the column comments in the warehouse (`csc ui`, or `duckdb_columns()`), also in the README's "
        "table descriptions; the rows marked `is_synthetic` are demo data.",
        "",
        "| File | Rows | What it is |",
        "| --- | ---: | --- |",
    ]
    for e in written:
        note = f" (CSV: {', '.join(e.nested_columns)} as JSON)" if e.nested_columns else ""
        lines.append(f"| `{e.stem}` | {e.rows:,} | {e.description.replace('|', '/')}{note} |")
    return "\n".join(lines) + "\n"
