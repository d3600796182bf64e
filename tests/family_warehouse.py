"""Run a few source families through the pipeline's own functions (acquire, conform, validate, load,
staging SQL) into an in-memory DuckDB, without Dagster: quick tests of one family's whole path."""

from __future__ import annotations

import duckdb

from csc_pipeline import acquire, staging, warehouse
from csc_pipeline.catalog import load_catalog
from csc_pipeline.contracts import Problem, load_contract, quarantine
from csc_pipeline.geography import default_resolver
from csc_pipeline.reference_tables import reference_frames
from csc_pipeline.settings import Settings


def build(settings: Settings, families: list[str], tables: list[str]) -> tuple[duckdb.DuckDBPyConnection, dict[str, list[Problem]]]:
    """(connection with raw.<family>, ref.* and the given staging tables; contract problems per family).

    A family with problems is not loaded (as in the pipeline, where the blocking check stops it).
    """
    catalog = load_catalog()
    resolver = default_resolver()
    con = duckdb.connect()
    problems: dict[str, list[Problem]] = {}
    for table, frame in reference_frames().items():
        warehouse.replace_table(con, table, frame)
    for family in families:
        records = acquire.acquire_family(family, settings, catalog)
        staging.conform_family(family, settings, catalog, records)
        found, _ = staging.validate_family(family, settings, catalog, resolver.known_codes(), resolver=resolver)
        problems[family] = found
        if found:
            continue
        contract = load_contract(catalog.family(family)[0].contract)
        frame, _ = quarantine(staging.load_validated(family, settings), contract)
        if contract.la_name_column or contract.la_code3_column:
            frame = staging.with_la_codes(frame, contract, resolver)
        warehouse.replace_table(con, f"raw.{family}", frame)
    models = {m.table: m for m in warehouse.discover_models()}
    for table in tables:
        warehouse.run_model(con, models[table])
    return con, problems
