"""Jobs: the downstream refresh, and one job per release group (its releases are the job's partitions)."""

from __future__ import annotations

from dagster import AssetKey, AssetSelection, Definitions, define_asset_job

from csc_pipeline.catalog import Catalog
from csc_pipeline.defs.ingest import SOURCE_FILES_GROUP

SOURCE_FILES = AssetSelection.groups(SOURCE_FILES_GROUP)

refresh_job = define_asset_job(
    name="csc_refresh",
    selection=AssetSelection.all() - SOURCE_FILES,
    description="Validate, load, harmonise, analyse and publish what the source_files release partitions hold "
                "(`csc refresh` obtains every release first).",
)


def group_source_keys(catalog: Catalog, group: str) -> list[AssetKey]:
    return [AssetKey(["source_files", family]) for family in catalog.release_groups()[group]]


def release_job_name(group: str) -> str:
    return f"release__{group}"


def release_jobs(catalog: Catalog) -> dict:
    """group -> a job over its source_files assets and everything downstream (partitioned by the group's
    releases, which Dagster infers from the selected assets).

    Runs of releases of different groups cannot share a job (their partitions differ); the sensor
    and the schedule launch these, and in the UI each is where a group's releases are backfilled.
    """
    return {
        group: define_asset_job(
            name=release_job_name(group),
            selection=AssetSelection.assets(*group_source_keys(catalog, group)).downstream(),
            description=f"Obtain a release of {', '.join(families)} and rebuild everything that depends on it.",
        )
        for group, families in catalog.release_groups().items()
    }


def definitions(group_jobs: dict) -> Definitions:
    """``group_jobs``: ``release_jobs(catalog)``, built once (the release sensor launches the same jobs)."""
    return Definitions(jobs=[refresh_job, *group_jobs.values()])
