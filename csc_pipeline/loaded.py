"""The loaded layer: a family's validated rows into the DuckDB table ``loaded.<family>``.

Cells stay exactly as published (the SQL staging layer types them); rows the contract's soft rules
or the comparison with the previous vintage set aside go to ``meta.quarantine`` instead, one slice
per family. No Dagster here: the ``loaded/<family>`` asset and the tests call ``load_family``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from csc_pipeline import conformed, table_docs, vintages, warehouse
from csc_pipeline.contracts import Contract
from csc_pipeline.settings import Settings

SCHEMA = "loaded"
QUARANTINE = "meta.quarantine"


def table_name(family: str) -> str:
    return f"{SCHEMA}.{family}"


def description(family: str) -> str:
    return f"Validated rows of {family} as DuckDB table {table_name(family)}, cells as published."


@dataclass(frozen=True)
class LoadResult:
    table: str
    rows: int
    quarantined: int


def loadable_rows(family: str, settings: Settings, contract: Contract) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept, quarantined) of the family's validated rows: what ``load_family`` writes where."""
    return vintages.set_aside(conformed.read_validated(family, settings), contract)


def load_family(con: duckdb.DuckDBPyConnection, family: str, settings: Settings, contract: Contract) -> LoadResult:
    """Replace ``loaded.<family>`` and the family's slice of ``meta.quarantine``."""
    kept, quarantined = loadable_rows(family, settings, contract)
    table = table_name(family)
    rows = warehouse.replace_table(con, table, kept)
    table_docs.mark_internal(con, table, description(family))
    warehouse.replace_slice(con, QUARANTINE, "family", family, quarantined)
    table_docs.write_docs(con, QUARANTINE, table_docs.META_DOCS[QUARANTINE])
    return LoadResult(table, rows, quarantined.height)
