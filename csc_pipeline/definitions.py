"""The single Dagster entry point (``workspace.yaml`` loads this module)."""

from __future__ import annotations

from dagster import Definitions, in_process_executor
from dagster_duckdb import DuckDBResource

from csc_pipeline.catalog import load_catalog
from csc_pipeline.defs.analysis import analysis_assets, analysis_report, cla_trend_chart
from csc_pipeline.defs.ingest import ingest_definitions
from csc_pipeline.defs.publish import (
    panel_indicators_defined,
    panel_unique,
    parquet_exports,
    publish_asset,
    unique_key_checks,
)
from csc_pipeline.defs.resources import PipelineSettings
from csc_pipeline.defs.schedules import annual_refresh_schedule, refresh_job
from csc_pipeline.defs.warehouse_models import (
    provenance_asset,
    reference_assets,
    sql_model_assets,
)
from csc_pipeline.settings import Settings


def build_definitions(settings: Settings | None = None) -> Definitions:
    settings = settings or Settings.from_env()
    catalog = load_catalog()
    models = sql_model_assets(catalog)
    ingest_assets, ingest_checks = ingest_definitions(catalog)
    analyses = analysis_assets()
    analysis_outputs = [a.key for a in models if a.key.path[0] in ("mart", "analysis")] + [
        cla_trend_chart.key, analysis_report.key, *(a.key for a in analyses)]
    return Definitions(
        assets=[
            *ingest_assets,
            *reference_assets(),
            provenance_asset(catalog),
            *models,
            cla_trend_chart,
            *analyses,
            analysis_report,
            publish_asset(analysis_outputs),
            parquet_exports,
        ],
        asset_checks=[*ingest_checks, panel_unique, panel_indicators_defined, *unique_key_checks()],
        jobs=[refresh_job],
        schedules=[annual_refresh_schedule],
        resources={
            "pipeline_settings": PipelineSettings.from_settings(settings),
            "duckdb": DuckDBResource(database=str(settings.build_warehouse_path)),
        },
        # Steps run one after another in one process: quick on 2 cores (no per-step process start)
        # and no two steps ever hold the DuckDB file at once.
        executor=in_process_executor,
    )


defs = build_definitions()
