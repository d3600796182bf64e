"""Analysis assets: one per family of methods.md (found by ``csc_pipeline.analysis.registry``), plus
the HTML report and the LA profiles. Thin wrappers over ``csc_pipeline.analysis`` (plain Python)."""


import base64
from importlib import import_module

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    DagsterEventType,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    asset,
)
from dagster_duckdb import DuckDBResource

from csc_pipeline import refresh_summary
from csc_pipeline.analysis import la_profiles, runner
from csc_pipeline.analysis.config import load_analysis_config
from csc_pipeline.analysis.registry import families
from csc_pipeline.analysis.report import relative_source, render_report, write_report
from csc_pipeline.defs.table_metadata import tables_metadata
from csc_pipeline.settings import SOURCE_CHECKOUT, Settings
from csc_pipeline.synthetic import warehouse_is_synthetic

# Charts embedded in a family's asset metadata (all of them are in the report and under reports/).
CHARTS_IN_METADATA = 4
INPUT_KEYS = [AssetKey(table.split(".")) for table in runner.INPUT_TABLES.values()]
REPORT_FILE = "analysis_report.html"


def png_markdown(path) -> MetadataValue:
    encoded = base64.b64encode(path.read_bytes()).decode()
    return MetadataValue.md(f"![{path.name}](data:image/png;base64,{encoded})")


def _family_asset(family: str, title: str) -> AssetsDefinition:
    module = import_module(families()[family].run.__module__)

    @asset(
        key=AssetKey(["analysis", family]),
        deps=INPUT_KEYS,
        group_name="analysis",
        kinds={"python", "statsmodels", "duckdb"},
        description=f"{title} (methods.md): {(module.__doc__ or '').strip().splitlines()[0]} "
                    f"Settings: section `{family}` of csc_pipeline/analysis/config.yaml.",
    )
    def _family(context: AssetExecutionContext, settings: ResourceParam[Settings], duckdb: DuckDBResource) -> MaterializeResult:
        config = load_analysis_config(settings.analysis_config)
        with duckdb.get_connection() as con:
            inputs = runner.load_inputs(con, settings.reports_dir / family)
            family_config = runner.family_settings(config, family)
            output = runner.run_family(family, inputs, family_config)
            rows = runner.write_output(con, output)
            schemas = tables_metadata(con, [*rows, runner.REPORT_ITEMS])
        context.log.info(f"{family}: {len(rows)} table(s), {len(output.charts)} chart(s)")
        metadata = {
            "tables": MetadataValue.md("\n".join(f"- `{t}`: {n:,} rows" for t, n in rows.items()) or "_none_"),
            "headlines": MetadataValue.md("\n".join(f"- {h}" for h in output.headlines) or "_none_"),
            "settings": MetadataValue.json(family_config),
            "synthetic": inputs.synthetic,
            **schemas,
        }
        for path in output.charts[:CHARTS_IN_METADATA]:
            metadata[f"chart_{path.stem}"] = png_markdown(path)
        return MaterializeResult(metadata=metadata)

    return _family


def analysis_assets() -> list[AssetsDefinition]:
    return [_family_asset(family, spec.title) for family, spec in families().items()]


@asset(
    key=AssetKey(["analysis", "report"]),
    deps=[AssetKey(["analysis", family]) for family in families()] + [AssetKey(refresh_summary.SUMMARY_TABLE.split("."))],
    group_name="analysis",
    kinds={"python", "html"},
    description=f"Self-contained HTML report of every analysis (headlines, charts, tables with their "
                f"column notes), written to reports/{REPORT_FILE}.",
)
def analysis_report(context: AssetExecutionContext, settings: ResourceParam[Settings], duckdb: DuckDBResource) -> MaterializeResult:
    config = load_analysis_config(settings.analysis_config)
    checks = [r.event_log_entry.dagster_event.event_specific_data.passed
              for r in context.instance.get_records_for_run(context.run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records]
    with duckdb.get_connection() as con:
        synthetic = warehouse_is_synthetic(con)
        changes = con.sql(f"SELECT * FROM {refresh_summary.SUMMARY_TABLE}").pl().row(0, named=True)
        refresh = {**changes, "checks_passed": sum(checks), "checks_failed": len(checks) - sum(checks)}
        source = relative_source(config.source, (SOURCE_CHECKOUT, settings.data_lake))
        page = render_report(con, synthetic, source, {family: spec.title for family, spec in families().items()}, refresh)
    path = write_report(settings.reports_dir / REPORT_FILE, page)
    return MaterializeResult(metadata={"path": MetadataValue.path(str(path)), "bytes": len(page.encode()), "synthetic": synthetic})


@asset(
    key=AssetKey(["analysis", "la_profiles"]),
    deps=[AssetKey(["mart", "la_benchmark"]), AssetKey(["analysis", "deprivation"]), AssetKey(["mart", "indicator_dictionary"]),
          AssetKey(["mart", "ofsted_judgements"]), AssetKey(["mart", "ofsted_judgement_in_force"])],
    group_name="analysis",
    kinds={"python", "html"},
    description=f"One self-contained HTML page per LA (reports/{la_profiles.PROFILE_DIR}/<code>.html, index.html to find one): "
                "headline indicators against statistical neighbours, region and nation (mart.la_benchmark), trends, "
                "funnel positions, deprivation-adjusted residuals and Ofsted grades.",
)
def la_profile_pages(settings: ResourceParam[Settings], duckdb: DuckDBResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        synthetic = warehouse_is_synthetic(con)
        paths = la_profiles.render_profiles(con, settings.reports_dir / la_profiles.PROFILE_DIR, synthetic)
    return MaterializeResult(metadata={"pages": len(paths) - 1, "index": MetadataValue.path(str(paths[-1])), "synthetic": synthetic})
