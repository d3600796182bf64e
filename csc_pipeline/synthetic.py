"""Whether the data are synthetic demo data: decided here, once, for every page, chart and table that says so.

A warehouse holds synthetic data when its panel has rows from generated demo files (``is_synthetic``
follows each row to its file in ``meta.provenance``). No Dagster here.
"""

from __future__ import annotations

import duckdb
import polars as pl

SYNTHETIC_LABEL = "SYNTHETIC DEMO DATA - not official statistics"
PANEL = "mart.la_indicator_panel"


def panel_is_synthetic(panel: pl.DataFrame) -> bool:
    """A panel frame (or any frame with ``is_synthetic``) holds synthetic rows."""
    return bool(panel["is_synthetic"].any()) if panel.height else False


def warehouse_is_synthetic(con: duckdb.DuckDBPyConnection) -> bool:
    return panel_is_synthetic(con.sql(f"SELECT is_synthetic FROM {PANEL}").pl())
