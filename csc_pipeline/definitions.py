"""The single Dagster entry point (``workspace.yaml`` loads this module): the definitions of the
``csc_pipeline/defs/`` modules merged into one, with the policy every asset follows applied here."""

from __future__ import annotations

from dagster import AssetSpec, AutomationCondition, Definitions, map_asset_specs

from csc_pipeline.catalog import Catalog, load_catalog
from csc_pipeline.defs import analysis, cross_checks, ingest, jobs, publish, resources, schedules, sensors, warehouse_models
from csc_pipeline.settings import Settings


def with_policy(spec: AssetSpec) -> AssetSpec:
    """Every asset is owned by the team; everything after the obtained files updates when its inputs
    change (the daemon's automation sensor acts on these), not on a fixed chain."""
    automation = None if spec.group_name == ingest.SOURCE_FILES_GROUP else AutomationCondition.eager()
    return spec.replace_attributes(owners=resources.OWNERS, automation_condition=automation)


def build_definitions(settings: Settings | None = None, catalog: Catalog | None = None) -> Definitions:
    settings = settings or Settings.from_env()
    catalog = catalog or load_catalog()
    models = warehouse_models.sql_model_assets(catalog)
    analyses = analysis.analysis_assets()
    # Publication waits for every analyst table and analysis.
    published_inputs = [a.key for a in models if a.key.path[0] in ("mart", "analysis")] + [
        analysis.analysis_report.key, *(a.key for a in analyses)]
    group_jobs = jobs.release_jobs(catalog)
    merged = Definitions.merge(
        ingest.definitions(catalog),
        Definitions(assets=[*warehouse_models.reference_assets(), warehouse_models.provenance_asset(catalog), *models]),
        Definitions(assets=[*analyses, analysis.analysis_report, analysis.la_profile_pages]),
        Definitions(asset_checks=cross_checks.cross_check_definitions()),
        publish.definitions(published_inputs),
        jobs.definitions(group_jobs),
        schedules.definitions(settings),
        sensors.definitions(settings, catalog, group_jobs),
        resources.definitions(settings),
    )
    return Definitions(
        assets=map_asset_specs(with_policy, merged.assets), asset_checks=merged.asset_checks, jobs=merged.jobs,
        schedules=merged.schedules, sensors=merged.sensors, resources=merged.resources, executor=merged.executor,
    )


defs = build_definitions()
