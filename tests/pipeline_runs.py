"""Run the whole Dagster job in-process for tests, on throwaway settings."""

from __future__ import annotations

from dagster import DagsterInstance, ExecuteInProcessResult

from csc_pipeline.definitions import build_definitions
from csc_pipeline.settings import Settings


def run_refresh(settings: Settings) -> ExecuteInProcessResult:
    job = build_definitions(settings).resolve_job_def("csc_refresh")
    return job.execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False)


def failed_checks(result: ExecuteInProcessResult) -> dict[str, str]:
    """check name -> its failure table (markdown) for every failed check of the run."""
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}": str(e.metadata["failure_cases"].value)
        if "failure_cases" in e.metadata else (e.description or "")
        for e in result.get_asset_check_evaluations()
        if not e.passed
    }


def check_family(settings: Settings, family: str):
    """Obtain, conform and validate one source family the way its blocking check does.

    Returns (problems, frame): the frame is the validated conformed data (with LA codes resolved
    from names where the contract names LAs), or None when there are problems.
    """
    from csc_pipeline import acquire, staging
    from csc_pipeline.catalog import load_catalog
    from csc_pipeline.contracts import load_contract
    from csc_pipeline.defs.ingest import with_resolved_codes
    from csc_pipeline.geography import default_resolver

    catalog = load_catalog()
    resolver = default_resolver()
    staging.conform_family(family, settings, catalog, acquire.acquire_family(family, settings, catalog))
    problems, _ = staging.validate_family(
        family, settings, catalog, resolver.known_codes(), resolve_name=resolver.resolve_area,
        known_la_codes_3=resolver.known_codes_3(),
    )
    if problems:
        return problems, None
    frame = staging.load_validated(family, settings)
    contract = load_contract(catalog.family(family)[0].contract)
    return [], with_resolved_codes(frame, contract.la_name_column) if contract.la_name_column else frame


def build_models(frames: dict, models: list[str]):
    """An in-memory warehouse: reference tables, the given raw.<family> frames, then the named SQL models."""
    import duckdb

    from csc_pipeline import warehouse
    from csc_pipeline.reference_tables import reference_frames

    con = duckdb.connect()
    for table, frame in {**reference_frames(), **{f"raw.{family}": f for family, f in frames.items()}}.items():
        warehouse.replace_table(con, table, frame)
    known = {m.name: m for m in warehouse.discover_models()}
    for name in models:
        warehouse.run_model(con, known[name])
    return con


def write_demo_family(out, write):
    """The files one demo family writer (e.g. ``csc_pipeline.demo.lait.write_lait``) writes under ``out``."""
    from csc_pipeline.demo.generator import DEFAULT_SEED, _load_geography, _Model, _Writer

    las, changes = _load_geography(None, None)
    model = _Model(las, changes, DEFAULT_SEED)
    write(model, _Writer(model, out, DEFAULT_SEED))
    return out
