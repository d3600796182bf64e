"""Exports for people without DuckDB, from the shared demo refresh: every mart and analysis table as
Parquet and CSV, each CSV reading back to the table's values, and a README saying what each file is."""

from __future__ import annotations

import json

import polars as pl
import pytest

from csc_pipeline.exports import analyst_tables


@pytest.fixture(scope="module")
def exported(demo_run):
    import duckdb

    settings, _ = demo_run
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        tables = {t: con.sql(f"SELECT * FROM {t}").pl() for t in analyst_tables(con, ("mart", "analysis"))}
        about = dict(con.sql("SELECT key, value FROM meta.about").fetchall())
    return settings.exports_dir, tables, about


def test_every_mart_and_analysis_table_is_exported_as_parquet_and_csv(exported):
    folder, tables, _ = exported
    assert "mart.la_benchmark" in tables and any(t.startswith("analysis.") for t in tables)
    expected = {f"{t.replace('.', '__')}.{ending}" for t in tables for ending in ("parquet", "csv")}
    assert {p.name for p in folder.iterdir() if p.suffix in (".parquet", ".csv")} == expected


def test_every_csv_reads_back_to_the_tables_values(exported):
    folder, tables, _ = exported
    checked = 0
    for table, frame in tables.items():
        stem = table.replace(".", "__")
        nested = [c for c, t in frame.schema.items() if t.is_nested()]
        schema = {c: (pl.String if c in nested else t) for c, t in frame.schema.items()}
        back = pl.read_csv(folder / f"{stem}.csv", schema=schema)
        for column in nested:
            back = back.with_columns(pl.col(column).map_elements(json.loads, return_dtype=frame.schema[column]))
        assert back.equals(frame), table
        assert pl.read_parquet(folder / f"{stem}.parquet").equals(frame), table
        checked += frame.height
    assert checked > 100_000


def test_the_readme_says_what_each_file_is_that_the_data_are_synthetic_and_when(exported):
    folder, tables, about = exported
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC DEMO DATA" in readme and about["published_at"] in readme
    for table in tables:
        line = next(line for line in readme.splitlines() if f"`{table.replace('.', '__')}`" in line)
        assert f"| {tables[table].height:,} |" in line
