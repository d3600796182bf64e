"""Per source family: obtain the files, conform them to their contract, check, load into DuckDB.

Assets per family (built from the catalog, so a new family is a catalog + contract change):
  source_files/<family>  - files obtained into the raw store, with provenance; partitioned by
                           publication release (one partition per release of the family's group:
                           an EES publication's families share one set of releases)
  conformed/<family>     - parsed and conformed to the contract (cached per file hash)
                           + blocking check ``contract`` (pandera + LA reference)
  loaded/<family>        - the validated rows as the DuckDB table loaded.<family>
"""


from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    Definitions,
    DynamicPartitionsDefinition,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    asset,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from csc_pipeline import acquire, conformed, loaded
from csc_pipeline.catalog import Catalog
from csc_pipeline.contracts import Problem, load_contract
from csc_pipeline.defs.table_metadata import table_metadata, tables_metadata
from csc_pipeline.geography import default_resolver
from csc_pipeline.loaded import QUARANTINE
from csc_pipeline.settings import Settings

MAX_PROBLEMS_SHOWN = 50
SOURCE_FILES_GROUP = "source_files"


def problems_markdown(problems: list[Problem]) -> str:
    shown = problems[:MAX_PROBLEMS_SHOWN]
    lines = ["| file | row | column | value | problem |", "|---|---|---|---|---|"]
    for p in shown:
        cells = [p.file, "" if p.row is None else str(p.row), p.column or "", "" if p.value is None else repr(p.value), p.message]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if len(problems) > len(shown):
        lines.append(f"\n… and {len(problems) - len(shown)} more")
    return "\n".join(lines)


def release_partitions(group: str) -> DynamicPartitionsDefinition:
    """The release partitions of a group (keys: the catalog's release labels, e.g. ``2025``).

    Dynamic, so the release sensor can add a release the catalog does not list yet; the catalogued
    releases are registered before every refresh (``csc_pipeline.defs.runs``).
    """
    return DynamicPartitionsDefinition(name=f"{group}__releases")


def family_assets(family: str, catalog: Catalog) -> tuple[list, list]:
    """The family's assets and checks: each a thin wrapper of one plain step (``acquire.obtain_releases``,
    ``conformed.conform_family``, ``conformed.check_family``, ``loaded.load_family``)."""
    entries = catalog.family(family)
    contract = load_contract(entries[0].contract)
    publisher = entries[0].publisher
    about = f"{entries[0].dataset} ({publisher}); contract schemas/{contract.name}.yaml"

    @asset(
        key=AssetKey(["source_files", family]),
        group_name=SOURCE_FILES_GROUP,
        kinds={"python", "file"},
        partitions_def=release_partitions(catalog.release_group(family)),
        # A range of releases (a backfill, or a full refresh) is obtained in one run.
        backfill_policy=BackfillPolicy.single_run(),
        description=f"Obtain the published files of a release: {about}. Demo: generated synthetic files; "
                    "mirror: a local copy; live: the publisher.",
    )
    def source_files(context: AssetExecutionContext, settings: ResourceParam[Settings]) -> MaterializeResult:
        obtained = acquire.obtain_releases(family, context.partition_keys, settings, catalog)
        records = obtained.records
        for notice in obtained.notices:
            context.log.warning(notice)
        context.log.info(f"{family}: {len(records)} file(s) of release(s) {', '.join(context.partition_keys)} "
                         f"obtained in {settings.source_mode} mode")
        table = "\n".join(
            ["| entry | release | source | sha256 | bytes |", "|---|---|---|---|---|"]
            + [f"| {r.entry_id} | {r.release} | {r.source} | {r.sha256[:12]}… | {r.bytes:,} |" for r in records]
        )
        return MaterializeResult(metadata={
            "files": len(records),
            "source_mode": settings.source_mode,
            "synthetic": any(r.synthetic for r in records),
            "releases": ", ".join(context.partition_keys),
            "skipped": "; ".join(obtained.notices) or "nothing",
            "provenance": MetadataValue.md(table if records else f"_no files for this release in {settings.source_mode} mode_"),
        })

    @asset(
        key=AssetKey(["conformed", family]),
        deps=[source_files],
        group_name="conformed",
        kinds={"polars", "parquet"},
        description=f"Parse and conform to the contract (aliases -> canonical columns): {about}. "
                    "Unchanged files are not parsed again.",
    )
    def conformed_asset(context: AssetExecutionContext, settings: ResourceParam[Settings]) -> MaterializeResult:
        result = conformed.conform_family(family, settings, catalog, acquire.obtained_files(settings, catalog, family))
        context.log.info(f"{family}: {result.files_parsed} parsed, {result.files_cached} unchanged; {result.rows} rows")
        return MaterializeResult(metadata={
            "dagster/row_count": result.rows,
            "files_parsed": result.files_parsed,
            "files_unchanged": result.files_cached,
            "structural_problems": len(result.problems),
            "path": MetadataValue.path(str(result.parquet)),
        })

    @asset_check(
        asset=conformed_asset,
        name="contract",
        blocking=True,
        description=f"Blocking: every row meets schemas/{contract.name}.yaml (columns, types, symbols, "
                    "ranges, unique keys), every LA code or name is in the LA reference, every file has data "
                    "rows and no release lost more of the previous release's LA values than the contract allows.",
    )
    def contract_check(settings: ResourceParam[Settings]) -> AssetCheckResult:
        result = conformed.check_family(family, settings, catalog, default_resolver())
        problems = list(result.problems)
        return AssetCheckResult(
            passed=result.passed,
            severity=AssetCheckSeverity.ERROR,
            description=str(problems[0]) if problems else f"{result.rows} rows meet the contract",
            metadata={
                "rows_checked": result.rows,
                "failures": len(problems),
                "failure_cases": MetadataValue.md(problems_markdown(problems) if problems else "_none_"),
            },
        )

    @asset(
        key=AssetKey(["loaded", family]),
        deps=[conformed_asset],
        group_name="loaded",
        kinds={"duckdb"},
        description=loaded.description(family),
    )
    def loaded_table(settings: ResourceParam[Settings], duckdb: DuckDBResource) -> MaterializeResult:
        with duckdb.get_connection() as con:
            result = loaded.load_family(con, family, settings, contract)
            metadata = {**table_metadata(con, result.table), **tables_metadata(con, [QUARANTINE])}
        return MaterializeResult(metadata={**metadata, "quarantined_rows": result.quarantined})

    @asset_check(
        asset=loaded_table,
        name="quarantine",
        description="Warning: rows set aside by the contract's soft (plausibility) rules or as implausible changes "
                    f"from the previous vintage (schemas/_plausibility.yaml); see {QUARANTINE}.",
    )
    def quarantine_check(duckdb: DuckDBResource) -> AssetCheckResult:
        with duckdb.get_connection() as con:
            rows = con.execute(
                f"SELECT source_file, source_row, \"column\", value, reason FROM {QUARANTINE} "
                "WHERE family = ? ORDER BY ALL", [family]
            ).fetchall()
        problems = [Problem(file, reason, column=column, row=row, value=value) for file, row, column, value, reason in rows]
        return AssetCheckResult(
            passed=not problems,
            severity=AssetCheckSeverity.WARN,
            description=f"{len(problems)} row(s) quarantined" if problems else "no rows quarantined",
            metadata={"quarantined": len(problems), "rows": MetadataValue.md(problems_markdown(problems) if problems else "_none_")},
        )

    return [source_files, conformed_asset, loaded_table], [contract_check, quarantine_check]


def definitions(catalog: Catalog) -> Definitions:
    """The assets and checks of every source family in the catalog."""
    assets, checks = [], []
    for family in catalog.families():
        family_defs, family_checks = family_assets(family, catalog)
        assets += family_defs
        checks += family_checks
    return Definitions(assets=assets, asset_checks=checks)
