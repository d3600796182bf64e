"""The cross-checks (``csc_pipeline/cross_checks.py``) as non-blocking asset checks: a disagreement
warns on the table it concerns, naming each LA, year, indicator and the two values, and the refresh goes on."""

from __future__ import annotations

from dagster import AssetCheckResult, AssetCheckSeverity, AssetChecksDefinition, AssetKey, MetadataValue, asset_check
from dagster_duckdb import DuckDBResource

from csc_pipeline import cross_checks
from csc_pipeline.results_doc import markdown_table

# Disagreements listed in a check's metadata (the count covers them all).
DISAGREEMENTS_SHOWN = 50


def _cross_check(check: cross_checks.CrossCheck) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(check.table.split(".")),
        name=check.name,
        blocking=False,
        additional_deps=[AssetKey(table.split(".")) for table in check.reads],
        description=f"{check.description} Query: sql/checks/{check.path.name}.",
    )
    def _check(duckdb: DuckDBResource) -> AssetCheckResult:
        with duckdb.get_connection() as con:
            compared = cross_checks.compare(con, check)
        disagree = cross_checks.disagreements(compared, check)
        shown = disagree.head(DISAGREEMENTS_SHOWN)
        return AssetCheckResult(
            passed=disagree.is_empty(),
            severity=AssetCheckSeverity.WARN,
            description=f"{disagree.height:,} of {compared['agrees'].count():,} compared values disagree "
                        f"({check.values[0]} vs {check.values[1]}); usually because {check.usual_cause}. "
                        "Each is listed in the check's metadata (Dagster UI).",
            metadata={
                "compared": compared["agrees"].count(),
                "not_comparable": compared["agrees"].null_count(),
                "disagreements": disagree.height,
                "disagreements_shown": MetadataValue.md(markdown_table(shown)),
            },
        )

    return _check


def cross_check_definitions() -> list[AssetChecksDefinition]:
    return [_cross_check(check) for check in cross_checks.CROSS_CHECKS]
