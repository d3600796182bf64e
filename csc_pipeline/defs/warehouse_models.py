"""One asset per SQL model in ``sql/``, plus the reference tables the models read.

Dependencies come from each model's ``-- depends_on:`` header, so adding a model is adding a file.
"""

from __future__ import annotations

from dagster import AssetKey, AssetsDefinition, MaterializeResult, asset
from dagster_duckdb import DuckDBResource

from csc_pipeline import acquire, table_docs, warehouse
from csc_pipeline.catalog import Catalog
from csc_pipeline.defs.resources import OWNERS, PipelineSettings, build_connection
from csc_pipeline.defs.table_metadata import table_metadata
from csc_pipeline.reference_tables import provenance_frame, reference_frames


def table_key(table: str) -> AssetKey:
    return AssetKey(table.split("."))


def _dependency_keys(model: warehouse.SqlModel, catalog: Catalog) -> list[AssetKey]:
    """``loaded.*`` in a depends_on header means every source family's loaded table."""
    keys = []
    for table in model.depends_on:
        if table == "loaded.*":
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
        owners=OWNERS,
        description=f"{model.description}\n\nSQL: sql/{model.layer}/{model.path.name}",
        metadata={"sql_file": f"sql/{model.layer}/{model.path.name}"},
    )
    def _model(duckdb: DuckDBResource) -> MaterializeResult:
        with build_connection(duckdb) as con:
            warehouse.run_model(con, model)
            if model.schema in table_docs.INTERNAL_SCHEMAS:
                table_docs.mark_internal(con, model.table, model.description)
            metadata = table_metadata(con, model.table)
        return MaterializeResult(metadata=metadata)

    return _model


def sql_model_assets(catalog: Catalog) -> list[AssetsDefinition]:
    return [_model_asset(m, catalog) for m in warehouse.discover_models()]


REFERENCE_TABLES = {
    "ref.catalog_entries": ("yaml", "The source catalog's entries (csc_pipeline/catalog/*.yaml): publisher, dataset, release and precedence."),
    "ref.local_authorities": ("csv", "The project's LA reference (csc_pipeline/reference/local_authorities.csv) in the warehouse."),
    "ref.boundary_changes": ("csv", "Boundary and code changes since 2005, one row per predecessor -> successor link (csc_pipeline/reference/boundary_changes.csv)."),
    "ref.symbol_status": ("yaml", "Suppression and special-value symbols and the status each means (schemas/_symbols.yaml)."),
    "ref.indicators": ("csv", "Indicator definitions, units, polarity and numerator/denominator (csc_pipeline/reference/indicators/*.csv)."),
    "ref.combined_units": ("csv", "Combined reporting units (e.g. Kingston upon Thames / Richmond upon Thames) and their member LAs (csc_pipeline/reference/combined_units.csv)."),
    "ref.s251_outturn_lines": ("csv", "Section 251 outturn lines per year and the spending concept each is (csc_pipeline/reference/s251_outturn_lines.csv)."),
}


def _reference_asset(table: str, source_kind: str, description: str) -> AssetsDefinition:
    @asset(
        key=table_key(table),
        group_name="reference",
        kinds={"duckdb", source_kind},
        owners=OWNERS,
        description=description,
    )
    def _reference(duckdb: DuckDBResource) -> MaterializeResult:
        return _load_table(duckdb, table, reference_frames()[table])

    return _reference


def reference_assets() -> list[AssetsDefinition]:
    return [_reference_asset(table, kind, text) for table, (kind, text) in REFERENCE_TABLES.items()]


PROVENANCE = "meta.provenance"


def provenance_asset(catalog: Catalog) -> AssetsDefinition:
    @asset(
        key=table_key(PROVENANCE),
        deps=[AssetKey(["source_files", f]) for f in catalog.families()],
        group_name="reference",
        kinds={"duckdb"},
        owners=OWNERS,
        description="Every file the warehouse was built from: catalog entry, URL or mirror path, fetched_at, sha256, bytes.",
    )
    def provenance(pipeline_settings: PipelineSettings, duckdb: DuckDBResource) -> MaterializeResult:
        settings = pipeline_settings.settings()
        records = [r for f in catalog.families() for r in acquire.read_manifest(settings, f)]
        return _load_table(duckdb, PROVENANCE, provenance_frame(records, catalog))

    return provenance


def _load_table(duckdb: DuckDBResource, table: str, frame) -> MaterializeResult:
    """Replace a reference table (marked internal) or a meta table (with its documentation)."""
    with build_connection(duckdb) as con:
        warehouse.replace_table(con, table, frame, table_docs.META_DOCS.get(table))
        if table in REFERENCE_TABLES:
            table_docs.mark_internal(con, table, REFERENCE_TABLES[table][1])
        return MaterializeResult(metadata=table_metadata(con, table))
