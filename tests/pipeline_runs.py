"""Run the whole Dagster job in-process for tests, on throwaway settings."""

from __future__ import annotations

from dagster import AssetKey, AssetSelection, DagsterInstance, ExecuteInProcessResult

from csc_pipeline.definitions import build_definitions
from csc_pipeline.settings import Settings


def run_refresh(settings: Settings, family: str | None = None) -> ExecuteInProcessResult:
    """The whole refresh, or (``family``) only that source family's assets and everything downstream
    of them - what re-running after one file changed needs, without re-running every other family."""
    defs = build_definitions(settings)
    selection = None
    if family is not None:
        downstream = AssetSelection.keys(AssetKey(["source_files", family])).downstream()
        selection = sorted(downstream.resolve(defs.resolve_asset_graph()), key=str)
    return defs.resolve_job_def("csc_refresh").execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False, asset_selection=selection
    )


def failed_checks(result: ExecuteInProcessResult) -> dict[str, str]:
    """check name -> its failure table (markdown) for every failed check of the run."""
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}": str(e.metadata["failure_cases"].value)
        if "failure_cases" in e.metadata else (e.description or "")
        for e in result.get_asset_check_evaluations()
        if not e.passed
    }


def family_warehouse(settings: Settings, families: list[str], tables: list[str]):
    """Obtain, conform, validate and load ``families`` the way the refresh does, then build ``tables``
    (and the models they need) in an in-memory DuckDB. Returns (connection, problems by family)."""
    import duckdb

    from csc_pipeline import acquire, staging, warehouse
    from csc_pipeline.catalog import load_catalog
    from csc_pipeline.contracts import load_contract, quarantine
    from csc_pipeline.geography import default_resolver
    from csc_pipeline.reference_tables import provenance_frame, reference_frames

    catalog, resolver = load_catalog(), default_resolver()
    con = duckdb.connect()
    warehouse.ensure_schemas(con)
    references = reference_frames()
    for table, frame in references.items():
        warehouse.replace_table(con, table, frame)
    records, problems = [], {}
    for family in families:
        family_records = acquire.acquire_family(family, settings, catalog)
        records += family_records
        staging.conform_family(family, settings, catalog, family_records)
        problems[family], _ = staging.validate_family(family, settings, catalog, resolver.known_codes(), resolver=resolver)
        if not problems[family]:
            contract = load_contract(catalog.family(family)[0].contract)
            frame, _ = quarantine(staging.load_validated(family, settings), contract)
            frame, _ = staging.resolve_la_identifiers(frame, contract, resolver)
            warehouse.replace_table(con, f"raw.{family}", frame)
    warehouse.replace_table(con, "meta.provenance", provenance_frame(records, catalog))
    if any(problems.values()):
        return con, problems
    models = {m.table: m for m in warehouse.discover_models()}
    built = set(references) | {"meta.provenance"} | {f"raw.{f}" for f in families}

    def build(table: str) -> None:
        if table in built:
            return
        for dependency in models[table].depends_on:
            build(dependency)
        warehouse.run_model(con, models[table])
        built.add(table)

    for table in tables:
        build(table)
    return con, problems
