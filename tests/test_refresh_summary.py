"""The refresh summary: what changed against the last publication, remembered in the build database."""

from __future__ import annotations

import math

import duckdb
import polars as pl

from csc_pipeline import refresh_summary, warehouse

KEY = {"geography": ["as_published"] * 5, "la_code": ["E06000001", "E06000002", "E06000003", "E06000004", "E06000005"],
       "year": [2024] * 5, "indicator": ["cla_rate_per_10k"] * 5}


def _build(panel_values: list[float | None], files: dict[str, str], tmp_path, rows: slice = slice(None)) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    _load(con, panel_values, files, rows)
    return con


def _load(con, panel_values, files, rows: slice = slice(None)) -> None:
    panel = pl.DataFrame({**KEY, "value": panel_values}, schema_overrides={"year": pl.Int32})[rows]
    warehouse.replace_table(con, "mart.la_indicator_panel", panel)
    warehouse.replace_table(con, "meta.provenance", pl.DataFrame({"entry_id": list(files), "sha256": list(files.values())}))


def test_the_summary_counts_real_revisions_not_the_last_bits_of_a_double(tmp_path):
    con = _build([64.3, 70.25, 12.0, None, 80.0], {"cla_2024": "aaa", "cla_2023": "bbb", "pop": "ccc"}, tmp_path)
    previous = refresh_summary.read_previous(con, tmp_path / "never_published.duckdb")
    first = refresh_summary.summarise(con, previous, "demo")
    warehouse.replace_table(con, "meta.refresh_history", refresh_summary.history(previous, first, "2026-12-01T06:00:00+00:00"))
    refresh_summary.remember_published(con)

    # Summation order moves 64.3 by one unit in the last place: not a revision. 70.25 -> 70.26 and
    # 12 -> suppressed are; the row for E06000005 is dropped and one file changed, one is new, one gone.
    _load(con, [math.nextafter(64.3, 100.0), 70.26, None, None, 80.0], {"cla_2024": "aaa", "cla_2023": "bbx", "ofsted": "ddd"},
          rows=slice(0, 4))
    second = refresh_summary.summarise(con, refresh_summary.read_previous(con, tmp_path / "never_published.duckdb"), "demo")

    assert first.row(0, named=True) == {
        "source_mode": "demo", "files_new": 3, "files_changed": 0, "files_unchanged": 0, "files_dropped": 0,
        "panel_rows": 5, "rows_added": 5, "rows_removed": 0, "values_revised": 0}
    assert second.row(0, named=True) == {
        "source_mode": "demo", "files_new": 1, "files_changed": 1, "files_unchanged": 1, "files_dropped": 1,
        "panel_rows": 4, "rows_added": 0, "rows_removed": 1, "values_revised": 2}
    history = refresh_summary.history(refresh_summary.read_previous(con, tmp_path / "x"), second, "2026-12-02T06:00:00+00:00")
    assert history["published_at"].to_list() == ["2026-12-01T06:00:00+00:00", "2026-12-02T06:00:00+00:00"]
    assert history["values_revised"].to_list() == [0, 2]


def test_a_warehouse_published_before_publications_were_remembered_is_read_once(tmp_path):
    published = tmp_path / "csc.duckdb"
    old = duckdb.connect(str(published))
    _load(old, [1.0, 2.0, 3.0, 4.0, 5.0], {"cla_2024": "aaa"})
    warehouse.replace_table(old, "meta.refresh_history", pl.DataFrame({"published_at": ["2025-12-01T06:00:00+00:00"],
                                                                      "files_new": [1]}))
    old.close()
    con = _build([1.0, 2.0, 3.0, 4.0, 5.5], {"cla_2024": "aab"}, tmp_path)

    summary = refresh_summary.summarise(con, refresh_summary.read_previous(con, published), "mirror")

    assert summary.select("files_changed", "rows_added", "values_revised").row(0) == (1, 0, 1)
    previous = refresh_summary.read_previous(con, published)
    warehouse.replace_table(con, "meta.refresh_history", refresh_summary.history(previous, summary, "2026-12-01T06:00:00+00:00"))
    refresh_summary.remember_published(con)
    published.unlink()  # from now on the build database's own record is what counts
    remembered = refresh_summary.read_previous(con, published)
    assert remembered["meta.provenance"]["sha256"].to_list() == ["aab"]
    assert remembered["meta.refresh_history"]["published_at"].to_list() == ["2025-12-01T06:00:00+00:00", "2026-12-01T06:00:00+00:00"]
