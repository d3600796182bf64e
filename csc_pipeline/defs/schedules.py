"""The annual refresh: DfE publishes CLA and CIN each autumn; the schedule is the safety net."""

from __future__ import annotations

from dagster import AssetSelection, RunRequest, ScheduleEvaluationContext, define_asset_job, schedule

from csc_pipeline.catalog import Catalog
from csc_pipeline.defs.ingest import release_partitions
from csc_pipeline.defs.runs import RANGE_END, RANGE_START
from csc_pipeline.defs.sensors import group_source_keys

INGEST = AssetSelection.groups("ingest")

refresh_job = define_asset_job(
    name="csc_refresh",
    selection=AssetSelection.all() - INGEST,
    description="Validate, load, harmonise, analyse and publish what the source_files release partitions hold "
                "(`csc refresh` obtains every release first).",
)


def build_annual_schedule(catalog: Catalog):
    @schedule(
        name="annual_refresh",
        # 1 December 06:00: after the November CLA and October CIN releases.
        cron_schedule="0 6 1 12 *",
        execution_timezone="Europe/London",
        target=AssetSelection.all(),
        description="Annual safety net for the release sensor: obtains every known release of every group again "
                    "(one run per group; unchanged files are recognised by hash and ETag); downstream assets "
                    "follow through their automation conditions.",
    )
    def annual_refresh(context: ScheduleEvaluationContext):
        for group in catalog.release_groups():
            releases = context.instance.get_dynamic_partitions(release_partitions(group).name)
            if releases:
                yield RunRequest(
                    run_key=f"{context.scheduled_execution_time:%Y}:{group}",
                    asset_selection=group_source_keys(catalog, group),
                    tags={RANGE_START: releases[0], RANGE_END: releases[-1]},
                )

    return annual_refresh
