"""Analysis assets that need Python (charts); the tables themselves are SQL models in sql/analysis."""

from __future__ import annotations

import base64

from dagster import AssetKey, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from csc_pipeline.analysis.plots import plot_cla_trends
from csc_pipeline.defs.resources import OWNERS, WAREHOUSE_POOL, PipelineSettings, build_connection


def png_markdown(path) -> MetadataValue:
    encoded = base64.b64encode(path.read_bytes()).decode()
    return MetadataValue.md(f"![{path.name}](data:image/png;base64,{encoded})")


@asset(
    key=AssetKey(["analysis", "cla_trend_chart"]),
    deps=[AssetKey(["analysis", "cla_trend_national_regional"])],
    group_name="analysis",
    kinds={"python", "matplotlib"},
    owners=OWNERS,
    pool=WAREHOUSE_POOL,
    description="PNG chart of the CLA rate per 10,000 by nation and English region, saved under reports/.",
)
def cla_trend_chart(pipeline_settings: PipelineSettings, duckdb: DuckDBResource) -> MaterializeResult:
    settings = pipeline_settings.settings()
    with build_connection(duckdb) as con:
        trend = con.sql("SELECT * FROM analysis.cla_trend_national_regional").pl()
    synthetic = bool(trend["is_synthetic"].any()) if trend.height else False
    path = plot_cla_trends(trend, settings.reports_dir / "cla_trend_national_regional.png", synthetic)
    return MaterializeResult(metadata={
        "chart": png_markdown(path),
        "path": MetadataValue.path(str(path)),
        "synthetic": synthetic,
    })
