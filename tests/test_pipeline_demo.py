"""End to end on the generated demo set, and what a malformed CLA file does to a refresh."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from csc_pipeline.settings import Settings
from pipeline_runs import failed_checks, run_refresh

CLA_2025 = "dfe/cla/ees_release_2025/cla_number_and_rate_per_10k_children.csv"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    settings = Settings(source_mode="demo", data_lake=tmp_path_factory.mktemp("lake"))
    result = run_refresh(settings)
    assert result.success and not failed_checks(result), failed_checks(result)
    return settings, result


def test_demo_refresh_publishes_a_labelled_synthetic_warehouse(demo_run):
    settings, _ = demo_run
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    panel = con.sql(
        "SELECT nation, indicator, count(*) AS n, min(year) AS first, max(year) AS last, bool_and(is_synthetic) AS synthetic "
        "FROM mart.la_indicator_panel WHERE geography = 'as_published' GROUP BY ALL"
    ).pl()
    for nation in ("England", "Wales"):
        for indicator in ("cla_count", "population_0_17", "cla_rate_per_10k"):
            row = panel.filter((pl.col("nation") == nation) & (pl.col("indicator") == indicator))
            assert row.height == 1, (nation, indicator)
            assert (row["first"][0], row["last"][0], row["synthetic"][0]) == (2010, 2025, True)
    assert con.sql("SELECT value FROM meta.about WHERE key = 'synthetic'").fetchall() == [("true",)]
    assert con.sql("SELECT count(*) FROM meta.provenance WHERE NOT synthetic").fetchall() == [(0,)]
    columns = {r[0] for r in con.sql("DESCRIBE mart.la_indicator_panel").fetchall()}
    assert {"geography", "la_code", "la_name", "region", "la_type", "nation", "year", "indicator", "value", "status"} <= columns
    con.close()


def test_welsh_rates_are_computed_from_counts_and_populations(demo_run):
    settings, _ = demo_run
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    rows = con.sql(
        """
        SELECT r.value AS rate, c.value AS n, p.value AS pop, r.method
        FROM mart.la_indicator_panel r
        JOIN mart.la_indicator_panel c USING (la_code, year)
        JOIN mart.la_indicator_panel p USING (la_code, year)
        WHERE r.nation = 'Wales' AND r.indicator = 'cla_rate_per_10k'
          AND c.indicator = 'cla_count' AND p.indicator = 'population_0_17'
        """
    ).pl()
    con.close()
    assert rows.height == 22 * 16
    assert (rows["method"] == "computed_from_count_and_population").all()
    assert ((rows["rate"] - rows["n"] / rows["pop"] * 1e4).abs() < 1e-9).all()


def test_trend_outputs_sum_counts_before_dividing(demo_run):
    settings, result = demo_run
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    trend = con.sql("SELECT * FROM analysis.cla_trend_national_regional WHERE area = 'England'").pl()
    by_hand = con.sql(
        """
        SELECT year, sum(c.value) / sum(p.value) * 10000 AS rate
        FROM mart.la_indicator_panel c JOIN mart.la_indicator_panel p USING (la_code, year)
        WHERE c.nation = 'England' AND c.indicator = 'cla_count' AND p.indicator = 'population_0_17'
          AND c.value IS NOT NULL AND p.value IS NOT NULL
        GROUP BY year
        """
    ).pl()
    con.close()
    joined = trend.join(by_hand, on="year")
    assert joined.height == 16
    assert ((joined["cla_rate_per_10k"] - joined["rate"]).abs() < 1e-9).all()
    chart = settings.reports_dir / "cla_trend_national_regional.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    chart_event = result.asset_materializations_for_node("analysis__cla_trend_chart")[0]
    assert "data:image/png;base64," in chart_event.metadata["chart"].value


def test_unchanged_files_are_not_parsed_again(demo_run):
    settings, _ = demo_run
    second = run_refresh(settings)
    assert second.success
    conformed = second.asset_materializations_for_node("conformed__cla_number_and_rate")[0]
    assert conformed.metadata["files_parsed"].value == 0
    assert conformed.metadata["files_unchanged"].value == 5


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rewrite(path: Path, edit) -> None:
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    edit(frame).write_csv(path)


MUTATIONS = {
    "missing column": (lambda f: f.drop("rate_per_10000"), "required column missing"),
    "text in a numeric column": (
        lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) == 40).then(pl.lit("lots")).otherwise(pl.col("children_count")).alias("children_count")),
        "not a number",
    ),
    "negative rate": (
        lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) == 41).then(pl.lit("-5")).otherwise(pl.col("rate_per_10000")).alias("rate_per_10000")),
        "out of range",
    ),
    "duplicate LA-year": (lambda f: pl.concat([f, f.filter(pl.col("geographic_level") == "Local authority").head(1)]), "duplicate key"),
    "unknown LA code": (
        lambda f: f.with_columns(pl.when(pl.col("new_la_code") == "E06000001").then(pl.lit("E07000026")).otherwise(pl.col("new_la_code")).alias("new_la_code")),
        "LA reference",
    ),
}


def test_malformed_cla_file_fails_the_blocking_check_and_leaves_the_warehouse_unchanged(tmp_path):
    # Demo mode, editing the generated files in place: a generated directory is not a complete
    # mirror (RO3 before 2023-24 and RSX are mirror-only entries).
    settings = Settings(source_mode="demo", data_lake=tmp_path / "lake")
    assert run_refresh(settings).success
    source = settings.demo_dir / CLA_2025
    pristine = source.read_bytes()
    published = _sha(settings.warehouse_path)

    for name, (edit, expected) in MUTATIONS.items():
        source.write_bytes(pristine)
        _rewrite(source, edit)
        result = run_refresh(settings)
        failures = failed_checks(result)
        assert list(failures) == ["conformed/cla_number_and_rate:contract"], name
        assert expected in failures["conformed/cla_number_and_rate:contract"], (name, failures)
        assert CLA_2025 in failures["conformed/cla_number_and_rate:contract"], name
        started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
        assert "conformed__cla_number_and_rate" in started
        assert not {"raw__cla_number_and_rate", "mart__la_indicator_panel", "warehouse__published"} & started, name
        assert _sha(settings.warehouse_path) == published, name

    source.write_bytes(pristine)
    assert run_refresh(settings).success  # fixed file: the refresh recovers
