"""Run an analysis family against the warehouse: load its inputs, write its tables and report items.

No Dagster here: the assets in ``csc_pipeline/defs/analysis.py`` call these functions, and the
tests call them directly on a warehouse they build.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from csc_pipeline import table_docs, warehouse
from csc_pipeline.analysis import charts
from csc_pipeline.analysis.config import AnalysisConfig
from csc_pipeline.analysis.registry import families
from csc_pipeline.analysis.results import AnalysisInputs, AnalysisOutput
from csc_pipeline.synthetic import panel_is_synthetic

# The marts every family reads (AnalysisInputs field -> warehouse table).
INPUT_TABLES = {
    "panel": "mart.la_indicator_panel",
    "la_reference": "mart.la_reference",
    "ofsted_in_force": "mart.ofsted_judgement_in_force",
    "ofsted_judgements": "mart.ofsted_judgements",
    "neighbours": "mart.statistical_neighbours",
    "indicator_dictionary": "mart.indicator_dictionary",
    "apportionment_weights": "mart.apportionment_weights",
    "area_values": "mart.area_indicator_values",
    "rate_variants": "mart.la_rate_variants",
}

REPORT_ITEMS = "meta.analysis_report_items"


def load_inputs(con: duckdb.DuckDBPyConnection, charts_dir: Path) -> AnalysisInputs:
    frames = {field: con.sql(f"SELECT * FROM {table}").pl() for field, table in INPUT_TABLES.items()}
    return AnalysisInputs(**frames, synthetic=panel_is_synthetic(frames["panel"]), charts_dir=charts_dir)


def family_settings(config: AnalysisConfig, family: str) -> dict:
    """The settings ``family.run`` receives: its section over the shared one, plus the sections it reads."""
    return config.for_family(family, families()[family].reads)


def run_family(family: str, inputs: AnalysisInputs, settings: dict) -> AnalysisOutput:
    """Compute the family's tables and headlines from its ``family_settings``, then draw the charts it asks for."""
    return charts.draw(families()[family].run(inputs, settings), inputs)


def write_output(con: duckdb.DuckDBPyConnection, output: AnalysisOutput) -> dict[str, int]:
    """Write the family's tables (with their comments) and its report items; return rows per table."""
    rows = {
        table.name: warehouse.replace_table(con, table.name, table.frame, warehouse.TableDocs(table.description, table.columns))
        for table in output.tables
    }
    items = (
        [("headline", text) for text in output.headlines]
        + [("chart", str(path)) for path in output.charts]
        + [("table", table.name) for table in output.tables]
    )
    frame = pl.DataFrame(
        {"position": list(range(len(items))), "kind": [k for k, _ in items], "content": [c for _, c in items]},
        schema={"position": pl.Int64, "kind": pl.String, "content": pl.String},
    )
    warehouse.replace_slice(con, REPORT_ITEMS, "family", output.family, frame)
    table_docs.write_docs(con, REPORT_ITEMS, table_docs.META_DOCS[REPORT_ITEMS])
    return rows
