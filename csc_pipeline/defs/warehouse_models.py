"""One asset per SQL model in ``sql/``, plus the reference tables the models read.

Dependencies come from the tables each model's SQL reads (and the models declared to feed it:
``-- feeds:``), so adding a model is adding a file.
"""

from __future__ import annotations

from dagster import AssetKey, AssetsDefinition, MaterializeResult, ResourceParam, asset
from dagster_duckdb import DuckDBResource

from csc_pipeline import acquire, table_docs, warehouse
from csc_pipeline.catalog import Catalog
from csc_pipeline.defs.ingest import QUARANTINE
from csc_pipeline.defs.table_metadata import table_metadata
from csc_pipeline.reference_tables import REFERENCE_TABLES, ReferenceTable, provenance_frame
from csc_pipeline.settings import Settings


def table_key(table: str) -> AssetKey:
    return AssetKey(table.split("."))


def _dependency_keys(model: warehouse.SqlModel, catalog: Catalog) -> list[AssetKey]:
    """The assets building what a model reads; ``meta.quarantine`` is written by every family's load."""
    keys = []
    for table in model.depends_on:
        if table == QUARANTINE:
            keys += [AssetKey(["loaded", family]) for family in catalog.families()]
        else:
            keys.append(table_key(table))
    return keys


def _model_asset(model: warehouse.SqlModel, catalog: Catalog) -> AssetsDefinition:
    @asset(
        key=table_key(model.table),
        deps=_dependency_keys(model, catalog),
        group_name=model.layer,
        kinds={"duckdb", "sql"},
        description=f"{model.description}\n\nSQL: sql/{model.layer}/{model.path.name}",
        metadata={"sql_file": f"sql/{model.layer}/{model.path.name}"},
    )
    def _model(duckdb: DuckDBResource) -> MaterializeResult:
        with duckdb.get_connection() as con:
            warehouse.run_model(con, model)
            if model.schema in table_docs.INTERNAL_SCHEMAS:
                table_docs.mark_internal(con, model.table, model.description)
            metadata = table_metadata(con, model.table)
        return MaterializeResult(metadata=metadata)

    return _model


def sql_model_assets(catalog: Catalog) -> list[AssetsDefinition]:
    return [_model_asset(m, catalog) for m in warehouse.discover_models()]


def _reference_asset(reference: ReferenceTable) -> AssetsDefinition:
    @asset(
        key=table_key(reference.table),
        group_name="reference",
        kinds={"duckdb", reference.source_kind},
        description=reference.description,
    )
    def _reference(duckdb: DuckDBResource) -> MaterializeResult:
        return _load_table(duckdb, reference.table, reference.build())

    return _reference


def reference_assets() -> list[AssetsDefinition]:
    return [_reference_asset(reference) for reference in REFERENCE_TABLES.values()]


PROVENANCE = "meta.provenance"


def provenance_asset(catalog: Catalog) -> AssetsDefinition:
    @asset(
        key=table_key(PROVENANCE),
        deps=[AssetKey(["source_files", f]) for f in catalog.families()],
        group_name="reference",
        kinds={"duckdb"},
        description="Every file the warehouse was built from: catalog entry, URL or mirror path, fetched_at, sha256, bytes.",
    )
    def provenance(settings: ResourceParam[Settings], duckdb: DuckDBResource) -> MaterializeResult:
        records = [r for f in catalog.families() for r in acquire.read_manifest(settings, f)]
        return _load_table(duckdb, PROVENANCE, provenance_frame(records, catalog))

    return provenance


def _load_table(duckdb: DuckDBResource, table: str, frame) -> MaterializeResult:
    """Replace a reference table (marked internal) or a meta table (with its documentation)."""
    with duckdb.get_connection() as con:
        warehouse.replace_table(con, table, frame, table_docs.META_DOCS.get(table))
        if table in REFERENCE_TABLES:
            table_docs.mark_internal(con, table, REFERENCE_TABLES[table].description)
        return MaterializeResult(metadata=table_metadata(con, table))
