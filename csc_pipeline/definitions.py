"""The single Dagster entry point (``workspace.yaml`` loads this module)."""

from __future__ import annotations

from dagster import AutomationCondition, Definitions, in_process_executor, map_asset_specs

from csc_pipeline.catalog import Catalog, load_catalog
from csc_pipeline.defs.analysis import analysis_assets, analysis_report, la_profile_pages
from csc_pipeline.defs.cross_checks import cross_check_definitions
from csc_pipeline.defs.ingest import ingest_definitions
from csc_pipeline.defs.publish import (
    panel_indicators_defined,
    panel_statuses_consistent,
    panel_unique,
    parquet_exports,
    publish_asset,
    refresh_summary_table,
    unique_key_checks,
)
from csc_pipeline.defs.resources import PipelineSettings, WarehouseDuckDB
from csc_pipeline.defs.jobs import refresh_job, release_jobs
from csc_pipeline.defs.schedules import build_refresh_schedule
from csc_pipeline.defs.sensors import build_failure_alert_sensor, build_release_sensor, dead_run_sensor
from csc_pipeline.defs.warehouse_models import (
    provenance_asset,
    reference_assets,
    sql_model_assets,
)
from csc_pipeline.settings import Settings


def _automated(spec):
    """Everything after the raw files updates when its inputs change (the daemon's automation
    sensor acts on these), not on a fixed chain."""
    return spec.replace_attributes(automation_condition=AutomationCondition.eager())


def build_definitions(settings: Settings | None = None, catalog: Catalog | None = None) -> Definitions:
    settings = settings or Settings.from_env()
    catalog = catalog or load_catalog()
    models = sql_model_assets(catalog)
    ingest_assets, ingest_checks = ingest_definitions(catalog)
    analyses = analysis_assets()
    analysis_outputs = [a.key for a in models if a.key.path[0] in ("mart", "analysis")] + [
        analysis_report.key, *(a.key for a in analyses)]
    group_jobs = release_jobs(catalog)
    sources = [a for a in ingest_assets if a.key.path[0] == "source_files"]
    downstream = map_asset_specs(_automated, [
        *[a for a in ingest_assets if a not in sources],
        *reference_assets(),
        provenance_asset(catalog),
        *models,
        *analyses,
        analysis_report,
        la_profile_pages,
        refresh_summary_table,
        publish_asset(analysis_outputs),
        parquet_exports,
    ])
    return Definitions(
        assets=[*sources, *downstream],
        asset_checks=[*ingest_checks, panel_unique, panel_indicators_defined, panel_statuses_consistent, *unique_key_checks(),
                      *cross_check_definitions()],
        jobs=[refresh_job, *group_jobs.values()],
        schedules=[build_refresh_schedule(settings)],
        sensors=[build_release_sensor(catalog, group_jobs), dead_run_sensor, build_failure_alert_sensor(settings)],
        resources={
            "pipeline_settings": PipelineSettings.from_settings(settings),
            "duckdb": WarehouseDuckDB.from_settings(settings),
        },
        # Steps run one after another in one process: quick on 2 cores (no per-step process start)
        # and no two steps ever hold the DuckDB file at once.
        executor=in_process_executor,
    )


defs = build_definitions()
