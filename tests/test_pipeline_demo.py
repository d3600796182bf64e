"""End to end on the generated demo set, and what a malformed CLA file does to a refresh."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl
from dagster import AssetCheckSeverity, AssetKey, DagsterInstance

from csc_pipeline import cross_checks
from csc_pipeline.catalog import load_catalog
from csc_pipeline.definitions import build_definitions
from csc_pipeline.defs import runs
from csc_pipeline.analysis.registry import families
from pipeline_runs import failed_checks, read_write_reader, run_refresh, table_fingerprints

CLA_2025 = "dfe/cla/ees_release_2025/cla_number_and_rate_per_10k_children.csv"
CLA_2023 = "dfe/cla/ees_release_2023/cla_number_and_rate_per_10k_children.csv"


def test_demo_refresh_publishes_a_labelled_synthetic_warehouse(demo_warehouse):
    panel = demo_warehouse.sql(
        "SELECT nation, indicator, count(*) AS n, min(year) AS first, max(year) AS last, bool_and(is_synthetic) AS synthetic "
        "FROM mart.la_indicator_panel WHERE geography = 'as_published' GROUP BY ALL"
    ).pl()
    for nation in ("England", "Wales"):
        for indicator in ("cla_count", "population_0_17", "cla_rate_per_10k"):
            row = panel.filter((pl.col("nation") == nation) & (pl.col("indicator") == indicator))
            assert row.height == 1, (nation, indicator)
            # England's CLA runs from 2006 (the SFR27/2010 tables); populations and Wales from 2010.
            first = 2006 if nation == "England" and indicator != "population_0_17" else 2010
            assert (row["first"][0], row["last"][0], row["synthetic"][0]) == (first, 2025, True), (nation, indicator)
    assert demo_warehouse.sql("SELECT value FROM meta.about WHERE key = 'synthetic'").fetchall() == [("true",)]
    assert demo_warehouse.sql("SELECT count(*) FROM meta.provenance WHERE NOT synthetic").fetchall() == [(0,)]
    columns = {r[0] for r in demo_warehouse.sql("DESCRIBE mart.la_indicator_panel").fetchall()}
    assert {"geography", "la_code", "la_name", "region", "la_type", "nation", "year", "indicator", "value", "status"} <= columns


def test_welsh_rates_are_computed_from_counts_and_populations(demo_warehouse):
    rows = demo_warehouse.sql(
        """
        SELECT r.value AS rate, c.value AS n, p.value AS pop, r.method
        FROM mart.la_indicator_panel r
        JOIN mart.la_indicator_panel c USING (la_code, year)
        JOIN mart.la_indicator_panel p USING (la_code, year)
        WHERE r.nation = 'Wales' AND r.indicator = 'cla_rate_per_10k'
          AND c.indicator = 'cla_count' AND p.indicator = 'population_0_17'
          AND r.geography = 'as_published' AND c.geography = 'as_published' AND p.geography = 'as_published'
        """
    ).pl()
    assert rows.height == 22 * 16
    assert (rows["method"] == "computed_from_count_and_population").all()
    assert ((rows["rate"] - rows["n"] / rows["pop"] * 1e4).abs() < 1e-9).all()


def test_trend_outputs_sum_counts_before_dividing(demo_run, demo_warehouse):
    settings, result = demo_run
    trend = demo_warehouse.sql(
        "SELECT * FROM analysis.trend_national_regional WHERE area = 'England' AND indicator = 'cla_rate_per_10k'").pl()
    by_hand = demo_warehouse.sql(
        """
        SELECT year, sum(c.value) / sum(p.value) * 10000 AS rate
        FROM mart.la_indicator_panel c JOIN mart.la_indicator_panel p USING (geography, authority_id, year)
        WHERE c.nation = 'England' AND c.indicator = 'cla_count' AND p.indicator = 'population_0_17'
          AND c.value IS NOT NULL AND p.value IS NOT NULL AND geography = 'current'
          AND c.la_code NOT IN ('E09000001', 'E06000053')
        GROUP BY year
        """
    ).pl()
    joined = trend.join(by_hand, on="year")
    assert joined.height == 16 and (joined["n_las_implied_denominator"] == 0).all()  # 2006-2009: implied denominators
    assert ((joined["value"] - joined["rate"]).abs() < 1e-9).all()
    # the one national series: the SQL copy on as-published codes is gone
    assert demo_warehouse.sql("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'cla_trend_national_regional'").fetchone()[0] == 0
    chart = settings.reports_dir / "trends" / "trends_cla_rate_per_10k.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    trends_event = result.asset_materializations_for_node("analysis__trends")[0]
    assert any("data:image/png;base64," in str(v.value) for k, v in trends_event.metadata.items() if k.startswith("chart_"))


def test_a_rerun_without_changes_rebuilds_nothing_and_a_forced_one_publishes_an_identical_compact_warehouse(demo_run_copy):
    settings = demo_run_copy
    published, build = settings.warehouse_path, settings.build_warehouse_path
    first = table_fingerprints(published)
    first_bytes = published.read_bytes()
    sizes = [published.stat().st_size]
    instance = DagsterInstance.ephemeral()
    unchanged = run_refresh(settings, instance=instance)
    # Same files, code and settings as the publication: nothing downstream runs, nothing is published.
    assert unchanged.success and unchanged.unchanged and unchanged.downstream is None
    assert published.read_bytes() == first_bytes
    about = "SELECT value FROM meta.about WHERE key = 'published_at'"
    with read_write_reader(published) as analyst:  # DuckDB's default connection: read-write
        first_published_at = analyst(about)
        rerun = run_refresh(settings, instance=instance, force=True)
        assert rerun.success and not rerun.unchanged
        assert analyst(about) == first_published_at  # the analyst still reads the old, whole copy
    sizes.append(published.stat().st_size)
    conformed = rerun.asset_materializations_for_node("conformed__cla_number_and_rate")[0]
    assert conformed.metadata["files_parsed"].value == 0
    assert conformed.metadata["files_unchanged"].value == 5
    assert table_fingerprints(published) == first  # bit-identical mart and analysis tables

    con = duckdb.connect(str(published), read_only=True)
    assert con.execute(about).fetchone()[0] != first_published_at
    history = con.sql("SELECT * FROM meta.refresh_history ORDER BY published_at").pl()
    schemas = {s for (s,) in con.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
    free_blocks = con.execute("SELECT free_blocks FROM pragma_database_size()").fetchone()[0]
    con.close()
    assert history.height == 2  # the demo refresh, then the rerun
    rerun_row = history.row(1, named=True)
    assert (rerun_row["files_new"], rerun_row["files_changed"], rerun_row["files_dropped"]) == (0, 0, 0), rerun_row
    assert (rerun_row["rows_added"], rerun_row["rows_removed"], rerun_row["values_revised"]) == (0, 0, 0), rerun_row
    # A fresh file each time: no free blocks carried over, so it does not grow from run to run (sizes
    # still differ by a few per cent: DuckDB's parallel writer splits row groups differently per run),
    # and it is smaller than the build database.
    assert free_blocks == 0
    assert max(sizes) <= 1.15 * min(sizes), sizes
    assert max(sizes) < build.stat().st_size, (sizes, build.stat().st_size)
    assert schemas == {"loaded", "ref", "meta", "mart", "analysis"}


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


def _plant_implausible_rate(path: Path) -> dict:
    """Set one LA's 2025 rate in the CLA file to 1,500 per 10,000 (valid, implausible); returns its row."""
    frame = pl.read_csv(path, infer_schema=False)
    target = frame.with_row_index().filter(
        (pl.col("geographic_level") == "Local authority") & (pl.col("time_period") == "2025")
        & pl.col("population_type").str.contains("on 31 March")
    ).row(0, named=True)
    frame.with_columns(
        pl.when(pl.int_range(pl.len()) == target["index"]).then(pl.lit("1500")).otherwise(pl.col("rate_per_10000")).alias("rate_per_10000")
    ).write_csv(path)
    return target


def test_a_malformed_cla_file_fails_the_blocking_check_and_an_implausible_row_is_quarantined_not_loaded(demo_run_copy):
    # Demo mode keeps its generated files between refreshes (until the generator changes), so an
    # edited demo file stands for a malformed published file. (A generated demo set cannot serve as
    # a whole mirror: the RO3 workbooks before 2023-24 and StatsWales before 2010 are mirror-only.)
    settings = demo_run_copy
    mirror = settings.demo_dir
    pristine = (mirror / CLA_2025).read_bytes()
    published = _sha(settings.warehouse_path)

    for name, (edit, expected) in MUTATIONS.items():
        (mirror / CLA_2025).write_bytes(pristine)
        _rewrite(mirror / CLA_2025, edit)
        result = run_refresh(settings, family="cla_number_and_rate")
        failures = failed_checks(result)
        assert list(failures) == ["conformed/cla_number_and_rate:contract"], name
        assert expected in failures["conformed/cla_number_and_rate:contract"], (name, failures)
        assert CLA_2025 in failures["conformed/cla_number_and_rate:contract"], name
        started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
        assert "conformed__cla_number_and_rate" in started
        assert not {"loaded__cla_number_and_rate", "mart__la_indicator_panel", "warehouse__published"} & started, name
        assert _sha(settings.warehouse_path) == published, name

    # The file fixed but for one implausible, valid value: the refresh recovers and sets that row aside.
    (mirror / CLA_2025).write_bytes(pristine)
    target = _plant_implausible_rate(mirror / CLA_2025)
    result = run_refresh(settings, family="cla_number_and_rate")

    assert result.success
    assert list(failed_checks(result)) == ["loaded/cla_number_and_rate:quarantine"]  # a warning, not blocking
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    assert con.sql("SELECT source_file, source_row, \"column\", value FROM mart.quarantine").fetchall() == [
        (CLA_2025, target["index"] + 2, "rate_per_10000", "1500")
    ]
    # the quarantined row (the LA's whole CLA record for that year) is not in the panel
    assert con.execute(
        "SELECT count(*) FROM mart.la_indicator_panel "
        "WHERE la_code = ? AND year = 2025 AND indicator LIKE 'cla_%' AND geography = 'as_published'",
        [target["new_la_code"]],
    ).fetchone()[0] == 4  # starts and ceased (count and rate) only
    con.close()


def test_demo_lait_and_low_income_reach_the_panel_and_the_cross_check(demo_warehouse):
    years = dict(demo_warehouse.sql(
        "SELECT indicator, list(DISTINCT year ORDER BY year) FROM mart.la_indicator_panel "
        "WHERE indicator IN ('lait_childpov', 'children_relative_low_income_count', 'children_low_income_hmrc_percent') GROUP BY 1"
    ).fetchall())
    # The child poverty share comes whole from the latest LAIT refresh (re-based from 2022).
    assert years == {
        "lait_childpov": [2022, 2023, 2024, 2025],
        "children_relative_low_income_count": list(range(2015, 2025)),
        "children_low_income_hmrc_percent": list(range(2007, 2018)),
    }
    compared = cross_checks.compare(demo_warehouse, cross_checks.cross_check("lait_matches_the_panel"))
    counts = compared.filter(pl.col("indicator").str.ends_with("_count") & pl.col("agrees").is_not_null())
    assert counts.height > 3 * 140 * 8 and counts["agrees"].all()  # LAIT's demo counts are the EES demo counts


def test_the_cross_checks_warn_on_the_table_they_verify_naming_each_disagreement(demo_run):
    settings, result = demo_run
    evaluations = {e.check_name: e for run in result.results for e in run.get_asset_check_evaluations()}
    build = duckdb.connect(str(settings.build_warehouse_path), read_only=True)
    for check in cross_checks.CROSS_CHECKS:
        evaluation = evaluations[check.name]
        assert evaluation.asset_key == AssetKey(check.table.split("."))
        assert evaluation.severity == AssetCheckSeverity.WARN
        compared = cross_checks.compare(build, check)
        disagree = cross_checks.disagreements(compared, check)
        # as in the real files: older releases' rates against counts and populations later releases revised; LAIT re-bases rates
        assert disagree.height > 0 and not evaluation.passed
        assert evaluation.metadata["disagreements"].value == disagree.height
        assert evaluation.metadata["compared"].value == compared["agrees"].count() > disagree.height
        shown = evaluation.metadata["disagreements_shown"].value
        first = disagree.row(0, named=True)
        assert f"| {first['la_code']} | {first['la_name']} | {first['year']} | {first['indicator']} |" in shown
        assert set(check.values) <= set(shown.splitlines()[0].strip("| ").split(" | "))
    build.close()


def test_revision_log_lists_what_later_releases_changed(demo_warehouse):
    revisions = demo_warehouse.sql(
        "SELECT * FROM mart.revision_log WHERE geographic_level = 'local_authority' AND indicator = 'cla_count'"
    ).pl()
    # the generator revises about half the shared LA counts of each older release by 1-3 children
    assert revisions.height > 100
    assert revisions["change"].abs().max() <= 3
    newest = revisions.filter(pl.col("new_value").is_not_null()).sort("new_release").group_by("authority_id", "year").last()
    panel = demo_warehouse.sql(
        "SELECT authority_id, year, value, release FROM mart.la_indicator_panel "
        "WHERE indicator = 'cla_count' AND geography = 'as_published'"
    ).pl()
    joined = newest.join(panel, on=["authority_id", "year"])
    assert joined.height == newest.height
    # the panel holds the last revised value (a later release may repeat it unchanged)
    assert (joined["value"] == joined["new_value"]).all() and (joined["release"] >= joined["new_release"]).all()


def test_coverage_counts_las_with_values_against_authorities_in_force(demo_warehouse):
    coverage = demo_warehouse.sql("SELECT * FROM mart.coverage WHERE indicator = 'cla_count'").pl()
    panel_counts = demo_warehouse.sql(
        "SELECT geography, nation, year, count(value) AS n FROM mart.la_indicator_panel WHERE indicator = 'cla_count' GROUP BY ALL"
    ).pl()
    joined = coverage.join(panel_counts, on=["geography", "nation", "year"])
    assert joined.height == 2 * (20 + 16)  # two geographies; England 2006-2025, Wales 2010-2025
    assert (joined["las_with_value"] == joined["n"]).all()
    assert (joined["las_with_value"] + joined["las_suppressed"] <= joined["authorities_expected"]).all()
    wales = joined.filter(pl.col("nation") == "Wales")
    assert (wales["las_with_value"] == 22).all() and (wales["authorities_expected"] == 22).all()


def test_backfilling_a_revised_historical_release_reruns_only_that_partition_and_the_history_says_what_changed(demo_run_copy):
    settings = demo_run_copy
    mirror = settings.demo_dir  # edited demo files stand for a publisher's correction of an old release
    frame = pl.read_csv(mirror / CLA_2023, infer_schema=False)
    # revise one LA count for 2019: the 2023 release is the latest to publish 2019, so the panel changes
    target = frame.with_row_index().filter(
        (pl.col("geographic_level") == "Local authority") & (pl.col("time_period") == "2019")
        & pl.col("number").str.contains(r"^\d+$")
    ).row(0, named=True)
    frame.with_columns(
        pl.when(pl.int_range(pl.len()) == target["index"]).then(pl.lit(str(int(target["number"]) + 7)))
        .otherwise(pl.col("number")).alias("number")
    ).write_csv(mirror / CLA_2023)

    result = runs.backfill(build_definitions(settings), load_catalog(), DagsterInstance.ephemeral(), "demo",
                           "children_looked_after_in_england_including_adoptions", "2023")

    assert result.success
    obtained = {(e.asset_key.to_user_string(), e.partition) for e in result.get_asset_materialization_events()
                if e.asset_key.path[0] == "source_files"}
    assert obtained == {("source_files/cla_number_and_rate", "2023")}  # one release partition, nothing else obtained
    rebuilt = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"conformed/cla_number_and_rate", "mart/la_indicator_panel", "warehouse/published"} <= rebuilt
    assert "conformed/cin_b1" not in rebuilt  # not downstream of the release
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    first, second = con.sql("SELECT * FROM meta.refresh_history ORDER BY published_at, files_new DESC").pl().iter_rows(named=True)
    con.close()
    assert first["files_new"] > 0 and first["rows_added"] == first["panel_rows"]
    assert (second["files_new"], second["files_changed"], second["files_dropped"]) == (0, 1, 0)
    assert second["files_unchanged"] == first["files_new"] - 1
    assert second["rows_added"] == second["rows_removed"] == 0
    assert second["values_revised"] >= 1  # the count (and the current-boundary copy of it)
    published = result.asset_materializations_for_node("warehouse__published")[0]
    assert published.metadata["files_changed"].value == 1


def test_demo_deprivation_indices_reach_the_panel(demo_warehouse):
    found = dict(demo_warehouse.sql(
        "SELECT indicator || ' ' || year, count(DISTINCT la_code) FROM mart.la_indicator_panel "
        "WHERE geography = 'as_published' AND value IS NOT NULL AND (indicator LIKE 'imd%' OR indicator LIKE 'idaci%' "
        "OR indicator LIKE 'wimd%') GROUP BY 1").fetchall())
    harmonised = dict(demo_warehouse.sql(
        "SELECT harmonisation, count(*) FROM mart.la_indicator_panel WHERE geography = 'current' "
        "AND indicator = 'imd_average_score' AND year = 2015 GROUP BY 1").fetchall())
    for indicator in ("imd_average_score", "imd_rank_of_average_score", "idaci_average_score", "idaci_rank_of_average_score"):
        assert (found[f"{indicator} 2015"], found[f"{indicator} 2019"]) == (152, 151), indicator
    assert found["wimd_most_deprived_10pct_percent 2019"] == 22
    # BCP, Dorset, North and West Northamptonshire, Cumberland, Westmorland and Furness.
    assert harmonised["not_harmonisable"] == 6 and "merged" not in harmonised and "apportioned" not in harmonised


def test_demo_run_produces_the_analysis_tables_charts_and_report(demo_run, demo_warehouse):
    settings, result = demo_run
    tables = {r[0] for r in demo_warehouse.sql(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'analysis'").fetchall()}
    assert {"change_in_rate", "change_in_rate_by_region", "deprivation_coefficients", "funnel_positions"} <= tables
    change = demo_warehouse.sql(
        "SELECT DISTINCT nation, period_start, period_end FROM analysis.change_in_rate WHERE indicator = 'cla_rate_per_10k'"
    ).fetchall()
    assert ("England", 2012, 2017) in change and ("Wales", 2005, 2011) in change
    regions = {r[0] for r in demo_warehouse.sql("SELECT DISTINCT region FROM analysis.change_in_rate_by_region").fetchall()}
    assert {"Inner London", "Outer London", "All"} <= regions and "London" not in regions
    family_tables = {t.removeprefix("analysis.") for (t,) in demo_warehouse.sql(
        "SELECT content FROM meta.analysis_report_items WHERE kind = 'table'").fetchall()}
    assert family_tables <= tables
    undocumented = demo_warehouse.sql(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'analysis' AND comment IS NULL"
    ).fetchall()
    assert [row for row in undocumented if row[0] in family_tables] == []
    # Every family of methods.md wrote tables and charts, and the report has a section for each.
    report = (settings.reports_dir / "analysis_report.html").read_text(encoding="utf-8")
    for family in families():
        kinds = dict(demo_warehouse.execute(
            "SELECT kind, count(*) FROM meta.analysis_report_items WHERE family = ? GROUP BY kind", [family]).fetchall())
        assert kinds.get("table", 0) >= 3 and kinds.get("chart", 0) >= 1 and kinds.get("headline", 0) >= 1, (family, kinds)
        assert f"<section id='{family}'>" in report, family
    charts = [r[0] for r in demo_warehouse.sql(
        "SELECT content FROM meta.analysis_report_items WHERE kind = 'chart'").fetchall()]
    assert all(Path(c).read_bytes()[:4] == b"\x89PNG" for c in charts)
    # the plot types the issue names: trend lines (and the ITS fit, small multiples), correlation
    # heatmaps, funnel plots, regional box plots; plus the Ofsted model's CV curve
    for prefix in ("trends/trends_cla_rate", "trends/trends_its_", "trends/trends_las_", "correlations/correlations_england_",
                   "correlations/residual_correlations_", "deprivation/funnel_", "change_in_rate/change_in_rate_",
                   "ofsted_linkage/ofsted_prediction_cv"):
        assert any(f"{Path(c).parent.name}/{Path(c).name}".startswith(prefix) for c in charts), prefix
    assert "SYNTHETIC DEMO DATA" in report and "analysis.change_in_rate_by_region" in report
    assert "<h2>This refresh</h2>" in report and "checks passed" in report
    assert result.asset_materializations_for_node("analysis__report")
