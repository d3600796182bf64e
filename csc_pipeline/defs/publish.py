"""Publication: what this refresh changed, then the build warehouse's analyst schemas written to a
fresh file and atomically swapped in as csc.duckdb."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetKey,
    AssetsDefinition,
    Definitions,
    FreshnessPolicy,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    asset,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from csc_pipeline import __version__, build_inputs, exports, panel_statuses, refresh_summary, table_docs, warehouse
from csc_pipeline.defs.table_metadata import tables_metadata
from csc_pipeline.synthetic import SYNTHETIC_LABEL, warehouse_is_synthetic
from csc_pipeline.settings import Settings

PANEL = AssetKey(["mart", "la_indicator_panel"])
REFRESH_SUMMARY = AssetKey(refresh_summary.SUMMARY_TABLE.split("."))


@asset_check(
    asset=PANEL,
    name="one_value_per_la_year_indicator",
    blocking=True,
    description="Blocking: no LA-year-indicator appears twice in a geography (by authority; combined reporting units by code).",
)
def panel_unique(duckdb: DuckDBResource) -> AssetCheckResult:
    with duckdb.get_connection() as con:
        dupes = con.sql(
            """
            SELECT geography, coalesce(authority_id, la_code) AS authority, year, indicator, count(*) AS n,
                   string_agg(la_code, ', ') AS codes
            FROM mart.la_indicator_panel
            GROUP BY ALL HAVING count(*) > 1
            ORDER BY ALL LIMIT 50
            """
        ).pl()
    return AssetCheckResult(
        passed=dupes.is_empty(),
        metadata={"duplicates_shown": dupes.height, "duplicates": MetadataValue.md(str(dupes) if dupes.height else "_none_")},
    )


@asset_check(
    asset=PANEL,
    name="indicators_are_defined",
    blocking=True,
    additional_deps=[AssetKey(["mart", "indicator_dictionary"])],
    description="Blocking: every indicator in the panel has a definition in mart.indicator_dictionary.",
)
def panel_indicators_defined(duckdb: DuckDBResource) -> AssetCheckResult:
    with duckdb.get_connection() as con:
        undefined = [r[0] for r in con.execute(
            "SELECT DISTINCT indicator FROM mart.la_indicator_panel "
            "WHERE indicator NOT IN (SELECT indicator FROM mart.indicator_dictionary) ORDER BY 1"
        ).fetchall()]
    return AssetCheckResult(
        passed=not undefined,
        description=("undefined indicators: " + ", ".join(undefined)) if undefined else "all defined",
        metadata={"undefined": MetadataValue.json(undefined)},
    )


@asset_check(
    asset=PANEL,
    name="statuses_mean_one_thing",
    blocking=True,
    description="Blocking: every panel row's status agrees with its value, symbol, method and harmonisation "
                "(a suppressed row has its symbol; a row without a value never names a computation; "
                "not_harmonisable only on the current geography, csc_pipeline/panel_statuses.py).",
)
def panel_statuses_consistent(duckdb: DuckDBResource) -> AssetCheckResult:
    with duckdb.get_connection() as con:
        problems = panel_statuses.status_problems(con)
    return AssetCheckResult(
        passed=problems.is_empty(),
        description="; ".join(f"{r['problem']}: {r['rows']} rows, e.g. {r['example']}" for r in problems.iter_rows(named=True))
                    or "every status means one thing",
        metadata={"problems": MetadataValue.md(str(problems) if problems.height else "_none_")},
    )


# Tables (other than the panel) that must hold one row per key: a duplicate means two vintages of
# one inspection or model were both kept.
UNIQUE_KEYS = {
    "mart.ofsted_judgements": ("authority_id", "framework", "inspection_type", "publication_date", "judgement_area"),
    "mart.ofsted_judgement_in_force": ("year", "la_code"),
    "mart.statistical_neighbours": ("model_version", "la_code", "neighbour_rank"),
    "mart.la_benchmark": ("geography", "la_code", "year", "indicator"),
}


def _unique_key_check(table: str, key: tuple[str, ...]):
    @asset_check(
        asset=AssetKey(table.split(".")),
        name="one_row_per_key",
        blocking=True,
        description=f"Blocking: {table} holds one row per {', '.join(key)}.",
    )
    def _check(duckdb: DuckDBResource) -> AssetCheckResult:
        columns = ", ".join(key)
        with duckdb.get_connection() as con:
            dupes = con.sql(
                f"SELECT {columns}, count(*) AS n FROM {table} GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL LIMIT 50"
            ).pl()
        return AssetCheckResult(
            passed=dupes.is_empty(),
            metadata={"duplicates_shown": dupes.height, "duplicates": MetadataValue.md(str(dupes) if dupes.height else "_none_")},
        )

    return _check


def unique_key_checks() -> list:
    return [_unique_key_check(table, key) for table, key in UNIQUE_KEYS.items()]


# Data is annual: a published warehouse not rebuilt for 13 months has missed a release cycle.
PUBLISHED_FRESHNESS = FreshnessPolicy.time_window(fail_window=timedelta(days=400), warn_window=timedelta(days=370))


@asset(
    key=REFRESH_SUMMARY,
    deps=[PANEL, AssetKey(["meta", "provenance"])],
    group_name="publish",
    kinds={"duckdb"},
    description="What this refresh changed against the last published warehouse (files new / changed / "
                "dropped, panel rows added / removed, values revised), computed once for the report and "
                "the publication, without opening the published file.",
)
def refresh_summary_table(settings: ResourceParam[Settings], duckdb: DuckDBResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        previous = refresh_summary.read_previous(con, settings.warehouse_path)
        summary = refresh_summary.summarise(con, previous, settings.source_mode)
        warehouse.replace_table(con, refresh_summary.SUMMARY_TABLE, summary, refresh_summary.SUMMARY_DOCS)
    return MaterializeResult(metadata={k: v for k, v in summary.row(0, named=True).items() if isinstance(v, int)})


def publish_asset(upstream: list[AssetKey]) -> AssetsDefinition:
    @asset(
        key=AssetKey(["warehouse", "published"]),
        deps=[*upstream, REFRESH_SUMMARY],
        freshness_policy=PUBLISHED_FRESHNESS,
        group_name="publish",
        kinds={"duckdb"},
        description="Publish the build warehouse's analyst schemas as $CSC_DATA_LAKE/warehouse/csc.duckdb: a "
                    "fresh, compact file renamed over the old one, which is never opened (readers of it, "
                    "even read-write, keep a complete, consistent copy and cannot block publication).",
    )
    def published(settings: ResourceParam[Settings], duckdb: DuckDBResource) -> MaterializeResult:
        published_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with duckdb.get_connection() as con:
            synthetic = warehouse_is_synthetic(con)
            about = pl.DataFrame({
                "key": ["source_mode", "synthetic", "published_at", "csc_pipeline_version", "analysis_config", "note"],
                "value": [
                    settings.source_mode, str(synthetic).lower(), published_at, __version__,
                    f"defaults overlaid with {settings.analysis_config.name}" if settings.analysis_config else "defaults",
                    SYNTHETIC_LABEL if synthetic else "Built from published official statistics",
                ],
            })
            warehouse.replace_table(con, "meta.about", about, table_docs.META_DOCS["meta.about"])
            summary = con.sql(f"SELECT * FROM {refresh_summary.SUMMARY_TABLE}").pl()
            previous = refresh_summary.read_previous(con, settings.warehouse_path)
            warehouse.replace_table(con, "meta.refresh_history", refresh_summary.history(previous, summary, published_at),
                                    table_docs.META_DOCS["meta.refresh_history"])
            schemas = tables_metadata(con, ["meta.about", "meta.refresh_history"])
            tables = con.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE list_contains(?, table_schema) ORDER BY 1", [list(warehouse.PUBLISHED_SCHEMAS)]
            ).fetchall()
            inputs = build_inputs.build_fingerprint(settings)
            build_inputs.forget_publication(settings)
            path = warehouse.publish(con, settings.warehouse_path)
            build_inputs.record_publication(settings, inputs)
            refresh_summary.remember_published(con)
        changes = summary.row(0, named=True)
        return MaterializeResult(metadata={
            **{k: v for k, v in changes.items() if isinstance(v, int)},
            "path": MetadataValue.path(str(path)),
            "bytes": path.stat().st_size,
            "tables": MetadataValue.md("\n".join(f"- {t[0]}" for t in tables)),
            "synthetic": synthetic,
            **schemas,
        })

    return published


EXPORTED_SCHEMAS = ("mart", "analysis")


@asset(
    key=AssetKey(["exports", "parquet"]),
    deps=[AssetKey(["warehouse", "published"])],
    group_name="publish",
    kinds={"parquet", "csv"},
    description="Every mart and analysis table of the published warehouse as Parquet and CSV in "
                "$CSC_DATA_LAKE/exports/ (one pair of files per table, each replaced atomically), with "
                "exports/README.md saying what each file is, whether the data are synthetic and when they "
                "were published: for people and tools without DuckDB.",
)
def parquet_exports(settings: ResourceParam[Settings], duckdb: DuckDBResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        written = exports.export_tables(con, settings.exports_dir, EXPORTED_SCHEMAS)
    return MaterializeResult(metadata={
        "files": MetadataValue.md("\n".join(f"- `{e.stem}.parquet` / `.csv`: {e.rows:,} rows" for e in written)),
        "tables": len(written),
        "path": MetadataValue.path(str(settings.exports_dir)),
    })


def definitions(published_inputs: list[AssetKey]) -> Definitions:
    """Publication and its checks; ``published_inputs``: the analyst tables and analyses the published
    warehouse must wait for."""
    return Definitions(
        assets=[refresh_summary_table, publish_asset(published_inputs), parquet_exports],
        asset_checks=[panel_unique, panel_indicators_defined, panel_statuses_consistent, *unique_key_checks()],
    )
